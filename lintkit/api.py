"""The check API: what a check sees and may call.

A check is a plain function `check(target, ctx)` named by its rules' TOML
(`check = "package.module:function"`). `target` is the parsed file: a
`lintkit.documents.Document` for YAML/JSON kinds, an astroid `Module` for
Python. Checks import this module, `lintkit.documents`, `lintkit.findings`,
`lintkit.secrets` and their own half's helpers; never the engine, the cache,
the registry or the reporters (tests/test_layers.py enforces it). Built-in
rules and third-party packs take exactly this path.

Checks never build `Finding` objects. They hand `report()` a YAML/JSON node, an
astroid node, a `Location` or a `(line, column[, end_line, end_column])` tuple,
and the context turns it into an exact span, applying the position mapping of
embedded documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol, Union

from lintkit.findings import Finding, Location, Notification, Severity

if TYPE_CHECKING:
    from lintkit.registry import Registry

__all__ = ["Context", "Project", "Location", "Severity", "PositionMap", "Where", "data_path", "is_test_path", "python_span", "search_pattern"]

# A pattern from the configuration (a `regex` option) meets repository text;
# the `regex` module bounds each search in time where `re` cannot.
PATTERN_TIMEOUT = 0.25

PositionMap = Callable[[int, int], "tuple[int, int]"]


class _Spanned(Protocol):  # documents.Node
    line: int
    column: int
    end_line: int
    end_column: int


class _PythonNode(Protocol):  # astroid/ast node
    lineno: int | None
    col_offset: int | None


Where = Union[Location, "tuple[int, ...]", _Spanned, _PythonNode]
Embed = Callable[["Context", str], None]


def data_path(*parts: str) -> Path:
    """A file of lintkit's own rule data (`rules/schemas/...`, `rules/models/...`)."""
    from lintkit.registry import builtin_rules_dir

    return builtin_rules_dir().joinpath(*parts)


def search_pattern(pattern: str, text: str) -> bool:
    """Does a `regex`-typed option's pattern match `text`? Raises TimeoutError
    when one search takes longer than PATTERN_TIMEOUT (the check then fails
    loudly, as a crash finding)."""
    import regex

    try:
        return regex.search(pattern, text, timeout=PATTERN_TIMEOUT) is not None
    except TimeoutError:
        raise TimeoutError(f"the configured pattern {pattern!r} took longer than {PATTERN_TIMEOUT}s on {text[:60]!r}") from None


def is_test_path(relpath: str) -> bool:
    """Test code, wherever it sits in the tree (`tests/`, `pkg/test/`, celery's
    `t/unit/`, `test_*.py`, `*_test.py`, `conftest.py`): fixtures, fake
    credentials, throw-away loopback servers and files closed only at teardown
    are expected there. A rule that declares the option `include-tests` is off
    in test code unless the option is set (see `Context`)."""
    parts = relpath.replace("\\", "/").lower().split("/")
    name = parts[-1]
    if name == "conftest.py" or name.startswith("test_") or name.endswith(("_test.py", "_tests.py")) or name == "tests.py":
        return True
    return any(p in _TEST_DIRS for p in parts[:-1])


_TEST_DIRS = frozenset({"test", "tests", "t", "testing", "testsuite", "test_utils"})


