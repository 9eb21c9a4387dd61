"""The run's leak summaries: indexed once per run, and seen from one module.

`leaks.summarize()` gives one summary per module (`{"module": name,
"functions": ...}`). A module's analysis looks up its own summary and those of
the modules it imports, resolved to the files it would import
(`modules.ModuleFiles`). Both questions are answered by `ModuleSummaries`,
built once per run (`ctx.project.index`) and recorded by the result cache as
questions and answers, so an edit re-analyzes only the files whose answers
changed. `SummaryIndex` is what one module's analysis sees.
"""

from __future__ import annotations

from typing import Any

from astroid import nodes

from lintkit.python.modules import ModuleFiles


class ModuleSummaries:
    derived_name = "leak-modules"
    table = "leaks"
    questions = ("local", "imported")

    def __init__(self, table: dict[str, Any]) -> None:
        self._summaries = {relpath: s for relpath, s in table.items() if isinstance(s, dict) and "functions" in s}
        self._files = ModuleFiles(relpath for relpath, s in table.items() if isinstance(s, dict))

    def local(self, relpath: str) -> dict[str, Any] | None:
        """The summary of file `relpath` itself, if the run has one."""
        return self._summaries.get(relpath)

    def imported(self, names: list[str], asking: str) -> list[tuple[str, dict[str, Any]]]:
        """(module name, summary) of each module `asking` imports by one of `names`."""
        found = []
        for name in names:
            relpath = self._files.find(name, asking)
            summary = self._summaries.get(relpath) if relpath is not None and relpath != asking else None
            if summary and summary["functions"]:
                found.append((name, summary))
        return found


class SummaryIndex:
    """Function summaries visible from one module: its own, and those of the
    modules it imports, by the name it imports them with."""

    def __init__(self, module: str, local: dict[str, Any] | None, imported: list[tuple[str, dict[str, Any]]]) -> None:
        self.module = module
        self.local = local.get("functions", {}) if local else {}
        self.imported = {name: summary["functions"] for name, summary in imported}
        self._returning: frozenset[str] | None = None

    def returning_names(self) -> frozenset[str]:
        """Last name of every summarized function that returns a fresh resource
        (asked for every scope: computed once)."""
        if self._returning is None:
            names = {k.rsplit(".", 1)[-1] for k, fn in self.local.items() if fn.get("returns")}
            for functions in self.imported.values():
                names.update(k.rsplit(".", 1)[-1] for k, fn in functions.items() if fn.get("returns"))
            self._returning = frozenset(names)
        return self._returning

    def lookup(self, qname: str | None, scope: Any) -> tuple[dict[str, Any], int] | None:
        """(summary, index of the first argument's parameter) of the function a
        call named `qname` (`names.qualified`, else as written) calls."""
        if not qname:
            return None
        head, _, func = qname.rpartition(".")
        if head in ("self", "cls"):
            klass = enclosing_class(scope)
            fn = self.local.get(f"{klass.name}.{func}") if klass is not None else None
            return (fn, 1) if fn else None
        functions = self.local if not head or head == self.module else self.imported.get(head, {})
        fn = functions.get(func)
        if fn:
            return fn, 0
        # A class of the code base: constructing it runs its __init__ (`Tunnel(sock=s)` keeps s).
        init = functions.get(f"{func}.__init__")
        return (init, 1) if init else None


def enclosing_class(scope: Any) -> Any:
    """The class a method is defined in (None for other scopes)."""
    parent = getattr(scope, "parent", None)
    while parent is not None and not isinstance(parent, (nodes.ClassDef, nodes.Module)):
        if isinstance(parent, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
            return None
        parent = parent.parent
    return parent if isinstance(parent, nodes.ClassDef) else None
