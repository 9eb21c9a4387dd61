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

This module runs the analysis, reports, and summarizes modules for others;
one scope's dataflow is `leak_scope.py` (state, transfer) with
`leak_effects.py` (what each statement does to it), and other modules'
summaries come through `leak_index.py`. The pattern checks PRL002-PRL004
live in `resource_usage.py` (imported here, which registers them).
"""

from __future__ import annotations

from typing import Any

from astroid import nodes

from lintkit.python import cfg as cfgmod
from lintkit.python.leak_index import SummaryIndex, enclosing_class
from lintkit.python.leak_scope import Inst, ScopeAnalysis, Site
from lintkit.python.names import dotted, imported_modules, short
from lintkit.python.resources import Catalogue, load_catalogue
from lintkit.python.walk import nodes_of

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
    # site → (where it is still open at the end, the exception it came through or 0)
    normal_exits: dict[int, list[tuple[Any, int]]] = {}
    for p in preds[cfgmod.EXIT]:
        node = graph.nodes[p]
        out = an.transfer(node, states[p])
        refined: set[Inst] = set()
        for target, label in node.succ:
            if target == cfgmod.EXIT:
                refined |= an.on_edge(node, label, out)
        for inst in refined:
            normal_exits.setdefault(inst.site, [])
            where = (node.ast if node.kind != "entry" else scope, inst.raised)
            if where not in normal_exits[inst.site]:
                normal_exits[inst.site].append(where)
    raised: dict[int, list[int]] = {}
    body_raises: dict[int, int] = {}  # site -> a yield where the caller's `with` body raised
    for inst in states[cfgmod.RAISE]:
        raised.setdefault(inst.site, [])
        if inst.raised and inst.raised not in raised[inst.site]:
            raised[inst.site].append(inst.raised)
        if "Y" in inst.facts and inst.raised:
            body_raises[inst.site] = min(inst.raised, body_raises.get(inst.site, inst.raised))
    for site in an.sites:
        if site.kind is None:
            continue
        lost = an.outcome.lost.get(site.id, [])
        # A resource closed or handed over on some path but left open only on
        # paths that came through a caught exception (`except OSError: continue`
        # in a retry loop) is the exception case.
        caught = sorted({r for _, bound, r in lost if bound and r} | {r for _, r in normal_exits.get(site.id, []) if r})
        # Sets iterate in hash order, which changes between processes: sort every list.
        lost_bound = sorted((n for n, bound, r in lost if bound and not r), key=_line_key)
        lost_temp = [n for n, bound, _ in lost if not bound and not an.exits_after(n)]  # spawn, then exit
        exits = sorted({n for n, r in normal_exits.get(site.id, []) if not r}, key=_line_key)
        handled = site.id in an.outcome.released or site.id in an.outcome.escaped
        if not (exits or lost_bound) and caught and handled:
            raised[site.id] = sorted(set(raised.get(site.id, [])) | set(caught))
        elif not (exits or lost_bound) and caught:  # never closed anywhere: a raise is how the loop ends
            exits = sorted({n for n, _ in normal_exits.get(site.id, [])}, key=_line_key)
            lost_bound = sorted((n for n, bound, _ in lost if bound), key=_line_key)
        releases = sorted(an.outcome.released.get(site.id, []), key=_line_key)
        what = site.kind.what
        label = _label(site)
        verb, done, start, act, still = _WORDS.get("lock" if site.kind.lock else site.kind.name, _WORDS["file"])
        line = getattr(site.node, "lineno", 0)
        head = f"'{label}' ({what}) {verb} at line {line}"
        if exits or lost_bound:
            related = [(n, f"overwritten here while {still}") for n in lost_bound[:2]]
            for n in exits[:3]:
                if isinstance(n, nodes.Return):
                    related.append((n, f"'{label}' is {still} when the function returns here"))
                elif n is scope:
                    related.append((n, f"'{label}' is {still} at the end of '{getattr(scope, 'name', 'module')}'"))
                else:
                    end = "module" if isinstance(scope, nodes.Module) else "function"
                    related.append((n, f"'{label}' is {still} after this statement, at the end of the {end}"))
            if releases or site.id in an.outcome.escaped:
                # Closed or handed over on some path: "never" would be untrue.
                message = f"{head} is not {done} on every path"
                leak = "some-paths"
                related += [(n, f"{done} here only on some paths") for n in releases[:2]]
            else:
                message = f"{head} is never {done}"
                leak = "never-closed"
            fix = site.kind.fix
        elif site.id in body_raises:
            # @contextmanager without try/finally: any exception in the caller's
            # `with` body is raised at the yield and skips the cleanup after it.
            at = body_raises[site.id]
            message = f"{head} is not {done} when the body of the `with` using this context manager raises (at the yield on line {at})"
            leak = "exception"
            related = [((at, 1), f"an exception from the `with` body is raised here and skips the {act}")]
            related += [(n, f"{done} here only on the normal path") for n in releases[:2]]
            fix = f"wrap the yield in `try:` ... `finally:` and {act} it there"
        elif site.id in raised and (strict or site.kind.lock):
            # Everything else only in the strict profile: measured on real code,
            # these were rarely worth fixing (a rare failure, the object closed
            # by the garbage collector soon after). A lock is never released by
            # the collector: a raise while holding it blocks every later acquirer.
            lines = sorted(raised[site.id])
            message = f"{head} is not {done} when an exception is raised between {start} and {act} (e.g. at line {lines[0]})"
            leak = "exception"
            related = [((ln, 1), f"an exception raised here skips the {act}") for ln in lines[:3]]
            related += [(n, f"{done} here only on the normal path") for n in releases[:2]]
            fix = "release it in a `finally` block" if site.kind.lock else f"use a `with` statement, or move the {act} into a `finally` block"
        elif lost_temp and (strict or site.kind.discard_leaks) and not releases and site.id not in an.outcome.escaped:
            if site.kind.name == "process" and not strict and _detached(site.node):
                continue  # spawned into its own session/process group and let go on purpose
            message = f"{head} is never {done}: the object is dropped right away"
            if site.kind.name != "process":
                message += " (CPython closes it by reference counting, PyPy does not)"
            leak = "never-closed"
            related = []
            fix = site.kind.fix
        else:
            continue
        related = [(_loc_of(ctx, n), m) for n, m in related]
        ctx.report("PRL001", site.node, message, related=related, fix=fix, properties={"leak": leak, "kind": site.kind.name})


# kind -> (acquired, released, the acquisition, the release, its state until then), as messages say them
_WORDS = {
    "file": ("opened", "closed", "acquire", "close", "still open"),
    "lock": ("acquired", "released", "acquire", "release", "still held"),
    "process": ("started", "waited for", "start", "wait", "not waited for yet"),
}
_DETACHING = ("start_new_session", "process_group", "creationflags")


def _detached(call: Any) -> bool:
    """`Popen(cmd, start_new_session=True)` / `creationflags=DETACHED_PROCESS`
    / `preexec_fn=os.setsid`: a daemon launched to outlive this code."""
    for kw in getattr(call, "keywords", None) or []:
        if kw.arg in _DETACHING and not (isinstance(kw.value, nodes.Const) and not kw.value.value):
            return True
        if kw.arg == "preexec_fn" and (dotted(kw.value) or "").rsplit(".", 1)[-1] in ("setsid", "setpgrp"):
            return True
    return False


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


def resource_leaks(module: nodes.Module, ctx: Any) -> None:
    cat = load_catalogue()
    strict = ctx.option("PRL001", "strict")
    index = summary_index(module, ctx.path, ctx.project.index("leak-modules"), cat)
    for scope in cfgmod.scopes(module):
        try:
            analyze_scope(scope, ctx, cat, index, strict)
        except cfgmod.BudgetExceeded as exc:
            name = getattr(scope, "name", "module")
            ctx.notify(f"PRL001: '{name}' not analyzed for leaks: {exc}", level="warning", kind="limit", rule="PRL001", where=(scope.lineno or 1, 1))


def summary_index(module: nodes.Module, relpath: str, modules: Any | None, cat: Catalogue | None = None) -> SummaryIndex:
    """This module's own summary (computed now when the run has none, so the
    pylint plugin and the CLI agree) plus the summaries of the modules it
    imports, from the run's index (`leak_index.ModuleSummaries`)."""
    local = modules.local(relpath) if modules is not None else None
    if local is None:
        local = _summarize(module, cat or load_catalogue())
    names = sorted(imported_modules(module))
    imported = modules.imported(names, relpath) if modules is not None and names else []
    return SummaryIndex(module.name, local, imported)


