"""Hostile and broken input (issue: never crash, never lose a finding).

Every input is built in a temporary folder beside one ordinary bad buildspec;
each must end in an exact, clear outcome (a finding or a skip reason), no
check may crash, and the ordinary file must still be reported. The whole set
runs well under 60 s."""

from __future__ import annotations

import os
import time

import pytest

from lintkit.config import Config
from tests.helpers import run_paths

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
    "binary/buildspec.yml": (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4, set(), "binary file"),
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
    "pydeep/app.py": ("x = " + "+".join(["1"] * 5000) + "\n", set(), "expressions nested too deeply"),
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


def test_huge_file_is_skipped_with_reason(hostile_run) -> None:
    result, _ = hostile_run
    reasons = {s.relpath: s.reason for s in result.skipped}
    assert reasons["big/buildspec.yml"].startswith("file too large (")
    assert reasons["dangling-buildspec.yml"].startswith("unreadable")


def test_alias_bomb_message_is_clear(hostile_run) -> None:
    result, _ = hostile_run
    [finding] = [f for f in result.findings if f.path == "bomb/buildspec.yml"]
    assert "alias expansion" in finding.message


def test_whole_set_is_fast(hostile_run) -> None:
    _, seconds = hostile_run
    assert seconds < 60
