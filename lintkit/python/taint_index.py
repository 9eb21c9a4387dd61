"""The project's taint summaries, indexed once per run.

`summarize()` gives, per module, its functions' summaries and the views its
urlconfs route to. Every module analyzed in a run looks into the same table,
so the index is built once (`cache.derived`) and each lookup names the module
asking: a module never sees its own summaries (it analyzes its own functions
afresh), exactly as if the index had been built without it.

A function is indexed under its full dotted name and under every dotted
suffix of its module's name, because the run's root need not be the import
root (from a repository root, `src/pkg/mod.py` is named `src.pkg.mod`, but
imported as `pkg.mod`). A full name always wins over a suffix; among full
names the last module (shallowest first) wins, among suffixes the first.

The methods named in `questions` are what the result cache records (with
their answers) as a file's dependency on the other files' summaries.
"""

from __future__ import annotations

from typing import Any

from lintkit.python.parse import module_name_for

# one candidate: (relpath, is the full name, summary JSON)
_Candidate = tuple[str, bool, dict[str, Any]]


class ProjectIndex:
    derived_name = "taint-index"
    questions = ("function", "is_owner", "url_views")

    def __init__(self, table: dict[str, Any]) -> None:
        self._functions: dict[str, list[_Candidate]] = {}
        # dotted owner ("pkg.mod.Class" of "pkg.mod.Class.method") -> (first relpath, more than one?)
        self._owners: dict[str, tuple[str, bool]] = {}
        self._views: dict[str, tuple[str, bool]] = {}
        for relpath, data in sorted(table.items(), key=lambda kv: kv[0].count("/")):
            if not isinstance(data, dict):
                continue
            parts = module_name_for(relpath).split(".")
            for fname, summary in data.get("functions", {}).items():
                for start in range(len(parts)):
                    key = ".".join(parts[start:]) + "." + fname
                    self._functions.setdefault(key, []).append((relpath, start == 0, summary))
                    for i in range(1, key.count(".") + 1):
                        _note(self._owners, key.rsplit(".", i)[0], relpath)
            for view in data.get("urlviews", []):
                _note(self._views, view, relpath)

    def function(self, qual: str, asking: str) -> dict[str, Any] | None:
        """The summary JSON of function `qual`, from modules other than `asking`."""
        found: dict[str, Any] | None = None
        for relpath, is_full, summary in self._functions.get(qual, ()):
            if relpath != asking and (is_full or found is None):
                found = summary
        return found

    def is_owner(self, qual: str, asking: str) -> bool:
        """Does some other module define functions under `qual` (a class, in practice)?"""
        return _seen_elsewhere(self._owners, qual, asking)

    def url_views(self, asking: str) -> frozenset[str]:
        """Views routed to by the urlconfs of modules other than `asking`."""
        return frozenset(v for v in self._views if _seen_elsewhere(self._views, v, asking))


def _note(seen: dict[str, tuple[str, bool]], key: str, relpath: str) -> None:
    first = seen.get(key)
    if first is None:
        seen[key] = (relpath, False)
    elif first[0] != relpath and not first[1]:
        seen[key] = (first[0], True)


def _seen_elsewhere(seen: dict[str, tuple[str, bool]], key: str, asking: str) -> bool:
    entry = seen.get(key)
    return entry is not None and (entry[1] or entry[0] != asking)