# --------------------------------------------------------------------------------
# Summaries


def _summarize(module: nodes.Module, cat: Catalogue, passes: int = 2) -> dict[str, Any]:
    functions: dict[str, Any] = {}
    scopes = [s for s in cfgmod.scopes(module) if not isinstance(s, nodes.Module)]
    for pass_no in range(passes):
        if pass_no and not functions:
            break  # nothing for a second pass to propagate
        index = SummaryIndex(module.name, {"functions": dict(functions)}, [])
        known = {k.rsplit(".", 1)[-1] for k in functions}
        for scope in scopes:
            klass = enclosing_class(scope)
            key = f"{klass.name}.{scope.name}" if klass is not None else scope.name
            if isinstance(scope.parent, (nodes.FunctionDef, nodes.AsyncFunctionDef)) or (
                klass is None and not isinstance(scope.parent, nodes.Module)
            ):
                continue
            if pass_no and not _calls_any(scope, known):
                continue  # no call a summary could match: the first pass's answer stands
            # A constructor's summary also says what it does NOT keep (`Report(handle)`
            # reads it), unless *args/**kwargs may pass the resource on unseen.
            constructor = klass is not None and scope.name == "__init__" and not (scope.args.vararg or scope.args.kwarg)
            try:
                an = ScopeAnalysis(scope, cat, index, track_params=True)
                if not an.worth_analyzing() and not an.params_matter():
                    if constructor:  # known to keep nothing it is given (`Report(handle)` reads it)
                        functions[key] = {"params": _param_names(scope)}
                    continue
                an.run()
            except cfgmod.BudgetExceeded:
                continue
            params = [s.param for s in an.sites if s.kind is None]
            closes = sorted(s.param for s in an.sites if s.kind is None and s.id in an.outcome.released)
            escapes = sorted(s.param for s in an.sites if s.kind is None and s.id in an.outcome.escaped)
            entry: dict[str, Any] = {"params": params}
            if scope.args.vararg or scope.args.kwarg:
                entry["varargs"] = True  # what lands in *args/**kwargs is not followed
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
            if closes or escapes or "returns" in entry or constructor:
                functions[key] = entry
    return {"module": module.name, "functions": functions}


def _param_names(scope: Any) -> list[str]:
    args = scope.args
    return [a.name for a in [*(args.posonlyargs or []), *(args.args or []), *(args.kwonlyargs or [])]]


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
    index = summary_index(module, module.name, None, cat)
    lines: set[int] = set()
    for scope in cfgmod.scopes(module):
        an = ScopeAnalysis(scope, cat, index, strict=True)
        try:
            an.run()
        except cfgmod.BudgetExceeded:
            continue
        lines.update(getattr(s.node, "lineno", 0) for s in an.sites if s.kind is not None)
    return lines


__all__ = ["acquisition_lines", "resource_leaks", "summarize"]
