"""Credentials pasted into CI/CD configuration (CRD rules).

CRD001-CRD003 walk every string scalar of every CI/CD document (buildspecs,
appspecs, pipeline JSON, CloudFormation/SAM templates) and ask
`lintkit.secrets` what it holds; values the file marks as mock data are skipped. CRD004 follows CloudFormation `Ref`s
from secret-carrying properties back to their Parameters.

Division of labour with the more specific rules (so one secret is reported
once): in buildspecs `env.variables` is BSP005's and `aws configure set`,
`docker login -p`, `--password` commands are BSP009's; in templates CodeBuild
`EnvironmentVariables` values are CBP004's, source `Location`s CBP005's,
pipeline `OAuthToken`s PIP006's and webhook `SecretToken`s PIP007's; an
inline `BuildSpec` is linted as a buildspec of its own (CRD included), so
the template-level walk skips it. `!Ref`, `!GetAtt`, `!ImportValue` and the
like are never literals; inside other intrinsics (`!Sub`, `!Join`, `!If`)
only known token formats count, since the surrounding key no longer says
what the text is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from lintkit import secrets
from lintkit.aws.cfn import template_of
from lintkit.api import Context
from lintkit.documents import Document, Mapping, Node, Scalar, Sequence, intrinsic

CATEGORY_CODE = {"aws": "CRD001", "private-key": "CRD002", "registry": "CRD002", "token": "CRD003", "generic": "CRD003"}
# Intrinsics whose argument names something else: never a literal value.
_OPAQUE_INTRINSICS = ("Ref", "Fn::GetAtt", "Fn::ImportValue", "Fn::FindInMap", "Fn::GetAZs", "Fn::Cidr", "Condition", "Fn::Transform")
# Lines of a buildspec command that BSP009 owns.
_BSP009_LINE = re.compile(r"aws\s+configure\s+set\s|docker\s+login\b|podman\s+login\b|--passw(?:or)?d\b")
_SUB_VAR = re.compile(r"\$\{(?!!)[^}]*\}")
# Keys whose value is a description, never a credential.
_PROSE_KEYS = frozenset({"Description", "description", "ConstraintDescription", "AllowedPattern", "Label", "Summary", "summary", "Comment", "comment"})


# Keys whose values are identifiers, digests or addresses, never secrets, even
# when they look random (entropy-only matches under them are dropped).
_IDENTIFIER_KEY = re.compile(r"(?i)name|id$|ids$|arn|bucket|image|location|path|version|digest|hash|sha|checksum|integrity|commit|etag|url|uri|sid|type|ref|tag|dependson|condition|export|import|region|zone|account")


@dataclass
class _Literal:
    scalar: Scalar
    path: tuple[Any, ...]  # keys and indexes from the root
    key: str  # the nearest mapping key ("" for list items)
    strict: bool  # inside an intrinsic: known formats only


def _walk(node: Node, path: tuple[Any, ...], key: str, strict: bool) -> Iterator[_Literal]:
    """String scalars below `node` with their path, iteratively (deep files
    cannot exhaust the stack)."""
    stack: list[tuple[Node, tuple[Any, ...], str, bool]] = [(node, path, key, strict)]
    seen: set[int] = set()
    while stack:
        current, cpath, ckey, cstrict = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        fn = intrinsic(current)
        if fn is not None:
            name, arg = fn
            if name in _OPAQUE_INTRINSICS:
                continue
            if name == "Fn::Sub":
                text_node = arg.items[0] if isinstance(arg, Sequence) and arg.items else arg
                if isinstance(text_node, Scalar) and not text_node.is_null:
                    yield _Literal(text_node, cpath, ckey, True)
                continue
            if arg is not current:
                stack.append((arg, cpath + (name,), ckey, True))
                continue
            # short form (`!If [...]`): the tagged node is its own argument
            cstrict = True
        if isinstance(current, Scalar):
            if current.yaml_type == "str" and not current.is_null and isinstance(current.value, str):
                yield _Literal(current, cpath, ckey, cstrict)
        elif isinstance(current, Mapping):
            for name, _, value in reversed(list(current.items())):
                stack.append((value, cpath + (name,), name, cstrict))
        elif isinstance(current, Sequence):
            for index in range(len(current.items) - 1, -1, -1):
                stack.append((current.items[index], cpath + (index,), ckey, cstrict))


# --- who owns which location -------------------------------------------------------------


def _skipped(kind: str, lit: _Literal, types: dict[str, str]) -> bool:
    path = lit.path
    if lit.key in _PROSE_KEYS:
        return True
    if kind == "buildspec":
        return len(path) >= 2 and path[0] == "env" and path[1] in ("variables", "parameter-store", "secrets-manager", "exported-variables")
    if kind == "pipeline":
        return lit.key in ("OAuthToken", "oAuthToken")
    if kind == "cloudformation":
        if len(path) >= 3 and path[0] == "Resources":
            rtype = types.get(str(path[1]), "")
            rest = path[2:]
            if rtype == "AWS::CodeBuild::Project" and rest[:1] == ("Properties",):
                props = rest[1:]
                if props[:2] == ("Environment", "EnvironmentVariables"):
                    return True  # CBP004
                if props[:1] == ("Source",) and props[1:2] in (("Location",), ("BuildSpec",)):
                    return True  # CBP005 / linted as an embedded buildspec
                if props[:1] == ("SecondarySources",) and props[2:3] in (("Location",), ("BuildSpec",)):
                    return True
            if rtype == "AWS::CodePipeline::Webhook" and "SecretToken" in rest:
                return True  # PIP007
            if lit.key == "OAuthToken":
                return True  # PIP006
    return False


def _resource_types(root: Node) -> dict[str, str]:
    """Logical id -> resource type, once per template (not a scan per string)."""
    resources = root.get("Resources") if isinstance(root, Mapping) else None
    types: dict[str, str] = {}
    for name, _, res in resources.items() if isinstance(resources, Mapping) else ():
        rtype = res.get("Type") if isinstance(res, Mapping) else None
        types[name] = rtype.text if isinstance(rtype, Scalar) else ""
    return types


# --- CRD001-CRD003 ----------------------------------------------------------------------------


def pasted_credentials(doc: Document, ctx: Context) -> None:
    covered = _crd004_parameters(doc) if ctx.kind == "cloudformation" else set()
    for root in doc.roots:
        types = _resource_types(root) if ctx.kind == "cloudformation" else {}
        for lit in _walk(root, (), "", False):
            if _skipped(ctx.kind, lit, types):
                continue
            if ctx.kind == "cloudformation" and len(lit.path) == 3 and lit.path[0] == "Parameters" and lit.path[2] == "Default" and lit.path[1] in covered:
                continue  # CRD004 reports this Default
            for match, text in _matches(lit, ctx.kind):
                _report(ctx, doc, lit, match, text)


def _matches(lit: _Literal, kind: str) -> list[tuple[secrets.SecretMatch, str]]:
    text = lit.scalar.text
    if lit.strict:
        # Keep offsets: blank out ${...} instead of removing it.
        masked = _SUB_VAR.sub(lambda m: " " * len(m.group(0)), text) if "${" in text else text
        return [(m, text) for m in secrets.find_secrets(masked) if m.confidence == "high"]
    found = secrets.find_secrets(text)
    if kind == "buildspec" and found:
        kept = [m for m in found if not _BSP009_LINE.search(_line_of(text, m.start))]
        if len(kept) < len(found) and not kept:
            return []  # BSP009's literal credential
        found = kept
    if found:
        return [(m, text) for m in found]
    name = _value_name(lit, kind)
    if not name:
        return []
    match = secrets.classify_value(text, name=name)
    if match is None or match.confidence == "low" and _IDENTIFIER_KEY.search(name):
        return []
    return [(match, text)]


def _value_name(lit: _Literal, kind: str) -> str:
    """What names the value: its key, or for a template parameter's Default
    the parameter's name (`DbPassword: {Default: …}`)."""
    path = lit.path
    if kind == "cloudformation" and len(path) == 3 and path[0] == "Parameters" and path[2] == "Default":
        return str(path[1])
    if path and isinstance(path[-1], int):
        return ""  # a list item (a command): only NAME=value assignments inside it count
    return lit.key


