"""On-disk cache of per-file results and per-file Python summaries.

Where: outside the checked tree by default, in the user's cache directory
(`$XDG_CACHE_HOME/lintkit`, `~/Library/Caches/lintkit`, `%LOCALAPPDATA%\\lintkit`),
one folder per project keyed by the project root's path; `--cache-dir`
chooses another, `lintkit clean` removes a project's. Layout::

    key                          per-user secret that authenticates entries (0600)
    projects/<name>-<hash>/      one project's cache:
      CACHEDIR.TAG               tells backup tools to skip the directory
      v2/results/ab/<key>.json   one FileResult plus the facts it depended on
      v2/summaries/ab/<key>.json {analysis name: summary} of one Python file

A repository under check must not be able to answer for lintkit, so:

- every entry carries a MAC under the per-user key; an entry without a valid
  one (forged, copied from another machine, committed to the repository) is
  a miss, as is any entry whose shape and types are not exactly what lintkit
  writes (paths inside the project, known rules, positive positions);
- no symlink is followed when creating or writing cache files: directories
  are opened with O_NOFOLLOW one level at a time, files created with O_EXCL,
  and a cache directory that is itself a symlink is not used;
- entries hold no source text (excerpts come from the file itself).

A result key hashes everything a file's result can depend on that is known
before the analysis runs: the cache format, lintkit's code (every module of
the package, its schemas and models, and installed rule packs, so editing a
check during development invalidates), rule metadata, enabled codes,
result-shaping configuration, the file's path and its bytes. What is only
known *during* the analysis is recorded as dependencies and re-validated on
every hit: which other files a check asked about (`Project.exists`,
`Project.files`), which cross-file summaries it read (`ctx.project.summaries`),
and which questions it asked of indexes derived from them (`derived`), with
the answers. A hit whose recorded facts no longer hold is a miss.

Entries are JSON, never pickle. Writes go to a temporary file in the same
directory and are renamed into place, so an interrupted run leaves either the
old entry or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import os
import re
import secrets
import shutil
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from lintkit import __version__
from lintkit.findings import Finding, Location, Notification, Severity

if TYPE_CHECKING:
    from lintkit.config import Config
    from lintkit.engine import FileResult
    from lintkit.registry import Registry

FORMAT = 2
_MAX_ENTRY = 16 * 1024 * 1024  # bytes; anything larger is not ours
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# lintkit result cache; safe to delete.\n"


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def _digest_text(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.hexdigest()


def digest_json(value: Any) -> str:
    return _digest_text(json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr))


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
    for pack in registry.packs:
        if pack.name == "lintkit":
            continue
        for modules in pack.modules.values():
            for name in modules:
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
    return _digest_text(code, repr((sorted(enabled), repr(neutral))))


# --- recording what an analysis looked at --------------------------------------------


@dataclass
class Deps:
    """Facts outside the file that one analysis read."""

    probes: dict[str, bool] = field(default_factory=dict)  # Project.exists → answer
    members: dict[str, bool] = field(default_factory=dict)  # `x in project.files`
    all_files: bool = False  # iterated over the whole file set
    summaries: dict[str, dict[str, str | None]] = field(default_factory=dict)  # name → relpath → digest
    whole_tables: set[str] = field(default_factory=set)  # names iterated as a whole
    table_names: bool = False  # iterated over the analysis names
    # questions asked of a derived index: "table:index" → question JSON → answer digest
    derived: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "probes": sorted(self.probes.items()),
            "members": sorted(self.members.items()),
            "all_files": self.all_files,
            "summaries": {name: sorted(entries.items(), key=lambda kv: kv[0]) for name, entries in sorted(self.summaries.items())},
            "whole_tables": sorted(self.whole_tables),
            "table_names": self.table_names,
            "derived": {key: sorted(answers.items()) for key, answers in sorted(self.derived.items())},
        }


class RecordingFiles(frozenset):
    """The run's file set; membership questions are recorded."""

    _deps: Deps

    def __new__(cls, files: frozenset[str], deps: Deps) -> RecordingFiles:
        obj = super().__new__(cls, files)
        obj._deps = deps
        return obj

    def __contains__(self, item: object) -> bool:
        found = frozenset.__contains__(self, item)
        if isinstance(item, str):
            self._deps.members[item] = found
        return found

    def __iter__(self):
        self._deps.all_files = True
        return frozenset.__iter__(self)

    def __len__(self) -> int:
        self._deps.all_files = True
        return frozenset.__len__(self)


