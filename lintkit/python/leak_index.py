"""The run's leak summaries, indexed once per run by module name.

`leaks.summarize()` gives one summary per module (`{"module": name,
"functions": ...}`). A module's analysis looks up its own summary and those of
the modules it imports; both questions are answered from this index, built
once per run (`cache.derived`), and recorded by the result cache as questions
and answers, so an edit re-analyzes only the files whose answers changed.
"""

from __future__ import annotations

from typing import Any


class ModuleSummaries:
    derived_name = "leak-modules"
    questions = ("local", "matching")

    def __init__(self, table: dict[str, Any]) -> None:
        self._summaries: list[tuple[str, dict[str, Any]]] = []
        self._by_name: dict[str, dict[str, Any]] = {}
        self._positions: dict[str, list[int]] = {}  # module name or its last part -> positions
        for summary in table.values():
            mod = str(summary.get("module", "")) if isinstance(summary, dict) else ""
            if not mod:
                continue
            if "functions" in summary:
                self._by_name.setdefault(mod, summary)
            i = len(self._summaries)
            self._summaries.append((mod, summary))
            self._positions.setdefault(mod, []).append(i)
            last = mod.rsplit(".", 1)[-1]
            if last != mod:
                self._positions.setdefault(last, []).append(i)

    def local(self, module: str) -> dict[str, Any] | None:
        """The summary of `module` itself, if the run has one."""
        return self._by_name.get(module)

    def matching(self, heads: set[str], own: str) -> list[dict[str, Any]]:
        """Summaries of modules other than `own` named, or whose last part is
        named, in `heads`; in the table's order."""
        picked = sorted({i for h in heads for i in self._positions.get(h, ())})
        return [self._summaries[i][1] for i in picked if self._summaries[i][0] != own]
