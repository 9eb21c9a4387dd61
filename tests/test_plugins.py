"""Third-party rule packs: installed like any distribution, found through the
`lintkit.rules` entry-point group, and run exactly like built-in rules — in
YAML, in Python (with `--select` naming only the pack's rule) and in pylint.

Each test installs examples/example-pack into a fresh virtual environment the
way a wheel install does (the package plus a .dist-info with its entry points
in site-packages); lintkit and its dependencies come from this interpreter."""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACK = REPO / "examples" / "example-pack"


def _dist_info(target: Path, name: str = "lintkit_example_pack", entry: str = "lintkit_example_pack:pack") -> None:
    info = target / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[lintkit.rules]\nexample = {entry}\n")


def _venv(tmp_path: Path) -> tuple[Path, Path]:
    """A venv that sees this interpreter's packages (lintkit included) through
    a .pth file, with nothing installed in its own site-packages yet."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    ours = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    (purelib / "_lintkit_test_env.pth").write_text(
        "".join(f"import site; site.addsitedir({d!r})\n" for d in dict.fromkeys(ours)) + f"{REPO}\n"
    )
    return python, purelib


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    python, purelib = _venv(tmp_path_factory.mktemp("pack"))
    shutil.copytree(PACK / "lintkit_example_pack", purelib / "lintkit_example_pack")
    _dist_info(purelib)
    return python


def run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "lintkit", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_pack_rules_are_listed(installed: Path, tmp_path: Path) -> None:
    out = run(installed, "rules", "--format", "json", "EXP", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [(r["code"], r["name"], r["pack"]) for r in json.loads(out.stdout)] == [
        ("EXP001", "no-post-build", "example-pack"),
        ("EXP002", "breakpoint-call", "example-pack"),
    ]


def test_pack_yaml_rule_runs_and_reports(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    out = run(installed, "check", "--select", "EXP001", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    found = [(f["code"], f["location"]["path"], f["location"]["line"], f["location"]["column"]) for f in json.loads(out.stdout)["findings"]]
    assert found == [("EXP001", "buildspec.yml", 2, 1)]


def test_pack_rule_runs_with_the_cache(installed: Path, tmp_path: Path) -> None:
    """The cache's code digest covers a pack's check modules (found through its rules)."""
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    for _ in range(2):  # a cold run, then one from the cache
        out = run(installed, "check", "--select", "EXP001", "--cache-dir", str(tmp_path / "cache"), "--format", "json", ".", cwd=tmp_path)
        assert out.returncode == 1, out.stderr
        assert [f["code"] for f in json.loads(out.stdout)["findings"]] == ["EXP001"]


def test_pack_python_rule_runs_when_only_it_is_selected(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def f(x):\n    breakpoint()\n    return x\n")
    out = run(installed, "check", "--select", "EXP002", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    found = [(f["code"], f["location"]["path"], f["location"]["line"], f["location"]["column"]) for f in json.loads(out.stdout)["findings"]]
    assert found == [("EXP002", "app.py", 2, 5)]


def test_pack_python_rule_runs_in_pylint(installed: Path, tmp_path: Path) -> None:
    pytest.importorskip("pylint")
    (tmp_path / "app.py").write_text('"""Doc."""\n\n\ndef f(x):\n    """Doc."""\n    breakpoint()\n    return x\n')
    out = subprocess.run(
        [str(installed), "-m", "pylint", "--load-plugins=lintkit.pylint_plugin", "--disable=all", "--enable=lintkit",
         "--output-format=json", "app.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    messages = [(m["message-id"], m["symbol"], m["line"], m["column"]) for m in json.loads(out.stdout)]
    assert messages == [("W5901", "lintkit-breakpoint-call", 6, 4)], out.stderr


def test_without_the_pack_the_rule_is_unknown(tmp_path: Path) -> None:
    python, _ = _venv(tmp_path)
    out = run(python, "explain", "EXP001", cwd=tmp_path)
    assert out.returncode == 2


def test_a_pack_in_the_scanned_tree_never_runs(tmp_path: Path) -> None:
    """A repository that commits a package and a .dist-info declaring a
    `lintkit.rules` entry point must not get its code run by `python -m lintkit`
    (which puts the current directory first on sys.path)."""
    python, _ = _venv(tmp_path / "env")
    repo = tmp_path / "repo"
    (repo / "evil").mkdir(parents=True)
    (repo / "evil" / "__init__.py").write_text("import pathlib\npathlib.Path('PWNED').write_text('x')\nraise SystemExit(0)\n")
    _dist_info(repo, name="evil", entry="evil:pack")
    (repo / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    out = run(python, "check", "--no-cache", "--select", "BSP", ".", cwd=repo)
    assert not (repo / "PWNED").exists()
    assert "evil" not in out.stderr


def test_a_pack_that_exits_is_a_clear_error(tmp_path: Path) -> None:
    python, purelib = _venv(tmp_path)
    (purelib / "badpack").mkdir()
    (purelib / "badpack" / "__init__.py").write_text("raise SystemExit(0)\n")
    _dist_info(purelib, name="badpack", entry="badpack:pack")
    out = run(python, "rules", cwd=tmp_path)
    assert out.returncode == 2
    assert "rule pack 'example' failed to load: SystemExit" in out.stderr
