"""What a check sees: the file, the run's settings, and `report()`.

Checks never build `Finding` objects themselves. They hand `report()` a node
(a YAML/JSON `Node`, an astroid node, or a `Location`) and the context turns
it into an exact span, applying the position mapping of embedded documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from lintkit.findings import Finding, Location, Notification, Severity
from lintkit.registry import Registry

PositionMap = Callable[[int, int], tuple[int, int]]


@dataclass
class Project:
    """Facts about the whole run that some checks need (cross-file rules)."""

    root: Path
    files: frozenset[str] = frozenset()  # repo-relative posix paths present
    hook_mode: bool = False  # pre-commit batches: cross-file rules stay quiet
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    # When set, filesystem answers are recorded here (the result cache
    # re-validates them before reusing a result).
    probes: dict[str, bool] | None = field(default=None, compare=False, repr=False)

    def index(self, name: str) -> Any:
        """Project facts for the Python analyses: the run-wide index `name`
        (`registry.DERIVED_INDEXES`) over the summaries table it reads, built
        once per run and shared by every file. The result cache records the
        questions a file asks of it."""
        from lintkit.cache import _derived_builder, derived

        build = _derived_builder(name)
        return derived(self.summaries.get(build.table, {}), build)

    def exists(self, relpath: str) -> bool:
        rel = relpath.lstrip("./")
        if rel in self.files:
            return True
        found = (self.root / rel).exists()
        if self.probes is not None:
            self.probes[rel] = found
        return found


class Context:
    def __init__(
        self,
        *,
        path: str,
        kind: str,
        text: str,
        registry: Registry,
        enabled: frozenset[str],
        project: Project | None = None,
        options: dict[str, Any] | None = None,
        position_map: PositionMap | None = None,
        parent: Context | None = None,
    ) -> None:
        self.path = path
        self.kind = kind
        self.text = text
        self.registry = registry
        self.enabled_codes = enabled
        self.project = project or Project(root=Path("."))
        self.options = options or {}
        self.position_map = position_map
        self.parent = parent
        self.findings: list[Finding] = [] if parent is None else parent.findings
        self.notifications: list[Notification] = [] if parent is None else parent.notifications
        # Suppressions a check found in the document's own structure (a
        # template's `Metadata: {lintkit: {ignore: [...]}}`), applied with the
        # comment directives when the file is finished.
        self.directives: list[Any] = [] if parent is None else parent.directives
        self._line_cache: list[str] | None = None

    # -- what checks call ------------------------------------------------------

    def enabled(self, code: str) -> bool:
        return code in self.enabled_codes

    def option(self, code: str, key: str, default: Any = None) -> Any:
        """A per-rule option from `[tool.lintkit.rules.CODE]`."""
        return self.options.get(code, {}).get(key, default)

    def report(
        self,
        code: str,
        where: Any,
        message: str,
        *,
        related: Iterable[tuple[Any, str]] = (),
        flow: Iterable[tuple[Any, str]] = (),
        fix: str = "",
        severity: Severity | str | None = None,
        properties: dict[str, Any] | None = None,
    ) -> None:
        if code not in self.enabled_codes:
            return
        rule = self.registry.rules.get(code)
        if rule is None:
            raise KeyError(f"check reported unknown rule {code}")
        sev = Severity.parse(severity) if isinstance(severity, str) else (severity or rule.severity)
        self.findings.append(
            Finding(
                code=code,
                name=rule.name,
                message=message,
                location=self.locate(where),
                severity=sev,
                related=tuple(self.locate(w).with_message(m) for w, m in related),
                flow=tuple(self.locate(w).with_message(m) for w, m in flow),
                fix=fix,
                properties=tuple(sorted((properties or {}).items())),
            )
        )

    def notify(self, message: str, *, level: str = "note", kind: str = "info", rule: str = "", where: Any = None) -> None:
        loc = self.locate(where) if where is not None else None
        self.notifications.append(
            Notification(
                message=message,
                path=self.path,
                level=level,
                kind=kind,
                rule=rule,
                line=loc.line if loc else 0,
                column=loc.column if loc else 0,
            )
        )

    def suppress(self, where: Any, codes: Iterable[str], lines: tuple[int, int] | None = None) -> None:
        """Suppress `codes` on `lines` (first, last), or in the whole file when
        `lines` is None. `where` (the node naming the codes) is where an unused
        suppression is reported."""
        from lintkit.suppress import Directive

        loc = self.locate(where)
        targets = tuple(range(lines[0], lines[1] + 1)) if lines is not None else ()
        self.directives.append(Directive(loc.line, loc.column, loc.end_column, targets, tuple(codes)))

    def child(self, kind: str, text: str, position_map: PositionMap) -> Context:
        """A context for a document embedded in this file (an inline buildspec):
        its findings land in this file, at this file's lines and columns."""
        outer = self.position_map

        def composed(line: int, col: int) -> tuple[int, int]:
            line, col = position_map(line, col)
            return outer(line, col) if outer else (line, col)

        return Context(
            path=self.path,
            kind=kind,
            text=text,
            registry=self.registry,
            enabled=self.enabled_codes,
            project=self.project,
            options=self.options,
            position_map=composed,
            parent=self,
        )

    # -- positions -------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        if self._line_cache is None:
            self._line_cache = self.text.splitlines()
        return self._line_cache

    def locate(self, where: Any) -> Location:
        if isinstance(where, Location):
            return where
        if isinstance(where, tuple):
            line, col = where[0], where[1]
            end_line, end_col = (where[2], where[3]) if len(where) >= 4 else (line, col + 1)
        elif hasattr(where, "end_column") and hasattr(where, "line"):  # documents.Node
            line, col, end_line, end_col = where.line, where.column, where.end_line, where.end_column
        elif hasattr(where, "col_offset"):  # astroid / ast node
            line, col, end_line, end_col = self._python_span(where)
        else:
            raise TypeError(f"cannot locate {where!r}")
        if self.position_map is not None:
            line, col = self.position_map(line, col)
            end_line, end_col = self.position_map(end_line, end_col)
            if (end_line, end_col) <= (line, col):
                end_line, end_col = line, col + 1
        return Location(self.path, line, col, end_line, end_col)

    def _python_span(self, node: Any) -> tuple[int, int, int, int]:
        line = getattr(node, "lineno", None) or getattr(node, "fromlineno", None) or 1
        col = getattr(node, "col_offset", None) or 0
        end_line = getattr(node, "end_lineno", None) or line
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            end_line, end_col = line, col + 1
        # Python reports UTF-8 byte offsets; SARIF wants code points.
        return line, self._char_col(line, col) + 1, end_line, self._char_col(end_line, end_col) + 1

    def _char_col(self, line: int, byte_offset: int) -> int:
        if 1 <= line <= len(self.lines):
            text = self.lines[line - 1]
            if text.isascii():
                return byte_offset
            return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))
        return byte_offset
