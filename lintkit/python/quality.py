"""Correctness (PQL010-PQL017): Python pitfalls that change what the code does.

- PQL010: `[[0] * n] * m` makes m references to one inner list.
- PQL011: `is` / `is not` against a str, bytes, number or tuple literal.
- PQL012: a list, dict or set changed in size while a for loop iterates it.
- PQL013: `datetime.utcnow()` / `utcfromtimestamp()` (naive, deprecated).
- PQL014: writing to an object's `__dict__` directly.
- PQL015: bytes (or an attribute) grown with `+=` in a loop: quadratic copying.
- PQL016: a mutable default argument that the function mutates.
- PQL017: `== None` / `!= None` (opt-in).
- PQL018: a naive datetime compared with or subtracted from an aware one.
"""

from __future__ import annotations

from typing import Any, Iterator

from astroid import nodes

from lintkit.python.names import call_name
from lintkit.python.security_common import imports_module
from lintkit.python.calls import keyword
from lintkit.python.walk import bindings, nodes_of

_SCOPES = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef, nodes.Lambda)


# -- PQL010 ---------------------------------------------------------------------------

_MUTABLE_DISPLAYS = (nodes.List, nodes.Dict, nodes.Set, nodes.ListComp, nodes.DictComp, nodes.SetComp)
_MUTABLE_CALLS = ("builtins.list", "builtins.dict", "builtins.set", "builtins.bytearray", "collections.defaultdict", "collections.OrderedDict")


def multiplied_lists(module: nodes.Module, ctx: Any) -> None:
    for binop in nodes_of(module, nodes.BinOp):
        if binop.op != "*":
            continue
        for seq, count in ((binop.left, binop.right), (binop.right, binop.left)):
            if not isinstance(seq, nodes.List) or not any(_mutable(e) for e in seq.elts):
                continue
            if isinstance(count, nodes.Const) and isinstance(count.value, int) and count.value <= 1:
                continue
            ctx.report(
                "PQL010",
                binop,
                f"'{binop.as_string()[:60]}' repeats references to the same inner object: changing one row changes them all",
                fix="Build each row separately: [[0] * n for _ in range(m)]",
            )
            break


def _mutable(node: Any) -> bool:
    if isinstance(node, _MUTABLE_DISPLAYS):
        return True
    if isinstance(node, nodes.BinOp) and node.op in ("*", "+"):  # `[0] * width` is a new list too
        return isinstance(node.left, nodes.List) or isinstance(node.right, nodes.List)
    return isinstance(node, nodes.Call) and call_name(node) in _MUTABLE_CALLS


# -- PQL011 / PQL017 ------------------------------------------------------------------

_ORM_LIKE = ("sqlalchemy", "numpy", "pandas", "peewee", "sqlmodel", "polars", "torch", "tensorflow", "django.db")


def identity_comparisons(module: nodes.Module, ctx: Any) -> None:
    """PQL011 and PQL017 (one walk over the comparisons)."""
    codes = {c for c in ("PQL011", "PQL017") if ctx.enabled(c)}
    # `column == None` builds `IS NULL` in SQLAlchemy and compares elementwise in numpy.
    overloaded = "PQL017" in codes and any(imports_module(module, m) for m in _ORM_LIKE)
    for compare in nodes_of(module, nodes.Compare):
        left = compare.left
        for op, right in compare.ops:
            if op in ("is", "is not") and "PQL011" in codes:
                literal = right if _is_literal(right) else left if _is_literal(left) else None
                if literal is not None:
                    ctx.report(
                        "PQL011",
                        compare,
                        f"'{op}' compares identity with the literal {literal.as_string()[:40]}: whether two equal values are the same object is an implementation detail",
                        fix=f"Use {'==' if op == 'is' else '!='} to compare values",
                    )
            elif op in ("==", "!=") and "PQL017" in codes and not overloaded and (_is_none(right) or _is_none(left)):
                ctx.report(
                    "PQL017",
                    compare,
                    f"'{op} None' calls the operand's __eq__, which can claim anything; None is a singleton",
                    fix=f"Use '{'is' if op == '==' else 'is not'} None'",
                )
            left = right


def _is_literal(node: Any) -> bool:
    if isinstance(node, nodes.Const):
        return isinstance(node.value, (str, bytes, int, float, complex)) and not isinstance(node.value, bool)
    if isinstance(node, nodes.UnaryOp) and node.op in ("-", "+"):
        return _is_literal(node.operand)
    return isinstance(node, nodes.Tuple) and all(_is_literal(e) for e in node.elts)


def _is_none(node: Any) -> bool:
    return isinstance(node, nodes.Const) and node.value is None


# -- PQL012 ---------------------------------------------------------------------------

