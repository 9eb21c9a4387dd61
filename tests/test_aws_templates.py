"""Template and pipeline rules: embedded-document position maps, severities,
rule options, Metadata suppressions, and classification of unrelated files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from lintkit.aws.cfn import is_prod_like, words
from lintkit.aws.embedded import extract
from lintkit.config import Config
from lintkit.documents import Mapping, load
from lintkit.files import classify_document
from tests.helpers import FIXTURES, registry, run_paths


def _spec_node(text: str):
    doc = load(text, "template.yaml")
    root = doc.root
    assert isinstance(root, Mapping)
    return root.get("BuildSpec"), doc.text.splitlines()


def test_literal_block_maps_exactly() -> None:
    node, lines = _spec_node("BuildSpec: |\n  version: 0.2\n  phases:\n    build:\n      commands:\n        - make\n")
    emb = extract(node)
    assert emb is not None
    assert emb.text.startswith("version: 0.2\nphases:")
    # embedded (5, 9) is "make" -> template line 6, column 11
    assert emb.map(5, 9) == (6, 11)
    assert lines[5][10:14] == "make"


def test_sub_placeholders_keep_columns_and_unescape_literals() -> None:
    text = "BuildSpec: !Sub |\n  a: ${AWS::Region} ${!Lit} z\n"
    node, lines = _spec_node(text)
    emb = extract(node)
    assert emb is not None and emb.substituted
    assert emb.text == "a: ${AWS__Region} ${Lit} z\n"
    z_embedded = emb.text.index("z") + 1
    line, col = emb.map(1, z_embedded)
    assert (line, lines[line - 1][col - 1]) == (2, "z")


def test_escaped_json_string_maps_each_character() -> None:
    text = '{"BuildSpec": "version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - \\"make\\"\\n"}\n'
    doc = load(text, "t.json")
    node = doc.root.get("BuildSpec")
    emb = extract(node)
    assert emb is not None
    line, col = emb.map(5, 10)  # the m of make (after the escaped quote)
    assert line == 1 and text[col - 1 : col + 3] == "make"


def test_folded_json_buildspec_maps_in_range() -> None:
    text = 'BuildSpec: >-\n  {\n    "version": "0.2",\n    "phases": {"build": {"commands": ["make"]}}\n  }\nOther: 1\n'
    node, lines = _spec_node(text)
    emb = extract(node)
    assert emb is not None
    for line in range(1, 4):
        for col in range(1, 80):
            out_line, out_col = emb.map(line, col)
            assert node.line <= out_line <= node.end_line
            assert 1 <= out_col <= len(lines[out_line - 1]) + 1
    # folding keeps the more-indented lines, so "make" is found exactly
    make_line = next(i for i, text in enumerate(emb.text.split("\n"), 1) if "make" in text)
    line, col = emb.map(make_line, emb.text.split("\n")[make_line - 1].index("make") + 1)
    assert lines[line - 1][col - 1 : col + 3] == "make"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab ${}!:-\"\\", min_size=0, max_size=12), min_size=1, max_size=5))
def test_position_map_never_leaves_the_value(body_lines: list[str]) -> None:
    payload = "\\n".join(s.replace("\\", "\\\\").replace('"', '\\"') for s in body_lines)
    text = '{"A": 1,\n "BuildSpec": {"Fn::Sub": "' + payload + '"}}\n'
    doc = load(text, "t.json")
    emb = extract(doc.root.get("BuildSpec"))
    assert emb is not None
    lines = doc.text.splitlines()
    for line in range(0, len(body_lines) + 2):
        for col in range(0, 20):
            out_line, out_col = emb.map(line, col)
            assert out_line == 2
            assert 1 <= out_col <= len(lines[1]) + 1


@pytest.mark.parametrize("code", ["PIP008", "CDG003", "SAM002"])
def test_prod_words(code: str) -> None:
    """The rules' `prod-pattern` default (the one place it is written)."""
    (pattern,) = [o.default for o in registry().rules[code].options if o.key == "prod-pattern"]
    assert words("DeployToProdStage") == "deploy to prod stage"
    assert is_prod_like("Beanstalkgostack-prod", pattern)
    assert is_prod_like("Production", pattern)
    assert not is_prod_like("NonProd", pattern)
    assert not is_prod_like("pre-prod", pattern)
    assert not is_prod_like("Delivery", pattern)
    assert not is_prod_like("productivity-app", pattern)


def _codes(tmp_path: Path, name: str, text: str, config: Config | None = None):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return run_paths([tmp_path], root=tmp_path, config=config)