def _line_of(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end >= 0 else len(text)]


def _report(ctx: Context, doc: Document, lit: _Literal, match: secrets.SecretMatch, text: str) -> None:
    code = CATEGORY_CODE.get(match.category, "CRD003")
    shown = match.redacted(text)
    where = lit.scalar.span_of(match.start, match.end)
    if secrets.marked_as_mock(doc.lines, where[0], _value_name(lit, ctx.kind)):
        return
    severity = "low" if match.confidence == "low" else None
    name = _assigned_name(match) if match.description.startswith("value of") else lit.key
    if match.kind == "high-entropy":
        message = f"'{name}' holds a random-looking literal ({shown}) that may be a generated secret"
    elif match.kind == "keyword":
        message = f"'{name}' is given a literal secret ({shown}); anyone who can read this file can use it"
    else:
        message = f"{match.description} pasted into the configuration ({shown}); anyone who can read this file can use it"
    ctx.report(code, where, message, fix=_fix(code), severity=severity, properties={"secret_kind": match.kind, "confidence": match.confidence})


def _fix(code: str) -> str:
    return {
        "CRD001": "Delete the key, deactivate it in IAM now, and let the build use its service role (or a Secrets Manager reference)",
        "CRD002": "Remove it, revoke it, and inject it at run time from Secrets Manager or Parameter Store",
    }.get(code, "Remove it, rotate it, and reference Secrets Manager or Parameter Store instead ({{resolve:secretsmanager:…}}, env: secrets-manager)")


