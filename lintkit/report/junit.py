"""JUnit XML for CodeBuild report groups (`reports:` with `file-format: JUNITXML`).

Layout (INTEGRATION.md §7): one `<testsuite>` per half of lintkit
(`lintkit.aws`, `lintkit.python`), one `<testcase>` per finding with
`classname` = the repo-relative path and `name` = `CODE path:line:col title`,
`<failure>` at or above the fail threshold, `<skipped>` below it, `<error>` for
files that do not parse and for lintkit's own crashes, and one passing case per
clean file so the pass count means something.

CodeBuild keeps at most 500 test cases per report, failed ones first, and drops
the rest; lintkit cuts the list itself (errors and failures first, the most
severe first) and ends it with a case saying how many were left out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lintkit.findings import Finding
from lintkit.report.escape import escape_control as esc

if TYPE_CHECKING:
    from lintkit.engine import RunResult
    from lintkit.report import ReportOptions

MAX_CASES = 500
# Files lintkit could not parse or analyze: an error case, not a failed test.
ERROR_CODES = ("GEN001", "GEN005")
TOOL_SUITE = "lintkit"
# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Order in which cases survive the 500 cap.
_PRIORITY = {"error": 0, "failure": 1, "skipped": 2, "passed": 3}


@dataclass(frozen=True)
class Case:
    suite: str
    classname: str
    name: str
    status: str  # "error" | "failure" | "skipped" | "passed"
    message: str = ""
    kind: str = ""  # the `type` attribute of <failure>/<error>
    body: str = ""
    rank: int = 0  # severity rank: the most severe survive the cap


def clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


def _suite_for(kind: str | None) -> str:
    return "lintkit.python" if kind == "python" else "lintkit.aws"


def _title(f: Finding) -> str:
    return (f.name or f.code).replace("-", " ")


def _body(f: Finding, help_uri: str, fix: str) -> str:
    """Lines of the failure's text; what the repository wrote has its control characters escaped."""
    loc = f.location
    lines = [f"{esc(loc.path)}:{loc.line}:{loc.column}", f"{f.severity.value} {f.code} ({f.name}): {esc(f.message)}"]
    for step in f.flow:
        lines.append(f"  flow {esc(step.path)}:{step.line}:{step.column}: {esc(step.message)}")
    for rel in f.related:
        lines.append(f"  see {esc(rel.path)}:{rel.line}:{rel.column}: {esc(rel.message)}")
    if fix:
        lines.append(f"Fix: {' '.join(fix.split())}")
    if help_uri:
        lines.append(f"Help: {help_uri}")
    return "\n".join(lines)


def cases(result: RunResult) -> list[Case]:
    """Every test case of the run, before the cap, in report order."""
    kinds = {fr.path: fr.kind for fr in result.files}
    fail_on = result.config.fail_on
    threshold = fail_on.rank if fail_on is not None else 99
    out: list[Case] = []
    for f in result.findings:
        rule = result.registry.rules.get(f.code)
        loc = f.location
        if f.code in ERROR_CODES:
            status = "error"
        elif f.severity.rank >= threshold:
            status = "failure"
        else:
            status = "skipped"
        out.append(
            Case(
                suite=_suite_for(kinds.get(f.path)),
                classname=esc(f.path),
                name=f"{f.code} {esc(loc.path)}:{loc.line}:{loc.column} {_title(f)}",
                status=status,
                message=esc(f.message) if status != "skipped" else f"below the fail threshold ({fail_on.value if fail_on else 'none'}): {esc(f.message)}",
                kind=f.code,
                body=_body(f, rule.help_uri if rule else "", f.fix or (rule.fix if rule else "")),
                rank=f.severity.rank,
            )
        )
    reported = {f.path for f in result.findings if f.code == "GEN005"}
    for n in result.notifications:
        if n.kind != "crash" or n.path in reported:
            continue  # a crash with its GEN005 finding is already an error case
        where = esc(f"{n.path}:{n.line}:{n.column}" if n.line else n.path)
        out.append(
            Case(
                suite=_suite_for(kinds.get(n.path)) if n.path else TOOL_SUITE,
                classname=esc(n.path) or "lintkit",
                name=f"lintkit internal error {where}".rstrip(),
                status="error",
                message=esc(n.message),
                kind="lintkit-crash",
                body=f"{where}: {esc(n.message)}\nThis is a bug in lintkit or a rule pack; the other rules still ran.",
                rank=99,
            )
        )
    for s in result.skipped:
        out.append(Case(suite=_suite_for(kinds.get(s.relpath)), classname=esc(s.relpath), name=f"lintkit: skipped {esc(s.relpath)}", status="skipped", message=esc(s.reason)))
    with_findings = {f.path for f in result.findings}
    crashed = {n.path for n in result.notifications if n.kind == "crash"}
    for fr in result.checked:
        if fr.path not in with_findings and fr.path not in crashed:
            out.append(Case(suite=_suite_for(fr.kind), classname=esc(fr.path), name=f"lintkit: no findings in {esc(fr.path)}", status="passed"))
    return out


def capped(all_cases: list[Case], limit: int = MAX_CASES) -> list[Case]:
    """At most `limit` cases: errors, then failures (most severe first), then
    the rest, with a last case counting what was cut."""
    # Stable: within one status and severity, cases keep their place order.
    ordered = sorted(all_cases, key=lambda c: (_PRIORITY[c.status], -c.rank))
    if len(ordered) <= limit:
        return ordered
    kept, dropped = ordered[: limit - 1], ordered[limit - 1 :]
    findings = sum(1 for c in dropped if c.status in ("error", "failure", "skipped") and c.kind)
    failing = sum(1 for c in dropped if c.status in ("error", "failure"))
    message = f"{findings} more findings truncated ({len(dropped)} test cases in all, {failing} of them failing); CodeBuild keeps at most {limit} test cases per report, see the SARIF or JSON report for everything"
    kept.append(
        Case(
            suite=TOOL_SUITE,
            classname="lintkit",
            name=f"{findings} more findings truncated",
            status="failure" if failing else "passed",
            message=message,
            kind="truncated",
            body=message,
        )
    )
    return kept


def _counts(items: list[Case]) -> dict[str, str]:
    return {
        "tests": str(len(items)),
        "failures": str(sum(c.status == "failure" for c in items)),
        "errors": str(sum(c.status == "error" for c in items)),
        "skipped": str(sum(c.status == "skipped" for c in items)),
        "time": "0",
    }


def render(result: RunResult, options: ReportOptions) -> str:
    kept = capped(cases(result))
    root = ET.Element("testsuites", {"name": "lintkit", **_counts(kept)})
    suites: dict[str, list[Case]] = {}
    for case in kept:
        suites.setdefault(case.suite, []).append(case)
    for suite_name in sorted(suites, key=lambda s: (s == TOOL_SUITE, s)):
        items = suites[suite_name]
        suite = ET.SubElement(root, "testsuite", {"name": suite_name, **_counts(items)})
        for case in items:
            node = ET.SubElement(suite, "testcase", {"classname": clean(case.classname), "name": clean(case.name), "time": "0"})
            if case.status == "passed":
                continue
            attrs = {"message": clean(case.message)}
            if case.kind and case.status != "skipped":
                attrs["type"] = case.kind
            child = ET.SubElement(node, case.status, attrs)
            if case.body:
                child.text = clean(case.body)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