# Methods that change the size of a list, dict or set (append/extend are left
# out: growing a list while walking it is the classic worklist idiom).
_SHRINKING = {"remove", "pop", "popitem", "insert", "clear", "discard", "add", "difference_update", "intersection_update", "symmetric_difference_update"}
_VIEWS = ("keys", "values", "items")


def modified_while_iterating(module: nodes.Module, ctx: Any) -> None:
    for loop in nodes_of(module, (nodes.For, nodes.AsyncFor)):
        iterated = _iterated_key(loop.iter)
        if not iterated or _rebound(loop, iterated):
            continue
        for stmt, how in _mutations(loop.body, iterated):
            if _leaves_loop(stmt):
                continue
            ctx.report(
                "PQL012",
                stmt,
                f"'{iterated}' is {how} while the loop iterates over it: items are skipped or repeated (RuntimeError for a dict or set)",
                fix=f"Iterate over a copy (for x in list({iterated})) or build a new collection",
            )


def _iterated_key(node: Any) -> str:
    """`items`, `self.items`, `d.keys()` -> the collection iterated itself."""
    if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute) and node.func.attrname in _VIEWS and not node.args:
        node = node.func.expr
    return _key(node)


def _key(node: Any) -> str:
    if isinstance(node, (nodes.Name, nodes.AssignName)):
        return node.name
    if isinstance(node, (nodes.Attribute, nodes.AssignAttr)):
        inner = _key(node.expr)
        return f"{inner}.{node.attrname}" if inner else ""
    return ""


def _rebound(loop: Any, key: str) -> bool:
    return any(_key(t) == key for t in nodes_of(loop, (nodes.AssignName, nodes.AssignAttr)))


def _mutations(body: list[Any], key: str) -> Iterator[tuple[Any, str]]:
    for stmt in _statements(body):
        if isinstance(stmt, nodes.Expr) and isinstance(stmt.value, nodes.Call):
            func = stmt.value.func
            if isinstance(func, nodes.Attribute) and func.attrname in _SHRINKING and _key(func.expr) == key:
                yield stmt, f"changed by .{func.attrname}()"
        elif isinstance(stmt, nodes.Delete):
            if any(isinstance(t, nodes.Subscript) and _key(t.value) == key for t in stmt.targets):
                yield stmt, "changed by del"
        elif isinstance(stmt, nodes.AugAssign) and _key(stmt.target) == key and stmt.op in ("-=", "|=", "&=", "^="):
            yield stmt, f"changed by {stmt.op}"


def _statements(body: list[Any]) -> Iterator[Any]:
    """Statements of the loop body, nested blocks included, nested scopes not."""
    for stmt in body:
        if isinstance(stmt, _SCOPES):
            continue
        yield stmt
        for attr in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, attr, None)
            if isinstance(inner, list):
                yield from _statements(inner)
        for handler in getattr(stmt, "handlers", None) or []:
            yield from _statements(handler.body)


def _leaves_loop(stmt: Any) -> bool:
    """`items.remove(x); break` (or return/raise) right after the change."""
    following = stmt.next_sibling()
    while following is not None and isinstance(following, nodes.Expr):
        following = following.next_sibling()
    return isinstance(following, (nodes.Break, nodes.Return, nodes.Raise))


# -- PQL013 ---------------------------------------------------------------------------

_NAIVE_UTC = {"datetime.datetime.utcnow": "utcnow", "datetime.datetime.utcfromtimestamp": "utcfromtimestamp"}


def naive_datetimes(module: nodes.Module, ctx: Any) -> None:
    for call in nodes_of(module, nodes.Call):
        method = _NAIVE_UTC.get(call_name(call) or "")
        if method:
            aware = "now(timezone.utc)" if method == "utcnow" else "fromtimestamp(ts, timezone.utc)"
            ctx.report(
                "PQL013",
                call,
                f"datetime.{method}() returns a naive datetime without its UTC zone: .timestamp(), .astimezone() and comparisons take it for local time (deprecated since Python 3.12)",
                fix=f"Use datetime.{aware}, which carries its time zone",
            )


# -- PQL018 ---------------------------------------------------------------------------

_NAIVE_MAKERS = ("datetime.datetime.now", "datetime.datetime.today", "datetime.datetime.utcnow", "datetime.datetime.fromtimestamp", "datetime.datetime.utcfromtimestamp")
_AWARE_MAKERS = ("django.utils.timezone.now",)
_ORDERING = ("<", "<=", ">", ">=")


