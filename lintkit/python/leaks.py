"""Resource leaks: resources not released on every path (PRL rules).

PRL001 resource-leak runs a forward dataflow analysis over each function's
control-flow graph (`cfg.py`). An abstract state is a set of *open
instances*: (acquisition site, the names that alias it, whether it was ever
bound to a name, the line of the first exception that carried it). The
catalogue of resource kinds is data (`rules/models/resources.toml`).

An instance disappears when it is released (`close()`, `os.close`, a
releasing `with`, a function of the code base that closes its parameter), or
when ownership moves elsewhere: returned, yielded (outside `@contextmanager`),
stored on an object, a global or a container, registered (`atexit`,
`ExitStack`, `addCleanup`, a bound `close` handed over as a callback), wrapped
by an owning wrapper, or captured by a nested function.

One rule, three messages (property `leak`):
  never-closed  no path releases it;
  some-paths    released on some normal paths, still open on another
                (at a return, at the end, or overwritten in a loop);
  exception     released on every normal path, but an exception raised between
                acquire and release skips the release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from astroid import nodes

from lintkit.dependencies import derived
from lintkit.python import cfg as cfgmod
from lintkit.python.leak_index import ModuleSummaries
from lintkit.python.names import call_name, dotted, imported_modules, short
from lintkit.python.resources import Catalogue, Kind, is_owning, is_registrar, load_catalogue
from lintkit.python.walk import nodes_of, remember
from lintkit.registry import check

MAX_INSTANCES = 24
_COMPREHENSIONS = (nodes.ListComp, nodes.SetComp, nodes.DictComp, nodes.GeneratorExp)
_NESTED = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef, nodes.Lambda)
_SAFE_CALLS = frozenset({"builtins.len", "builtins.isinstance", "builtins.issubclass", "builtins.id", "builtins.type", "builtins.callable", "builtins.super"})
_CM_DECORATORS = ("contextmanager", "asynccontextmanager", "fixture")


@dataclass(unsafe_hash=True, slots=True)  # immutable by convention: frozen __init__ is 4x slower
class Inst:
    site: int
    aliases: frozenset[str]
    bound: bool = False
    raised: int = 0
    # What this path knows about flag variables since the acquisition:
    # "T:x" (x was set to a true constant), "N:x" (x was set to None).
    facts: frozenset[str] = frozenset()


@dataclass
class Site:
    id: int
    node: Any
    kind: Kind | None  # None: a parameter (summaries only)
    qname: str
    label: str
    param: str = ""
    parent: str = ""  # `cur = conn.cursor()`: closing `conn` closes it too (closed_with_parent kinds)


@dataclass
class Outcome:
    """What the solver saw for one scope."""

    released: dict[int, list[Any]] = field(default_factory=dict)  # site → release nodes
    escaped: set[int] = field(default_factory=set)
    lost: dict[int, list[tuple[Any, bool]]] = field(default_factory=dict)  # site → (node, bound)
    returned_kinds: set[str] = field(default_factory=set)
    returning: set[int] = field(default_factory=set)  # ids of return statements that hand out a resource


# --------------------------------------------------------------------------------
# Summaries of the analyzed code base


class SummaryIndex:
    """Function summaries visible from one module: its own and those of the
    modules it imports (from `ctx.project.summaries['leaks']`)."""

    def __init__(self, local: dict[str, Any], others: list[dict[str, Any]]) -> None:
        self.local = local.get("functions", {}) if local else {}
        self.others = [s for s in others if isinstance(s, dict) and s.get("functions")]
        self._returning: frozenset[str] | None = None
        self._by_suffix: dict[str, list[int]] | None = None  # dotted suffix of a module name -> positions
        self._by_name: dict[str, list[int]] = {}

    def returning_names(self) -> frozenset[str]:
        """Last name of every summarized function that returns a fresh resource
        (asked for every scope: computed once)."""
        if self._returning is None:
            names = {k.rsplit(".", 1)[-1] for k, fn in self.local.items() if fn.get("returns")}
            for summary in self.others:
                names.update(k.rsplit(".", 1)[-1] for k, fn in summary["functions"].items() if fn.get("returns"))
            self._returning = frozenset(names)
        return self._returning

    def lookup(self, call: nodes.Call, qname: str | None, scope: Any) -> tuple[dict[str, Any], int] | None:
        if not qname:
            return None
        if "." not in qname:
            fn = self.local.get(qname)
            return (fn, 0) if fn else None
        head, _, func = qname.rpartition(".")
        if head in ("self", "cls"):
            klass = _enclosing_class(scope)
            fn = self.local.get(f"{klass.name}.{func}") if klass is not None else None
            return (fn, 1) if fn else None
        for i in self._modules_for(head):
            fn = self.others[i]["functions"].get(func)
            if fn:
                return fn, 0
        return None

    def _modules_for(self, head: str) -> list[int]:
        """Positions of the modules `head` may name: the module itself, one it
        is a dotted suffix of, or one that is a dotted suffix of it (the run's
        root need not be the import root). Indexed, not scanned: a monorepo
        has many modules named `utils`."""
        if self._by_suffix is None:
            self._by_suffix = {}
            for i, summary in enumerate(self.others):
                mod = str(summary.get("module", ""))
                self._by_name.setdefault(mod, []).append(i)
                parts = mod.split(".")
                for k in range(len(parts)):
                    self._by_suffix.setdefault(".".join(parts[k:]), []).append(i)
        found = set(self._by_suffix.get(head, ()))
        parts = head.split(".")
        for k in range(1, len(parts)):
            found.update(self._by_name.get(".".join(parts[k:]), ()))
        return sorted(found)


def _enclosing_class(scope: Any) -> Any:
    parent = getattr(scope, "parent", None)
    while parent is not None and not isinstance(parent, (nodes.ClassDef, nodes.Module)):
        if isinstance(parent, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
            return None
        parent = parent.parent
    return parent if isinstance(parent, nodes.ClassDef) else None


# --------------------------------------------------------------------------------
# Per-scope analysis


def _decorated_cm(scope: Any) -> bool:
    decos = getattr(scope, "decorators", None)
    if decos is None:
        return False
    for d in decos.nodes:
        target = d.func if isinstance(d, nodes.Call) else d
        name = dotted(target) or ""
        if name.rsplit(".", 1)[-1] in _CM_DECORATORS:
            return True
    return False


def _walk_own(scope: Any):
    """Nodes of a scope, not descending into nested functions/classes/lambdas."""
    stack = list(scope.get_children())
    while stack:
        cur = stack.pop()
        yield cur
        if isinstance(cur, _NESTED):
            continue
        stack.extend(cur.get_children())


def _own_nodes(scope: Any) -> list[Any]:
    """`_walk_own(scope)` as a list, remembered on the scope node: each check
    and each summary pass analyzes the same scopes again."""
    return remember(scope, "own", lambda s: list(_walk_own(s)))


class ScopeAnalysis:
    def __init__(
        self,
        scope: Any,
        cat: Catalogue,
        summaries: SummaryIndex,
        *,
        strict: bool = False,
        track_params: bool = False,
    ) -> None:
        self.scope = scope
        self.cat = cat
        self.summaries = summaries
        self.strict = strict
        self.track_params = track_params
        self.is_module = isinstance(scope, nodes.Module)
        self.own = _own_nodes(scope)  # one walk, reused by every scope fact and every check
        self.cm = not self.is_module and _decorated_cm(scope)
        self.generator = not self.is_module and any(isinstance(n, (nodes.Yield, nodes.YieldFrom)) for n in self.own)
        self.sites: list[Site] = []
        self._site_by_node: dict[int, int] = {}
        self._ops: dict[int, list[tuple]] = {}
        self.release_methods = cat.release_methods
        self.release_calls = cat.release_calls
        self._qn: dict[int, str | None] = {}
        self.all_types: dict[str, set[str]] = {}
        self._computing_types = False
        self.outcome = Outcome()
        self._node: Any = None
        self._finally_cache: dict[int, frozenset[str]] = {}  # try node → names its handlers release
        self._in_finally: dict[int, frozenset[str]] = {}  # statement → names its finally releases

    # -- scope facts (computed on first use: most scopes acquire nothing) -----

    def qn(self, call: nodes.Call) -> str | None:
        key = id(call)
        if key not in self._qn:
            self._qn[key] = call_name(call)
        return self._qn[key]

    def worth_analyzing(self) -> bool:
        """Does the scope contain a call that may acquire something? (cheap, by name)"""
        tails = self.cat.acquire_tails | self.summaries.returning_names()
        for node in self.own:
            if isinstance(node, nodes.Call):
                func = node.func
                name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", None)
                if name in tails:
                    return True
        return False

    def params_matter(self) -> bool:
        """For summaries: is a parameter released, handed over or returned here?"""
        params = {a.name for a in [*(self.scope.args.posonlyargs or []), *(self.scope.args.args or []), *(self.scope.args.kwonlyargs or [])]}
        for node in self.own:
            if isinstance(node, nodes.Name) and node.name in params:
                parent = node.parent
                if isinstance(parent, (nodes.Call, nodes.Keyword, nodes.Return, nodes.Yield, nodes.Assign, nodes.Tuple, nodes.List, nodes.Dict, nodes.With, nodes.AsyncWith)):
                    return True
                if isinstance(parent, nodes.Attribute) and parent.attrname in self.release_methods:
                    return True
        return False

    @cached_property
    def shared(self) -> set[str]:
        return self._shared_names()

    @cached_property
    def types(self) -> dict[str, str]:
        self._computing_types = True
        try:
            return self._local_types()
        finally:
            self._computing_types = False

    @cached_property
    def lock_receivers(self) -> set[str]:
        return self._released_locks()

    def _shared_names(self) -> set[str]:
        """Names whose binding hands the value to someone else: globals,
        nonlocals, names captured by nested scopes; at module level, names
        read by any function."""
        shared: set[str] = set()
        for node in self.own:
            if isinstance(node, (nodes.Global, nodes.Nonlocal)):
                shared.update(node.names)
            if isinstance(node, _NESTED):
                shared.update(n.name for n in nodes_of(node, nodes.Name))
        return shared

    def _local_types(self) -> dict[str, str]:
        """name → qualified constructor, for names bound once from a call."""
        seen: dict[str, str | None] = {}
        for node in self.own:
            pairs: list[tuple[Any, Any]] = []
            if isinstance(node, nodes.Assign) and len(node.targets) == 1:
                pairs.append((node.targets[0], node.value))
            elif isinstance(node, (nodes.With, nodes.AsyncWith)):
                pairs.extend((var, expr) for expr, var in node.items if var is not None)
            for target, value in pairs:
                if isinstance(target, nodes.AssignName):
                    typ = self._expr_type(value) if isinstance(value, (nodes.Call, nodes.BinOp)) else None
                    if typ:
                        self.all_types.setdefault(target.name, set()).add(typ)
                    if target.name in seen and seen[target.name] != typ:
                        seen[target.name] = None
                    else:
                        seen[target.name] = typ
                elif isinstance(target, nodes.Tuple) and isinstance(value, nodes.Call):
                    qn = self.qn(value) or ""
                    if qn.endswith(".accept") and target.elts and isinstance(target.elts[0], nodes.AssignName):
                        seen[target.elts[0].name] = "socket.socket"
        return {k: v for k, v in seen.items() if v}

    def _expr_type(self, expr: Any) -> str | None:
        if isinstance(expr, nodes.Call):
            qn = self.qn(expr)
            kind = self._kind_of_call(expr, qn, typing_only=True)
            if kind is not None and kind[1]:
                return kind[1]
            return qn
        if isinstance(expr, nodes.BinOp) and expr.op == "/":
            left = self._expr_type(expr.left) if isinstance(expr.left, (nodes.Call, nodes.BinOp)) else self._name_type(expr.left)
            return left if left and "Path" in left else None
        return None

    def _name_type(self, expr: Any) -> str | None:
        if isinstance(expr, nodes.Name):
            if self._computing_types:  # a type derived from another local's type: not followed
                return None
            return self.types.get(expr.name)
        return None

    def _released_locks(self) -> set[str]:
        """Receivers released outside `except` handlers. A lock released only
        when something fails is handed to the caller on success (acquired
        here, released by another method): a deliberate design."""
        found: set[str] = set()
        for node in self.own:
            if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute) and node.func.attrname == "release":
                name = dotted(node.func.expr)
                if name and not _in_handler(node, self.scope):
                    found.add(name)
        return found

    # -- acquisitions ------------------------------------------------------------

    def _kind_of_call(self, call: nodes.Call, qname: str | None, typing_only: bool = False) -> tuple[Kind, str] | None:
        func = call.func
        method = func.attrname if isinstance(func, nodes.Attribute) else None
        recv_type = None
        if method is not None:
            recv = func.expr
            recv_type = self._name_type(recv) or (self._expr_type(recv) if isinstance(recv, nodes.BinOp) else None)
            if recv_type is None and isinstance(recv, nodes.Call):
                recv_type = self.qn(recv)
            if recv_type is None and method == "open" and isinstance(recv, (nodes.Name, nodes.Attribute, nodes.BinOp)) and not typing_only:
                recv_type = _infer_path(recv)
        kind = self.cat.kind_for(qname, method, recv_type)
        if kind is None and not typing_only:
            found = self.summaries.lookup(call, qname, self.scope)
            if found and found[0].get("returns"):
                kind = next((k for k in self.cat.kinds if k.name == found[0]["returns"]), None)
        if kind is None:
            return None
        if kind.lock or kind.receiver:
            return None  # the receiver is the resource: see _receiver_statement
        label = f"{recv_type}.{method}" if recv_type and method and qname != f"{recv_type}.{method}" else (qname or method or "?")
        return kind, label

    def site_for(self, call: Any, kind: Kind, qname: str, label: str) -> int:
        key = id(call)
        if key not in self._site_by_node:
            self._site_by_node[key] = len(self.sites)
            func = getattr(call, "func", None)
            parent = (dotted(func.expr) or "") if kind.closed_with_parent and isinstance(func, nodes.Attribute) else ""
            self.sites.append(Site(len(self.sites), call, kind, qname, label, parent=parent))
        return self._site_by_node[key]

    # -- effects of one CFG node -------------------------------------------------

    def ops_for(self, node: cfgmod.Node) -> list[tuple]:
        key = (node.kind, id(node.ast))
        cached = self._ops.get(key)  # type: ignore[arg-type]
        if cached is not None:
            return cached
        ev = _Evaluator(self)
        ast = node.ast
        if node.kind in ("stmt", "return"):
            ev.statement(ast)
        elif node.kind == "expr":
            ev.value(ast)
        elif node.kind == "for_step":
            ev.unbind_target(ast.target)
        elif node.kind == "with_enter":
            ev.with_enter(ast)
        elif node.kind == "with_exit":
            for i, _item in enumerate(ast.items):
                ev.ops.append(("wrel", f"$with{id(ast)}_{i}"))
                ev.ops.append(("wrel", f"$withc{id(ast)}_{i}"))
        elif node.kind == "handler" and ast.name is not None:
            ev.unbind_target(ast.name)
        elif node.kind == "case":
            ev.value(ast.guard) if ast.guard is not None else None
        ev.ops.append(("end",))
        self._ops[key] = ev.ops  # type: ignore[index]
        return ev.ops

    # -- the dataflow ------------------------------------------------------------

    def transfer(self, node: cfgmod.Node, state: frozenset[Inst]) -> frozenset[Inst]:
        if node.kind in ("entry", "exit", "raise", "nop"):
            return state
        insts = set(state)
        is_return = node.kind == "return"
        for op in self.ops_for(node):
            tag = op[0]
            if tag == "acq":
                insts.add(Inst(op[1], frozenset({f"#{op[1]}"})))
            elif tag == "bind":
                name, toks = op[1], op[2]
                nxt = set()
                stale = {f"T:{name}", f"N:{name}"}
                for inst in insts:
                    hit = bool(inst.aliases & toks)
                    aliases = inst.aliases - {name}
                    if hit:
                        aliases = aliases | {name}
                    if not aliases:
                        self._lose(inst, node)
                        continue
                    nxt.add(Inst(inst.site, aliases, inst.bound or hit, inst.raised, inst.facts - stale))
                insts = nxt
            elif tag == "fact":
                insts = {Inst(i.site, i.aliases, i.bound, i.raised, i.facts | {op[1]}) for i in insts}
            elif tag in ("rel", "esc"):
                toks = op[1]
                keep = set()
                for inst in insts:
                    if inst.aliases & toks:
                        self._record(tag, inst, node, is_return)
                    elif tag == "rel" and self.sites[inst.site].parent in toks:
                        self._record(tag, inst, node, False)  # conn.close() closes its cursors
                    else:
                        keep.add(inst)
                insts = keep
            elif tag == "wrel":
                name = op[1]
                nxt = set()
                for inst in insts:
                    if name not in inst.aliases:
                        nxt.add(inst)
                        continue
                    kind = self.sites[inst.site].kind
                    if kind is None or kind.with_releases or name.startswith("$withc"):
                        self._record("rel", inst, node, False)
                        continue
                    aliases = inst.aliases - {name}
                    if not aliases:
                        self._lose(inst, node)
                        continue
                    nxt.add(Inst(inst.site, aliases, True, inst.raised, inst.facts))
                insts = nxt
            elif tag == "end":
                nxt = set()
                for inst in insts:
                    aliases = frozenset(a for a in inst.aliases if not a.startswith("#"))
                    if not aliases:
                        self._lose(inst, node)
                        continue
                    nxt.add(inst if aliases == inst.aliases else Inst(inst.site, aliases, inst.bound, inst.raised, inst.facts))
                insts = nxt
        return _widen(frozenset(insts))

    def _record(self, tag: str, inst: Inst, node: cfgmod.Node, is_return: bool) -> None:
        if tag == "rel":
            self.outcome.released.setdefault(inst.site, [])
            if node.ast not in self.outcome.released[inst.site]:
                self.outcome.released[inst.site].append(node.ast)
        else:
            self.outcome.escaped.add(inst.site)
            kind = self.sites[inst.site].kind
            if is_return and kind is not None:
                self.outcome.returned_kinds.add(kind.name)
                self.outcome.returning.add(id(node.ast))

    def _lose(self, inst: Inst, node: cfgmod.Node) -> None:
        lost = self.outcome.lost.setdefault(inst.site, [])
        entry = (node.ast, inst.bound)
        if entry not in lost:
            lost.append(entry)

    def on_edge(self, node: cfgmod.Node, label: Any, state: frozenset[Inst]) -> frozenset[Inst]:
        if label == "uncaught" and state:
            # The handlers of this `try` catch I/O failures (OSError) and release
            # the resource there: what escapes them is a programming error
            # (TypeError, KeyError), not the failure a leak report is about.
            handled = self._io_handler_releases(node.ast)
            return frozenset(i for i in state if not (i.aliases & handled)) if handled else state
        if not isinstance(label, tuple) or not state:
            return state
        test, truth = label
        falsy = _falsy_names(test, truth)
        truthy = _truthy_names(test, truth)
        if not falsy and not truthy:
            return state
        # On this branch these instances cannot exist: their alias is None, or a
        # flag set after acquiring them (`close = True`) is false, or a name that
        # was None for them (`_file = None`) is not.
        dead = {f"T:{n}" for n in falsy} | {f"N:{n}" for n in truthy if n not in falsy}
        return frozenset(i for i in state if not (i.aliases & falsy) and not (i.facts & dead))

    def on_exc(self, node: cfgmod.Node, state: frozenset[Inst]) -> frozenset[Inst]:
        # An exception inside the very statement that releases or hands over the
        # resource (`return h, size(p)`, `close_quietly(h)`) is not "between
        # acquire and close": that statement is where the path ends.
        handed = frozenset().union(*(op[1] for op in self.ops_for(node) if op[0] in ("rel", "esc")))
        # A cleanup step inside a `finally` that also releases the resource
        # (`finally: unlock(fd); os.close(fd)`) is part of the release, not code
        # between acquire and release: a failing cleanup is not reported.
        handed = handed | self._finally_releases(node.ast)
        # The latest raise point is the one that skips the release (an earlier
        # exception may have been on its way to a `finally` that would close it).
        line = node.line
        return frozenset(Inst(i.site, i.aliases, i.bound, line, i.facts) for i in state if not (i.aliases & handed))

    def _finally_releases(self, ast: Any) -> frozenset[str]:
        """Names released by the innermost `finally` body that holds `ast`."""
        found = self._in_finally.get(id(ast))
        if found is not None:
            return found
        found = frozenset()
        child, parent = ast, getattr(ast, "parent", None)
        while parent is not None and parent is not self.scope and not isinstance(parent, _NESTED):
            if isinstance(parent, nodes.Try) and child in (parent.finalbody or []):
                found = self._released_names(parent.finalbody)
                break
            child, parent = parent, parent.parent
        self._in_finally[id(ast)] = found
        return found

    def _io_handler_releases(self, try_node: Any) -> frozenset[str]:
        key = id(try_node)
        if key not in self._finally_cache:
            handlers = [h for h in getattr(try_node, "handlers", []) or [] if _catches_io_errors(h)]
            self._finally_cache[key] = self._released_names([s for h in handlers for s in h.body])
        return self._finally_cache[key]

    def _released_names(self, body: list[Any]) -> frozenset[str]:
        """Alias tokens that some call in `body` releases (`x.close()`, `os.close(x)`)."""
        names: set[str] = set()
        for stmt in body:
            for call in [stmt, *_walk_own(stmt)]:
                if not isinstance(call, nodes.Call):
                    continue
                func = call.func
                if call.args and self.qn(call) in self.release_calls:
                    first = call.args[0]
                    if isinstance(first, nodes.Call) and isinstance(first.func, nodes.Attribute):
                        first = first.func.expr  # os.close(sock.fileno())
                    if isinstance(first, nodes.Name):
                        names.add(first.name)
                elif isinstance(func, nodes.Attribute) and func.attrname in self.release_methods:
                    recv = dotted(func.expr)
                    if recv:
                        names.update((recv, f"recv:{recv}"))
        return frozenset(names)

    def call_may_raise(self, call: nodes.Call) -> bool:
        func = call.func
        if isinstance(func, nodes.Attribute) and func.attrname in self.release_methods and not call.args:
            return False
        if isinstance(func, nodes.Attribute) and func.attrname in self.cat.non_raising_methods:
            return False
        if isinstance(func, nodes.Attribute) and not call.args and not call.keywords and func.attrname.startswith(("is_", "has_")):
            return False  # a state predicate (`event.is_set()`, `t.is_alive()`): an accessor
        qn = self.qn(call)
        found = self.summaries.lookup(call, qn, self.scope)
        if found is not None and found[0].get("closes"):
            return False  # a helper that closes what it is given: its own leaks are its own findings
        method = func.attrname if isinstance(func, nodes.Attribute) else None
        if is_registrar(self.cat, qn, method) or method in self.cat.container_methods:
            return False  # handing the resource over: what matters is that it happens
        if call.args and all(isinstance(a, nodes.Name) for a in call.args[:1]) and (
            is_owning(self.cat, qn, method) or (qn or "").rsplit(".", 1)[-1][:1].isupper()
        ):
            return False  # wrapping a handle (TextIOWrapper(raw), os.fdopen(fd)) transfers it
        return not (qn in _SAFE_CALLS or qn in self.release_calls)

    def run(self) -> tuple[cfgmod.CFG, dict[int, frozenset[Inst]]]:
        graph = cfgmod.build_cfg(self.scope, self.call_may_raise)
        init: set[Inst] = set()
        if self.track_params and not self.is_module:
            args = self.scope.args
            for arg in [*(args.posonlyargs or []), *(args.args or []), *(args.kwonlyargs or [])]:
                sid = len(self.sites)
                self.sites.append(Site(sid, arg, None, "", arg.name, param=arg.name))
                init.add(Inst(sid, frozenset({arg.name}), True))
        states = cfgmod.solve(graph, frozenset(init), self.transfer, self.on_edge, self.on_exc, _join, frozenset())
        return graph, states


def _join(a: frozenset[Inst], b: frozenset[Inst]) -> frozenset[Inst]:
    return _widen(a | b)


def _widen(state: frozenset[Inst]) -> frozenset[Inst]:
    """Bound the state: beyond MAX_INSTANCES, merge the instances of each site."""
    if len(state) <= MAX_INSTANCES:
        return state
    merged: dict[int, Inst] = {}
    for inst in state:
        old = merged.get(inst.site)
        if old is None:
            merged[inst.site] = inst
        else:
            raised = min(x for x in (old.raised, inst.raised) if x) if (old.raised or inst.raised) else 0
            merged[inst.site] = Inst(inst.site, old.aliases | inst.aliases, old.bound or inst.bound, raised, old.facts & inst.facts)
    return frozenset(merged.values())


_IO_ERRORS = frozenset({"OSError", "IOError", "EnvironmentError", "socket.error", "error", "select.error"})


def _catches_io_errors(handler: Any) -> bool:
    """Does this `except` clause catch every OSError?"""
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, nodes.Tuple) else [handler.type]
    return any((dotted(t) or "") in _IO_ERRORS for t in types)


def _in_handler(node: Any, scope: Any) -> bool:
    child, parent = node, node.parent
    while parent is not None and parent is not scope:
        if isinstance(parent, nodes.ExceptHandler) and child in parent.body:
            return True
        child, parent = parent, parent.parent
    return False


def _matches_any(patterns: frozenset[str], qname: str | None, method: str | None) -> bool:
    return bool((qname and qname in patterns) or (method and f"*.{method}" in patterns))


def _falsy_names(test: Any, truth: bool) -> frozenset[str]:
    """Names known to be None/falsy on the branch where `test` is `truth`."""
    if isinstance(test, nodes.NamedExpr):
        test = test.target
    if isinstance(test, (nodes.Name, nodes.AssignName)):
        return frozenset() if truth else frozenset({test.name})
    if isinstance(test, nodes.Attribute) and test.attrname == "closed" and isinstance(test.expr, nodes.Name):
        return frozenset({test.expr.name}) if truth else frozenset()  # `if not f.closed: f.close()`
    if isinstance(test, nodes.UnaryOp) and test.op == "not":
        return _falsy_names(test.operand, not truth)
    left = test.left.target if isinstance(test, nodes.Compare) and isinstance(test.left, nodes.NamedExpr) else getattr(test, "left", None)
    if isinstance(test, nodes.Compare) and len(test.ops) == 1 and isinstance(left, (nodes.Name, nodes.AssignName)):
        op, right = test.ops[0]
        if op in ("is", "==", "is not", "!="):
            # `x is None`, and `x is sys.stdin`: on the branch where x is that
            # other object, x holds no fresh resource.
            same = op in ("is", "==")
            return frozenset({left.name}) if truth == same else frozenset()
    if isinstance(test, nodes.BoolOp):
        if test.op == "and" and truth:
            return frozenset().union(*(_falsy_names(v, True) for v in test.values))
        if test.op == "or" and not truth:
            return frozenset().union(*(_falsy_names(v, False) for v in test.values))
    return frozenset()


def _truthy_names(test: Any, truth: bool) -> frozenset[str]:
    """Names known to be truthy / not None on the branch where `test` is `truth`."""
    if isinstance(test, nodes.NamedExpr):
        test = test.target
    if isinstance(test, (nodes.Name, nodes.AssignName)):
        return frozenset({test.name}) if truth else frozenset()
    if isinstance(test, nodes.UnaryOp) and test.op == "not":
        return _truthy_names(test.operand, not truth)
    if isinstance(test, nodes.Compare) and len(test.ops) == 1 and isinstance(test.left, (nodes.Name, nodes.NamedExpr)):
        left = test.left.target if isinstance(test.left, nodes.NamedExpr) else test.left
        op, right = test.ops[0]
        if isinstance(right, nodes.Const) and right.value is None and op in ("is", "==", "is not", "!="):
            not_none_branch = op in ("is not", "!=")
            return frozenset({left.name}) if truth == not_none_branch else frozenset()
    if isinstance(test, nodes.BoolOp) and test.op == "and" and truth:
        return frozenset().union(*(_truthy_names(v, True) for v in test.values))
    return frozenset()


def _infer_path(recv: Any) -> str | None:
    """Is `recv` a pathlib path? (astroid inference, only for `.open()` receivers;
    remembered on the node, since every pass and check asks again)."""
    return remember(recv, "path", _infer_path_now)


def _infer_path_now(recv: Any) -> str | None:
    try:
        for value in recv.infer():
            qn = getattr(value, "qname", lambda: "")()
            if qn.startswith("pathlib.") and "Path" in qn:
                return "pathlib.Path"
            return None
    except Exception:  # inference is best effort
        return None
    return None


class _Evaluator:
    """Turns one node's AST into effect ops, in evaluation order."""

    def __init__(self, an: ScopeAnalysis) -> None:
        self.an = an
        self.ops: list[tuple] = []
        self.in_comprehension = 0

    # -- statements --------------------------------------------------------------

    def statement(self, s: Any) -> None:
        if isinstance(s, nodes.Assign):
            v = self.value(s.value)
            if not v and isinstance(s.value, nodes.Call) and any(isinstance(t, (nodes.AssignAttr, nodes.Subscript)) for t in s.targets):
                # `self._cursor = self._enter(cursor)`: the object keeps what was
                # made from the resource, so it keeps the resource too.
                args = frozenset().union(*(self._tokens_of(a) for a in [*s.value.args, *(k.value for k in s.value.keywords or [])]))
                if args:
                    self.ops.append(("esc", args))
            for target in s.targets:
                self.bind_target(target, v, s.value)
        elif isinstance(s, nodes.AnnAssign):
            if s.value is not None:
                self.bind_target(s.target, self.value(s.value), s.value)
        elif isinstance(s, nodes.AugAssign):
            self.value(s.value)
        elif isinstance(s, nodes.Expr):
            if isinstance(s.value, nodes.Call) and self._receiver_statement(s.value):
                return
            self.value(s.value)
        elif isinstance(s, nodes.Return):
            if s.value is not None:
                v = self.value(s.value)
                if v:
                    self.ops.append(("esc", v))
        elif isinstance(s, nodes.Raise):
            for child in (s.exc, s.cause):
                if child is not None:
                    self.value(child)
        elif isinstance(s, nodes.Delete):
            for target in s.targets:
                if isinstance(target, nodes.DelName):
                    self.ops.append(("bind", target.name, frozenset()))
                else:
                    self.value(target)
        elif isinstance(s, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef)):
            self.capture(s)
            self.ops.append(("bind", s.name, frozenset()))
        elif isinstance(s, nodes.Assert):
            self.value(s.test)
        elif isinstance(s, (nodes.Import, nodes.ImportFrom, nodes.Global, nodes.Nonlocal, nodes.Pass)):
            return
        else:
            for child in s.get_children():
                if isinstance(child, nodes.NodeNG) and not isinstance(child, nodes.Statement):
                    self.value(child)

    def _receiver_statement(self, call: nodes.Call) -> bool:
        """`lock.acquire()`, `manager.start()`: the receiver itself becomes the
        resource (kinds with `lock` or `receiver` in the catalogue)."""
        func = call.func
        if not isinstance(func, nodes.Attribute):
            return False
        recv = dotted(func.expr)
        if recv is None:
            return False
        method = func.attrname
        _ = self.an.types  # also fills all_types
        recv_types = self.an.all_types.get(recv, set()) if isinstance(func.expr, nodes.Name) else set()
        for kind in self.an.cat.kinds:
            if kind.lock:
                if method != "acquire" or recv not in self.an.lock_receivers:
                    continue
                # acquire(blocking=False) / acquire(timeout=...) return a bool the caller must test
                if any(not (isinstance(a, nodes.Const) and a.value is True) for a in [*call.args, *(k.value for k in call.keywords or [])]):
                    continue
            elif not (kind.receiver and any(f"{t}.{method}" in kind.acquire for t in recv_types)):
                continue
            sid = self.an.site_for(call, kind, f"{recv}.{method}", recv)
            self.ops.append(("acq", sid))
            self.ops.append(("bind", f"recv:{recv}", frozenset({f"#{sid}"})))
            return True
        return False

    def with_enter(self, s: Any) -> None:
        for i, (expr, var) in enumerate(s.items):
            v = self.value(expr, managed=True)
            closing = isinstance(expr, nodes.Call) and self.an.qn(expr) in ("contextlib.closing", "contextlib.aclosing")
            self.ops.append(("bind", f"$with{'c' if closing else ''}{id(s)}_{i}", v))
            if var is not None:
                self.bind_target(var, v, expr)

    def unbind_target(self, target: Any) -> None:
        if isinstance(target, str):
            self.ops.append(("bind", target, frozenset()))
            return
        if isinstance(target, nodes.AssignName):
            self.ops.append(("bind", target.name, frozenset()))
        elif isinstance(target, (nodes.Tuple, nodes.List)):
            for elt in target.elts:
                self.unbind_target(elt)
        elif isinstance(target, nodes.Starred):
            self.unbind_target(target.value)

    def bind_target(self, target: Any, v: frozenset[str], value_node: Any) -> None:
        if isinstance(target, nodes.AssignName):
            if target.name in self.an.shared:
                if v:
                    self.ops.append(("esc", v))
                self.ops.append(("bind", target.name, frozenset()))
            else:
                self.ops.append(("bind", target.name, v))
                if isinstance(value_node, nodes.Const) and not v:
                    if value_node.value is None:
                        self.ops.append(("fact", f"N:{target.name}"))
                    elif value_node.value:
                        self.ops.append(("fact", f"T:{target.name}"))
        elif isinstance(target, (nodes.AssignAttr, nodes.Subscript)):
            for child in target.get_children():
                self.value(child)
            if v:
                self.ops.append(("esc", v))
        elif isinstance(target, (nodes.Tuple, nodes.List)):
            if isinstance(value_node, (nodes.Tuple, nodes.List)) and len(value_node.elts) == len(target.elts):
                # Element-wise: values were already evaluated, re-derive their tokens.
                for elt, val in zip(target.elts, value_node.elts):
                    self.bind_target(elt, self._tokens_of(val), val)
                return
            index = self._tuple_index(value_node)
            for i, elt in enumerate(target.elts):
                if index is not None and i == index:
                    self.bind_target(elt, v, None)
                else:
                    self.unbind_target(elt)
            if index is None and v:
                self.ops.append(("esc", v))  # unpacking a tracked value: too clever to follow
        elif isinstance(target, nodes.Starred):
            self.bind_target(target.value, v, None)

    def _tokens_of(self, val: Any) -> frozenset[str]:
        if isinstance(val, nodes.Name):
            return frozenset({val.name})
        if isinstance(val, nodes.Call):
            sid = self.an._site_by_node.get(id(val))
            return frozenset({f"#{sid}"}) if sid is not None else frozenset()
        return frozenset()

    def _tuple_index(self, value_node: Any) -> int | None:
        if not isinstance(value_node, nodes.Call):
            return None
        sid = self.an._site_by_node.get(id(value_node))
        if sid is None:
            return None
        site = self.an.sites[sid]
        if site.kind is None:
            return None
        table = dict(site.kind.tuple_index)
        return table.get(site.qname, table.get(site.label))

    def capture(self, scope: Any) -> None:
        """A nested function/lambda/class that reads a tracked name may close it later."""
        names = frozenset(n.name for n in nodes_of(scope, nodes.Name))
        if names:
            self.ops.append(("esc", names))

    # -- expressions -------------------------------------------------------------

    def value(self, e: Any, managed: bool = False) -> frozenset[str]:
        """Emit the ops of evaluating `e`; return the tokens its value may alias."""
        if e is None:
            return frozenset()
        if isinstance(e, nodes.Name):
            return frozenset({e.name})
        if isinstance(e, nodes.Call):
            return self.call(e, managed)
        if isinstance(e, (nodes.Tuple, nodes.List, nodes.Set)):
            return frozenset().union(*(self.value(x) for x in e.elts)) if e.elts else frozenset()
        if isinstance(e, nodes.Dict):
            out: frozenset[str] = frozenset()
            for k, v in e.items:
                self.value(k)
                out |= self.value(v)
            return out
        if isinstance(e, nodes.IfExp):
            self.value(e.test)
            return self.value(e.body) | self.value(e.orelse)
        if isinstance(e, nodes.BoolOp):
            return frozenset().union(*(self.value(v) for v in e.values))
        if isinstance(e, nodes.NamedExpr):
            v = self.value(e.value)
            self.bind_target(e.target, v, e.value)
            return v
        if isinstance(e, (nodes.Await, nodes.Starred)):
            return self.value(e.value)
        if isinstance(e, (nodes.Yield, nodes.YieldFrom)):
            v = self.value(e.value)
            if v and not self.an.cm:
                self.ops.append(("esc", v))
            return frozenset()
        if isinstance(e, nodes.Subscript):
            self.value(e.value)
            self.value(e.slice)
            return frozenset()
        if isinstance(e, nodes.Lambda):
            self.capture(e)
            return frozenset()
        if isinstance(e, _COMPREHENSIONS):
            self.in_comprehension += 1
            for child in e.get_children():
                self.value(child)
            self.in_comprehension -= 1
            return frozenset()
        if isinstance(e, nodes.Comprehension):
            self.value(e.iter)
            for cond in e.ifs:
                self.value(cond)
            return frozenset()
        if isinstance(e, nodes.Attribute):
            self.value(e.expr)
            return frozenset()
        for child in e.get_children():
            self.value(child)
        return frozenset()

    def call(self, c: nodes.Call, managed: bool) -> frozenset[str]:
        an = self.an
        func = c.func
        qname = an.qn(c)
        method = func.attrname if isinstance(func, nodes.Attribute) else None
        recv_v = self.value(func.expr) if isinstance(func, nodes.Attribute) else frozenset()
        if not isinstance(func, (nodes.Attribute, nodes.Name)):
            self.value(func)
        arg_nodes = [*c.args, *(k.value for k in c.keywords or [])]
        arg_vals = [self.value(a) for a in arg_nodes]
        all_args = frozenset().union(*arg_vals) if arg_vals else frozenset()
        # A bound release method handed to anyone (atexit.register(f.close), addCleanup(f.close)).
        for a in arg_nodes:
            if isinstance(a, nodes.Attribute) and a.attrname in an.release_methods:
                toks = self._tokens_of(a.expr)
                if toks:
                    self.ops.append(("esc", toks))
        # Release: os.close(fd), r.close(), lock.release().
        if qname in an.release_calls and arg_vals:
            first = arg_nodes[0]
            if isinstance(first, nodes.Call) and isinstance(first.func, nodes.Attribute) and first.func.attrname == "fileno":
                # os.close(sock.fileno()): wrong for sockets (PRL003) but not a leak
                self.ops.append(("rel", self._tokens_of(first.func.expr)))
            self.ops.append(("rel", arg_vals[0]))
            return frozenset()
        if method is not None and method in an.release_methods:
            recv_name = dotted(func.expr)
            toks = recv_v | ({f"recv:{recv_name}"} if recv_name else set())
            if toks:
                self.ops.append(("rel", frozenset(toks)))
            return frozenset()
        if method == "__exit__" and recv_v:
            self.ops.append(("rel", recv_v))
            return frozenset()
        if is_registrar(an.cat, qname, method):
            if qname in ("contextlib.closing", "contextlib.aclosing"):
                return all_args
            if all_args:
                self.ops.append(("esc", all_args))
            return frozenset()
        if method in an.cat.container_methods and all_args:
            self.ops.append(("esc", all_args))
            return frozenset()
        found = an.summaries.lookup(c, qname, an.scope)
        if found is not None:
            fn, offset = found
            params = list(fn.get("params", []))
            closes, escapes = set(fn.get("closes", [])), set(fn.get("escapes", []))
            for i, a in enumerate(c.args):
                pi = i + offset
                if pi < len(params) and isinstance(a, nodes.NodeNG):
                    self._param_effect(params[pi], closes, escapes, arg_vals[i])
            for j, kw in enumerate(c.keywords or []):
                self._param_effect(kw.arg or "", closes, escapes, arg_vals[len(c.args) + j])
        acquired = None if (self.in_comprehension and not an.strict) else an._kind_of_call(c, qname)
        owning = is_owning(an.cat, qname, method) and not (an.track_params and qname in ("builtins.open", "io.open"))
        if acquired is not None:
            kind, label = acquired
            if owning and all_args:
                # os.fdopen(fd), ctx.wrap_socket(raw): the old handle now belongs to the new one.
                self.ops.append(("esc", all_args))
            if managed and kind.with_releases:
                return frozenset()
            sid = an.site_for(c, kind, qname or label, label)
            self.ops.append(("acq", sid))
            return frozenset({f"#{sid}"})
        if all_args and owning:
            return all_args  # the wrapper is the same resource under another name
        if all_args and (_matches_any(an.cat.owning_transfer, qname, method) or self._looks_like_wrapper(qname, acquired, func)):
            self.ops.append(("esc", all_args))  # an object we do not track owns it now (FileResponse(f))
        return frozenset()

    def _param_effect(self, param: str, closes: set[str], escapes: set[str], toks: frozenset[str]) -> None:
        if not toks:
            return
        if param in closes:
            self.ops.append(("rel", toks))
        elif param in escapes:
            self.ops.append(("esc", toks))

    def _looks_like_wrapper(self, qname: str | None, acquired: Any, func: Any = None) -> bool:
        """An unknown class constructor given a resource probably owns it (CodeQL's
        view too); so does an injected factory (`transport_factory(sock)`,
        `self.connection_class(sock)`, `environ.get("wsgi.file_wrapper", FileWrapper)(f)`)."""
        if acquired is not None or (qname and qname in self.an.cat.non_owning):
            return False
        if isinstance(func, nodes.Call):
            return True  # the callee is computed: a factory, a looked-up class
        name = qname or (func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", "")) or ""
        last = name.rsplit(".", 1)[-1]
        if last.lower().endswith(("factory", "_class", "_cls")) or last == "cls":
            return True
        return last[:1].isupper() and not last.endswith(("Error", "Exception", "Warning")) and not last.isupper()


# --------------------------------------------------------------------------------
# Reporting


def _label(site: Site) -> str:
    node = site.node
    parent = getattr(node, "parent", None)
    if isinstance(parent, nodes.Await):  # `body = await self.read_body()`
        node, parent = parent, parent.parent
    if isinstance(parent, nodes.Assign) and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, nodes.AssignName):
            return target.name
        if isinstance(target, nodes.Tuple):
            names = [e.name for e in target.elts if isinstance(e, nodes.AssignName)]
            if names:
                return names[0]
    if isinstance(parent, (nodes.With, nodes.AsyncWith)):
        for expr, var in parent.items:
            if expr is node and isinstance(var, nodes.AssignName):
                return var.name
    if site.kind is not None and (site.kind.lock or site.kind.receiver):
        return site.label
    return f"{short(site.qname).rsplit('.', 1)[-1] if '.' in short(site.qname) else short(site.qname)}(...)"


