"""The project's taint summaries, indexed once per run.

`summarize()` gives, per module, its functions' summaries and the views its
urlconfs route to. Every module analyzed in a run looks into the same table,
so the index is built once (`ctx.project.index`) and each question names the
module asking: a name resolves to the file that module would import
(`modules.ModuleFiles`), and a module never sees its own summaries (it
analyzes its own functions afresh).

The methods named in `questions` are what the result cache records (with
their answers) as a file's dependency on the other files' summaries.
"""

from __future__ import annotations

from typing import Any, Iterator

from lintkit.python.modules import ModuleFiles


class ProjectIndex:
    derived_name = "taint-index"
    table = "taint"
    questions = ("function", "is_owner", "url_views")

    def __init__(self, table: dict[str, Any]) -> None:
        self._modules = {relpath: data for relpath, data in table.items() if isinstance(data, dict)}
        self._files = ModuleFiles(self._modules)
        self._classes: dict[str, frozenset[str]] = {}  # relpath -> classes with summarized methods
        # view -> (first relpath routing to it, more than one?)
        self._views: dict[str, tuple[str, bool]] = {}
        for relpath, data in self._modules.items():
            for view in data.get("urlviews", []):
                first = self._views.get(view)
                if first is None:
                    self._views[view] = (relpath, False)
                elif first[0] != relpath:
                    self._views[view] = (first[0], True)

    def function(self, qual: str, asking: str) -> dict[str, Any] | None:
        """The summary JSON of function `qual` as module `asking` imports it."""
        for relpath, name in self._definitions(qual, asking):
            found = self._modules[relpath].get("functions", {}).get(name)
            if found is not None:
                return found
        return None

    def is_owner(self, qual: str, asking: str) -> bool:
        """Is `qual` a class, with summarized methods, of a module `asking` imports?"""
        return any(name in self._classes_of(relpath) for relpath, name in self._definitions(qual, asking))

    def url_views(self, asking: str) -> frozenset[str]:
        """Views routed to by the urlconfs of modules other than `asking`."""
        return frozenset(v for v, (first, more) in self._views.items() if more or first != asking)

    def _definitions(self, qual: str, asking: str) -> Iterator[tuple[str, str]]:
        """(relpath, name inside it) for each way to read `qual` as module + name,
        the longest module first, in modules other than `asking`."""
        if not self._modules:
            return
        parts = qual.split(".")
        for k in range(len(parts) - 1, 0, -1):
            relpath = self._files.find(".".join(parts[:k]), asking)
            if relpath is not None and relpath != asking:
                yield relpath, ".".join(parts[k:])

    def _classes_of(self, relpath: str) -> frozenset[str]:
        found = self._classes.get(relpath)
        if found is None:
            names = self._modules[relpath].get("functions", {})
            found = self._classes[relpath] = frozenset(n.rsplit(".", 1)[0] for n in names if "." in n)
        return found
