"""Taint tracking: untrusted input reaching dangerous sinks (PIV rules).

Every function is walked by `dataflow.Interpreter`. Entry points of web
frameworks get tainted parameters (Flask/FastAPI route parameters, Django view
arguments, the Lambda `event`); other functions get symbolic parameter labels,
so one walk yields both findings (real sources) and a summary ("parameter i
reaches the return value", "parameter i reaches sink S"). Summaries of other
modules come from their `summarize()` through the run's index
(`ctx.project.index("taint-index")`, `taint_index.py`); calls to functions of
the same module are summarised on demand. Sinks have kinds (`sql`, `command`,
...); the rule reporting a kind is the one whose TOML lists it in `sinks`.

Local sources (argv, input(), stdin, environment, sockets) are off by default,
as in CodeQL's default threat model: whoever controls them usually controls the
process already. A rule reports them when the user opts in with
`local-sources = true` under `[tool.lintkit.rules.PIVnnn]`, or for every taint
rule under `[tool.lintkit.rules.PIV]`; such findings get severity low and the
property `threat = "local"`.
"""

from __future__ import annotations

import re
from typing import Any

from astroid import nodes

from lintkit.python.dataflow import Interpreter
from lintkit.python.models import TaintModel, load_model
from lintkit.python.names import imported_names, qualified
from lintkit.python.taint_index import ProjectIndex
from lintkit.python.values import CLEAN, Hit, Summary, Taint, Val
from lintkit.python.walk import nodes_of

_ROUTE_METHODS = frozenset("route get post put delete patch head options api_route websocket".split())
_WEB_FRAMEWORKS = frozenset({"flask", "flask_restful", "fastapi", "starlette", "quart", "ninja", "sanic", "bottle", "falcon"})
_VIEW_METHODS = frozenset("get post put patch delete head options dispatch".split())
_HTTP_HANDLER_BASES = frozenset({"BaseHTTPRequestHandler", "SimpleHTTPRequestHandler", "CGIHTTPRequestHandler", "StreamRequestHandler"})
_NOT_SOURCE_ANNOTATIONS = re.compile(r"(Response|BackgroundTasks|Session|Depends|SecurityScopes|WebSocket)$")


# --- module facts ---------------------------------------------------------------------


def bound_names(module: Any) -> set[str]:
    """Qualified names the module binds: by its imports (anywhere) and its top-level definitions."""
    found = {target for stmt in nodes_of(module, (nodes.Import, nodes.ImportFrom)) for _, target in imported_names(stmt)}
    found.update(f"{module.name}.{node.name}" for node in module.body if isinstance(node, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef)))
    return found


def _decorator_call_attr(dec: Any) -> str | None:
    node = dec.func if isinstance(dec, nodes.Call) else dec
    if isinstance(node, nodes.Attribute):
        return node.attrname
    return None


def _param_names(fn: Any) -> list[str]:
    args = fn.args
    names = [a.name for a in (args.posonlyargs or []) + (args.args or [])]
    names += [a.name for a in args.kwonlyargs or []]
    return names


def _annotation_text(fn: Any, name: str) -> str:
    args = fn.args
    all_args = (args.posonlyargs or []) + (args.args or []) + (args.kwonlyargs or [])
    annotations = (args.posonlyargs_annotations or []) + (args.annotations or []) + (args.kwonlyargs_annotations or [])
    for a, ann in zip(all_args, annotations):
        if a.name == name and ann is not None:
            return ann.as_string()
    return ""


