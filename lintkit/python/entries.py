"""Entry points: the functions a framework calls with request data, and which of
their parameters carry it. What each framework does is data (`[[entry]]` in
`rules/models/taint-*.toml`): a route decorator, a registering call
(`add_url_rule(..., view_func=f)`), a base class with handler methods, a
signature (`environ, start_response`), a resolver naming convention; the request
object's type (whose attributes are sources) and which other parameters are
untrusted. Function names given by deployment descriptors (SAM/Serverless
`Handler:`, OpenAPI `operationId` for connexion) come from the project's files
(`handlers.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from astroid import nodes

from lintkit.python.names import imported_modules, qualified
from lintkit.python.walk import nodes_of

Resolve = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Registrar:
    api: str  # the registering call (`flask.Flask.add_url_rule`)
    arg: int  # position of the function
    kwarg: str = ""  # or its keyword


@dataclass(frozen=True)
class Entry:
    framework: str
    decorators: frozenset[str] = frozenset()
    registrars: tuple[Registrar, ...] = ()
    bases: tuple[str, ...] = ()  # qualified base classes; "pkg.*" for a package's classes
    methods: re.Pattern[str] | None = None  # handler methods of such classes
    signature: tuple[str, ...] = ()  # parameter names of a plain function entry ("*": any name)
    name: re.Pattern[str] | None = None  # the function's (or method's) name
    imports: str = ""  # the module must import this package (duck-typed frameworks)
    request: int | None = None  # position (self left out) of the request object
    request_type: str = ""
    self_type: str = ""  # the handler's `self` is the framework's request handler
    untrusted: str = "all"  # the other parameters: "all", "none", "after:<name>", or "first"
    skip: frozenset[str] = frozenset()  # parameters that never carry input (info, context, resp)
    what: str = "route parameter"  # how messages name an untrusted parameter
    returns_html: bool = False  # a returned string is the HTML response body
    # The input is remote only in a module that reads one of these keys (an HTTP
    # request's fields, for a Lambda event); elsewhere it is a local source.
    remote_keys: frozenset[str] = frozenset()
    mapping: bool = False  # the untrusted parameters are dicts (values.MAPPING)


@dataclass
class Match:
    entry: Entry
    request: str = ""  # the request parameter's name
    untrusted: list[str] = field(default_factory=list)


def load_entry(data: dict[str, Any]) -> Entry:
    methods = data.get("methods")
    return Entry(
        framework=str(data["framework"]),
        decorators=frozenset(str(d) for d in data.get("decorators", [])),
        registrars=tuple(Registrar(str(r["api"]), int(r.get("arg", -1)), str(r.get("kwarg", ""))) for r in data.get("registrars", [])),
        bases=tuple(str(b) for b in data.get("bases", [])),
        methods=re.compile(str(methods)) if methods else None,
        signature=tuple(str(p) for p in data.get("signature", [])),
        name=re.compile(str(data["name"])) if "name" in data else None,
        imports=str(data.get("imports", "")),
        request=int(data["request"]) if "request" in data else None,
        request_type=str(data.get("request_type", "")),
        self_type=str(data.get("self_type", "")),
        untrusted=str(data.get("untrusted", "all")),
        skip=frozenset(str(p) for p in data.get("skip", [])),
        what=str(data.get("what", "route parameter")),
        returns_html=bool(data.get("returns_html", False)),
        remote_keys=frozenset(str(k) for k in data.get("remote_keys", [])),
        mapping=bool(data.get("mapping", False)),
    )


def registered(module: nodes.Module, entries: list[Entry], resolve: Resolve) -> dict[str, Entry]:
    """Names of the module's functions handed to a registering call
    (`app.add_url_rule("/u", view_func=show_user)`), with the entry they are."""
    apis = {r.api: (r, e) for e in entries for r in e.registrars}
    roots = {name.partition(".")[0] for name in imported_modules(module)}
    if not any(api.partition(".")[0] in roots for api in apis):
        return {}  # the module imports none of the registering frameworks
    found: dict[str, Entry] = {}
    for call in nodes_of(module, nodes.Call):
        hit = apis.get(resolve(call.func) or "")
        if hit is None:
            continue
        registrar, entry = hit
        target = next((k.value for k in call.keywords or [] if k.arg == registrar.kwarg), None) if registrar.kwarg else None
        if target is None and 0 <= registrar.arg < len(call.args):
            target = call.args[registrar.arg]
        if isinstance(target, nodes.Name):
            found[target.name] = entry
    return found


def active(entries: list[Entry], imports: set[str]) -> list[Entry]:
    """The entries a module can have: those of duck-typed frameworks only when it imports them."""
    return [e for e in entries if not e.imports or any(i == e.imports or i.startswith(e.imports + ".") for i in imports)]


def match(fn: Any, cls: Any, params: list[str], entries: list[Entry], resolve: Resolve,
          registered_here: dict[str, Entry], handler_names: dict[str, str]) -> Match | None:
    """The entry `fn` is (params: its parameters without self/cls; entries: `active`), or None."""
    decorators = {resolve(d.func if isinstance(d, nodes.Call) else d) for d in (fn.decorators.nodes if fn.decorators else [])}
    bases = [qualified(b) or "" for b in cls.bases] if cls is not None else []
    for entry in entries:
        if entry.name is not None and not entry.name.search(fn.name):
            continue
        if entry.decorators and entry.decorators & decorators:
            return _bind(entry, params)
        if entry.registrars and cls is None and registered_here.get(fn.name) is entry:
            return _bind(entry, params)
        if entry.methods is not None and cls is not None and entry.methods.match(fn.name):
            if not entry.bases or any(_base_matches(b, entry.bases) for b in bases):
                return _bind(entry, params)
        if entry.signature and cls is None and len(params) == len(entry.signature):
            if all(s in ("*", p) for s, p in zip(entry.signature, params)):
                return _bind(entry, params)
    framework = handler_names.get(fn.name, "").removesuffix("-http") if cls is None else None
    named = next((e for e in entries if e.framework == framework), None) if framework else None
    return _bind(named, params) if named is not None else None


def handler_type(cls: Any, entries: list[Entry]) -> str:
    """The request handler type `self` is in every method of a class deriving from a
    framework's handler (`http.server.BaseHTTPRequestHandler`, `tornado.web.RequestHandler`)."""
    bases = [qualified(b) or "" for b in cls.bases]
    return next((e.self_type for e in entries if e.self_type and any(_base_matches(b, e.bases) for b in bases)), "")


def _base_matches(base: str, patterns: tuple[str, ...]) -> bool:
    return any(base == p or (p.endswith(".*") and base.startswith(p[:-1])) for p in patterns)


def _bind(entry: Entry, params: list[str]) -> Match:
    found = Match(entry)
    rest = list(params)
    if entry.request is not None and entry.request < len(params):
        found.request = params[entry.request]
        rest.remove(found.request)
    rest = [p for p in rest if p not in entry.skip]
    if entry.untrusted == "all":
        found.untrusted = rest
    elif entry.untrusted == "first":
        found.untrusted = rest[:1]
    elif entry.untrusted.startswith("after:"):
        name = entry.untrusted[6:]
        found.untrusted = params[params.index(name) + 1:] if name in params else []
    return found
