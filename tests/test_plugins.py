"""Third-party rule packs load through the `lintkit.rules` entry-point group.

The example pack in tests/data/example_pack is a real distribution on sys.path
(a package plus its .dist-info with entry_points.txt), so importlib.metadata
finds it exactly as it finds a pip-installed pack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PACK = Path(__file__).parent / "data" / "example_pack"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(PACK) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "lintkit", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_pack_rules_are_listed() -> None:
    out = run("rules", "--format", "json", "EXP", cwd=Path.cwd())
    assert out.returncode == 0, out.stderr
    [rule] = json.loads(out.stdout)
    assert (rule["code"], rule["name"], rule["pack"]) == ("EXP001", "no-post-build", "example-pack")


def test_pack_checks_run_and_report(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    out = run("check", "--select", "EXP001", "--no-cache", ".", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert out.stdout.splitlines()[0] == "buildspec.yml:2:1: EXP001 low [no-post-build] no post_build phase"


def test_without_the_pack_the_rule_is_unknown(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "lintkit", "explain", "EXP001"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