class _RecordingTable(dict):
    """One analysis's {relpath: summary}; reads are recorded as digests.

    A full copy of the table (a dict) so code that bypasses the overridden
    methods still sees the right data; point reads record one entry, anything
    that looks at the whole table records the whole table."""

    def __init__(self, name: str, data: dict[str, Any], digests: dict[str, str], deps: Deps) -> None:
        super().__init__(data)
        self._name, self._digests, self._deps = name, digests, deps
        self._source = data  # the run's table, shared by every file's view of it

    def _point(self, key: Any) -> None:
        if isinstance(key, str):
            self._deps.summaries.setdefault(self._name, {})[key] = self._digests.get(key)

    def _whole(self) -> None:
        self._deps.whole_tables.add(self._name)

    def __getitem__(self, key: Any) -> Any:
        self._point(key)
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._point(key)
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        self._point(key)
        return dict.__contains__(self, key)

    def __iter__(self):
        self._whole()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._whole()
        return dict.__len__(self)

    def keys(self):  # type: ignore[override]
        self._whole()
        return dict.keys(self)

    def values(self):  # type: ignore[override]
        self._whole()
        return dict.values(self)

    def items(self):  # type: ignore[override]
        self._whole()
        return dict.items(self)

    def copy(self) -> dict[str, Any]:  # type: ignore[override]
        self._whole()
        return dict(dict.items(self))

    def __eq__(self, other: object) -> bool:
        self._whole()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        self._whole()
        return dict.__repr__(self)


_DERIVED: dict[tuple[int, int, Any], tuple[dict[str, Any], Any]] = {}


def derived(table: dict[str, Any], build: Any) -> Any:
    """`build(table)`, built once per run's summaries table and shared by every
    file a worker analyzes (an index over the whole project costs O(project);
    rebuilding it per file made a run quadratic).

    `build` is a class listed in `registry.DERIVED_INDEXES`, with a
    `derived_name` and the names of its `questions` (methods whose arguments
    and answers are JSON-like). Through a recording table, each question asked
    and the digest of its answer become the file's dependency instead of the
    whole table: a cached result stays valid while every question still gets
    the same answer."""
    if isinstance(table, _RecordingTable):
        return _RecordingIndex(_shared(table._source, build), table._deps, f"{table._name}:{build.derived_name}")
    return _shared(table, build)


def _shared(source: dict[str, Any], build: Any) -> Any:
    key = (id(source), len(source), build)
    hit = _DERIVED.get(key)
    if hit is not None and hit[0] is source:
        return hit[1]
    if len(_DERIVED) >= 8:
        _DERIVED.clear()
    value = build(source)
    _DERIVED[key] = (source, value)  # keeps `source` alive, so its id stays unique
    return value