def analyze_scope(scope: Any, ctx: Any, cat: Catalogue, index: SummaryIndex, strict: bool) -> None:
    an = ScopeAnalysis(scope, cat, index, strict=strict)
    if not an.worth_analyzing():
        return
    graph, states = an.run()
    preds = graph.preds()
    normal_exits: dict[int, list[Any]] = {}
    for p in preds[cfgmod.EXIT]:
        node = graph.nodes[p]
        out = an.transfer(node, states[p])
        refined: set[Inst] = set()
        for target, label in node.succ:
            if target == cfgmod.EXIT:
                refined |= an.on_edge(node, label, out)
        for inst in refined:
            normal_exits.setdefault(inst.site, [])
            where = node.ast if node.kind != "entry" else scope
            if where not in normal_exits[inst.site]:
                normal_exits[inst.site].append(where)
    raised: dict[int, list[int]] = {}
    for inst in states[cfgmod.RAISE]:
        raised.setdefault(inst.site, [])
        if inst.raised and inst.raised not in raised[inst.site]:
            raised[inst.site].append(inst.raised)
    for site in an.sites:
        if site.kind is None:
            continue
        lost = an.outcome.lost.get(site.id, [])
        # Sets iterate in hash order, which changes between processes: sort every list.
        lost_bound = sorted((n for n, bound in lost if bound), key=_line_key)
        lost_temp = [n for n, bound in lost if not bound]
        exits = sorted(normal_exits.get(site.id, []), key=_line_key)
        releases = sorted(an.outcome.released.get(site.id, []), key=_line_key)
        what = site.kind.what
        label = _label(site)
        verb = "acquired" if site.kind.lock else "started" if site.kind.name == "process" else "opened"
        line = getattr(site.node, "lineno", 0)
        head = f"'{label}' ({what}) {verb} at line {line}"
        if exits or lost_bound:
            related = [(n, "overwritten here while still open") for n in lost_bound[:2]]
            for n in exits[:3]:
                if isinstance(n, nodes.Return):
                    related.append((n, f"'{label}' is still open when the function returns here"))
                elif n is scope:
                    related.append((n, f"'{label}' is still open at the end of '{getattr(scope, 'name', 'module')}'"))
                else:
                    end = "module" if isinstance(scope, nodes.Module) else "function"
                    related.append((n, f"'{label}' is still open after this statement, at the end of the {end}"))
            if releases:
                message = f"{head} is not {'released' if site.kind.lock else 'closed'} on every path"
                leak = "some-paths"
                related += [(n, "closed here only on some paths") for n in releases[:2]]
            else:
                message = f"{head} is never {'released' if site.kind.lock else 'waited for' if site.kind.name == 'process' else 'closed'}"
                leak = "never-closed"
            fix = site.kind.fix
        elif site.id in raised:
            lines = sorted(raised[site.id])
            message = f"{head} is not {'released' if site.kind.lock else 'closed'} when an exception is raised between acquire and {'release' if site.kind.lock else 'close'} (e.g. at line {lines[0]})"
            leak = "exception"
            related = [((ln, 1), "an exception raised here skips the close") for ln in lines[:3]]
            related += [(n, "closed here only on the normal path") for n in releases[:2]]
            fix = "release it in a `finally` block" if site.kind.lock else "use a `with` statement, or move the close into a `finally` block"
        elif lost_temp and (strict or site.kind.discard_leaks) and not releases and site.id not in an.outcome.escaped:
            message = f"{head} is never {'waited for' if site.kind.name == 'process' else 'closed'}: the object is dropped right away"
            if site.kind.name != "process":
                message += " (CPython closes it by reference counting, PyPy does not)"
            leak = "never-closed"
            related = []
            fix = site.kind.fix
        else:
            continue
        related = [(_loc_of(ctx, n), m) for n, m in related]
        ctx.report("PRL001", site.node, message, related=related, fix=fix, properties={"leak": leak, "kind": site.kind.name})


