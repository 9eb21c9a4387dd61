"""The project's taint summaries, indexed once per run.

`summarize()` gives, per module, its functions' summaries, the views its
urlconfs route to, and the untrusted values its functions hand to functions it
does not define (`calls`): the module defining such a function walks it with
those values and reports the sinks where they are (`calls_into`). Every module analyzed in a run looks into the same table,
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
    questions = ("function", "is_owner", "url_views", "calls_into")

    def __init__(self, table: dict[str, Any]) -> None:
        self._modules = {relpath: data for relpath, data in table.items() if isinstance(data, dict)}
        self._files = ModuleFiles(self._modules)
        self._classes: dict[str, frozenset[str]] = {}  # relpath -> classes with summarized methods
        self._incoming: dict[str, dict[str, list[dict[str, Any]]]] | None = None
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

    def calls_into(self, asking: str) -> dict[str, list[dict[str, Any]]]:
        """{function of module `asking`: the untrusted values other modules pass it}:
        each with the caller's path, the argument, the source kind, the flow's steps
        in the caller's file and the sink kinds it was made safe for on the way."""
        if self._incoming is None:
            self._incoming = self._resolve_calls()
        return self._incoming.get(asking, {})

    def _resolve_calls(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        incoming: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for relpath, data in self._modules.items():
            for call in data.get("calls", []):
                target = self._callee(call["callee"].replace("()", ""), relpath)
                cleared = self._cleared_on_the_way(call, relpath)
                if target is None or cleared is None:
                    continue
                record = {"path": relpath, "arg": call["arg"], "source": call["source"], "steps": call["steps"], "cleared": cleared}
                if "request" in call:
                    record["request"] = call["request"]
                incoming.setdefault(target[0], {}).setdefault(target[1], []).append(record)
        return incoming

    def _callee(self, qual: str, caller: str) -> tuple[str, str] | None:
        """(relpath, function) `qual` calls: a function, a method of an instance
        (`Store().fetch`), or a class (its `__init__`)."""
        for path, name in self._definitions(qual, caller):
            functions = self._modules[path].get("functions", {})
            for candidate in (name, f"{name}.__init__"):
                if candidate in functions:
                    return path, candidate
        return None

    def _cleared_on_the_way(self, call: dict[str, Any], caller: str) -> list[str] | None:
        """The kinds the value was made safe for, now that the calls it went through
        are known (`via`); None when one of them does not pass it on."""
        cleared = set(call.get("cleared", []))
        for callee, arg in call.get("via", []):
            summary = self.function(callee.replace("()", ""), caller)
            if summary is None:  # a library function: it passed the value on
                continue
            returns = summary.get("returns", {})
            if str(arg) in returns:
                cleared.update(returns[str(arg)])
            elif not summary.get("returns_source"):
                return None
        return sorted(cleared)

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
