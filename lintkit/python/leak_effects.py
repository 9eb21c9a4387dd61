"""Effects of one CFG node on the open instances of a leak analysis (`leak_scope.py`).

`Effects` reads a statement or expression in evaluation order and emits ops:
("acq", site) a call acquires a resource; ("bind", name, tokens) a name now
aliases these tokens; ("rel", tokens) released; ("esc", tokens) handed over
(returned, stored, registered, wrapped by an owner); ("wrel", token) released
by a `with` exit when the kind's context manager releases; ("fact", f) a flag
fact; ("site-fact", site, f) a fact about one acquisition; ("end",) the node
is done (temporaries that were not bound are lost).
Tokens are names, `#<site>` for a fresh value and `recv:<name>` for a receiver
that became the resource.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from astroid import nodes

from lintkit.python.names import dotted
from lintkit.python.resources import is_owning, is_registrar, matches
from lintkit.python.walk import nodes_of

if TYPE_CHECKING:
    from lintkit.python.leak_scope import ScopeAnalysis

_COMPREHENSIONS = (nodes.ListComp, nodes.SetComp, nodes.DictComp, nodes.GeneratorExp)


class Effects:
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
            if index is not None:
                # `fd, path = mkstemp()`: `path` is set exactly when `fd` is open.
                sid = self.an.site_by_node[id(value_node)]
                for i, elt in enumerate(target.elts):
                    if i != index and isinstance(elt, nodes.AssignName):
                        self.ops.append(("site-fact", sid, f"T:{elt.name}"))
            if index is None and v:
                self.ops.append(("esc", v))  # unpacking a tracked value: too clever to follow
        elif isinstance(target, nodes.Starred):
            self.bind_target(target.value, v, None)

    def _tokens_of(self, val: Any) -> frozenset[str]:
        if isinstance(val, nodes.Name):
            return frozenset({val.name})
        if isinstance(val, nodes.Call):
            sid = self.an.site_by_node.get(id(val))
            return frozenset({f"#{sid}"}) if sid is not None else frozenset()
        return frozenset()

    def _tuple_index(self, value_node: Any) -> int | None:
        if not isinstance(value_node, nodes.Call):
            return None
        sid = self.an.site_by_node.get(id(value_node))
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
        if method == "__init__" and all_args:
            self.ops.append(("esc", all_args))  # super().__init__(sock): the base class may keep it
            return frozenset()
        found = an.summaries.lookup(qname, an.scope)
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
        acquired = None if (self.in_comprehension and not an.strict) else an.kind_of_call(c, qname)
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
        # A summary that accounts for every argument replaces the guesses below.
        summarized = found is not None and not found[0].get("varargs")
        if matches(an.cat.owning_transfer, qname, method):
            # os.dup2(f.fileno(), 1): the descriptor behind `f` is what is handed over.
            handed = all_args | frozenset().union(*(self._tokens_of(a.func.expr) for a in arg_nodes if _is_fileno(a)))
            if handed:
                self.ops.append(("esc", handed))
        elif all_args and not summarized and (self._looks_like_wrapper(qname, acquired, func) or self._injected(c)):
            self.ops.append(("esc", all_args))  # an object we do not track owns it now (FileResponse(f))
        return frozenset()

    def _injected(self, c: nodes.Call) -> bool:
        """`connection = create_connection(sock, ...)` where `create_connection`
        is a parameter: code this analysis cannot see builds an object from the
        resource, which keeps it. (A call whose result is dropped, such as a
        `callback(proc)` notification, hands nothing over.)"""
        func = c.func
        if not isinstance(func, nodes.Name) or isinstance(c.parent, nodes.Expr) or self.an.is_module:
            return False
        args = self.an.scope.args
        return func.name in {a.name for a in [*(args.posonlyargs or []), *(args.args or []), *(args.kwonlyargs or [])]}

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


def _is_fileno(node: Any) -> bool:
    return isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute) and node.func.attrname == "fileno" and not node.args
