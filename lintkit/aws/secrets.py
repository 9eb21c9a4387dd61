"""Reusable secret detection for CI/CD configuration (no lintkit imports).

Public API (stable; the buildspec, CloudFormation and credentials checks use it):

- `looks_like_secret_name(name)` -> bool: `DB_PASSWORD`, `GitHubToken`,
  `api-key` yes; `TOKEN_URL`, `SECRET_ARN`, `PASSWORD_PARAM_NAME`,
  `SECRETS_MANAGER_ID`, `HasGitHubToken`, `PWD` no.
- `classify_secret_value(value, *, name="")` -> `SecretMatch | None`: the most
  certain secret inside `value` (known token formats first, then a keyword
  assignment such as `TOKEN=abc…`, then, when `name` looks secret, the literal
  itself, then high entropy). References and placeholders return None.
- `classify_literal_value(value, *, name="")` -> `SecretMatch | None`: the
  same without the known-format scan, for callers that ran `find_secrets`.
- `find_secrets(text)` -> list[SecretMatch]: every known-format token and
  `NAME=value` assignment in a longer text (a shell command, a block scalar).
- `is_reference(value)` -> bool: `${X}`, `$X`, `$(cmd)`, `{{resolve:…}}`,
  `#{Ns.Var}`, Secrets Manager / Parameter Store ARNs and references, `****`.
- `is_placeholder(value, name="")` -> bool: `dummy`, `changeme`, `<token>`,
  `xxx`, `example`, a value that repeats its name, AWS's documented example keys.
- `redact(value)` -> str: `AKIA…MPLE`; never the whole secret.
- `shannon_entropy(text)` -> float, bits per character.

`SecretMatch.category` groups kinds for rule mapping: "aws" (access key id,
secret key, shared-credentials INI), "private-key", "registry" (npm, PyPI,
CodeArtifact, Docker Hub), "token" (GitHub, GitLab, Bitbucket, Slack, other
SaaS formats, credentials in URLs) and "generic" (keyword or entropy).
`confidence` is "high" (a known format), "medium" (a secret-like name with a
literal value) or "low" (entropy alone).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "SecretMatch",
    "classify_literal_value",
    "classify_secret_value",
    "find_secrets",
    "is_placeholder",
    "is_reference",
    "looks_like_secret_name",
    "redact",
    "shannon_entropy",
]


@dataclass(frozen=True)
class SecretMatch:
    """A secret found inside a value: `value[start:end]` is the secret."""

    kind: str  # e.g. "aws-access-key-id", "github-token", "keyword", "high-entropy"
    confidence: str  # "high" | "medium" | "low"
    start: int
    end: int
    description: str  # human label: "AWS access key ID"
    category: str = "generic"  # aws | private-key | registry | token | generic

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    def secret(self, value: str) -> str:
        return value[self.start : self.end]

    def redacted(self, value: str) -> str:
        return redact(self.secret(value))


_CONFIDENCE_RANK = {"high": 3, "medium": 2, "low": 1}

# --- names -------------------------------------------------------------------------

_SECRET_WORDS = frozenset(
    {
        "password", "passwd", "passwords", "passphrase", "pwd", "pass", "secret", "secrets",
        "token", "tokens", "apikey", "apikeys", "credential", "credentials", "creds",
        "privatekey", "authtoken", "accesstoken", "clientsecret", "secretkey", "pat",
    }
)
# Two-word secrets: `API_KEY`, `private-key`, `SecretAccessKey`.
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("secret", "key"), ("access", "token"), ("auth", "token"), ("signing", "key"), ("app", "password"), ("deploy", "key"), ("ssh", "key")})
# A word after the secret word that makes the name about the secret, not the
# secret itself: TOKEN_URL, SECRET_ARN, PASSWORD_PARAM_NAME, SECRETS_MANAGER_ID.
_NOT_SECRET_AFTER = frozenset(
    {
        "url", "uri", "urls", "endpoint", "host", "arn", "arns", "name", "names", "id", "ids", "param",
        "params", "parameter", "parameters", "path", "paths", "file", "files", "filename", "dir",
        "env", "type", "length", "len", "expiry", "expires", "expiration", "ttl", "header",
        "location", "region", "policy", "policies", "version", "ref", "manager", "store", "key_id",
        "template", "rotation", "enabled", "required", "attachment", "role", "resource", "lambda",
        "provider", "prefix", "suffix", "field", "format", "count", "source", "value_from",
        "mode", "scope", "scopes", "reset", "hint", "label", "description", "regex", "pattern",
        "validity", "lifetime", "duration", "timeout", "min", "max", "kms", "bucket", "generator",
        "variable", "var", "var_name", "stage", "identifier", "sm", "ssm", "secretsmanager", "helper",
        "provider", "arn", "store", "vault", "hash", "digest", "rotation",
    }
)
# A first word that turns the name into a flag or an action: HasGitHubToken,
# UseSecrets, GenerateSecret, RequirePassword.
_NOT_SECRET_BEFORE = frozenset(
    {"has", "use", "uses", "enable", "enabled", "disable", "is", "no", "generate", "require", "requires",
     "create", "rotate", "get", "fetch", "read", "load", "with", "without", "allow", "skip", "show", "mask"}
)
# Whole names that contain a secret word but are not secrets.
_NOT_SECRET_NAMES = frozenset({"pwd", "oldpwd", "servicetoken", "nopasswd", "tokens", "secrets"})

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")


def _words(name: str) -> list[str]:
    words: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        words.extend(w.lower() for w in _CAMEL.findall(part))
    return words


def looks_like_secret_name(name: str) -> bool:
    """True when a variable, key or parameter *name* says its value is a secret."""
    if not isinstance(name, str) or not name or len(name) > 120:
        return False
    return _secret_name(name)


@lru_cache(maxsize=4096)
def _secret_name(name: str) -> bool:
    # Names repeat across a run (Name, Value, commands): decide each once.
    compact = re.sub(r"[^a-z0-9]", "", name.lower())
    if compact in _NOT_SECRET_NAMES:
        return False
    words = _words(name)
    # Join "o"+"auth" and "git"+"hub" noise does not matter: we look for the
    # last secret word and what follows it.
    last = -1
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word in _SECRET_WORDS and not (word == "pass" and nxt in ("through", "thru", "rate", "role")):
            last = i
        elif (word, nxt) in _SECRET_PAIRS:
            last = i + 1
        elif word.endswith(("password", "passwd", "token", "secret", "apikey")) and len(word) > 5:
            last = i  # gitlabtoken, dbpassword written as one word
    if last < 0:
        return False
    if words and words[0] in _NOT_SECRET_BEFORE:
        return False
    tail = words[last + 1 :]
    if any(w in _NOT_SECRET_AFTER for w in tail):
        return False
    if len(words) >= 2 and tail[-2:] == ["key", "id"]:
        return False
    return True


# --- references and placeholders ------------------------------------------------------

_REFERENCE_WHOLE = re.compile(
    r"""^(?:
        \$\{[^}]*\}                        # ${VAR}, ${AWS::Region}
      | \$\{\{[^}]*\}\}                    # ${{ secrets.X }}
      | \$[A-Za-z_][A-Za-z0-9_]*           # $VAR
      | \$\(.*\)                           # $(command)
      | \{\{\s*resolve:.*\}\}              # CloudFormation dynamic reference
      | \{\{.*\}\}                         # mustache / Go / Jinja templating
      | \#\{[^}]*\}                        # CodePipeline variables #{SourceVariables.X}
      | %[A-Za-z_][A-Za-z0-9_]*%           # Windows %VAR%
      | @@[A-Za-z_][A-Za-z0-9_]*@@         # build-time token substitution
      | <%.*%>
    )$""",
    re.VERBOSE | re.DOTALL,
)
_REFERENCE_PREFIX = re.compile(
    r"^(?:arn:aws[a-z-]*:(?:secretsmanager|ssm|kms|iam|lambda|sts):|resolve:|secretsmanager:|ssm:|ssm-secure:|aws-secretsmanager:)",
    re.IGNORECASE,
)
_INLINE_REFERENCE = re.compile(
    r"\$\{\{[^}]*\}\}|\$\{[^}]*\}|\{\{[^}]*\}\}|\$\([^)]*\)|\#\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%|@@[A-Za-z_]\w*@@"
)
_MASKED = re.compile(r"^\*{3,}$|^\*+[^*]{0,4}$|^<redacted>$|^\[redacted\]$|^redacted$", re.IGNORECASE)


def is_reference(value: str) -> bool:
    """True when the value names where a secret lives instead of holding it."""
    if not isinstance(value, str):
        return False
    text = value.strip().strip("'\"").strip()
    if not text:
        return False
    if _MASKED.match(text) or _REFERENCE_WHOLE.match(text) or _REFERENCE_PREFIX.match(text):
        return True
    if text.startswith("arn:"):
        return True  # any ARN names a resource; a secret is never an ARN
    # Parameter Store names: `/prod/app/db-password`.
    if text.startswith("/") and " " not in text and text.count("/") >= 2 and _wordiness(_INLINE_REFERENCE.sub("", text)) >= 0.5:
        return True
    # Nothing left once the references are taken out (`Bearer ${TOKEN}`).
    rest = _INLINE_REFERENCE.sub("", text)
    return rest != text and len(re.sub(r"[^A-Za-z0-9]", "", rest)) < 8


_PLACEHOLDER_WORDS = re.compile(
    r"dummy|changeme|change[_\-. ]?me|example|sample|placeholder|your[_\-. ]?|xxxx|yyyy|zzzz|\*\*\*|"
    r"todo|tbd|replace|fake|mock|notreal|not[_\-.]?a[_\-.]?real|redacted|insert|enter[_\-. ]|"
    r"^test$|^testing$|^none$|^null$|^nil$|^n/?a$|^foo|^bar$|^baz$|^abc|^1234|^password\d{0,3}$|^secret\d{0,3}$|"
    r"^token$|^admin$|^root$|^pass$|^default$|^empty$|^unset$|^undefined$|^false$|^true$|^todo$",
    re.IGNORECASE,
)
_ANGLE = re.compile(r"^<[^<>]+>$|^\[[^\[\]]+\]$|^\{[^{}]+\}$|^_+$|^-+$|^\.+$")
AWS_EXAMPLE_KEYS = frozenset(
    {
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AKIAI44QH8DHBEXAMPLE",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    }
)


def is_placeholder(value: str, name: str = "") -> bool:
    """True for values nobody would use as a real secret."""
    if not isinstance(value, str):
        return True
    text = value.strip().strip("'\"").strip()
    if len(text) < 4 or text in AWS_EXAMPLE_KEYS:
        return True
    if _ANGLE.match(text) or _PLACEHOLDER_WORDS.search(text):
        return True
    if len(set(text)) <= 2:  # aaaaaa, 000000, x-x-x
        return True
    compact = re.sub(r"[^a-z0-9]", "", text.lower())
    if name:
        name_compact = re.sub(r"[^a-z0-9]", "", name.lower())
        if compact and (compact == name_compact or compact in name_compact and len(compact) >= 6):
            return True
    # A value that names itself a secret is a mock: `fbAppSecret`, `my-api-key`.
    if len(text) <= 40 and re.search(r"password|passwd|secret|token|apikey|api_key|api-key", text, re.IGNORECASE) and not _looks_random(text):
        return True
    return False


# --- values ----------------------------------------------------------------------------


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    total = len(text)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def _looks_random(text: str) -> bool:
    """Mixed letters and digits with high entropy: a generated credential."""
    if len(text) < 16:
        return False
    has_lower = any(c.islower() for c in text)
    has_upper = any(c.isupper() for c in text)
    has_digit = any(c.isdigit() for c in text)
    if sum((has_lower, has_upper, has_digit)) < 2:
        return False
    return shannon_entropy(text) >= (3.0 if re.fullmatch(r"[0-9a-f]+", text) else 3.6)


# (kind, description, category, pattern, group holding the secret)
_FORMATS: tuple[tuple[str, str, str, re.Pattern[str], int], ...] = (
    ("private-key", "private key", "private-key",
     re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\n|\s)*(?:[A-Za-z0-9+/=:\-, ]+(?:\\n|\s)+)*?[A-Za-z0-9+/=]{40,}[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)"), 0),
    ("aws-access-key-id", "AWS access key ID", "aws", re.compile(r"(?<![A-Za-z0-9])((?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Za-z0-9])"), 1),
    ("aws-secret-access-key", "AWS secret access key", "aws",
     re.compile(r"(?i:aws_?secret_?access_?key|secret_?access_?key|aws_?secret_?key)[\"']?\s*(?:=|:|\s)\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"), 1),
    ("codeartifact-token", "CodeArtifact authorization token", "registry", re.compile(r"(eyJ2ZXIiOjEsImlzdSI6[A-Za-z0-9_\-.]{80,})"), 1),
    ("npm-token", "npm access token", "registry", re.compile(r"(?<![A-Za-z0-9])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])"), 1),
    ("npm-auth-token", "npm _authToken", "registry", re.compile(r"_auth(?:Token)?\s*=\s*[\"']?([^\s\"'$]{16,})"), 1),
    ("pypi-token", "PyPI API token", "registry", re.compile(r"(?<![A-Za-z0-9])(pypi-[A-Za-z0-9_\-]{50,})"), 1),
    ("docker-hub-token", "Docker Hub access token", "registry", re.compile(r"(?<![A-Za-z0-9])(dckr_pat_[A-Za-z0-9_\-]{20,})"), 1),
    ("github-token", "GitHub token", "token", re.compile(r"(?<![A-Za-z0-9])(gh[pousr]_[A-Za-z0-9]{36,255})(?![A-Za-z0-9])"), 1),
    ("github-pat", "GitHub fine-grained token", "token", re.compile(r"(?<![A-Za-z0-9])(github_pat_[A-Za-z0-9_]{22,255})"), 1),
    ("gitlab-token", "GitLab token", "token", re.compile(r"(?<![A-Za-z0-9])((?:glpat|gldt|glptt|glrt|gloas)-[A-Za-z0-9_\-]{20,})"), 1),
    ("bitbucket-app-password", "Bitbucket app password", "token", re.compile(r"(?<![A-Za-z0-9])(ATBB[A-Za-z0-9_=.\-]{28,})"), 1),
    ("slack-token", "Slack token", "token", re.compile(r"(?<![A-Za-z0-9])(xox[abposr]-[A-Za-z0-9-]{10,})"), 1),
    ("slack-webhook", "Slack webhook URL", "token", re.compile(r"https://hooks\.slack\.com/services/(T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,})"), 1),
    ("google-api-key", "Google API key", "token", re.compile(r"(?<![A-Za-z0-9])(AIza[0-9A-Za-z_\-]{35})(?![A-Za-z0-9_\-])"), 1),
    ("stripe-key", "Stripe secret key", "token", re.compile(r"(?<![A-Za-z0-9])((?:sk|rk)_live_[0-9A-Za-z]{20,})"), 1),
    ("sonar-token", "SonarQube token", "token", re.compile(r"(?<![A-Za-z0-9])(sq[pua]_[0-9a-f]{40})(?![A-Za-z0-9])"), 1),
    ("jwt", "JSON web token", "token", re.compile(r"(?<![A-Za-z0-9_\-])(eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,})"), 1),
    # scheme://user:password@host (or a token alone as the user: https://ghp_x@github.com)
    ("url-credentials", "credentials in a URL", "token",
     re.compile(r"(?i)\b[a-z][a-z0-9+.\-]{1,15}://(?:[^\s:/@'\"]+):([^\s/@'\"]+)@[A-Za-z0-9.\-]+"), 1),
    ("url-token", "token in a URL", "token",
     re.compile(r"(?i)\bhttps?://([A-Za-z0-9_\-]{20,})@[A-Za-z0-9.\-]+"), 1),
)
# Shared-credentials INI lines, or `aws configure set`-free key/value pairs.
_AWS_INI = re.compile(r"(?im)^\s*aws_secret_access_key\s*=\s*([A-Za-z0-9/+]{40})\s*$")
# NAME=value / NAME: value / --name value inside a longer text.
_ASSIGNMENT = re.compile(
    r"""(?x)
    (?<![A-Za-z0-9_\-])
    (?:export\s+|set\s+|--)?
    (?P<name>[A-Za-z_][A-Za-z0-9_.\-]{2,60})
    ["']?(?:=|:[ \t]+)
    (?P<q>["']?)(?P<value>[^\s"';&|`]{4,200})(?P=q)
    """
)


# Every format above and every assignment needs one of these substrings.
_TRIGGER = re.compile(
    r"AKIA|ASIA|(?i:secret)|gh[pousr]_|github_pat_|gl(?:pat|dt|ptt|rt|oas)-|ATBB|xox[abposr]-|hooks\.slack|AIza|_live_|"
    r"sq[pua]_|eyJ|://|_auth|npm_|pypi-|dckr_pat_|PRIVATE KEY|=|:[ \t]"
)


def _usable(value: str, start: int, end: int, name: str = "") -> bool:
    secret = value[start:end]
    if secret in AWS_EXAMPLE_KEYS or "EXAMPLE" in secret:
        return False
    return not is_reference(secret) and not is_placeholder(secret, name)


def find_secrets(text: str) -> list[SecretMatch]:
    """Every known-format secret and secret-named assignment inside `text`, in
    order of position (overlaps resolved in favour of the more certain one)."""
    if not isinstance(text, str) or len(text) < 8:
        return []
    found: list[SecretMatch] = []
    if not _TRIGGER.search(text):
        return []  # no format's marker and no assignment: the common case, kept cheap
    for kind, description, category, pattern, group in _FORMATS:
        for m in pattern.finditer(text):
            start, end = m.span(group)
            if kind == "url-credentials" and not _url_password_is_secret(m.group(group)):
                continue
            if kind == "url-token" and not _looks_random(m.group(1)) and not m.group(1).startswith(("ghp_", "gho_", "ghs_", "github_pat_", "glpat-")):
                continue
            if kind == "private-key":
                if re.search(r"\$\{|\$[A-Z_]|EXAMPLE", m.group(0)):
                    continue
                found.append(SecretMatch(kind, "high", start, end, description, category))
            elif _usable(text, start, end):
                found.append(SecretMatch(kind, "high", start, end, description, category))
    for m in _AWS_INI.finditer(text):
        if _usable(text, *m.span(1)):
            found.append(SecretMatch("aws-secret-access-key", "high", *m.span(1), "AWS secret access key", "aws"))
    for m in _ASSIGNMENT.finditer(text):
        name, secret = m.group("name"), m.group("value")
        if not looks_like_secret_name(name) or secret.startswith(("$", "{", "%", "<", "-")):
            continue
        start, end = m.span("value")
        if _usable(text, start, end, name) and _plausible_literal(secret):
            found.append(SecretMatch("keyword", "medium", start, end, f"value of '{name}'", "generic"))
    return _dedupe(found)


def _url_password_is_secret(password: str) -> bool:
    if is_reference(password) or is_placeholder(password):
        return False
    return not password.startswith(("$", "%", "{", "<", "#{"))


def _plausible_literal(value: str) -> bool:
    """A secret value is one opaque word: not a path, URL, flag or sentence."""
    text = value.strip()
    if len(text) < 6 or " " in text:
        return False
    if text.lower() in ("true", "false", "yes", "no", "on", "off", "null", "none", "required", "optional"):
        return False
    if re.fullmatch(r"[\d.]+", text) and len(text) < 10:
        return False
    if text.startswith(("./", "../", "~/", "http://", "https://", "s3://", "file:")) or text.endswith((".json", ".yml", ".yaml", ".txt", ".sh", ".pem", ".key", ".env")):
        return False
    if re.fullmatch(r"[A-Z][A-Z0-9_]+", text) and "_" in text:
        return False  # another variable's NAME (SECRET_ENV=GITHUB_TOKEN)
    if _CODE_EXPRESSION.fullmatch(text):
        return False  # inline code: `token: Optional[str]`, `password=self.password`, `key=get_key()`
    return True


_CODE_EXPRESSION = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:[\[(].*)?|[A-Za-z_]\w*[\[(].*")


def _dedupe(found: list[SecretMatch]) -> list[SecretMatch]:
    ordered = sorted(found, key=lambda s: (-_CONFIDENCE_RANK[s.confidence], s.start, -(s.end - s.start)))
    kept: list[SecretMatch] = []
    for match in ordered:
        if any(match.start < k.end and k.start < match.end for k in kept):
            continue
        kept.append(match)
    return sorted(kept, key=lambda s: (s.start, s.end))


_HEX_OR_UUID = re.compile(r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-f]+|[0-9A-F]+|sha\d+:[0-9a-f]+)$")


_SEGMENT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def _wordiness(text: str) -> float:
    """Share of characters in word-like runs (three or more letters with a
    vowel): near 1 for identifiers (`EnableS3AccessLogging`), low for
    generated tokens."""
    if not text:
        return 1.0
    wordy = sum(len(seg) for seg in _SEGMENT.findall(text) if len(seg) >= 3 and seg.isalpha() and re.search(r"[aeiouyAEIOUY]", seg))
    return wordy / len(text)


def _is_aws_secret_shape(text: str) -> bool:
    """40 base64 characters with lower, upper case and digits (not a git SHA)."""
    return (
        re.fullmatch(r"[A-Za-z0-9/+]{40}", text) is not None
        and re.search(r"[a-z]", text) is not None
        and re.search(r"[A-Z]", text) is not None
        and re.search(r"[0-9]", text) is not None
        and shannon_entropy(text) >= 4.0
    )


def classify_secret_value(value: str, *, name: str = "") -> SecretMatch | None:
    """The most certain secret inside `value`, or None.

    Known formats are "high". When `name` looks secret (see
    `looks_like_secret_name`), a literal, non-placeholder value is "medium".
    A lone opaque, high-entropy token is "low" (callers usually need more
    context before reporting it). References and placeholders give None.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    matches = find_secrets(value)
    if matches:
        return max(matches, key=lambda s: (_CONFIDENCE_RANK[s.confidence], s.end - s.start))
    return classify_literal_value(value, name=name)


_WHITESPACE = re.compile(r"\s")


def classify_literal_value(value: str, *, name: str = "") -> SecretMatch | None:
    """`classify_secret_value` without the known-format scan (for callers that
    already ran `find_secrets`): judges the whole value as one literal, so
    values with inner whitespace (sentences, commands) are never secrets here."""
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    secret_name = bool(name) and looks_like_secret_name(name)
    # Cheap exits first: this runs on every string of every file.
    if len(stripped) < (6 if secret_name else 24) or len(stripped) > 512 or _WHITESPACE.search(stripped) or is_reference(stripped):
        return None
    lead = len(value) - len(value.lstrip())
    span = (lead, lead + len(stripped))
    # The AWS secret access key alone: 40 base64 characters with mixed case.
    if _is_aws_secret_shape(stripped) and not is_placeholder(stripped, name):
        confidence = "medium" if not name or secret_name else "low"
        return SecretMatch("aws-secret-access-key", confidence, *span, "AWS secret access key", "aws")
    if secret_name:
        if is_placeholder(stripped, name) or not _plausible_literal(stripped):
            return None
        return SecretMatch("keyword", "medium", *span, f"value of '{name}'", "generic")
    if len(stripped) >= 24 and len(re.split(r"[-_.]", stripped)) < 3 and not _HEX_OR_UUID.match(stripped) and not is_placeholder(stripped, name):
        if re.fullmatch(r"[A-Za-z0-9+/=_\-]+", stripped) and _looks_random(stripped) and shannon_entropy(stripped) >= 4.2 and _wordiness(stripped) < 0.5:
            return SecretMatch("high-entropy", "low", *span, "high-entropy string", "generic")
    return None


def redact(value: str) -> str:
    """A secret shown safely: the first and last four characters of a long
    value (`AKIA…MPLE`), two of a shorter one, nothing of a very short one."""
    if not isinstance(value, str):
        return "…"
    text = value.strip()
    pem = re.match(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----", text)
    if pem:
        return pem.group(0) + "…"
    if len(text) >= 16:
        return f"{text[:4]}…{text[-4:]}"
    if len(text) >= 8:
        return f"{text[:2]}…"
    return "…"
