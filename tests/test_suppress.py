"""Inline suppressions: line, line above, file level, unknown and unused."""

from __future__ import annotations

from pathlib import Path

from lintkit.suppress import parse_directives
from tests.helpers import run_paths

DUP = "version: 0.2\nphases:\n  build:\n    commands: [make]\n{comment}  build:{trailing}\n    commands: [make test]\n"


def check(tmp_path: Path, text: str, name: str = "buildspec.yml") -> list[tuple[str, int]]:
    (tmp_path / name).write_text(text)
    result = run_paths([tmp_path], root=tmp_path)
    return sorted((f.code, f.line) for f in result.findings)


def test_trailing_directive_covers_its_line(tmp_path: Path) -> None:
    assert check(tmp_path, DUP.format(comment="", trailing="  # lintkit: ignore[GEN002] reviewed")) == []


def test_directive_above_covers_next_line(tmp_path: Path) -> None:
    assert check(tmp_path, DUP.format(comment="  # lintkit: ignore[duplicate-key] reviewed\n", trailing="")) == []


def test_directive_for_another_rule_does_not_hide(tmp_path: Path) -> None:
    found = check(tmp_path, DUP.format(comment="", trailing="  # lintkit: ignore[GEN001]"))
    assert found == [("GEN002", 5), ("LNT001", 5)]


def test_file_level_directive(tmp_path: Path) -> None:
    assert check(tmp_path, "# lintkit: ignore-file[GEN002]\n" + DUP.format(comment="", trailing="")) == []


def test_unknown_rule_is_reported(tmp_path: Path) -> None:
    found = check(tmp_path, "version: 0.2  # lintkit: ignore[NOPE]\nphases:\n  build:\n    commands: [make]\n")
    assert found == [("LNT001", 1)]


def test_suppressed_findings_are_kept_for_reports(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(DUP.format(comment="", trailing="  # lintkit: ignore[GEN002]"))
    result = run_paths([tmp_path], root=tmp_path)
    assert [(f.code, f.suppressed) for f in result.suppressed] == [("GEN002", True)]


def test_parse_directive_forms() -> None:
    [a, b, c] = parse_directives("x = 1  # lintkit: ignore[A,B] why\n# lintkit: ignore\ny = 2\n# lintkit: ignore-file[C]\n")
    assert (a.codes, a.target_lines) == (("A", "B"), (1,))
    assert (b.codes, b.target_lines) == ((), (3,))
    assert (c.codes, c.file_level) == (("C",), True)


def test_python_directives_must_be_real_comments(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        'DOC = "# lintkit: ignore[PRL001] only text"\n'
        "def f(p):\n"
        "    return open(p).read()  # lintkit: ignore[PRL001]\n"
    )
    result = run_paths([tmp_path], root=tmp_path)
    # The quoted directive on line 1 is text: neither a suppression nor unused.
    assert sorted((f.code, f.line) for f in result.findings) == [("LNT001", 3)]


NOSEC = '''import hashlib
import subprocess


def legacy(password):
    return hashlib.md5(password.encode()).hexdigest()  # nosec


def listed(password):
    return hashlib.md5(password.encode()).hexdigest()  # nosec B324 -- legacy format, documented


def other_test(password):
    return hashlib.md5(password.encode()).hexdigest()  # nosec B602


def quoted(password):
    note = "# nosec"
    return hashlib.md5(password.encode()).hexdigest(), note


def leak(argv):
    subprocess.Popen(argv)  # nosec
'''


def test_bandit_nosec_suppresses_the_rules_implementing_bandit_checks(tmp_path: Path) -> None:
    """A bare `# nosec` hides lintkit's bandit-equivalent rules on its line; a
    listed id hides the rules implementing it; other rules (a leak) stay; an
    unused `# nosec` is bandit's business, not LNT001."""
    from lintkit.config import Config

    (tmp_path / "app.py").write_text(NOSEC, encoding="utf-8")
    cfg = Config(root=str(tmp_path), respect_gitignore=False, select=("PSC016", "PRL001", "LNT001"))
    result = run_paths([tmp_path], root=tmp_path, config=cfg)
    assert sorted((f.code, f.line) for f in result.findings) == [("PRL001", 23), ("PSC016", 14), ("PSC016", 19)]
    assert sorted((f.code, f.line) for f in result.suppressed) == [("PSC016", 6), ("PSC016", 10)]