def _canonical(value: Any) -> Any:
    """JSON-ready form of a question's arguments or answer (sets sorted)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


_ANSWER_DIGESTS: dict[int, tuple[Any, str]] = {}
_SCALAR_DIGESTS = {value: digest_json(value) for value in (None, True, False)}


def _answer_digest(answer: Any) -> str:
    """Digest of a derived index's answer. Answers are mostly summaries
    straight from the run's tables, asked for again and again, so a dict's
    digest is remembered by identity (the entry keeps the dict alive)."""
    if isinstance(answer, dict):
        hit = _ANSWER_DIGESTS.get(id(answer))
        if hit is not None and hit[0] is answer:
            return hit[1]
        if len(_ANSWER_DIGESTS) >= 500_000:
            _ANSWER_DIGESTS.clear()
        digest = digest_json(answer)
        _ANSWER_DIGESTS[id(answer)] = (answer, digest)
        return digest
    if isinstance(answer, (list, tuple)):
        return _digest_text("list", *(_answer_digest(v) for v in answer))
    if answer is None or isinstance(answer, bool):
        return _SCALAR_DIGESTS[answer]
    return digest_json(_canonical(answer))


def _question(method: str, args: tuple[Any, ...]) -> str:
    return json.dumps([method, _canonical(args)], separators=(",", ":"), sort_keys=True)


class _RecordingIndex:
    """A derived index whose questions are recorded with their answers."""

    def __init__(self, index: Any, deps: Deps, key: str) -> None:
        self._index, self._deps, self._key = index, deps, key

    def __getattr__(self, name: str) -> Any:
        if name not in type(self._index).questions:
            raise AttributeError(name)
        method = getattr(self._index, name)

        def ask(*args: Any) -> Any:
            answer = method(*args)
            answers = self._deps.derived.setdefault(self._key, {})
            question = _question(name, args)
            if question not in answers:
                answers[question] = _answer_digest(answer)
            return answer

        return ask


def _derived_builder(name: str) -> Any:
    """The class behind a derived index name (only the registry's own)."""
    import importlib

    from lintkit.registry import DERIVED_INDEXES

    module, _, attr = DERIVED_INDEXES[name].partition(":")
    return getattr(importlib.import_module(module), attr)


class RecordingSummaries(dict):
    """`ctx.project.summaries`: {analysis name: table}, tables made lazily."""

    def __init__(self, summaries: dict[str, dict[str, Any]], digests: dict[str, dict[str, str]], deps: Deps) -> None:
        super().__init__(summaries)
        self._tables: dict[str, _RecordingTable] = {}
        self._digests, self._deps = digests, deps

    def _table(self, name: str) -> Any:
        table = self._tables.get(name)
        if table is None:
            table = _RecordingTable(name, dict.__getitem__(self, name), self._digests.get(name, {}), self._deps)
            self._tables[name] = table
        return table

    def __getitem__(self, name: Any) -> Any:
        if not dict.__contains__(self, name):
            self._deps.table_names = True
            raise KeyError(name)
        return self._table(name)

    def get(self, name: Any, default: Any = None) -> Any:
        if not dict.__contains__(self, name):
            self._deps.table_names = True
            return default
        return self._table(name)

    def __contains__(self, name: object) -> bool:
        if not dict.__contains__(self, name):
            self._deps.table_names = True
            return False
        return True

    def __iter__(self):
        self._deps.table_names = True
        return dict.__iter__(self)

    def keys(self):  # type: ignore[override]
        self._deps.table_names = True
        return dict.keys(self)

    def values(self):  # type: ignore[override]
        self._deps.table_names = True
        self._deps.whole_tables.update(dict.keys(self))
        return [self._table(n) for n in dict.keys(self)]

    def items(self):  # type: ignore[override]
        self._deps.table_names = True
        self._deps.whole_tables.update(dict.keys(self))
        return [(n, self._table(n)) for n in dict.keys(self)]


@dataclass(frozen=True)
class RunFacts:
    """What dependencies are validated against: this run's file set and
    summaries (with per-entry digests)."""

    files: frozenset[str]
    files_digest: str
    summary_digests: dict[str, dict[str, str]]
    table_digests: dict[str, str]
    names_digest: str
    sources: dict[str, str | None] = field(default_factory=dict, compare=False)  # memo of _source_digest
    tables: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)  # the summaries themselves
    indexes: dict[str, Any] = field(default_factory=dict, compare=False)  # derived indexes, built on demand

    @classmethod
    def build(cls, files: frozenset[str], summaries: dict[str, dict[str, Any]]) -> RunFacts:
        digests = {name: {rel: digest_json(value) for rel, value in table.items()} for name, table in summaries.items()}
        return cls(
            files=files,
            files_digest=_digest_text(*sorted(files)),
            summary_digests=digests,
            table_digests={name: _digest_text(*(f"{k}={v}" for k, v in sorted(d.items()))) for name, d in digests.items()},
            names_digest=_digest_text(*sorted(summaries)),
            tables=summaries,
        )

    def _answer(self, key: str, question: str) -> str:
        """The digest of what a derived index answers `question` in this run."""
        index = self.indexes.get(key)
        if index is None:
            table, _, name = key.partition(":")
            index = self.indexes[key] = _derived_builder(name)(self.tables.get(table, {}))
        method, args = json.loads(question)
        if method not in type(index).questions or not isinstance(args, list):
            raise ValueError(question)
        return _answer_digest(getattr(index, method)(*args))

    def _source_digest(self, root: str, rel: str) -> str | None:
        """Digest of a project file astroid read, once per run however many
        cached results name it."""
        if rel not in self.sources:
            try:
                with open(os.path.join(root, rel), "rb") as handle:
                    self.sources[rel] = digest_bytes(handle.read())
            except OSError:
                self.sources[rel] = None
        return self.sources[rel]

    def freeze(self, deps: Deps, root: str) -> dict[str, Any]:
        """Dependencies as stored: whole-set reads become digests of the set."""
        data = deps.to_json()
        data["all_files"] = self.files_digest if deps.all_files else None
        data["whole_tables"] = {name: self.table_digests.get(name) for name in sorted(deps.whole_tables)}
        data["table_names"] = self.names_digest if deps.table_names else None
        # the tables the questions were asked of, as they were: while a table is
        # unchanged its answers are too, and need not be asked again
        data["derived_tables"] = {key: self.table_digests.get(key.partition(":")[0]) for key in sorted(deps.derived)}
        return data

    def holds(self, data: Any, root: str) -> bool:
        """Do the recorded facts still hold in this run?"""
        try:
            for rel, existed in data["probes"]:
                if rel in self.files:
                    if not existed:
                        return False
                elif os.path.exists(os.path.join(root, rel)) != existed:
                    return False
            for rel, member in data["members"]:
                if (rel in self.files) != member:
                    return False
            if data["all_files"] is not None and data["all_files"] != self.files_digest:
                return False
            for name, entries in data["summaries"].items():
                table = self.summary_digests.get(name, {})
                for rel, digest in entries:
                    if table.get(rel) != digest:
                        return False
            for name, digest in data["whole_tables"].items():
                if self.table_digests.get(name) != digest:
                    return False
            if data["table_names"] is not None and data["table_names"] != self.names_digest:
                return False
            asked_of = data.get("derived_tables", {})
            for key, answers in data.get("derived", {}).items():
                recorded = asked_of.get(key)
                if recorded is not None and recorded == self.table_digests.get(key.partition(":")[0]):
                    continue  # the same table gives the same answers
                for question, digest in answers:
                    if self._answer(key, question) != digest:
                        return False
            for rel, digest in data.get("sources", []):
                if self._source_digest(root, rel) != digest:
                    return False
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        return True


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
        "flow": [_loc_json(r) for r in f.flow],
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
    if not isinstance(data, dict) or set(data) != {"code", "message", "location", "severity", "name", "related", "flow", "fix", "properties", "suppressed"}:
        raise ValueError("not a finding")
    code = _str(data["code"])
    rule = rules.get(code)
    if rule is None or not _CODE.fullmatch(code) or _str(data["name"]) != rule.name:
        raise ValueError("unknown rule")
    location = _loc(data["location"])
    if location.path != path:
        raise ValueError("a finding in another file")
    if not isinstance(data["related"], list) or not isinstance(data["flow"], list) or not isinstance(data["properties"], list):
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
        flow=tuple(_loc(r) for r in data["flow"]),
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
    from lintkit.engine import FileResult

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


