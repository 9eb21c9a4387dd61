"""Readable terminal output: `path:line:col: CODE [name] message`, a source
excerpt with a caret under the exact column, and a summary line."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from lintkit.findings import Finding, Severity

if TYPE_CHECKING:
    from lintkit.engine import RunResult
    from lintkit.report import ReportOptions

_COLORS = {"bold": "1", "red": "31", "yellow": "33", "cyan": "36", "dim": "2", "magenta": "35"}
_SEVERITY_COLOR = {
    Severity.CRITICAL: "red",
    Severity.HIGH: "red",
    Severity.ERROR: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render(result: RunResult, options: ReportOptions) -> str:
    def paint(text: str, style: str) -> str:
        return f"\x1b[{_COLORS[style]}m{text}\x1b[0m" if options.color else text

    out: list[str] = []
    lines_cache: dict[str, list[str]] = {}
    shown = list(result.findings) + (list(result.suppressed) if options.show_suppressed else [])
    shown.sort(key=Finding.sort_key)
    for f in shown:
        loc = f.location
        head = f"{paint(loc.path, 'bold')}:{loc.line}:{loc.column}: {paint(f.code, _SEVERITY_COLOR[f.severity])} [{f.name}] {f.message}"
        if f.suppressed:
            head += paint(" (suppressed)", "dim")
        out.append(head)
        if options.show_source and not options.quiet:
            lines = lines_cache.setdefault(loc.path, result.text_of(loc.path).splitlines())
            out.extend(_excerpt(lines, f, paint))
            for step_no, step in enumerate(f.flow, 1):
                out.append(f"    {paint(f'{step_no}.', 'dim')} {step.path}:{step.line}:{step.column}: {step.message}")
            for rel in f.related if not f.flow else ():
                out.append(f"    {paint('note:', 'dim')} {rel.path}:{rel.line}:{rel.column}: {rel.message}")
            if f.fix:
                out.append(f"    {paint('fix:', 'dim')} {f.fix}")
    if not options.quiet:
        for n in result.notifications:
            where = f"{n.path}:{n.line}:{n.column}: " if n.line else (f"{n.path}: " if n.path else "")
            out.append(f"{where}{paint(n.level, 'magenta')}: {n.message}")
        for s in result.skipped:
            out.append(f"{s.relpath}: skipped: {s.reason}")
        out.append(_summary(result))
    return "\n".join(out) + ("\n" if out else "")


def _excerpt(lines: list[str], f: Finding, paint) -> list[str]:
    loc = f.location
    if not 0 < loc.line <= len(lines):
        return []
    text = lines[loc.line - 1].replace("\t", " ")
    gutter = f"{loc.line:>5} | "
    end = loc.end_column if loc.end_line == loc.line else len(text) + 1
    width = max(1, min(end, len(text) + 1) - loc.column)
    caret = " " * (len(gutter) - 2) + "| " + " " * (loc.column - 1) + "^" + "~" * (width - 1)
    return [paint(gutter, "dim") + text, paint(caret, _SEVERITY_COLOR[f.severity])]


def _summary(result: RunResult) -> str:
    counts = Counter(f.severity.value for f in result.findings)
    checked = len(result.checked)
    parts = [f"{n} {sev}" for sev, n in sorted(counts.items(), key=lambda kv: -Severity(kv[0]).rank)]
    found = f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}"
    if parts:
        found += f" ({', '.join(parts)})"
    extra = []
    if result.suppressed:
        extra.append(f"{len(result.suppressed)} suppressed")
    if result.skipped:
        extra.append(f"{len(result.skipped)} skipped")
    tail = f"; {', '.join(extra)}" if extra else ""
    return f"{found} in {checked} file{'s' if checked != 1 else ''} checked{tail} ({result.seconds:.2f}s)"

