"""Start-up imports only what the run needs: a YAML-only run never imports
astroid, and the CLI never imports pylint. Progress never reaches pipes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from lintkit import progress
from tests.helpers import FIXTURES, REPO

PROBE = """
import sys
from lintkit.cli import main
code = main(sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"astroid", "pylint", "multiprocessing", "jsonschema"})
print("LOADED", ",".join(heavy))
"""


def loaded(*args: str, cwd: Path = REPO) -> tuple[set[str], str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd, timeout=300)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("LOADED")][-1]
    return set(filter(None, line.split(" ", 1)[1].split(","))), out.stderr


def test_yaml_run_imports_no_astroid_and_no_pylint(tmp_path: Path) -> None:
    mods, _ = loaded("check", str(FIXTURES / "buildspec"), "--no-cache", "-j", "1", "--format", "json")
    assert "astroid" not in mods and "pylint" not in mods
    assert "jsonschema" in mods  # the buildspec schema check did run


def test_yaml_run_from_the_cache_imports_no_schema_library_either(tmp_path: Path) -> None:
    from tests.test_parallel import stable_code

    args = ("check", str(FIXTURES / "buildspec"), "--cache-dir", str(tmp_path / "c"), "-j", "1", "--format", "json")
    mods = stable_code(lambda: (loaded(*args), loaded(*args)[0])[1])
    assert not mods & {"astroid", "pylint", "jsonschema", "multiprocessing"}


def test_python_run_imports_astroid_but_never_pylint() -> None:
    mods, _ = loaded("check", str(FIXTURES / "python_leaks"), "--no-cache", "-j", "1", "--format", "json")
    assert "astroid" in mods and "pylint" not in mods


def test_no_progress_when_stderr_is_not_a_terminal() -> None:
    _, stderr = loaded("check", str(FIXTURES), "--no-cache", "-j", "2", "--format", "json")
    assert "\r" not in stderr and "files" not in stderr


def test_progress_appears_only_after_the_delay_and_is_erased(monkeypatch) -> None:
    stream = io.StringIO()
    quick = progress.Progress(3, True, stream)
    quick.advance(3)
    quick.close()
    assert stream.getvalue() == ""  # a run under a second draws nothing
    monkeypatch.setattr(progress, "DELAY", 0.0)
    slow = progress.Progress(3, True, stream)
    slow.advance(1)
    slow.advance(2)
    slow.close()
    assert "lintkit: checked 3/3 files" in stream.getvalue()
    assert stream.getvalue().endswith("\r\x1b[K")
    off = io.StringIO()
    disabled = progress.Progress(3, False, off)
    disabled.advance(3)
    disabled.close()
    assert off.getvalue() == ""


def test_python_run_from_the_cache_imports_no_astroid(tmp_path: Path) -> None:
    from tests.test_parallel import stable_code

    args = ("check", str(FIXTURES / "python_leaks"), "--cache-dir", str(tmp_path / "c"), "-j", "1", "--format", "json")
    first, mods = stable_code(lambda: (loaded(*args)[0], loaded(*args)[0]))
    assert "astroid" in first
    assert "astroid" not in mods and "pylint" not in mods
