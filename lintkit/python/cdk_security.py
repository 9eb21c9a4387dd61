"""CDK rules (CDK): the CodeGuru CDK detectors, on CDK Python code.

Each rule reads constructs through `lintkit.python.cdk` and reports only what
the synthesized template would show, with CDK's documented defaults: a prop
that is missing counts only when the call has no `**kwargs` and nothing the
module does to the construct afterwards (a bucket policy added to it, its
`node.default_child` reached) could supply it.
"""

from __future__ import annotations

import re
from typing import Any

from astroid import nodes

from lintkit.api import Context
from lintkit.python import cdk
from lintkit.python.cdk import Call, Member, Seq
from lintkit.python.cdk_pipeline import literal_secret

_REST_APIS = (
    "aws_apigateway.RestApi", "aws_apigateway.LambdaRestApi", "aws_apigateway.SpecRestApi",
    "aws_apigateway.StepFunctionsRestApi",
)
# Ports whose service should never face the whole internet: remote shells and
# desktops, file sharing, databases, caches, search clusters, container daemons.
_ADMIN_PORTS = {
    20: "FTP data", 21: "FTP", 22: "SSH", 23: "Telnet", 135: "RPC", 139: "NetBIOS", 445: "SMB", 1433: "SQL Server",
    1521: "Oracle", 2049: "NFS", 2375: "Docker", 2376: "Docker", 3306: "MySQL", 3389: "RDP", 5432: "PostgreSQL",
    5601: "Kibana", 5900: "VNC", 5984: "CouchDB", 6379: "Redis", 9200: "Elasticsearch", 9300: "Elasticsearch",
    11211: "Memcached", 27017: "MongoDB",
}
_PORT_MEMBERS = {"SSH": 22, "RDP": 3389, "MSSQL": 1433, "MYSQL_AURORA": 3306, "POSTGRES": 5432, "SMB": 445, "NFS": 2049}
_WORLD = ("0.0.0.0/0", "::/0")
# Methods that add an ingress rule: (peer position, port position).
_INGRESS = {"add_ingress_rule": (0, 1), "allow_from": (0, 1)}
_METHODS = frozenset({*_INGRESS, "allow_from_any_ipv4", "allow_default_port_from_any_ipv4", "add_function_url", "grant_public_access"})


def cdk_security(module: nodes.Module, ctx: Context) -> None:
    if not cdk.in_cdk_app(module, ctx.text):
        return
    for call in cdk.cdk_calls(module):
        name = call.name
        if name in _REST_APIS:
            _api_logging(call, ctx)
        elif name == "aws_apigateway.Stage":
            _stage_logging(call, ctx)
        elif name == "aws_s3.Bucket":
            _bucket(call, ctx)
        elif name in ("aws_sqs.Queue", "aws_kinesis.Stream"):
            _explicitly_unencrypted(call, ctx)
        elif name in ("aws_rds.DatabaseInstance", "aws_rds.DatabaseCluster"):
            _rds_storage(call, ctx)
        elif name in ("aws_opensearchservice.Domain", "aws_elasticsearch.Domain"):
            _search_domain(call, ctx)
        elif name == "aws_efs.FileSystem" and call.value("encrypted") is False:
            ctx.report("CDK004", call.where("encrypted"), f"file system {call.label('this file system')} stores data unencrypted (encrypted=False)")
        elif name == "aws_lambda.FunctionUrl":
            _function_url(call, ctx)
        elif name in ("SecretValue.unsafe_plain_text", "SecretValue.plain_text", "core.SecretValue.plain_text"):
            _literal_secret(call, ctx)
        elif name == "aws_iam.PolicyStatement":
            _wildcard_statement(call, ctx)
        elif name == "aws_iam.ManagedPolicy.from_aws_managed_policy_name" and call.arg_text("managed_policy_name", 0) == "AdministratorAccess":
            ctx.report(
                "CDK009", call.node,
                "attaches the AWS-managed AdministratorAccess policy: every action on every resource",
            )
    _method_calls(module, ctx)