@dataclass
class Project:
    """Facts about the whole project that cross-file rules need."""

    root: Path
    files: frozenset[str] = frozenset()  # project-relative posix paths present
    summaries: dict[str, Any] = field(default_factory=dict)
    indexer: Callable[[dict[str, Any], Any], Any] | None = field(default=None, compare=False, repr=False)
    _built: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # When set, filesystem answers are recorded here (the result cache
    # re-validates them before reusing a result).
    probes: dict[str, bool] | None = field(default=None, compare=False, repr=False)
    reads: dict[str, str | None] | None = field(default=None, compare=False, repr=False)

    def index(self, name: str) -> Any:
        """Project facts for the Python analyses: the run-wide index `name`
        (`registry.DERIVED_INDEXES`) over the summaries table it reads. The
        engine's `indexer` builds it once per run and records the questions a
        file asks of it (the result cache re-asks them); without one (the
        pylint plugin) it is built here, once per project."""
        from lintkit.registry import derived_builder

        build = derived_builder(name)
        table = self.summaries.get(build.table, {})
        if self.indexer is not None:
            return self.indexer(table, build)
        if name not in self._built:
            self._built[name] = build(table)
        return self._built[name]

    def read_text(self, relpath: str, limit: int = 1 << 20) -> str | None:
        """The text of a project file (None: unreadable, too large, not UTF-8); the
        result cache re-validates the file's content before reusing a result."""
        try:
            data = (self.root / relpath).read_bytes()
        except OSError:
            data = None
        if self.reads is not None:
            self.reads[relpath] = None  # the result cache records the file's digest
        if data is None or len(data) > limit:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def exists(self, relpath: str) -> bool:
        rel = relpath.lstrip("./")
        if rel in self.files:
            return True
        found = (self.root / rel).exists()
        if self.probes is not None:
            self.probes[rel] = found
        return found


