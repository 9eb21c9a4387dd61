"""The buildspec JSON Schema and how BSP003 reports it; plus the buildspec
behaviours fixtures cannot express (severities, embedded documents)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from lintkit.api import Context
from lintkit.aws import schema as schema_errors
from lintkit.documents import load
from lintkit.engine import run_embedded
from tests.helpers import CORPUS_SAMPLES, FIXTURES, registry, run_paths, shared_corpus

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "rules" / "schemas" / "buildspec.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _data(text: str):
    return load(text, "buildspec.yml").root.to_py()


def _findings(tmp_path: Path, text: str, name: str = "buildspec.yml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = run_paths([tmp_path], root=tmp_path)
    assert not [n for n in result.notifications if n.kind == "crash"]
    return result.findings


def test_full_example_is_valid(validator) -> None:
    data = _data((FIXTURES / "buildspec" / "buildspec_schema_full_ok.yml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(data)) == []


@pytest.mark.parametrize("value", ["ABORT", "CONTINUE", "RETRY", "RETRY-3", "RETRY-timeout", "RETRY-2-timed out.*"])
def test_on_failure_forms(validator, value: str) -> None:
    data = {"version": 0.2, "phases": {"build": {"on-failure": value, "commands": ["make"]}}}
    assert list(validator.iter_errors(data)) == []


@pytest.mark.parametrize("value", ["IGNORE", "abort", "RETRY3", ""])
def test_on_failure_rejects(validator, value: str) -> None:
    data = {"version": 0.2, "phases": {"build": {"on-failure": value, "commands": ["make"]}}}
    assert [e.validator for e in validator.iter_errors(data)] == ["pattern"]


def test_schema_accepts_what_codebuild_accepts(validator) -> None:
    data = _data(
        "version: 0.2\n"
        "env:\n  variables:\n    CI: true\n    PORT: 8080\n    RATIO: 0.5\n  git-credential-helper: yes\n"
        "phases:\n  build:\n    commands: [make]\n"
        "artifacts:\n  files: imagedefinitions.json\n  discard-paths: yes\n"
        "eb_codebuild_settings:\n  ComputeType: BUILD_GENERAL1_SMALL\n"
        "batch:\n  build-matrix:\n    dynamic:\n      env:\n        image: [a, b]\n        variables:\n          V: [1, 2]\n"
    )
    assert list(validator.iter_errors(data)) == []


def test_schema_rejects_runtime_versions_outside_install(validator) -> None:
    data = {"version": 0.2, "phases": {"build": {"runtime-versions": {"python": 3.12}, "commands": ["make"]}}}
    assert [e.validator for e in validator.iter_errors(data)] == ["additionalProperties"]


def test_one_typo_one_finding_at_the_key(tmp_path: Path) -> None:
    findings = _findings(tmp_path, "version: 0.2\nphases:\n  install:\n    commands: [npm ci]\n  prebuild:\n    commands:\n      - npm test\n")
    assert [(f.code, f.line, f.column, f.location.end_column, f.message) for f in findings] == [
        ("BSP003", 5, 3, 11, "unknown phase 'prebuild'; did you mean 'pre_build'?")
    ]


def test_type_error_points_at_the_value_or_the_key_of_an_empty_value(tmp_path: Path) -> None:
    text = "version: 0.2\nphases:\n  build:\n    commands: [make]\ncache:\n  paths:\n  key: 7\n"
    root = load(text).root
    problems = schema_errors.problems("buildspec", root, root.to_py(), "the buildspec")
    assert [(p.kind, p.node.line, p.node.column, p.message) for p in problems] == [
        ("type", 7, 8, "'cache.key' must be a string, not the number 7"),
        ("empty", 6, 3, "'cache.paths' must be a list, not empty"),
    ]
    # CodeBuild ignores an empty value: BSP003 reports only the wrong type.
    assert [(f.line, f.column) for f in _findings(tmp_path, text) if f.code == "BSP003"] == [(7, 8)]


def test_errors_owned_by_specific_rules_are_not_repeated(tmp_path: Path) -> None:
    text = (
        "version: 0.2\n"
        "phases:\n"
        "  build:\n"
        "    runtime-versions:\n      python: 3.12\n"
        "    commands: make\n"
        "reports:\n  r:\n    files: [a.xml]\n    file-format: SARIF\n"
        "env:\n  secrets-manager:\n    T: ''\n"
    )
    codes = sorted((f.code, f.line) for f in _findings(tmp_path, text))
    assert codes == [("BSP004", 4), ("BSP006", 13), ("BSP014", 10), ("BSP015", 6)]


def test_plaintext_secret_policy(tmp_path: Path) -> None:
    text = (
        "version: 0.2\nenv:\n  variables:\n"
        "    FACEBOOK_APP_SECRET: 'fbAppSecret'\n"
        "    DB_PASSWORD: 'k9#Vq2!mZx7Lp4'\n"
        "    OTHER_PASSWORD: '${FROM_PIPELINE}'\n"
        "    # mock values for the integration tests\n"
        "    TEST_API_KEY: 'Zq81hd7Tq0mPw2vXk4Lr'\n"
        "phases:\n  build:\n    commands: [make]\n"
    )
    # A value that names itself a secret and values under a "mock values" comment are test data.
    found = [(f.line, f.severity.value) for f in _findings(tmp_path, text) if f.code == "BSP005"]
    assert found == [(5, "high")]
    messages = " ".join(f.message for f in _findings(tmp_path, text))
    assert "k9#Vq2!mZx7Lp4" not in messages and "(****)" in messages


def test_version_warnings_are_medium(tmp_path: Path) -> None:
    findings = _findings(tmp_path, "version: 0.1\nphases:\n  build:\n    commands: [cd app, make]\n")
    assert [(f.code, f.severity.value, f.line, f.column) for f in findings] == [("BSP002", "medium", 1, 10)]
    assert _findings(tmp_path, "version: 0.1\nphases:\n  build:\n    commands: [make]\n") == []


def test_checks_run_on_an_embedded_buildspec() -> None:
    """An inline `BuildSpec` is linted through a child context and mapped back."""
    inner = "version: 0.2\nphases:\n  build:\n    commands:\n      - npm test || true\n      - docker login \u2013u ci\n"
    outer_text = "Resources:\n" + "\n" * 20
    reg = registry()
    parent = Context(path="template.yaml", kind="cloudformation", text=outer_text, registry=reg, enabled=frozenset(reg.rules),
                     embed=lambda child, label: run_embedded(child, label, reg))
    parent.run_embedded("buildspec", inner, lambda line, col: (line + 10, col + 8), "inline BuildSpec")
    assert sorted((f.code, f.line, f.column) for f in parent.findings) == [("BSP022", 15, 17), ("GEN004", 16, 30)]
    assert not parent.notifications


def _clear_schema_messages(corpus: Path) -> set[tuple[str, int, str]]:
    result = run_paths([corpus], root=corpus)
    assert [n for n in result.notifications if n.kind == "crash"] == []
    schema = {(f.path, f.line, f.message) for f in result.findings if f.code == "BSP003"}
    # one finding per offending node, never the generic jsonschema text
    assert len({(p, line) for p, line, _ in schema}) == len(schema)
    assert not [m for _, _, m in schema if "is not valid under any of the given schemas" in m]
    return schema


def test_corpus_samples_give_clear_schema_messages() -> None:
    assert _clear_schema_messages(CORPUS_SAMPLES / "buildspec") == {
        ("ngtrhieu__api-express-lambda-boiterplate__buildspec.yml", 6, "unknown env key 'variable'; did you mean 'variables'?")
    }


@pytest.mark.corpus
def test_corpus_buildspecs_give_clear_schema_messages() -> None:
    schema = _clear_schema_messages(shared_corpus("buildspec"))
    assert ("ngtrhieu__api-express-lambda-boiterplate__buildspec.yml", 6, "unknown env key 'variable'; did you mean 'variables'?") in schema