def test_cross_account_action_is_pip014_an_error() -> None:
    result = run_paths([FIXTURES / "pipeline"], root=FIXTURES / "pipeline")
    sev = {(f.path, f.code): f.severity.value for f in result.findings if f.code in ("PIP005", "PIP014")}
    assert sev == {("create_pipeline_input.json", "PIP014"): "error", ("get_pipeline_output.json", "PIP005"): "low"}


def test_privileged_docker_builder_is_clean() -> None:
    result = run_paths([FIXTURES / "cloudformation" / "codebuild_good.yaml"], root=FIXTURES / "cloudformation")
    assert result.findings == []


STAGING_PIPELINE = """Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !GetAtt Role.Arn
      ArtifactStore: {Type: S3, Location: !Ref Bucket, EncryptionKey: {Id: !Ref Key, Type: KMS}}
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {Category: Source, Owner: AWS, Provider: S3, Version: "1"}
              Configuration: {S3Bucket: !Ref Src, S3ObjectKey: app.zip, PollForSourceChanges: false}
              OutputArtifacts: [{Name: Src}]
        - Name: DeployStaging
          Actions:
            - Name: Deploy
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: S3, Version: "1"}
              Configuration: {BucketName: site-staging, Extract: true}
              InputArtifacts: [{Name: Src}]
"""


def test_prod_pattern_is_a_rule_option(tmp_path: Path) -> None:
    assert not [f for f in _codes(tmp_path, "template.yaml", STAGING_PIPELINE).findings if f.code == "PIP008"]
    config = Config(root=str(tmp_path), respect_gitignore=False, rules=(("PIP008", (("prod-pattern", r"\bstaging\b"),)),))
    found = [(f.code, f.line) for f in _codes(tmp_path, "template.yaml", STAGING_PIPELINE, config).findings]
    assert found == [("PIP008", 14)]


def test_metadata_ignore_in_yaml_template(tmp_path: Path) -> None:
    text = """Metadata:
  lintkit:
    ignore: [CDG007, NOPE999]
Resources:
  Group:
    Type: AWS::CodeDeploy::DeploymentGroup
    Metadata:
      lintkit:
        ignore: CDG002
    Properties:
      ApplicationName: !Ref App
      ServiceRoleArn: !GetAtt Role.Arn
      AutoRollbackConfiguration: {Enabled: true, Events: [DEPLOYMENT_FAILURE]}
  Other:
    Type: AWS::CodeDeploy::DeploymentGroup
    Properties:
      ApplicationName: !Ref App
      ServiceRoleArn: !GetAtt Role.Arn
      DeploymentConfigName: CodeDeployDefault.OneAtATime
      AutoRollbackConfiguration: {Enabled: true, Events: [DEPLOYMENT_FAILURE]}
"""
    result = _codes(tmp_path, "template.yaml", text)
    assert sorted((f.code, f.line) for f in result.findings) == [("CDG002", 15), ("LNT001", 3)]
    assert "NOPE999" in [f for f in result.findings if f.code == "LNT001"][0].message
    assert sorted((f.code, f.line) for f in result.suppressed) == [("CDG002", 6), ("CDG007", 6)]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deploy.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  Resources: none\n"),
        ("package.json", '{"name": "x", "scripts": {"stages": "echo"}, "pipeline": "none"}'),
        (".pre-commit-config.yaml", "repos:\n  - repo: https://github.com/aws-cloudformation/cfn-lint\n    rev: v1\n    hooks: [{id: cfn-lint}]\n"),
        ("ci.yml", "on: push\njobs:\n  stages:\n    runs-on: ubuntu-latest\n    steps: [{run: echo AWS::Region}]\n"),
        ("serverless.yml", "service: app\nprovider: {name: aws}\nresources:\n  Resources:\n    Bucket: {Type: AWS::S3::Bucket}\n"),
    ],
)
def test_unrelated_yaml_and_json_are_not_ours(name: str, text: str) -> None:
    assert classify_document(name, load(text, name)) is None


# --- robustness: any shape under the properties these rules read ----------------------