class ModuleAnalysis:
    """Taint analysis of one module: findings and summaries."""

    def __init__(self, module: Any, relpath: str, model: TaintModel, project: ProjectIndex | None = None,
                 extra_sanitizers: dict[str, frozenset[str]] | None = None) -> None:
        self.module = module
        self.relpath = relpath
        self.modname = module.name
        self.model = model
        self.extra_sanitizers = extra_sanitizers or {}
        self.functions: dict[str, Any] = {}  # qualified name -> FunctionDef
        # names called somewhere in this module: such functions are helpers, not views
        self.called_names = {c.func.name for c in nodes_of(module, nodes.Call) if isinstance(c.func, nodes.Name)}
        self.classes: set[str] = {f"{self.modname}.{n.name}" for n in module.body if isinstance(n, nodes.ClassDef)}
        self.summaries: dict[Any, Summary] = {}
        self._in_progress: set[Any] = set()
        # analyze(): symbolic walks summary_of already did, reused as the
        # function's own walk unless a recursive call got a placeholder in it
        self._walks: dict[Any, Interpreter] | None = None
        self._placeholders = 0
        self.hits: list[Hit] = []
        bound = bound_names(module)
        self.uses_django = any(v.startswith("django") for v in bound)
        self.uses_web = any(v.split(".")[0] in _WEB_FRAMEWORKS for v in bound)
        self.uses_flask = any(v.startswith(("flask", "flask_restful")) for v in bound)
        self.project = project if project is not None else ProjectIndex({})
        # Django views named in a urlconf (path()/re_path()/url()) anywhere in the run
        self.own_url_views = url_views(module, bound)
        self.url_views = frozenset(self.own_url_views) | self.project.url_views(relpath)
        self.has_urlconfs = bool(self.url_views)
        self.globals: dict[str, Val] = {}
        for node in module.body:
            if isinstance(node, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
                self.functions[f"{self.modname}.{node.name}"] = node
            elif isinstance(node, nodes.ClassDef):
                for item in node.body:
                    if isinstance(item, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
                        self.functions[f"{self.modname}.{node.name}.{item.name}"] = item

    # -- entry points ----------------------------------------------------------------

    def entry_kind(self, fn: Any) -> tuple[str, dict[str, Val]]:
        """('flask'|'fastapi'|'django'|'lambda'|'', initial values of parameters)."""
        params = _param_names(fn)
        init: dict[str, Val] = {}
        cls = fn.parent if isinstance(fn.parent, nodes.ClassDef) else None
        for dec in fn.decorators.nodes if fn.decorators else []:
            attr = _decorator_call_attr(dec)
            if attr in _ROUTE_METHODS and isinstance(dec, nodes.Call) and self.uses_web:
                framework = "flask" if self.uses_flask else "fastapi"
                for p in params:
                    if p in ("self", "cls"):
                        continue
                    ann = _annotation_text(fn, p)
                    if ann.rsplit(".", 1)[-1] == "Request":
                        init[p] = Val(qual="starlette.requests.Request")
                    elif not _NOT_SOURCE_ANNOTATIONS.search(ann):
                        init[p] = _src(fn, f"route parameter '{p}'")
                return framework, init
        if cls is not None:
            bases = {b.as_string().rsplit(".", 1)[-1] for b in cls.bases}
            if bases & _HTTP_HANDLER_BASES and params:
                init[params[0]] = Val(qual="http.server.BaseHTTPRequestHandler")
                return "http.server", init
            if fn.name in _VIEW_METHODS and any("View" in b for b in bases) and len(params) >= 2:
                if self.uses_django:
                    init[params[1]] = Val(qual="django.http.HttpRequest")
                    for p in params[2:]:
                        init[p] = _src(fn, f"URL parameter '{p}'")
                    return "django", init
                if self.uses_flask:
                    for p in params[1:]:
                        init[p] = _src(fn, f"route parameter '{p}'")
                    return "flask-view", init
        if self.uses_django and cls is None and params and (params[0] == "request" or "HttpRequest" in _annotation_text(fn, params[0])):
            init[params[0]] = Val(qual="django.http.HttpRequest")
            # the other parameters are URL captures only for real views; a helper taking a
            # request (login(request, user), technical_500_response(request, exc_type, ...))
            # gets its other arguments from code
            if self.is_url_view(fn):
                for p in params[1:]:
                    if fn.args.defaults and p in [a.name for a in fn.args.args[len(fn.args.args) - len(fn.args.defaults):]]:
                        continue  # a default means the urlconf usually passes it (document_root=...)
                    init[p] = _src(fn, f"URL parameter '{p}'")
            return "django", init
        if cls is None and len(params) == 2 and params[1] == "context" and (fn.name.endswith("handler") or params[0] == "event"):
            init[params[0]] = _src(fn, f"Lambda event '{params[0]}'")
            return "lambda", init
        return "", init

    # -- walking ----------------------------------------------------------------------

    def interpreter(self, flask_route: bool = False, cls: Any = None) -> Interpreter:
        return Interpreter(self.model, self.resolve_call, flask_route=flask_route,
                           extra_sanitizers=self.extra_sanitizers, current_class=cls)

    def walk_function(self, fn: Any, symbolic: bool) -> tuple[Interpreter, list[str]]:
        kind, init = self.entry_kind(fn)
        params = _param_names(fn)
        cls = fn.parent if isinstance(fn.parent, nodes.ClassDef) else None
        env: dict[str, Val] = dict(self.globals)
        offset = 1 if cls is not None and params and params[0] in ("self", "cls") and not _is_static(fn) else 0
        for i, p in enumerate(params):
            if p in init:
                env[p] = init[p]
            elif i < offset:
                self_taint = (Taint("self", ((fn, f"field of '{p}'"),)),) if symbolic and cls is not None else ()
                env[p] = Val(qual=f"{self.modname}.{cls.name}", taints=self_taint) if cls is not None else CLEAN
            elif symbolic:
                env[p] = Val(taints=(Taint(f"p{i - offset}", ((fn, f"parameter '{p}'"),)),))
        for extra in (fn.args.vararg, fn.args.kwarg):
            if extra and symbolic:
                env[extra] = CLEAN
        interp = self.interpreter(flask_route=kind in ("flask", "flask-view"), cls=cls)
        if kind == "flask":
            rule = _static_route_rule(fn)
            if rule is not None:  # request.path is the rule itself when it has no variable parts
                interp.const_quals = {"flask.request.path": rule}
        interp.run_body(fn.body, env)
        return interp, params[offset:]

    def summary_of(self, fn: Any) -> Summary:
        if fn in self.summaries:
            return self.summaries[fn]
        if fn in self._in_progress:
            self._placeholders += 1
            return Summary()
        self._in_progress.add(fn)
        placeholders = self._placeholders
        try:
            interp, params = self.walk_function(fn, symbolic=True)
        finally:
            self._in_progress.discard(fn)
        if self._walks is not None and self._placeholders == placeholders:
            self._walks[fn] = interp
        summary = Summary()
        for t in (interp.returned or CLEAN).all_taints():
            if t.label.startswith("p"):
                i = int(t.label[1:])
                prev = summary.returns.get(i)
                summary.returns[i] = t.cleared if prev is None else prev & t.cleared
            elif t.label.startswith("src:"):
                summary.returns_source = t.label[4:]
            elif t.label == "self":
                summary.returns_self = True
        for h in interp.hits:
            if h.taint.label.startswith("p"):
                entry = (int(h.taint.label[1:]), h.kind, int(getattr(h.node, "lineno", 0) or 0), h.sink)
                if entry not in summary.sinks:
                    summary.sinks.append(entry)
        summary.params = params
        self.summaries[fn] = summary
        return summary

    def resolve_call(self, interp: Interpreter, node: Any, qual: str | None, args: list[Val], kwargs: dict[str, Val]) -> Val | None:
        fn = None
        summary: Summary | None = None
        func = node.func
        cls = interp.current_class
        if isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Name) and func.expr.name == "self" and cls is not None:
            fn = self.functions.get(f"{self.modname}.{cls.name}.{func.attrname}")
        if fn is None and qual:
            fn = self.functions.get(qual)
            if fn is None and isinstance(func, nodes.Name):
                fn = _nested_def(node, func.name)
        if fn is not None:
            summary = self.summary_of(fn)
        elif qual and (data := self.project.function(qual, self.relpath)) is not None:
            summary = Summary.from_json(data)
        elif qual and self.is_class(qual):
            args = [self._latent(node, v) for v in args]
            kwargs = {k: self._latent(node, v) for k, v in kwargs.items()}
            # an instance of a project class carries its constructor arguments' taint;
            # its methods' summaries decide what comes back out
            stored = tuple(t.step(node, f"stored in a {qual.rsplit('.', 1)[-1]} object") for v in [*args, *kwargs.values()] for t in v.all_taints())
            return Val(qual=qual, taints=stored)
        if summary is None:
            return None
        name = qual.rsplit(".", 1)[-1] if qual else getattr(func, "attrname", "function")
        bound: dict[int, Val] = {i: self._latent(node, v) for i, v in enumerate(args)}
        for k, v in kwargs.items():
            if k in summary.params:
                bound[summary.params.index(k)] = self._latent(node, v)
        taints: list[Taint] = []
        for i, cleared in summary.returns.items():
            arg = bound.get(i)
            if arg is not None:
                taints += [t.step(node, f"returned by {name}()").clear(cleared) for t in arg.all_taints()]
        if summary.returns_self and isinstance(func, nodes.Attribute):
            recv = interp.last_receiver or CLEAN
            taints += [t.step(node, f"returned by {name}()") for t in recv.all_taints()]
        if summary.returns_source:
            taints.append(Taint(f"src:{summary.returns_source}", ((node, f"untrusted data returned by {name}()"),)))
        for i, kind, line, sink in summary.sinks:
            arg = bound.get(i)
            if arg is not None and arg.all_taints():
                stepped = Val(taints=tuple(t.step(node, f"passed to {name}()") for t in arg.all_taints()))
                interp.hit(kind, node, stepped, f"{sink} inside {name}() (line {line})")
        return Val(taints=tuple(taints)) if taints else CLEAN

    def is_url_view(self, fn: Any) -> bool:
        """A function view whose extra parameters come from the URL: named in a urlconf
        of the run; or, when its own module does not call it, decorated as a view or
        (only when the run has no urlconf at all) defined in a views module."""
        fq = f"{self.modname}.{fn.name}"
        # the run's root need not be the import root: compare dotted suffixes
        if any(v == fq or fq.endswith("." + v) or v.endswith("." + fq) for v in self.url_views):
            return True
        if fn.name in self.called_names:  # render_flatpage(request, f): called with values from code
            return False
        return _has_view_decorator(fn) or (not self.has_urlconfs and self.is_django_view_module())

    def is_django_view_module(self) -> bool:
        parts = self.relpath.replace("\\", "/").split("/")
        return parts[-1] == "views.py" or "views" in parts[:-1]

    def _latent(self, node: Any, v: Val) -> Val:
        """A request object handed to a helper carries its input along."""
        kind = self.model.source_object_kind(v.qual) if not v.taints else None
        if kind is None:
            return v
        return Val(qual=v.qual, taints=(Taint(f"src:{kind}", ((node, f"untrusted data from {v.qual}"),)),))

    def is_class(self, qual: str) -> bool:
        if qual in self.classes:
            return True
        return self.project.is_owner(qual, self.relpath)

    def analyze(self, local_kinds: frozenset[str] = frozenset()) -> list[Hit]:
        """Hits from real sources; local sources only for the sink kinds in `local_kinds`."""
        hits: list[Hit] = []
        interp = self.interpreter()
        env = interp.run_body(self.module.body, {}) or {}
        hits += interp.hits
        self.globals = {k: v for k, v in env.items() if not v.all_taints() and "." not in k}
        self.summaries.clear()
        self._walks = {}
        for fn in nodes_of(self.module, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
            walked = self._walks.pop(fn, None)
            if walked is None:
                walked = self.walk_function(fn, symbolic=True)[0]
            hits += [h for h in walked.hits if h.taint.label.startswith("src:")]
        seen: set[tuple[str, int, int]] = set()
        out: list[Hit] = []
        for h in hits:
            if h.taint.label == "src:local" and h.kind not in local_kinds:
                continue  # before the dedupe: a remote flow to the same sink must survive
            key = (h.kind, getattr(h.node, "lineno", 0) or 0, getattr(h.node, "col_offset", 0) or 0)
            if key not in seen:
                seen.add(key)
                out.append(h)
        return out

    def summarize(self) -> dict[str, Any]:
        env = self.interpreter().run_body(self.module.body, {}) or {}
        self.globals = {k: v for k, v in env.items() if not v.all_taints() and "." not in k}
        functions: dict[str, Any] = {}
        for qual, fn in self.functions.items():
            # every function, even a clean one: "known and returns nothing tainted" is a fact too
            functions[qual[len(self.modname) + 1:]] = self.summary_of(fn).to_json()
        out: dict[str, Any] = {"functions": functions}
        views = self.own_url_views
        if views:
            out["urlviews"] = views
        return out


_URLCONF_FUNCS = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url", "django.conf.urls.re_path"})


def url_views(module: Any, bound: set[str]) -> list[str]:
    """Qualified names of the function views a urlconf routes to: path("a/<slug>", views.article).
    `bound`: the module's `bound_names`; a module none of whose names leads to a
    urlconf function (the usual case) has no urlconf to read."""
    found: set[str] = set()
    roots = bound | {module.name}
    if not any(f == b or f.startswith(b + ".") for f in _URLCONF_FUNCS for b in roots):
        return []
    for call in nodes_of(module, nodes.Call):
        if _dotted(call.func) not in _URLCONF_FUNCS:
            continue
        view = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords or [] if k.arg == "view"), None)
        # csrf_exempt(views.upload), cache_page(60)(views.page): the wrapped function is the view
        while isinstance(view, nodes.Call) and not (isinstance(view.func, nodes.Attribute) and view.func.attrname == "as_view"):
            view = view.args[0] if view.args else None
        if isinstance(view, nodes.Const) and isinstance(view.value, str):  # Django < 2: url(r"^a/$", "shop.views.article")
            found.add(view.value)
            continue
        name = _dotted(view) if view is not None and not isinstance(view, nodes.Call) else None
        if name:
            found.add(name)
    return sorted(found)


