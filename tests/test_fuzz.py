"""Property tests (hypothesis, bounded budget): whatever the input, the loader
either loads or raises ParseError, no check crashes, and every span lies
inside the file. `bench/fuzz.py` runs the same properties with a large budget."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lintkit.config import Config
from lintkit.documents import Mapping, ParseError, Sequence, load, walk
from tests.helpers import run_paths

# CI runs a fixed, derandomized budget; bench/fuzz.py raises it and lets
# hypothesis pick fresh examples.
BUDGET = int(os.environ.get("LINTKIT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=BUDGET,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize="LINTKIT_FUZZ_EXAMPLES" not in os.environ,
)

# Vocabulary of the file kinds, so generated documents reach deep into the rules.
KEYS = [
    "version", "phases", "install", "pre_build", "build", "post_build", "commands", "finally", "runtime-versions",
    "env", "variables", "parameter-store", "secrets-manager", "exported-variables", "artifacts", "files",
    "base-directory", "cache", "paths", "reports", "file-format", "batch", "build-list", "on-failure", "run-as",
    "os", "hooks", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService", "location", "timeout",
    "runas", "source", "destination", "permissions", "mode", "file_exists_behavior", "Resources", "Hooks",
    "TargetService", "Type", "Properties", "Name", "Alias", "CurrentVersion", "TargetVersion", "LoadBalancerInfo",
    "ContainerName", "ContainerPort", "AWSTemplateFormatVersion", "Transform", "Parameters", "Default", "NoEcho",
    "Source", "BuildSpec", "Environment", "EnvironmentVariables", "PrivilegedMode", "Image", "Artifacts",
    "EncryptionDisabled", "Stages", "Actions", "ActionTypeId", "Category", "Owner", "Provider", "Configuration",
    "InputArtifacts", "OutputArtifacts", "ArtifactStore", "EncryptionKey", "DeploymentPreference",
    "AutoPublishAlias", "Alarms", "AutoRollbackConfiguration", "Enabled", "DeploymentStyle", "Triggers",
    "FilterGroups", "pipeline", "stages", "actions", "actionTypeId", "inputArtifacts", "outputArtifacts",
    "configuration", "OAuthToken", "PermissionsPolicyDocument", "Statement", "Effect", "Principal", "Action",
]
RESOURCE_TYPES = [
    "AWS::CodeBuild::Project", "AWS::CodePipeline::Pipeline", "AWS::CodeDeploy::DeploymentGroup",
    "AWS::CodeDeploy::DeploymentConfig", "AWS::Serverless::Function", "AWS::CodeArtifact::Domain",
    "AWS::CodeArtifact::Repository", "AWS::IAM::Role", "AWS::CodePipeline::Webhook",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 100_000),
    st.sampled_from([0.0, 0.1, 0.2, 1.5]),
    st.sampled_from(
        [
            "make", "curl -k https://x | sh", "echo $PASSWORD", "docker login -u a -p hunter2 x", "|| true",
            "AKIAIOSFODNN7EXAMPLE", "ghp_" + "a" * 36, "${Token}", "{{resolve:secretsmanager:x}}", "latest",
            "scripts/start.sh", "root", "linux", "777", "CodeDeployDefault.AllAtOnce", "prod", "Canary10Percent5Minutes",
            "BLUE_GREEN", "JUNITXML", "**/*", "–u", "\u201cquoted\u201d", "*", "codeartifact:*", "",
        ]
    ),
    st.text(max_size=20),
)


def _tree(depth: int = 4):
    return st.recursive(
        SCALARS,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.sampled_from(KEYS), children, max_size=5),
            st.fixed_dictionaries({"Type": st.sampled_from(RESOURCE_TYPES), "Properties": st.dictionaries(st.sampled_from(KEYS), children, max_size=5)}),
        ),
        max_leaves=25,
    )


def _to_yaml(value, indent: int = 0) -> str:
    """A small YAML emitter mixing block and flow styles (no library bias)."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        out = []
        for k, v in value.items():
            rendered = _to_yaml(v, indent + 1)
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{k}:\n{rendered}")
            else:
                out.append(f"{pad}{k}: {rendered}")
        return "\n".join(out)
    if isinstance(value, list):
        if not value:
            return "[]"
        out = []
        for item in value:
            rendered = _to_yaml(item, indent + 1)
            if isinstance(item, (dict, list)) and item:
                out.append(f"{pad}-\n{rendered}")
            else:
                out.append(f"{pad}- {rendered}")
        return "\n".join(out)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _check_spans(text: str, nodes) -> None:
    lines = text.splitlines() or [""]
    for node in nodes:
        assert 1 <= node.line <= len(lines) + 1
        assert 1 <= node.column
        assert (node.end_line, node.end_column) > (node.line, node.column) or (node.end_line, node.end_column) == (node.line, node.column + 1)


