"""APS008 (hook script missing) is cross-file: it looks for the hook's
`location` next to the appspec and at the repository root, reports only when
the revision is visibly present, and answers the same when only the appspec
is named (as the pre-commit hook names it): the scripts are looked up in the
project, not among the paths given."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_paths

APPSPEC = """\
version: 0.0
os: linux
hooks:
  ApplicationStart:
    - location: scripts/start.sh
      timeout: 60
  ValidateService:
    - location: scripts/health.sh
      timeout: 60
"""


def _aps008(tmp_path: Path, **kwargs) -> list[tuple[str, int, int]]:
    result = run_paths([tmp_path], root=tmp_path, **kwargs)
    return [(f.path, f.line, f.column) for f in result.findings if f.code == "APS008"]


def test_missing_script_next_to_the_appspec(tmp_path: Path) -> None:
    (tmp_path / "deploy" / "scripts").mkdir(parents=True)
    (tmp_path / "deploy" / "appspec.yml").write_text(APPSPEC, encoding="utf-8")
    (tmp_path / "deploy" / "scripts" / "start.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    assert _aps008(tmp_path) == [("deploy/appspec.yml", 8, 17)]


def test_scripts_at_the_repository_root_count(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "scripts").mkdir()
    (tmp_path / "deploy" / "appspec.yml").write_text(APPSPEC, encoding="utf-8")
    for name in ("start.sh", "health.sh"):
        (tmp_path / "scripts" / name).write_text("#!/bin/sh\n", encoding="utf-8")
    assert _aps008(tmp_path) == []


def test_quiet_when_the_revision_is_built_elsewhere(tmp_path: Path) -> None:
    # No script and no scripts/ folder: the bundle is assembled by the build.
    (tmp_path / "appspec.yml").write_text(APPSPEC, encoding="utf-8")
    assert _aps008(tmp_path) == []


def test_same_answer_when_only_the_appspec_is_named(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "appspec.yml").write_text(APPSPEC, encoding="utf-8")
    (tmp_path / "scripts" / "start.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    assert _aps008(tmp_path) == [("appspec.yml", 8, 17)]
    alone = run_paths([tmp_path / "appspec.yml"], root=tmp_path)
    assert [(f.path, f.line, f.column) for f in alone.findings if f.code == "APS008"] == [("appspec.yml", 8, 17)]