# --- the store -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cache:
    """A cache directory, its key, and the run-wide part of every entry key. Picklable."""

    directory: str
    secret: bytes  # the per-user MAC key
    settings: str  # settings_digest(...)
    code: str  # code_digest(...)
    rules: Any = field(default=None, compare=False, repr=False)  # the registry's rules, to validate entries

    @staticmethod
    def digest(data: bytes) -> str:
        return digest_bytes(data)

    def _parts(self, area: str, key: str) -> tuple[str, ...]:
        return (f"v{FORMAT}", area, key[:2], f"{key}.json")

    def result_key(self, relpath: str, explicit: bool, content: str) -> str:
        return _digest_text("result", self.settings, relpath, str(explicit), content)

    def summary_key(self, relpath: str, content: str) -> str:
        return _digest_text("summary", self.code, relpath, content)

    # -- results --

    def load_result(self, key: str, facts: RunFacts, root: str, path: str) -> FileResult | None:
        data = self._read("results", key)
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
        self._write("results", key, encoded)

    # -- summaries --

    def load_summary(self, key: str) -> dict[str, Any] | None:
        data = self._read("summaries", key)
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
        self._write("summaries", key, encoded)

    # -- files --

    def _mac(self, payload: bytes) -> bytes:
        return hashlib.blake2b(payload, key=self.secret, digest_size=20).hexdigest().encode()

    def _read(self, area: str, key: str) -> dict[str, Any] | None:
        """The entry, when it is a regular file with a valid MAC, holding JSON for this key."""
        raw = _read_regular(os.path.join(self.directory, *self._parts(area, key)), _MAX_ENTRY)
        if raw is None:
            return None
        mac, _, payload = raw.partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None  # forged, foreign or damaged
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
            return None
        return data

    def _write(self, area: str, key: str, encoded: str) -> None:
        payload = encoded.encode("utf-8")
        try:
            write_entry(self.directory, self._parts(area, key), self._mac(payload) + b"\n" + payload)
        except OSError:
            return  # a read-only or full disk costs speed, never a result


