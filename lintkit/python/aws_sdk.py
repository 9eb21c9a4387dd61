"""AWS SDK (boto3) usage rules, PAW: the AWS best-practice detectors of the
CodeGuru Python library, driven by botocore's own service data.

Every rule starts from a call that `lintkit.python.boto` resolves to an
operation on a client of a known service, and reads one generated table
(rules/models/boto3-*.json): which operations paginate, which a waiter polls,
which report failed batch entries, which accept ExpectedBucketOwner, which
input members exclude each other. The Lambda rules (client reuse, reserved
variables) live in `lintkit.python.aws_lambda`.
"""

from __future__ import annotations

from typing import Any, Iterator

from astroid import nodes

from lintkit.python.boto import (
    NOT_LITERAL,
    handle,
    has_star_kwargs,
    keyword,
    lambda_handlers,
    literal,
    operation,
    operations,
    qualified,
    table,
    uses_sdk,
)
from lintkit.python.walk import nodes_of, remember

_LOOPS = (nodes.For, nodes.While)
_NESTED = (nodes.FunctionDef, nodes.Lambda, nodes.ClassDef)
_MAX_HOPS = 3


def _checked(module: nodes.Module, ctx: Any, code: str) -> bool:
    """Run `code` on this module: it is enabled here and the module uses the SDK."""
    return ctx.enabled(code) and uses_sdk(module)


# -- small flow facts inside one function ------------------------------------------


def _frame(node: Any) -> Any:
    return node.frame()


def _strings(scope: Any) -> frozenset[str]:
    """Every string literal in a function (or module), nested functions excluded."""

    def compute(s: Any) -> frozenset[str]:
        return frozenset(c.value for c in nodes_of(s, nodes.Const) if isinstance(c.value, str) and _frame(c) is s)

    return remember(scope, "paw_strings", compute)


def _value(node: Any) -> Any:
    """The expression that carries a call's result (through `await`)."""
    return node.parent if isinstance(node.parent, nodes.Await) else node


def _bound_name(expr: Any) -> nodes.AssignName | None:
    """`x = <expr>` -> the AssignName x."""
    parent = expr.parent
    if isinstance(parent, (nodes.Assign, nodes.AnnAssign)) and parent.value is expr:
        targets = parent.targets if isinstance(parent, nodes.Assign) else [parent.target]
        if len(targets) == 1 and isinstance(targets[0], nodes.AssignName):
            return targets[0]
    return None


def _loads(binding: nodes.AssignName) -> list[nodes.Name]:
    """Later reads of a local name in the same function."""
    frame = _frame(binding)
    line = binding.lineno or 0
    return [n for n in nodes_of(frame, nodes.Name) if n.name == binding.name and (n.lineno or 0) >= line and _frame(n) is frame]


def _holders(call: nodes.Call) -> list[Any]:
    """The expressions holding a call's result: the call, or the reads of the
    name it is assigned to (a few hops of `a = b`)."""
    expr = _value(call)
    holders, frontier = [], [(expr, 0)]
    while frontier:
        node, hops = frontier.pop()
        binding = _bound_name(node)
        if binding is None:
            holders.append(node)
        elif hops < _MAX_HOPS:
            frontier.extend((load, hops + 1) for load in _loads(binding))
    return holders


def _key_reads(holder: Any) -> Iterator[tuple[str, Any]]:
    """`holder["Key"]` and `holder.get("Key", ...)`."""
    parent = holder.parent
    if isinstance(parent, nodes.Subscript) and parent.value is holder:
        key = literal(parent.slice)
        if isinstance(key, str):
            yield key, parent
    elif isinstance(parent, nodes.Attribute) and parent.attrname == "get" and isinstance(parent.parent, nodes.Call):
        get = parent.parent
        if get.func is parent and get.args:
            key = literal(get.args[0])
            if isinstance(key, str):
                yield key, get