def credentials_in_text(text: str, ctx: Context) -> None:
    """A file that does not parse, or that lintkit cannot analyze, is still
    searched for credentials in known formats, in its text."""
    import bisect

    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for match in secrets.find_secrets(text):
        if match.confidence != "high":
            continue
        code = CATEGORY_CODE.get(match.category, "CRD003")
        line = bisect.bisect_right(starts, match.start)
        end_line = bisect.bisect_right(starts, max(match.start, match.end - 1))
        where = (line, match.start - starts[line - 1] + 1, end_line, match.end - starts[end_line - 1] + 1)
        shown = secrets.redact(match.secret(text))
        ctx.report(code, where, f"{match.description} pasted into the file ({shown}); anyone who can read this file can use it", fix=_fix(code),
                   properties={"secret_kind": match.kind, "confidence": match.confidence})


def _assigned_name(match: secrets.SecretMatch) -> str:
    found = re.search(r"'([^']+)'", match.description)
    return found.group(1) if found else "value"


# --- CRD004 -----------------------------------------------------------------------------------


@dataclass
class _Flow:
    param: str
    use: Node  # the property value that refers to the parameter
    what: str  # "CodeBuild environment variable 'X' of 'P'", ...
    default_reported_elsewhere: bool  # PIP007 already reports a defaulted webhook token


def _crd004_parameters(doc: Document) -> set[str]:
    """Parameters whose Default CRD004 reports (so CRD003 does not repeat it)."""
    root = doc.root
    if not isinstance(root, Mapping):
        return set()
    params = template_of(doc).parameters
    return {f.param for f in _flows(root, params) if _problem(params.get(f.param), f) == "default"}


def _referenced_param(node: Node | None, params: dict[str, Mapping]) -> str | None:
    """`!Ref P`, `{"Ref": "P"}` or `!Sub "${P}"` (the whole value) naming a parameter."""
    if node is None:
        return None
    fn = intrinsic(node)
    if fn is None:
        return None
    name, arg = fn
    if name == "Fn::If" and isinstance(arg, Sequence) and len(arg.items) == 3:
        # `!If [HasToken, !Ref Token, !Ref AWS::NoValue]`: either branch may be used
        return _referenced_param(arg.items[1], params) or _referenced_param(arg.items[2], params)
    text = arg.text if isinstance(arg, Scalar) else None
    if name == "Ref" and text in params:
        return text
    if name == "Fn::Sub" and text:
        whole = re.fullmatch(r"\s*\$\{([A-Za-z0-9]+)\}\s*", text)
        if whole and whole.group(1) in params:
            return whole.group(1)
    return None


