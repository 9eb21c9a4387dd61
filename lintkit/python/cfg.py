"""Per-function control-flow graphs over astroid nodes, and a forward solver.

One graph per function body (or module body); nested functions, lambdas and
classes get their own graphs, comprehensions are evaluated in place as part of
the statement that holds them (their names never leak into the function).

Nodes are statements or synthetic steps of compound statements (an `if`
test, a `for` step, a `with` enter/exit, an `except` clause). Every node that
may raise has an *exceptional* edge to where the exception goes: the
innermost `except` dispatch, a copy of the enclosing `finally` body / `with`
exit, or the function's raise-exit. `finally` bodies are built once per
continuation (fall-through, exception, return, break, continue), so paths
through them stay precise; a fixed node budget bounds the duplication.

Exceptional edges carry the state from *before* the raising node: its effects
did not happen (an `open()` that raises acquired nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from heapq import heappop, heappush
from typing import Any, Callable, Iterable

from astroid import nodes

from lintkit.python.walk import nodes_of

ENTRY, EXIT, RAISE = 0, 1, 2
DEFAULT_NODE_BUDGET = 4000
DEFAULT_STEP_BUDGET = 200_000


class BudgetExceeded(Exception):
    """The function is too large or branchy to analyze within the budget."""


@dataclass
class Node:
    id: int
    kind: str  # entry exit raise stmt expr return for_step with_enter with_exit handler case nop
    ast: Any = None
    succ: list[tuple[int, Any]] = field(default_factory=list)  # (target, label); label=(test, bool) on branches
    exc: list[int] = field(default_factory=list)

    @property
    def line(self) -> int:
        return int(getattr(self.ast, "lineno", 0) or getattr(self.ast, "fromlineno", 0) or 0)


@dataclass
class CFG:
    scope: Any
    nodes: list[Node]

    def preds(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {n.id: [] for n in self.nodes}
        for n in self.nodes:
            for target, _ in n.succ:
                out[target].append(n.id)
            for target in n.exc:
                out[target].append(n.id)
        return out


Target = Callable[[], int]


@dataclass
class _Env:
    exc: Target
    ret: Target
    brk: Target | None = None
    cont: Target | None = None


def _lazy(build: Callable[[], int]) -> Target:
    cache: list[int] = []

    def get() -> int:
        if not cache:
            cache.append(build())
        return cache[0]

    return get


_SCOPES = (nodes.Lambda, nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef)


def _default_call_may_raise(_call: Any) -> bool:
    return True


def _never_ends_process(_call: Any) -> bool:
    return False


class _Builder:
    def __init__(self, scope: Any, call_may_raise: Callable[[Any], bool], budget: int, ends_process: Callable[[Any], bool]) -> None:
        self.scope = scope
        self.call_may_raise = call_may_raise
        self.ends_process = ends_process
        self.budget = budget
        self.nodes: list[Node] = []
        for kind in ("entry", "exit", "raise"):
            self.new(kind, scope)

    # -- graph primitives ------------------------------------------------------

    def new(self, kind: str, ast: Any = None) -> int:
        if len(self.nodes) >= self.budget:
            raise BudgetExceeded(f"more than {self.budget} control-flow nodes")
        node = Node(len(self.nodes), kind, ast)
        self.nodes.append(node)
        return node.id

    def link(self, preds: Iterable[tuple[int, Any]], target: int) -> None:
        for src, label in preds:
            self.nodes[src].succ.append((target, label))

    def step(self, kind: str, ast: Any, preds: list[tuple[int, Any]], env: _Env, raises: bool | None = None) -> int:
        nid = self.new(kind, ast)
        self.link(preds, nid)
        if raises if raises is not None else self.may_raise(ast):
            self.nodes[nid].exc.append(env.exc())
        return nid

    def may_raise(self, ast: Any) -> bool:
        """Calls, awaits, yields, raise and assert may raise; names and constants do not."""
        if ast is None:
            return False
        if isinstance(ast, (nodes.Raise, nodes.Assert)):
            return True
        stack = [ast]
        while stack:
            cur = stack.pop()
            if isinstance(cur, (nodes.Await, nodes.Yield, nodes.YieldFrom)):
                return True
            if isinstance(cur, nodes.Call) and self.call_may_raise(cur):
                return True
            for child in cur.get_children():
                if not isinstance(child, _SCOPES):
                    stack.append(child)
        return False

    # -- statements ------------------------------------------------------------

    def block(self, body: list[Any], preds: list[tuple[int, Any]], env: _Env) -> list[tuple[int, Any]]:
        for stmt in body:
            if not preds:
                break  # unreachable code after return/raise/break/continue
            preds = self.stmt(stmt, preds, env)
        return preds

    def stmt(self, s: Any, preds: list[tuple[int, Any]], env: _Env) -> list[tuple[int, Any]]:
        if isinstance(s, nodes.If):
            test = self.step("expr", s.test, preds, env)
            then = self.block(s.body, [(test, (s.test, True))], env)
            other = self.block(s.orelse, [(test, (s.test, False))], env)
            return then + other
        if isinstance(s, nodes.While):
            return self.while_(s, preds, env)
        if isinstance(s, (nodes.For, nodes.AsyncFor)):
            return self.for_(s, preds, env)
        if isinstance(s, (nodes.With, nodes.AsyncWith)):
            return self.with_(s, preds, env)
        if isinstance(s, (nodes.Try, getattr(nodes, "TryStar", nodes.Try))):
            return self.try_(s, preds, env)
        if isinstance(s, nodes.Match):
            return self.match(s, preds, env)
        if isinstance(s, nodes.Return):
            nid = self.step("return", s, preds, env)
            self.link([(nid, None)], env.ret())
            return []
        if isinstance(s, nodes.Raise) or (isinstance(s, nodes.Assert) and isinstance(s.test, nodes.Const) and not s.test.value):
            self.step("stmt", s, preds, env, raises=True)  # `assert False` never falls through
            return []
        if isinstance(s, nodes.Expr) and isinstance(s.value, nodes.Call) and self.ends_process(s.value):
            self.step("stmt", s, preds, env, raises=False)
            return []  # `os._exit(0)`: the process ends here, nothing after it runs
        if isinstance(s, nodes.Break):
            if env.brk is not None:
                self.link(preds, env.brk())
            return []
        if isinstance(s, nodes.Continue):
            if env.cont is not None:
                self.link(preds, env.cont())
            return []
        # Nested defs/classes bind a name here; their bodies are other graphs.
        raises = False if isinstance(s, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef)) else None
        nid = self.step("stmt", s, preds, env, raises=raises)
        return [(nid, None)]

    def while_(self, s: Any, preds: list[tuple[int, Any]], env: _Env) -> list[tuple[int, Any]]:
        head = self.step("expr", s.test, preds, env)
        after = self.new("nop", s)
        inner = _Env(env.exc, env.ret, brk=lambda: after, cont=lambda: head)
        body_end = self.block(s.body, [(head, (s.test, True))], inner)
        self.link(body_end, head)
        forever = isinstance(s.test, nodes.Const) and bool(s.test.value)
        if not forever:
            self.link(self.block(s.orelse, [(head, (s.test, False))], env), after)
        return [(after, None)]

    def for_(self, s: Any, preds: list[tuple[int, Any]], env: _Env) -> list[tuple[int, Any]]:
        init = self.step("expr", s.iter, preds, env)
        # Advancing an iterator runs user code (a file's readline, a generator).
        literal = isinstance(s.iter, (nodes.List, nodes.Tuple, nodes.Set, nodes.Const, nodes.Name))
        raises = not literal or isinstance(s, nodes.AsyncFor)
        # A non-empty literal (`for fd in (0, 1, 2)`, `range(3)`) runs the body at
        # least once: the first step cannot find the iterator exhausted.
        first = self.step("for_step", s, [(init, None)], env, raises=raises) if _never_empty(s.iter) else None
        head = self.step("for_step", s, [] if first is not None else [(init, None)], env, raises=raises)
        after = self.new("nop", s)
        inner = _Env(env.exc, env.ret, brk=lambda: after, cont=lambda: head)
        entry = [(head, "iterate")] + ([(first, "iterate")] if first is not None else [])
        body_end = self.block(s.body, entry, inner)
        self.link(body_end, head)
        self.link(self.block(s.orelse, [(head, "exhausted")], env), after)
        return [(after, None)]

    def _through(self, final: Callable[[list[tuple[int, Any]], _Env], list[tuple[int, Any]]], outer: _Env, target: Target, kind: str, ast: Any) -> Target:
        """A lazily built copy of a cleanup (finally body, with exit) that continues to `target`."""

        def build() -> int:
            entry = self.new("nop", ast)
            ends = final([(entry, kind)], outer)
            if ends:
                self.link(ends, target())
            return entry

        return _lazy(build)

    def _cleanup_env(self, final: Callable, outer: _Env, ast: Any, swallow: Target | None = None) -> _Env:
        exc = self._through(final, outer, outer.exc, "exception", ast)
        if swallow is not None:  # a suppressing context manager: the exception may also end here
            base_exc = exc

            def build() -> int:
                entry = self.new("nop", ast)
                self.link([(entry, None)], base_exc())
                self.link([(entry, None)], swallow())
                return entry

            exc = _lazy(build)
        return _Env(
            exc=exc,
            ret=self._through(final, outer, outer.ret, "return", ast),
            brk=self._through(final, outer, outer.brk, "break", ast) if outer.brk else None,
            cont=self._through(final, outer, outer.cont, "continue", ast) if outer.cont else None,
        )

    def with_(self, s: Any, preds: list[tuple[int, Any]], env: _Env) -> list[tuple[int, Any]]:
        enter = self.step("with_enter", s, preds, env, raises=any(self.may_raise(expr) for expr, _ in s.items) or isinstance(s, nodes.AsyncWith))

        def final(ps: list[tuple[int, Any]], e: _Env) -> list[tuple[int, Any]]:
            nid = self.new("with_exit", s)
            self.link(ps, nid)
            return [(nid, None)]

        after = self.new("nop", s)
        suppress = any(_is_suppress(item) for item, _ in s.items)
        inner = self._cleanup_env(final, env, s, swallow=(lambda: after) if suppress else None)
        body_end = self.block(s.body, [(enter, None)], inner)
        self.link(final(body_end, env) if body_end else [], after)
        return [(after, None)]

    def try_(self, s: Any, preds: list[tuple[int, Any]], env: _Env) -> list[tuple[int, Any]]:
        finalbody = list(getattr(s, "finalbody", []) or [])
        inside = env
        if finalbody:
            inside = self._cleanup_env(lambda ps, e: self.block(finalbody, ps, e), env, s)
        body_env = inside
        handlers = list(getattr(s, "handlers", []) or [])
        if handlers:
            dispatch = self.new("nop", s)
            body_env = _Env(lambda: dispatch, inside.ret, inside.brk, inside.cont)
        start = self.new("nop", s)
        self.link(preds, start)
        ends = self.block(s.body, [(start, None)], body_env)
        ends = self.block(list(s.orelse or []), ends, inside) if s.orelse else ends
        if handlers:
            catch_all = False
            for handler in handlers:
                hid = self.new("handler", handler)
                self.link([(dispatch, None)], hid)
                ends = ends + self.block(handler.body, [(hid, None)], inside)
                catch_all = catch_all or _catches_all(handler)
            if not catch_all:  # labelled: the analyses may know which types the handlers cover
                self.link([(dispatch, "uncaught")], inside.exc())
        if finalbody and ends:
            ends = self.block(finalbody, ends, env)
        return ends

    def match(self, s: Any, preds: list[tuple[int, Any]], env: _Env) -> list[tuple[int, Any]]:
        cur: list[tuple[int, Any]] = [(self.step("expr", s.subject, preds, env), None)]
        ends: list[tuple[int, Any]] = []
        for case in s.cases:
            cid = self.step("case", case, cur, env, raises=self.may_raise(case.guard))
            ends += self.block(case.body, [(cid, "match")], env)
            cur = [] if _irrefutable(case) else [(cid, "nomatch")]
        return ends + cur

    def build(self) -> CFG:
        env = _Env(exc=lambda: RAISE, ret=lambda: EXIT)
        body = self.scope.body if isinstance(self.scope.body, list) else [self.scope.body]
        ends = self.block(body, [(ENTRY, None)], env)
        self.link(ends, EXIT)
        return CFG(self.scope, self.nodes)


def _never_empty(iterable: Any) -> bool:
    """A literal with elements, or `range(n)` / `range(a, b)` with constants a < b."""
    if isinstance(iterable, (nodes.List, nodes.Tuple, nodes.Set)):
        return bool(iterable.elts) and not any(isinstance(e, nodes.Starred) for e in iterable.elts)
    if isinstance(iterable, nodes.Call) and isinstance(iterable.func, nodes.Name) and iterable.func.name == "range" and not iterable.keywords:
        if not 1 <= len(iterable.args) <= 2 or not all(isinstance(a, nodes.Const) and type(a.value) is int for a in iterable.args):
            return False
        bounds: list[int] = [a.value for a in iterable.args]
        start, stop = (0, bounds[0]) if len(bounds) == 1 else bounds
        return start < stop
    return False


def _catches_all(handler: Any) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, nodes.Tuple) else [handler.type]
    return any(isinstance(n, nodes.Name) and n.name in ("Exception", "BaseException") for n in names)


def _irrefutable(case: Any) -> bool:
    pat = case.pattern
    return case.guard is None and isinstance(pat, nodes.MatchAs) and pat.pattern is None


def _is_suppress(item: Any) -> bool:
    func = item.func if isinstance(item, nodes.Call) else None
    name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", "")
    return name == "suppress"


def build_cfg(
    scope: Any,
    call_may_raise: Callable[[Any], bool] | None = None,
    budget: int = DEFAULT_NODE_BUDGET,
    ends_process: Callable[[Any], bool] | None = None,
) -> CFG:
    """The graph of a FunctionDef/AsyncFunctionDef/Module body. A statement
    calling something `ends_process` says ends the program (`os._exit`,
    `os.execv`, `sys.exit`) has no successor: the path stops there (what the
    process holds, the OS reclaims; a `finally` that `sys.exit` still runs is
    not followed).

    Raises BudgetExceeded when the function needs more than `budget` nodes."""
    try:
        return _Builder(scope, call_may_raise or _default_call_may_raise, budget, ends_process or _never_ends_process).build()
    except RecursionError:
        raise BudgetExceeded("statements nested too deeply") from None


def solve(
    cfg: CFG,
    init: Any,
    transfer: Callable[[Node, Any], Any],
    on_edge: Callable[[Node, Any, Any], Any],
    on_exc: Callable[[Node, Any], Any],
    join: Callable[[Any, Any], Any],
    bottom: Any,
    budget: int = DEFAULT_STEP_BUDGET,
) -> dict[int, Any]:
    """Forward worklist solver: the in-state of every node.

    `transfer(node, in)` gives the out-state of normal edges, `on_edge(node,
    label, out)` refines it per edge (branch conditions), `on_exc(node, in)`
    gives the state an exception carries. States must compare by value; `join`
    must be monotone and the lattice finite (the caller widens)."""
    states: dict[int, Any] = {n.id: bottom for n in cfg.nodes}
    states[ENTRY] = init
    # Lowest id first: ids follow the source order, so a node usually runs
    # after all its predecessors and once per loop iteration, not once per
    # predecessor (a LIFO worklist revisited the same nodes many times).
    work = [ENTRY]
    queued = {ENTRY}
    seen = {ENTRY}
    steps = 0
    while work:
        nid = heappop(work)
        queued.discard(nid)
        steps += 1
        if steps > budget:
            raise BudgetExceeded(f"more than {budget} dataflow steps")
        node = cfg.nodes[nid]
        state = states[nid]
        out = transfer(node, state)
        updates = [(t, on_edge(node, label, out)) for t, label in node.succ]
        if node.exc:
            exc_state = on_exc(node, state)
            updates += [(t, exc_state) for t in node.exc]
        for target, new in updates:
            merged = join(states[target], new)
            if merged != states[target] or target not in seen:
                seen.add(target)
                states[target] = merged
                if target not in queued:
                    queued.add(target)
                    heappush(work, target)
    return states


def scopes(module: Any) -> list[Any]:
    """The module and every function in it (nested ones too), each a separate graph."""
    found: list[Any] = [module]
    found.extend(nodes_of(module, (nodes.FunctionDef, nodes.AsyncFunctionDef)))
    return found
