"""lintkit.secrets: the one secret detector (formats, names, references, placeholders,
mock markers) and the one redaction style."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lintkit.secrets import (
    SecretMatch,
    classify_value,
    find_secrets,
    is_placeholder,
    is_reference,
    looks_like_secret_name,
    marked_as_mock,
    mask_text,
    model,
    redact,
    secret_name_kind,
)

# Fake credentials assembled at run time so no scanner mistakes this file for a leak.
AWS_ID = "AKIA" + "J5Q3Z7ZQ2X4RTYUW"
AWS_SECRET = "Zr8v" + "Qm2LpX7sT9kWn4Yb/Hc6Ud1Ef3Gh5Jk8Mn0P"
GITHUB = "ghp_" + "Xb7Lq2Mn9Pz4Rt6Vw8Yc1Ad3Fg5Hj0Kk2Ll4Ss"
GITLAB = "glpat-" + "Qw7Er9Ty2Ui4Op6As8Df"
NPM = "npm_" + "Xb7Lq2Mn9Pz4Rt6Vw8Yc1Ad3Fg5Hj0Kk2Ll4"
PYPI = "pypi-" + "AgEIcHlwaS5vcmcCJGI4YmNhMDA5LTg1ZTEtNDcxNS1hYzE5LTQz"
PEM_BODY = "MIIEpAIBAAKCAQEA" + "q7Zr2Lm9Xw4Pt6Vb8Nc1Ad3Fg5Hj0Kk2Ll4Ss6Dd8Ff0Gg"


@pytest.mark.parametrize(
    ("name", "kind"),
    [("DB_PASSWORD", "password"), ("GitHubToken", "token"), ("api-key", "key"), ("API_KEY", "key"), ("PRIVATE_KEY", "key"),
     ("CREDENTIALS", "secret"), ("OAuthToken", "token"), ("SecretToken", "token"), ("AWS_SECRET_ACCESS_KEY", "key"),
     ("client_secret", "secret"), ("clientSecret", "secret"), ("TWINE_PASSWORD", "password"), ("dbPasswd", "password"),
     ("NPM_TOKEN", "token"), ("GITHUB_PAT", "token"), ("auth_token", "token"), ("ENCRYPTION_KEY", "key"),
     ("self.password", "password"), ("--password", "password")],
)
def test_secret_names(name: str, kind: str) -> None:
    assert secret_name_kind(name) == kind
    assert looks_like_secret_name(name) is True


@pytest.mark.parametrize(
    "name",
    ["TOKEN_URL", "SECRET_ARN", "PASSWORD_PARAM_NAME", "SECRETS_MANAGER_ID", "HasGitHubToken", "PWD", "ServiceToken",
     "PasswordPolicy", "GenerateSecret", "SecretStringTemplate", "AWS_ACCESS_KEY_ID", "KMS_KEY_ID", "BUILD_ID",
     "GITHUB_TOKEN_SECRET_NAME", "PASS_THROUGH", "", "CSRF_COOKIE_NAME", "password_field", "PASSWORD_RESET_TIMEOUT",
     "password_hash", "monkey", "git-credential-helper", "UseSecretsManager", "TOKEN_CHARS", "token_type",
     "MOCK_API_KEY", "fake_password", "DUMMY_TOKEN", "max_tokens", "password-stdin"],
)
def test_not_secret_names(name: str) -> None:
    assert looks_like_secret_name(name) is False


@pytest.mark.parametrize(
    ("value", "kind", "category", "secret", "shown"),
    [
        (AWS_ID, "aws-access-key-id", "aws", AWS_ID, "AKIA"),
        (f"aws_secret_access_key = {AWS_SECRET}", "aws-secret-access-key", "aws", AWS_SECRET, ""),
        (f'"SecretAccessKey": "{AWS_SECRET}"', "aws-secret-access-key", "aws", AWS_SECRET, ""),
        (f"aws configure set aws_secret_access_key {AWS_SECRET}", "aws-secret-access-key", "aws", AWS_SECRET, ""),
        (f"git clone https://{GITHUB}@github.com/o/r.git", "github-token", "token", GITHUB, "ghp_"),
        (f"https://oauth2:{GITLAB}@gitlab.com/o/r.git", "gitlab-token", "token", GITLAB, "glpat-"),
        ("https://deploy:hunter2pass@git.example.org/r.git", "url-credentials", "token", "hunter2pass", ""),
        ("//registry.npmjs.org/:_authToken=Zq81hd7Tq0mPw2vXk4Lr", "npm-auth-token", "registry", "Zq81hd7Tq0mPw2vXk4Lr", ""),
        (f"echo {NPM} > token", "npm-token", "registry", NPM, "npm_"),
        (PYPI, "pypi-token", "registry", PYPI, "pypi-"),
        ("xoxb-" + "2741956234-9Zq8Lm7Kp6Jn5Hb4Vc3X", "slack-token", "token", None, "xoxb-"),
        ("ATBB" + "kV7xQ2mN9pL4rT6wY8zA1cE3gH5jK0bD", "bitbucket-app-password", "token", None, "ATBB"),
        ('curl -H "Authorization: Bearer Zq81hd7Tq0mPw2vXk4Lr9Nd2" https://api', "authorization-header", "token", "Zq81hd7Tq0mPw2vXk4Lr9Nd2", ""),
    ],
)
def test_known_formats(value: str, kind: str, category: str, secret: str | None, shown: str) -> None:
    match = classify_value(value)
    assert isinstance(match, SecretMatch)
    assert (match.kind, match.category, match.confidence) == (kind, category, "high")
    if secret is not None:
        assert match.secret(value) == secret
    assert match.redacted(value) == shown + "****"


def test_every_format_names_its_documentation() -> None:
    formats = model().formats
    assert len(formats) >= 15
    import tomllib

    from lintkit.registry import builtin_rules_dir

    data = tomllib.loads((builtin_rules_dir() / "models" / "secrets.toml").read_text(encoding="utf-8"))
    assert all(entry["documented"].startswith("https://") for entry in data["format"])


def test_private_key_block_keeps_its_header_visible() -> None:
    value = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----\n"
    (match,) = find_secrets(value)
    assert (match.kind, match.category) == ("private-key", "private-key")
    assert match.secret(value) == f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}"
    assert redact(match.secret(value)) == "-----BEGIN RSA PRIVATE KEY-----****"
    assert mask_text(value) == "-----BEGIN RSA PRIVATE KEY-----\n" + "*" * len(PEM_BODY) + "\n-----END RSA PRIVATE KEY-----\n"


def test_private_key_needs_a_body() -> None:
    assert find_secrets("echo -----BEGIN PRIVATE KEY----- " + "ab " * 30) == []
    assert find_secrets("-----BEGIN PUBLIC KEY-----\n" + PEM_BODY + "\n-----END PUBLIC KEY-----") == []


def test_codeartifact_token() -> None:
    token = "eyJ2ZXIiOjEsImlzdSI6" + "MTcwMDAwMDAwMCwiZW5jIjoiQTEyOEdDTSIsInRhZyI6Ik" * 3
    match = classify_value(f"export CODEARTIFACT_AUTH_TOKEN={token}")
    assert match is not None and (match.kind, match.category) == ("codeartifact-token", "registry")


def test_bare_aws_secret_key_beside_its_id() -> None:
    # A credentials CSV and an echo: no key name, but the access key ID is right there.
    for text in (f"user,,{AWS_ID},{AWS_SECRET}\n", f"echo {AWS_ID} {AWS_SECRET} | configure"):
        kinds = {(m.kind, m.secret(text)) for m in find_secrets(text)}
        assert ("aws-secret-access-key", AWS_SECRET) in kinds
    # Without the ID and without a key name, 40 characters are just 40 characters.
    assert find_secrets(f"echo {AWS_SECRET}") == []


def test_keyword_value_needs_secret_name() -> None:
    assert classify_value("s3cr3tValu3!") is None
    match = classify_value("s3cr3tValu3!", name="DB_PASSWORD")
    assert match is not None and (match.kind, match.confidence, match.span) == ("keyword", "medium", (0, 12))
    assert match.redacted("s3cr3tValu3!") == "****"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("export GITHUB_TOKEN=Zq81hd7Tq0mPw2vXk4Lr && make", "Zq81hd7Tq0mPw2vXk4Lr"),
        ('GITHUB_PAT: "f3Kq9ZxW1mPq7Lr2vB8n"', "f3Kq9ZxW1mPq7Lr2vB8n"),
        ('GITHUB_PAT = "f3Kq9ZxW1mPq7Lr2vB8n"', "f3Kq9ZxW1mPq7Lr2vB8n"),
        ('{"Name": "GITHUB_PAT", "Value": "f3Kq9ZxW1mPq7Lr2vB8n", "Type": "PLAINTEXT"}', "f3Kq9ZxW1mPq7Lr2vB8n"),
        ("- Name: GITHUB_PAT\n  Value: f3Kq9ZxW1mPq7Lr2vB8n\n", "f3Kq9ZxW1mPq7Lr2vB8n"),
        ('connect(host, password="p4ssw0rd!2024")', "p4ssw0rd!2024"),
        ('if password == "Adm1n#2024":', "Adm1n#2024"),
        ('os.environ["API_TOKEN"] = "Zq81hd7Tq0mPw2vXk4Lr"', "Zq81hd7Tq0mPw2vXk4Lr"),
        ("scripts/run.sh --password Hb4Vc3Xz9Lm7Kp6Jn5Qw", "Hb4Vc3Xz9Lm7Kp6Jn5Qw"),
        ('docker login -u ci -p "Hb4Vc3Xz9Lm7Kp6Jn5Qw" registry.acme.io', "Hb4Vc3Xz9Lm7Kp6Jn5Qw"),
        ("{TOKEN: Zq81hd7Tq0mPw2vXk4Lr, STAGE: prod}", "Zq81hd7Tq0mPw2vXk4Lr"),
    ],
)
def test_named_values_in_text(text: str, secret: str) -> None:
    (match,) = find_secrets(text)
    assert (match.kind, match.confidence, match.secret(text)) == ("keyword", "medium", secret)


@pytest.mark.parametrize(
    "text",
    ["token: Optional[str] = None", "password=self.password", "api_key=get_api_key()", "secret=os.environ['X']",
     "Provider: GitHub", "make deploy API_KEY=dummy DB_PASSWORD=changeme", "PASSWORD_PARAM_NAME=/ci/db/password",
     "docker build --secret id=npmrc,src=.npmrc .", "docker login --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com",
     'TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"', 'token_type = "bearer"',
     'MOCK_API_KEY = "Zq81hd7Tq0mPw2vXk4Lr"', "EncryptionKey: alias/aws/s3", "OAuthToken: '{{resolve:secretsmanager:gh}}'",
     "ghp_" + "x" * 36, "AKIA" + "X" * 16, "AKIAIOSFODNN7EXAMPLE", "ghp_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
     "https://x-access-token:${GITHUB_TOKEN}@github.com/o/r", "SecretAccessKey: !GetAtt Key.SecretAccessKey"],
)
def test_not_secrets_in_text(text: str) -> None:
    assert find_secrets(text) == []
    assert mask_text(text) == text


def test_entropy_only_is_low_confidence() -> None:
    match = classify_value("Qm9vdHN0cmFwOnRoaXNJc0FMb25nVG9rZW4x")
    assert match is not None and (match.kind, match.confidence) == ("high-entropy", "low")
    # Digests, git SHAs, UUIDs and identifiers are not secrets.
    for value in ("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "3f786850e387550fdab836ed7e6dc881de23001b",
                  "123e4567-e89b-12d3-a456-426614174000", "EnableS3AccessLoggingForPipelineArtifactS3Bucket",
                  "NXP-LPC54018-IoT-Module-CodePipeline", "codepipeline-us-east-1-868535919340", "al2023_clang15_x86_64_cryptofuzz"):
        assert classify_value(value) is None, value


@pytest.mark.parametrize(
    ("value", "name", "secret"),
    [("hunter2-Prod!", "DB_PASSWORD", True), ("f3a9c2e17b5d48e6a0c4d9b2e7f1a3c5", "api_key", True), ("Sup3r-Secret-99", "password", True),
     ("Tr0ub4dor&3-horse", "DB_PASSWORD", True), ("", "password", False), ("changeme", "password", False),
     ("csrftoken", "token", False), ("DB_PASSWORD", "password", False), ("${DB_PASSWORD}", "password", False),
     ("/run/secrets/db", "password", False), ("Enter your password", "password", False), ("xxxxxxxxxx", "password", False),
     ("<password>", "password", False), ("fbAppSecret", "FACEBOOK_APP_SECRET", False), ("bearer", "token_type", False),
     ("password123", "password", False), ("db_password", "DB_PASSWORD", False), ("admin@example.org", "password", False),
     ("Zq81hd7Tq0mPw2vXk4Lr", "MOCK_TOKEN", False)],
)
def test_named_literal_judgement(value: str, name: str, secret: bool) -> None:
    match = classify_value(value, name=name)
    assert (match is not None and match.confidence != "low") is secret


@pytest.mark.parametrize(
    "value",
    ["${GITHUB_TOKEN}", "$NPM_TOKEN", "$(aws ssm get-parameter --name x)", "{{resolve:secretsmanager:gh:SecretString:token}}",
     "#{SourceVariables.Token}", "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf", "****",
     "/prod/app/db-password", "Bearer ${TOKEN}", "/${TARGET_ENV}/jenkins/windows/agent/admin/password",
     "/CodeBuild/dockerLoginPassword", "alias/aws/s3", "%(password)s"],
)
def test_references(value: str) -> None:
    assert is_reference(value) is True
    assert classify_value(value, name="TOKEN") is None


@pytest.mark.parametrize(
    ("value", "name"),
    [("dummy", ""), ("changeme", ""), ("<token>", ""), ("xxxxxxxx", ""), ("my-example-password", ""),
     ("AKIAIOSFODNN7EXAMPLE", ""), ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""), ("fbAppSecret", "FACEBOOK_APP_SECRET"),
     ("db_password", "DB_PASSWORD"), ("test", ""), ("abcdefghijklmnopqrstuvwxyz", ""), ("0123456789abcdef0123", "")],
)
def test_placeholders(value: str, name: str) -> None:
    assert is_placeholder(value, name) is True
    assert classify_value(value, name=name or "PASSWORD") is None


def test_not_placeholders() -> None:
    for value in ("Zq81hd7Tq0mPw2vXk4Lr", "Sup3r-Secret-99", AWS_SECRET):
        assert is_placeholder(value) is False and is_reference(value) is False


def test_marked_as_mock() -> None:
    lines = [
        "env:",
        "  variables:",
        "    REAL_TOKEN: Zq81hd7Tq0mPw2vXk4Lr",
        "    # Mock values for the contract tests",
        "    FB_APP_ID: '1234'",
        "    FB_APP_SECRET: Zq81hd7Tq0mPw2vXk4Lr",
        "",
        "LATER_TOKEN = 'Zq81hd7Tq0mPw2vXk4Lr'",
        "INLINE = 'Zq81hd7Tq0mPw2vXk4Lr'  # fake, for the docs",
        "URL = 'https://example.com/#dummy'",
    ]
    assert [n for n in range(1, len(lines) + 1) if marked_as_mock(lines, n)] == [4, 5, 6, 9]


def test_redaction_keeps_only_the_non_secret_prefix() -> None:
    assert redact(AWS_ID) == "AKIA****"
    assert redact(GITHUB) == "ghp_****"
    assert redact("hunter2pass") == "****"
    assert redact("'quoted-secret'") == "****"
    assert redact("abc") == "****"


def test_mask_text_keeps_positions_quotes_and_non_secrets() -> None:
    text = f'Provider: GitHub\nTOKEN: "{GITHUB}"\nKEY = \'{AWS_ID}\'\n'
    masked = mask_text(text)
    assert masked == f'Provider: GitHub\nTOKEN: "ghp_{"*" * (len(GITHUB) - 4)}"\nKEY = \'AKIA{"*" * 16}\'\n'
    assert len(masked) == len(text)
    # A span a check found by structure: masked inside its quotes, whatever it holds.
    assert mask_text('x = "plain-looking"', [(4, 19)]) == 'x = "*************"'


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_redact_property(secret: str) -> None:
    shown = redact(secret)
    stripped = secret.strip().strip("'\"").strip()
    assert shown.endswith("****")
    if len(stripped) >= 4 and not stripped.startswith("-----BEGIN"):
        assert stripped not in shown


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_and_spans_are_inside(text: str) -> None:
    for match in find_secrets(text):
        assert 0 <= match.start < match.end <= len(text)
        assert 0 <= match.shown < match.end - match.start
    match = classify_value(text, name="password")
    if match is not None:
        assert 0 <= match.start < match.end <= len(text)
    masked = mask_text(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    looks_like_secret_name(text)
    is_reference(text)
    is_placeholder(text)
