"""Every fixture file gets exactly the findings its inline markers announce,
and every finding of a family matches its snapshot exactly.

- Markers (`# expect: CODE` in YAML and Python, `.expect` sidecars for JSON)
  say which rules fire on which lines, written by hand from the pattern; the
  (code, line) multisets must be equal, so a missing, an extra and a doubled
  finding all fail.
- `fixtures/<family>/findings.snap` holds every finding's exact span and
  message (`path:line:col-end_line:end_col CODE message`), the way actionlint's
  `.out` files and ruff's snapshots do. Regenerate it with
  `LINTKIT_UPDATE_GOLDEN=1 python -m pytest tests/test_fixtures.py` and review
  the diff.

Each family folder under fixtures/ is one run, so cross-file rules (appspec hook
scripts, taint through helper modules) see their neighbours. A family with
`# expect-strict: CODE` markers (findings only the strict profile reports, such
as PRL001's exception paths) runs a second time in that profile, against
`findings.strict.snap`."""

from __future__ import annotations

import os
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from lintkit.config import Config
from lintkit.engine import RunResult
from tests.helpers import FIXTURES, expectations, fixture_files, has_strict_markers, registry, run_paths, strict_config

FAMILIES = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name != "demo")
# Each family runs in the default profile; a family with `# expect-strict:`
# markers also runs in the strict profile, with its own snapshot.
PROFILES = [(family, False) for family in FAMILIES] + [(family, True) for family in FAMILIES if has_strict_markers(family)]
CASES = [
    (family, strict, path)
    for family, strict in PROFILES
    for path in fixture_files(family)
    if not path.name.startswith("findings.") or path.suffix != ".snap"
]


def _snapshot_name(strict: bool) -> str:
    return "findings.strict.snap" if strict else "findings.snap"


def _id(family: Path, strict: bool, path: Path | None = None) -> str:
    name = str(path.relative_to(FIXTURES)) if path is not None else family.name
    return f"{name}[strict]" if strict else name


@lru_cache(maxsize=None)
def _family_run(family: Path, strict: bool = False) -> RunResult:
    # Every rule, on by default or not: fixtures document them all.
    result = run_paths([family], root=family, config=strict_config(family) if strict else Config(root=str(family), respect_gitignore=False, select=("ALL",)))
    crashes = [n for n in result.notifications if n.kind == "crash"]
    assert not crashes, f"checks crashed on fixtures: {crashes}"
    return result


@pytest.mark.parametrize(("family", "strict", "path"), CASES, ids=[_id(f, s, p) for f, s, p in CASES])
def test_fixture(family: Path, strict: bool, path: Path) -> None:
    expected = expectations(path, strict=strict)
    rel = path.relative_to(family).as_posix()
    actual = Counter((f.code, f.line) for f in _family_run(family, strict).findings if f.path == rel)
    missing = sorted((expected - actual).elements(), key=lambda x: (x[1], x[0]))
    extra = sorted((actual - expected).elements(), key=lambda x: (x[1], x[0]))
    assert not missing and not extra, f"missing={missing} extra={extra}"


def _snapshot(result: RunResult) -> str:
    lines = []
    for f in result.findings:
        loc = f.location
        lines.append(f"{loc.path}:{loc.line}:{loc.column}-{loc.end_line}:{loc.end_column} {f.code} {f.message}")
        lines += [f"    {step.path}:{step.line}:{step.column} {step.message}" for step in f.related]
        for n, steps in enumerate(f.flows, 1):
            lines += [f"    flow {n}:"] if len(f.flows) > 1 else []
            lines += [f"    {step.path}:{step.line}:{step.column} {step.message}" for step in steps]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("family", "strict"), PROFILES, ids=[_id(f, s) for f, s in PROFILES])
def test_family_snapshot(family: Path, strict: bool) -> None:
    text = _snapshot(_family_run(family, strict))
    path = family / _snapshot_name(strict)
    if os.environ.get("LINTKIT_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing {path}; run with LINTKIT_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


def test_every_rule_has_a_fixture() -> None:
    """Each rule fires somewhere under fixtures/ (its documented examples are
    tested separately in test_rule_examples.py)."""
    fired = {code for _family, strict, path in CASES for code, _ in expectations(path, strict=strict)}
    assert sorted(set(registry().rules) - fired) == []