def _loops_around(node: Any) -> Iterator[Any]:
    """Enclosing loops, innermost first, up to the function boundary."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, (*_NESTED, nodes.Module)):
        if isinstance(parent, _LOOPS) and child not in (getattr(parent, "iter", None), getattr(parent, "target", None)):
            yield parent
        child, parent = parent, parent.parent


def _in_scope(scope: Any, classes: Any) -> Iterator[Any]:
    """Nodes of `classes` inside `scope`, not inside nested functions or classes."""
    frame = _frame(scope) if not isinstance(scope, (nodes.FunctionDef, nodes.Module)) else scope
    for node in nodes_of(scope, classes):
        if _frame(node) is frame:
            yield node


# -- PAW001 missing pagination -------------------------------------------------------

_CONSUMERS = frozenset(f"builtins.{name}" for name in (
    "len", "list", "sorted", "set", "frozenset", "tuple", "sum", "any", "all", "max", "min", "enumerate", "dict",
    "filter", "map", "zip", "reversed",
))


def missing_pagination(module: nodes.Module, ctx: Any) -> None:
    if not _checked(module, ctx, "PAW001"):
        return
    pages = table("paginators")
    tokens = frozenset(pages["tokens"])
    for call, client, op in operations(module):
        spec = pages["services"].get(client.service, {}).get(op)
        if spec is None or has_star_kwargs(call):
            continue
        results, _, selectors = spec.partition("|")
        passed = {kw.arg for kw in call.keywords or ()}
        if passed & tokens or passed & set(selectors.split()):
            continue
        frame = _frame(call)
        if _strings(frame) & tokens or any(_called(c) == "get_paginator" for c in _in_scope(frame, nodes.Call)):
            continue
        if _exact_lookup(call, frame):
            continue
        for holder in _holders(call):
            for key, read in _key_reads(holder):
                if key in results.split():
                    used = _complete_use(read, 0)
                    if used is not None:
                        ctx.report(
                            "PAW001",
                            call,
                            f"{client.service} {op} is paginated, but its '{key}' is used here as the complete result "
                            "without following the next-page token: a response may hold only the first page",
                            related=[(used, f"'{key}' used as the complete result")],
                            fix=f"Iterate `client.get_paginator('{op}').paginate(...)`, or loop on the next-page token",
                        )
                        break
            else:
                continue
            break


def _exact_lookup(call: nodes.Call, frame: Any) -> bool:
    """`describe_log_groups(logGroupNamePrefix=name)` then `g["logGroupName"] == name`:
    listings come sorted by name, and the exact name sorts first among the
    names it prefixes, so the first page holds it."""
    prefixes = {kw.value.as_string() for kw in call.keywords or () if kw.arg and kw.arg.lower().endswith("prefix")}
    if not prefixes:
        return False
    for compare in _in_scope(frame, nodes.Compare):
        operands = [compare.left, *(right for op, right in compare.ops if op == "==")]
        if len(operands) > 1 and any(o.as_string() in prefixes for o in operands):
            return True
    return False


def _called(call: nodes.Call) -> str:
    func = call.func
    return func.attrname if isinstance(func, nodes.Attribute) else func.name if isinstance(func, nodes.Name) else ""


def _emptiness_test(length: nodes.Call) -> bool:
    """`len(items) > 0`, `len(items) == 0`: the first page answers it."""
    compare = length.parent
    if not isinstance(compare, nodes.Compare) or len(compare.ops) != 1:
        return False
    op, right = compare.ops[0]
    if compare.left is length:
        return (op, literal(right)) in ((">", 0), ("==", 0), ("!=", 0), (">=", 1), ("<", 1))
    return right is length and (op, literal(compare.left)) in (("<", 0), ("==", 0), ("!=", 0), ("<=", 1), (">", 1))


def _complete_use(node: Any, hops: int) -> Any:
    """Where a list read from a response is consumed as if it were all the items:
    iterated, counted, copied, extended into, searched with `in`, or returned."""
    parent = node.parent
    if isinstance(parent, (nodes.For, nodes.Comprehension)) and parent.iter is node:
        return node
    if isinstance(parent, nodes.Call) and node in parent.args:
        consumer = qualified(parent.func)
        if consumer == "builtins.len" and _emptiness_test(parent):
            return None
        if consumer in _CONSUMERS or _called(parent) == "extend":
            return parent
        return None
    if isinstance(parent, nodes.AugAssign) and parent.value is node and parent.op == "+=":
        return parent
    if isinstance(parent, (nodes.Return, nodes.YieldFrom, nodes.Starred)) and parent.value is node:
        return parent
    if isinstance(parent, nodes.Compare) and any(op in ("in", "not in") and right is node for op, right in parent.ops):
        return parent
    if isinstance(parent, nodes.BoolOp) and (parent.op == "or" or node is parent.values[-1]):
        return _complete_use(parent, hops)  # `items or []` is the items; `items and items[0]` is not
    binding = _bound_name(node)
    if binding is not None and hops < _MAX_HOPS:
        for load in _loads(binding):
            used = _complete_use(load, hops + 1)
            if used is not None:
                return used
    return None


# -- PAW002 polling instead of a waiter ---------------------------------------------

_SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "gevent.sleep", "eventlet.sleep", "anyio.sleep", "trio.sleep"})


def polling_loops(module: nodes.Module, ctx: Any) -> None:
    if not _checked(module, ctx, "PAW002"):
        return
    waited = table("waiters")["services"]
    reported: set[int] = set()
    for call, client, op in operations(module):
        waiters = waited.get(client.service, {}).get(op)
        if not waiters:
            continue
        for loop in _loops_around(call):
            if id(loop) in reported or not _polls(loop):
                continue
            sleep = next((c for c in _in_scope(loop, nodes.Call) if qualified(c.func) in _SLEEPS), None)
            if sleep is None or _does_other_work(loop, waited):
                continue
            fitting = _fitting_waiters(loop, waiters)
            if fitting:
                reported.add(id(loop))
                names = ", ".join(f"'{w}'" for w in fitting[:3])
                ctx.report(
                    "PAW002",
                    call,
                    f"this loop polls {client.service} {op} and sleeps until a state is reached; "
                    f"the SDK's waiter does this with back-off and a deadline: {names}",
                    related=[(sleep, "sleeps between polls")],
                    fix=f"Use `client.get_waiter({fitting[0]!r}).wait(...)` (WaiterConfig sets the delay and attempts)",
                )
                break


def _polls(loop: Any) -> bool:
    """A `while` loop, or a retry loop `for _ in range(n)`: not a walk over items."""
    if isinstance(loop, nodes.While):
        return True
    return isinstance(loop.iter, nodes.Call) and qualified(loop.iter.func) in ("builtins.range", "itertools.count")


def _does_other_work(loop: Any, waited: dict) -> bool:
    """The loop also calls operations no waiter polls (it streams events, copies
    data...): a waiter cannot replace it."""
    for call in _in_scope(loop, nodes.Call):
        found = operation(call)
        if found is not None and found[1] not in waited.get(found[0].service, {}):
            return True
    return False


def _fitting_waiters(loop: Any, waiters: dict[str, list[str]]) -> list[str]:
    """Waiters of the operation whose acceptors compare what the loop compares
    (a status field or value); status-code waiters fit any polling loop."""
    seen = frozenset(c.value for c in _in_scope(loop, nodes.Const) if isinstance(c.value, str))
    scored = sorted(((-len(seen & set(words)), name) for name, words in waiters.items() if not words or seen & set(words)))
    return [name for _, name in scored]


# -- PAW003 unchecked batch failures -------------------------------------------------


def unchecked_batch_failures(module: nodes.Module, ctx: Any) -> None:
    if not _checked(module, ctx, "PAW003"):
        return
    batch = table("batch")["services"]
    for call, client, op in operations(module):
        members = batch.get(client.service, {}).get(op)
        if not members:
            continue
        expr = _value(call)
        frame = _frame(call)
        if isinstance(expr.parent, nodes.Expr):
            state = "discarded"
        elif _strings(frame) & set(members) or _escapes(call):
            continue
        else:
            state = "never checked for them"
        fields = " / ".join(members)
        ctx.report(
            "PAW003",
            call,
            f"{client.service} {op} reports the entries it could not process in {fields}, but the response is {state}: "
            "those entries are silently lost",
            fix=f"Read {fields} from the response and retry (with back-off) or report the failed entries",
        )


def _escapes(call: nodes.Call) -> bool:
    """The response leaves this function (returned, passed on, stored): whoever
    receives it may check it."""
    for holder in _holders(call):
        parent = holder.parent
        if isinstance(parent, (nodes.Return, nodes.Yield, nodes.Tuple, nodes.List, nodes.Dict, nodes.Keyword)):
            return True
        if isinstance(parent, nodes.Call) and holder in parent.args:
            return True
        if isinstance(parent, (nodes.Assign, nodes.AnnAssign)) and _bound_name(holder) is None:
            return True  # stored in an attribute or a container
    return False


# -- PAW007 S3 calls without ExpectedBucketOwner -------------------------------------


def s3_bucket_owner(module: nodes.Module, ctx: Any) -> None:
    if not _checked(module, ctx, "PAW007"):
        return
    owners = table("s3-owner")["services"]["s3"]
    for call, client, op in operations(module):
        members = owners.get(op) if client.service == "s3" else None
        if not members or has_star_kwargs(call):
            continue
        missing = [m for m in members if keyword(call, m) is None]
        if missing:
            ctx.report(
                "PAW007",
                call,
                f"s3 {op} does not pass {' or '.join(missing)}: the request succeeds against a bucket of the same name "
                "in another account",
                fix=f"Pass {'='.join([missing[0], 'ACCOUNT_ID'])} (the account you expect to own the bucket)",
            )


# -- PAW008 / PAW009 SNS subscriptions -------------------------------------------------

_CONFIRMED_AT_ONCE = frozenset({"sqs", "lambda", "firehose", "application"})


def sns_subscriptions(module: nodes.Module, ctx: Any) -> None:
    arn, auth = _checked(module, ctx, "PAW008"), _checked(module, ctx, "PAW009")
    if not (arn or auth):
        return
    for call, client, op in operations(module):
        if client.service != "sns" or has_star_kwargs(call):
            continue
        if op == "subscribe" and arn:
            _subscribe(call, ctx)
        elif op == "confirm_subscription" and auth:
            _confirm(call, ctx)


def _subscribe(call: nodes.Call, ctx: Any) -> None:
    if literal(keyword(call, "ReturnSubscriptionArn")) is True:
        return
    if literal(keyword(call, "Protocol")) in _CONFIRMED_AT_ONCE:
        return
    reads = [read for holder in _holders(call) for key, read in _key_reads(holder) if key == "SubscriptionArn"]
    if reads:
        ctx.report(
            "PAW008",
            call,
            "the SubscriptionArn of this subscription is read, but without ReturnSubscriptionArn=True a subscription "
            "that still awaits confirmation returns the text 'pending confirmation' instead of an ARN",
            related=[(reads[0], "SubscriptionArn read here")],
            fix="Pass ReturnSubscriptionArn=True",
        )


def _confirm(call: nodes.Call, ctx: Any) -> None:
    value = keyword(call, "AuthenticateOnUnsubscribe")
    if value is None:
        ctx.report(
            "PAW009",
            call,
            "confirm_subscription without AuthenticateOnUnsubscribe='true': anyone holding the unsubscribe link "
            "can cancel the subscription without AWS credentials",
            fix="Pass AuthenticateOnUnsubscribe='true'",
        )
    elif str(literal(value)).lower() == "false":
        ctx.report(
            "PAW009",
            value,
            "AuthenticateOnUnsubscribe is false: anyone holding the unsubscribe link can cancel the subscription "
            "without AWS credentials",
            fix="Pass AuthenticateOnUnsubscribe='true'",
        )


# -- PAW010 client-side KMS re-encryption ----------------------------------------------


def kms_reencryption(module: nodes.Module, ctx: Any) -> None:
    if not _checked(module, ctx, "PAW010"):
        return
    for call, client, op in operations(module):
        if client.service != "kms" or op != "encrypt":
            continue
        plaintext = keyword(call, "Plaintext")
        source = _decrypted_by(plaintext) if plaintext is not None else None
        if source is not None and source.func.expr.as_string() == call.func.expr.as_string():
            ctx.report(
                "PAW010",
                plaintext,
                "the plaintext of a KMS decrypt is encrypted again through the same client: the data key leaves "
                "KMS in the clear for nothing",
                related=[(source, "decrypted here")],
                fix="Call `kms.re_encrypt(CiphertextBlob=..., DestinationKeyId=...)`: the plaintext never leaves KMS",
            )


def _decrypted_by(node: Any, hops: int = 0) -> nodes.Call | None:
    """The kms decrypt call whose Plaintext `node` is (`d["Plaintext"]`, a name bound to it)."""
    if hops > _MAX_HOPS:
        return None
    if isinstance(node, nodes.Subscript) and literal(node.slice) == "Plaintext":
        return _decrypt_response(node.value, hops)
    if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute) and node.func.attrname == "get":
        if node.args and literal(node.args[0]) == "Plaintext":
            return _decrypt_response(node.func.expr, hops)
    if isinstance(node, nodes.Name):
        values = _local_values(node)
        if len(values) == 1:
            return _decrypted_by(values[0], hops + 1)
    return None


def _decrypt_response(node: Any, hops: int) -> nodes.Call | None:
    if isinstance(node, nodes.Await):
        node = node.value
    if isinstance(node, nodes.Call):
        found = operation(node)
        return node if found is not None and found[0].service == "kms" and found[1] == "decrypt" else None
    if isinstance(node, nodes.Name):
        values = _local_values(node)
        if len(values) == 1:
            return _decrypt_response(values[0], hops + 1)
    return None


def _local_values(name: nodes.Name) -> list[Any]:
    """The values assigned to a local name in its function."""
    frame = _frame(name)
    found = []
    for target in nodes_of(frame, nodes.AssignName):
        if target.name == name.name and _frame(target) is frame:
            parent = target.parent
            if isinstance(parent, nodes.Assign) and parent.targets == [target]:
                found.append(parent.value)
            else:
                return []
    return found


# -- PAW011 AMIs found by name without an owner ---------------------------------------

_OWNER_FILTERS = frozenset({"owner-id", "owner-alias", "image-id"})
_OWNER_PARAMS = ("Owners", "ImageIds", "ExecutableUsers")


def untrusted_amis(module: nodes.Module, ctx: Any) -> None:
    if not _checked(module, ctx, "PAW011"):
        return
    for call in nodes_of(module, nodes.Call):
        if not _image_lookup(call) or has_star_kwargs(call) or any(keyword(call, p) is not None for p in _OWNER_PARAMS):
            continue
        names = _filter_names(keyword(call, "Filters"))
        if names is None or "name" not in names or names & _OWNER_FILTERS:
            continue
        frame = _frame(call)
        if "ImageId" in _strings(frame) or any(a.attrname in ("id", "image_id") for a in _in_scope(frame, nodes.Attribute)):
            ctx.report(
                "PAW011",
                call,
                "an AMI is looked up by name without Owners: anyone can publish a public AMI with a matching name, "
                "and its ImageId is used here",
                fix="Pass Owners=['amazon'] (or the publisher's account id), or filter on owner-id / owner-alias",
            )


def _image_lookup(call: nodes.Call) -> bool:
    """`ec2.describe_images(...)` or `ec2_resource.images.filter(...)`."""
    found = operation(call)
    if found is not None:
        return found[0].service == "ec2" and found[1] == "describe_images"
    func = call.func
    if isinstance(func, nodes.Attribute) and func.attrname == "filter" and isinstance(func.expr, nodes.Attribute):
        if func.expr.attrname == "images":
            resource = handle(func.expr.expr)
            return resource is not None and resource.kind == "resource" and resource.service == "ec2"
    return False


def _filter_names(node: Any) -> set[str] | None:
    """The `Name`s of a literal Filters list; None when it is not all literal."""
    if not isinstance(node, (nodes.List, nodes.Tuple)):
        return None
    names = set()
    for item in node.elts:
        if not isinstance(item, nodes.Dict):
            return None
        name = next((literal(v) for k, v in item.items if literal(k) == "Name"), NOT_LITERAL)
        if not isinstance(name, str):
            return None
        names.add(name)
    return names


# -- PAW012 mutually exclusive parameters ----------------------------------------------


def exclusive_parameters(module: nodes.Module, ctx: Any) -> None:
    if not _checked(module, ctx, "PAW012"):
        return
    exclusive = table("exclusive")["services"]
    for call, client, op in operations(module):
        for path, first, second in exclusive.get(client.service, {}).get(op, ()):
            members = _members_at(call, path)
            if first in members and second in members and all(_given(members[m][1]) for m in (first, second)):
                later = max((members[first], members[second]), key=lambda kv: (kv[0].lineno, kv[0].col_offset))
                where = f" in {path}" if path else ""
                ctx.report(
                    "PAW012",
                    later[0],
                    f"{client.service} {op} accepts {first} or {second}{where}, not both: the request is rejected",
                    related=[(members[first][0] if later is members[second] else members[second][0], "the other one")],
                    fix=f"Pass only one of {first} and {second}",
                )


def _members_at(call: nodes.Call, path: str) -> dict[str, tuple[Any, Any]]:
    """{member: (where, value)} of the call's keywords, or of the literal dict at `path`."""
    if not path:
        return {kw.arg: (kw, kw.value) for kw in call.keywords or () if kw.arg}
    head, *rest = path.split(".")
    node = keyword(call, head)
    for key in rest:
        node = _dict_value(node, key)
    if not isinstance(node, nodes.Dict):
        return {}
    return {k: (key, value) for key, value in node.items if isinstance(k := literal(key), str)}