def _line_key(node: Any) -> tuple[int, int]:
    return (int(getattr(node, "lineno", 0) or getattr(node, "fromlineno", 0) or 0), int(getattr(node, "col_offset", 0) or 0))


def _loc_of(ctx: Any, where: Any) -> Any:
    if isinstance(where, tuple):
        line = where[0]
        text = ctx.lines[line - 1] if 0 < line <= len(ctx.lines) else ""
        col = len(text) - len(text.lstrip()) + 1
        return (line, col, line, max(col + 1, len(text.rstrip()) + 1))
    if isinstance(where, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
        return (where.lineno, (where.col_offset or 0) + 1)
    if isinstance(where, nodes.Module):
        return (max(1, where.tolineno or 1), 1)
    return where


@check("python", ("PRL001",))
def resource_leaks(module: nodes.Module, ctx: Any) -> None:
    cat = load_catalogue()
    strict = bool(ctx.option("PRL001", "strict", False))
    index = summary_index(module, ctx.project.summaries.get("leaks", {}), cat)
    for scope in cfgmod.scopes(module):
        try:
            analyze_scope(scope, ctx, cat, index, strict)
        except cfgmod.BudgetExceeded as exc:
            name = getattr(scope, "name", "module")
            ctx.notify(f"PRL001: '{name}' not analyzed for leaks: {exc}", level="warning", kind="limit", rule="PRL001", where=(scope.lineno or 1, 1))


def summary_index(module: nodes.Module, project: dict[str, Any], cat: Catalogue | None = None) -> SummaryIndex:
    """This module's own summary (computed now, so the pylint plugin and the
    CLI agree) plus the project summaries of the modules it imports."""
    modules = derived(project, ModuleSummaries)
    local = modules.local(module.name)
    if local is None:  # the pylint plugin, or a file outside the run's summaries
        local = _summarize(module, cat or load_catalogue())
    wanted = imported_modules(module)
    others: list[dict[str, Any]] = []
    if wanted:
        heads = {w.rsplit(".", 1)[-1] for w in wanted} | {w for w in wanted}
        others = modules.matching(heads, module.name)
    return SummaryIndex(local, others)


# --------------------------------------------------------------------------------
# Summaries


def _summarize(module: nodes.Module, cat: Catalogue, passes: int = 2) -> dict[str, Any]:
    functions: dict[str, Any] = {}
    scopes = [s for s in cfgmod.scopes(module) if not isinstance(s, nodes.Module)]
    for pass_no in range(passes):
        if pass_no and not functions:
            break  # nothing for a second pass to propagate
        index = SummaryIndex({"functions": dict(functions)}, [])
        known = {k.rsplit(".", 1)[-1] for k in functions}
        for scope in scopes:
            klass = _enclosing_class(scope)
            key = f"{klass.name}.{scope.name}" if klass is not None else scope.name
            if isinstance(scope.parent, (nodes.FunctionDef, nodes.AsyncFunctionDef)) or (
                klass is None and not isinstance(scope.parent, nodes.Module)
            ):
                continue
            if pass_no and not _calls_any(scope, known):
                continue  # no call a summary could match: the first pass's answer stands
            try:
                an = ScopeAnalysis(scope, cat, index, track_params=True)
                if not an.worth_analyzing() and not an.params_matter():
                    continue
                an.run()
            except cfgmod.BudgetExceeded:
                continue
            params = [s.param for s in an.sites if s.kind is None]
            closes = sorted(s.param for s in an.sites if s.kind is None and s.id in an.outcome.released)
            escapes = sorted(s.param for s in an.sites if s.kind is None and s.id in an.outcome.escaped)
            entry: dict[str, Any] = {"params": params}
            if closes:
                entry["closes"] = closes
            if escapes:
                entry["escapes"] = escapes
            returned = sorted(an.outcome.returned_kinds)
            # "returns a fresh resource" only when every `return <value>` does
            # (`execute_sql` returns a cursor for one mode and rows for the others).
            value_returns = [r for r in an.own if isinstance(r, nodes.Return) and r.value is not None
                             and not (isinstance(r.value, nodes.Const) and r.value.value is None)]
            if any(id(r) not in an.outcome.returning for r in value_returns):
                returned = []
            if returned and not an.cm and not an.generator and not scope.name.startswith("__"):
                entry["returns"] = returned[0]
            if closes or escapes or "returns" in entry:
                functions[key] = entry
    return {"module": module.name, "functions": functions}


def _calls_any(scope: Any, names: set[str]) -> bool:
    """Does `scope` call something whose last name is in `names`?"""
    for call in nodes_of(scope, nodes.Call):
        func = call.func
        if (func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", None)) in names:
            return True
    return False


def summarize(module: nodes.Module, relpath: str) -> dict[str, Any]:
    """Cross-file facts: which functions close / keep their parameters, which
    return a fresh resource (the caller must close it)."""
    return _summarize(module, load_catalogue())


# --------------------------------------------------------------------------------
# Used by the bench: every acquisition site lintkit knows about.


def acquisition_lines(module: nodes.Module) -> set[int]:
    cat = load_catalogue()
    index = summary_index(module, {}, cat)
    lines: set[int] = set()
    for scope in cfgmod.scopes(module):
        an = ScopeAnalysis(scope, cat, index, strict=True)
        try:
            an.run()
        except cfgmod.BudgetExceeded:
            continue
        lines.update(getattr(s.node, "lineno", 0) for s in an.sites if s.kind is not None)
    return lines



# --------------------------------------------------------------------------------
# PRL002-PRL004: process timeouts, socket close and connection timeouts


def _popen_names(scope: Any) -> set[str]:
    """Local names bound to a `subprocess.Popen` (assignment or `with ... as`)."""
    found: set[str] = set()
    for node in _own_nodes(scope):
        pairs: list[tuple[Any, Any]] = []
        if isinstance(node, nodes.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, (nodes.With, nodes.AsyncWith)):
            pairs = [(var, expr) for expr, var in node.items if var is not None]
        for target, value in pairs:
            if isinstance(target, nodes.AssignName) and isinstance(value, nodes.Call) and call_name(value) == "subprocess.Popen":
                found.add(target.name)
    return found


def _has_timeout(call: nodes.Call, positional_index: int) -> bool:
    if any(k.arg == "timeout" and not (isinstance(k.value, nodes.Const) and k.value.value is None) for k in call.keywords or []):
        return True
    return len(call.args) > positional_index and not (isinstance(call.args[positional_index], nodes.Const) and call.args[positional_index].value is None)


def _kills_in_handler(call: nodes.Call, recv: str) -> bool:
    """Is `call` inside a `try` whose TimeoutExpired handler (or finally) kills `recv`?"""
    node, child = call.parent, call
    while node is not None and not isinstance(node, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.Module)):
        if isinstance(node, nodes.Try) and child in node.body:
            places = [h for h in node.handlers if _catches_timeout(h)] + ([node] if node.finalbody else [])
            for place in places:
                body = place.body if isinstance(place, nodes.ExceptHandler) else place.finalbody
                for stmt in body:
                    for c in nodes_of(stmt, nodes.Call):
                        if isinstance(c.func, nodes.Attribute) and c.func.attrname in ("kill", "terminate", "send_signal") and dotted(c.func.expr) == recv:
                            return True
        child, node = node, node.parent
    return False


def _catches_timeout(handler: Any) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, nodes.Tuple) else [handler.type]
    for t in types:
        name = dotted(t) or ""
        if name.rsplit(".", 1)[-1] in ("TimeoutExpired", "SubprocessError", "Exception", "BaseException"):
            return True
    return False


