"""The pre-commit hooks, run by the real pre-commit (INTEGRATION.md §6).

- `pre-commit validate-manifest` accepts `.pre-commit-hooks.yaml`;
- `pre-commit try-repo`, and a `.pre-commit-config.yaml` pointing at a
  snapshot of this repository, install lintkit the way users get it (a
  virtualenv and `pip install .`) and run each hook on a temporary git
  repository: bad files fail with `path:line:col`, good files pass, no report
  file appears, and a file list longer than one command line (several
  sequential batches) still fails as a whole;
- the same hook definitions as `repo: local` hooks on this interpreter, which
  need no package index.

PRE_COMMIT_HOME is a temporary directory. Installing needs PyPI for lintkit's
dependencies; when the index cannot be reached those tests are skipped with
pip's error as the reason, and the local-hook tests still run every hook.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.helpers import REPO

PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))
MANIFEST = REPO / ".pre-commit-hooks.yaml"

BAD_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n  build:\n    commands:\n      - make test\n"
GOOD_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
BAD_PYTHON = "def handler(event):\n    return event[\n"
GOOD_PYTHON = '"""Helpers."""\n\n\ndef add(a: int, b: int) -> int:\n    return a + b\n'
BAD_AWS = "ci/buildspec_bad.yml:6:3: GEN002"
BAD_PY = "src/broken.py:2:"
_OFFLINE = re.compile(
    r"Failed to establish a new connection|Temporary failure in name resolution|Network is unreachable"
    r"|No matching distribution found|Could not find a version that satisfies|ConnectTimeout|ReadTimeout"
)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_", "VIRTUAL_ENV"))}
    env.update(
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="lintkit tests",
        GIT_AUTHOR_EMAIL="tests@example.com",
        GIT_COMMITTER_NAME="lintkit tests",
        GIT_COMMITTER_EMAIL="tests@example.com",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_DEFAULT_TIMEOUT="60",
        NO_COLOR="1",
    )
    return env


def _git(cwd: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=120)


def _commit_all(directory: Path, env: dict[str, str]) -> None:
    _git(directory, "init", "-q", "-b", "main", env=env)
    _git(directory, "add", "-A", env=env)
    _git(directory, "commit", "-q", "--no-verify", "--allow-empty", "-m", "snapshot", env=env)


def _target_repo(path: Path, env: dict[str, str], extra: dict[str, str] | None = None) -> Path:
    files = {
        "ci/buildspec_bad.yml": BAD_BUILDSPEC,
        "ci/buildspec.yml": GOOD_BUILDSPEC,
        "src/broken.py": BAD_PYTHON,
        "src/helpers.py": GOOD_PYTHON,
        "docs/notes.txt": "not checked\n",
        **(extra or {}),
    }
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    _commit_all(path, env)
    return path


def _untracked(repo: Path, env: dict[str, str]) -> list[str]:
    """New or changed files, ignored ones included, except lintkit's result
    cache (it ignores itself in git, so pre-commit never sees it as a change)."""
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return sorted(line[3:] for line in out.stdout.splitlines() if not line[3:].startswith(".lintkit_cache/"))


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200, stdin=subprocess.DEVNULL)


def _manifest() -> list[dict]:
    return YAML(typ="safe").load(MANIFEST.read_text(encoding="utf-8"))


# --- the manifest ---------------------------------------------------------------


def test_validate_manifest(tmp_path: Path) -> None:
    env = _env(tmp_path / "home")
    ok = _run([PRE_COMMIT, "validate-manifest", str(MANIFEST)], REPO, env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "hooks.yaml"
    broken.write_text(MANIFEST.read_text(encoding="utf-8").replace("language: python", "language: pythn", 1), encoding="utf-8")
    bad = _run([PRE_COMMIT, "validate-manifest", str(broken)], REPO, env)
    assert bad.returncode == 1 and "pythn" in bad.stdout + bad.stderr


def test_manifest_hooks() -> None:
    hooks = {h["id"]: h for h in _manifest()}
    assert sorted(hooks) == ["lintkit", "lintkit-aws", "lintkit-python"]
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["require_serial"] is True
        assert hook["minimum_pre_commit_version"] == "2.9.0"  # types_or
        assert hook["entry"].startswith("lintkit check --hook ") and hook["entry"].endswith(" --")
    assert hooks["lintkit"]["types_or"] == ["python", "pyi", "yaml", "json"]
    assert hooks["lintkit-aws"]["types_or"] == ["yaml", "json"]
    assert hooks["lintkit-python"]["types_or"] == ["python", "pyi"]


def test_hook_mode_refuses_to_write_files(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(BAD_BUILDSPEC, encoding="utf-8")
    for extra in (["--sarif", "r.sarif"], ["--junit", "r.xml"], ["--json", "r.json"], ["--output", "r.txt"], ["--format", "sarif"], ["--write-baseline", "b.json"]):
        proc = _run([sys.executable, "-m", "lintkit", "check", "--hook", *extra, "buildspec.yml"], tmp_path, _env(tmp_path / "home"))
        assert proc.returncode == 2, (extra, proc.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["buildspec.yml"]


# --- installed from the repository, as users get the hooks ---------------------------


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed snapshot of this working tree (tracked and untracked files,
    .gitignore honoured), so pre-commit installs exactly what is here."""
    snapshot = tmp_path_factory.mktemp("lintkit-hook-repo")
    env = _env(snapshot / ".home")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode("utf-8", "surrogateescape")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file() and not name.startswith(("tests/", "bench/")):
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    _commit_all(snapshot, env)
    return snapshot