def _method_calls(module: nodes.Module, ctx: Context) -> None:
    """Calls on constructs whose class this module cannot name (`fn.add_function_url`,
    `sg.add_ingress_rule`, `bucket.grant_public_access`): recognised by method
    name and by the library values they are given."""
    for call in cdk.method_calls(module, _METHODS):
        method = call.func.attrname
        if method in _INGRESS:
            _ingress(call, method, ctx)
        elif method in ("allow_from_any_ipv4", "allow_default_port_from_any_ipv4"):
            _ingress_any(call, method, ctx)
        elif method == "add_function_url":
            _function_url(Call(call, "aws_lambda.IFunction.add_function_url"), ctx)
        elif method == "grant_public_access" and _receiver_is(call, "aws_s3.Bucket"):
            ctx.report("CDK008", call.func, "grant_public_access() lets anyone on the internet read the bucket's objects")


def _receiver_is(call: nodes.Call, *names: str) -> bool:
    receiver = cdk.resolve(call.func.expr)
    return cdk.is_call(receiver, *names)


# -- CDK001: API access logging --------------------------------------------------------


def _api_logging(api: Call, ctx: Context) -> None:
    if api.value("deploy") is False or api.star_kwargs:
        return
    uses = api.uses()
    if uses.escapes:
        return  # its stage may be configured through deployment_stage or node
    label = api.label("this REST API")
    if api.missing("deploy_options"):
        ctx.report(
            "CDK001", api.node.func,
            f"REST API {label} deploys a stage with no access logging (no deploy_options with an "
            "access_log_destination): requests to it are not recorded",
        )
        return
    options = cdk.struct(api.value("deploy_options"), "aws_apigateway.StageOptions")
    if options is not None and not options.star_kwargs and options.missing("access_log_destination") and not _execution_logs(options):
        ctx.report(
            "CDK001", api.where("deploy_options"),
            f"the stage of REST API {label} has no access_log_destination: requests to it are not recorded",
        )


def _execution_logs(options: Any) -> bool:
    """INFO-level execution logging (or full request tracing) records each
    request too; then "requests are not recorded" would be untrue."""
    return cdk.enum(options.value("logging_level")) == "INFO" or options.value("data_trace_enabled") is True


def _stage_logging(stage: Call, ctx: Context) -> None:
    if stage.star_kwargs or not stage.missing("access_log_destination") or stage.uses().escapes or _execution_logs(stage):
        return
    ctx.report(
        "CDK001", stage.node.func,
        f"API Gateway stage {stage.label('this stage')} has no access_log_destination: requests to it are not recorded",
    )


# -- S3: CDK002, CDK003, CDK008 --------------------------------------------------------


def _bucket(bucket: Call, ctx: Context) -> None:
    if bucket.star_kwargs:
        return
    label = bucket.label("this bucket")
    website = not (bucket.missing("website_index_document") and bucket.missing("website_redirect") and bucket.missing("website_routing_rules"))
    uses = bucket.uses()
    policy_added = any(m == "add_to_resource_policy" for m, _ in uses.methods) or "aws_s3.BucketPolicy" in uses.passed_to
    enforce = bucket.value("enforce_ssl")
    if enforce is not True and (enforce is False or bucket.missing("enforce_ssl")) and not website and not policy_added and not uses.escapes:
        ctx.report(
            "CDK002", bucket.where("enforce_ssl"),
            f"bucket {label} accepts plain-HTTP requests: without enforce_ssl=True no bucket policy denies "
            "aws:SecureTransport=false",
        )
    if cdk.enum(bucket.value("encryption")) == "UNENCRYPTED":
        ctx.report(
            "CDK003", bucket.where("encryption"),
            f"bucket {label} asks for no encryption (BucketEncryption.UNENCRYPTED, deprecated): the template sets "
            "no default encryption of its own and relies on S3's SSE-S3 fallback",
        )
    if bucket.value("public_read_access") is True:
        what = "a static website bucket" if website else "the bucket"
        ctx.report(
            "CDK008", bucket.where("public_read_access"),
            f"public_read_access=True lets anyone on the internet read every object of {what} {label}",
        )


# -- CDK004: data stores without encryption at rest ---------------------------------------


def _explicitly_unencrypted(store: Call, ctx: Context) -> None:
    if cdk.enum(store.value("encryption")) != "UNENCRYPTED":
        return
    what = "queue" if store.cls == "Queue" else "stream"
    ctx.report("CDK004", store.where("encryption"), f"{what} {store.label('this ' + what)} stores messages unencrypted (encryption=UNENCRYPTED)")


