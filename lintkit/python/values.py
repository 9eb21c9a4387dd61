"""The abstract values of the taint interpreter (`dataflow.py`).

A `Val` is what the interpreter knows of a value: the taints it may carry
(each with the flow that brought it and the sink kinds it was made safe for),
a constant, element-precise list/tuple items or constant-keyed dict entries,
and the qualified name of the module, class or typed object it is
(`names.py`'s convention). Values are immutable; `join` merges the values of
two paths. Constants fold with Python's own operators, bounded in size.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from astroid import nodes

from lintkit.python.models import ALL

NOCONST: Any = object()
MAX_STEPS = 14
MAX_FLOW = 24  # steps of a flow joined across calls (caller's, the call, callee's)
MAX_STR = 10_000


@dataclass(unsafe_hash=True, slots=True)  # immutable by convention: frozen __init__ is 4x slower
class Taint:
    label: str  # "src:remote", "src:local" or "p<i>" (a parameter, for summaries)
    # (astroid node of this module, or a Location in another file, message)
    steps: tuple[tuple[Any, str], ...] = ()
    cleared: frozenset[str] = frozenset()  # sink kinds this value is safe for; "~norm" = path normalised
    # (callee, argument) of calls no model or summary knew that the value went through:
    # another module's function may turn out to clean it (taint_index.py)
    via: tuple[tuple[str, int], ...] = ()

    def step(self, node: Any, msg: str) -> Taint:
        if len(self.steps) >= MAX_STEPS or (self.steps and self.steps[-1][0] is node):
            return self
        return replace(self, steps=self.steps + ((node, msg),))

    def clear(self, kinds: frozenset[str]) -> Taint:
        return replace(self, cleared=self.cleared | kinds)

    def then(self, node: Any, msg: str, inner: Taint) -> Taint:
        """This value passed at `node` into a function, where it went the way of
        `inner` (the callee's parameter taint): one flow through both, safe for what
        either made it safe for."""
        steps = self.steps + ((node, msg),) + inner.steps
        if len(steps) > MAX_FLOW:  # keep where it came from and where it went
            steps = steps[:4] + steps[len(steps) - (MAX_FLOW - 4):]
        return replace(self, steps=steps, cleared=self.cleared | inner.cleared, via=self.via + inner.via)

    def live_for(self, kind: str) -> bool:
        return kind not in self.cleared and ALL not in self.cleared


@dataclass(unsafe_hash=True, slots=True)  # immutable by convention: frozen __init__ is 4x slower
class Val:
    taints: tuple[Taint, ...] = ()
    const: Any = NOCONST
    items: tuple[Val, ...] | None = None  # list/tuple with known elements
    keys: tuple[tuple[Any, Val], ...] | None = None  # dict with constant keys
    qual: str | None = None  # qualified name of a module, class, function or typed object
    shell_list: bool = False  # a list whose first elements are a shell and "-c"
    flags: frozenset[str] = frozenset()  # object facts, e.g. "xxe": an XML parser resolving external entities

    @property
    def is_const(self) -> bool:
        return self.const is not NOCONST

    def all_taints(self) -> tuple[Taint, ...]:
        out = list(self.taints)
        for v in self.items or ():
            out += v.all_taints()
        for _, v in self.keys or ():
            out += v.all_taints()
        return dedupe(out)

    def flat(self) -> Val:
        """The value with its element structure folded into its own taint."""
        return Val(taints=self.all_taints())

    def map_taints(self, fn: Callable[[Taint], Taint | None]) -> Val:
        new = tuple(t2 for t in self.all_taints() if (t2 := fn(t)) is not None)
        return Val(taints=new)


CLEAN = Val()


def dedupe(taints: list[Taint] | tuple[Taint, ...]) -> tuple[Taint, ...]:
    seen: dict[str, Taint] = {}
    for t in taints:
        old = seen.get(t.label)
        if old is None:
            seen[t.label] = t
        elif old.cleared != t.cleared:  # safe only if safe on every path
            seen[t.label] = replace(old, cleared=old.cleared & t.cleared)
    return tuple(seen.values())


def join(a: Val | None, b: Val | None) -> Val:
    if a is None:
        return b or CLEAN
    if b is None or a is b:
        return a
    const = a.const if (a.is_const and b.is_const and type(a.const) is type(b.const) and a.const == b.const) else NOCONST
    items = None
    if a.items is not None and b.items is not None and len(a.items) == len(b.items):
        items = tuple(join(x, y) for x, y in zip(a.items, b.items))
    keys = None
    if a.keys is not None and b.keys is not None:
        da, db = dict(a.keys), dict(b.keys)
        keys = tuple((k, join(da.get(k), db.get(k))) for k in dict.fromkeys([*da, *db]))
    if items is None and (a.items is not None or b.items is not None) or keys is None and (a.keys is not None or b.keys is not None):
        return Val(taints=dedupe(a.all_taints() + b.all_taints()), const=const, qual=a.qual if a.qual == b.qual else None)
    return Val(
        taints=dedupe(a.taints + b.taints),
        const=const,
        items=items,
        keys=keys,
        qual=a.qual if a.qual == b.qual else None,
        shell_list=a.shell_list and b.shell_list,
        flags=a.flags | b.flags,
    )


Env = dict[str, Val]  # variable name, or `base.attr` for a stored field -> its value


def join_env(a: Env | None, b: Env | None) -> Env | None:
    if a is None:
        return b
    if b is None:
        return a
    out = dict(a)
    for k, v in b.items():
        out[k] = join(a.get(k), v) if k in a else v
    return out


def with_taint(val: Val, extra: tuple[Taint, ...]) -> Val:
    if not extra:
        return val
    return Val(taints=dedupe(val.all_taints() + extra))


# A Val flag: a dict or list (a Lambda event) whose text, from str/repr/%s/an f-string,
# escapes every line break inside its strings.
MAPPING = "mapping"
_LINE_BREAK_KINDS = frozenset({"log", "header"})


def as_text(v: Val) -> Val:
    """`v` formatted as text: a mapping's text cannot forge a log line or a header."""
    return v.map_taints(lambda t: t.clear(_LINE_BREAK_KINDS)) if MAPPING in v.flags else v


def derived(node: Any, parts: list[Val], msg: str = "") -> Val:
    """A value computed from `parts` (concatenation, formatting, unknown calls)."""
    taints: list[Taint] = []
    for p in parts:
        taints += p.all_taints()
    if not taints:
        return CLEAN
    if msg:
        taints = [t.step(node, msg) for t in taints]
    return Val(taints=dedupe(taints))


@dataclass
class Hit:
    """Tainted data reaching a sink."""

    kind: str  # the sink kind
    node: Any
    taint: Taint
    sink: str  # the sink, as messages name it
    what: str = ""  # what the input reaches, when not the kind's words


@dataclass
class Call:
    """A value handed to a function the module does not define (`callee`, a
    qualified name; `arg` a position or a keyword): another module's analysis
    decides what happens to it there."""

    callee: str
    arg: int | str
    taint: Taint
    request: str = ""  # the value is a request object of this type (its attributes are sources)


@dataclass
class Summary:
    """What a function does with its parameters. `sinks` and `calls` hold this
    module's nodes: a caller in the module re-walks them with its own values;
    other modules see only the JSON (what comes back out)."""

    returns: dict[int, frozenset[str]] = field(default_factory=dict)  # param -> sink kinds cleared on the way
    returns_source: str = ""  # "remote"/"local" when the return value is a source
    source_cleared: frozenset[str] = frozenset()  # sink kinds that returned source is safe for (a guard inside)
    returns_self: bool = False  # a method whose result carries the object's own taint
    sinks: list[tuple[int, Hit]] = field(default_factory=list)  # (param, its flow to a sink in the function)
    calls: list[tuple[int, Call]] = field(default_factory=list)  # (param, its flow into another module)
    params: list[str] = field(default_factory=list)  # parameter names, `self` left out

    def to_json(self) -> dict[str, Any]:
        return {
            "returns": {str(k): sorted(v) for k, v in self.returns.items()},
            "returns_source": self.returns_source,
            "source_cleared": sorted(self.source_cleared),
            "returns_self": self.returns_self,
            "params": list(self.params),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        return cls(
            returns={int(k): frozenset(v) for k, v in data.get("returns", {}).items()},
            returns_source=str(data.get("returns_source", "")),
            source_cleared=frozenset(str(k) for k in data.get("source_cleared", [])),
            returns_self=bool(data.get("returns_self", False)),
            params=[str(p) for p in data.get("params", [])],
        )


def fold_binop(op: str, a: Any, b: Any) -> Any:
    """`a op b` for constants, or NOCONST (unknown operator, error, too large)."""
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv, "%": operator.mod,
        "/": operator.truediv, "**": operator.pow, "&": operator.and_, "|": operator.or_, "^": operator.xor,
    }
    fn = ops.get(op)
    if fn is None:
        return NOCONST
    if op == "**" and (not isinstance(b, int) or abs(b) > 64):
        return NOCONST
    if op == "*" and (isinstance(a, (str, bytes, list, tuple)) or isinstance(b, (str, bytes, list, tuple))):
        n = b if isinstance(b, int) else a
        if not isinstance(n, int) or n > 64:
            return NOCONST
    try:
        out = fn(a, b)
    except Exception:
        return NOCONST
    if isinstance(out, (str, bytes)) and len(out) > MAX_STR:
        return NOCONST
    return out


def fold_compare(op: str, a: Any, b: Any) -> Any:
    """`a op b` for constants, as a bool, or NOCONST."""
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
        "in": lambda x, y: x in y, "not in": lambda x, y: x not in y, "is": operator.is_, "is not": operator.is_not,
    }
    fn = ops.get(op)
    if fn is None:
        return NOCONST
    try:
        return bool(fn(a, b))
    except Exception:
        return NOCONST


def const_val(value: Any) -> Val:
    if isinstance(value, (list, tuple)):
        return Val(const=value if isinstance(value, tuple) else NOCONST, items=tuple(const_val(v) for v in value))
    return Val(const=value)


def const_of(val: Val) -> Any:
    """A Python constant for val (lists/tuples of constants included)."""
    if val.is_const:
        return val.const
    if val.items is not None:
        parts = [const_of(v) for v in val.items]
        if all(p is not NOCONST for p in parts):
            return list(parts)
    return NOCONST


def join_all(vals: tuple[Val, ...] | list[Val]) -> Val:
    """One value standing for any of `vals` (a list's element, a loop's variable)."""
    out: Val = CLEAN
    for v in vals:
        out = join(out, v)
    return out


def var_name(node: Any) -> str | None:
    """The environment key a node reads or writes (`x`; `str(x)` reads `x`)."""
    if isinstance(node, (nodes.Name, nodes.AssignName)):
        return node.name
    if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Name) and node.func.name in ("str", "repr") and node.args:
        return var_name(node.args[0])
    return None


