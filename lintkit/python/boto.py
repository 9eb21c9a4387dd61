"""boto3 in Python source: which expression is a client of which AWS service.

`handle(expr)` says what an expression holds when it is a boto3 (or botocore,
aiobotocore) object whose service is a string literal:

- `boto3.client("s3")`, `boto3.resource("dynamodb")`, `boto3.client(service_name="s3")`;
- sessions: `boto3.Session(...)`, `boto3.session.Session(...)`,
  `botocore.session.get_session()`, and their `.client(...)`, `.resource(...)`,
  `.create_client(...)`; `resource.meta.client`;
- names bound to any of these (locals, module-level clients used in functions,
  `async with session.create_client("s3") as s3`), `self.x` assigned in the
  class's methods or returned by its properties, calls of module functions
  that return one, and mypy-boto3 annotations (`s3: S3Client`).

A name bound to several things resolves only when they all agree. Nothing is
guessed from variable names: an unresolved receiver is simply not a client.

`operation(call)` is `(handle, "list_objects_v2")` for a method call on a
client. The rule tables generated from botocore's service data
(scripts/gen_boto_models.py) load through `table(name)`.

Name resolution goes through `qualified()` and `literal()` only, the two
places this module asks the shared resolver (lintkit.python.calls).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from astroid import nodes

from lintkit.api import data_path
from lintkit.python import calls, names
from lintkit.python.walk import bindings, nodes_of, remember

_MAX_DEPTH = 6
_FACTORIES = {"boto3.client": "client", "boto3.resource": "resource"}
_SESSIONS = frozenset({
    "boto3.Session", "boto3.session.Session", "botocore.session.get_session", "botocore.session.Session",
    "aiobotocore.session.get_session", "aiobotocore.session.AioSession", "aioboto3.Session", "aioboto3.session.Session",
})
_SESSION_METHODS = {"client": "client", "create_client": "client", "resource": "resource"}
_STUB_PREFIXES = ("mypy_boto3_", "types_boto3_", "types_aiobotocore_")
_NOT_OPERATIONS = frozenset(
    {"get_paginator", "get_waiter", "can_paginate", "close", "generate_presigned_url", "generate_presigned_post"}
)
_SDK_MODULES = ("boto3", "botocore", "aiobotocore", "aioboto3", *_STUB_PREFIXES)


@dataclass(frozen=True)
class Handle:
    kind: str  # "client" | "resource" | "session"
    service: str  # botocore service name; "" for sessions
    origin: Any  # the call that created it


def qualified(node: Any) -> str | None:
    """The dotted name a Name/Attribute chain stands for (`boto3.client`)."""
    return names.qualified(node)


def literal(node: Any) -> Any:
    """The compile-time value of `node`, or `NOT_LITERAL`."""
    return calls.constant(node)


NOT_LITERAL = calls.NOT_CONSTANT


def uses_sdk(module: nodes.Module) -> bool:
    """The module imports boto3/botocore (or their async and stub packages), or
    creates a client from a session it was given (`session.client("s3")`)."""

    def compute(mod: nodes.Module) -> bool:
        for node in nodes_of(mod, (nodes.Import, nodes.ImportFrom)):
            names = [n for n, _ in node.names] if isinstance(node, nodes.Import) else [node.modname or ""]
            if any(n.startswith(_SDK_MODULES) for n in names):
                return True
        return any(
            isinstance(c.func, nodes.Attribute) and c.func.attrname in _SESSION_METHODS and handle(c) is not None
            for c in nodes_of(mod, nodes.Call)
        )

    return remember(module, "boto_uses_sdk", compute)


def handle(node: Any) -> Handle | None:
    """What boto3 object `node` evaluates to, if any."""
    return remember(node, "boto_handle", lambda n: _resolve(n, 0))


def operation(call: nodes.Call) -> tuple[Handle, str] | None:
    """`client.list_objects_v2(...)` -> (the client's handle, "list_objects_v2")."""
    func = call.func
    if not isinstance(func, nodes.Attribute) or func.attrname in _NOT_OPERATIONS or func.attrname.startswith("_"):
        return None
    found = handle(func.expr)
    return (found, func.attrname) if found is not None and found.kind == "client" else None


def operations(scope: Any) -> Iterator[tuple[nodes.Call, Handle, str]]:
    for call in nodes_of(scope, nodes.Call):
        found = operation(call)
        if found is not None:
            yield call, found[0], found[1]


def is_factory_call(call: nodes.Call) -> bool:
    """The call itself creates a client or resource (not a helper returning one)."""
    found = handle(call)
    return found is not None and found.kind in ("client", "resource") and found.origin is call


@lru_cache(maxsize=None)
def _services() -> frozenset[str]:
    return frozenset(table("services")["services"])


@lru_cache(maxsize=None)
def table(name: str) -> dict[str, Any]:
    """`services` of rules/models/boto3-<name>.json (plus its other top-level keys)."""
    return json.loads(data_path("models", f"boto3-{name}.json").read_text(encoding="utf-8"))


# -- resolution -----------------------------------------------------------------


def _resolve(node: Any, depth: int) -> Handle | None:
    if depth > _MAX_DEPTH or node is None:
        return None
    if isinstance(node, nodes.Await):
        return _resolve(node.value, depth + 1)
    if isinstance(node, nodes.Call):
        return _from_call(node, depth)
    if isinstance(node, nodes.Attribute):
        return _from_attribute(node, depth)
    if isinstance(node, nodes.Name):
        return _agree(_name_values(node), depth)
    return None


def _from_call(call: nodes.Call, depth: int) -> Handle | None:
    name = qualified(call.func)
    if name in _FACTORIES:
        return _service_handle(call, _FACTORIES[name])
    if name in _SESSIONS:
        return Handle("session", "", call)
    func = call.func
    if isinstance(func, nodes.Attribute) and func.attrname in _SESSION_METHODS:
        # `<session>.client("s3")`: the receiver need not resolve (a session
        # passed in, `local_session(factory)`), the service name must be one
        # botocore knows.
        base = _resolve(func.expr, depth + 1)
        if base is None or base.kind == "session":
            found = _service_handle(call, _SESSION_METHODS[func.attrname])
            if found is not None and (base is not None or found.service in _services()):
                return found
        return None
    return _agree(_returned_values(func), depth)


def _service_handle(call: nodes.Call, kind: str) -> Handle | None:
    service = literal(calls.argument(call, 0, "service_name"))
    return Handle(kind, service, call) if isinstance(service, str) and service else None


def _from_attribute(node: nodes.Attribute, depth: int) -> Handle | None:
    if node.attrname == "client" and isinstance(node.expr, nodes.Attribute) and node.expr.attrname == "meta":
        base = _resolve(node.expr.expr, depth + 1)
        if base is not None and base.kind == "resource":
            return Handle("client", base.service, base.origin)
        return None
    if isinstance(node.expr, nodes.Name) and node.expr.name in ("self", "cls"):
        return _agree(_member_values(node), depth)
    return None


def _agree(values: list[Any], depth: int) -> Handle | None:
    """The handle every candidate value resolves to (None values ignored)."""
    found: Handle | None = None
    for value in values:
        if isinstance(value, nodes.Const) and value.value is None:
            continue
        if isinstance(value, _Passed):
            current = _agree(_arguments(value.binding), depth + 1) if depth < _MAX_DEPTH else None
        else:
            current = value if isinstance(value, Handle) else _resolve(value, depth + 1)
        if current is None or (found is not None and (current.kind, current.service) != (found.kind, found.service)):
            return None
        found = found or current
    return found


def _name_values(name: nodes.Name) -> list[Any]:
    """The expressions (or annotation handles) a name may hold where it is used."""
    values: list[Any] = []
    for binding in bindings(name):
        if not isinstance(binding, nodes.AssignName):
            return []  # an import, a def, a class: not a client
        value = _bound_value(binding)
        if value is None:
            return []
        values.append(value)
    return values


def _bound_value(binding: nodes.AssignName) -> Any:
    parent = binding.parent
    if isinstance(parent, nodes.Assign) and binding in parent.targets:
        return parent.value
    if isinstance(parent, nodes.AnnAssign):
        return parent.value if parent.value is not None else _annotated(parent.annotation)
    if isinstance(parent, nodes.Arguments):
        annotated = _annotated(_parameter_annotation(parent, binding))
        return annotated if annotated is not None else _Passed(binding)
    if isinstance(parent, nodes.With):
        for item, target in parent.items:
            if target is binding:
                return item
    return None


@dataclass(frozen=True)
class _Passed:
    """A parameter: whatever the calls in this module pass for it."""

    binding: nodes.AssignName


def _arguments(param: nodes.AssignName) -> list[Any]:
    """The expressions this module's calls pass for a parameter (its default
    where a call leaves it out); empty when a call cannot be read."""
    func = param.parent.parent
    if not isinstance(func, nodes.FunctionDef):
        return []
    arguments = param.parent
    positional = [*(arguments.posonlyargs or []), *(arguments.args or [])]
    klass = func.parent if isinstance(func.parent, nodes.ClassDef) else None
    bound = 1 if klass is not None and func.type in ("method", "classmethod") else 0
    index = positional.index(param) - bound if param in positional else None
    defaults = dict(zip(reversed(arguments.args or []), reversed(arguments.defaults or [])))
    values: list[Any] = []
    for call in _call_sites(func, klass):
        if any(isinstance(a, nodes.Starred) for a in call.args) or any(kw.arg is None for kw in call.keywords or ()):
            return []
        given = next((kw.value for kw in call.keywords or () if kw.arg == param.name), None)
        if given is None and index is not None and 0 <= index < len(call.args):
            given = call.args[index]
        if given is None:
            given = defaults.get(param)
        if given is None:
            return []
        values.append(given)
    return values


def _call_sites(func: nodes.FunctionDef, klass: nodes.ClassDef | None) -> list[nodes.Call]:
    """Calls of `func` in its module: `f(...)`, `Class(...)`/`cls(...)` for
    `__init__`, `self.method(...)` inside the class."""

    def compute(f: nodes.FunctionDef) -> list[nodes.Call]:
        found = []
        for call in nodes_of(f.root(), nodes.Call):
            callee = call.func
            if isinstance(callee, nodes.Name):
                if klass is None:
                    hit = callee.name == f.name and any(b is f for b in bindings(callee))
                elif f.name == "__init__":
                    hit = (callee.name == klass.name and any(b is klass for b in bindings(callee))) or (
                        callee.name == "cls" and _enclosing_class(call) is klass
                    )
                else:
                    hit = False
            else:
                hit = (
                    klass is not None and isinstance(callee, nodes.Attribute) and callee.attrname == f.name
                    and isinstance(callee.expr, nodes.Name) and callee.expr.name == "self" and _enclosing_class(call) is klass
                )
            if hit:
                found.append(call)
        return found

    return remember(func, "boto_call_sites", compute)


def _parameter_annotation(arguments: nodes.Arguments, binding: nodes.AssignName) -> Any:
    groups = [
        (arguments.posonlyargs or [], arguments.posonlyargs_annotations or []),
        (arguments.args or [], arguments.annotations or []),
        (arguments.kwonlyargs or [], arguments.kwonlyargs_annotations or []),
    ]
    for params, annotated in groups:
        for param, annotation in zip(params, annotated):
            if param is binding:
                return annotation
    return None


def _annotated(annotation: Any) -> Handle | None:
    """`S3Client` from mypy-boto3 (or types-boto3) -> a client of "s3";
    `boto3.Session` -> a session."""
    name = qualified(annotation) if annotation is not None else None
    if name in _SESSIONS:
        return Handle("session", "", annotation)
    if not name or not name.startswith(_STUB_PREFIXES):
        return None
    package, _, cls = name.partition(".")
    service = package.split("boto3_", 1)[1] if "boto3_" in package else package.split("aiobotocore_", 1)[1]
    cls = cls.rsplit(".", 1)[-1]
    kind = "client" if cls.endswith("Client") else "resource" if cls.endswith("ServiceResource") else ""
    return Handle(kind, service.replace("_", "-"), annotation) if kind else None


def _member_values(node: nodes.Attribute) -> list[Any]:
    """What `self.<attr>` may hold: assignments in the class's methods, a class
    attribute, or a property's return values."""
    klass = _enclosing_class(node)
    if klass is None:
        return []
    attr = node.attrname
    values: list[Any] = []
    for target in nodes_of(klass, nodes.AssignAttr):
        if target.attrname == attr and isinstance(target.expr, nodes.Name) and target.expr.name in ("self", "cls"):
            parent = target.parent
            if isinstance(parent, nodes.Assign) and target in parent.targets:
                values.append(parent.value)
            elif isinstance(parent, nodes.AnnAssign):
                values.append(parent.value if parent.value is not None else _annotated(parent.annotation))
            else:
                return []
    for stmt in klass.body:
        if isinstance(stmt, nodes.Assign) and any(isinstance(t, nodes.AssignName) and t.name == attr for t in stmt.targets):
            values.append(stmt.value)
        elif isinstance(stmt, nodes.FunctionDef) and stmt.name == attr and _is_property(stmt):
            values.extend(r.value for r in _returns(stmt))
    return values


def _enclosing_class(node: Any) -> nodes.ClassDef | None:
    frame = node.frame()
    while isinstance(frame, nodes.FunctionDef):
        parent = frame.parent
        if isinstance(parent, nodes.ClassDef):
            return parent
        frame = parent.frame() if parent is not None else None
    return None


def _is_property(func: nodes.FunctionDef) -> bool:
    decorators = func.decorators.nodes if func.decorators else []
    return any((qualified(d) or "").rsplit(".", 1)[-1] in ("property", "cached_property") for d in decorators)


def _returned_values(func: Any) -> list[Any]:
    """The return values of a module function (or `self` method) the call names."""
    target: Any = None
    if isinstance(func, nodes.Name):
        found = bindings(func)
        if len(found) == 1 and isinstance(found[0], nodes.FunctionDef):
            target = found[0]
    elif isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Name) and func.expr.name == "self":
        klass = _enclosing_class(func)
        if klass is not None:
            target = next((s for s in klass.body if isinstance(s, nodes.FunctionDef) and s.name == func.attrname), None)
    if target is None or isinstance(target, nodes.AsyncFunctionDef):
        return []
    returns = _returns(target)
    return [r.value for r in returns] if returns and all(r.value is not None for r in returns) else []