def _dict_value(node: Any, key: str) -> Any:
    if isinstance(node, nodes.Dict):
        return next((v for k, v in node.items if literal(k) == key), None)
    return None


def _given(value: Any) -> bool:
    return literal(value) not in (None, False)


# -- PAW006 credentials written to logs ------------------------------------------------

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})
_STS_CREDENTIALS = frozenset({
    "assume_role", "assume_role_with_saml", "assume_role_with_web_identity", "get_session_token", "get_federation_token",
})
_SECRET_KEYS = frozenset({"SecretAccessKey", "SessionToken"})
_SECRET_HOLDERS = frozenset({"Credentials", "AccessKey"})
# What a value is: a credentials object (its repr shows no secret), or something
# whose text contains a secret (a secret string, frozen credentials, a response).
_CREDS, _SECRET = "creds", "secret"


def logged_credentials(module: nodes.Module, ctx: Any) -> None:
    if not _checked(module, ctx, "PAW006"):
        return
    printing_logs = bool(lambda_handlers(module))  # Lambda sends stdout to CloudWatch Logs
    for call in nodes_of(module, nodes.Call):
        if not _is_log_call(call, printing_logs):
            continue
        for arg in [*call.args, *(kw.value for kw in call.keywords or ())]:
            if _kind(arg, 0) == _SECRET:
                ctx.report(
                    "PAW006",
                    arg,
                    "AWS credentials (a secret access key or session token) are written to the log: anyone who can "
                    "read the logs can act as this identity",
                    fix="Log the access key id or the credential source (`creds.method`), never the secret or the token",
                )
                break


