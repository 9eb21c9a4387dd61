"""The one masking pass over everything a report shows.

Every report format renders from `masked(result)`: a copy of the run in which each
string that came from the repository (file texts behind excerpts, snippets and
fingerprints; messages, fixes and properties of findings, related locations and flow
steps; notifications; skip reasons; paths) has every secret starred out by
`lintkit.secrets.mask_text`. Masking follows the text itself, whatever rule fired: a
token on a line flagged by BSP010 or GEN002 is masked the same as one flagged by CRD003.
Findings that carry a `secret_kind` property point at a secret a check found by structure
(a CodeBuild `Value` whose `Name` is secret, a Python constant passed as a password);
their spans are masked in the file text too, so every excerpt of that line hides them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from lintkit.findings import Finding, Location, Notification
from lintkit.secrets import mask_text

if TYPE_CHECKING:
    from lintkit.engine import RunResult
    from lintkit.findings import FileResult

SECRET_PROPERTY = "secret_kind"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def masked(result: RunResult) -> RunResult:
    """`result` with every secret in every repository-derived string masked."""
    seen: dict[str, str] = {}

    def mask(text: str) -> str:
        # Messages and paths repeat: mask each distinct string once per report.
        if text not in seen:
            seen[text] = mask_text(text)
        return seen[text]

    secret_spans: dict[str, list[Location]] = {}
    for f in (*result.findings, *result.suppressed):
        if f.props().get(SECRET_PROPERTY):
            secret_spans.setdefault(f.path, []).append(f.location)
    files = [_file(fr, mask, secret_spans.get(fr.path, [])) for fr in result.files]
    return replace(
        result,
        files=files,
        skipped=[replace(s, relpath=mask(s.relpath), reason=mask(s.reason)) for s in result.skipped],
        findings=[_finding(f, mask) for f in result.findings],
        suppressed=[_finding(f, mask) for f in result.suppressed],
        notifications=[_notification(n, mask) for n in result.notifications],
    )


def _file(fr: FileResult, mask: Callable[[str], str], spans: list[Location]) -> FileResult:
    return replace(
        fr,
        path=mask(fr.path),
        text=mask_text(fr.text, _offsets(fr.text, spans)) if fr.text else fr.text,
        findings=[_finding(f, mask) for f in fr.findings],
        suppressed=[_finding(f, mask) for f in fr.suppressed],
        notifications=[_notification(n, mask) for n in fr.notifications],
        skipped=mask(fr.skipped),
    )


def _offsets(text: str, spans: list[Location]) -> list[tuple[int, int]]:
    """Character offsets of 1-based line/column spans (columns in code points)."""
    if not spans:
        return []
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    out = []
    for loc in spans:
        if loc.line <= len(starts) and loc.end_line <= len(starts):
            out.append((starts[loc.line - 1] + loc.column - 1, starts[loc.end_line - 1] + loc.end_column - 1))
    return out


def _location(loc: Location, mask: Callable[[str], str]) -> Location:
    return replace(loc, path=mask(loc.path), message=mask(loc.message))


def _finding(f: Finding, mask: Callable[[str], str]) -> Finding:
    return replace(
        f,
        message=mask(f.message),
        location=_location(f.location, mask),
        related=tuple(_location(r, mask) for r in f.related),
        flow=tuple(_location(s, mask) for s in f.flow),
        fix=mask(f.fix),
        properties=tuple((k, _value(v, mask)) for k, v in f.properties),
    )


def _notification(n: Notification, mask: Callable[[str], str]) -> Notification:
    return replace(n, message=mask(n.message), path=mask(n.path))


def _value(value: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_value(v, mask) for v in value)
    if isinstance(value, dict):
        return {k: _value(v, mask) for k, v in value.items()}
    return value