def _rds_storage(db: Call, ctx: Context) -> None:
    if db.star_kwargs or cdk.overridden(db, "StorageEncrypted"):
        return
    label = db.label("this database")
    encrypted = db.value("storage_encrypted")
    if encrypted is False:
        ctx.report("CDK004", db.where("storage_encrypted"), f"database {label} stores its data unencrypted (storage_encrypted=False)")
    elif db.missing("storage_encrypted") and db.missing("storage_encryption_key"):
        ctx.report(
            "CDK004", db.node.func,
            f"database {label} stores its data unencrypted: CDK sets storage_encrypted only when a "
            "storage_encryption_key is given",
            fix="storage_encrypted=True",
        )


def _search_domain(domain: Call, ctx: Context) -> None:
    if domain.star_kwargs:
        return
    label = domain.label("this domain")
    at_rest = domain.value("encryption_at_rest")
    if domain.missing("encryption_at_rest"):
        ctx.report("CDK004", domain.node.func, f"search domain {label} stores its indexes unencrypted (no encryption_at_rest)")
    elif cdk.struct(at_rest, "aws_opensearchservice.EncryptionAtRestOptions", "aws_elasticsearch.EncryptionAtRestOptions") is not None and (
        at_rest.missing("enabled") or at_rest.value("enabled") is False
    ):
        ctx.report("CDK004", domain.where("encryption_at_rest"), f"search domain {label} stores its indexes unencrypted (encryption_at_rest is not enabled)")


# -- CDK005: admin ports open to the internet ------------------------------------------


def _ingress(call: nodes.Call, method: str, ctx: Context) -> None:
    peer_pos, port_pos = _INGRESS[method]
    opts = Call(call, method)
    peer = opts.value("peer" if method == "add_ingress_rule" else "other", peer_pos)
    if not _is_world(peer):
        return
    port = opts.value("connection" if method == "add_ingress_rule" else "port_range", port_pos)
    service = _admin_service(port)
    if service:
        ctx.report(
            "CDK005", call.func,
            f"opens {service} to the whole internet ({_peer_text(peer)}); restrict the peer to known addresses",
        )


def _ingress_any(call: nodes.Call, method: str, ctx: Context) -> None:
    if method == "allow_from_any_ipv4":
        service = _admin_service(cdk.resolve(Call(call, method).arg("port_range", 0)))
    else:
        receiver = cdk.resolve(call.func.expr.expr) if isinstance(call.func.expr, nodes.Attribute) else cdk.UNKNOWN
        service = _database_service(receiver)
    if service:
        ctx.report("CDK005", call.func, f"opens {service} to the whole internet (any IPv4 address)")


def _is_world(peer: Any) -> bool:
    if cdk.is_call(peer, "aws_ec2.Peer.any_ipv4", "aws_ec2.Peer.any_ipv6"):
        return True
    return cdk.is_call(peer, "aws_ec2.Peer.ipv4", "aws_ec2.Peer.ipv6") and peer.arg_text("cidr_ip", 0) in _WORLD


def _peer_text(peer: Call) -> str:
    return peer.arg_text("cidr_ip", 0) or ("any IPv6 address" if peer.cls == "any_ipv6" else "any IPv4 address")


def _admin_service(port: Any) -> str | None:
    if isinstance(port, Member):
        number = _PORT_MEMBERS.get(port.attr)
        return f"{_ADMIN_PORTS[number]} (port {number})" if number else None
    if not isinstance(port, Call):
        return None
    if port.is_("aws_ec2.Port.all_tcp", "aws_ec2.Port.all_traffic"):
        return "every TCP port" if port.cls == "all_tcp" else "every port"
    if port.is_("aws_ec2.Port.tcp"):
        number = cdk.resolve(port.arg("port", 0))
        if isinstance(number, int) and number in _ADMIN_PORTS:
            return f"{_ADMIN_PORTS[number]} (port {number})"
    if port.is_("aws_ec2.Port.tcp_range"):
        low, high = cdk.resolve(port.arg("start_port", 0)), cdk.resolve(port.arg("end_port", 1))
        if isinstance(low, int) and isinstance(high, int):
            inside = [p for p in _ADMIN_PORTS if low <= p <= high]
            if inside:
                return f"ports {low}-{high} ({', '.join(_ADMIN_PORTS[p] for p in inside[:3])}{'…' if len(inside) > 3 else ''})"
    return None


