"""Test code follows one default for every Python rule that declares
`include-tests`: off in test code unless the option asks for it (api.is_test_path
is the one definition)."""

from __future__ import annotations

from pathlib import Path

from lintkit.config import Config
from tests.helpers import FIXTURES, registry, run_paths

LEAKS = FIXTURES / "python_leaks"
TEST_FILES = [LEAKS / "tests" / "test_loopback.py", LEAKS / "mylib" / "t" / "unit" / "support.py"]


def _findings(options: tuple = ()) -> list[tuple[str, str, int]]:
    cfg = Config(root=str(LEAKS), respect_gitignore=False, select=("PRL",), rules=options)
    result = run_paths(TEST_FILES, root=LEAKS, config=cfg)
    return sorted((f.path, f.code, f.line) for f in result.findings)


def test_leak_and_timeout_rules_skip_test_code_by_default() -> None:
    assert _findings() == []


def test_include_tests_checks_test_code_again() -> None:
    on = tuple((code, (("include-tests", True),)) for code in ("PRL001", "PRL003", "PRL004"))
    assert _findings(on) == [
        ("mylib/t/unit/support.py", "PRL001", 6),
        ("tests/test_loopback.py", "PRL001", 10),
        ("tests/test_loopback.py", "PRL001", 22),
        ("tests/test_loopback.py", "PRL003", 21),
        ("tests/test_loopback.py", "PRL004", 17),
    ]


def test_every_rule_that_skips_tests_says_so() -> None:
    """A rule with `include-tests` documents it the same way, and is off by default."""
    options = [r.option("include-tests") for r in registry().rules.values() if r.option("include-tests")]
    assert len(options) > 50
    assert {o.doc for o in options} == {"Also check test code (tests/, test/, t/ anywhere in the tree, test_*.py, *_test.py, conftest.py)."}
    assert {o.default for o in options} == {False}


def test_a_path_outside_tests_is_checked(tmp_path: Path) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "probe.py").write_text("def f(p):\n    h = open(p)\n    return h.readline()\n", encoding="utf-8")
    cfg = Config(root=str(tmp_path), respect_gitignore=False, select=("PRL001",))
    assert [(f.code, f.line) for f in run_paths([tmp_path], root=tmp_path, config=cfg).findings] == [("PRL001", 2)]
