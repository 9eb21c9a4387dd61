"""Discovery and classification: gitignore, excludes, symlink loops, skips,
and content-based file kinds."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from lintkit.config import Config
from lintkit.documents import load
from lintkit.files import classify_document, discover
from tests.helpers import run_paths

SPEC = "version: 0.2\nphases:\n  build:\n    commands: [make]\n"


def rels(paths: list[str], root: Path, **cfg) -> list[str]:
    found, _ = discover(paths, Config(root=str(root), **cfg), root)
    return [c.relpath for c in found]


def test_default_excludes_and_candidates(tmp_path: Path) -> None:
    for rel in ["buildspec.yml", "src/app.py", "node_modules/x/buildspec.yml", ".venv/lib/a.py", "README.md", "build/out.py"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    assert rels([str(tmp_path)], tmp_path, respect_gitignore=False) == ["buildspec.yml", "src/app.py"]


def test_installed_packages_are_third_party(tmp_path: Path) -> None:
    """A folder holding a *.dist-info directory is `pip install --target` output (a
    Lambda layer's python/): skipped with a reason, unless it is the path named."""
    for rel in ["src/app.py", "layer/python/requests/api.py", "layer/python/requests-2.32.3.dist-info/METADATA",
                "layer/python/six.py", "layer/template.yaml"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found, skipped = discover([str(tmp_path)], Config(root=str(tmp_path), respect_gitignore=False), tmp_path)
    assert [c.relpath for c in found] == ["layer/template.yaml", "src/app.py"]
    assert [(s.relpath, s.reason) for s in skipped] == [
        ("layer/python", "installed third-party packages (a *.dist-info directory), not checked")
    ]
    assert rels([str(tmp_path / "layer/python")], tmp_path, respect_gitignore=False) == ["layer/python/requests/api.py", "layer/python/six.py"]


def test_configured_excludes_apply_below_named_directory(tmp_path: Path) -> None:
    for rel in ["fixtures/demo/buildspec.yml", "fixtures/bad/buildspec.yml"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(SPEC)
    assert rels([str(tmp_path)], tmp_path, exclude=("fixtures",), respect_gitignore=False) == []
    assert rels([str(tmp_path / "fixtures/demo")], tmp_path, exclude=("fixtures",), respect_gitignore=False) == [
        "fixtures/demo/buildspec.yml"
    ]


def test_gitignore_is_honoured(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "buildspec.yml").write_text(SPEC)
    (tmp_path / "buildspec.yml").write_text(SPEC)
    assert rels([str(tmp_path)], tmp_path) == ["buildspec.yml"]
    assert rels([str(tmp_path)], tmp_path, respect_gitignore=False) == ["buildspec.yml", "generated/buildspec.yml"]


def test_symlink_loop_terminates_and_links_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "buildspec.yml").write_text(SPEC)
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "missing", tmp_path / "dangling.yml")
    assert rels([str(tmp_path)], tmp_path, respect_gitignore=False) == ["a/buildspec.yml"]


def test_binary_oversized_and_unreadable_are_findings_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_bytes(b"version: 0.2\x00\x01\x02")
    (tmp_path / "big_buildspec.yml").write_text(SPEC + "#" * 5000)
    secret = tmp_path / "appspec.yml"
    secret.write_text("version: 0.0\n")
    secret.chmod(0)
    result = run_paths([tmp_path], root=tmp_path, config=Config(root=str(tmp_path), respect_gitignore=False, max_file_size=1000))
    reasons = {f.path: f.message for f in result.findings if f.code == "GEN005"}
    assert reasons["buildspec.yml"] == "not analyzed: binary content (NUL bytes)"
    assert reasons["big_buildspec.yml"] == "not analyzed: file too large (over 1000 bytes; `max-file-size`)"
    if os.geteuid() != 0:  # root can read anything
        assert reasons["appspec.yml"].startswith("not analyzed: unreadable")


def test_missing_path_is_reported(tmp_path: Path) -> None:
    _, skipped = discover([str(tmp_path / "nope")], Config(), tmp_path)
    assert [s.reason for s in skipped] == ["no such file or directory"]


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("ci/specs/unit.yml", SPEC, "buildspec"),
        ("Buildspec.yaml", "version: 0.2\nbatch:\n  fast-fail: true\n", "buildspec"),
        ("appspec.yml", "version: 0.0\nos: linux\n", "appspec"),
        ("deploy/AppSpec.json", '{"version": 0.0, "Resources": []}', "appspec"),
        ("x.yaml", "version: 0.0\nResources:\n  - svc: {Type: 'AWS::ECS::Service'}\n", "appspec"),
        ("t.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", "cloudformation"),
        ("sam.yaml", "Transform: AWS::Serverless-2016-10-31\nResources:\n  F: {Type: AWS::Serverless::Function}\n", "cloudformation"),
        ("cdk.out.template.json", '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}', "cloudformation"),
        ("p.json", '{"pipeline": {"name": "p", "stages": []}, "metadata": {}}', "pipeline"),
        ("c.json", '{"stages": [{"name": "S", "actions": [{"name": "a", "actionTypeId": {}}]}]}', "pipeline"),
        ("k8s.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n", None),
        ("package.json", '{"name": "x", "version": "1.0.0"}', None),
        (".pre-commit-config.yaml", "repos:\n  - repo: local\n    hooks: []\n", None),
        ("testspec.yml", "version: 0.1\nphases:\n  install:\n    commands: [x]\n  test:\n    commands: [y]\nandroid_test_host: x\n", None),
        (".gitlab-ci.yml", "stages: [build]\nbuild:\n  script: [make]\n", None),
        ("rules/schemas/buildspec.schema.json", '{"$schema": "x", "type": "object", "properties": {}}', None),
        ("appspec-template-generator.json", '{"name": "gen", "outputs": []}', None),
        ("buildspec.yml", "{}", "buildspec"),
        ("buildspec.yml", "phases:\n  build:\n    commands: [make]\n", "buildspec"),
    ],
)
def test_classification_by_content(name: str, text: str, kind: str | None) -> None:
    assert classify_document(name, load(text, name)) == kind