@check("python", ("PRL002",))
def subprocess_timeout(module: nodes.Module, ctx: Any) -> None:
    for scope in cfgmod.scopes(module):
        procs = _popen_names(scope)
        if not procs:
            continue
        for node in _own_nodes(scope):
            if not (isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute)):
                continue
            method = node.func.attrname
            recv = dotted(node.func.expr)
            if recv not in procs or method not in ("communicate", "wait"):
                continue
            if not _has_timeout(node, 1 if method == "communicate" else 0):
                continue
            if _kills_in_handler(node, recv):
                continue
            ctx.report(
                "PRL002",
                node,
                f"'{recv}.{method}()' with a timeout leaves the process running when TimeoutExpired is raised: "
                f"catch it, call '{recv}.kill()' and then '{recv}.communicate()'",
                fix=f"except subprocess.TimeoutExpired: {recv}.kill(); {recv}.communicate()",
            )


def _socket_names(scope: Any) -> dict[str, Any]:
    """Local names bound to a new socket → the acquiring call."""
    found: dict[str, Any] = {}
    for node in _own_nodes(scope):
        if isinstance(node, nodes.Assign) and isinstance(node.value, nodes.Call):
            qn = call_name(node.value) or ""
            method = node.value.func.attrname if isinstance(node.value.func, nodes.Attribute) else ""
            is_sock = qn in ("socket.socket", "socket.create_connection", "socket.create_server", "socket.fromfd", "ssl.wrap_socket") or method in ("wrap_socket", "accept")
            if not is_sock:
                continue
            for target in node.targets:
                if isinstance(target, nodes.AssignName):
                    found[target.name] = node.value
                elif isinstance(target, nodes.Tuple) and method == "accept" and target.elts and isinstance(target.elts[0], nodes.AssignName):
                    found[target.elts[0].name] = node.value
        elif isinstance(node, (nodes.With, nodes.AsyncWith)):
            for expr, var in node.items:
                if isinstance(var, nodes.AssignName) and isinstance(expr, nodes.Call) and (call_name(expr) or "").startswith("socket."):
                    found[var.name] = expr
    return found