def naive_aware_mix(module: nodes.Module, ctx: Any) -> None:
    for node in nodes_of(module, (nodes.Compare, nodes.BinOp)):
        if isinstance(node, nodes.BinOp):
            pairs = [(node.left, node.right)] if node.op == "-" else []
        else:
            pairs = [(left, right) for (op, right), left in zip(node.ops, [node.left] + [r for _, r in node.ops]) if op in _ORDERING]
        for left, right in pairs:
            kinds = {_tz_kind(left), _tz_kind(right)}
            if kinds == {"naive", "aware"}:
                ctx.report(
                    "PQL018",
                    node,
                    "a naive datetime is compared with (or subtracted from) a time-zone-aware one: this raises TypeError at run time",
                    fix="Make both aware: datetime.now(timezone.utc), datetime.fromtimestamp(ts, timezone.utc)",
                )
                break


def _tz_kind(node: Any, depth: int = 0) -> str:
    """'naive' / 'aware' for a datetime made by a known call (directly or through a name bound once), else ''."""
    if isinstance(node, nodes.Name) and depth < 3:
        bound = bindings(node)
        if len(bound) == 1 and isinstance(bound[0], nodes.AssignName) and isinstance(bound[0].parent, nodes.Assign):
            return _tz_kind(bound[0].parent.value, depth + 1)
        return ""
    if not isinstance(node, nodes.Call):
        return ""
    name = call_name(node) or ""
    if name in _AWARE_MAKERS:
        return "aware"
    if name not in _NAIVE_MAKERS:
        return ""
    method = name.rsplit(".", 1)[-1]
    if method in ("utcnow", "utcfromtimestamp", "today"):
        return "naive"
    position = 0 if method == "now" else 1
    tz = keyword(node, "tz")
    if tz is None and len(node.args) > position:
        tz = node.args[position]
    if tz is None or (isinstance(tz, nodes.Const) and tz.value is None):
        return "naive"
    return "aware"


# -- PQL014 ---------------------------------------------------------------------------

# Removing keys (`self.__dict__.pop("conn", None)`) is how a cached_property is
# reset; only writes are reported.
_DICT_WRITES = {"update", "setdefault", "__setitem__"}
# Where writing `__dict__` is the protocol: restoring state, and descriptors
# caching or storing a value on the instance (`cached_property`).
_STATE_METHODS = ("__setstate__", "__reduce__", "__reduce_ex__", "__copy__", "__deepcopy__", "__get__", "__set__", "__delete__", "__set_name__")
_ATTRIBUTE_HOOKS = ("__setattr__", "__getattr__", "__getattribute__", "__delattr__")


def dunder_dict(module: nodes.Module, ctx: Any) -> None:
    for node in nodes_of(module, (nodes.AssignAttr, nodes.Subscript, nodes.Call)):
        target = _dict_write(node)
        if target is None:
            continue
        func = node.scope()
        if isinstance(func, nodes.FunctionDef) and (func.name in _STATE_METHODS or _hooks_attributes(func)):
            continue
        owner = target.expr.as_string()[:40]
        ctx.report(
            "PQL014",
            node,
            f"writing to {owner}.__dict__ directly bypasses properties, __setattr__ and __slots__",
            fix="Set attributes with setattr() (or a dataclass/__init__ that assigns each one)",
        )


def _hooks_attributes(func: nodes.FunctionDef) -> bool:
    """A method of a class that overrides attribute access must use __dict__."""
    cls = func.parent.frame() if func.parent is not None else None
    return isinstance(cls, nodes.ClassDef) and any(name in cls.locals for name in _ATTRIBUTE_HOOKS)


def _dict_write(node: Any) -> Any:
    """The `x.__dict__` attribute node a statement writes through, or None."""
    if isinstance(node, nodes.AssignAttr) and node.attrname == "__dict__":
        return node
    if isinstance(node, nodes.Subscript) and isinstance(node.parent, (nodes.Assign, nodes.AugAssign)) and node in _targets(node.parent):
        value = node.value
        return value if isinstance(value, nodes.Attribute) and value.attrname == "__dict__" else None
    if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute) and node.func.attrname in _DICT_WRITES:
        value = node.func.expr
        return value if isinstance(value, nodes.Attribute) and value.attrname == "__dict__" else None
    return None


def _targets(stmt: Any) -> list[Any]:
    if isinstance(stmt, nodes.Assign):
        return list(stmt.targets)
    if isinstance(stmt, nodes.AugAssign):
        return [stmt.target]
    return list(stmt.targets)


# -- PQL015 ---------------------------------------------------------------------------