def _dotted(node: Any) -> str | None:
    """`views.article` -> "blog.views.article" through the module's imports
    (a name without a qualified one is taken as the module's own)."""
    if isinstance(node, nodes.Name):
        return qualified(node) or f"{node.root().name}.{node.name}"
    if isinstance(node, nodes.Attribute):
        base = _dotted(node.expr)
        return f"{base}.{node.attrname}" if base else None
    return None


def _has_view_decorator(fn: Any) -> bool:
    for dec in fn.decorators.nodes if fn.decorators else []:
        text = dec.as_string()
        if any(word in text for word in ("require_", "login_required", "permission_required", "csrf_", "api_view", "cache_page", "never_cache")):
            return True
    return False


def _static_route_rule(fn: Any) -> str | None:
    rules = []
    for dec in fn.decorators.nodes if fn.decorators else []:
        if isinstance(dec, nodes.Call) and _decorator_call_attr(dec) in _ROUTE_METHODS and dec.args:
            arg = dec.args[0]
            rules.append(arg.value if isinstance(arg, nodes.Const) and isinstance(arg.value, str) else None)
    if len(rules) == 1 and rules[0] is not None and "<" not in rules[0] and not rules[0].endswith("/"):
        return rules[0]
    return None


def _is_static(fn: Any) -> bool:
    return any(getattr(d, "name", "") == "staticmethod" for d in (fn.decorators.nodes if fn.decorators else []))