def _database_service(db: Any) -> str | None:
    if cdk.is_call(db, "aws_rds.DatabaseInstance", "aws_rds.DatabaseCluster", "aws_rds.ServerlessCluster"):
        return f"the database port of {db.label('this database')}"
    return None


# -- CDK006: function URLs without authentication -------------------------------------


def _function_url(url: Call, ctx: Context) -> None:
    if cdk.enum(url.value("auth_type")) == "NONE":
        ctx.report(
            "CDK006", url.where("auth_type"),
            "the function URL accepts unauthenticated requests (FunctionUrlAuthType.NONE): anyone who finds the "
            "URL can invoke the function",
        )


# -- CDK007: literal secrets ----------------------------------------------------------------


def _literal_secret(secret: Call, ctx: Context) -> None:
    text = literal_secret(secret)
    if text is None or _is_github_token(secret):
        return
    if _secret_initial_value(secret) and (cdk.placeholder(text) or _marker_word(text)):
        return  # a Secret created with a placeholder, to be set by hand after deployment
    ctx.report(
        "CDK007", secret.node,
        f"a literal secret ({len(text)} characters) is written into the synthesized template: the same credential "
        "in every deployment, readable by anyone who can read the code, the template or the stack",
        fix="generate it (rds.Credentials.from_generated_secret, secretsmanager.Secret) or read it with SecretValue.secrets_manager",
    )


def _secret_initial_value(secret: Call) -> bool:
    """The value given to `secretsmanager.Secret(secret_string_value=...)` or
    inside its `secret_object_value={...}`."""
    node = secret.node.parent
    if isinstance(node, nodes.Dict):
        node = node.parent
    if not isinstance(node, nodes.Keyword) or node.arg not in ("secret_string_value", "secret_object_value"):
        return False
    holder = node.parent
    return isinstance(holder, nodes.Call) and cdk.library_name(holder.func) == "aws_secretsmanager.Secret"


def _marker_word(text: str) -> bool:
    """PENDING, TBD, SET_ME: capitals and separators only, no real secret looks so."""
    return bool(re.fullmatch(r"[A-Z][A-Z_-]{2,39}", text))


def _is_github_token(secret: Call) -> bool:
    """GitHub OAuth tokens of source actions are PIP006's."""
    parent = secret.node.parent
    holder = parent.parent if isinstance(parent, nodes.Keyword) else parent
    if not isinstance(holder, nodes.Call):
        return False
    name = cdk.library_name(holder.func) or ""
    return name.endswith(("GitHubSourceAction", "CodePipelineSource.git_hub"))


# -- CDK009: wildcard IAM grants ------------------------------------------------------------


def _wildcard_statement(statement: Call, ctx: Context) -> None:
    effect = statement.value("effect")
    if not (statement.missing("effect") or cdk.enum(effect) == "ALLOW") or statement.star_kwargs:
        return
    if not statement.missing("principals") or any("principal" in m for m, _ in statement.uses().methods):
        return  # a resource policy (key, bucket, queue): "*" there is the resource it is attached to
    actions = _strings(statement.value("actions"))
    resources = _strings(statement.value("resources"))
    if actions is None or resources is None or "*" not in resources:
        return
    wild = [a for a in actions if a == "*" or (a.count(":") == 1 and a.endswith(":*"))]
    if not wild:
        return
    what = "every action on every resource" if "*" in wild else f"every {', '.join(w[:-2] for w in wild)} action on every resource"
    ctx.report(
        "CDK009", statement.where("actions"),
        f"the policy statement allows {what} (actions {', '.join(wild)} with resources '*')",
        severity="high" if "*" in wild else None,
    )


def _strings(value: Any) -> list[str] | None:
    if not isinstance(value, Seq):
        return None
    found = [cdk.resolve(i) for i in value.items]
    return [f for f in found if isinstance(f, str)] if all(isinstance(f, str) for f in found) else None
