"""Taint models as data: sources, sinks, sanitizers and normalizers per
framework, loaded from `rules/models/taint-*.toml` (one entry per API, named
as `names.py` resolves it). Sinks and sanitizers speak in sink kinds
(`taint-kinds.toml`); which rule reports a kind is the rule's own fact (its
TOML's `sinks`)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ALL = "*"


@dataclass(frozen=True)
class Sink:
    api: str
    kind: str  # the sink kind ("sql", "command", ...)
    args: tuple[int, ...] = ()
    kwargs: tuple[str, ...] = ()
    receiver: bool = False
    mode: str = ""
    what: str = ""  # what the input reaches, when not the kind's words


@dataclass(frozen=True)
class Sanitizer:
    api: str
    clears: frozenset[str]  # sink kinds, or ALL
    guard: bool = False  # a predicate: true proves its receiver (`*.m`) or first argument safe
    why: str = ""  # what makes it complete for `clears` (required in the models)


@dataclass(frozen=True)
class Render:
    """A call rendering a template file with a context (`[[render]]`)."""

    api: str
    template: int  # position of the template name
    template_kw: str
    context: str  # "kwargs" (keyword arguments are the context) or the position of a dict
    context_kw: str
    autoescape: str  # "on" (Django), "extension" (Flask: .html, .htm, .xml, .xhtml, .svg)


@dataclass
class TaintModel:
    kinds: dict[str, str] = field(default_factory=dict)  # sink kind -> what it is, in messages
    sources: dict[str, str] = field(default_factory=dict)  # api -> "remote" | "local"
    sinks: dict[str, list[Sink]] = field(default_factory=dict)  # api or "*.method"
    sanitizers: dict[str, Sanitizer] = field(default_factory=dict)
    normalizers: set[str] = field(default_factory=set)
    noreturn: set[str] = field(default_factory=set)  # calls that never return (flask.abort)
    returns: dict[str, str] = field(default_factory=dict)  # factory or class -> the type of its result
    aliases: dict[str, str] = field(default_factory=dict)  # a public path -> the name the models use
    entries: list[Any] = field(default_factory=list)  # entries.Entry: framework entry points
    alias_roots: set[str] = field(default_factory=set)  # first components of the aliases
    renders: dict[str, Render] = field(default_factory=dict)
    _source_objects: dict[str, str] | None = field(default=None, repr=False)
    # api -> argument positions/keywords whose content reaches the result (the others do not)
    propagators: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = field(default_factory=dict)

    def sinks_for(self, qual: str | None, method: str | None) -> list[Sink]:
        found: list[Sink] = []
        if qual:
            found += self.sinks.get(qual, [])
        if method and not found:
            found += self.sinks.get("*." + method, [])
        return found

    def sanitizer_for(self, qual: str | None, method: str | None) -> Sanitizer | None:
        if qual and qual in self.sanitizers:
            return self.sanitizers[qual]
        if method and "*." + method in self.sanitizers:
            return self.sanitizers["*." + method]
        return None

    @overload
    def canonical(self, qual: str) -> str: ...
    @overload
    def canonical(self, qual: str | None) -> str | None: ...
    def canonical(self, qual: str | None) -> str | None:
        """The name the models use for `qual`: `sqlalchemy.sql.text` is `sqlalchemy.text`,
        `fastapi.Request` is `starlette.requests.Request` (`[[alias]]`)."""
        if not qual or qual.partition(".")[0] not in self.alias_roots:
            return qual
        parts = qual.split(".")
        for k in range(len(parts), 0, -1):
            same = self.aliases.get(".".join(parts[:k]))
            if same is not None:
                return ".".join([same, *parts[k:]])
        return qual

    def source_object_kind(self, qual: str | None) -> str | None:
        """"remote" when `qual` is an object whose attributes are sources
        (flask.request, a Django HttpRequest): passing it on passes the input."""
        if not qual:
            return None
        if self._source_objects is None:  # every proper prefix of a source: flask.request, ...
            self._source_objects = {}
            for api, kind in self.sources.items():
                parts = api.split(".")
                for k in range(1, len(parts)):
                    self._source_objects.setdefault(".".join(parts[:k]), kind)
        return self._source_objects.get(qual)

    def is_normalizer(self, qual: str | None, method: str | None) -> bool:
        return bool((qual and qual in self.normalizers) or (method and "*." + method in self.normalizers))


def models_dir() -> Path:
    from lintkit.api import data_path

    return data_path("models")


@lru_cache(maxsize=4)
def load_model(directory: str | None = None) -> TaintModel:
    from lintkit.python.entries import load_entry

    model = TaintModel()
    base = Path(directory) if directory else models_dir()
    for path in sorted(base.glob("taint-*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        model.kinds.update({str(k): str(v) for k, v in data.get("kinds", {}).items()})
        for entry in data.get("source", []):
            model.sources[str(entry["api"])] = str(entry.get("kind", "remote"))
        for entry in data.get("sink", []):
            sink = Sink(
                api=str(entry["api"]),
                kind=str(entry["kind"]),
                args=tuple(int(i) for i in entry.get("args", [])),
                kwargs=tuple(str(k) for k in entry.get("kwargs", [])),
                receiver=bool(entry.get("receiver", False)),
                mode=str(entry.get("mode", "")),
                what=str(entry.get("what", "")),
            )
            model.sinks.setdefault(sink.api, []).append(sink)
        for entry in data.get("sanitizer", []):
            clears = frozenset(str(c) for c in entry.get("clears", []))
            model.sanitizers[str(entry["api"])] = Sanitizer(str(entry["api"]), clears, bool(entry.get("guard", False)), str(entry["why"]))
        for entry in data.get("propagator", []):
            model.propagators[str(entry["api"])] = (
                tuple(int(i) for i in entry.get("args", [])),
                tuple(str(k) for k in entry.get("kwargs", [])),
            )
        for entry in data.get("normalizer", []):
            model.normalizers.add(str(entry["api"]))
        for entry in data.get("noreturn", []):
            model.noreturn.add(str(entry["api"]))
        for entry in data.get("returns", []):
            model.returns[str(entry["api"])] = str(entry["type"])
        for entry in data.get("alias", []):
            model.aliases[str(entry["api"])] = str(entry["same"])
            model.alias_roots.add(str(entry["api"]).partition(".")[0])
        model.entries += [load_entry(entry) for entry in data.get("entry", [])]
        for entry in data.get("render", []):
            model.renders[str(entry["api"])] = Render(str(entry["api"]), int(entry["template"]), str(entry.get("template_kw", "")),
                                                      str(entry["context"]), str(entry.get("context_kw", "")), str(entry["autoescape"]))
    return model