def _nested_def(node: Any, name: str) -> Any:
    scope = node.scope()
    while scope is not None and not isinstance(scope, nodes.Module):
        for item in getattr(scope, "body", []):
            if isinstance(item, (nodes.FunctionDef, nodes.AsyncFunctionDef)) and item.name == name:
                return item
        scope = scope.parent.scope() if scope.parent is not None else None
    return None


def _src(node: Any, what: str, kind: str = "remote") -> Val:
    return Val(taints=(Taint(f"src:{kind}", ((node, f"untrusted {what}"),)),))


# --- the hooks -------------------------------------------------------------------------


def summarize(module: Any, relpath: str) -> dict[str, Any]:
    return ModuleAnalysis(module, relpath, load_model()).summarize()


def sink_rules(ctx: Any, model: TaintModel) -> dict[str, str]:
    """Sink kind -> the enabled rule that reports it (the rules' TOML `sinks`)."""
    return {kind: code for kind in model.kinds for code in ctx.codes_for_sink(kind) if ctx.enabled(code)}


def _extra_sanitizers(ctx: Any, rules: dict[str, str]) -> dict[str, frozenset[str]]:
    """`sanitizers = [...]` under a rule: APIs that make a value safe for its sink kinds."""
    out: dict[str, frozenset[str]] = {}
    for kind, code in rules.items():
        for api in ctx.option(code, "sanitizers"):
            out[str(api)] = out.get(str(api), frozenset()) | {kind}
    return out


