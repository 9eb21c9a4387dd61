"""The command line, run for real in a subprocess: exit codes, formats, rules,
safe report files, loud errors, one answer from any path (issue 12)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.helpers import REPO

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


# --- issue 12: reports written safely -------------------------------------------------


def _findings(report: str) -> list[tuple[str, int, int]]:
    return [(f["code"], f["location"]["line"], f["location"]["column"]) for f in json.loads(report)["findings"]]


def test_report_replaces_a_regular_file_keeping_its_mode_and_new_files_follow_the_umask(repo: Path) -> None:
    old = repo / "old.json"
    old.write_text("stale")
    old.chmod(0o640)
    assert lintkit("check", "-f", "json", "-o", "old.json", "--no-cache", cwd=repo).returncode == 1
    assert _findings(old.read_text()) == [("GEN002", 6, 3)] and stat.S_IMODE(old.stat().st_mode) == 0o640
    proc = subprocess.run(
        [sys.executable, "-m", "lintkit", "check", "-f", "json", "-o", "new.json", "--no-cache"],
        cwd=repo, capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.umask(0o027),
    )
    assert proc.returncode == 1 and stat.S_IMODE((repo / "new.json").stat().st_mode) == 0o640
    assert not [p.name for p in repo.iterdir() if p.name.endswith(".tmp")]


def test_report_through_a_symlink_writes_the_target_and_keeps_the_link(repo: Path) -> None:
    (repo / "reports").mkdir()
    (repo / "link.json").symlink_to(repo / "reports" / "real.json")
    assert lintkit("check", "-f", "json", "-o", "link.json", "--no-cache", cwd=repo).returncode == 1
    assert (repo / "link.json").is_symlink() and _findings((repo / "reports" / "real.json").read_text()) == [("GEN002", 6, 3)]


def test_report_into_a_fifo_is_written_into_it(repo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    out = lintkit("check", "-f", "json", "--sarif", str(fifo), "-o", "r.json", "--no-cache", cwd=repo)
    reader.join(timeout=60)
    assert out.returncode == 1, out.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and json.loads(received[0])["version"] == "2.1.0"


def test_report_through_a_symlink_to_dev_stdout_goes_to_stdout(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "stdout-link").symlink_to("/dev/stdout")
    out = lintkit("check", "-f", "json", "-o", str(tmp_path / "stdout-link"), "--no-cache", cwd=repo)
    assert out.returncode == 1 and _findings(out.stdout) == [("GEN002", 6, 3)]
    assert (tmp_path / "stdout-link").is_symlink()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "missing/r.json"], "lintkit: error: cannot write report missing/r.json: directory missing does not exist"),
        (["--sarif", "ok"], "lintkit: error: cannot write report ok: it is a directory"),
        (["-o", "buildspec.yml", "buildspec.yml"], "lintkit: error: buildspec.yml: the report would overwrite a file being checked"),
        (["-o", "buildspec.yml"], "lintkit: error: buildspec.yml: the report would overwrite a file this run read"),
    ],
)
def test_report_path_errors_are_one_line_and_exit_2(repo: Path, args: list[str], message: str) -> None:
    before = (repo / "buildspec.yml").read_text()
    out = lintkit("check", "-f", "json", "--no-cache", *args, cwd=repo)
    assert out.returncode == 2 and out.stderr.strip().splitlines()[-1] == message, out.stderr
    assert "Traceback" not in out.stderr and (repo / "buildspec.yml").read_text() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_report_directory_is_exit_2(repo: Path) -> None:
    (repo / "ro").mkdir(mode=0o500)
    out = lintkit("check", "-o", "ro/r.txt", "--no-cache", cwd=repo)
    assert out.returncode == 2 and out.stderr.strip() == "lintkit: error: cannot write report ro/r.txt: permission denied"


# --- issue 12: loud errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ({}, ["nonexistent/"], "lintkit: error: nonexistent/: no such file or directory"),
        ({}, ["-"], "lintkit: error: reading stdin (`-`) needs --stdin-filename NAME: the name decides what kind of file it is"),
        ({"pyproject.toml": "[tool.lintkit]\nignore = [\n"}, [], "pyproject.toml: invalid TOML"),
        ({".lintkit.toml": "per-path-ignores = { 'a/*' = ['NOPE999'] }\n"}, [], ".lintkit.toml: 'per-path-ignores' for 'a/*' names unknown rule selector 'NOPE999'"),
        ({".lintkit.toml": "ignore = ['NOPE999']\n"}, [], ".lintkit.toml: 'ignore' names unknown rule selector 'NOPE999'"),
        ({".lintkit.toml": "[rules.NOPE999]\nx = 1\n"}, [], ".lintkit.toml: [rules.NOPE999] names an unknown rule or family"),
        ({".lintkit.toml": "fail-on = 'warning'\n"}, [], ".lintkit.toml: fail-on: unknown severity 'warning'"),
        ({".lintkit.toml": "[rules.PIP008]\nprod-pattern = '(unclosed'\n"}, [], ".lintkit.toml: [rules.PIP008]: option 'prod-pattern' is not a valid regular expression"),
    ],
)
def test_wrong_input_is_a_one_line_error_naming_the_file(repo: Path, setup: dict[str, str], args: list[str], message: str) -> None:
    for name, text in setup.items():
        (repo / name).write_text(text)
    out = lintkit("check", "--no-cache", *args, cwd=repo)
    assert out.returncode == 2, out.stdout + out.stderr
    [line] = out.stderr.strip().splitlines()[-1:]
    assert line.startswith("lintkit: error: ") and message in line and "Traceback" not in out.stderr, out.stderr


def test_command_line_selection_wins_over_the_configuration_with_a_note(repo: Path) -> None:
    (repo / ".lintkit.toml").write_text("ignore = ['GEN002']\n")
    assert lintkit("check", "--no-cache", cwd=repo).returncode == 0
    out = lintkit("check", "--select", "GEN002", "--no-cache", "-q", cwd=repo)
    assert out.returncode == 1 and out.stdout.startswith("buildspec.yml:6:3: GEN002")
    assert "lintkit: note: the command line selects GEN002, which" in out.stderr and ".lintkit.toml ignores" in out.stderr


def test_configuration_above_the_git_top_level_is_not_used(tmp_path: Path) -> None:
    (tmp_path / ".lintkit.toml").write_text("ignore = ['ALL']\n")
    project = tmp_path / "checkout"
    (project / ".git").mkdir(parents=True)
    (project / "buildspec.yml").write_text(BAD)
    out = lintkit("check", "--no-cache", "-q", cwd=project)
    assert out.returncode == 1 and out.stdout.startswith("buildspec.yml:6:3: GEN002")


# --- issue 12: one answer from any path -----------------------------------------------------

_LINE = re.compile(r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")


def _app_findings(output: str, name: str = "app.py") -> list[tuple[str, int, int]]:
    return sorted((m["code"], int(m["line"]), int(m["col"])) for m in map(_LINE.match, output.splitlines()) if m and m["path"].endswith(name))


def test_the_demo_gives_one_answer_from_any_path(tmp_path: Path) -> None:
    """`check .`, `check src/orders/app.py`, a run inside src/orders and the
    pre-commit hook with only app.py staged report the same for app.py; the SQL
    injection app.py's route feeds is reported at its sink in db.py from any path too."""
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "fixtures" / "demo", demo)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pc"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "demo"]):
        subprocess.run(["git", *args], cwd=demo, env=env, check=True, capture_output=True)
    everything = lintkit("check", "--no-cache", ".", cwd=demo).stdout
    whole = _app_findings(everything)
    assert ("PRL001", 14, 14) in whole
    assert ("PIV017", 15, 9) in _app_findings(everything, "db.py")
    assert _app_findings(lintkit("check", "--no-cache", "src/orders/db.py", cwd=demo).stdout, "db.py") == _app_findings(everything, "db.py")
    assert _app_findings(lintkit("check", "--no-cache", "src/orders/app.py", cwd=demo).stdout) == whole
    assert _app_findings(lintkit("check", "--no-cache", cwd=demo / "src" / "orders").stdout) == whole
    [hook] = [h for h in YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text()) if h["id"] == "lintkit"]
    hook.update(entry=f"{sys.executable} -m {hook['entry']}", language="system")
    hook.pop("minimum_pre_commit_version")
    (demo / ".pre-commit-config.yaml").write_text(json.dumps({"repos": [{"repo": "local", "hooks": [hook]}]}))
    pre_commit = str(Path(sys.executable).with_name("pre-commit"))
    ran = subprocess.run([pre_commit, "run", "lintkit", "--files", "src/orders/app.py"], cwd=demo, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 1 and _app_findings(ran.stdout) == whole, ran.stdout + ran.stderr


def test_the_cache_is_outside_the_tree_and_clean_removes_it(repo: Path) -> None:
    assert lintkit("check", cwd=repo).returncode == 1
    assert sorted(p.name for p in repo.iterdir()) == ["buildspec.yml", "ok"]
    shown = lintkit("check", "--show-settings", cwd=repo)
    [cache] = [line.split(": ", 1)[1] for line in shown.stdout.splitlines() if line.startswith("cache: ")]
    assert Path(cache).is_dir() and not Path(cache).is_relative_to(repo)
    cleaned = lintkit("clean", cwd=repo)
    assert cleaned.returncode == 0 and f"removed the cache {cache}" in cleaned.stderr and not Path(cache).exists()


# --- issue 12: text output and the options users expect ---------------------------------------


def test_demo_text_has_severity_files_on_trace_steps_and_fix_lines() -> None:
    out = lintkit("check", "--no-cache", "fixtures/demo", cwd=REPO)
    lines = out.stdout.splitlines()
    heads = [line for line in lines if _LINE.match(line)]
    assert heads and all(re.match(r"^\S+:\d+:\d+: [A-Z]+\d+ (critical|high|error|medium|low|info) \[", h) for h in heads)
    for code in ("BSP024", "CDG001", "PIP006"):
        at = next(i for i, line in enumerate(lines) if f": {code} " in line)
        assert lines[at + 3].startswith("    fix: "), lines[at : at + 4]
    steps = [line for line in lines if re.match(r"^    \d+\. ", line)]
    assert steps and all(re.match(r"^    \d+\. fixtures/demo/src/orders/\w+\.py:\d+:\d+: ", s) for s in steps)


def test_repeated_trace_steps_are_shown_once() -> None:
    from lintkit.engine import _unique_steps
    from lintkit.findings import Finding, Location, Severity

    a, b = Location("app.py", 3, 1, message="passed to f()"), Location("db.py", 9, 5, message="reaches execute()")
    finding = Finding("PIV017", "m", Location("db.py", 9, 5), Severity.HIGH, "sql-injection", flows=((a, a, b, a, b), (b, b)))
    assert _unique_steps(finding).flows == ((a, b), (b,))


def test_statistics_exit_zero_and_fail_on_none(repo: Path) -> None:
    (repo / "more").mkdir()
    (repo / "more" / "buildspec.yml").write_text(BAD)
    stats = lintkit("check", "--statistics", "--no-cache", cwd=repo)
    assert stats.returncode == 1 and stats.stdout.splitlines()[0] == "2  GEN002  error    duplicate-key"
    assert lintkit("check", "--exit-zero", "--no-cache", cwd=repo).returncode == 0
    assert lintkit("check", "--fail-on", "none", "--no-cache", cwd=repo).returncode == 0


def test_stdin_with_a_filename(repo: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lintkit", "check", "-", "--stdin-filename", "ci/buildspec.yml", "-q", "--no-source"],
        cwd=repo, input=BAD, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1 and proc.stdout.splitlines()[0].startswith("ci/buildspec.yml:6:3: GEN002 error [duplicate-key]"), proc.stderr


def test_show_settings_and_verbose_name_the_configuration(repo: Path) -> None:
    (repo / ".lintkit.toml").write_text("ignore = ['BSP012']\n")
    shown = lintkit("check", "--show-settings", cwd=repo)
    assert shown.returncode == 0 and f"configuration file: {repo / '.lintkit.toml'}" in shown.stdout.splitlines()
    assert f"project root: {repo}" in shown.stdout.splitlines() and "ignore: BSP012" in shown.stdout.splitlines()
    verbose = lintkit("check", "-v", "--no-cache", cwd=repo)
    assert f"lintkit: configuration: {repo / '.lintkit.toml'}" in verbose.stderr.splitlines()


def test_pep_263_encodings_are_honoured(tmp_path: Path) -> None:
    (tmp_path / "legacy.py").write_bytes(b"# -*- coding: latin-1 -*-\nNAME = '\xe9t\xe9'\n")
    out = lintkit("check", "--no-cache", "legacy.py", cwd=tmp_path)
    assert out.returncode == 0 and "GEN001" not in out.stdout, out.stdout


def test_a_yaml_error_still_lets_the_text_checks_run(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands:\n      - export AWS_ACCESS_KEY_ID=AKIAQYLPMN5HHHFPZAM2\n\t- make\n")
    out = lintkit("check", "--no-cache", "--no-source", "-q", cwd=tmp_path)
    codes = [m["code"] for m in map(_LINE.match, out.stdout.splitlines()) if m]
    assert out.returncode == 1 and codes == ["CRD001", "GEN001"], out.stdout


def test_explain_several_rules() -> None:
    out = lintkit("explain", "BSP010", "PRL001", cwd=REPO)
    assert out.returncode == 0 and out.stdout.startswith("# BSP010 ") and "\n# PRL001 " in out.stdout


def test_sigterm_exits_143(repo: Path) -> None:
    with subprocess.Popen([sys.executable, "-m", "lintkit", "check", "-", "--stdin-filename", "buildspec.yml"], cwd=repo,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        time.sleep(1.5)  # reading stdin, which never ends
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 143 and err.strip() == "lintkit: terminated"


def test_force_color(repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    colored = subprocess.run([sys.executable, "-m", "lintkit", "check", "--no-cache"], cwd=repo, env={**env, "FORCE_COLOR": "1"}, capture_output=True, text=True, timeout=120)
    assert "\x1b[31mGEN002\x1b[0m" in colored.stdout
    plain = subprocess.run([sys.executable, "-m", "lintkit", "check", "--no-cache"], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert "\x1b[" not in plain.stdout


def test_the_readme_pre_commit_snippet_works_as_written(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### pre-commit") :]
    snippet = section[section.index("```yaml\n") + 8 : section.index("```\n", section.index("```yaml\n") + 8)]
    target = tmp_path / "target"
    target.mkdir()
    (target / "buildspec.yml").write_text(BAD)
    (target / ".pre-commit-config.yaml").write_text(snippet)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PATH=str(Path(sys.executable).parent) + os.pathsep + env["PATH"], PRE_COMMIT_HOME=str(tmp_path / "pc"),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", *args], cwd=target, env=env, check=True, capture_output=True)
    pre_commit = str(Path(sys.executable).with_name("pre-commit"))
    ran = subprocess.run([pre_commit, "run", "--all-files"], cwd=target, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 1 and "buildspec.yml:6:3: GEN002 error [duplicate-key]" in ran.stdout, ran.stdout + ran.stderr