def quadratic_concatenation(module: nodes.Module, ctx: Any) -> None:
    for aug in nodes_of(module, nodes.AugAssign):
        if aug.op != "+=":
            continue
        loop = _enclosing_loop(aug)
        if loop is None or _small_loop(loop):
            continue
        key = _key(aug.target)
        init = _initial_literal(aug, key, loop) if key else None
        if init is None:
            continue
        if isinstance(init.value, bytes):
            what = f"bytes '{key}'"
        elif isinstance(aug.target, nodes.AssignAttr):
            what = f"the string attribute '{key}'"
        else:
            continue  # CPython appends to a local str in place
        if _reset_in_loop(loop, key, aug):
            continue
        ctx.report(
            "PQL015",
            aug,
            f"{what} is grown with += in a loop: each += copies everything so far, quadratic in the total size",
            fix="Collect the parts in a list and join them once (b''.join(parts)), or use bytearray / io.BytesIO / io.StringIO",
        )


def _enclosing_loop(node: Any) -> Any:
    parent = node.parent
    while parent is not None and not isinstance(parent, _SCOPES + (nodes.Module,)):
        if isinstance(parent, (nodes.For, nodes.AsyncFor, nodes.While)):
            return parent
        parent = parent.parent
    return None


def _small_loop(loop: Any) -> bool:
    """`for x in (a, b, c)` or `for i in range(3)`: a handful of iterations."""
    if not isinstance(loop, (nodes.For, nodes.AsyncFor)):
        return False
    it = loop.iter
    if isinstance(it, (nodes.Tuple, nodes.List, nodes.Set)):
        return True
    if isinstance(it, nodes.Call) and call_name(it) == "builtins.range":
        bounds = [a.value for a in it.args if isinstance(a, nodes.Const) and isinstance(a.value, int)]
        return len(bounds) == len(it.args) and bool(bounds) and max(bounds) <= 16
    return False


def _initial_literal(aug: Any, key: str, loop: Any) -> Any:
    """The str/bytes literal the target was set to, in the same function, before the loop."""
    scope = aug.scope()
    found = None
    for assign in nodes_of(scope, nodes.Assign):
        if assign.scope() is not scope or assign.lineno >= loop.lineno:
            continue
        if len(assign.targets) == 1 and _key(assign.targets[0]) == key and isinstance(assign.value, nodes.Const) and isinstance(assign.value.value, (str, bytes)):
            found = assign.value
    return found


def _reset_in_loop(loop: Any, key: str, aug: Any) -> bool:
    """`line = b""` inside the loop: each piece stays small."""
    return any(_key(t) == key for a in nodes_of(loop, nodes.Assign) for t in a.targets)


# -- PQL016 ---------------------------------------------------------------------------

_MUTATORS = {"append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault", "add", "discard", "sort", "reverse", "__setitem__"}


def mutable_defaults(module: nodes.Module, ctx: Any) -> None:
    for func in nodes_of(module, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
        args = func.args
        params = list(zip(reversed(args.args or []), reversed(args.defaults or [])))
        params += [(a, d) for a, d in zip(args.kwonlyargs or [], args.kw_defaults or []) if d is not None]
        for param, default in params:
            if not _mutable(default) or isinstance(default, (nodes.ListComp, nodes.DictComp, nodes.SetComp)):
                continue
            use = _shared_use(func, param.name)
            if use:
                ctx.report(
                    "PQL016",
                    default,
                    f"the default of '{param.name}' is created once and {use}: every call that relies on it shares the changes",
                    fix=f"Default to None and create a new object inside the function: `if {param.name} is None: {param.name} = {default.as_string()[:20]}`",
                )


def _shared_use(func: Any, name: str) -> str:
    """How the function changes the shared default, or ''. Returning it or
    storing it is not enough: whoever receives it may never change it."""
    uses = [n for n in nodes_of(func, nodes.Name) if n.name == name and n.scope() is func]
    if any(a.name == name and a.scope() is func for a in nodes_of(func, nodes.AssignName) if a.parent is not func.args):
        return ""  # rebound somewhere: too subtle to judge
    for use in uses:
        parent = use.parent
        if isinstance(parent, nodes.Attribute) and parent.expr is use and parent.attrname in _MUTATORS and isinstance(parent.parent, nodes.Call):
            return f"mutated by .{parent.attrname}() here (line {use.lineno})"
        if isinstance(parent, nodes.Subscript) and parent.value is use and isinstance(parent.parent, (nodes.Assign, nodes.Delete, nodes.AugAssign)) and parent in _targets(parent.parent):
            return f"mutated by item assignment (line {use.lineno})"
        if isinstance(parent, nodes.AugAssign) and parent.target is use:
            return f"mutated by {parent.op} (line {use.lineno})"
    return ""


__all__ = [
    "dunder_dict",
    "identity_comparisons",
    "modified_while_iterating",
    "multiplied_lists",
    "mutable_defaults",
    "naive_aware_mix",
    "naive_datetimes",
    "quadratic_concatenation",
]
