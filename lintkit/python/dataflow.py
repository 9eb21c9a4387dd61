"""An abstract interpreter for taint: walks one function's statements with an
environment of abstract values (taint labels with their flow, known constants,
element-precise lists/dicts, qualified names of imported objects).

Why an interpreter and not pattern matching: the cases that separate a real
vulnerability from a safe one are about values — a branch that constant folds
away, a variable overwritten before use, a constant element picked from a
container, a sanitizer or a guard on the way. Parameters carry symbolic labels
("p0", "p1", ...) so the same walk yields function summaries.

The interpreter walks statements and expressions and dispatches calls; what it
knows lives beside it: the values (`values.py`), what a branch condition
proves (`guards.py`), the models of builtins and container/str methods
(`callmodels.py`) and which of a sink's arguments matter (`sinks.py`). The
taint models (`models.py`) name sources, sinks, sanitizers and propagators.
"""

from __future__ import annotations

import operator
from dataclasses import replace
from typing import Any, Callable

from astroid import nodes

from lintkit.findings import Location

from lintkit.python.callmodels import builtin_call, method_call, model_call
from lintkit.python.guards import QUOTES, contained, open_quote, quoted, refine, under_folder
from lintkit.python.models import TaintModel
from lintkit.python.names import imported_names, qualified
from lintkit.python.sinks import CONTROLLED, METADATA, check_sinks, fixes_host, is_shell_prefix
from lintkit.python.values import (
    CLEAN,
    Call,
    NOCONST,
    Env,
    Hit,
    Taint,
    Val,
    as_text,
    const_of,
    const_val,
    dedupe,
    derived,
    fold_binop,
    fold_compare,
    join,
    join_all,
    join_env,
    var_name,
    with_taint,
)

def position(node: Any) -> tuple[Any, ...]:
    """Where a sink is: an astroid node of the module, or a Location in a template."""
    if isinstance(node, Location):
        return (node.path, node.line, node.column)
    return (getattr(node, "lineno", 0) or 0, getattr(node, "col_offset", 0) or 0)


_UNARY: dict[str, Callable[[Any], Any]] = {"not": operator.not_, "-": operator.neg, "+": operator.pos, "~": operator.invert}