def _looks_like_socket(name: str | None, sockets: dict[str, Any]) -> bool:
    if not name:
        return False
    last = name.rsplit(".", 1)[-1].lower()
    return name in sockets or last in ("sock", "socket", "conn_sock", "client_sock", "server_sock") or last.endswith(("_sock", "_socket"))


@check("python", ("PRL003",))
def socket_os_close(module: nodes.Module, ctx: Any) -> None:
    for scope in cfgmod.scopes(module):
        sockets = _socket_names(scope)
        fileno_names: dict[str, str] = {}
        for node in _own_nodes(scope):
            if isinstance(node, nodes.Assign) and isinstance(node.value, nodes.Call):
                inner = node.value
                if isinstance(inner.func, nodes.Attribute) and inner.func.attrname == "fileno":
                    recv = dotted(inner.func.expr)
                    if _looks_like_socket(recv, sockets):
                        for target in node.targets:
                            if isinstance(target, nodes.AssignName):
                                fileno_names[target.name] = str(recv)
        for node in _own_nodes(scope):
            if not (isinstance(node, nodes.Call) and call_name(node) == "os.close" and node.args):
                continue
            arg = node.args[0]
            sock = None
            if isinstance(arg, nodes.Call) and isinstance(arg.func, nodes.Attribute) and arg.func.attrname == "fileno":
                recv = dotted(arg.func.expr)
                sock = recv if _looks_like_socket(recv, sockets) else None
            elif isinstance(arg, nodes.Name):
                sock = fileno_names.get(arg.name) or (arg.name if arg.name in sockets else None)
            if sock:
                ctx.report(
                    "PRL003",
                    node,
                    f"socket '{sock}' is closed with os.close() on its descriptor, which does not work on Windows "
                    f"and leaves the socket object open: call '{sock}.close()'",
                    fix=f"{sock}.close()",
                )


