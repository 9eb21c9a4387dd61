"""Nothing that leaves lintkit carries a secret (issue 13, row 2).

One secret of every kind lintkit knows is planted in files where non-secret rules fire
on the same lines (pipe-to-shell, TLS off, duplicate keys, a missing hook script, a
connection without a timeout, a parse error). Every report format, the pre-commit hook's
output and the baseline are rendered, and none may hold a planted secret, nor the secret
part of one (the text after the vendor's prefix)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lintkit.config import Config
from lintkit.report import ReportOptions, render
from lintkit.report.masking import masked
from tests.helpers import REPO, run_paths

# Assembled at run time so no scanner mistakes this file for a leak.
AWS_ID = "AKIA" + "QYLPMN5HHHFPZAM2"
AWS_SECRET = "Zr8v" + "Qm2LpX7sT9kWn4Yb/Hc6Ud1Ef3Gh5Jk8Mn0P"
GITHUB = "ghp_" + "q3Tz8LmW1vKx7RbN2cYp9HdF4sGj6Ae0Uo5i"
GITLAB = "glpat-" + "Qw7Er9Ty2Ui4Op6As8Df"
NPM = "npm_" + "K8vQ2nR5tW9yB3mF6hJ1pL4sX7cZ0dG2aE5u"
PYPI = "pypi-" + "AgEIcHlwaS5vcmcCJGI4YmNhMDA5LTg1ZTEtNDcxNS1hYzE5LTQz"
PEM_BODY = "MIIEpAIBAAKCAQEA" + "q7Zr2Lm9Xw4Pt6Vb8Nc1Ad3Fg5Hj0Kk2Ll4Ss6Dd8Ff0Gg"
URL_PASSWORD = "Hb4V" + "c3Xz9Lm7Kp6Jn5Qw"
HOOK_PASSWORD = "Tq8L" + "mZ3wXv5Rk2Np"
NAMED = "f3Kq" + "9ZxW1mPq7Lr2vB8n"  # GITHUB_PAT in a CodeBuild project: found by structure
PY_PASSWORD = "Sup3r" + "-Secret-99"

# (planted secret, its non-secret prefix)
PLANTED = [
    (AWS_ID, "AKIA"), (AWS_SECRET, ""), (GITHUB, "ghp_"), (GITLAB, "glpat-"), (NPM, "npm_"), (PYPI, "pypi-"),
    (PEM_BODY, ""), (URL_PASSWORD, ""), (HOOK_PASSWORD, ""), (NAMED, ""), (PY_PASSWORD, ""),
]

FILES = {
    "buildspec.yml": f"""version: 0.2
env:
  variables:
    DEPLOY_KEY: none-yet
    DEPLOY_KEY: {AWS_ID}
phases:
  install:
    commands:
      - curl -fsSL "http://get.example.com/install.sh?token={GITHUB}" | sh
      - git -c http.sslVerify=false clone https://oauth2:{GITLAB}@gitlab.example.com/acme/tools.git
      - curl -k https://deploy:{URL_PASSWORD}@files.example.com/tool.tgz -o tool.tgz
      - echo "//registry.npmjs.org/:_authToken={NPM}" > ~/.npmrc && curl -k https://registry.example.com/ping
      - curl -k -u {AWS_ID}:{AWS_SECRET} https://s3.example.com/bucket/key -o key
  build:
    commands:
      - aws configure set aws_secret_access_key {AWS_SECRET}
      - wget -qO- http://example.com/publish.sh | bash -s -- --pypi-token {PYPI}
      - |
        cat > key.pem <<'KEY'
        -----BEGIN RSA PRIVATE KEY-----
        {PEM_BODY}
        -----END RSA PRIVATE KEY-----
        KEY
        curl -sL http://example.com/install.sh | sh
""",
    "appspec.yml": f"""version: 0.0
os: linux
hooks:
  BeforeInstall:
    - location: scripts/install.sh
      timeout: 60
  ValidateService:
    - location: scripts/check.sh --password {HOOK_PASSWORD}
      timeout: 60
""",
    "scripts/install.sh": "#!/bin/sh\necho ok\n",
    "template.yaml": f"""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      ServiceRole: !GetAtt Role.Arn
      Artifacts: {{Type: NO_ARTIFACTS}}
      Source: {{Type: NO_SOURCE, BuildSpec: "version: 0.2"}}
      Environment:
        Type: LINUX_CONTAINER
        ComputeType: BUILD_GENERAL1_SMALL
        Image: aws/codebuild/standard:7.0
        EnvironmentVariables:
          - {{Name: GITHUB_PAT, Value: "{NAMED}", Type: PLAINTEXT}}
          - {{Name: GITHUB_PAT, Value: "unset", Value: "{NAMED}"}}
