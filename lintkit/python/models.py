"""Taint models as data: sources, sinks, sanitizers and normalizers per
framework, loaded from `rules/models/taint-*.toml` (one entry per API, named
as `names.py` resolves it). Sinks and sanitizers speak in sink kinds
(`taint-kinds.toml`); which rule reports a kind is the rule's own fact (its
TOML's `sinks`)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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
    guard: bool = False


@dataclass
class TaintModel:
    kinds: dict[str, str] = field(default_factory=dict)  # sink kind -> what it is, in messages
    sources: dict[str, str] = field(default_factory=dict)  # api -> "remote" | "local"
    sinks: dict[str, list[Sink]] = field(default_factory=dict)  # api or "*.method"
    sanitizers: dict[str, Sanitizer] = field(default_factory=dict)
    name_sanitizers: list[tuple[re.Pattern[str], frozenset[str]]] = field(default_factory=list)
    normalizers: set[str] = field(default_factory=set)
    # api -> argument positions/keywords whose content reaches the result (the others do not)
    propagators: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = field(default_factory=dict)

    def sinks_for(self, qual: str | None, method: str | None) -> list[Sink]:
        found: list[Sink] = []
        if qual:
            found += self.sinks.get(qual, [])
        if method and not found:
            found += self.sinks.get("*." + method, [])
        return found

    def sanitizer_for(self, qual: str | None, method: str | None, name: str | None) -> Sanitizer | None:
        if qual and qual in self.sanitizers:
            return self.sanitizers[qual]
        if method and "*." + method in self.sanitizers:
            return self.sanitizers["*." + method]
        last = name or (qual.rsplit(".", 1)[-1] if qual else None)
        if last:
            for pattern, clears in self.name_sanitizers:
                if pattern.search(last):
                    return Sanitizer(api=last, clears=clears)
        return None

    def source_object_kind(self, qual: str | None) -> str | None:
        """"remote" when `qual` is an object whose attributes are sources
        (flask.request, a Django HttpRequest): passing it on passes the input."""
        if not qual:
            return None
        prefix = qual + "."
        for api, kind in self.sources.items():
            if api.startswith(prefix):
                return kind
        return None

    def is_normalizer(self, qual: str | None, method: str | None) -> bool:
        return bool((qual and qual in self.normalizers) or (method and "*." + method in self.normalizers))


def models_dir() -> Path:
    from lintkit.api import data_path

    return data_path("models")


@lru_cache(maxsize=4)
def load_model(directory: str | None = None) -> TaintModel:
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
            if "name_regex" in entry:
                model.name_sanitizers.append((re.compile(str(entry["name_regex"])), clears))
            else:
                model.sanitizers[str(entry["api"])] = Sanitizer(str(entry["api"]), clears, bool(entry.get("guard", False)))
        for entry in data.get("propagator", []):
            model.propagators[str(entry["api"])] = (
                tuple(int(i) for i in entry.get("args", [])),
                tuple(str(k) for k in entry.get("kwargs", [])),
            )
        for entry in data.get("normalizer", []):
            model.normalizers.add(str(entry["api"]))
    return model