def _skip_if_offline(proc: subprocess.CompletedProcess[str]) -> None:
    output = proc.stdout + proc.stderr
    found = _OFFLINE.search(output)
    if proc.returncode != 0 and found:
        pytest.skip(f"PyPI unreachable, lintkit's dependencies cannot be installed: {found.group(0)}")


def test_try_repo(hook_repo: Path, tmp_path: Path) -> None:
    """`pre-commit try-repo` (it installs into a store of its own each time,
    so this is the one test that uses it): fails on the bad files, naming
    them, passes on the good ones, writes no report."""
    env = _env(tmp_path / "home")
    target = _target_repo(tmp_path / "target", env)
    proc = _run([PRE_COMMIT, "try-repo", str(hook_repo), "lintkit", "--all-files", "--verbose"], target, env)
    _skip_if_offline(proc)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert BAD_AWS in output and BAD_PY in output
    assert "ci/buildspec.yml:" not in output and "src/helpers.py:" not in output
    assert "Traceback" not in output
    assert _untracked(target, env) == [], "hook mode must not write report files"


@pytest.fixture(scope="module")
def installed(hook_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """(.pre-commit-config.yaml text, PRE_COMMIT_HOME) with the three hooks
    installed once from the snapshot at its commit, as `repo:`/`rev:` users
    write; every test below reuses that environment."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = _env(home)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, env=env, capture_output=True, text=True, check=True).stdout.strip()
    hooks = "".join(f"      - id: {h['id']}\n" for h in _manifest())
    config = f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n{hooks}"
    work = tmp_path_factory.mktemp("install")
    _commit_all(work, env)
    (work / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    proc = _run([PRE_COMMIT, "install-hooks"], work, env)
    _skip_if_offline(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return config, home


def _run_hook(installed: tuple[str, Path], target: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    config, home = installed
    (target / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    return _run([PRE_COMMIT, "run", hook, *args], target, _env(home))


def _assert_reports_only(proc: subprocess.CompletedProcess, named: tuple[str, ...], not_named: tuple[str, ...]) -> None:
    """The hook failed, naming the bad files it covers and no other file."""
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    for text in named:
        assert text in output
    for text in not_named:
        assert text not in output
    assert "ci/buildspec.yml:" not in output and "src/helpers.py:" not in output


@pytest.mark.parametrize(
    ("hook", "named", "not_named"),
    [("lintkit", (BAD_AWS, BAD_PY), ()), ("lintkit-aws", (BAD_AWS,), (BAD_PY,)), ("lintkit-python", (BAD_PY,), (BAD_AWS,))],
)
def test_installed_hooks(installed: tuple[str, Path], tmp_path: Path, hook: str, named: tuple[str, ...], not_named: tuple[str, ...]) -> None:
    env = _env(installed[1])
    target = _target_repo(tmp_path / "target", env)
    proc = _run_hook(installed, target, hook, "--all-files", "--verbose")
    _assert_reports_only(proc, named, not_named)
    good = _run_hook(installed, target, hook, "--files", "ci/buildspec.yml", "src/helpers.py", "docs/notes.txt")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"\.+Passed$", good.stdout, re.M), good.stdout
    assert _untracked(target, env) == [".pre-commit-config.yaml"]


def test_installed_hook_over_several_batches(installed: tuple[str, Path], tmp_path: Path) -> None:
    """More file names than fit in one command line: pre-commit runs lintkit
    several times in sequence; the run still fails, and no report appears."""
    env = _env(installed[1])
    many = {f"config/{'nested-directory-name/' * 3}settings_{i:05d}.yaml": f"name: item{i}\n" for i in range(1800)}
    target = _target_repo(tmp_path / "target", env, many)
    proc = _run_hook(installed, target, "lintkit-aws", "--all-files", "--verbose")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert BAD_AWS in output
    assert len(re.findall(r"files? checked", output)) >= 2, "expected several lintkit invocations"
    assert _untracked(target, env) == [".pre-commit-config.yaml"]


# --- the same hooks as local hooks: no package index needed -----------------------


def _local_config(target: Path) -> None:
    hooks = []
    for hook in _manifest():
        local = dict(hook)
        local["entry"] = f"{sys.executable} -m {hook['entry']}"
        local["language"] = "system"
        local.pop("minimum_pre_commit_version", None)
        hooks.append(local)
    with open(target / ".pre-commit-config.yaml", "w", encoding="utf-8") as handle:
        yaml = YAML()
        yaml.default_flow_style = False
        yaml.dump({"repos": [{"repo": "local", "hooks": hooks}]}, handle)


@pytest.mark.parametrize(
    ("hook", "named", "not_named"),
    [("lintkit", (BAD_AWS, BAD_PY), ()), ("lintkit-aws", (BAD_AWS,), (BAD_PY,)), ("lintkit-python", (BAD_PY,), (BAD_AWS,))],
)
def test_local_hooks(tmp_path: Path, hook: str, named: tuple[str, ...], not_named: tuple[str, ...]) -> None:
    env = _env(tmp_path / "home")
    target = _target_repo(tmp_path / "target", env)
    _local_config(target)
    proc = _run([PRE_COMMIT, "run", hook, "--all-files", "--verbose"], target, env)
    _assert_reports_only(proc, named, not_named)
    good = _run([PRE_COMMIT, "run", hook, "--files", "ci/buildspec.yml", "src/helpers.py"], target, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert _untracked(target, env) == [".pre-commit-config.yaml"]


def test_hook_mode_gives_the_full_runs_answer(tmp_path: Path) -> None:
    """A pre-commit batch may hold an appspec without its hook scripts: the
    hook-script cross-check (APS008) looks them up in the project, so the
    hook reports exactly what a full run reports."""
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "fixtures" / "demo", demo)
    env = _env(tmp_path / "home")
    full = _run([sys.executable, "-m", "lintkit", "check", "--no-cache", "--no-source", "--select", "APS008", "."], demo, env)
    assert full.returncode == 1 and "appspec.yml:10:17: APS008" in full.stdout, full.stdout + full.stderr
    hook = _run([sys.executable, "-m", "lintkit", "check", "--no-cache", "--hook", "--no-source", "--select", "APS008", "--", "appspec.yml"], demo, env)
    assert hook.returncode == 1 and hook.stdout.splitlines()[:2] == full.stdout.splitlines()[:2], hook.stdout + hook.stderr
    assert sorted(p.name for p in demo.iterdir()) == sorted(p.name for p in (REPO / "fixtures" / "demo").iterdir())
