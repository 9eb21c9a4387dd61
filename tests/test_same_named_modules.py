"""Two folders each hold a module of one name: an import resolves to the
importing file's own folder, never to the other one (issue 16). The bad twin's
findings come out exactly, the good twin gets none."""

from __future__ import annotations

import pytest

from tests.helpers import FIXTURES, run_paths

CASES = {
    "python_taint": [
        ("PIV017", "bad/app.py", 12, 20,
         "untrusted input (flask.request.args) reaches an SQL query in execute() inside find_user() (line 8)"),
        ("PIV003", "bad/app.py", 17, 12,
         "untrusted input (flask.request.args) reaches an HTML response in the response body returned by the route"),
    ],
    "python_leaks": [
        ("PRL001", "bad/app.py", 7, 14, "'report' (file) opened at line 7 is never closed"),
        ("PRL001", "bad/app.py", 12, 15, "'summary' (file) opened at line 12 is never closed"),
    ],
}


@pytest.mark.parametrize("family", sorted(CASES))
def test_each_app_uses_its_own_folders_module(family: str) -> None:
    root = FIXTURES / family / "samename"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py")) == [
        "bad/app.py", f"bad/{_helper(family)}", "good/app.py", f"good/{_helper(family)}"]
    result = run_paths([root], root=root)
    found = [(f.code, f.path, f.line, f.column, f.message) for f in result.findings]
    assert found == CASES[family]


def _helper(family: str) -> str:
    return "libuser.py" if family == "python_taint" else "store.py"


def test_the_twins_differ_only_in_the_helper() -> None:
    """The apps are the same code but for their expectation markers, so only
    the resolution of `import libuser` / `import store` can tell them apart."""
    for family in CASES:
        root = FIXTURES / family / "samename"
        good, bad = (_without_markers(root / twin / "app.py") for twin in ("good", "bad"))
        assert good == bad


def _without_markers(path) -> list[str]:
    return [line.split("  # expect")[0] for line in path.read_text(encoding="utf-8").splitlines()]