def _returns(func: nodes.FunctionDef) -> list[nodes.Return]:
    return [r for r in nodes_of(func, nodes.Return) if r.scope() is func]


# -- Lambda handlers ---------------------------------------------------------------

_EVENT = frozenset({"event", "_event", "evt", "_evt"})
_CONTEXT = frozenset({"context", "_context", "ctx", "_ctx", "lambda_context"})


def lambda_handlers(module: nodes.Module) -> list[nodes.FunctionDef]:
    """Module-level functions with a Lambda handler's signature `(event, context)`."""

    def compute(mod: nodes.Module) -> list[nodes.FunctionDef]:
        found = []
        for stmt in mod.body:
            if isinstance(stmt, nodes.FunctionDef) and not isinstance(stmt, nodes.AsyncFunctionDef):
                args = stmt.args
                params = [*(args.posonlyargs or []), *(args.args or [])]
                if len(params) == 2 and not args.vararg and params[0].name in _EVENT and params[1].name in _CONTEXT:
                    found.append(stmt)
        return found

    return remember(module, "boto_lambda_handlers", compute)


def keyword(call: nodes.Call, name: str) -> Any | None:
    return calls.keyword(call, name)


def has_star_kwargs(call: nodes.Call) -> bool:
    return calls.has_star_kwargs(call)