def _is_log_call(call: nodes.Call, printing_logs: bool) -> bool:
    func = call.func
    if isinstance(func, nodes.Name):
        return printing_logs and func.name == "print" and qualified(func) == "builtins.print"
    if not isinstance(func, nodes.Attribute) or func.attrname not in _LOG_METHODS:
        return False
    name = qualified(func) or ""
    if name.startswith("logging."):
        return True
    receiver = func.expr
    if isinstance(receiver, nodes.Attribute):
        return "log" in receiver.attrname.lower()
    return isinstance(receiver, nodes.Name) and "log" in receiver.name.lower()


def _kind(node: Any, hops: int) -> str | None:
    if hops > _MAX_HOPS or node is None:
        return None
    if isinstance(node, nodes.Name):
        kinds = {_kind(v, hops + 1) for v in _local_values(node)}
        return _SECRET if _SECRET in kinds else _CREDS if kinds == {_CREDS} else None
    if isinstance(node, nodes.Attribute):
        if node.attrname in ("secret_key", "token") and _kind(node.expr, hops) in (_CREDS, _SECRET):
            return _SECRET
        return None
    if isinstance(node, nodes.Subscript):
        key = literal(node.slice)
        if isinstance(key, str) and (key in _SECRET_KEYS or key in _SECRET_HOLDERS):
            return _SECRET if _kind(node.value, hops) == _SECRET else None
        return None
    if isinstance(node, nodes.Call):
        return _call_kind(node, hops)
    if isinstance(node, nodes.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, nodes.FormattedValue)]
        return _SECRET if any(_kind(p, hops) == _SECRET for p in parts) else None
    if isinstance(node, nodes.BinOp) and node.op in ("+", "%"):
        return _SECRET if _SECRET in (_kind(node.left, hops), _kind(node.right, hops)) else None
    if isinstance(node, (nodes.Tuple, nodes.List)):
        return _SECRET if any(_kind(e, hops) == _SECRET for e in node.elts) else None
    if isinstance(node, nodes.Dict):
        return _SECRET if any(_kind(v, hops) == _SECRET for _, v in node.items) else None
    return None


def _call_kind(call: nodes.Call, hops: int) -> str | None:
    func = call.func
    found = operation(call)
    if found is not None:
        client, op = found
        if (client.service == "sts" and op in _STS_CREDENTIALS) or (client.service == "iam" and op == "create_access_key"):
            return _SECRET
        return None
    if not isinstance(func, nodes.Attribute):
        if qualified(func) in ("builtins.str", "builtins.repr", "json.dumps", "pprint.pformat"):
            return _SECRET if call.args and _kind(call.args[0], hops) == _SECRET else None
        return None
    if func.attrname == "get_frozen_credentials":
        return _SECRET  # a namedtuple: its text shows the secret and the token
    if func.attrname == "get_credentials":
        session = handle(func.expr)
        return _CREDS if session is not None and session.kind == "session" else None
    if func.attrname == "get" and call.args:
        key = literal(call.args[0])
        if key in _SECRET_KEYS or key in _SECRET_HOLDERS:
            return _SECRET if _kind(func.expr, hops) == _SECRET else None
    if func.attrname == "format":
        values = [*call.args, *(kw.value for kw in call.keywords or ())]
        return _SECRET if any(_kind(v, hops) == _SECRET for v in values) else None
    return None
