"""Golden files: every report format over one fixed input (tests/data/report_input).

The run selects a fixed set of rules, so the goldens change only when these
rules' metadata or the report code change. After an intended change, rewrite
them with

    LINTKIT_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_report_golden.py

and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lintkit.config import Config
from lintkit.engine import RunResult, run
from lintkit.report import ReportOptions, render
from tests.helpers import REPO, registry

INPUT = REPO / "tests" / "data" / "report_input"
GOLDEN = REPO / "tests" / "golden"
SELECT = ("GEN001", "GEN002", "GEN003", "LNT001", "PIV017")
FORMATS = {"text": "report.txt", "json": "report.json", "sarif": "report.sarif", "junit": "report.junit.xml", "github": "report.github.txt"}
ROOT_PLACEHOLDER = "file:///ROOT/"


def golden_run(jobs: int = 1) -> RunResult:
    root = INPUT.resolve()
    config = Config(root=str(root), respect_gitignore=False, select=SELECT)
    result = run([str(root)], config, root=root, registry=registry(), jobs=jobs)
    result.seconds = 0.0  # the only varying number in the text summary
    return result


def golden_render(fmt: str, result: RunResult | None = None) -> str:
    text = render(fmt, result or golden_run(), ReportOptions())
    # SARIF names the absolute root once (%SRCROOT%); the checkout path varies.
    root_uri = INPUT.resolve().as_uri() + "/"
    return text.replace(root_uri, ROOT_PLACEHOLDER)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden(fmt: str) -> None:
    path = GOLDEN / FORMATS[fmt]
    actual = golden_render(fmt)
    if os.environ.get("LINTKIT_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8", newline="\n")
    assert path.exists(), f"missing golden file {path}; run with LINTKIT_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{fmt} report differs from {path.name}"


def test_golden_input_has_what_the_reports_must_show() -> None:
    result = golden_run()
    codes = {(f.path, f.code) for f in result.findings}
    assert codes == {
        ("buildspec.yml", "GEN002"),
        ("buildspec_broken.yml", "GEN001"),
        ("broken.py", "GEN001"),
        ("buildspec_suppressed.yml", "LNT001"),
        ("buildspec_templated.yml", "GEN003"),
    }
    assert [(f.path, f.code) for f in result.suppressed] == [("buildspec_suppressed.yml", "GEN002")]
    assert [(n.path, n.kind) for n in result.notifications] == [("buildspec_templated.yml", "template")]
    assert {f.path for f in result.checked} >= {"appspec.yml", "clean.py"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_reports_are_deterministic_across_worker_counts(fmt: str) -> None:
    assert golden_render(fmt, golden_run(jobs=1)) == golden_render(fmt, golden_run(jobs=3))


def test_golden_paths_are_inside_the_repository() -> None:
    assert INPUT.is_dir() and Path(GOLDEN).is_dir()