class Interpreter:
    """Walks one function (or a module body) and records sink hits."""

    def __init__(
        self,
        model: TaintModel,
        resolve_call: Callable[[Interpreter, Any, str | None, list[Val], dict[str, Val]], Val | None],
        flask_route: bool = False,
        extra_sanitizers: dict[str, frozenset[str]] | None = None,
        current_class: Any = None,
        unbound: Callable[[Any], str | None] | None = None,
    ) -> None:
        self.model = model
        self.current_class = current_class  # the class whose method is walked (self.m() calls)
        # what a name bound by no statement may mean (a star import's name)
        self.unbound: Callable[[Any], str | None] = unbound or (lambda node: None)
        self.resolve_call = resolve_call
        self.hits: list[Hit] = []
        self.returned: Val | None = None
        self.flask_route = flask_route
        self.extra_sanitizers = extra_sanitizers or {}
        self.last_receiver: Val | None = None  # the receiver of the call being resolved
        self.const_quals: dict[str, Any] = {}  # e.g. request.path inside a route with a fixed rule
        self._break_envs: list[Env] = []
        self._continue_envs: list[Env] = []
        self._hit_keys: set[tuple[Any, ...]] = set()
        self.calls: list[Call] = []  # tainted values handed to functions of other modules
        # a template render call (`[[render]]`): the module's analysis looks into the template
        self.on_render: Callable[[Interpreter, Any, Any, list[Val], dict[str, Val]], None] | None = None

    # -- reporting ---------------------------------------------------------------

    def hit(self, kind: str, node: Any, val: Val, sink: str, what: str = "") -> None:
        """Record `val` reaching a sink of kind `kind` (each taint once per place and origin)."""
        for t in val.all_taints():
            if not t.live_for(kind):
                continue
            key = (kind, position(node), t.label, t.steps[0][0] if t.steps else None)
            if key in self._hit_keys:
                continue
            self._hit_keys.add(key)
            self.hits.append(Hit(kind, node, t, sink, what))

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
            if isinstance(s.value, nodes.Call) and self.qual_of(s.value.func, env) in self.model.noreturn:
                return None  # abort(404): nothing after it runs
            contained(s.value, env)
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
                env[name] = Val(qual=self.model.canonical(target))
            return env
        if isinstance(s, nodes.Match):
            return self.match_stmt(s, env)
        if isinstance(s, nodes.Delete):
            for t in s.targets:
                if isinstance(t, nodes.Name):
                    env.pop(t.name, None)
            return env
        if isinstance(s, nodes.Assert):
            refine(self, s.test, env, True)
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
            base = var_name(target.expr)
            if base and f"{base}.{target.attrname}" in env:
                return env[f"{base}.{target.attrname}"]
            return derived(target, [self.expr(target.expr, env)])
        return self.expr(target, env)

    def on_return(self, node: Any, val: Val) -> None:
        self.returned = join(self.returned, val) if self.returned is not None else val
        if self.flask_route and val.items is None and val.keys is None:
            self.hit("html", node.value if node.value is not None else node, val, "the response body returned by the route")

    def if_stmt(self, s: Any, env: Env) -> Env | None:
        test = self.expr(s.test, env)
        truth = self.truth(test)
        if truth is True:
            return self.run_body(s.body, env)
        if truth is False:
            return self.run_body(s.orelse, env)
        then_env = dict(env)
        else_env = dict(env)
        refine(self, s.test, then_env, True)
        refine(self, s.test, else_env, False)
        a = self.run_body(s.body, then_env)
        b = self.run_body(s.orelse, else_env) if s.orelse else else_env
        return join_env(a, b)

    def truth(self, val: Val) -> bool | None:
        c = const_of(val)
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
            elem = CLEAN  # iterating a dict gives its constant keys
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
        sc = const_of(subject)
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
            base = var_name(target.expr)
            if base:
                env[f"{base}.{target.attrname}"] = val
            return
        if isinstance(target, nodes.Subscript):
            container = self.expr(target.value, env)
            key = self.expr(target.slice, env)
            name = var_name(target.value)
            if container.qual:
                sinks = self.model.sinks_for(container.qual + ".__setitem__", None)
                for sink in sinks:  # args: 0 = the key, 1 = the value
                    for i, part in ((0, key), (1, val)):
                        if i in sink.args:
                            self.hit(sink.kind, target, part, sink.api.replace(".__setitem__", "[...]"))
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
            return v.qual if v is not None else self.model.canonical(qualified(node) or self.unbound(node))
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
            base = var_name(node.expr)
            if base and f"{base}.{node.attrname}" in env:
                return env[f"{base}.{node.attrname}"]
            recv = self.expr(node.expr, env)
            if "controlled" in recv.flags and node.attrname in METADATA:
                return CLEAN
            if recv.qual:
                v = self.source_or_qual(node, f"{recv.qual}.{node.attrname}")
                if recv.taints and not v.taints:  # a field of a tainted object (summaries of methods: "self")
                    v = replace(v, taints=recv.taints)
                return v
            return derived(node, [recv])
        if isinstance(node, nodes.JoinedStr):
            parts = [self.expr(v, env) for v in node.values]
            consts = [const_of(p) for p in parts]
            if all(c is not NOCONST for c in consts):
                return Val(const="".join(str(c) for c in consts))
            prefix: str | None = ""  # the literal text before each part, while every part so far is known
            for i, (part, const) in enumerate(zip(parts, consts)):
                if prefix is None:
                    break
                if const is NOCONST:
                    parts[i] = under_folder(quoted(part, open_quote(prefix)), prefix)
                    prefix = prefix if all(f"~no:{q}" in t.cleared for t in part.all_taints() for q in QUOTES) else None
                else:
                    prefix += str(const)
            first = consts[0] if consts else NOCONST
            if fixes_host(first):
                return derived(node, parts, "formatted into an f-string").map_taints(lambda t: t.clear(frozenset({"~suffix"})))
            return derived(node, parts, "formatted into an f-string")
        if isinstance(node, nodes.FormattedValue):
            v = self.expr(node.value, env)
            if node.format_spec is not None:
                self.expr(node.format_spec, env)
            c = const_of(v)
            if c is not NOCONST and node.conversion in (-1, None) and node.format_spec is None:
                return Val(const=str(c))
            return as_text(v).flat() if not v.is_const else CLEAN
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
            c = const_of(v)
            if c is not NOCONST:
                try:
                    return Val(const=_UNARY[node.op](c))
                except Exception:
                    return CLEAN
            return CLEAN if node.op == "not" else v.flat()
        if isinstance(node, nodes.Compare):
            left = self.expr(node.left, env)
            result: Any = True
            for op, right_node in node.ops:
                right = self.expr(right_node, env)
                a, b = const_of(left), const_of(right)
                r = fold_compare(op, a, b) if a is not NOCONST and b is not NOCONST else NOCONST
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
            refine(self, node.test, e1, True)
            refine(self, node.test, e2, False)
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
            c = [const_of(i) for i in items]
            const = tuple(c) if isinstance(node, nodes.Tuple) and all(x is not NOCONST for x in c) else NOCONST
            return Val(items=tuple(items), const=const, shell_list=is_shell_prefix(items))
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
            collected: list[Val] = []
            for gen in node.generators:
                it = self.expr(gen.iter, cenv)
                elem = it.flat() if it.items is None else join_all(it.items)
                self.assign(gen.target, elem, cenv, gen.iter)
                for cond in gen.ifs:
                    self.expr(cond, cenv)
                    refine(self, cond, cenv, True)
            if isinstance(node, nodes.DictComp):
                collected += [self.expr(node.key, cenv), self.expr(node.value, cenv)]
            else:
                collected.append(self.expr(node.elt, cenv))
            return derived(node, collected, "collected by a comprehension")
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
        qual = self.model.canonical(qual)
        if qual in self.const_quals:
            return Val(const=self.const_quals[qual])
        kind = self.model.sources.get(qual)
        if kind:
            return Val(taints=(Taint(f"src:{kind}", ((node, f"untrusted data from {qual}"),)),))
        return Val(qual=qual)

    def binop(self, node: Any, op: str, a: Val, b: Val) -> Val:
        ca, cb = const_of(a), const_of(b)
        if ca is not NOCONST and cb is not NOCONST:
            out = fold_binop(op, ca, cb)
            if out is not NOCONST:
                return const_val(out)
        if op == "+" and isinstance(ca, str) and b.all_taints():
            b = under_folder(quoted(b, open_quote(ca)), ca)  # "... name = '" + value, "/srv/files/" + name
        if op == "+" and fixes_host(ca if ca is not NOCONST else self.leftmost_const(node)) and b.all_taints():
            return Val(taints=tuple(t.step(node, "appended to a fixed prefix").clear(frozenset({"~suffix"})) for t in b.all_taints()))
        if op == "+" and a.items is not None and b.items is not None:
            items = a.items + b.items
            return Val(items=items, shell_list=is_shell_prefix(list(items)))
        if op == "/" and (a.qual or a.all_taints()):  # pathlib join keeps the path
            return derived(node, [a, b], "joined into a path")
        if op == "%":
            b = as_text(b) if b.items is None else Val(items=tuple(as_text(i) for i in b.items))
        if op == "%" and b.keys is not None:
            return derived(node, [a] + [v for _, v in b.keys], "formatted with %")
        return derived(node, [a, b], "concatenated" if op == "+" else f"combined with '{op}'")

    def leftmost_const(self, node: Any) -> Any:
        """The literal a `+` chain starts with ("/tasks/" in `"/tasks/" + a + "/" + b`, or
        an f-string's leading text): what follows it, b included, cannot move the host either."""
        left = node.left if isinstance(node, nodes.BinOp) else None
        while isinstance(left, nodes.BinOp) and left.op == "+":
            left = left.left
        if isinstance(left, nodes.JoinedStr) and left.values:  # f"https://host/{a}?q=" + b
            left = left.values[0]
        return left.value if isinstance(left, nodes.Const) else None

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
        cc, kc = const_of(container), const_of(key)
        if cc is not NOCONST and kc is not NOCONST:
            try:
                return const_val(cc[kc])
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
        result = check_sinks(self, node, qual, method, recv, args, kwargs)
        if result is not None:
            name = var_name(func.expr) if isinstance(func, nodes.Attribute) else None
            receiver = env.get(name) if name else None
            if name and receiver is not None and result.taints and (receiver.qual is None or receiver.qual.endswith("()")):
                # cursor.execute(query): its rows are the query's (a module is no receiver)
                env[name] = replace(with_taint(receiver, result.taints), flags=CONTROLLED)
            if qual in self.model.returns:  # re.compile(p): a sink of its pattern, and a re.Pattern
                typed = model_call(self, node, qual, method, recv, args, kwargs) or CLEAN
                return replace(typed, taints=dedupe(typed.taints + result.taints))
            return result
        render = self.model.renders.get(qual or "")
        if render is not None and self.on_render is not None:
            self.on_render(self, node, render, args, kwargs)
        modelled = model_call(self, node, qual, method, recv, args, kwargs)
        if modelled is not None:
            return modelled
        self.last_receiver = recv
        resolved = self.resolve_call(self, node, qual, args, kwargs)
        if resolved is not None:
            return resolved
        if recv is not None:
            return method_call(node, func, method or "", recv, args, kwargs, env)
        return builtin_call(node, qual, args, kwargs)
