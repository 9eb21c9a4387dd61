"""lintkit.aws.secrets: the shared secret detector (names, values, references,
placeholders, redaction)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lintkit.aws.secrets import (
    SecretMatch,
    classify_secret_value,
    find_secrets,
    is_placeholder,
    is_reference,
    looks_like_secret_name,
    redact,
    shannon_entropy,
)

# Fake credentials assembled at run time so no scanner mistakes this file for a leak.
AWS_ID = "AKIA" + "J5Q3Z7ZQ2X4RTYUW"
AWS_SECRET = "Zr8v" + "Qm2LpX7sT9kWn4Yb/Hc6Ud1Ef3Gh5Jk8Mn0P"
GITHUB = "ghp_" + "Xb7Lq2Mn9Pz4Rt6Vw8Yc1Ad3Fg5Hj0Kk2Ll4Ss"
GITLAB = "glpat-" + "Qw7Er9Ty2Ui4Op6As8Df"


@pytest.mark.parametrize(
    "name",
    ["DB_PASSWORD", "GitHubToken", "api-key", "API_KEY", "PRIVATE_KEY", "CREDENTIALS", "OAuthToken",
     "SecretToken", "AWS_SECRET_ACCESS_KEY", "client_secret", "TWINE_PASSWORD", "dbPasswd", "NPM_TOKEN"],
)
def test_secret_names(name: str) -> None:
    assert looks_like_secret_name(name) is True


@pytest.mark.parametrize(
    "name",
    ["TOKEN_URL", "SECRET_ARN", "PASSWORD_PARAM_NAME", "SECRETS_MANAGER_ID", "HasGitHubToken", "PWD",
     "ServiceToken", "PasswordPolicy", "GenerateSecret", "SecretStringTemplate", "AWS_ACCESS_KEY_ID",
     "KMS_KEY_ID", "BUILD_ID", "GITHUB_TOKEN_SECRET_NAME", "PASS_THROUGH", ""],
)
def test_not_secret_names(name: str) -> None:
    assert looks_like_secret_name(name) is False


@pytest.mark.parametrize(
    ("value", "kind", "category", "secret"),
    [
        (AWS_ID, "aws-access-key-id", "aws", AWS_ID),
        (f"aws_secret_access_key = {AWS_SECRET}", "aws-secret-access-key", "aws", AWS_SECRET),
        (f"git clone https://{GITHUB}@github.com/o/r.git", "github-token", "token", GITHUB),
        (f"https://oauth2:{GITLAB}@gitlab.com/o/r.git", "gitlab-token", "token", GITLAB),
        ("https://deploy:hunter2pass@git.example.org/r.git", "url-credentials", "token", "hunter2pass"),
        ("//registry.npmjs.org/:_authToken=Zq81hd7Tq0mPw2vXk4Lr", "npm-auth-token", "registry", "Zq81hd7Tq0mPw2vXk4Lr"),
        ("pypi-" + "AgEIcHlwaS5vcmcCJGI4YmNhMDA5LTg1ZTEtNDcxNS1hYzE5LTQz", "pypi-token", "registry", None),
        ("xoxb-" + "1234567890-abcdefghijklmnop", "slack-token", "token", None),
        ("ATBB" + "kV7xQ2mN9pL4rT6wY8zA1cE3gH5jK0bD", "bitbucket-app-password", "token", None),
    ],
)
def test_known_formats(value: str, kind: str, category: str, secret: str | None) -> None:
    match = classify_secret_value(value)
    assert isinstance(match, SecretMatch)
    assert (match.kind, match.category, match.confidence) == (kind, category, "high")
    if secret is not None:
        assert match.secret(value) == secret
        assert value[match.start : match.end] == secret


def test_private_key_block() -> None:
    body = "MIIEpAIBAAKCAQEA" + "q7Zr2Lm9Xw4Pt6Vb8Nc1Ad3Fg5Hj0Kk2Ll4Ss6Dd8Ff0Gg"
    value = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"
    match = classify_secret_value(value)
    assert match is not None and match.kind == "private-key" and match.category == "private-key"
    assert redact(match.secret(value)) == "-----BEGIN RSA PRIVATE KEY-----…"


def test_codeartifact_token() -> None:
    token = "eyJ2ZXIiOjEsImlzdSI6" + "MTcwMDAwMDAwMCwiZW5jIjoiQTEyOEdDTSIsInRhZyI6Ik" * 3
    match = classify_secret_value(f"export CODEARTIFACT_AUTH_TOKEN={token}")
    assert match is not None and (match.kind, match.category) == ("codeartifact-token", "registry")


def test_keyword_value_needs_secret_name() -> None:
    assert classify_secret_value("s3cr3tValu3!") is None
    match = classify_secret_value("s3cr3tValu3!", name="DB_PASSWORD")
    assert match is not None and (match.kind, match.confidence, match.span) == ("keyword", "medium", (0, 12))


def test_assignment_in_command() -> None:
    value = "export GITHUB_TOKEN=Zq81hd7Tq0mPw2vXk4Lr && make"
    (match,) = find_secrets(value)
    assert (match.kind, match.secret(value)) == ("keyword", "Zq81hd7Tq0mPw2vXk4Lr")


def test_entropy_only_is_low_confidence() -> None:
    match = classify_secret_value("Qm9vdHN0cmFwOnRoaXNJc0FMb25nVG9rZW4x")
    assert match is not None and (match.kind, match.confidence) == ("high-entropy", "low")
    # Digests, git SHAs and UUIDs are not secrets.
    assert classify_secret_value("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08") is None
    assert classify_secret_value("3f786850e387550fdab836ed7e6dc881de23001b") is None
    assert classify_secret_value("123e4567-e89b-12d3-a456-426614174000") is None


@pytest.mark.parametrize(
    "value",
    ["${GITHUB_TOKEN}", "$NPM_TOKEN", "$(aws ssm get-parameter --name x)", "{{resolve:secretsmanager:gh:SecretString:token}}",
     "#{SourceVariables.Token}", "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf", "****",
     "/prod/app/db-password", "Bearer ${TOKEN}", "https://x-access-token:${GITHUB_TOKEN}@github.com/o/r"],
)
def test_references(value: str) -> None:
    assert classify_secret_value(value, name="TOKEN") is None
    if not value.startswith("https"):
        assert is_reference(value) is True


@pytest.mark.parametrize(
    ("value", "name"),
    [("dummy", ""), ("changeme", ""), ("<token>", ""), ("xxxxxxxx", ""), ("my-example-password", ""),
     ("AKIAIOSFODNN7EXAMPLE", ""), ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""), ("fbAppSecret", "FACEBOOK_APP_SECRET"),
     ("db_password", "DB_PASSWORD"), ("test", "")],
)
def test_placeholders(value: str, name: str) -> None:
    assert is_placeholder(value, name) is True
    assert classify_secret_value(value, name=name or "PASSWORD") is None


def test_not_placeholders() -> None:
    assert is_placeholder("Zq81hd7Tq0mPw2vXk4Lr") is False
    assert is_reference("Zq81hd7Tq0mPw2vXk4Lr") is False


def test_redact_never_shows_the_whole_secret() -> None:
    assert redact("AKIAIOSFODNN7EXAMPLE") == "AKIA…MPLE"
    assert redact("hunter2pass") == "hu…"
    assert redact("abc") == "…"


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_redact_property(secret: str) -> None:
    shown = redact(secret)
    stripped = secret.strip()
    if len(stripped) >= 4:
        assert stripped not in shown


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_never_raises(text: str) -> None:
    match = classify_secret_value(text)
    if match is not None:
        assert 0 <= match.start < match.end <= len(text)
    looks_like_secret_name(text)
    is_reference(text)
    is_placeholder(text)
    assert shannon_entropy(text) >= 0.0


def test_classify_literal_value_skips_the_format_scan() -> None:
    from lintkit.aws.secrets import classify_literal_value

    assert classify_literal_value("make deploy TOKEN=Zq81hd7Tq0mPw2vXk4Lr", name="commands") is None
    match = classify_literal_value("  Zq81hd7Tq0mPw2vXk4Lr ", name="SONAR_TOKEN")
    assert match is not None and (match.kind, match.span) == ("keyword", (2, 22))


@pytest.mark.parametrize(
    "value", ["/${TARGET_ENV}/jenkins/windows/agent/admin/password", "/CodeBuild/dockerLoginPassword", "/prod/app/db-password"]
)
def test_parameter_store_names_are_references(value: str) -> None:
    assert is_reference(value) is True


def test_identifiers_are_not_entropy_secrets() -> None:
    for value in ("EnableS3AccessLoggingForPipelineArtifactS3Bucket", "NXP-LPC54018-IoT-Module-CodePipeline",
                  "codepipeline-us-east-1-868535919340", "al2023_clang15_x86_64_cryptofuzz"):
        assert classify_secret_value(value) is None, value


def test_helper_and_flag_names_are_not_secrets() -> None:
    assert looks_like_secret_name("git-credential-helper") is False
    assert looks_like_secret_name("UseSecretsManager") is False


@pytest.mark.parametrize(
    "text", ["token: Optional[str] = None", "password=self.password", "api_key=get_api_key()", "secret=os.environ['X']"]
)
def test_inline_code_is_not_a_secret(text: str) -> None:
    assert find_secrets(text) == []
