"""One secrets policy for every file kind (issues 14 and 15): the same name and value is
judged the same way in a buildspec (BSP005), a CodeBuild project (CBP004), a Lambda
function's environment in a template (CRD003) and Python (PSC006), and shown redacted
the same way."""

from __future__ import annotations

import pytest

from lintkit.config import Config
from tests.helpers import run_paths

# (name, value, reported?, how the message shows it)
CASES = [
    ("GITHUB_PAT", "f3Kq" + "9ZxW1mPq7Lr2vB8n", True, "****"),
    ("RELEASE_NPM", "npm_" + "K8vQ2nR5tW9yB3mF6hJ1pL4sX7cZ0dG2aE5u", True, "npm_****"),
    ("NPM_TOKEN", "npm_" + "K8vQ2nR5tW9yB3mF6hJ1pL4sX7cZ0dG2aE5u", True, "npm_****"),
    ("DEPLOY_KEY", "AKIA" + "QYLPMN5HHHFPZAM2", True, "AKIA****"),
    ("AWS_SECRET_ACCESS_KEY", "Zr8v" + "Qm2LpX7sT9kWn4Yb/Hc6Ud1Ef3Gh5Jk8Mn0P", True, "****"),
    ("DB_PASSWORD", "Tr0ub4dor&3-horse", True, "****"),
    ("SLACK_BOT", "xoxb-" + "2741956234-9Zq8Lm7Kp6Jn5Hb4Vc3X", True, "xoxb-****"),
    ("TOKEN_CHARS", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/", False, ""),
    ("TOKEN_TYPE", "bearer", False, ""),
    ("MOCK_API_KEY", "Zq81hd7Tq0mPw2vXk4Lr", False, ""),
    ("FAKE_GITHUB_TOKEN", "ghp_" + "q3Tz8LmW1vKx7RbN2cYp9HdF4sGj6Ae0Uo5i", False, ""),
    ("FACEBOOK_APP_SECRET", "fbAppSecret", False, ""),
    ("DEPLOY_TOKEN", "ghp_" + "x" * 36, False, ""),
    ("ACCESS_KEY", "AKIAIOSFODNN7EXAMPLE", False, ""),
    ("API_KEY", "${API_KEY}", False, ""),
    ("ADMIN_PASSWORD", "changeme", False, ""),
    ("DB_PASSWORD_PARAM", "/prod/db/password", False, ""),
]

FILES = {
    "buildspec.yml": ("version: 0.2\nenv:\n  variables:\n{rows}phases:\n  build:\n    commands: [make]\n", '    {name}: "{value}"\n'),
    "template.yaml": (
        (
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Build:\n    Type: AWS::CodeBuild::Project\n    Properties:\n"
            "      ServiceRole: !GetAtt Role.Arn\n      EncryptionKey: !GetAtt Key.Arn\n      Artifacts: {{Type: CODEPIPELINE}}\n"
            "      Source: {{Type: CODEPIPELINE}}\n      Environment:\n        Type: LINUX_CONTAINER\n"
            "        ComputeType: BUILD_GENERAL1_SMALL\n        Image: aws/codebuild/standard:7.0\n        EnvironmentVariables:\n{rows}"
        ),
        '          - Name: {name}\n            Value: "{value}"\n',
    ),
    "lambda.yaml": (
        (
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n"
            "      Runtime: python3.12\n      Handler: app.handler\n      Role: !GetAtt Role.Arn\n"
            "      Code: {{S3Bucket: b, S3Key: k}}\n      Environment:\n        Variables:\n{rows}"
        ),
        '          {name}: "{value}"\n',
    ),
    "settings.py": ("{rows}", '{name} = "{value}"\n'),
}
CODES = {"buildspec.yml": "BSP005", "template.yaml": "CBP004", "lambda.yaml": "CRD003", "settings.py": "PSC006"}


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[str]]:
    root = tmp_path_factory.mktemp("policy")
    name_at: dict[tuple[str, int], str] = {}  # (file, line) -> the case written there
    for filename, (frame, row) in FILES.items():
        line = frame.split("{rows}")[0].count("\n") + 1
        for name, value, _, _ in CASES:
            text = row.format(name=name, value=value)
            for offset in range(text.count("\n")):
                name_at[(filename, line + offset)] = name
            line += text.count("\n")
        rows = "".join(row.format(name=name, value=value) for name, value, _, _ in CASES)
        (root / filename).write_text(frame.format(rows=rows), encoding="utf-8")
    config = Config(root=str(root), respect_gitignore=False, select=tuple(sorted(set(CODES.values()) | {"CRD"})))
    found: dict[tuple[str, str], list[str]] = {}
    for f in run_paths([root], root, config).findings:
        found.setdefault((f.path, name_at[(f.path, f.line)]), []).append(f"{f.code} {f.message}")
    return found


@pytest.mark.parametrize(("name", "value", "reported", "shown"), CASES, ids=[c[0] + ("" if c[2] else "-not") for c in CASES])
def test_every_file_kind_judges_alike(findings, name: str, value: str, reported: bool, shown: str) -> None:
    for filename, code in CODES.items():
        messages = findings.get((filename, name), [])
        # CRD001-CRD003 are one check; the token's category picks the code.
        assert [m.split()[0][:3] if code == "CRD003" else m.split()[0] for m in messages] == ([code[:3] if code == "CRD003" else code] if reported else []), (filename, messages)
        for message in messages:
            assert f"{shown})" in message or f": {shown}" in message, message
            assert value[len(shown) - 4 :] not in message