def local_source_kinds(ctx: Any, rules: dict[str, str]) -> frozenset[str]:
    """Sink kinds whose rules report flows from local sources: `local-sources = true`
    per rule, or once for the family under `[tool.lintkit.rules.PIV]`."""
    return frozenset(kind for kind, code in rules.items() if ctx.option(code, "local-sources"))


def taint_flows(module: Any, ctx: Any) -> None:
    model = load_model()
    rules = sink_rules(ctx, model)
    analysis = ModuleAnalysis(module, ctx.path, model, ctx.project.index("taint-index"), _extra_sanitizers(ctx, rules))
    for h in analysis.analyze(local_source_kinds(ctx, rules)):
        if h.kind in rules:
            report_hit(ctx, rules[h.kind], h, h.what or model.kinds[h.kind])


def report_hit(ctx: Any, code: str, h: Hit, what: str) -> None:
    first = h.taint.steps[0][1] if h.taint.steps else "untrusted data"
    origin = first.replace("untrusted data from ", "").replace("untrusted ", "")
    local = h.taint.label == "src:local"
    message = f"untrusted input ({origin}) reaches {what} in {h.sink}"
    flow = list(h.taint.steps) + [(h.node, f"reaches {h.sink}")]
    ctx.report(
        code,
        h.node,
        message,
        flow=flow,
        severity="low" if local else None,
        properties={"threat": "local" if local else "remote"},
    )