def _flows(root: Mapping, params: dict[str, Mapping]) -> list[_Flow]:
    resources = root.get("Resources")
    if not isinstance(resources, Mapping) or not params:
        return []
    flows: list[_Flow] = []
    for logical_id, _, res in resources.items():
        if not isinstance(res, Mapping):
            continue
        rtype = res.get("Type")
        rtype_text = rtype.text if isinstance(rtype, Scalar) else ""
        props = res.get("Properties")
        if not isinstance(props, Mapping):
            continue
        if rtype_text == "AWS::CodeBuild::Project":
            env = props.get("Environment")
            variables = env.get("EnvironmentVariables") if isinstance(env, Mapping) else None
            for var in variables.items if isinstance(variables, Sequence) else []:
                if not isinstance(var, Mapping):
                    continue
                vtype = var.get("Type")
                if isinstance(vtype, Scalar) and vtype.text.upper() in ("PARAMETER_STORE", "SECRETS_MANAGER"):
                    continue  # the value is a name, not the secret
                value = var.get("Value")
                param = _referenced_param(value, params)
                vname = var.get("Name")
                vname_text = vname.text if isinstance(vname, Scalar) else ""
                if param and value is not None and (secrets.looks_like_secret_name(vname_text) or secrets.looks_like_secret_name(param)):
                    flows.append(_Flow(param, value, f"environment variable '{vname_text}' of CodeBuild project '{logical_id}'", False))
        elif rtype_text == "AWS::CodePipeline::Pipeline":
            for token in _oauth_tokens(props):
                param = _referenced_param(token, params)
                if param:
                    flows.append(_Flow(param, token, f"the OAuthToken of pipeline '{logical_id}'", False))
        elif rtype_text == "AWS::CodePipeline::Webhook":
            config = props.get("AuthenticationConfiguration")
            secret_token = config.get("SecretToken") if isinstance(config, Mapping) else None
            param = _referenced_param(secret_token, params)
            if param and secret_token is not None:
                flows.append(_Flow(param, secret_token, f"the SecretToken of webhook '{logical_id}'", True))
    return flows


def _oauth_tokens(props: Mapping) -> Iterator[Node]:
    stages = props.get("Stages")
    for stage in stages.items if isinstance(stages, Sequence) else []:
        actions = stage.get("Actions") if isinstance(stage, Mapping) else None
        for action in actions.items if isinstance(actions, Sequence) else []:
            config = action.get("Configuration") if isinstance(action, Mapping) else None
            token = config.get("OAuthToken") if isinstance(config, Mapping) else None
            if token is not None:
                yield token


def _problem(param: Mapping | None, flow: _Flow) -> str:
    """"default" (a Default holds the secret), "echo" (no NoEcho) or ""."""
    if param is None:
        return ""
    ptype = param.get("Type")
    if isinstance(ptype, Scalar) and ptype.text.startswith("AWS::SSM::Parameter::Value"):
        return ""  # the parameter holds a Parameter Store name
    default = param.get("Default")
    if isinstance(default, Scalar) and not default.is_null and default.text.strip():
        text = default.text.strip()
        if not secrets.is_reference(text) and not secrets.is_placeholder(text) and not flow.default_reported_elsewhere:
            return "default"
    noecho = param.get("NoEcho")
    if not (isinstance(noecho, Scalar) and noecho.text.strip().lower() == "true"):
        return "echo"
    return ""


def defaulted_secret_parameter(doc: Document, ctx: Context) -> None:
    root = doc.root
    if not isinstance(root, Mapping):
        return
    params = template_of(doc).parameters
    reported: set[tuple[str, str]] = set()
    for flow in _flows(root, params):
        param = params.get(flow.param)
        problem = _problem(param, flow)
        if not problem or param is None or (flow.param, problem) in reported:
            continue
        reported.add((flow.param, problem))
        if problem == "default":
            default = param.get("Default")
            assert isinstance(default, Scalar)  # _problem said so
            ctx.report(
                "CRD004", default,
                f"parameter '{flow.param}' has a Default ({secrets.redact(default.text)}) and flows into {flow.what}: the secret is stored in the template",
                related=[(flow.use, "used here")],
                fix="Remove the Default and pass the value at deploy time, or use {{resolve:secretsmanager:…}} in the property",
                properties={"secret_kind": "parameter-default"},
            )
        else:
            key = _param_key(root, flow.param)
            ctx.report(
                "CRD004", key or param,
                f"parameter '{flow.param}' flows into {flow.what} but has no 'NoEcho: true': its value shows in the console, "
                "DescribeStacks and change sets",
                related=[(flow.use, "used here")],
                fix="Add 'NoEcho: true', or better, reference Secrets Manager with {{resolve:secretsmanager:…}}",
            )


def _param_key(root: Mapping, name: str) -> Node | None:
    params = root.get("Parameters")
    return params.key_node(name) if isinstance(params, Mapping) else None
