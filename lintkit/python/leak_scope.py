"""One scope's resource-leak dataflow (PRL001, `leaks.py`).

An abstract state is a set of *open instances*: (acquisition site, the names
that alias it, whether it was ever bound to a name, the line of the first
exception that carried it, flag facts). `ScopeAnalysis` knows the scope's
facts (local types, shared names, released locks), turns each CFG node into
effect ops through `leak_effects.Effects`, and gives the solver (`cfg.solve`)
its transfer, edge and exception functions. Instances disappear when released
or handed over; an instance lost while open is a leak candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from astroid import nodes

from lintkit.python import cfg as cfgmod
from lintkit.python.leak_effects import Effects
from lintkit.python.leak_index import SummaryIndex
from lintkit.python.names import dotted, qualified
from lintkit.python.resources import Catalogue, Kind, is_owning, is_registrar
from lintkit.python.walk import nodes_of, remember

MAX_INSTANCES = 24
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
    # "T:x" (x is truthy: set to a true constant, or tested), "N:x" (x was set
    # to None); "Y": the latest raise came from a `with` body, at a yield.
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
    # site → (node, bound, line of the exception the instance came through, 0 if none)
    lost: dict[int, list[tuple[Any, bool, int]]] = field(default_factory=dict)
    returned_kinds: set[str] = field(default_factory=set)
    returning: set[int] = field(default_factory=set)  # ids of return statements that hand out a resource


def callee(call: nodes.Call) -> str | None:
    """The callee's name as the leak analysis reads it: qualified when it has
    one, else as written (`fh.read`, `self.close_all`); a method of a
    constructed object keeps its class (`pathlib.Path(p).open()` is
    `pathlib.Path.open`)."""
    func = call.func
    if isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Call):
        inner = callee(func.expr)
        return f"{inner}.{func.attrname}" if inner else None
    return qualified(func) or dotted(func)


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


def walk_own(scope: Any):
    """Nodes of a scope, not descending into nested functions/classes/lambdas."""
    stack = list(scope.get_children())
    while stack:
        cur = stack.pop()
        yield cur
        if isinstance(cur, _NESTED):
            continue
        stack.extend(cur.get_children())


def own_nodes(scope: Any) -> list[Any]:
    """`walk_own(scope)` as a list, remembered on the scope node: each check
    and each summary pass analyzes the same scopes again."""
    return remember(scope, "own", lambda s: list(walk_own(s)))


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
        self.own = own_nodes(scope)  # one walk, reused by every scope fact and every check
        self.cm = not self.is_module and _decorated_cm(scope)
        self.generator = not self.is_module and any(isinstance(n, (nodes.Yield, nodes.YieldFrom)) for n in self.own)
        self.sites: list[Site] = []
        self.site_by_node: dict[int, int] = {}
        self._ops: dict[tuple[str, int], list[tuple]] = {}  # (CFG node kind, id of its AST) -> ops
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
            self._qn[key] = callee(call)
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

    @cached_property
    def poll_results(self) -> dict[str, str]:
        """Names only ever bound to `p.poll()` -> p: `status = p.poll(); if status is not None:`."""
        bound: dict[str, set[str | None]] = {}
        for node in self.own:
            if isinstance(node, nodes.AssignName):
                parent = node.parent
                value = parent.value if isinstance(parent, nodes.Assign) and parent.targets == [node] else None
                bound.setdefault(node.name, set()).add(_poll_receiver(value))
        return {name: proc for name, procs in bound.items() if len(procs) == 1 and (proc := next(iter(procs))) is not None}

    @cached_property
    def borrowed(self) -> frozenset[str]:
        """Local names every binding of which is a file object holding no OS
        resource of its own: an in-memory buffer (`io.BytesIO()`), a wrapper
        given a file object instead of a path (`GzipFile(fileobj=buf)`,
        `ZipFile(f)`), or a member such a wrapper opens (`zf.open(name)`)."""
        bindings: dict[str, list[Any]] = {}
        for node in self.own:
            if isinstance(node, nodes.AssignName):
                parent = node.parent
                value = parent.value if isinstance(parent, nodes.Assign) and parent.targets == [node] else None
                if isinstance(parent, (nodes.With, nodes.AsyncWith)):
                    value = next((expr for expr, var in parent.items if var is node), None)
                bindings.setdefault(node.name, []).append(value)
        names: set[str] = set()
        for _ in range(2):  # a wrapper over a buffer bound after it in the text (loops)
            names |= {n for n, values in bindings.items() if all(isinstance(v, nodes.Call) and self._opens_nothing(v, names) for v in values)}
        return frozenset(names)

    def _opens_nothing(self, call: nodes.Call, borrowed: set[str] | frozenset[str]) -> bool:
        """Does `call` make a file object that holds no OS resource of its own?"""
        qname = self.qn(call)
        if qname in self.cat.memory:
            return True
        func = call.func
        member = isinstance(func, nodes.Attribute) and func.attrname in self.cat.member_methods
        if member and isinstance(func.expr, nodes.Name) and func.expr.name in borrowed:
            return True  # a member of an archive over a buffer
        found = self.cat.file_parameters.get(qname or "")
        if found is None:
            return False
        param, always = found
        if always:
            value = next((k.value for k in call.keywords or [] if k.arg == param), None)
            return value is not None and not (isinstance(value, nodes.Const) and value.value is None)
        value = next((k.value for k in call.keywords or [] if k.arg == param), call.args[0] if call.args else None)
        return self._file_object(value, borrowed)

    def _file_object(self, value: Any, borrowed: set[str] | frozenset[str]) -> bool:
        """Recognisably a file object, not a path: a buffer, a borrowed name, or a
        resource of the catalogue (tracked at its own site)."""
        if isinstance(value, nodes.Name):
            typ = self.types.get(value.name)
            return value.name in borrowed or (typ is not None and (typ in self.cat.memory or self.cat.kind_for(typ) is not None))
        if isinstance(value, nodes.Call):
            return self._opens_nothing(value, borrowed) or self.kind_of_call(value, self.qn(value), typing_only=True) is not None
        return False

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
            kind = self.kind_of_call(expr, qn, typing_only=True)
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

    def kind_of_call(self, call: nodes.Call, qname: str | None, typing_only: bool = False) -> tuple[Kind, str] | None:
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
            found = self.summaries.lookup(qname, self.scope)
            if found and found[0].get("returns"):
                kind = next((k for k in self.cat.kinds if k.name == found[0]["returns"]), None)
        if kind is None:
            return None
        if kind.lock or kind.receiver:
            return None  # the receiver is the resource: see _receiver_statement
        if not typing_only and self._opens_nothing(call, self.borrowed):
            return None  # over a buffer or a file object owned elsewhere: no OS resource here
        label = f"{recv_type}.{method}" if recv_type and method and qname != f"{recv_type}.{method}" else (qname or method or "?")
        return kind, label

    def branch_facts(self, node: Any) -> frozenset[str]:
        """"T:x" for each name the branches around an acquisition prove truthy
        (`if src: data = open(src)`): a later `if src:` false branch cannot
        hold it. A rebinding of x drops the fact, as for flag facts."""
        facts: set[str] = set()
        child, parent = node, getattr(node, "parent", None)
        while parent is not None and parent is not self.scope and not isinstance(parent, _NESTED):
            if isinstance(parent, (nodes.If, nodes.IfExp)) and child is not parent.test:
                in_body = child in parent.body if isinstance(parent, nodes.If) else child is parent.body
                facts.update(f"T:{n}" for n in _truthy_names(parent.test, in_body))
            child, parent = parent, parent.parent
        return frozenset(facts)

    def site_for(self, call: Any, kind: Kind, qname: str, label: str) -> int:
        key = id(call)
        if key not in self.site_by_node:
            self.site_by_node[key] = len(self.sites)
            func = getattr(call, "func", None)
            parent = (dotted(func.expr) or "") if kind.closed_with_parent and isinstance(func, nodes.Attribute) else ""
            self.sites.append(Site(len(self.sites), call, kind, qname, label, parent=parent))
        return self.site_by_node[key]

    # -- effects of one CFG node -------------------------------------------------

    def ops_for(self, node: cfgmod.Node) -> list[tuple]:
        key = (node.kind, id(node.ast))
        cached = self._ops.get(key)
        if cached is not None:
            return cached
        ev = Effects(self)
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
        self._ops[key] = ev.ops
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
                insts.add(Inst(op[1], frozenset({f"#{op[1]}"}), facts=self.branch_facts(self.sites[op[1]].node)))
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
            elif tag == "site-fact":  # a fact about one acquisition (`fd, path = mkstemp()`: path is set)
                insts = {Inst(i.site, i.aliases, i.bound, i.raised, i.facts | {op[2]}) if i.site == op[1] else i for i in insts}
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
        entry = (node.ast, inst.bound, inst.raised)
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
        reaped = _reaped(test, truth, self.poll_results)
        if reaped is not None:  # `while p.poll() is None:` ends once poll() has reaped p
            for inst in state:
                if reaped in inst.aliases:
                    self._record("rel", inst, node, False)
            state = frozenset(i for i in state if reaped not in i.aliases)
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
        # Fact "Y": the latest raise is the caller's `with` body raising into a
        # @contextmanager generator at its yield.
        body = {"Y"} if self.cm and node.kind == "stmt" and any(isinstance(n, (nodes.Yield, nodes.YieldFrom)) for n in [node.ast, *walk_own(node.ast)]) else set()
        return frozenset(Inst(i.site, i.aliases, i.bound, line, (i.facts - {"Y"}) | body) for i in state if not (i.aliases & handed))

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
            for call in [stmt, *walk_own(stmt)]:
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
        found = self.summaries.lookup(qn, self.scope)
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

    def ends_process(self, call: nodes.Call) -> bool:
        return self.qn(call) in self.cat.process_exits

    def exits_after(self, stmt: Any) -> bool:
        """Is `stmt` followed, in its block, by a statement that ends the process?"""
        following = stmt.next_sibling() if getattr(stmt, "is_statement", False) else None
        return isinstance(following, nodes.Expr) and isinstance(following.value, nodes.Call) and self.ends_process(following.value)

    def run(self) -> tuple[cfgmod.CFG, dict[int, frozenset[Inst]]]:
        graph = cfgmod.build_cfg(self.scope, self.call_may_raise, ends_process=self.ends_process)
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


def _poll_receiver(value: Any) -> str | None:
    """`p.poll()` -> "p"."""
    if isinstance(value, nodes.Call) and isinstance(value.func, nodes.Attribute) and value.func.attrname == "poll":
        return value.func.expr.name if isinstance(value.func.expr, nodes.Name) and not value.args else None
    return None


def _reaped(test: Any, truth: bool, results: dict[str, str]) -> str | None:
    """The process `test` proves finished and reaped on this branch: `p.poll()`
    returns None while the child runs and its exit status once it has waited
    for it (`p.poll() is None` false, `p.poll() is not None` true, also as a
    conjunct of a true `and`, or through a name bound to `p.poll()`)."""
    if isinstance(test, nodes.BoolOp) and test.op == "and" and truth:
        return next((p for p in (_reaped(v, True, results) for v in test.values) if p), None)
    if not (isinstance(test, nodes.Compare) and len(test.ops) == 1):
        return None
    op, right = test.ops[0]
    left = test.left
    proc = _poll_receiver(left) or (results.get(left.name) if isinstance(left, nodes.Name) else None)
    if proc is None or not (isinstance(right, nodes.Const) and right.value is None) or op not in ("is", "is not", "==", "!="):
        return None
    return proc if truth == (op in ("is not", "!=")) else None


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


