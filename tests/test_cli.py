"""The command line, run for real in a subprocess: exit codes, formats, rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BAD = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n  build:\n    commands:\n      - make test\n"
GOOD = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"


def lintkit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lintkit", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    (tmp_path / "buildspec.yml").write_text(BAD)
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "buildspec.yml").write_text(GOOD)
    return tmp_path


def test_version() -> None:
    out = lintkit("--version", cwd=Path.cwd())
    assert out.returncode == 0 and out.stdout.startswith("lintkit ")


def test_findings_exit_1_with_exact_text(repo: Path) -> None:
    out = lintkit("check", "--no-cache", cwd=repo)
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "buildspec.yml:6:3: GEN002 error [duplicate-key] key 'build' is given twice in this mapping (first at line 3); the last value silently wins"
    assert lines[1] == "    6 |   build:"
    assert lines[2] == "      |   ^~~~~"
    assert "1 finding (1 error) in 2 files checked" in lines[-1]


def test_clean_exit_0(repo: Path) -> None:
    out = lintkit("check", "ok", "--no-cache", cwd=repo)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 findings in 1 file checked" in out.stdout


def test_fail_on_threshold(repo: Path) -> None:
    assert lintkit("check", "--fail-on", "critical", "--no-cache", cwd=repo).returncode == 0
    assert lintkit("check", "--fail-on", "bogus", cwd=repo).returncode == 2


def test_usage_and_config_errors_exit_2(repo: Path) -> None:
    assert lintkit("check", "--format", "xml", cwd=repo).returncode == 2
    assert lintkit("check", "--select", "NOPE999", cwd=repo).returncode == 2
    (repo / ".lintkit.toml").write_text("selct = []\n")
    out = lintkit("check", cwd=repo)
    assert out.returncode == 2 and "unknown key" in out.stderr and "Traceback" not in out.stderr


def test_select_and_ignore(repo: Path) -> None:
    assert lintkit("check", "--select", "GEN", "--ignore", "duplicate-key", "--no-cache", cwd=repo).returncode == 0
    assert lintkit("check", "--select", "GEN", "--no-cache", cwd=repo).returncode == 1
    assert lintkit("check", "--select", "GEN002", "--no-cache", cwd=repo).returncode == 1
    assert lintkit("check", "--only", "python", "--no-cache", cwd=repo).returncode == 0
    (repo / "broken.py").write_text("def f(:\n")
    only_python = lintkit("check", "--only", "python", "--no-cache", "-q", cwd=repo)
    assert only_python.returncode == 1 and only_python.stdout.startswith("broken.py:1:7: GEN001")
    only_aws = lintkit("check", "--only", "aws", "--select", "GEN", "--no-cache", "-q", cwd=repo)
    assert only_aws.stdout.splitlines() == [
        "buildspec.yml:6:3: GEN002 error [duplicate-key] key 'build' is given twice in this mapping (first at line 3); the last value silently wins",
        "    6 |   build:",
        "      |   ^~~~~",
        "    note: buildspec.yml:3:3: first 'build'",
        "    fix: Merge the two entries into one, or rename one of them.",
    ]


def test_json_output_file_written(repo: Path) -> None:
    (repo / "out").mkdir()
    out = lintkit("check", "--format", "json", "--output", "out/report.json", "--no-cache", cwd=repo)
    assert out.returncode == 1 and out.stdout == ""
    data = json.loads((repo / "out" / "report.json").read_text())
    assert [(f["code"], f["location"]["line"], f["location"]["column"]) for f in data["findings"]] == [("GEN002", 6, 3)]
    assert not list((repo / "out").glob(".*tmp"))


def test_baseline_hides_known_findings_after_lines_move(repo: Path) -> None:
    assert lintkit("check", "--write-baseline", "base.json", "--no-cache", cwd=repo).returncode == 0
    assert lintkit("check", "--baseline", "base.json", "--no-cache", cwd=repo).returncode == 0
    (repo / "buildspec.yml").write_text("# a new comment line\n" + BAD)
    assert lintkit("check", "--baseline", "base.json", "--no-cache", cwd=repo).returncode == 0
    (repo / "buildspec.yml").write_text(BAD + "  post_build:\n    commands: [a]\n  post_build:\n    commands: [b]\n")
    out = lintkit("check", "--baseline", "base.json", "--no-cache", cwd=repo)
    assert out.returncode == 1 and out.stdout.startswith("buildspec.yml:11:3: GEN002")


def test_rules_and_explain() -> None:
    out = lintkit("rules", "--format", "json", cwd=Path.cwd())
    codes = [r["code"] for r in json.loads(out.stdout)]
    assert "GEN001" in codes and codes == sorted(codes)
    explained = lintkit("explain", "duplicate-key", cwd=Path.cwd())
    assert explained.returncode == 0 and explained.stdout.startswith("# GEN002 duplicate-key")
    assert "```yaml" in explained.stdout
    assert lintkit("explain", "XYZ999", cwd=Path.cwd()).returncode == 2


def test_hook_mode_refuses_report_formats(repo: Path) -> None:
    assert lintkit("check", "--hook", "--format", "sarif", cwd=repo).returncode == 2


def test_unparseable_file_does_not_stop_the_run(repo: Path) -> None:
    (repo / "buildspec-broken.yml").write_text("version: 0.2\nphases: [\n")
    out = lintkit("check", "--no-cache", cwd=repo)
    assert out.returncode == 1
    assert "buildspec-broken.yml:2:10: GEN001" in out.stdout
    assert "buildspec.yml:6:3: GEN002" in out.stdout
    assert "Traceback" not in out.stderr


def test_text_excerpt_never_shows_a_pasted_secret(tmp_path: Path) -> None:
    key = "AKIAQYLPMN5HHHFPZAM2"
    (tmp_path / "buildspec.yml").write_text(f"version: 0.2\nphases:\n  build:\n    commands:\n      - echo {key} > key\n")
    out = lintkit("check", "--no-cache", cwd=tmp_path)
    assert out.returncode == 1
    assert key not in out.stdout
    assert "      - echo AKIA**************** > key" in out.stdout