class Context:
    """One file being checked (or a document embedded in it)."""

    def __init__(
        self,
        *,
        path: str,
        kind: str,
        text: str,
        registry: Registry,
        enabled: frozenset[str],
        project: Project | None = None,
        options: dict[str, dict[str, Any]] | None = None,
        position_map: PositionMap | None = None,
        parent: Context | None = None,
        embed: Embed | None = None,
    ) -> None:
        self.path = path
        self.kind = kind
        self.text = text
        self.project = project or Project(root=Path("."))
        self._registry = registry
        self._options = options or {}
        self._enabled = frozenset(c for c in enabled if not self._skips(c)) if is_test_path(path) else enabled
        self._position_map = position_map
        self._embed = embed
        # The codes the running check declared (None outside checks: the
        # engine and kind hooks report the rules lintkit reports itself).
        self.reporting: frozenset[str] | None = None
        self.findings: list[Finding] = [] if parent is None else parent.findings
        self.notifications: list[Notification] = [] if parent is None else parent.notifications
        # Suppressions found in the document's own structure (a template's
        # `Metadata: {lintkit: {ignore: [...]}}`), applied with the comment
        # directives when the file is finished.
        self.directives: list[Any] = [] if parent is None else parent.directives
        self._line_cache: list[str] | None = None

    # -- what checks call ------------------------------------------------------

    def enabled(self, code: str) -> bool:
        return code in self._enabled

    def _skips(self, code: str) -> bool:
        """A rule that declares `include-tests` checks test code only when it is set."""
        rule = self._registry.rules.get(code)
        return rule is not None and rule.option("include-tests") is not None and not self.option(code, "include-tests")

    def option(self, code: str, key: str) -> Any:
        """A rule option: the TOML's default, or `[tool.lintkit.rules.CODE]`."""
        options = self._options.get(code)
        if options is None:  # a context built without the run's resolved options
            options = {o.key: o.default for o in self._registry.rules[code].options}
        return options[key]

    def codes_for_sink(self, sink: str) -> tuple[str, ...]:
        """The rules that report a sink kind (their TOML `sinks`)."""
        return self._registry.codes_for_sink(sink)

    def report(
        self,
        code: str,
        where: Where,
        message: str,
        *,
        related: Iterable[tuple[Where, str]] = (),
        flow: Iterable[tuple[Where, str]] = (),
        flows: Iterable[Iterable[tuple[Where, str]]] = (),
        fix: str = "",
        severity: Severity | str | None = None,
        properties: dict[str, Any] | None = None,
    ) -> None:
        if self.reporting is not None and code not in self.reporting:
            raise KeyError(f"check reported {code}, which its TOML does not name it for")
        if code not in self._enabled:
            return
        rule = self._registry.rules[code]
        sev = Severity.parse(severity) if isinstance(severity, str) else (severity or rule.severity)
        self.findings.append(
            Finding(
                code=code,
                name=rule.name,
                message=message,
                location=self.locate(where),
                severity=sev,
                related=tuple(self.locate(w).with_message(m) for w, m in related),
                flows=tuple(tuple(self.locate(w).with_message(m) for w, m in steps) for steps in [flow, *flows] if steps),
                fix=fix,
                properties=tuple(sorted((properties or {}).items())),
            )
        )

    def notify(self, message: str, *, level: str = "note", kind: str = "info", rule: str = "", where: Where | None = None) -> None:
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

    def suppress(self, where: Where, codes: Iterable[str], lines: tuple[int, int] | None = None) -> None:
        """Suppress `codes` on `lines` (first, last), or in the whole file when
        `lines` is None. `where` (the node naming the codes) is where an unused
        suppression is reported."""
        from lintkit.suppress import Directive

        loc = self.locate(where)
        targets = tuple(range(lines[0], lines[1] + 1)) if lines is not None else ()
        self.directives.append(Directive(loc.line, loc.column, loc.end_column, targets, tuple(codes)))

    def run_embedded(self, kind: str, text: str, position_map: PositionMap, label: str) -> None:
        """Lint a document embedded in this file (an inline BuildSpec) with
        `kind`'s checks; its findings land in this file, at this file's lines
        and columns. `label` names it in messages ("inline BuildSpec of 'X'")."""
        if self._embed is None:
            raise RuntimeError("this context cannot run embedded documents")
        outer = self._position_map

        def composed(line: int, col: int) -> tuple[int, int]:
            line, col = position_map(line, col)
            return outer(line, col) if outer else (line, col)

        child = Context(
            path=self.path,
            kind=kind,
            text=text,
            registry=self._registry,
            enabled=self._enabled,
            project=self.project,
            options=self._options,
            position_map=composed,
            parent=self,
            embed=self._embed,
        )
        self._embed(child, label)

    # -- positions -------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        if self._line_cache is None:
            self._line_cache = self.text.splitlines()
        return self._line_cache

    def locate(self, where: Where) -> Location:
        if isinstance(where, Location):
            return where
        if isinstance(where, tuple):
            line, col = where[0], where[1]
            end_line, end_col = (where[2], where[3]) if len(where) >= 4 else (line, col + 1)
        elif hasattr(where, "end_column") and hasattr(where, "line"):  # documents.Node
            node: Any = where
            line, col, end_line, end_col = node.line, node.column, node.end_line, node.end_column
        elif hasattr(where, "col_offset"):  # astroid / ast node
            line, col, end_line, end_col = self._python_span(where)
        else:
            raise TypeError(f"cannot locate {where!r}")
        if self._position_map is not None:
            line, col = self._position_map(line, col)
            end_line, end_col = self._position_map(end_line, end_col)
            if (end_line, end_col) <= (line, col):
                end_line, end_col = line, col + 1
        return Location(self.path, line, col, end_line, end_col)

    def _python_span(self, node: Any) -> tuple[int, int, int, int]:
        return python_span(node, self.lines)


def python_span(node: Any, lines: list[str]) -> tuple[int, int, int, int]:
    """(line, column, end line, end column) of an astroid node: 1-based, columns in
    code points (Python reports UTF-8 byte offsets; SARIF wants code points)."""
    line = getattr(node, "lineno", None) or getattr(node, "fromlineno", None) or 1
    col = getattr(node, "col_offset", None) or 0
    end_line = getattr(node, "end_lineno", None) or line
    end_col = getattr(node, "end_col_offset", None)
    if end_col is None:
        end_line, end_col = line, col + 1
    return line, _char_col(lines, line, col) + 1, end_line, _char_col(lines, end_line, end_col) + 1


def _char_col(lines: list[str], line: int, byte_offset: int) -> int:
    if 1 <= line <= len(lines):
        text = lines[line - 1]
        if text.isascii():
            return byte_offset
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))
    return byte_offset
