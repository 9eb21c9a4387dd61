"""Heuristics for hard-coded credentials and security-sensitive names.

Two kinds of evidence:
- *pattern* secrets, recognisable by their value alone (AWS access key ids,
  GitHub/Slack/Stripe/Google tokens, PEM private keys);
- *named* secrets: a literal assigned to, passed as, or compared with a
  password/secret/token-like name, when the literal looks like a real value
  (not empty, a placeholder, an environment-variable name, a path, a template
  or an identifier such as `"csrftoken"`).
"""

from __future__ import annotations

import re

from lintkit.python.calls import words

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS access key id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|AIPA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})")),
    ("Slack token", re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}")),
    ("Stripe live key", re.compile(r"\b[sr]k_live_[0-9A-Za-z]{20,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("private key", re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----\s*[A-Za-z0-9+/=]{16}")),
)

# Words of an identifier that make it a credential.
_SECRET_WORDS = {"password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "credential", "credentials"}
# Word pairs that do.
_SECRET_PAIRS = {("api", "key"), ("secret", "key"), ("private", "key"), ("access", "key"), ("auth", "key"), ("signing", "key"), ("encryption", "key"), ("client", "secret")}
# A last word that makes the identifier *about* a credential rather than one.
_META_SUFFIXES = {
    "name", "names", "field", "fields", "file", "filename", "path", "dir", "url", "uri", "endpoint", "env", "var",
    "variable", "header", "type", "types", "len", "length", "min", "max", "pattern", "regex", "re", "prompt", "label",
    "help", "message", "msg", "error", "errors", "param", "parameter", "id", "ids", "hash", "hasher", "hashers",
    "column", "attr", "attribute", "count", "timeout", "ttl", "expiry", "expires", "age", "class", "cls", "model",
    "form", "widget", "validator", "validators", "policy", "required", "enabled", "reset", "changed", "mode",
    "format", "kind", "prefix", "suffix", "template", "placeholder", "text", "title", "chars", "alphabet",
    "separator", "sep", "delimiter", "index", "location", "storage", "backend", "generator", "callback", "handler",
    "func", "function", "query", "key", "keys", "list", "set", "dict", "map", "source", "provider", "manager",
    "store", "cache", "method", "methods", "scheme", "version", "size", "bits", "input", "salt", "domain", "display",
    "verbose", "hint", "description", "doc", "cookie", "arn", "ref", "reference", "location", "lookup", "option",
    "options", "setting", "settings", "flag", "mask", "masked", "redacted", "encoding", "alg", "algorithm", "algorithms",
    "lifetime", "interval", "limit", "rotation", "config", "url_name", "view", "token_type",
}
_PLACEHOLDER_WORDS = (
    "example", "placeholder", "changeme", "change_me", "change-me", "your", "dummy", "fake", "sample", "xxxx", "****",
    "redacted", "replace", "todo", "fixme", "insert", "secret_here", "password_here", "mypassword", "test123",
)
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z_.\-]*$")  # no digits: a name, key or label
_TEMPLATE = re.compile(r"\$\{|\{\{|\{[a-z_0-9]*\}|%\(|%s|%d|<[^>]*>")


def secret_name_kind(identifier: str) -> str | None:
    """'password' | 'secret' | 'token' | 'key' when `identifier` names a
    credential (`db_password`, `API_KEY`, `clientSecret`), else None."""
    ws = words(identifier)
    if not ws or ws[-1] in _META_SUFFIXES and not _pair_at_end(ws):
        return None
    joined = "".join(ws)
    for w in ws:
        if w in ("password", "passwd", "passphrase", "pwd"):
            return "password"
        if w in ("secret", "credential", "credentials"):
            return "secret"
        if w in ("token", "apikey"):
            return "token" if w == "token" else "key"
    for pair in zip(ws, ws[1:]):
        if pair in _SECRET_PAIRS:
            return "secret" if pair == ("client", "secret") else "key"
    if joined.endswith(("password", "passwd", "secretkey", "apikey", "authtoken", "accesstoken")):
        return "password" if "pass" in joined else "key"
    return None


def _pair_at_end(ws: tuple[str, ...]) -> bool:
    """`api_key`, `secret_key` end with 'key' but are credentials."""
    return len(ws) >= 2 and (ws[-2], ws[-1]) in _SECRET_PAIRS


def pattern_secret(value: str) -> tuple[str, str] | None:
    """(kind, matched text) when `value` holds a recognisable credential."""
    for kind, pattern in _PATTERNS:
        match = pattern.search(value)
        if match is None:
            continue
        text = match.group(0)
        if "EXAMPLE" in text.upper() or _low_entropy(text[4:] if kind == "AWS access key id" else text):
            continue
        return kind, text
    return None


def _low_entropy(text: str) -> bool:
    return len(set(text)) < max(4, len(text) // 4)


def looks_like_secret_value(value: object) -> bool:
    """A literal that could be a real password, token or key."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if len(text) < 6 or len(text) > 4096 or any(ch.isspace() for ch in text):
        return False
    lower = text.lower()
    if any(word in lower for word in _PLACEHOLDER_WORDS):
        return False
    if _ENV_NAME.match(text) or _TEMPLATE.search(text):
        return False
    if re.match(r"^[^@:/]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", text):
        return False  # an e-mail address: anonymous FTP's conventional "password"
    if text.startswith(("/", "./", "../", "~", "http://", "https://", "file:", "arn:", "ssm:", "secretsmanager:")):
        return False
    if re.search(r"\.(pem|key|txt|json|ya?ml|cfg|ini|env|crt|p12|pfx)$", lower):
        return False
    if _IDENTIFIER.match(text):
        # Letters only: a label, key or name, unless long and mixed case like
        # a random base64 segment.
        return len(text) >= 16 and any(c.isupper() for c in text) and any(c.islower() for c in text) and "_" not in text
    if _low_entropy(text):
        return False
    return not _shared_reference(text)


def _shared_reference(text: str) -> bool:
    """The CI/CD secrets helper's notion of a reference (`{{resolve:...}}`,
    `${{ secrets.X }}`, ARNs): shared so both halves agree on what is not a value."""
    try:
        from lintkit.aws.secrets import is_reference
    except ImportError:  # pragma: no cover - the module ships with lintkit
        return False
    try:
        return bool(is_reference(text))
    except Exception:  # a heuristic must never break a check
        return False


def redact(value: str, keep: int = 2) -> str:
    """Never show a secret in full: its first `keep` characters and its length."""
    keep = min(keep, max(0, len(value) // 4))
    return f"'{value[:keep]}…' ({len(value)} chars)"
