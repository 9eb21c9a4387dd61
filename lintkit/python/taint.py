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

import builtins
import re
from dataclasses import replace
from typing import Any

from astroid import nodes

from lintkit.api import Location, python_span
from lintkit.python.dataflow import Interpreter, position
from lintkit.python.entries import Entry, active, handler_type, match, registered
from lintkit.python.exposure import error_handler_exposure, exposed_errors
from lintkit.python.handlers import handler_names
from lintkit.python.templates import Site, template_sites
from lintkit.python.models import Render, TaintModel, load_model
from lintkit.python.names import absolute_module, imported_modules, imported_names, qualified
from lintkit.python.taint_index import ProjectIndex
from lintkit.python.values import CLEAN, MAPPING, Call, Hit, Summary, Taint, Val
from lintkit.python.walk import bindings, nodes_of

_BUILTIN_NAMES = frozenset(dir(builtins))
_ROUTE_METHODS = frozenset("route get post put delete patch head options api_route websocket".split())
_WEB_FRAMEWORKS = frozenset({"flask", "flask_restful", "fastapi", "starlette", "quart", "ninja", "sanic", "bottle", "falcon"})
_VIEW_METHODS = frozenset("get post put patch delete head options dispatch".split())
_NOT_SOURCE_ANNOTATIONS = re.compile(r"(Response|BackgroundTasks|Session|Depends|SecurityScopes|WebSocket)$")
MAX_CALLERS = 4  # callers in other modules whose values are followed into one function
MAX_FLOWS = 4  # flows shown for one sink


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


def _annotation_qual(fn: Any, name: str) -> str | None:
    node = _annotation(fn, name)
    return qualified(node) if node is not None else None


def _annotation(fn: Any, name: str) -> Any:
    args = fn.args
    all_args = (args.posonlyargs or []) + (args.args or []) + (args.kwonlyargs or [])
    annotations = (args.posonlyargs_annotations or []) + (args.annotations or []) + (args.kwonlyargs_annotations or [])
    return next((ann for a, ann in zip(all_args, annotations) if a.name == name), None)


