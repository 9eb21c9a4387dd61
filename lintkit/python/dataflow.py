"""An abstract interpreter for taint: walks one function's statements with an
environment of abstract values (taint labels with their flow, known constants,
element-precise lists/dicts, qualified names of imported objects).

Why an interpreter and not pattern matching: the cases that separate a real
vulnerability from a safe one are about values — a branch that constant folds
away, a variable overwritten before use, a constant element picked from a
container, a sanitizer or a guard on the way. Parameters carry symbolic labels
("p0", "p1", ...) so the same walk yields function summaries.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from astroid import nodes

from lintkit.python.models import ALL, Sink, TaintModel
from lintkit.python.names import imported_names, qualified

NOCONST: Any = object()
MAX_STEPS = 14
MAX_STR = 10_000
# Results of these calls never carry their input's content.
_CLEAN_METHODS = frozenset(
    "startswith endswith isdigit isalpha isalnum isnumeric isdecimal isspace islower isupper istitle isidentifier "
    "count find rfind index rindex __len__ __contains__ keys_count".split()
)
_STR_METHODS = frozenset(
    "lower upper strip lstrip rstrip replace title capitalize casefold swapcase split rsplit splitlines join format "
    "encode decode zfill center ljust rjust partition rpartition removeprefix removesuffix expandtabs".split()
)
_MUTATORS = frozenset("append extend insert add update write writelines put setdefault appendleft extendleft".split())
import re
_HOST_FIXED = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]+[/?#]|/[^/\\\\])")
_FOLDABLE_BUILTINS: dict[str, Callable[..., Any]] = {
    "builtins.chr": chr, "builtins.ord": ord, "builtins.hex": hex, "builtins.oct": oct, "builtins.bin": bin,
    "builtins.min": min, "builtins.max": max, "builtins.abs": abs, "builtins.str": str, "builtins.len": len,
}
_QUOTE_CHARS = frozenset({"'", '"'})


@dataclass(unsafe_hash=True, slots=True)  # immutable by convention: frozen __init__ is 4x slower
class Taint:
    label: str  # "src:remote", "src:local" or "p<i>" (a parameter, for summaries)
    steps: tuple[tuple[Any, str], ...] = ()
    cleared: frozenset[str] = frozenset()  # rules this value is safe for; "~norm" = path normalised

    def step(self, node: Any, msg: str) -> Taint:
        if len(self.steps) >= MAX_STEPS or (self.steps and self.steps[-1][0] is node):
            return self
        return replace(self, steps=self.steps + ((node, msg),))

    def clear(self, rules: frozenset[str]) -> Taint:
        return replace(self, cleared=self.cleared | rules)

    def live_for(self, rule: str) -> bool:
        return rule not in self.cleared and ALL not in self.cleared


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
        return _dedupe(out)

    def flat(self) -> Val:
        """The value with its element structure folded into its own taint."""
        return Val(taints=self.all_taints())

    def map_taints(self, fn: Callable[[Taint], Taint | None]) -> Val:
        new = tuple(t2 for t in self.all_taints() if (t2 := fn(t)) is not None)
        return Val(taints=new)


CLEAN = Val()


def _dedupe(taints: list[Taint] | tuple[Taint, ...]) -> tuple[Taint, ...]:
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
        return Val(taints=_dedupe(a.all_taints() + b.all_taints()), const=const, qual=a.qual if a.qual == b.qual else None)
    return Val(
        taints=_dedupe(a.taints + b.taints),
        const=const,
        items=items,
        keys=keys,
        qual=a.qual if a.qual == b.qual else None,
        shell_list=a.shell_list and b.shell_list,
        flags=a.flags | b.flags,
    )


Env = dict[str, Val]


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
    return Val(taints=_dedupe(val.all_taints() + extra))


def derived(node: Any, parts: list[Val], msg: str = "") -> Val:
    """A value computed from `parts` (concatenation, formatting, unknown calls)."""
    taints: list[Taint] = []
    for p in parts:
        taints += p.all_taints()
    if not taints:
        return CLEAN
    if msg:
        taints = [t.step(node, msg) for t in taints]
    return Val(taints=_dedupe(taints))


@dataclass
class Hit:
    rule: str
    node: Any
    taint: Taint
    sink: str
    kind: str = ""


@dataclass
class Summary:
    """What a function does with its parameters."""

    returns: dict[int, frozenset[str]] = field(default_factory=dict)  # param -> rules cleared on the way
    returns_source: str = ""  # "remote"/"local" when the return value is a source
    returns_self: bool = False  # a method whose result carries the object's own taint
    sinks: list[tuple[int, str, int, str]] = field(default_factory=list)  # (param, rule, line, sink)

    def to_json(self) -> dict[str, Any]:
        return {
            "returns": {str(k): sorted(v) for k, v in self.returns.items()},
            "returns_source": self.returns_source,
            "returns_self": self.returns_self,
            "sinks": [list(s) for s in self.sinks],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        return cls(
            returns={int(k): frozenset(v) for k, v in data.get("returns", {}).items()},
            returns_source=str(data.get("returns_source", "")),
            returns_self=bool(data.get("returns_self", False)),
            sinks=[(int(s[0]), str(s[1]), int(s[2]), str(s[3])) for s in data.get("sinks", [])],
        )


def _safe_binop(op: str, a: Any, b: Any) -> Any:
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


def _safe_compare(op: str, a: Any, b: Any) -> Any:
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


def _const_of(val: Val) -> Any:
    """A Python constant for val (lists/tuples of constants included)."""
    if val.is_const:
        return val.const
    if val.items is not None:
        parts = [_const_of(v) for v in val.items]
        if all(p is not NOCONST for p in parts):
            return list(parts)
    return NOCONST


class Interpreter:
    """Walks one function (or a module body) and records sink hits."""

    def __init__(
        self,
        model: TaintModel,
        resolve_call: Callable[[Interpreter, Any, str | None, list[Val], dict[str, Val]], Val | None],
        flask_route: bool = False,
        extra_sanitizers: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.model = model
        self.resolve_call = resolve_call
        self.hits: list[Hit] = []
        self.returned: Val | None = None
        self.flask_route = flask_route
        self.extra_sanitizers = extra_sanitizers or {}
        self.last_receiver: Val | None = None  # the receiver of the call being resolved
        self.const_quals: dict[str, Any] = {}  # e.g. request.path inside a route with a fixed rule
        self._break_envs: list[Env] = []
        self._continue_envs: list[Env] = []
        self._hit_keys: set[tuple[str, int, int, str]] = set()

    # -- reporting ---------------------------------------------------------------

    def hit(self, rule: str, node: Any, val: Val, sink: str, kind: str = "", node_msg: str = "") -> None:
        for t in val.all_taints():
            if not t.live_for(rule):
                continue
            key = (rule, getattr(node, "lineno", 0) or 0, getattr(node, "col_offset", 0) or 0, t.label)
            if key in self._hit_keys:
                continue
            self._hit_keys.add(key)
            self.hits.append(Hit(rule, node, t, sink, kind))

    # -- statements ---------------------------------------------------------------

    def run_body(self, stmts: list[Any], env: Env) -> Env | None:
        cur: Env | None = env
        for stmt in stmts:
            if cur is None:
                return None
            cur = self.stmt(stmt, cur)
        return cur

    def stmt(self, s: Any, env: Env) -> Env | None:  # noqa: C901 - one dispatch
        if isinstance(s, nodes.Assign):
            val = self.expr(s.value, env)
            for target in s.targets:
                self.assign(target, val, env, s.value)
            return env
        if isinstance(s, nodes.AnnAssign):
            if s.value is not None:
                self.assign(s.target, self.expr(s.value, env), env, s.value)
            return env
        if isinstance(s, nodes.AugAssign):
            cur = self.current_value(s.target, env)
            rhs = self.expr(s.value, env)
            new = self.binop(s, s.op.rstrip("="), cur, rhs)
            self.assign(s.target, new, env, s.value)
            return env
        if isinstance(s, nodes.Expr):
            self.expr(s.value, env)
            return env
        if isinstance(s, nodes.Return):
            val = self.expr(s.value, env) if s.value is not None else CLEAN
            self.on_return(s, val)
            return None
        if isinstance(s, nodes.Raise):
            if s.exc is not None:
                self.expr(s.exc, env)
            return None
        if isinstance(s, nodes.If):
            return self.if_stmt(s, env)
        if isinstance(s, (nodes.For, nodes.AsyncFor)):
            return self.for_stmt(s, env)
        if isinstance(s, nodes.While):
            return self.while_stmt(s, env)
        if isinstance(s, (nodes.With, nodes.AsyncWith)):
            for item, var in s.items:
                val = self.expr(item, env)
                if var is not None:
                    self.assign(var, val, env, item)
            return self.run_body(s.body, env)
        if isinstance(s, (nodes.Try, getattr(nodes, "TryStar", nodes.Try))):
            return self.try_stmt(s, env)
        if isinstance(s, nodes.Break):
            self._break_envs.append(dict(env))
            return None
        if isinstance(s, nodes.Continue):
            self._continue_envs.append(dict(env))
            return None
        if isinstance(s, (nodes.Import, nodes.ImportFrom)):
            for name, target in imported_names(s):
                env[name] = Val(qual=target)
            return env
        if isinstance(s, nodes.Match):
            return self.match_stmt(s, env)
        if isinstance(s, nodes.Delete):
            for t in s.targets:
                if isinstance(t, nodes.Name):
                    env.pop(t.name, None)
            return env
        if isinstance(s, nodes.Assert):
            self.refine(s.test, env, True)
            return env
        if isinstance(s, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef)):
            env.pop(s.name, None)
            return env
        return env

    def current_value(self, target: Any, env: Env) -> Val:
        """The value an augmented assignment starts from."""
        if isinstance(target, nodes.AssignName):
            if target.name in env:
                return env[target.name]
            return self.source_or_qual(target, qualified(target))
        if isinstance(target, nodes.AssignAttr):
            base = _var_name(target.expr)
            if base and f"{base}.{target.attrname}" in env:
                return env[f"{base}.{target.attrname}"]
            return derived(target, [self.expr(target.expr, env)])
        return self.expr(target, env)

    def on_return(self, node: Any, val: Val) -> None:
        self.returned = join(self.returned, val) if self.returned is not None else val
        if self.flask_route and val.items is None and val.keys is None:
            self.hit("PIV003", node.value if node.value is not None else node, val, "the response body returned by the route")

    def if_stmt(self, s: Any, env: Env) -> Env | None:
        test = self.expr(s.test, env)
        truth = self.truth(test)
        if truth is True:
            return self.run_body(s.body, env)
        if truth is False:
            return self.run_body(s.orelse, env)
        then_env = dict(env)
        else_env = dict(env)
        self.refine(s.test, then_env, True)
        self.refine(s.test, else_env, False)
        a = self.run_body(s.body, then_env)
        b = self.run_body(s.orelse, else_env) if s.orelse else else_env
        return join_env(a, b)

    def truth(self, val: Val) -> bool | None:
        c = _const_of(val)
        if c is NOCONST:
            return None
        try:
            return bool(c)
        except Exception:
            return None

    def loop_body(self, s: Any, env: Env, bind: Callable[[Env], None]) -> Env | None:
        saved_b, saved_c = self._break_envs, self._continue_envs
        self._break_envs, self._continue_envs = [], []
        state: Env = dict(env)
        out: Env | None = dict(env)
        for _ in range(2):  # two passes: enough for taint to reach a fixpoint in practice
            body_env = dict(state)
            bind(body_env)
            end = self.run_body(s.body, body_env)
            for c in self._continue_envs:
                end = join_env(end, c)
            self._continue_envs = []
            state = join_env(state, end) or state
        out = state
        if s.orelse:
            out = self.run_body(s.orelse, dict(state))
        for b in self._break_envs:
            out = join_env(out, b)
        self._break_envs, self._continue_envs = saved_b, saved_c
        return out

    def for_stmt(self, s: Any, env: Env) -> Env | None:
        it = self.expr(s.iter, env)
        if it.items is not None:
            elem: Val = CLEAN
            for v in it.items:
                elem = join(elem, v)
        elif it.keys is not None:
            elem = Val(taints=tuple(t for k, _ in it.keys for t in ()))  # keys are constants
        else:
            elem = derived(s.iter, [it])
        if it.items is not None and len(it.items) == 0:
            return self.run_body(s.orelse, env) if s.orelse else env
        return self.loop_body(s, env, lambda e: self.assign(s.target, elem, e, s.iter))

    def while_stmt(self, s: Any, env: Env) -> Env | None:
        test = self.expr(s.test, env)
        if self.truth(test) is False:
            return self.run_body(s.orelse, env) if s.orelse else env
        return self.loop_body(s, env, lambda e: None)

    def try_stmt(self, s: Any, env: Env) -> Env | None:
        start = dict(env)
        body = self.run_body(s.body, dict(env))
        # a handler may start from any point of the body: approximate by before ∪ after
        handler_in = join_env(start, body) or start
        out = self.run_body(s.orelse, body) if (s.orelse and body is not None) else body
        for h in s.handlers:
            henv = dict(handler_in)
            if h.name is not None:
                self.assign(h.name, CLEAN, henv, h)
            out = join_env(out, self.run_body(h.body, henv))
        if s.finalbody:
            fin_in = out if out is not None else dict(handler_in)
            fin = self.run_body(s.finalbody, dict(fin_in))
            return fin if out is not None else None
        return out

    def match_stmt(self, s: Any, env: Env) -> Env | None:
        subject = self.expr(s.subject, env)
        sc = _const_of(subject)
        out: Env | None = None
        for case in s.cases:
            verdict = self.pattern_matches(case.pattern, sc) if sc is not NOCONST else None
            if verdict is False:
                continue
            cenv = dict(env)
            if isinstance(case.pattern, nodes.MatchAs) and case.pattern.name is not None:
                self.assign(case.pattern.name, subject, cenv, s.subject)
            out = join_env(out, self.run_body(case.body, cenv))
            if verdict is True and case.guard is None:
                return out
        return join_env(out, env) if out is not None else env

    def pattern_matches(self, p: Any, value: Any) -> bool | None:
        if isinstance(p, nodes.MatchValue):
            c = self.expr(p.value, {})
            return None if not c.is_const else value == c.const
        if isinstance(p, nodes.MatchOr):
            results = [self.pattern_matches(x, value) for x in p.patterns]
            if any(r is True for r in results):
                return True
            return False if all(r is False for r in results) else None
        if isinstance(p, nodes.MatchAs) and p.pattern is None:
            return True
        return None

    # -- guards ---------------------------------------------------------------------

    def refine(self, test: Any, env: Env, outcome: bool) -> None:
        """Narrow `env` knowing `test` evaluated to `outcome` (barrier guards)."""
        if isinstance(test, nodes.UnaryOp) and test.op == "not":
            self.refine(test.operand, env, not outcome)
            return
        if isinstance(test, nodes.BoolOp):
            if (test.op == "and") == outcome:  # all operands hold
                for v in test.values:
                    self.refine(v, env, outcome)
                return
            # `A and B` false: not A, or A and not B (likewise for `or` true): join the cases
            cases: list[Env] = []
            prefix: Env = dict(env)
            for v in test.values:
                case = dict(prefix)
                self.refine(v, case, outcome)
                cases.append(case)
                self.refine(v, prefix, not outcome)
            joined: Env | None = None
            for case in cases:
                joined = join_env(joined, case)
            if joined is not None:
                env.clear()
                env.update(joined)
            return
        if isinstance(test, nodes.Name) and not outcome and test.name in env:
            # a falsy value ("", None, 0, []) carries no content
            env[test.name] = CLEAN
            return
        if isinstance(test, nodes.Compare) and len(test.ops) == 1:
            op, right = test.ops[0]
            left = test.left
            name = _var_name(left)
            rval = self.expr(right, dict(env))
            # urlparse(x).netloc / .hostname checked against known hosts: x cannot leave them
            if isinstance(left, nodes.Attribute) and left.attrname in ("netloc", "hostname") and _var_name(left.expr):
                parsed = env.get(_var_name(left.expr) or "")
                positive = op in ("==", "in") and outcome or op in ("!=", "not in") and not outcome
                if parsed is not None and positive and not rval.all_taints():
                    for flag in parsed.flags:
                        if flag.startswith("urlof:") and flag[6:] in env:
                            env[flag[6:]] = self.clear_val(env[flag[6:]], frozenset({"PIV012", "PIV016"}))
                return
            # x == "const" / x in ALLOWED: x is a known-safe value on the true side
            positive = op in ("==", "in", "is") and outcome or op in ("!=", "not in", "is not") and not outcome
            if name and positive and name in env and not rval.all_taints():
                env[name] = self.clear_val(env[name], frozenset({ALL}))
                return
            # "'" in x  being false: x has no quote, safe inside a quoted literal
            lname = _var_name(right)
            lval = self.expr(left, dict(env))
            negative = op == "in" and not outcome or op == "not in" and outcome
            if lname and negative and lname in env and lval.is_const:
                rejected = _rejected_substring_rules(lval.const)
                if rejected:
                    env[lname] = self.clear_val(env[lname], rejected)
            # Q not in x[1:-1]: with a quote at both ends, x is one plain string literal
            if negative and lval.is_const and lval.const in _QUOTE_CHARS and isinstance(right, nodes.Subscript):
                inner = _var_name(right.value)
                if inner and inner in env:
                    env[inner] = self.literal_fact(env[inner], "~nq")
            return
        if isinstance(test, nodes.Call) and outcome:
            func = test.func
            # <normalised path>.startswith(base): path traversal barrier
            if isinstance(func, nodes.Attribute) and func.attrname in ("startswith", "endswith"):
                name = _var_name(func.expr)
                if name and name in env:
                    v = env[name]
                    arg = self.expr(test.args[0], dict(env)) if test.args else CLEAN
                    if arg.is_const and arg.const in _QUOTE_CHARS:
                        env[name] = self.literal_fact(v, "~sq" if func.attrname == "startswith" else "~eq")
                    elif func.attrname == "startswith" and all("~norm" in t.cleared for t in v.all_taints()):
                        env[name] = self.clear_val(v, frozenset({"PIV014"}))
                return
            qual = self.qual_of(func, env)
            san = self.model.sanitizer_for(qual, None, None)
            checked = test.args[0] if test.args else next((k.value for k in test.keywords or [] if k.arg == "url"), None)
            if san is not None and san.guard and checked is not None:
                name = _var_name(checked)
                if name and name in env:
                    env[name] = self.clear_val(env[name], san.clears)

    def literal_fact(self, val: Val, fact: str) -> Val:
        """Record one of: starts with a quote, ends with one, none inside. All
        three make the value a single string literal: harmless to eval/exec."""
        def add(t: Taint) -> Taint:
            t = t.clear(frozenset({fact}))
            if {"~sq", "~eq", "~nq"} <= t.cleared:
                t = t.clear(frozenset({"PIV002"}))
            return t

        return val.map_taints(add) if val.all_taints() else val

    def clear_val(self, val: Val, rules: frozenset[str]) -> Val:
        if ALL in rules:
            return Val(const=val.const, qual=val.qual)
        return val.map_taints(lambda t: t.clear(rules)) if val.all_taints() else val

    # -- assignment -----------------------------------------------------------------

    def assign(self, target: Any, val: Val, env: Env, value_node: Any) -> None:
        if isinstance(target, (nodes.AssignName, nodes.Name)):
            name = target.name
            if val.taints and not val.items and not val.keys:
                val = replace(val, taints=tuple(t.step(target, f"'{name}' is assigned tainted data") for t in val.taints))
            env[name] = val
            for k in [k for k in env if k.startswith(name + ".")]:
                del env[k]
            return
        if isinstance(target, (nodes.Tuple, nodes.List)):
            elts = target.elts
            if val.items is not None and len(val.items) == len(elts) and not any(isinstance(e, nodes.Starred) for e in elts):
                for e, v in zip(elts, val.items):
                    self.assign(e, v, env, value_node)
            else:
                flat = val.flat()
                for e in elts:
                    self.assign(e.value if isinstance(e, nodes.Starred) else e, flat, env, value_node)
            return
        if isinstance(target, nodes.Starred):
            self.assign(target.value, val.flat(), env, value_node)
            return
        if isinstance(target, (nodes.AssignAttr, nodes.Attribute)):
            base = _var_name(target.expr)
            if base:
                env[f"{base}.{target.attrname}"] = val
            return
        if isinstance(target, nodes.Subscript):
            container = self.expr(target.value, env)
            key = self.expr(target.slice, env)
            name = _var_name(target.value)
            if container.qual:
                sinks = self.model.sinks_for(container.qual + ".__setitem__", None)
                for sink in sinks:  # args: 0 = the key, 1 = the value
                    for i, part in ((0, key), (1, val)):
                        if i in sink.args:
                            self.hit(sink.rule, target, part, sink.api.replace(".__setitem__", "[...]"))
            if not name:
                return
            if container.keys is not None and key.is_const:
                d = dict(container.keys)
                d[key.const] = val
                env[name] = Val(keys=tuple(d.items()), qual=container.qual)
            elif container.items is not None and key.is_const and isinstance(key.const, int) and -len(container.items) <= key.const < len(container.items):
                items = list(container.items)
                items[key.const] = val
                env[name] = replace(container, items=tuple(items))
            elif val.all_taints():
                env[name] = with_taint(container, val.all_taints())

    # -- expressions ----------------------------------------------------------------

    def qual_of(self, node: Any, env: Env) -> str | None:
        if isinstance(node, nodes.Name):
            v = env.get(node.name)
            return v.qual if v is not None else qualified(node)
        if isinstance(node, nodes.Attribute):
            base = self.qual_of(node.expr, env)
            return f"{base}.{node.attrname}" if base else None
        return None

    def expr(self, node: Any, env: Env) -> Val:  # noqa: C901 - one dispatch
        if node is None:
            return CLEAN
        if isinstance(node, nodes.Const):
            return Val(const=node.value)
        if isinstance(node, nodes.Name):
            if node.name in env:
                return env[node.name]
            qual = self.qual_of(node, env)
            return self.source_or_qual(node, qual)
        if isinstance(node, nodes.Attribute):
            base = _var_name(node.expr)
            if base and f"{base}.{node.attrname}" in env:
                return env[f"{base}.{node.attrname}"]
            recv = self.expr(node.expr, env)
            if recv.qual:
                v = self.source_or_qual(node, f"{recv.qual}.{node.attrname}")
                if recv.taints and not v.taints:  # a field of a tainted object (summaries of methods: "self")
                    v = replace(v, taints=recv.taints)
                return v
            return derived(node, [recv])
        if isinstance(node, nodes.JoinedStr):
            parts = [self.expr(v, env) for v in node.values]
            consts = [_const_of(p) for p in parts]
            if all(c is not NOCONST for c in consts):
                return Val(const="".join(str(c) for c in consts))
            first = consts[0] if consts else NOCONST
            if fixes_host(first):
                return derived(node, parts, "formatted into an f-string").map_taints(lambda t: t.clear(frozenset({"~suffix"})))
            return derived(node, parts, "formatted into an f-string")
        if isinstance(node, nodes.FormattedValue):
            v = self.expr(node.value, env)
            if node.format_spec is not None:
                self.expr(node.format_spec, env)
            c = _const_of(v)
            if c is not NOCONST and node.conversion in (-1, None) and node.format_spec is None:
                return Val(const=str(c))
            return v.flat() if not v.is_const else CLEAN
        if isinstance(node, nodes.BinOp):
            return self.binop(node, node.op, self.expr(node.left, env), self.expr(node.right, env))
        if isinstance(node, nodes.BoolOp):
            vals = [self.expr(v, env) for v in node.values]
            for v in vals:  # short-circuit on constants
                t = self.truth(v)
                if t is None:
                    break
                if (node.op == "or") == t:
                    return v
            else:
                return vals[-1]
            out = vals[0]
            for v in vals[1:]:
                out = join(out, v)
            return out
        if isinstance(node, nodes.UnaryOp):
            v = self.expr(node.operand, env)
            c = _const_of(v)
            if c is not NOCONST:
                try:
                    return Val(const={"not": operator.not_, "-": operator.neg, "+": operator.pos, "~": operator.invert}[node.op](c))
                except Exception:
                    return CLEAN
            return CLEAN if node.op == "not" else v.flat()
        if isinstance(node, nodes.Compare):
            left = self.expr(node.left, env)
            result: Any = True
            for op, right_node in node.ops:
                right = self.expr(right_node, env)
                a, b = _const_of(left), _const_of(right)
                r = _safe_compare(op, a, b) if a is not NOCONST and b is not NOCONST else NOCONST
                if r is NOCONST:
                    result = NOCONST
                elif result is not NOCONST:
                    result = result and r
                left = right
            return Val(const=result) if result is not NOCONST else CLEAN
        if isinstance(node, nodes.IfExp):
            t = self.truth(self.expr(node.test, env))
            if t is True:
                return self.expr(node.body, env)
            if t is False:
                return self.expr(node.orelse, env)
            e1, e2 = dict(env), dict(env)
            self.refine(node.test, e1, True)
            self.refine(node.test, e2, False)
            return join(self.expr(node.body, e1), self.expr(node.orelse, e2))
        if isinstance(node, (nodes.List, nodes.Tuple, nodes.Set)):
            items: list[Val] = []
            for e in node.elts:
                if isinstance(e, nodes.Starred):
                    v = self.expr(e.value, env)
                    if v.items is None:
                        return derived(node, [self.expr(x, env) for x in node.elts])
                    items += v.items
                else:
                    items.append(self.expr(e, env))
            if isinstance(node, nodes.Set):
                return Val(items=tuple(items)) if not any(i.all_taints() for i in items) else derived(node, items)
            c = [_const_of(i) for i in items]
            const = tuple(c) if isinstance(node, nodes.Tuple) and all(x is not NOCONST for x in c) else NOCONST
            return Val(items=tuple(items), const=const, shell_list=_is_shell_prefix(items))
        if isinstance(node, nodes.Dict):
            pairs: list[tuple[Any, Val]] = []
            loose: list[Val] = []
            for k, v in node.items:
                if isinstance(k, nodes.DictUnpack):
                    loose.append(self.expr(v, env))
                    continue
                kv = self.expr(k, env)
                vv = self.expr(v, env)
                if kv.is_const:
                    pairs.append((kv.const, vv))
                else:
                    loose += [kv, vv]
            if loose:
                return derived(node, [Val(keys=tuple(pairs))] + loose)
            return Val(keys=tuple(pairs))
        if isinstance(node, nodes.Subscript):
            return self.subscript(node, env)
        if isinstance(node, nodes.Slice):
            return derived(node, [self.expr(x, env) for x in (node.lower, node.upper, node.step) if x is not None])
        if isinstance(node, nodes.Call):
            return self.call(node, env)
        if isinstance(node, (nodes.ListComp, nodes.SetComp, nodes.GeneratorExp, nodes.DictComp)):
            cenv = dict(env)
            parts: list[Val] = []
            for gen in node.generators:
                it = self.expr(gen.iter, cenv)
                elem = join(CLEAN, *[]) if False else (it.flat() if it.items is None else _join_all(it.items))
                self.assign(gen.target, elem, cenv, gen.iter)
                for cond in gen.ifs:
                    self.expr(cond, cenv)
                    self.refine(cond, cenv, True)
            if isinstance(node, nodes.DictComp):
                parts += [self.expr(node.key, cenv), self.expr(node.value, cenv)]
            else:
                parts.append(self.expr(node.elt, cenv))
            return derived(node, parts, "collected by a comprehension")
        if isinstance(node, nodes.NamedExpr):
            v = self.expr(node.value, env)
            self.assign(node.target, v, env, node.value)
            return v
        if isinstance(node, (nodes.Await, nodes.Starred)):
            return self.expr(node.value, env)
        if isinstance(node, nodes.Lambda):
            return CLEAN
        return CLEAN

    def source_or_qual(self, node: Any, qual: str | None) -> Val:
        if qual is None:
            return CLEAN
        if qual in self.const_quals:
            return Val(const=self.const_quals[qual])
        kind = self.model.sources.get(qual)
        if kind:
            return Val(taints=(Taint(f"src:{kind}", ((node, f"untrusted data from {qual}"),)),))
        return Val(qual=qual)

    def binop(self, node: Any, op: str, a: Val, b: Val) -> Val:
        ca, cb = _const_of(a), _const_of(b)
        if ca is not NOCONST and cb is not NOCONST:
            out = _safe_binop(op, ca, cb)
            if out is not NOCONST:
                return const_val(out)
        if op == "+" and fixes_host(ca) and b.all_taints():
            return Val(taints=tuple(t.step(node, "appended to a fixed URL prefix").clear(frozenset({"~suffix"})) for t in b.all_taints()))
        if op == "+" and a.items is not None and b.items is not None:
            items = a.items + b.items
            return Val(items=items, shell_list=_is_shell_prefix(list(items)))
        if op == "/" and (a.qual or a.all_taints()):  # pathlib join keeps the path
            return derived(node, [a, b], "joined into a path")
        if op == "%" and b.keys is not None:
            return derived(node, [a] + [v for _, v in b.keys], "formatted with %")
        return derived(node, [a, b], "concatenated" if op == "+" else f"combined with '{op}'")

    def subscript(self, node: Any, env: Env) -> Val:
        container = self.expr(node.value, env)
        key = self.expr(node.slice, env)
        if container.keys is not None and key.is_const:
            d = dict(container.keys)
            if key.const in d:
                return d[key.const]
            return CLEAN if not container.taints else container.flat()
        if container.items is not None and key.is_const and isinstance(key.const, int):
            if -len(container.items) <= key.const < len(container.items):
                return container.items[key.const]
        if isinstance(node.slice, nodes.Slice) and container.items is not None:
            lo, hi, st = (self.expr(x, env) if x is not None else Val(const=None) for x in (node.slice.lower, node.slice.upper, node.slice.step))
            if lo.is_const and hi.is_const and st.is_const:
                try:
                    return Val(items=container.items[slice(lo.const, hi.const, st.const)])
                except Exception:
                    pass
        cc, kc = _const_of(container), _const_of(key)
        if cc is not NOCONST and kc is not NOCONST:
            try:
                return const_val(cc[slice(*kc) if isinstance(kc, slice) else kc])
            except Exception:
                return CLEAN
        if container.qual and not container.all_taints():
            return self.source_or_qual(node, container.qual + "[]") if (container.qual + "[]") in self.model.sources else CLEAN
        return derived(node, [container], "")

    # -- calls ----------------------------------------------------------------------

    def call(self, node: Any, env: Env) -> Val:  # noqa: C901
        func = node.func
        recv: Val | None = None
        method: str | None = None
        if isinstance(func, nodes.Attribute):
            method = func.attrname
            recv = self.expr(func.expr, env)
            fval = self.expr(func, env) if recv.qual else CLEAN
            qual = f"{recv.qual}.{method}" if recv.qual else None
        else:
            fval = self.expr(func, env)
            qual = fval.qual
        args = [self.expr(a, env) for a in node.args]
        kwargs = {kw.arg: self.expr(kw.value, env) for kw in (node.keywords or []) if kw.arg}
        for kw in node.keywords or []:
            if kw.arg is None:
                args.append(self.expr(kw.value, env).flat())
        # a source called (request.get_json(), input())
        if fval.taints and fval.qual is None and fval.items is None and fval.keys is None and (qual or isinstance(func, nodes.Name)):
            return fval  # a source called: request.get_json(), input()
        kind = self.model.sources.get(qual or "")
        if kind:
            return Val(taints=(Taint(f"src:{kind}", ((node, f"untrusted data from {qual}()"),)),))
        if self.check_sinks(node, qual, method, recv, args, kwargs, env):
            return CLEAN  # a sink's result (a response, a process, a parsed tree) is not the input itself
        # sanitizers and normalisers
        name = func.attrname if isinstance(func, nodes.Attribute) else (func.name if isinstance(func, nodes.Name) else None)
        extra = self.extra_sanitizers.get(qual or "") or self.extra_sanitizers.get(name or "")
        san = self.model.sanitizer_for(qual, method if recv is not None else None, name)
        if extra is not None or (san is not None and not san.guard):
            clears = extra if extra is not None else san.clears  # type: ignore[union-attr]
            first = args[0] if args else (next(iter(kwargs.values())) if kwargs else CLEAN)
            if san is not None and extra is None and san.api.startswith("*.") and recv is not None and not args:
                first = recv  # querydict.urlencode(safe="/"): the receiver is what is encoded
            c = _const_of(first)
            if ALL in clears:
                if c is not NOCONST and qual in ("builtins.int", "builtins.float", "builtins.bool", "builtins.len"):
                    try:
                        return Val(const={"builtins.int": int, "builtins.float": float, "builtins.bool": bool, "builtins.len": len}[qual](c))
                    except Exception:
                        return CLEAN
                return CLEAN
            return first.map_taints(lambda t: t.step(node, f"passed through {name or qual}()").clear(clears))
        prop = self.model.propagators.get(qual or "")
        if prop is not None:  # only these arguments reach the result (translate_url(url, lang): the url)
            picked = [args[i] for i in prop[0] if i < len(args)] + [kwargs[k] for k in prop[1] if k in kwargs]
            return derived(node, picked, f"passed through {_short(qual)}()")
        if self.model.is_normalizer(qual, method):
            base = recv if (method and recv is not None and not args) else (args[0] if args else CLEAN)
            return base.map_taints(lambda t: t.step(node, f"normalised by {name}()").clear(frozenset({"~norm"})))
        if qual and qual.endswith("XMLParser"):
            resolving = kwargs.get("resolve_entities")
            flags = frozenset({"xxe"}) if resolving is not None and resolving.const is True else frozenset()
            return Val(qual=qual + "()", flags=flags)
        if qual in ("urllib.parse.urlparse", "urllib.parse.urlsplit", "urlparse.urlparse", "urlparse.urlsplit") and node.args:
            src_name = _var_name(node.args[0])
            out = derived(node, args, "parsed as a URL")
            return replace(out, flags=frozenset({f"urlof:{src_name}"})) if src_name else out
        self.last_receiver = recv
        resolved = self.resolve_call(self, node, qual, args, kwargs)
        if resolved is not None:
            return resolved
        if recv is not None:
            return self.method_call(node, func, method or "", recv, args, kwargs, env)
        return self.builtin_call(node, qual, args, kwargs, fval)

    def builtin_call(self, node: Any, qual: str | None, args: list[Val], kwargs: dict[str, Val], fval: Val) -> Val:
        if qual in _FOLDABLE_BUILTINS and args and not kwargs:
            consts = [_const_of(a) for a in args]
            if all(c is not NOCONST for c in consts):
                try:
                    out = _FOLDABLE_BUILTINS[qual](*consts)
                    if not isinstance(out, (str, bytes)) or len(out) <= MAX_STR:
                        return const_val(out)
                except Exception:
                    pass
        if qual in ("builtins.str", "builtins.repr", "builtins.bytes", "builtins.bytearray", "builtins.format"):
            if args and _const_of(args[0]) is not NOCONST and qual == "builtins.str":
                return Val(const=str(_const_of(args[0])))
            return derived(node, args)
        if qual in ("builtins.list", "builtins.tuple", "builtins.sorted", "builtins.reversed"):
            if args and args[0].items is not None:
                items = args[0].items
                if qual == "builtins.reversed":
                    items = tuple(reversed(items))
                return Val(items=items) if qual != "builtins.sorted" else Val(taints=_join_all(items).all_taints())
            return derived(node, args)
        if qual in ("builtins.dict",):
            if not args and kwargs:
                return Val(keys=tuple(kwargs.items()))
            if args and args[0].keys is not None:
                return args[0]
            return derived(node, args + list(kwargs.values()))
        if qual in ("builtins.print", "builtins.isinstance", "builtins.issubclass", "builtins.hasattr", "builtins.getattr", "builtins.range", "builtins.type", "builtins.any", "builtins.all", "builtins.min", "builtins.max", "builtins.sum", "builtins.chr", "builtins.hex", "builtins.oct", "builtins.bin"):
            if qual in ("builtins.min", "builtins.max", "builtins.chr"):
                return derived(node, args)
            return CLEAN
        if qual and qual.startswith("builtins.") and qual[9:] in ("enumerate", "zip", "map", "filter", "iter", "next", "set", "frozenset"):
            return derived(node, args)
        if qual and not qual.startswith("builtins.") and not args and not kwargs:
            return Val(qual=qual + "()")
        return derived(node, args, f"passed through {_short(qual)}()" if qual else "")

    def method_call(self, node: Any, func: Any, method: str, recv: Val, args: list[Val], kwargs: dict[str, Val], env: Env) -> Val:
        name = _var_name(func.expr)
        if method == "setFeature" and name and len(args) == 2 and (args[0].qual or "").endswith(("feature_external_ges", "feature_external_pes")):
            if args[1].const is True:
                env[name] = replace(recv, flags=recv.flags | {"xxe"})
            elif args[1].const is False:
                env[name] = replace(recv, flags=recv.flags - {"xxe"})
            return CLEAN
        # list/dict models with element precision
        if recv.items is not None and name:
            items = list(recv.items)
            if method == "append" and len(args) == 1:
                env[name] = Val(items=tuple(items + [args[0]]), shell_list=recv.shell_list or _is_shell_prefix(items + [args[0]]))
                return CLEAN
            if method == "extend" and len(args) == 1 and args[0].items is not None:
                env[name] = Val(items=tuple(items + list(args[0].items)), shell_list=recv.shell_list or _is_shell_prefix(items + list(args[0].items)))
                return CLEAN
            if method == "insert" and len(args) == 2 and args[0].is_const and isinstance(args[0].const, int):
                items.insert(args[0].const, args[1])
                env[name] = Val(items=tuple(items))
                return CLEAN
            if method == "pop":
                idx = args[0].const if args and args[0].is_const else (-1 if not args else None)
                if isinstance(idx, int) and items and -len(items) <= idx < len(items):
                    out = items.pop(idx)
                    env[name] = Val(items=tuple(items))
                    return out
            if method == "remove" and args and args[0].is_const:
                for i, v in enumerate(items):
                    if v.is_const and v.const == args[0].const:
                        del items[i]
                        env[name] = Val(items=tuple(items))
                        break
                return CLEAN
            if method == "reverse":
                env[name] = Val(items=tuple(reversed(items)))
                return CLEAN
            if method in ("copy",):
                return recv
            if method in ("index", "count"):
                return CLEAN
        # ConfigParser-style two-level stores: set(section, key, value) / get(section, key)
        if method == "set" and name and len(args) == 3 and args[0].is_const and args[1].is_const and (recv.keys is not None or (recv.qual or "").endswith("()")):
            d = dict(recv.keys or ())
            d[(args[0].const, args[1].const)] = args[2]
            env[name] = replace(recv, keys=tuple(d.items()))
            return CLEAN
        if method == "get" and recv.keys is not None and len(args) >= 2 and args[0].is_const and args[1].is_const:
            d = dict(recv.keys)
            return d.get((args[0].const, args[1].const), CLEAN)
        if recv.keys is not None and name:
            d = dict(recv.keys)
            if method == "get" and args and args[0].is_const:
                if args[0].const in d:
                    return d[args[0].const]
                return args[1] if len(args) > 1 else CLEAN
            if method in ("setdefault",) and args and args[0].is_const:
                d.setdefault(args[0].const, args[1] if len(args) > 1 else CLEAN)
                env[name] = Val(keys=tuple(d.items()))
                return d[args[0].const]
            if method == "update" and len(args) == 1 and args[0].keys is not None:
                d.update(dict(args[0].keys))
                env[name] = Val(keys=tuple(d.items()))
                return CLEAN
            if method == "pop" and args and args[0].is_const:
                out = d.pop(args[0].const, args[1] if len(args) > 1 else CLEAN)
                env[name] = Val(keys=tuple(d.items()))
                return out
            if method == "keys":
                return Val(items=tuple(Val(const=k) for k in d))
            if method == "values":
                return Val(items=tuple(d.values()))
            if method == "items":
                return Val(items=tuple(Val(items=(Val(const=k), v)) for k, v in d.items()))
            if method == "copy":
                return recv
        # constant folding of str methods
        rc = _const_of(recv)
        if rc is not NOCONST and isinstance(rc, (str, bytes)) and method in _STR_METHODS | _CLEAN_METHODS:
            cargs = [_const_of(a) for a in args]
            if all(c is not NOCONST for c in cargs) and not kwargs:
                try:
                    return const_val(getattr(rc, method)(*cargs))
                except Exception:
                    pass
        if method in _CLEAN_METHODS:
            return CLEAN
        # mutation: tainted data stored into the receiver
        if method in _MUTATORS and name and any(a.all_taints() for a in args):
            taints = tuple(t for a in args for t in a.all_taints())
            env[name] = with_taint(recv, tuple(t.step(node, f"stored into '{name}'") for t in taints))
            return CLEAN
        if method == "join" and args:
            if rc is not NOCONST and args[0].items is not None:
                parts = [_const_of(v) for v in args[0].items]
                if all(isinstance(p, str) for p in parts) and isinstance(rc, str):
                    return Val(const=rc.join(parts))
            return derived(node, [recv] + args, "joined")
        if method == "format":
            return derived(node, [recv] + args + list(kwargs.values()), "formatted with str.format")
        if method == "replace" and len(args) >= 2 and args[0].is_const and args[1].is_const and len(args) == 2:
            sub, repl = args[0].const, args[1].const
            rules = _rejected_substring_rules(sub) if isinstance(repl, str) and isinstance(sub, str) and sub not in repl else frozenset()
            out = derived(node, [recv], "")
            return out.map_taints(lambda t: t.clear(rules)) if rules else out
        if method in _STR_METHODS:
            return derived(node, [recv] + (args if method == "replace" else []), "")
        if method == "get" and recv.qual is None:
            return derived(node, [recv], "")
        parts = [recv] + args  # keyword arguments of unknown calls are options or lookups, not the result
        if recv.qual and not any(p.all_taints() for p in parts):
            return Val(qual=f"{recv.qual}.{method}()")  # e.g. configparser.ConfigParser(): keep the type
        return derived(node, parts, "")

    def check_sinks(self, node: Any, qual: str | None, method: str | None, recv: Val | None, args: list[Val], kwargs: dict[str, Val], env: Env) -> bool:
        sinks = self.model.sinks_for(qual, method if recv is not None else None)
        for sink in sinks:
            self.check_sink(node, sink, recv, args, kwargs)
        return bool(sinks)

    def check_sink(self, node: Any, sink: Sink, recv: Val | None, args: list[Val], kwargs: dict[str, Val]) -> None:
        label = sink.api.lstrip("*.")
        values: list[Val] = [args[i] for i in sink.args if i < len(args)]
        values += [kwargs[k] for k in sink.kwargs if k in kwargs]
        mode = sink.mode
        if sink.receiver and recv is not None:
            values.append(recv)
        if mode == "subprocess":
            if not args and "args" not in kwargs:
                return
            cmd = args[0] if args else kwargs["args"]
            shell = kwargs.get("shell")
            shell_on = shell is not None and (shell.const is True or not shell.is_const)
            if cmd.items is not None and not shell_on:
                if cmd.shell_list:
                    self.hit(sink.rule, node, _join_all(cmd.items), f"{label}() running a shell")
                elif cmd.items:
                    self.hit(sink.rule, node, cmd.items[0], f"{label}() as the program")
                return
            if not shell_on:
                # without a shell a string is one program name: tainted means the attacker picks the program
                self.hit(sink.rule, node, cmd, f"{label}() as the program")
                return
            self.hit(sink.rule, node, cmd, f"{label}(shell=True)")
            return
        if mode == "program":
            v = values[0] if values else None
            if v is not None:
                self.hit(sink.rule, node, v.items[0] if v.items else v, f"{label}() as the program")
            return
        if mode == "yaml":
            loader = kwargs.get("Loader") or (args[1] if len(args) > 1 else None)
            if loader is not None and loader.qual and loader.qual.rsplit(".", 1)[-1] in ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"):
                return
        if mode == "numpy":
            allow = kwargs.get("allow_pickle")
            if allow is None or allow.const is not True:
                return
        if mode == "torch":
            wo = kwargs.get("weights_only")
            if wo is not None and wo.const is True:
                return
        if mode == "response":
            ctype = kwargs.get("content_type") or kwargs.get("mimetype") or kwargs.get("media_type")
            if ctype is not None and isinstance(ctype.const, str) and "html" not in ctype.const.lower():
                return  # text/plain, application/json...: not rendered as HTML
        if mode == "response" and values and values[0].items:
            values = [values[0].items[0]]  # make_response((body, status, headers)): only the body is HTML
        if mode == "ldap" and len(args) < 2 and not (set(kwargs) & set(sink.kwargs)):
            return  # a one-argument search() is a regex or text search, not LDAP
        if mode == "xml":
            parser = kwargs.get("parser") or (args[1] if len(args) > 1 else None)
            if parser is None or "xxe" not in parser.flags:
                return
            values = values[:1]
        if mode == "sql":
            # parameterized query: the query itself is what matters
            values = values[:1] if values else []
        if mode == "redirect":
            values = [_prefix_only(v) for v in values]
        if mode == "url":
            values = [_prefix_only(v) for v in values]
        if mode == "pathobj" and recv is not None:
            values = [recv] if all("~pathobj" not in t.cleared for t in recv.all_taints()) else []
        for v in values:
            self.hit(sink.rule, node, v, f"{label}()", sink.kind)


def _prefix_only(v: Val) -> Val:
    """Taint behind a constant prefix that fixes the host ("/profile?next=" + x,
    "https://api.example.com/" + x) cannot send the user or the request
    elsewhere: binop/f-strings mark it "~suffix"."""
    return v.map_taints(lambda t: None if "~suffix" in t.cleared else t)


def fixes_host(prefix: Any) -> bool:
    """A URL prefix after which the host can no longer change."""
    if not isinstance(prefix, str) or not prefix:
        return False
    return bool(_HOST_FIXED.match(prefix))


def _is_shell_prefix(items: list[Val]) -> bool:
    if len(items) < 2 or not items[0].is_const or not items[1].is_const:
        return False
    prog = str(items[0].const).replace("\\", "/").rsplit("/", 1)[-1].lower()
    return prog in ("sh", "bash", "zsh", "dash", "ksh", "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh") and str(items[1].const).lower() in ("-c", "/c", "-command", "/k")


def _rejected_substring_rules(sub: Any) -> frozenset[str]:
    """Rules a value is safe for once it is known not to contain `sub`."""
    if not isinstance(sub, str) or not sub:
        return frozenset()
    if sub in _QUOTE_CHARS:
        return frozenset({"PIV023", "PIV017", "PIV009"})  # cannot leave a quoted literal
    if sub in ("..", "../", "..\\"):
        return frozenset({"PIV014"})
    if sub in ("\n", "\r"):
        return frozenset({"PIV010", "PIV026"})
    return frozenset()


def _join_all(vals: tuple[Val, ...] | list[Val]) -> Val:
    out: Val = CLEAN
    for v in vals:
        out = join(out, v)
    return out


def _var_name(node: Any) -> str | None:
    if isinstance(node, (nodes.Name, nodes.AssignName)):
        return node.name
    if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Name) and node.func.name in ("str", "repr") and node.args:
        return _var_name(node.args[0])
    return None


def _short(qual: str | None) -> str:
    return (qual or "").rsplit(".", 1)[-1]