""",
    "app.py": f"""import socket

PASSWORD = "{PY_PASSWORD}"


def fetch(host):
    sock = socket.create_connection((host, 443)); sock.sendall(b"token={GITHUB}")
    return sock
""",
    "broken.py": f'TOKEN = "{GITHUB}" )\n',
    f"keys/{GITLAB}.py": "x = (\n",  # a path is repository text too
}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("planted")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def result(planted: Path):
    return run_paths([planted], planted, Config(root=str(planted), respect_gitignore=False, select=("ALL",)))


def _leaks(text: str) -> list[str]:
    return [secret for secret, prefix in PLANTED if secret[len(prefix):] in text]


def test_the_planted_files_trigger_non_secret_rules_on_secret_lines(result) -> None:
    lines = {(f.path, f.code, f.line) for f in result.findings}
    for expected in [("buildspec.yml", "GEN002", 5), ("buildspec.yml", "BSP010", 9), ("buildspec.yml", "BSP011", 10),
                     ("buildspec.yml", "BSP011", 11), ("buildspec.yml", "BSP011", 13), ("buildspec.yml", "BSP010", 17), ("appspec.yml", "APS008", 8),
                     ("app.py", "PRL004", 7), ("broken.py", "GEN001", 1), (f"keys/{GITLAB}.py", "GEN001", 1), ("template.yaml", "CBP004", 14),
                     ("template.yaml", "GEN002", 15)]:
        assert expected in lines, expected
    # The raw run does hold every one of them: the tests below are not vacuous.
    assert _leaks("".join(fr.text for fr in result.files) + json.dumps([f.message for f in result.findings])) == [s for s, _ in PLANTED]
    assert HOOK_PASSWORD in json.dumps([f.message for f in result.findings])  # APS008 quotes the hook location


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_no_report_format_holds_a_planted_secret(result, fmt: str) -> None:
    for options in (ReportOptions(), ReportOptions(show_suppressed=True), ReportOptions(color=True)):
        out = render(fmt, result, options)
        assert _leaks(out) == [], fmt
    if fmt == "text":
        # Excerpts stay readable: prefixes and the lines around the secrets are there.
        out = render("text", result, ReportOptions())
        assert '?token=ghp_' + "*" * (len(GITHUB) - 4) + '" | sh' in out
        assert "- location: scripts/check.sh --password " + "*" * len(HOOK_PASSWORD) in out
        assert "    DEPLOY_KEY: AKIA" + "*" * 16 in out


def test_masked_run_keeps_every_position(result) -> None:
    clean = masked(result)
    for before, after in zip(result.files, clean.files):
        assert len(before.text) == len(after.text) and before.text.count("\n") == after.text.count("\n")
    spans = [(f.line, f.column, f.location.end_line, f.location.end_column) for f in result.findings]
    assert spans == [(f.line, f.column, f.location.end_line, f.location.end_column) for f in clean.findings]


def _lintkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lintkit", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_hook_output_and_baseline_hold_no_planted_secret(planted: Path, tmp_path: Path) -> None:
    hook = _lintkit("check", "--hook", "--no-cache", "--isolated", "-j", "1", "--select", "ALL", *FILES, cwd=planted)
    assert hook.returncode == 1, hook.stderr
    assert "BSP010" in hook.stdout and _leaks(hook.stdout + hook.stderr) == []
    baseline = tmp_path / "baseline.json"
    run = _lintkit("check", "--no-cache", "--isolated", "-j", "1", "--select", "ALL", "--write-baseline", str(baseline), ".", cwd=planted)
    assert run.returncode == 0, run.stderr
    assert _leaks(baseline.read_text() + run.stdout + run.stderr) == []
    # Masked paths still name their findings: the baseline hides every one of them.
    again = _lintkit("check", "--no-cache", "--isolated", "-j", "1", "--select", "ALL", "--baseline", str(baseline), ".", cwd=planted)
    assert again.returncode == 0 and again.stdout.startswith("0 findings"), again.stdout


def test_reports_written_by_the_cli_hold_no_planted_secret(planted: Path, tmp_path: Path) -> None:
    out = {fmt: tmp_path / f"report.{fmt}" for fmt in ("sarif", "junit", "json")}
    run = _lintkit("check", "--no-cache", "--isolated", "-j", "1", "--select", "ALL", "--sarif", str(out["sarif"]), "--junit", str(out["junit"]),
                   "--json", str(out["json"]), "--format", "github", ".", cwd=planted)
    assert run.returncode == 1, run.stderr
    assert _leaks(run.stdout + run.stderr + "".join(p.read_text() for p in out.values())) == []


def test_repo_checkout_is_where_the_cli_runs() -> None:
    assert (REPO / "lintkit" / "__main__.py").exists()