_REQUESTS_CALLS = frozenset(f"requests.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request"))


def _sets_default_timeout(module: nodes.Module) -> bool:
    return any(call_name(c) == "socket.setdefaulttimeout" for c in nodes_of(module, nodes.Call))


def _local_or_datagram(call: nodes.Call) -> bool:
    """`socket.socket(AF_UNIX, ...)` / `(..., SOCK_DGRAM)`: connect() does not wait for a remote peer."""
    args = [*call.args, *(k.value for k in call.keywords or [])]
    return any((dotted(a) or "").rsplit(".", 1)[-1] in ("AF_UNIX", "SOCK_DGRAM") for a in args)


@check("python", ("PRL004",))
def connection_timeout(module: nodes.Module, ctx: Any) -> None:
    if _sets_default_timeout(module):
        return
    for scope in cfgmod.scopes(module):
        sockets = {n: c for n, c in _socket_names(scope).items() if call_name(c) == "socket.socket" and not _local_or_datagram(c)}
        timed: set[str] = set()
        connects: list[tuple[nodes.Call, str]] = []
        for node in _own_nodes(scope):
            if not isinstance(node, nodes.Call):
                continue
            qn = call_name(node)
            if qn == "socket.create_connection" and not _has_timeout(node, 1):
                ctx.report(
                    "PRL004",
                    node,
                    "socket.create_connection() without a timeout blocks forever when the peer does not answer",
                    fix="pass timeout=<seconds>",
                )
            elif qn in _REQUESTS_CALLS and not any(k.arg == "timeout" for k in node.keywords or []) and not any(
                k.arg is None for k in node.keywords or []
            ):
                ctx.report(
                    "PRL004",
                    node,
                    f"{qn}() without timeout= waits forever for an unresponsive server",
                    fix="pass timeout=<seconds>",
                )
            elif isinstance(node.func, nodes.Attribute):
                recv = dotted(node.func.expr)
                if recv in sockets:
                    if node.func.attrname in ("settimeout", "setblocking"):
                        timed.add(recv)
                    elif node.func.attrname in ("connect", "connect_ex"):
                        connects.append((node, recv))
        for node, recv in connects:
            if recv not in timed:
                ctx.report(
                    "PRL004",
                    node,
                    f"socket '{recv}' connects without a timeout (no settimeout() before connect()), so it can block forever",
                    fix=f"call {recv}.settimeout(<seconds>) before connect()",
                )