_KEYS = [
    "Stages", "Actions", "ActionTypeId", "Category", "Owner", "Provider", "Version", "Configuration", "InputArtifacts",
    "OutputArtifacts", "Name", "RunOrder", "RoleArn", "ArtifactStore", "ArtifactStores", "EncryptionKey", "Id",
    "ProjectName", "TemplatePath", "OAuthToken", "PollForSourceChanges", "Source", "BuildSpec", "Artifacts", "Type",
    "Environment", "PrivilegedMode", "EnvironmentVariables", "Value", "Triggers", "Webhook", "FilterGroups", "Pattern",
    "LogsConfig", "ServiceRole", "DeploymentStyle", "DeploymentType", "ECSServices", "AlarmConfiguration", "Alarms",
    "AutoRollbackConfiguration", "Enabled", "Events", "MinimumHealthyHosts", "DeploymentPreference", "Hooks",
    "PermissionsPolicyDocument", "Statement", "Effect", "Principal", "Action", "Condition", "ExternalConnections",
    "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Fn::Join", "Location", "ApplicationName", "DeploymentGroupName",
]
_SCALARS = st.one_of(
    st.sampled_from(["Source", "Build", "Deploy", "Approval", "AWS", "ThirdParty", "GitHub", "CodeBuild", "CodeDeploy",
                     "CodeDeployToECS", "S3", "*", "true", "false", "BLUE_GREEN", "HOST_COUNT", "FLEET_PERCENT", "Canary10Percent5Minutes",
                     "AllAtOnce", "PULL_REQUEST_CREATED", "EVENT", "ACTOR_ACCOUNT_ID", "Proj", "Role", "A::b.yaml", "version: 0.2\nphases: {"]),
    st.integers(-2, 200), st.booleans(), st.none(),
)
_TREES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.sampled_from(_KEYS), children, max_size=5)),
    max_leaves=40,
)
_TYPES = [
    "AWS::CodePipeline::Pipeline", "AWS::CodePipeline::Webhook", "AWS::CodeBuild::Project", "AWS::CodeDeploy::DeploymentGroup",
    "AWS::CodeDeploy::DeploymentConfig", "AWS::Serverless::Function", "AWS::CodeArtifact::Domain",
    "AWS::CodeArtifact::Repository", "AWS::IAM::Role",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_TYPES), _TREES), min_size=1, max_size=4), _TREES)
def test_template_rules_never_crash(resources, globals_) -> None:
    import json

    from lintkit.api import Context
    from lintkit.engine import run_checks
    from tests.helpers import registry

    template = {
        "Globals": {"Function": globals_},
        "Resources": {f"R{i}": {"Type": rtype, "Properties": props} for i, (rtype, props) in enumerate(resources)},
    }
    template["Resources"]["Proj"] = {"Type": "AWS::CodeBuild::Project", "Properties": resources[0][1]}
    template["Resources"]["Role"] = {"Type": "AWS::IAM::Role", "Properties": resources[-1][1]}
    for name, is_json in (("template.json", True), ("pipeline.json", True)):
        text = json.dumps(template if name == "template.json" else {"pipeline": {"stages": resources[0][1]}}, indent=1)
        doc = load(text, name, is_json=is_json)
        kind = "cloudformation" if name == "template.json" else "pipeline"
        # This file's rule families (other families have their own robustness tests).
        mine = frozenset(c for c in registry().rules if c[:3] in ("PIP", "CBP", "CDG", "SAM", "CAR") or c in ("GEN001", "GEN002"))
        ctx = Context(path=name, kind=kind, text=text, registry=registry(), enabled=mine)
        run_checks(ctx, doc, kind, registry())
        assert not [n for n in ctx.notifications if n.kind == "crash"], ctx.notifications


def test_all_at_once_is_medium_in_production_and_low_elsewhere() -> None:
    result = run_paths([FIXTURES / "cloudformation" / "sam_rules.yaml"], root=FIXTURES / "cloudformation")
    severities = {f.message.split("'")[1]: f.severity.value for f in result.findings if f.code == "SAM002"}
    assert severities == {"ProdOrders": "medium", "StagingOrders": "low"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"Type": "AWS::CodeBuild::Project", "Properties": {"Artifacts": {"Type": "NO_ARTIFACTS"}}}', "cloudformation"),
        ('{"Build": {"Type": "AWS::CodeBuild::Project", "Properties": {}}, "Key": {"Type": "AWS::KMS::Key"}}', "cloudformation"),
        ('{"Type": "AWS::CodeBuild::Project"}', None),  # a Type alone: a reference, not a resource
        ('{"Build": {"Type": "AWS::CodeBuild::Project"}, "name": "x"}', None),  # not every value a resource
    ],
)
def test_template_fragments_are_classified(text: str, kind: str | None) -> None:
    assert classify_document("parts/fragment.json", load(text, "parts/fragment.json")) == kind
