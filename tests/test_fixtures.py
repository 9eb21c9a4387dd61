"""Every fixture file gets exactly the findings its inline markers announce:
a missing finding and an extra one both fail (the (code, line) sets must match).

Each family folder under fixtures/ is one run, so cross-file rules (appspec hook
scripts, taint through helper modules) see their neighbours."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, expectations, fixture_files, run_paths

FAMILIES = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name != "demo")
CASES = [(family, path) for family in FAMILIES for path in fixture_files(family)]


@lru_cache(maxsize=None)
def _family_run(family: Path) -> dict[str, set[tuple[str, int]]]:
    result = run_paths([family], root=family)
    found: dict[str, set[tuple[str, int]]] = {}
    for f in result.findings:
        found.setdefault(f.path, set()).add((f.code, f.line))
    crashes = [n for n in result.notifications if n.kind == "crash"]
    assert not crashes, f"checks crashed on fixtures: {crashes}"
    return found


@pytest.mark.parametrize(("family", "path"), CASES, ids=[str(p.relative_to(FIXTURES)) for _, p in CASES])
def test_fixture(family: Path, path: Path) -> None:
    expected = expectations(path)
    actual = _family_run(family).get(path.relative_to(family).as_posix(), set())
    missing = sorted(expected - actual, key=lambda x: (x[1], x[0]))
    extra = sorted(actual - expected, key=lambda x: (x[1], x[0]))
    assert not missing and not extra, f"missing={missing} extra={extra}"


def test_there_are_fixtures() -> None:
    assert len(CASES) >= 3