def _run_file(name: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / name).write_text(text, encoding="utf-8")
        result = run_paths([root], root=root, config=Config(root=str(root), respect_gitignore=False))
        crashes = [n.message for n in result.notifications if n.kind == "crash"]
        assert not crashes, crashes
        lines = text.splitlines() or [""]
        for f in result.findings:
            assert 1 <= f.line <= len(lines), (f, len(lines))
            assert 1 <= f.column <= len(lines[f.line - 1]) + 1, f
            for extra in f.related + f.flow:
                assert 1 <= extra.line <= len(lines), extra


@FUZZ
@given(st.text(max_size=300))
def test_loader_never_raises_anything_but_parse_error(text: str) -> None:
    try:
        doc = load(text)
    except ParseError as err:
        assert err.line >= 1 and err.column >= 1
        return
    for root in doc.roots:
        _check_spans(text.lstrip("\ufeff"), walk(root))


@FUZZ
@given(_tree(), st.sampled_from(["buildspec.yml", "appspec.yml", "template.yaml", "pipeline.json"]))
def test_rules_never_crash_on_structured_documents(tree, name: str) -> None:
    if name == "template.yaml":
        tree = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"R": tree, "P": {"Type": "AWS::CodeBuild::Project", "Properties": tree}}}
    elif name == "buildspec.yml":
        tree = {"version": 0.2, "phases": tree}
    elif name == "appspec.yml":
        tree = {"version": 0.0, "os": "linux", "hooks": tree, "files": tree}
    else:
        tree = {"pipeline": {"name": "p", "stages": [tree, {"name": "S", "actions": [tree]}]}, "metadata": {}}
    import json

    text = json.dumps(tree, default=str) if name.endswith(".json") else _to_yaml(tree) + "\n"
    _run_file(name, text)


@FUZZ
@given(_tree(), st.integers(0, 200), st.sampled_from(["", "\t", ":", "- ", "{", "]", "'", '"', "&a ", "*a", "!Ref ", "\n  "]))
def test_rules_never_crash_on_mutated_documents(tree, position: int, insert: str) -> None:
    text = "version: 0.2\nphases:\n" + _to_yaml({"build": tree}, 1) + "\n"
    position = min(position, len(text))
    _run_file("buildspec.yml", text[:position] + insert + text[position:])


PY_STATEMENTS = st.sampled_from(
    [
        "f = open(path)",
        "f.close()",
        "data = f.read()",
        "with open(path) as g:\n    data = g.read()",
        "try:\n    data = f.read()\nfinally:\n    f.close()",
        "if data:\n    return data",
        "for line in data:\n    x = line\n    break",
        "s = socket.socket()",
        "conn = sqlite3.connect(path)",
        "cur = conn.cursor()\ncur.execute('SELECT ' + data)",
        "os.system(request.args.get('cmd'))",
        "p = subprocess.Popen(data, shell=True)",
        "raise ValueError(data)",
        "while data:\n    data = data[1:]",
        "match data:\n    case 1:\n        pass\n    case _:\n        return None",
        "yield f",
        "lock.acquire()",
        "lock.release()",
        "x = [open(p) for p in data]",
        "async with client() as c:\n    await c.send(data)",
        "h = hashlib.md5(data)",
        "requests.get(data, verify=False)",
        "pickle.loads(request.data)",
        "return f",
    ]
)


@FUZZ
@given(st.lists(PY_STATEMENTS, min_size=1, max_size=10), st.booleans())
def test_python_analyses_never_crash(statements: list[str], is_async: bool) -> None:
    body = "\n".join("    " + line for stmt in statements for line in stmt.splitlines())
    header = "async def handler(path, data):" if is_async else "def handler(path, data):"
    source = "import os, socket, sqlite3, subprocess, hashlib, pickle, requests\nfrom flask import request\n\n" + header + "\n" + body + "\n"
    _run_file("app.py", source)


def test_fuzz_vocabulary_reaches_every_document_kind() -> None:
    # The generators above are only useful if each wrapper is classified as intended.
    from lintkit.files import classify_document

    samples = {
        "buildspec.yml": "version: 0.2\nphases: {}\n",
        "appspec.yml": "version: 0.0\nos: linux\n",
        "template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
        "pipeline.json": '{"pipeline": {"name": "p", "stages": []}, "metadata": {}}',
    }
    kinds = {name: classify_document(name, load(text, name)) for name, text in samples.items()}
    assert kinds == {"buildspec.yml": "buildspec", "appspec.yml": "appspec", "template.yaml": "cloudformation", "pipeline.json": "pipeline"}
    assert isinstance(load(samples["buildspec.yml"]).root, Mapping)
    assert not isinstance(load(samples["buildspec.yml"]).root, Sequence)
