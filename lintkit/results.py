"""The result cache: what a cached result is keyed on, how it is stored, and
the check that it is exactly what lintkit wrote.

A result key hashes everything a file's result can depend on that is known
before the analysis runs: the cache format, lintkit's code (every module of
the package, its schemas and models, and installed rule packs, so editing a
check during development invalidates), rule metadata, enabled codes,
result-shaping configuration, the file's path and its bytes. What is only
known during the analysis is recorded as dependencies (`dependencies.py`)
and re-validated on every hit. Entries hold no source text; what comes back
from disk is checked field by field (paths inside the project, known rules,
positive positions), and a bad entry is a miss, never a crash.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from lintkit import __version__
from lintkit.cache import FORMAT, Store, digest_text, open_store
from lintkit.findings import FileResult, Finding, Location, Notification, Severity

if TYPE_CHECKING:
    from lintkit.config import Config
    from lintkit.dependencies import RunFacts
    from lintkit.registry import Registry


# --- what the whole run's results depend on ----------------------------------------


def _package_files(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path


def _fingerprint(h: Any, path: Path, name: str) -> None:
    # Size and nanosecond mtime, not content: this runs on every start-up, and
    # stat-ing ~60 files costs a millisecond where reading them costs 40.
    st = path.stat()
    h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())


def code_digest(registry: Registry) -> str:
    """lintkit's own code, every rule's metadata, and third-party packs' code."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{FORMAT}:{__version__}".encode())
    package = Path(__file__).resolve().parent
    for path in _package_files(package):
        _fingerprint(h, path, path.relative_to(package).as_posix())
    # Schemas and models are code too: the checks read them.
    from lintkit.registry import builtin_rules_dir

    rules_dir = builtin_rules_dir()
    for dirpath, dirnames, filenames in sorted(os.walk(rules_dir)):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith((".json", ".toml", ".yml", ".yaml")):
                path = Path(dirpath) / name
                _fingerprint(h, path, "rules/" + path.relative_to(rules_dir).as_posix())
    for rule in registry.sorted_rules():
        h.update(repr(rule).encode("utf-8", "surrogateescape"))
    # Third-party packs' code: the modules their rules name as checks.
    pack_modules = {ref.partition(":")[0] for rule in registry.rules.values() if rule.pack != "lintkit" for _, ref in rule.checks}
    for name in sorted(pack_modules):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = getattr(spec, "origin", None)
        h.update(name.encode())
        if origin and os.path.isfile(origin):
            _fingerprint(h, Path(origin), origin)
    return h.hexdigest()


def settings_digest(code: str, enabled: Iterable[str], config: Config) -> str:
    """Everything besides the file itself that shapes a file's result. Paths
    (`config.root`, `config.source`) and discovery settings (excludes) are left
    out so a cache survives a checkout in another directory."""
    from dataclasses import replace

    # Everything in the configuration counts (a setting added later is covered
    # without anyone remembering the cache) except what only locates or
    # selects files, or only decides the exit code.
    neutral = replace(config, source="", explicit=False, root="", exclude=(), respect_gitignore=True, fail_on=type(config)().fail_on)
    return digest_text(code, repr((sorted(enabled), repr(neutral))))


# --- (de)serialising results -----------------------------------------------------------
#
# What comes back from disk is checked field by field: a bad entry is a miss
# (ValueError), never a crash and never a finding lintkit did not make.

_CODE = re.compile(r"[A-Z]{2,5}[0-9]{3}")
_LEVELS = ("note", "warning", "error")


def _loc_json(loc: Location) -> list[Any]:
    return [loc.path, loc.line, loc.column, loc.end_line, loc.end_column, loc.message]


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _pos(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 10**9:
        raise ValueError("not a position")
    return value


def _relpath(value: Any) -> str:
    """A path inside the project (or an absolute path named on the command line)."""
    path = _str(value)
    parts = PurePosixPath(path).parts
    if not path or "\\" in path or ".." in parts or any(ord(ch) < 32 for ch in path):
        raise ValueError("not a project path")
    return path


def _loc(data: Any) -> Location:
    if not isinstance(data, list) or len(data) != 6:
        raise ValueError("not a location")
    path, line, column, end_line, end_column, message = data
    return Location(_relpath(path), _pos(line), _pos(column), _pos(end_line), _pos(end_column), _str(message))


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "message": f.message,
        "location": _loc_json(f.location),
        "severity": f.severity.value,
        "name": f.name,
        "related": [_loc_json(r) for r in f.related],
        "flows": [[_loc_json(r) for r in steps] for steps in f.flows],
        "fix": f.fix,
        "properties": [[k, v] for k, v in f.properties],
        "suppressed": f.suppressed,
    }


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list):
        return tuple(_scalar(v) for v in value)
    raise ValueError("not a property value")


def _finding(data: Any, path: str, rules: Any) -> Finding:
    if not isinstance(data, dict) or set(data) != {"code", "message", "location", "severity", "name", "related", "flows", "fix", "properties", "suppressed"}:
        raise ValueError("not a finding")
    code = _str(data["code"])
    rule = rules.get(code)
    if rule is None or not _CODE.fullmatch(code) or _str(data["name"]) != rule.name:
        raise ValueError("unknown rule")
    location = _loc(data["location"])  # another project file for a template the file renders
    flows = data["flows"]
    if not isinstance(data["related"], list) or not isinstance(flows, list) or not all(isinstance(s, list) for s in flows):
        raise ValueError("not a finding")
    if not isinstance(data["properties"], list):
        raise ValueError("not a finding")
    if not isinstance(data["suppressed"], bool):
        raise ValueError("not a finding")
    properties = []
    for pair in data["properties"]:
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError("not a property")
        properties.append((_str(pair[0]), _scalar(pair[1])))
    return Finding(
        code=code,
        message=_str(data["message"]),
        location=location,
        severity=Severity(_str(data["severity"])),
        name=rule.name,
        related=tuple(_loc(r) for r in data["related"]),
        flows=tuple(tuple(_loc(r) for r in steps) for steps in flows),
        fix=_str(data["fix"]),
        properties=tuple(properties),
        suppressed=data["suppressed"],
    )