def _read_regular(path: str, limit: int) -> bytes | None:
    """The bytes of a regular file (a FIFO or device is never read)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


def write_entry(directory: str, parts: tuple[str, ...], content: bytes) -> None:
    """Write `directory/parts...` atomically without following a symlink below
    `directory` (missing directories are made, one level at a time)."""
    fd = os.open(directory, _DIR_FLAGS)
    try:
        for name in parts[:-1]:
            try:
                os.mkdir(name, 0o700, dir_fd=fd)
            except FileExistsError:
                pass
            child = os.open(name, _DIR_FLAGS, dir_fd=fd)  # ELOOP/ENOTDIR for a symlink
            os.close(fd)
            fd = child
        tmp = f".{parts[-1]}.{secrets.token_hex(6)}.tmp"
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600, dir_fd=fd)
        try:
            with os.fdopen(out, "wb") as handle:
                handle.write(content)
            os.replace(tmp, parts[-1], src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=fd)
            except OSError:
                pass
            raise
    finally:
        os.close(fd)


# --- where the cache lives ------------------------------------------------------------


def user_cache_home() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "lintkit"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "lintkit"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lintkit"


def default_dir(project_root: Path) -> Path:
    """The project's cache folder in the user's cache directory."""
    real = os.path.realpath(project_root)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(real))[:40] or "root"
    return user_cache_home() / "projects" / f"{name}-{_digest_text(real)[:16]}"


def _user_secret() -> bytes | None:
    """The per-user MAC key (made on first use, readable by the user only);
    None when it cannot be had (then there is no cache)."""
    home = user_cache_home()
    path = home / "key"
    data = _read_regular(str(path), 1024)
    if data is not None and len(data) == 32:
        return data
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        if home.is_symlink():
            return None
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        data = _read_regular(str(path), 1024)
        return data if data is not None and len(data) == 32 else None
    except OSError:
        return None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def open_cache(directory: Path, registry: Registry, enabled: Iterable[str], config: Config) -> Cache | None:
    """A usable cache in `directory`, or None when it cannot be created or is
    a symlink (a repository may commit one pointing anywhere)."""
    secret = _user_secret()
    if secret is None:
        return None
    try:
        if directory.is_symlink():
            return None
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        real = os.path.realpath(directory)
        for name, content in (("CACHEDIR.TAG", _TAG.encode()), (".gitignore", b"*\n")):
            if not os.path.lexists(os.path.join(real, name)):
                write_entry(real, (name,), content)
    except OSError:
        return None
    code = code_digest(registry)
    return Cache(real, secret, settings_digest(code, enabled, config), code, registry.rules)


def clean(directory: Path) -> bool:
    """Remove a cache directory (never through a symlink); True if there was one."""
    if directory.is_symlink():
        directory.unlink()
        return True
    if not directory.is_dir():
        return False
    shutil.rmtree(directory)
    return True
