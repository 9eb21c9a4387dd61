"""Reports: one module per format, each with `render(result, options) -> str`.

`render` is the only way to a report, and it hands each format the run with every
secret masked (`lintkit.report.masking`), so no format ever sees an unmasked string."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lintkit.engine import RunResult

MODULES = {
    "text": "lintkit.report.text",
    "json": "lintkit.report.json_report",
    "sarif": "lintkit.report.sarif",
    "junit": "lintkit.report.junit",
    "github": "lintkit.report.github",
}


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    show_source: bool = True
    quiet: bool = False
    show_suppressed: bool = False
    statistics: bool = False  # text: findings counted per rule instead of listed

    def plain(self) -> "ReportOptions":
        return replace(self, color=False)


def render(fmt: str, result: RunResult, options: ReportOptions | None = None) -> str:
    from lintkit.report.masking import masked

    module = importlib.import_module(MODULES[fmt])
    text: str = module.render(masked(result), options or ReportOptions())
    return text
