"""Hostile and broken input (never crash, never lose a finding), and a hostile
repository (issue 13: it must not steer lintkit's cache, work, reads,
arguments, output or exit code).

Every input is built in a temporary folder beside one ordinary bad buildspec;
each must end in an exact, clear outcome (a finding or a skip reason), no
check may crash, and the ordinary file must still be reported. The whole set
runs well under 60 s."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lintkit.config import Config
from tests.helpers import REPO, run_paths

CONTROL = "version: 0.2\nphases:\n  build:\n    commands: [make]\n  build:\n    commands: [make test]\n"


def _alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(9):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "version: 0.2\n" + "\n".join(lines) + "\nphases: {}\n"


def _deep_block_yaml(depth: int) -> str:
    # One space per level keeps 1,500 levels at about 1 MB.
    return "version: 0.2\nphases:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(depth)) + " " * (depth + 1) + "v: 1\n"


# name -> (content as str or bytes, expected (code, line) set, expected skip reason prefix or None)
CASES: dict[str, tuple[str | bytes, set[tuple[str, int]], str | None]] = {
    "bomb/buildspec.yml": (_alias_bomb(), {("GEN001", 6)}, None),
    "deep-yaml/buildspec.yml": ("version: 0.2\nphases: " + "[" * 20_000 + "]" * 20_000 + "\n", {("GEN001", 2)}, None),
    "deep-block/buildspec.yml": (_deep_block_yaml(1_500), {("GEN001", 102)}, None),
    "deep-json/template.json": ('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": ' + "[" * 20_000 + "]" * 20_000 + "}", {("GEN001", 1)}, None),
    "binary/buildspec.yml": (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4, {("GEN005", 1)}, None),
    "utf8/buildspec.yml": (b"version: 0.2\nphases:\n  build:\n    commands: [\"caf\xe9\"]\n", {("GEN001", 4)}, None),
    "bom/buildspec.yml": ("\ufeff" + CONTROL, {("GEN002", 5)}, None),
    "crlf/buildspec.yml": (CONTROL.replace("\n", "\r\n"), {("GEN002", 5)}, None),
    "tabs/buildspec.yml": ("version: 0.2\nphases:\n\tbuild:\n\t\tcommands: [make]\n", {("GEN001", 3)}, None),
    "jinja/buildspec.yml": ("version: 0.2\nphases:\n  build:\n    commands:\n      {% for c in cmds %}\n      - {{ c }}\n      {% endfor %}\n", {("GEN003", 1)}, None),
    "gotmpl/template.yaml": ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n{{ range .Buckets }}\n  {{ .Name }}: {Type: AWS::S3::Bucket}\n{{ end }}\n", {("GEN003", 1)}, None),
    "cookiecutter/{{cookiecutter.name}}/buildspec.yml": ('version: 0.2\nphases:\n  build:\n    commands:\n      - "{{ cookiecutter.cmd }}\n', {("GEN003", 1)}, None),
    "tokens/template.yaml": ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub %BUCKET_NAME%\n", {("GEN003", 1)}, None),
    "tags/template.yaml": ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Weird [a, !Sub 'x']\n", set(), None),
    "pysyntax/app.py": ("def f(:\n    pass\n", {("GEN001", 1)}, None),
    "pynul/app.py": ("x = 1\n" * 2000 + "y = '\x00'\n", {("GEN001", 1)}, None),
    "pydeep/app.py": ("x = " + "+".join(["1"] * 5000) + "\n", {("GEN005", 1)}, None),
    "empty/buildspec.yml": ("", None, None),  # None: any findings, just no crash
    "empty/app.py": ("", set(), None),
    "onlycomment/appspec.yml": ("# nothing here\n", None, None),
}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    (root / "control").mkdir()
    (root / "control" / "buildspec.yml").write_text(CONTROL)
    for rel, (content, _, _) in CASES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    big = root / "big" / "buildspec.yml"
    big.parent.mkdir()
    with open(big, "w") as handle:
        handle.write("version: 0.2\nphases:\n  build:\n    commands:\n")
        chunk = "      - echo " + "x" * 60 + "\n"
        handle.write(chunk * (30 * 1024 * 1024 // len(chunk)))
    (root / "loop").mkdir()
    os.symlink(root, root / "loop" / "again")
    os.symlink(root / "nowhere.yml", root / "dangling-buildspec.yml")
    started = time.perf_counter()
    paths = [root, root / "dangling-buildspec.yml"]
    # GEN003 (a template skipped) is opt-in; these cases check it is reported when asked for.
    result = run_paths(paths, root=root, config=Config(root=str(root), respect_gitignore=False, select=("default", "GEN003")))
    return result, time.perf_counter() - started


def test_no_check_crashed(hostile_run) -> None:
    result, _ = hostile_run
    assert [n for n in result.notifications if n.kind == "crash"] == []


def test_control_file_still_checked(hostile_run) -> None:
    result, _ = hostile_run
    assert {(f.code, f.line) for f in result.findings if f.path == "control/buildspec.yml"} == {("GEN002", 5)}


@pytest.mark.parametrize("rel", sorted(CASES))
def test_exact_outcome(hostile_run, rel: str) -> None:
    result, _ = hostile_run
    _, expected, skip = CASES[rel]
    found = {(f.code, f.line) for f in result.findings if f.path == rel}
    skipped = {s.relpath: s.reason for s in result.skipped}
    if skip:
        assert skipped.get(rel, "").startswith(skip), skipped
    else:
        assert rel not in skipped
    if expected is not None:
        assert found == expected


def test_huge_file_is_a_finding_and_a_dangling_link_a_notice(hostile_run) -> None:
    result, _ = hostile_run
    reasons = {f.path: f.message for f in result.findings if f.code == "GEN005"}
    assert reasons["big/buildspec.yml"] == "not analyzed: file too large (over 5242880 bytes; `max-file-size`)"
    assert {s.relpath: s.reason for s in result.skipped}["dangling-buildspec.yml"] == "dangling symlink"


def test_alias_bomb_message_is_clear(hostile_run) -> None:
    result, _ = hostile_run
    [finding] = [f for f in result.findings if f.path == "bomb/buildspec.yml"]
    assert "alias expansion" in finding.message


def test_whole_set_is_fast(hostile_run) -> None:
    _, seconds = hostile_run
    assert seconds < 60


# --- issue 13: a repository under check must not be able to steer lintkit ---------------
#
# One test (or a few) per row of the issue; each would fail on the code
# before the fix. Time limits are generous for a shared machine and far
# below what the unbounded code took.

AWS_KEY = "AKIAQYLPMN5HHHFPZAM2"


def _cli(*args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lintkit", *args], cwd=cwd, capture_output=True, text=True, timeout=120, **kwargs)


def _codes(result, path: str) -> list[tuple[str, int]]:
    return sorted((f.code, f.line) for f in result.findings if f.path == path)


# row 1: the cache


def test_row1_a_committed_cache_is_not_used_and_forged_entries_are_misses(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "buildspec.yml").write_text(CONTROL)
    # Whatever a repository commits at the old default location is never read.
    (tree / ".lintkit_cache" / "v2" / "results" / "ab").mkdir(parents=True)
    assert _cli("check", "-q", cwd=tree).returncode == 1
    # An entry lintkit wrote, edited to say "no findings" and re-signed with another key: a miss.
    cache = tmp_path / "cache"
    assert _cli("check", "--cache-dir", str(cache), cwd=tree).returncode == 1
    [entry] = [p for p in cache.rglob("*.json") if "results" in p.parts]
    data = json.loads(entry.read_text().split("\n", 1)[1])
    data["result"]["findings"] = []
    forged = json.dumps(data)
    entry.write_text(hashlib.blake2b(forged.encode(), key=b"attacker" * 4, digest_size=20).hexdigest() + "\n" + forged)
    again = _cli("check", "--cache-dir", str(cache), "-q", cwd=tree)
    assert again.returncode == 1 and again.stdout.startswith("buildspec.yml:5:3: GEN002"), again.stdout


def test_row1_a_cache_symlink_is_never_followed(tmp_path: Path) -> None:
    tree, elsewhere = tmp_path / "tree", tmp_path / "elsewhere"
    tree.mkdir()
    elsewhere.mkdir()
    (tree / "buildspec.yml").write_text(CONTROL)
    (tree / ".lintkit_cache").symlink_to(elsewhere)
    assert _cli("check", "--cache-dir", ".lintkit_cache", cwd=tree).returncode == 1
    assert list(elsewhere.iterdir()) == []
    # a symlink inside a real cache directory is not followed either
    (tree / "c").mkdir()
    (tree / "c" / "v2").symlink_to(elsewhere)
    assert _cli("check", "--cache-dir", "c", cwd=tree).returncode == 1
    assert list(elsewhere.iterdir()) == []


def test_row1_schemas_and_models_are_part_of_the_code_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lintkit import results as cache
    from lintkit.registry import builtin_rules_dir
    from tests.helpers import registry

    before = cache.code_digest(registry())
    schema = builtin_rules_dir() / "schemas" / "buildspec.schema.json"
    stat_result = schema.stat()
    os.utime(schema, ns=(stat_result.st_atime_ns, stat_result.st_mtime_ns + 1))
    try:
        assert cache.code_digest(registry()) != before
    finally:
        os.utime(schema, ns=(stat_result.st_atime_ns, stat_result.st_mtime_ns))


# row 3: bounded work


def _timed(paths: list[Path], root: Path, config: Config | None = None):
    started = time.perf_counter()
    result = run_paths(paths, root=root, config=config or Config(root=str(root), respect_gitignore=False))
    return result, time.perf_counter() - started


def test_row3_nested_substitutions_are_linear(tmp_path: Path) -> None:
    command = "echo " + "$(echo " * 100 + "x" + ")" * 100
    (tmp_path / "buildspec.yml").write_text(f'version: 0.2\nphases:\n  build:\n    commands:\n      - "{command}"\n')
    result, seconds = _timed([tmp_path], tmp_path)
    assert seconds < 5 and not [n for n in result.notifications if n.kind == "crash"]


def test_row3_many_resources_are_indexed(tmp_path: Path) -> None:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for i in range(12_000):
        lines += [f"  B{i}:", "    Type: AWS::S3::Bucket", "    Properties:", f"      BucketName: b{i}"]
    (tmp_path / "template.yaml").write_text("\n".join(lines) + "\n")
    result, seconds = _timed([tmp_path], tmp_path)
    assert seconds < 20 and result.checked  # 80 s with a linear scan per lookup


def test_row3_positions_in_a_quoted_scalar_are_linear(tmp_path: Path) -> None:
    """Long runs of spaces inside a quoted command (fuzz.py found 11 s on 100 KB)."""
    command = "'" + ("echo" + " " * 20_000 + "'' ") * 4 + "&& curl -s http://get.example/i.sh | sh'"
    (tmp_path / "buildspec.yml").write_text(f"version: 0.2\nphases:\n  build:\n    commands:\n      - {command}\n")
    result, seconds = _timed([tmp_path], tmp_path)
    assert seconds < 3 and result.checked


def test_row3_document_lines_are_split_once() -> None:
    from lintkit.documents import load

    doc = load("version: 0.2\nphases: {}\n", "buildspec.yml")
    assert doc.lines is doc.lines


def test_row3_a_configured_pattern_cannot_hang_the_run(tmp_path: Path) -> None:
    stage = "a" * 40
    pipeline = {"pipeline": {"name": "p", "stages": [{"name": stage, "actions": [{"name": stage, "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"}, "runOrder": 1}]}]}}
    (tmp_path / "pipeline.json").write_text(json.dumps(pipeline))
    config = Config(root=str(tmp_path), respect_gitignore=False, rules=(("PIP008", (("prod-pattern", "(a|a)*b"),)),))
    result, seconds = _timed([tmp_path], tmp_path, config)
    assert seconds < 10 and result.checked  # `re` backtracks 2**40 times


# row 4: no silent holes


def test_row4_padding_makes_a_finding_and_the_credential_is_still_found(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(f'KEY = "{AWS_KEY}"\nx = ' + "+".join(["1"] * 5000) + "\n")
    (tmp_path / "buildspec.yml").write_text(f"version: 0.2\nphases:\n  build:\n    commands:\n      - echo {AWS_KEY}\n" + "#" * 3000 + "\n")
    config = Config(root=str(tmp_path), respect_gitignore=False, max_file_size=2000)
    result = run_paths([tmp_path], root=tmp_path, config=config)
    assert _codes(result, "app.py") == [("CRD001", 1), ("GEN005", 1)]
    assert _codes(result, "buildspec.yml") == [("CRD001", 5), ("GEN005", 1)]
    assert {f.severity.value for f in result.findings if f.code == "GEN005"} == {"error"}


def _crashing_registry(exc: BaseException):
    from lintkit.registry import Check, build_registry

    reg = build_registry()
    checks = list(reg.checks_for("buildspec"))

    def explode(doc, ctx):
        raise exc

    reg._checks["buildspec"] = checks + [Check("tests.test_hostile:explode", "buildspec", ("BSP001",), explode)]
    return reg


@pytest.mark.parametrize("exc", [ValueError("boom"), RecursionError("deep"), SystemExit(0)], ids=["error", "recursion", "sys-exit"])
def test_row4_a_crashing_check_is_an_error_finding(tmp_path: Path, exc: BaseException) -> None:
    from lintkit.engine import run

    (tmp_path / "buildspec.yml").write_text(CONTROL)
    result = run([str(tmp_path)], Config(root=str(tmp_path), respect_gitignore=False), root=tmp_path, registry=_crashing_registry(exc), jobs=1)
    assert _codes(result, "buildspec.yml") == [("GEN002", 5), ("GEN005", 1)]
    [crash] = [f for f in result.findings if f.code == "GEN005"]
    assert crash.severity.value == "error" and crash.message.startswith(f"not fully analyzed: BSP001 crashed ({type(exc).__name__}")


def _watched_pool(action: str):
    """A two-worker run whose check does `action` to its own worker process."""
    from lintkit.registry import Check, build_registry

    reg = build_registry()
    checks = list(reg.checks_for("buildspec"))
    parent = os.getpid()

    def misbehave(doc, ctx):
        if os.getpid() != parent and ctx.path == "b/07/buildspec.yml":
            os.kill(os.getpid(), signal.SIGKILL if action == "kill" else signal.SIGSTOP)

    reg._checks["buildspec"] = checks + [Check("tests.test_hostile:misbehave", "buildspec", ("BSP001",), misbehave)]
    return reg


@pytest.mark.parametrize("action", ["kill", "stop"])
def test_row4_a_dead_or_stopped_worker_fails_the_run_in_bounded_time(tmp_path: Path, action: str) -> None:
    from lintkit.engine import run
    from lintkit.parallel import WorkerFailed

    for i in range(24):
        (tmp_path / "b" / f"{i:02d}").mkdir(parents=True)
        (tmp_path / "b" / f"{i:02d}" / "buildspec.yml").write_text(CONTROL)
    started = time.perf_counter()
    with pytest.raises(WorkerFailed, match="killed by SIGKILL" if action == "kill" else "was stopped"):
        run([str(tmp_path)], Config(root=str(tmp_path), respect_gitignore=False), root=tmp_path, registry=_watched_pool(action), jobs=2)
    assert time.perf_counter() - started < 30


def test_row4_sigpipe_ends_the_run_quietly(tmp_path: Path) -> None:
    """The reader of stdout is gone before the report is written (`| true`)."""
    for i in range(20):
        (tmp_path / f"buildspec-{i:02d}.yml").write_text(CONTROL)
    with subprocess.Popen([sys.executable, "-m", "lintkit", "check", "--no-cache", "-j", "2", "."], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode()
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 141 and err == ""


# row 5: stay inside the tree


def test_row5_symlinks_out_of_the_tree_and_fifos_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "home"
    outside.mkdir()
    (outside / "credentials").write_text(f"[default]\naws_access_key_id = {AWS_KEY}\n")
    tree = tmp_path / "tree"
    (tree / ".git").mkdir(parents=True)
    (tree / ".git" / "config").write_text(f"[core]\n# {AWS_KEY}\n")
    (tree / "buildspec-c.yml").symlink_to(outside / "credentials")
    (tree / "buildspec-g.yml").symlink_to(tree / ".git" / "config")
    os.mkfifo(tree / "fifo")
    (tree / "buildspec-f.yml").symlink_to(tree / "fifo")
    out = _cli("check", "--no-cache", "--isolated", "-f", "sarif", cwd=tree, stdin=subprocess.DEVNULL)
    assert AWS_KEY not in out.stdout
    text = _cli("check", "--no-cache", "--isolated", "--no-source", cwd=tree, stdin=subprocess.DEVNULL).stdout.splitlines()
    assert "buildspec-c.yml: skipped: symlink to a file outside the project, not followed" in text
    assert "buildspec-g.yml: skipped: symlink into an excluded directory, not followed" in text
    assert any(line.startswith("fifo:1:1: GEN005 error [not-analyzed] not analyzed: not a regular file") for line in text), text


# row 6: file names are not options


def test_row6_file_names_after_the_hook_entry_are_paths(tmp_path: Path) -> None:
    from ruamel.yaml import YAML

    (tmp_path / "buildspec.yml").write_text(CONTROL)
    (tmp_path / "app.py").write_text("def f(:\n")
    for name in ("--exclude=*.py", "--exclude=*.yml", "--output=buildspec.yml"):
        (tmp_path / name).write_text("")
    [hook] = [h for h in YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text()) if h["id"] == "lintkit"]
    entry = hook["entry"].split()[1:]  # what pre-commit runs, with the file names appended
    out = _cli(*entry, "--exclude=*.py", "--exclude=*.yml", "--output=buildspec.yml", "app.py", "buildspec.yml", cwd=tmp_path)
    assert out.returncode == 1 and (tmp_path / "buildspec.yml").read_text() == CONTROL
    assert "app.py:1:7: GEN001" in out.stdout and "buildspec.yml:5:3: GEN002" in out.stdout


# row 7: output that cannot be forged


def test_row7_control_characters_are_escaped_in_every_log_format(tmp_path: Path) -> None:
    name = "x\n::error file=app.py,line=1::forged\x1b[31m.yml"
    (tmp_path / name).write_text(CONTROL)
    for fmt in ("text", "github"):
        out = _cli("check", "--no-cache", "--isolated", "-f", fmt, cwd=tmp_path)
        assert out.returncode == 1
        assert not [line for line in out.stdout.splitlines() if line.startswith("::error file=app.py")], out.stdout
        assert "\x1b" not in out.stdout and "x\\n::error file=app.py" in out.stdout.replace("%3A", ":").replace("%2C", ",")
    junit = _cli("check", "--no-cache", "--isolated", "-f", "junit", cwd=tmp_path).stdout
    assert "\x1b" not in junit and "x\\n::error" in junit


# row 8: code from the repository


def test_row8_sys_exit_from_a_check_does_not_end_the_run(tmp_path: Path) -> None:
    from lintkit.engine import run

    (tmp_path / "buildspec.yml").write_text(CONTROL)
    result = run([str(tmp_path)], Config(root=str(tmp_path), respect_gitignore=False), root=tmp_path, registry=_crashing_registry(SystemExit(0)), jobs=1)
    assert ("GEN005", 1) in _codes(result, "buildspec.yml") and [n.kind for n in result.notifications] == ["crash"]


def test_an_engine_crash_with_gen005_ignored_is_a_notification_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lintkit import engine

    def explode(*args: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(engine, "_analyze", explode)
    (tmp_path / "buildspec.yml").write_text(CONTROL)
    config = Config(root=str(tmp_path), respect_gitignore=False, ignore=("GEN005",))
    result = engine.run([str(tmp_path)], config, root=tmp_path, jobs=1)
    assert result.findings == [] and [n.kind for n in result.notifications] == ["crash"]


# A pack that calls sys.exit while loading: tests/test_plugins.py
# (test_a_pack_that_exits_is_a_clear_error), with a real installed pack.


def test_row4_padding_does_not_hide_a_template(tmp_path: Path) -> None:
    template = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Key:\n    Type: AWS::IAM::AccessKey\n    Properties:\n      UserName: ci\n      Note: " + AWS_KEY + "\n"
    (tmp_path / "stack.yaml").write_text("# padding\n" * 40_000 + template)
    result = run_paths([tmp_path], root=tmp_path)
    assert _codes(result, "stack.yaml") == [("CRD001", 40_007)]
