"""Readable terminal output: `path:line:col: CODE severity [name] message`, a
source excerpt with a caret under the exact column, the trace steps and the
fix, and a summary line. Everything that comes from the repository (paths,
messages, source lines) has its control characters escaped, so a file name
cannot start a line of its own in a CI log."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Callable

from lintkit.findings import Finding, Severity
from lintkit.report.escape import escape_control as esc

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
    if options.statistics:
        out.extend(_statistics(result, shown))
        shown = []
    for f in shown:
        loc = f.location
        color = _SEVERITY_COLOR[f.severity]
        head = f"{paint(esc(loc.path), 'bold')}:{loc.line}:{loc.column}: {paint(f.code, color)} {paint(f.severity.value, color)} [{f.name}] {esc(f.message)}"
        if f.suppressed:
            head += paint(" (suppressed)", "dim")
        out.append(head)
        rule = result.registry.rules.get(f.code)
        if options.show_source:
            lines = lines_cache.setdefault(loc.path, result.text_of(loc.path).splitlines())
            out.extend(_excerpt(lines, f, paint))
        for flow_no, steps in enumerate(f.flows, 1):
            if len(f.flows) > 1:
                out.append(f"    {paint(f'flow {flow_no}:', 'dim')}")
            for step_no, step in enumerate(steps, 1):
                out.append(f"    {paint(f'{step_no}.', 'dim')} {esc(step.path)}:{step.line}:{step.column}: {esc(step.message)}")
        for rel in f.related if not f.flow else ():
            out.append(f"    {paint('note:', 'dim')} {esc(rel.path)}:{rel.line}:{rel.column}: {esc(rel.message)}")
        fix = f.fix or (rule.fix if rule is not None else "")
        if fix:
            out.append(f"    {paint('fix:', 'dim')} {esc(' '.join(fix.split()))}")
    if not options.quiet:
        reported = {f.path for f in result.findings if f.code == "GEN005"}
        for n in result.notifications:
            if n.kind == "crash" and n.path in reported:
                continue  # the GEN005 finding says it
            where = f"{esc(n.path)}:{n.line}:{n.column}: " if n.line else (f"{esc(n.path)}: " if n.path else "")
            out.append(f"{where}{paint(n.level, 'magenta')}: {esc(n.message)}")
        for s in result.skipped:
            out.append(f"{esc(s.relpath)}: skipped: {esc(s.reason)}")
        out.append(_summary(result))
    return "\n".join(out) + ("\n" if out else "")


def _statistics(result: RunResult, shown: list[Finding]) -> list[str]:
    """One line per rule: count, code, severity, name (most frequent first)."""
    counts = Counter((f.code, f.severity, f.name) for f in shown)
    width = len(str(max(counts.values(), default=0)))
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], -kv[0][1].rank))
    return [f"{n:>{width}}  {code:<7} {sev.value:<8} {name}" for (code, sev, name), n in ordered]


def _excerpt(lines: list[str], f: Finding, paint: Callable[[str, str], str]) -> list[str]:
    loc = f.location
    if not 0 < loc.line <= len(lines):
        return []
    raw = lines[loc.line - 1].replace("\t", " ")
    end = loc.end_column if loc.end_line == loc.line else len(raw) + 1
    # Columns count the escaped text, so the caret stays under the spot.
    start_col = len(esc(raw[: loc.column - 1])) + 1
    end_col = len(esc(raw[: max(loc.column, min(end, len(raw) + 1)) - 1])) + 1
    text = esc(raw)
    gutter = f"{loc.line:>5} | "
    width = max(1, end_col - start_col)
    caret = " " * (len(gutter) - 2) + "| " + " " * (start_col - 1) + "^" + "~" * (width - 1)
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

