"""Inline suppressions and baselines.

Inline, in YAML and Python comments:

    run_thing()  # lintkit: ignore[PRL001] closed by the framework
    # lintkit: ignore[BSP010,pipe-to-shell] vendor installer, pinned by hash
    - curl https://example.com/install.sh | sh
    # lintkit: ignore-file[GEN004] reason

A trailing directive covers its own line; a directive alone on its line covers
the next line. Directives that suppress nothing are reported (LNT001).

bandit's `# nosec` is honoured in Python, on its own line only, for the rules
that implement a bandit check (their TOML `bandit` ids): a bare `# nosec`
suppresses all of those, `# nosec B324, B303` only the rules implementing the
ids it lists (test names are not mapped). The author reviewed the line for a
security linter; lintkit's other rules (leaks, for one) are not bandit's to
silence. An unused `# nosec` is bandit's business, never LNT001.

A baseline records existing findings by (path, rule, the text of the flagged
line) so that it keeps hiding them when unrelated lines move.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from lintkit.findings import Finding, Location
from lintkit.secrets import mask_text

UNUSED_CODE = "LNT001"

_DIRECTIVE = re.compile(r"#\s*lintkit:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?(?P<reason>[^\n]*)")
_NOSEC = re.compile(r"#\s*nosec\b:?(?P<tests>[^#\n]*)", re.IGNORECASE)
_BANDIT_ID = re.compile(r"\bB\d{3}\b")


@dataclass
class Directive:
    line: int  # where the directive is written
    column: int
    end_column: int
    target_lines: tuple[int, ...]  # lines it covers; () = whole file
    codes: tuple[str, ...]  # as written; () = every rule
    used: set[str] = field(default_factory=set)
    foreign: bool = False  # another tool's marker (bandit's `# nosec`): never reported as unused

    @property
    def file_level(self) -> bool:
        return not self.target_lines


def parse_directives(text: str, python: bool = False) -> list[Directive]:
    """Directives in comments. In Python only real comment tokens count, so a
    directive quoted in a string or docstring is text, not a suppression."""
    if "lintkit:" not in text:
        return []
    directives: list[Directive] = []
    lines = text.splitlines()
    comment_columns = _python_comments(text) if python else None
    for index, line in enumerate(lines):
        if "lintkit:" not in line:
            continue
        for match in _DIRECTIVE.finditer(line):
            if comment_columns is not None and not any(
                start <= match.start() for start in comment_columns.get(index + 1, ())
            ):
                continue
            number = index + 1
            codes = tuple(c.strip() for c in (match.group("codes") or "").split(",") if c.strip())
            if match.group("kind") == "ignore-file":
                targets: tuple[int, ...] = ()
            elif line[: match.start()].strip() in ("", "-"):
                targets = (_next_content_line(lines, index),)
            else:
                targets = (number,)
            directives.append(Directive(number, match.start() + 1, match.end() + 1, targets, codes))
    return directives


def nosec_directives(text: str, bandit: dict[str, frozenset[str]]) -> list[Directive]:
    """bandit's `# nosec [Bxxx, ...]` comments in Python, as directives on their
    own line for the rules implementing those bandit ids (`bandit`: id -> codes)."""
    if "nosec" not in text.lower() or not bandit:
        return []
    every = tuple(sorted(set().union(*bandit.values())))
    directives = []
    for line, column, comment in _python_comments_with(text, "nosec"):
        match = _NOSEC.search(comment)
        if match is None:
            continue
        listed = _BANDIT_ID.findall(match.group("tests"))
        codes = tuple(sorted(set().union(*(bandit.get(t, frozenset()) for t in listed)))) if listed else every
        if codes:
            start = column + match.start()
            directives.append(Directive(line, start + 1, column + match.end() + 1, (line,), codes, foreign=True))
    return directives


def _python_comments(text: str) -> dict[int, list[int]]:
    """Line -> start columns of its comment tokens (empty if it does not tokenize)."""
    found: dict[int, list[int]] = {}
    for line, column, _comment in _python_comments_with(text, "lintkit:"):
        found.setdefault(line, []).append(column)
    return found


def _python_comments_with(text: str, needle: str) -> list[tuple[int, int, str]]:
    """(line, column, text) of each comment token containing `needle` (case-insensitive)."""
    import io
    import tokenize

    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT and needle in tok.string.lower():
                found.append((tok.start[0], tok.start[1], tok.string))
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return found


def _next_content_line(lines: list[str], index: int) -> int:
    for j in range(index + 1, len(lines)):
        stripped = lines[j].strip()
        if stripped and not stripped.startswith("#"):
            return j + 1
    return index + 2


def apply_directives(
    findings: list[Finding],
    directives: list[Directive],
    resolve: Callable[[str], str | None],
) -> tuple[list[Finding], list[Finding]]:
    """Split findings into (kept, suppressed). `resolve` maps a code-or-name to
    a rule code (None when unknown)."""
    if not directives:
        return findings, []
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        hit = None
        for d in directives:
            if d.target_lines and finding.line not in d.target_lines:
                continue
            if not d.codes or any(resolve(c) == finding.code for c in d.codes):
                hit = d
                break
        if hit is None:
            kept.append(finding)
        else:
            hit.used.add(finding.code)
            suppressed.append(replace(finding, suppressed=True))
    return kept, suppressed


def unused_directives(
    directives: list[Directive], resolve: Callable[[str], str | None], enabled: frozenset[str]
) -> list[tuple[Directive, str]]:
    """(directive, message) for every directive or named code that hid nothing."""
    problems: list[tuple[Directive, str]] = []
    for d in directives:
        if d.foreign:
            continue
        if not d.codes:
            if not d.used:
                problems.append((d, "suppression comment hides no finding"))
            continue
        for code in d.codes:
            resolved = resolve(code)
            if resolved is None:
                problems.append((d, f"suppression names unknown rule '{code}'"))
            elif resolved in enabled and resolved not in d.used and resolved != UNUSED_CODE:
                problems.append((d, f"suppression of {resolved} hides no finding"))
    return problems


# --- baseline ------------------------------------------------------------------


def line_fingerprint(finding: Finding, lines: list[str]) -> str:
    text = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
    normal = " ".join(text.split())
    digest = hashlib.sha256(f"{finding.code}\0{normal}".encode()).hexdigest()
    return digest[:16]


class BaselineError(Exception):
    pass


def baseline_key(finding: Finding, fingerprint: str) -> tuple[str, str, str]:
    """(path, rule, line fingerprint): how a baseline names a finding. The path is
    masked like every string lintkit writes (a file may be named after a token)."""
    return (mask_text(finding.path), finding.code, fingerprint)


def baseline_text(entries: list[tuple[Finding, str]]) -> str:
    """The baseline file's content (the CLI writes it like any report)."""
    counts = Counter(baseline_key(f, fp) for f, fp in entries)
    data = {
        "lintkit-baseline": 1,
        "findings": [
            {"path": p, "code": c, "fingerprint": fp, "count": n} for (p, c, fp), n in sorted(counts.items())
        ],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def read_baseline(path: Path) -> Counter[tuple[str, str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("lintkit-baseline") != 1:
            raise BaselineError(f"{path}: not a lintkit baseline file")
        return Counter({(e["path"], e["code"], e["fingerprint"]): int(e["count"]) for e in data["findings"]})
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BaselineError(f"{path}: unreadable baseline: {exc}") from None


def directive_location(path: str, d: Directive) -> Location:
    return Location(path, d.line, d.column, d.line, d.end_column)
