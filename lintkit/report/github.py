"""GitHub Actions workflow commands: one `::error file=…,line=…,col=…::` per
finding, shown as annotations on the pull request.

Paths and messages come from the repository: their control characters are
escaped (`\n` shows as `\n`) before GitHub's own percent-encoding, so no
file name can end one command and start another."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lintkit.report.escape import escape_control

if TYPE_CHECKING:
    from lintkit.engine import RunResult
    from lintkit.report import ReportOptions

_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _escape_data(text: str) -> str:
    return escape_control(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: RunResult, options: ReportOptions) -> str:
    out = []
    for f in result.findings:
        loc = f.location
        props = [
            f"file={_escape_property(loc.path)}",
            f"line={loc.line}",
            f"col={loc.column}",
            f"endLine={loc.end_line}",
        ]
        if loc.end_line == loc.line:
            props.append(f"endColumn={loc.end_column}")
        props.append(f"title={_escape_property(f'{f.code} {f.name}')}")
        out.append(f"::{_LEVEL[f.severity.sarif_level]} {','.join(props)}::{_escape_data(f.message)}")
    for n in result.notifications:
        if n.level in ("error", "warning"):
            where = f" file={_escape_property(n.path)}" if n.path else ""
            out.append(f"::warning{where}::{_escape_data('lintkit: ' + n.message)}")
    return "\n".join(out) + ("\n" if out else "")