def _annotation_text(fn: Any, name: str) -> str:
    node = _annotation(fn, name)
    return node.as_string() if node is not None else ""


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
        # untrusted values the module's functions hand to other modules (summarize())
        self.exported: list[Call] = []
        bound = bound_names(module)
        self.uses_django = any(v.startswith("django") for v in bound)
        self.uses_web = any(v.split(".")[0] in _WEB_FRAMEWORKS for v in bound)
        self.uses_flask = any(v.startswith(("flask", "flask_restful")) for v in bound)
        self.imports = imported_modules(module)
        self.entries = active(model.entries, self.imports)
        self._entry_kinds: dict[Any, tuple[str, dict[str, Val], Entry | None]] = {}
        self._read_keys: frozenset[str] | None = None
        self._handler_types: dict[Any, str] = {}
        self.star_imports = [absolute_module(module, s.modname or "", s.level or 0) or "" for s in nodes_of(module, nodes.ImportFrom)
                             if any(name == "*" for name, _ in s.names)]
        self.handler_names: dict[str, str] = {}  # functions deployment descriptors name (handlers.py)
        self._registered: dict[str, Entry] | None = None
        self.files: Any = None  # the project (check phase): template files are read through it
        self._templates: dict[tuple[str, str], list[Site]] = {}
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

    def entry_kind(self, fn: Any) -> tuple[str, dict[str, Val], Entry | None]:
        """(framework or '', initial values of parameters, the models' entry it matched),
        once per function (after the module body ran: the globals' types decide)."""
        if fn not in self._entry_kinds:
            self._entry_kinds[fn] = self._entry_kind(fn)
        return self._entry_kinds[fn]

    def reads_keys(self, keys: frozenset[str]) -> bool:
        """Does the module read one of `keys` from a function's parameter (`event["body"]`,
        `event.get("body")`)? An SQS record's "body" (`record["body"]`, a loop variable) is no request's."""
        if self._read_keys is None:
            found: set[str] = set()
            for node in nodes_of(self.module, (nodes.Subscript, nodes.Call)):
                if isinstance(node, nodes.Subscript):
                    key, of = node.slice, node.value
                elif isinstance(node.func, nodes.Attribute) and node.func.attrname == "get" and node.args:
                    key, of = node.args[0], node.func.expr
                else:
                    continue
                scope = of.scope() if isinstance(of, nodes.Name) else None
                if (isinstance(key, nodes.Const) and isinstance(key.value, str) and isinstance(scope, (nodes.FunctionDef, nodes.AsyncFunctionDef))
                        and of.name in scope.argnames()):
                    found.add(key.value)
            self._read_keys = frozenset(found)
        return bool(self._read_keys & keys)

    def _entry_kind(self, fn: Any) -> tuple[str, dict[str, Val], Entry | None]:
        params = _param_names(fn)
        init: dict[str, Val] = {}
        cls = fn.parent if isinstance(fn.parent, nodes.ClassDef) else None
        own = params[1:] if cls is not None and params and params[0] in ("self", "cls") and not _is_static(fn) else params
        found = match(fn, cls, own, self.entries, self.resolve_name, self.registered, self.handler_names)
        if found is not None:
            entry = found.entry
            remote = not entry.remote_keys or self.reads_keys(entry.remote_keys) or self.handler_names.get(fn.name) == f"{entry.framework}-http"
            if found.request:
                init[found.request] = Val(qual=entry.request_type)
            for p in found.untrusted:
                typed = self.model.canonical(_annotation_qual(fn, p))
                if typed and self.model.source_object_kind(typed):
                    init[p] = Val(qual=typed)  # `request: Request`
                elif not _NOT_SOURCE_ANNOTATIONS.search(_annotation_text(fn, p)):
                    init[p] = _src(fn, f"{entry.what} '{p}'", "remote" if remote else "local")
                    if entry.mapping:
                        init[p] = replace(init[p], flags=frozenset({MAPPING}))
            # no client reads what a function invoked by a service or an operator returns
            return (entry.framework, init, entry) if remote else ("", init, None)
        # a route decorator of an application object defined elsewhere (`from . import app`)
        for dec in fn.decorators.nodes if fn.decorators else []:
            attr = _decorator_call_attr(dec)
            if attr in _ROUTE_METHODS and isinstance(dec, nodes.Call) and self.uses_web:
                framework = "flask" if self.uses_flask else "fastapi"
                for p in own:
                    ann = _annotation_text(fn, p)
                    if ann.rsplit(".", 1)[-1] == "Request":
                        init[p] = Val(qual="starlette.requests.Request")
                    elif not _NOT_SOURCE_ANNOTATIONS.search(ann):
                        init[p] = _src(fn, f"route parameter '{p}'")
                return framework, init, None
        if cls is not None:
            bases = {b.as_string().rsplit(".", 1)[-1] for b in cls.bases}
            # a view deriving from the project's own base view
            if fn.name in _VIEW_METHODS and any("View" in b for b in bases) and len(own) >= 1 and self.uses_django:
                init[own[0]] = Val(qual="django.http.HttpRequest")
                for p in own[1:]:
                    init[p] = _src(fn, f"URL parameter '{p}'")
                return "django", init, None
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
            return "django", init, None
        return "", init, None

    def handler_type(self, cls: Any) -> str:
        if cls not in self._handler_types:
            self._handler_types[cls] = handler_type(cls, self.entries)
        return self._handler_types[cls]

    def resolve_name(self, node: Any) -> str | None:
        """The qualified name of a decorator or a callee at module level: through the
        module's imports and the types of its globals (`app = Flask(...)`: `app.route`
        is `flask.Flask.route`)."""
        if isinstance(node, nodes.Attribute):
            base = self.resolve_name(node.expr)
            return f"{base}.{node.attrname}" if base else None
        if isinstance(node, nodes.Name):
            known = self.globals.get(node.name)
            if known is not None and known.qual:
                return known.qual
            return self.model.canonical(qualified(node) or self.unbound(node))
        return None

    def unbound(self, node: Any) -> str | None:
        """A name no statement binds, in a module with star imports: the first
        such module's name (`from models import *; Pages()` is `models.Pages`)."""
        if not self.star_imports or not isinstance(node, nodes.Name) or bindings(node) or node.name in _BUILTIN_NAMES:
            return None
        return f"{self.star_imports[0]}.{node.name}"

    # -- walking ----------------------------------------------------------------------

    @property
    def registered(self) -> dict[str, Entry]:
        """The module's functions handed to a framework's registering call (after the
        module body ran: the registering object's type is a global's)."""
        if self._registered is None:
            self._registered = registered(self.module, self.model.entries, self.resolve_name)
        return self._registered

    def interpreter(self, flask_route: bool = False, cls: Any = None) -> Interpreter:
        interp = Interpreter(self.model, self.resolve_call, flask_route=flask_route,
                             extra_sanitizers=self.extra_sanitizers, current_class=cls, unbound=self.unbound)
        if self.files is not None:
            interp.on_render = self.render
        return interp

    def render(self, interp: Interpreter, node: Any, render: Render, args: list[Val], kwargs: dict[str, Val]) -> None:
        """A template rendered with tainted context values: each value written out
        unescaped in the template is a sink there."""
        name = args[render.template] if render.template < len(args) else kwargs.get(render.template_kw)
        if name is None or not isinstance(name.const, str):
            return
        if render.context == "kwargs":
            context = {k: v for k, v in kwargs.items() if k != render.template_kw}
        else:
            given = args[int(render.context)] if int(render.context) < len(args) else kwargs.get(render.context_kw)
            context = {str(k): v for k, v in given.keys} if given is not None and given.keys is not None else {}
        tainted = {k: v for k, v in context.items() if v.all_taints()}
        if not tainted:
            return
        key = (name.const, render.autoescape)
        if key not in self._templates:
            self._templates[key] = template_sites(self.files, name.const, self.relpath, render.autoescape)
        short = render.api.rsplit(".", 1)[-1]
        for site in self._templates[key]:
            value = tainted.get(site.variable)
            if value is None:
                continue
            where = Location(site.path, site.line, site.column, site.end_line, site.end_column)
            flowed = Val(taints=tuple(t.step(node, f"rendered as '{site.variable}' by {short}()") for t in value.all_taints()))
            interp.hit("html", where, flowed, f"{{{{ {site.variable} }}}} ({site.why})", "an HTML page")

    def walk_function(self, fn: Any, symbolic: bool, bound: dict[str, Val] | None = None) -> tuple[Interpreter, list[str]]:
        """Walk `fn`: symbolic parameters for its summary, or the values `bound` to them
        by a caller in another module."""
        kind, init, entry = self.entry_kind(fn)
        init = {**init, **(bound or {})}
        params = _param_names(fn)
        cls = fn.parent if isinstance(fn.parent, nodes.ClassDef) else None
        env: dict[str, Val] = dict(self.globals)
        self_type = self.handler_type(cls) if cls is not None else ""
        offset = 1 if cls is not None and params and params[0] in ("self", "cls") and not _is_static(fn) else 0
        for i, p in enumerate(params):
            if p in init:
                env[p] = init[p]
            elif i < offset and self_type:
                env[p] = Val(qual=self_type)  # a request handler's self: self.get_argument() is a source
            elif i < offset:
                self_taint = (Taint("self", ((fn, f"field of '{p}'"),)),) if symbolic and cls is not None else ()
                env[p] = Val(qual=f"{self.modname}.{cls.name}", taints=self_taint) if cls is not None else CLEAN
            elif symbolic:
                env[p] = Val(taints=(Taint(f"p{i - offset}", ((fn, f"parameter '{p}'"),)),))
        for extra in (fn.args.vararg, fn.args.kwarg):
            if extra and symbolic:
                env[extra] = CLEAN
        interp = self.interpreter(flask_route=entry.returns_html if entry is not None else kind == "flask", cls=cls)
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
                summary.source_cleared = t.cleared if not summary.returns_source else summary.source_cleared & t.cleared
                summary.returns_source = t.label[4:]
            elif t.label == "self":
                summary.returns_self = True
        summary.sinks = [(int(h.taint.label[1:]), h) for h in interp.hits if h.taint.label.startswith("p")]
        for c in interp.calls:
            if c.taint.label.startswith("p"):
                summary.calls.append((int(c.taint.label[1:]), c))
            elif c.taint.label.startswith("src:"):
                self.exported.append(c)
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
            if qual and not qual.startswith("builtins."):
                self._hand_over(interp, node, qual, args, kwargs)
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
            taints.append(Taint(f"src:{summary.returns_source}", ((node, f"untrusted data returned by {name}()"),), summary.source_cleared))
        # the callee's sinks and hand-overs, reached with the caller's values: reported
        # where they are, the call a step of the flow
        passed = f"passed to {name}()"
        for i, h in summary.sinks:
            for t in bound[i].all_taints() if i in bound else ():
                interp.hit(h.kind, h.node, Val(taints=(t.then(node, passed, h.taint),)), h.sink, h.what)
        for i, c in summary.calls:
            for t in bound[i].all_taints() if i in bound else ():
                interp.calls.append(Call(c.callee, c.arg, t.then(node, passed, c.taint), c.request))
        return Val(taints=tuple(taints)) if taints else CLEAN

    def _hand_over(self, interp: Interpreter, node: Any, qual: str, args: list[Val], kwargs: dict[str, Val]) -> None:
        """Tainted values passed to a function no summary knows yet: the module
        defining it (another file of the run) follows them (`summarize`)."""
        short = qual.rsplit(".", 1)[-1]
        passed: list[tuple[int | str, Val]] = [*enumerate(args), *kwargs.items()]
        for key, v in passed:
            latent = self._latent(node, v)
            request = (latent.qual or "") if latent is not v else ""  # _latent makes a new value only for a named request object
            for t in latent.all_taints():
                interp.calls.append(Call(qual, key, t.step(node, f"passed to {short}()"), request))

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
        self._entry_kinds.clear()  # decided again with the globals' types
        self._registered = None
        self.summaries.clear()
        self._walks = {}
        for fn in nodes_of(self.module, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
            walked = self._walks.pop(fn, None)
            if walked is None:
                walked = self.walk_function(fn, symbolic=True)[0]
            hits += [h for h in walked.hits if h.taint.label.startswith("src:")]
        hits += self.called_with_input()
        return [h for h in hits if h.taint.label != "src:local" or h.kind in local_kinds]

    def called_with_input(self) -> list[Hit]:
        """Hits of this module's functions walked with the untrusted values other
        modules of the run pass them (their summaries' hand-overs)."""
        hits: list[Hit] = []
        for name, records in sorted(self.project.calls_into(self.relpath).items()):
            fn = self.functions.get(f"{self.modname}.{name}")
            if fn is None:
                continue
            params = _param_names(fn)
            if isinstance(fn.parent, nodes.ClassDef) and params and params[0] in ("self", "cls") and not _is_static(fn):
                params = params[1:]
            for record in records[:MAX_CALLERS]:
                arg = record["arg"]
                param = params[arg] if isinstance(arg, int) and arg < len(params) else arg if arg in params else None
                if param is None:
                    continue
                steps = tuple((Location(record["path"], *s[:4]), s[4]) for s in record["steps"])
                steps += ((fn, f"parameter '{param}'"),)
                taint = Taint(f"src:{record['source']}", steps, frozenset(record["cleared"]))
                # a request object: its attributes are the sources, as in a view
                value = Val(qual=record["request"]) if "request" in record else Val(taints=(taint,))
                interp = self.walk_function(fn, symbolic=False, bound={param: value})[0]
                hits += [h for h in interp.hits if h.taint.label.startswith("src:")]
        return hits

    def summarize(self) -> dict[str, Any]:
        env = self.interpreter().run_body(self.module.body, {}) or {}
        self.globals = {k: v for k, v in env.items() if not v.all_taints() and "." not in k}
        self._entry_kinds.clear()  # decided again with the globals' types
        self._registered = None
        functions: dict[str, Any] = {}
        for qual, fn in self.functions.items():
            # every function, even a clean one: "known and returns nothing tainted" is a fact too
            functions[qual[len(self.modname) + 1:]] = self.summary_of(fn).to_json()
        out: dict[str, Any] = {"functions": functions}
        views = self.own_url_views
        if views:
            out["urlviews"] = views
        calls = self.exported_calls()
        if calls:
            out["calls"] = calls
        return out

    def exported_calls(self) -> list[dict[str, Any]]:
        """The untrusted values this module's functions hand to functions it does not
        define, as JSON: callee, argument, source kind, the flow so far (positions in
        this file) and the unknown calls it went through (`Taint.via`)."""
        lines = (self.module.file_bytes or b"").decode("utf-8", errors="replace").splitlines()
        out: dict[tuple[Any, ...], dict[str, Any]] = {}
        for call in self.exported:
            t = call.taint
            first = t.steps[0][0] if t.steps else None
            key = (call.callee, call.arg, t.label, id(first))
            if key in out or not t.steps or any(isinstance(node, Location) for node, _ in t.steps):
                continue
            out[key] = {
                "callee": call.callee,
                "arg": call.arg,
                "source": t.label[4:],
                "steps": [[*python_span(node, lines), msg] for node, msg in t.steps],
                "cleared": sorted(t.cleared),
                "via": [list(v) for v in t.via],
            }
            if call.request:
                out[key]["request"] = call.request
        return list(out.values())


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
    analysis.handler_names = handler_names(ctx.project, module.name, ctx.path)
    analysis.files = ctx.project
    at_sink: dict[tuple[Any, ...], list[Hit]] = {}
    for h in analysis.analyze(local_source_kinds(ctx, rules)):
        if h.kind in rules:
            at_sink.setdefault((h.kind, *position(h.node)), []).append(h)
    for hits in at_sink.values():
        report_hits(ctx, rules[hits[0].kind], hits, hits[0].what or model.kinds[hits[0].kind])
    if ctx.enabled("PIV027"):
        for fn in nodes_of(module, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
            exposed = exposed_errors(fn, analysis.resolve_name) if analysis.entry_kind(fn)[0] else error_handler_exposure(fn, analysis.resolve_name)
            for node, what in exposed:
                ctx.report("PIV027", node, f"exception details reach the client: {what}",
                           fix="Log the exception and return a generic message")


def report_hits(ctx: Any, code: str, hits: list[Hit], what: str) -> None:
    """One finding per sink, at the sink, with a flow from each source (remote
    flows first: a finding is remote when any of its sources is)."""
    hits = sorted(hits, key=lambda h: h.taint.label == "src:local")
    flows: dict[Any, list[tuple[Any, str]]] = {}
    for h in hits:
        origin = h.taint.steps[0][0] if h.taint.steps else None
        if origin not in flows and len(flows) < MAX_FLOWS:
            flows[origin] = [*h.taint.steps, (h.node, f"reaches {h.sink}")]
    h = hits[0]
    first = h.taint.steps[0][1] if h.taint.steps else "untrusted data"
    origin = first.replace("untrusted data from ", "").replace("untrusted ", "")
    local = h.taint.label == "src:local"
    more = f" (and {len(flows) - 1} more flow{'s' if len(flows) > 2 else ''})" if len(flows) > 1 else ""
    ctx.report(
        code,
        h.node,
        f"untrusted input ({origin}) reaches {what} in {h.sink}{more}",
        flows=list(flows.values()),
        severity="low" if local else None,
        properties={"threat": "local" if local else "remote"},
    )