def _notification_json(n: Notification) -> list[Any]:
    return [n.message, n.path, n.level, n.rule, n.line, n.column, n.kind]


def _notification(data: Any, path: str) -> Notification:
    if not isinstance(data, list) or len(data) != 7:
        raise ValueError("not a notification")
    message, npath, level, rule, line, column, kind = data
    if npath != path or level not in _LEVELS or not isinstance(line, int) or not isinstance(column, int) or line < 0 or column < 0:
        raise ValueError("not a notification")
    return Notification(_str(message), npath, level, _str(rule), line, column, _str(kind))


def result_to_json(result: FileResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "kind": result.kind,
        "findings": [_finding_json(f) for f in result.findings],
        "suppressed": [_finding_json(f) for f in result.suppressed],
        "notifications": [_notification_json(n) for n in result.notifications],
        "skipped": result.skipped,
    }


_KINDS = (None, "buildspec", "appspec", "pipeline", "cloudformation", "python", "unknown")


def result_from_json(data: Any, path: str, rules: Any) -> FileResult:
    """The FileResult an entry holds for `path`; ValueError for anything else."""

    if not isinstance(data, dict) or set(data) != {"path", "kind", "findings", "suppressed", "notifications", "skipped"}:
        raise ValueError("not a result")
    if data["path"] != path or data["kind"] not in _KINDS:
        raise ValueError("not this file's result")
    for key in ("findings", "suppressed", "notifications"):
        if not isinstance(data[key], list):
            raise ValueError("not a result")
    return FileResult(
        path=path,
        kind=data["kind"],
        findings=[_finding(f, path, rules) for f in data["findings"]],
        suppressed=[_finding(f, path, rules) for f in data["suppressed"]],
        notifications=[_notification(n, path) for n in data["notifications"]],
        skipped=_str(data["skipped"]),
        seconds=0.0,
    )


def _same(a: FileResult, b: FileResult) -> bool:
    return (a.path, a.kind, a.findings, a.suppressed, a.notifications, a.skipped) == (
        b.path,
        b.kind,
        b.findings,
        b.suppressed,
        b.notifications,
        b.skipped,
    ) and [f.properties for f in a.findings] == [f.properties for f in b.findings]


# --- the result cache ------------------------------------------------------------------


@dataclass(frozen=True)
class ResultCache:
    """Results and summaries in a Store, plus the run-wide part of every key. Picklable."""

    store: Store
    settings: str  # settings_digest(...)
    code: str  # code_digest(...)
    rules: Any = field(default=None, compare=False, repr=False)  # the registry's rules, to validate entries

    @staticmethod
    def digest(data: bytes) -> str:
        from lintkit.cache import digest_bytes

        return digest_bytes(data)

    def result_key(self, relpath: str, explicit: bool, content: str) -> str:
        return digest_text("result", self.settings, relpath, str(explicit), content)

    def summary_key(self, relpath: str, content: str) -> str:
        return digest_text("summary", self.code, relpath, content)

    def load_result(self, key: str, facts: RunFacts, root: str, path: str) -> FileResult | None:
        data = self.store.load("results", key)
        if data is None:
            return None
        try:
            if not facts.holds(data["deps"], root):
                return None
            return result_from_json(data["result"], path, self.rules)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def store_result(self, key: str, result: FileResult, deps: dict[str, Any]) -> None:
        if result.notifications and any(n.kind == "crash" for n in result.notifications):
            return  # a crash may be transient (or fixed by the next edit): never pin it
        payload = result_to_json(result)
        try:
            encoded = json.dumps({"format": FORMAT, "key": key, "result": payload, "deps": deps}, separators=(",", ":"))
            # Anything that would not come back identical (exotic property values) is not cached.
            if not _same(result_from_json(json.loads(encoded)["result"], result.path, self.rules), result):
                return
        except (TypeError, ValueError):
            return
        self.store.save("results", key, encoded)

    def load_summary(self, key: str) -> dict[str, Any] | None:
        data = self.store.load("summaries", key)
        if data is None:
            return None
        value = data.get("summary")
        return value if isinstance(value, dict) else None

    def store_summary(self, key: str, summary: dict[str, Any]) -> None:
        try:
            encoded = json.dumps({"format": FORMAT, "key": key, "summary": summary}, separators=(",", ":"), sort_keys=True)
            # Only what survives the JSON round trip unchanged, so a warm run sees what a cold one saw.
            if json.loads(encoded)["summary"] != summary:
                return
        except (TypeError, ValueError):
            return
        self.store.save("summaries", key, encoded)


def open_cache(directory: Path, registry: Registry, enabled: Iterable[str], config: Config) -> ResultCache | None:
    """The result cache in `directory`, or None when there can be none."""
    store = open_store(directory)
    if store is None:
        return None
    code = code_digest(registry)
    return ResultCache(store, settings_digest(code, enabled, config), code, registry.rules)
