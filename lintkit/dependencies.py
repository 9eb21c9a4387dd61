"""What a file's analysis read outside the file, recorded so that a cached
result can be reused only while all of it still holds.

Checks see the run's file set and Python summaries through recording
stand-ins: which other files a check asked about (`Project.exists`,
`Project.files`), which cross-file summaries it read (`ctx.project.summaries`),
and which questions it asked of indexes derived from them (`derived`), with
the answers. `RunFacts` is this run's side: it freezes what was recorded for
storage and tells whether a stored record still holds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, ItemsView, Iterator, KeysView, ValuesView

from lintkit.cache import digest_bytes, digest_json, digest_text
from lintkit.registry import derived_builder


@dataclass
class Deps:
    """Facts outside the file that one analysis read."""

    probes: dict[str, bool] = field(default_factory=dict)  # Project.exists → answer
    reads: dict[str, str | None] = field(default_factory=dict)  # files Project.read_text read
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


class RecordingFiles(frozenset[str]):
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

    def __iter__(self) -> Iterator[str]:
        self._deps.all_files = True
        return frozenset.__iter__(self)

    def __len__(self) -> int:
        self._deps.all_files = True
        return frozenset.__len__(self)


class _RecordingTable(dict[str, Any]):
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

    def __iter__(self) -> Iterator[str]:
        self._whole()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._whole()
        return dict.__len__(self)

    def keys(self) -> KeysView[str]:  # type: ignore[override]  # dict's is the private dict_keys
        self._whole()
        return dict.keys(self)

    def values(self) -> ValuesView[Any]:  # type: ignore[override]  # dict's is the private dict_values
        self._whole()
        return dict.values(self)

    def items(self) -> ItemsView[str, Any]:  # type: ignore[override]  # dict's is the private dict_items
        self._whole()
        return dict.items(self)

    def copy(self) -> dict[str, Any]:
        self._whole()
        return dict(dict.items(self))

    def __eq__(self, other: object) -> bool:
        self._whole()
        return dict.__eq__(self, other)

    __hash__ = None

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
        return digest_text("list", *(_answer_digest(v) for v in answer))
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


class RecordingSummaries(dict[str, Any]):
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

    def __iter__(self) -> Iterator[str]:
        self._deps.table_names = True
        return dict.__iter__(self)

    def keys(self) -> KeysView[str]:  # type: ignore[override]  # dict's is the private dict_keys
        self._deps.table_names = True
        return dict.keys(self)

    def values(self) -> list[Any]:  # type: ignore[override]  # a list of the recording tables
        self._deps.table_names = True
        self._deps.whole_tables.update(dict.keys(self))
        return [self._table(n) for n in dict.keys(self)]

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]  # a list, each table recording
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
            files_digest=digest_text(*sorted(files)),
            summary_digests=digests,
            table_digests={name: digest_text(*(f"{k}={v}" for k, v in sorted(d.items()))) for name, d in digests.items()},
            names_digest=digest_text(*sorted(summaries)),
            tables=summaries,
        )

    def _answer(self, key: str, question: str) -> str:
        """The digest of what a derived index answers `question` in this run."""
        index = self.indexes.get(key)
        if index is None:
            table, _, name = key.partition(":")
            index = self.indexes[key] = derived_builder(name)(self.tables.get(table, {}))
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
