"""Lambda handler rules, PAW: clients created per invocation and reserved
environment variables overwritten.

A handler is a module-level function with the signature `(event, context)`
(`lintkit.python.boto.lambda_handlers`); test code is skipped unless the
rule's `include-tests` option is set.
"""

from __future__ import annotations

from typing import Any

from astroid import nodes

from lintkit.python.boto import is_factory_call, lambda_handlers, literal, qualified, uses_sdk
from lintkit.python.walk import bindings, nodes_of

# Lambda sets these itself; the function configuration may not set them
# (AWS Lambda Developer Guide, "Defined runtime environment variables"). TZ is
# reserved too, but setting it in code (then time.tzset()) is a working,
# deliberate technique, so it is not reported.
RESERVED = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})
_ENVIRON = "os.environ"
_NESTED = (nodes.FunctionDef, nodes.Lambda, nodes.ClassDef)


def _handlers(module: nodes.Module, ctx: Any, code: str) -> list[nodes.FunctionDef]:
    if not ctx.enabled(code):
        return []
    return lambda_handlers(module)


# -- PAW004 clients created in the handler ---------------------------------------------


def client_per_invocation(module: nodes.Module, ctx: Any) -> None:
    handlers = _handlers(module, ctx, "PAW004")
    if not handlers or not uses_sdk(module):
        return
    for handler in handlers:
        cached = {name for g in nodes_of(handler, nodes.Global) for name in g.names}
        for call in nodes_of(handler, nodes.Call):
            if call.frame() is not handler or not is_factory_call(call):
                continue
            if _kept(call, cached) or _configured_per_invocation(call, handler):
                continue
            ctx.report(
                "PAW004",
                call,
                f"the Lambda handler '{handler.name}' creates an AWS client on every invocation: each one repeats "
                "credential resolution and a new TLS connection",
                fix="Create the client once at module level (outside the handler) and reuse it across invocations",
            )


def _kept(call: nodes.Call, cached: set[str]) -> bool:
    """Assigned to a global or an attribute: created once and kept (lazy init)."""
    node = call
    while (isinstance(node.parent, nodes.Attribute) and node.parent.expr is node) or (
        isinstance(node.parent, nodes.Call) and node.parent.func is node
    ):
        node = node.parent  # boto3.resource("dynamodb").Table("t")
    parent = node.parent
    if not isinstance(parent, nodes.Assign):
        return False
    return any(isinstance(t, nodes.AssignAttr) or (isinstance(t, nodes.AssignName) and t.name in cached) for t in parent.targets)


def _configured_per_invocation(call: nodes.Call, handler: nodes.FunctionDef) -> bool:
    """An argument (region, credentials, endpoint) depends on the event or on
    values computed in the handler: such a client cannot simply be hoisted."""
    args = [*call.args[1:], *(kw.value for kw in call.keywords or () if kw.arg != "service_name")]
    receiver = call.func.expr if isinstance(call.func, nodes.Attribute) else None
    for node in [*args, *([receiver] if receiver is not None else [])]:
        for name in [node] if isinstance(node, nodes.Name) else nodes_of(node, nodes.Name):
            if any(b.frame() is handler for b in bindings(name)) and not _session_without_settings(name):
                return True
    return False


def _session_without_settings(name: nodes.Name) -> bool:
    """`session = boto3.Session()` in the handler: a plain session, nothing per-invocation."""
    found = bindings(name)
    if len(found) != 1 or not isinstance(found[0], nodes.AssignName) or not isinstance(found[0].parent, nodes.Assign):
        return False
    value = found[0].parent.value
    if not isinstance(value, nodes.Call) or value.args or value.keywords:
        return False
    return (qualified(value.func) or "").endswith("Session")


# -- PAW005 reserved environment variables ---------------------------------------------


def reserved_environment(module: nodes.Module, ctx: Any) -> None:
    if not _handlers(module, ctx, "PAW005"):
        return
    for key, where in _environment_writes(module):
        ctx.report(
            "PAW005",
            where,
            f"{key} is set by the Lambda runtime; overwriting it in the function changes what the runtime and the "
            "SDK see for this and every later invocation of this execution environment",
            fix=f"Use a variable of your own (for example MY_{key.lstrip('_')}) or pass the value explicitly",
        )


def _same_region(key: str, target: nodes.Subscript) -> bool:
    """`os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"]`: the runtime
    sets both to the same Region, so this changes nothing."""
    other = {"AWS_DEFAULT_REGION": "AWS_REGION", "AWS_REGION": "AWS_DEFAULT_REGION"}.get(key)
    assign = target.parent
    if other is None or not isinstance(assign, nodes.Assign):
        return False
    value = assign.value
    if isinstance(value, nodes.Subscript) and qualified(value.value) == _ENVIRON:
        return literal(value.slice) == other
    if isinstance(value, nodes.Call) and qualified(value.func) in ("os.getenv", "os.environ.get") and value.args:
        return literal(value.args[0]) == other
    return False


def _environment_writes(module: nodes.Module):
    """(reserved key, node to report) for `os.environ[K] = v`, `del os.environ[K]`,
    `os.environ.update({K: v})`, `os.environ.pop(K)`, `os.putenv(K, v)`, `os.unsetenv(K)`."""
    for target in nodes_of(module, nodes.Subscript):
        if target.ctx is not None and target.ctx.name in ("Store", "Del") and qualified(target.value) == _ENVIRON:
            key = literal(target.slice)
            if key in RESERVED and not _same_region(key, target):
                yield key, target.slice
    for call in nodes_of(module, nodes.Call):
        func = call.func
        name = qualified(func) or ""
        environ_method = isinstance(func, nodes.Attribute) and qualified(func.expr) == _ENVIRON
        if name in ("os.putenv", "os.unsetenv") or (environ_method and func.attrname in ("pop", "__setitem__", "__delitem__")):
            if call.args and literal(call.args[0]) in RESERVED:
                yield literal(call.args[0]), call.args[0]
        elif environ_method and func.attrname == "update":
            for arg in call.args:
                if isinstance(arg, nodes.Dict):
                    for key, _ in arg.items:
                        if literal(key) in RESERVED:
                            yield literal(key), key
            for kw in call.keywords or ():
                if kw.arg in RESERVED:
                    yield kw.arg, kw
