"""The one finding model shared by every analyzer and every report.

Positions are 1-based lines and 1-based columns counted in Unicode code points;
`end_column` is exclusive (the column of the character after the region), as in
SARIF. Every analyzer converts its parser's positions to this form once, so
reporters never have to guess.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any


class Severity(enum.Enum):
    """Rule severities. Config rules use error/high/medium/low/info, Python rules
    CodeGuru's critical/high/medium/low/info; both share one scale."""

    CRITICAL = "critical"
    HIGH = "high"
    ERROR = "error"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def sarif_level(self) -> str:
        return _SARIF_LEVEL[self]

    @property
    def letter(self) -> str:
        return self.value[0].upper()

    @classmethod
    def parse(cls, text: str) -> Severity:
        key = str(text).strip().lower()
        if key in _ALIASES:
            return _ALIASES[key]
        raise ValueError(
            f"unknown severity {text!r} (expected one of: "
            + ", ".join(s.value for s in cls)
            + ")"
        )


_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.ERROR: 3,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}
_SARIF_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.ERROR: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_ALIASES = {s.value: s for s in Severity} | {
    "e": Severity.ERROR,
    "h": Severity.HIGH,
    "m": Severity.MEDIUM,
    "l": Severity.LOW,
    "i": Severity.INFO,
    "c": Severity.CRITICAL,
    "warning": Severity.MEDIUM,
    "note": Severity.LOW,
}


@dataclass(frozen=True, order=True)
class Location:
    """A region of one file, optionally with a message (related locations,
    code-flow steps)."""

    path: str
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0
    message: str = ""

    def __post_init__(self) -> None:
        # Normalise so every consumer can rely on a non-empty, ordered region.
        line = max(1, self.line)
        column = max(1, self.column)
        end_line = max(line, self.end_line or line)
        end_column = self.end_column or column + 1
        if end_line == line and end_column <= column:
            end_column = column + 1
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "end_line", end_line)
        object.__setattr__(self, "end_column", end_column)

    def with_message(self, message: str) -> Location:
        return replace(self, message=message)


@dataclass(frozen=True)
class Finding:
    """One problem found by one rule at one place."""

    code: str
    message: str
    location: Location
    severity: Severity
    name: str = ""
    related: tuple[Location, ...] = ()
    flow: tuple[Location, ...] = ()
    fix: str = ""
    properties: tuple[tuple[str, Any], ...] = ()
    suppressed: bool = field(default=False, compare=False)

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def column(self) -> int:
        return self.location.column

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)

    def props(self) -> dict[str, Any]:
        return dict(self.properties)


@dataclass(frozen=True)
class Notification:
    """Something the tool itself wants to say about a file or a rule: a skipped
    file, a templated file, a crashing rule. Never a finding about the code."""

    message: str
    path: str = ""
    level: str = "note"  # "note" | "warning" | "error"
    rule: str = ""
    line: int = 0
    column: int = 0
    kind: str = "info"  # "skip" | "template" | "crash" | "limit" | "info"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)


@dataclass
class FileResult:
    """What checking one file gave."""

    path: str
    kind: str | None = None
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    skipped: str = ""
    seconds: float = 0.0
    text: str = ""  # kept only when there are findings (excerpts, fingerprints); never cached


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)
