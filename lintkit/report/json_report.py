"""JSON report: every finding with its exact span, plus run metadata.
Deterministic: same input, byte-identical output (no timings)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from lintkit import __version__
from lintkit.findings import Finding, Location

if TYPE_CHECKING:
    from lintkit.engine import RunResult
    from lintkit.report import ReportOptions


def _loc(loc: Location) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
    }
    if loc.message:
        data["message"] = loc.message
    return data


def finding_dict(f: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "location": _loc(f.location),
    }
    if f.related:
        data["related"] = [_loc(r) for r in f.related]
    if f.flows:
        data["flow"] = [_loc(s) for s in f.flow]  # the primary flow
    if len(f.flows) > 1:
        data["more_flows"] = [[_loc(s) for s in steps] for steps in f.flows[1:]]
    if f.fix:
        data["fix"] = f.fix
    if f.properties:
        data["properties"] = dict(f.properties)
    return data


def render(result: RunResult, options: ReportOptions) -> str:
    data = {
        "tool": {"name": "lintkit", "version": __version__},
        "summary": {
            "files_checked": len(result.checked),
            "findings": len(result.findings),
            "suppressed": len(result.suppressed),
            "skipped": len(result.skipped),
        },
        "findings": [finding_dict(f) for f in result.findings],
        "suppressed": [finding_dict(f) for f in result.suppressed],
        "notifications": [
            {k: v for k, v in (("path", n.path), ("line", n.line), ("column", n.column), ("level", n.level), ("kind", n.kind), ("rule", n.rule), ("message", n.message)) if v}
            for n in result.notifications
        ],
        "skipped": [{"path": s.relpath, "reason": s.reason} for s in result.skipped],
    }
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
