"""Secrets: one detector and one redaction style for both halves of lintkit and for the reports.

The data (token formats with their vendors' documentation, secret-like name words,
reference and placeholder forms) lives in `rules/models/secrets.toml`; this module holds
the grammar around it. Public API:

- `find_secrets(text)` -> list[SecretMatch]: every secret inside a text (a command, a
  scalar, a whole file): known token formats, PEM private keys, AWS secret keys after
  their key or beside an access key ID, credentials in URLs and Authorization headers,
  and literals given to a secret-like name (`NAME=value`, `name: value`, `"name": "value"`,
  `name = "value"`, `--name value`, CloudFormation `Name:`/`Value:` pairs).
- `classify_value(value, *, name="")` -> SecretMatch | None: the one judgement of a value
  bound to `name` (a variable, key, keyword or parameter), the same for a buildspec, a
  CodeBuild project, a template and Python: a known format is "high"; a plausible literal
  under a secret-like name (or a 40-character AWS secret key) "medium"; a random-looking
  opaque string "low". References, placeholders and mock names (`MOCK_API_KEY`) give None.
- `looks_like_secret_name(name)` -> bool and `secret_name_kind(name)` -> "password" |
  "secret" | "token" | "key" | None: `DB_PASSWORD`, `GitHubToken`, `api-key` yes;
  `TOKEN_URL`, `SECRET_ARN`, `HasGitHubToken`, `TOKEN_CHARS`, `MOCK_API_KEY` no.
- `is_reference(value)`, `is_placeholder(value, name="")` -> bool.
- `marked_as_mock(lines, line, name="")` -> bool: the file itself says the value there is
  test data (its name, or a "# mock values" comment on the line or right above it).
- `redact(secret)` -> str: the one redaction style, the vendor's non-secret prefix and
  stars (`AKIA****`, `ghp_****`, `-----BEGIN RSA PRIVATE KEY-----****`, `****`).
- `mask_text(text, spans=())` -> str: `text` with every secret starred out in place
  (same length and line breaks, so positions stay exact), keeping the same prefixes.

Every pattern runs in time linear in its input: a literal prefix plus one bounded
character class, or classes separated by characters outside them, never a quantifier
inside another or two adjacent ones that can match the same character
(tests/test_secrets_bounded.py checks each pattern's structure and its worst cases).
"""

from __future__ import annotations

import bisect
import math
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from lintkit import rules_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "SecretMatch",
    "classify_value",
    "find_secrets",
    "is_placeholder",
    "is_reference",
    "looks_like_secret_name",
    "marked_as_mock",
    "mask_text",
    "redact",
    "secret_name_kind",
]

MASK = "****"
_RANK = {"high": 3, "medium": 2, "low": 1}


@dataclass(frozen=True)
class SecretMatch:
    """A secret inside a text: `text[start:end]`, of which the first `shown` characters
    are a non-secret prefix (`ghp_`, a PEM header) that redaction keeps."""

    kind: str  # "github-token", "aws-secret-access-key", "keyword", "high-entropy", ...
    confidence: str  # "high" (a known format) | "medium" (context) | "low" (entropy alone)
    start: int
    end: int
    description: str  # "GitHub token", "value of 'DB_PASSWORD'"
    category: str = "generic"  # aws | private-key | registry | token | generic
    shown: int = 0

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    def secret(self, text: str) -> str:
        return text[self.start : self.end]

    def redacted(self, text: str) -> str:
        return text[self.start : self.start + self.shown] + MASK


# --- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Format:
    kind: str
    description: str
    category: str
    prefixes: tuple[str, ...]
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Model:
    formats: tuple[_Format, ...]
    prefixes: tuple[str, ...]  # every format prefix, longest first (redaction)
    prefix_finder: re.Pattern[str]  # where a format may start: one pass for all of them
    formats_at: dict[str, tuple[_Format, ...]]  # found prefix -> formats that may start there
    trigger: re.Pattern[str]  # a text without any of these holds no secret
    private_key_labels: frozenset[str]
    aws_secret_key: re.Pattern[str]
    npmrc: re.Pattern[str]
    secret_words: frozenset[str]
    secret_pairs: frozenset[tuple[str, str]]
    secret_suffixes: tuple[str, ...]
    pass_not_before: frozenset[str]
    not_after: frozenset[str]
    not_before: frozenset[str]
    not_secret_names: frozenset[str]
    mock_words: frozenset[str]
    kinds: tuple[tuple[str, frozenset[str]], ...]
    inline_reference: re.Pattern[str]
    reference_prefixes: tuple[str, ...]
    masked: frozenset[str]
    placeholder_substrings: tuple[str, ...]
    placeholder_values: frozenset[str]
    placeholder_starts: tuple[str, ...]
    aws_example_keys: frozenset[str]
    mock_comment: re.Pattern[str]


@lru_cache(maxsize=1)
def model() -> _Model:
    """`rules/models/secrets.toml`, compiled once per process."""
    base = rules_dir()
    if base is None:
        raise FileNotFoundError("lintkit's rules/ directory is missing from the installation")
    data = tomllib.loads((base / "models" / "secrets.toml").read_text(encoding="utf-8"))
    return _build(data)


def _build(data: dict[str, Any]) -> _Model:
    formats = []
    for entry in data["format"]:
        prefixes = tuple(entry["prefixes"])
        body_class = _BODY.fullmatch(entry["body"])
        if body_class is None:
            raise ValueError(f"secrets.toml: format {entry['kind']}: body must be one character class with bounds")
        # Not right after a letter, digit or body character: each run of body characters
        # is entered once, so a run of repeated prefixes costs linear time.
        source = f"(?<![A-Za-z0-9{body_class.group(1)}])(?:" + "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True)) + ")"
        source += entry["body"] + "".join(entry.get("segments", ()))
        formats.append(_Format(entry["kind"], entry["description"], entry["category"], prefixes, re.compile(source)))
    context, names, refs, holders = data["context"], data["names"], data["references"], data["placeholders"]
    prefixes = tuple(sorted({p for f in formats for p in f.prefixes}, key=len, reverse=True))
    aws_keys = "|".join(
        r"[_\-]?".join(re.escape(w) for w in key.split("_")) for key in sorted(context["aws_secret_keys"], key=len, reverse=True)
    )
    npmrc_keys = "|".join(re.escape(k) for k in sorted(context["npmrc_keys"], key=len, reverse=True))
    mock_words = sorted(data["mock_comments"]["words"], key=len, reverse=True)
    formats_at = {p: tuple(f for f in formats if any(p.startswith(q) for q in f.prefixes)) for p in prefixes}
    return _Model(
        formats=tuple(formats),
        prefixes=prefixes,
        prefix_finder=re.compile("|".join(re.escape(p) for p in prefixes)),
        formats_at=formats_at,
        trigger=re.compile("|".join(re.escape(p) for p in prefixes) + r"|[=:\-]|(?i:secret)"),
        private_key_labels=frozenset(context["private_key_labels"]),
        # KEY, an optional closing quote, `=`/`:` or a blank, an optional opening quote, 40 characters.
        aws_secret_key=re.compile(rf"(?i:{aws_keys})[\"']?(?:[ \t]*[=:]|[ \t])[ \t]*[\"']?([A-Za-z0-9/+]{{40}})"),
        npmrc=re.compile(rf"({npmrc_keys})[ \t]*=[ \t]*[\"']?([^\s\"'$]{{8,4096}})"),
        secret_words=frozenset(names["secret_words"]),
        secret_pairs=frozenset(tuple(p) for p in names["secret_pairs"]),
        secret_suffixes=tuple(names["secret_suffixes"]),
        pass_not_before=frozenset(names["pass_not_before"]),
        not_after=frozenset(names["not_after"]),
        not_before=frozenset(names["not_before"]),
        not_secret_names=frozenset(names["not_secret_names"]),
        mock_words=frozenset(names["mock_words"]),
        kinds=tuple((kind, frozenset(words)) for kind, words in names["kinds"].items()),
        inline_reference=re.compile("|".join(refs["inline"])),
        reference_prefixes=tuple(p.lower() for p in refs["prefixes"]),
        masked=frozenset(m.lower() for m in refs["masked"]),
        placeholder_substrings=tuple(s.lower() for s in holders["substrings"]),
        placeholder_values=frozenset(v.lower() for v in holders["values"]),
        placeholder_starts=tuple(s.lower() for s in holders["starts"]),
        aws_example_keys=frozenset(holders["aws_example_keys"]),
        mock_comment=re.compile(r"(?i)(?<![a-z])(?:" + "|".join(re.escape(w) for w in mock_words) + r")(?![a-z])"),
    )


_BODY = re.compile(r"\[([^\[\]]+)\]\{\d+(?:,\d+)?\}")


# --- names -------------------------------------------------------------------------------

_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")  # dbPassword -> db Password
_ACRONYM_WORD = re.compile(r"([A-Z])([A-Z][a-z])")  # OAuthToken -> O AuthToken
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


def _words(name: str) -> list[str]:
    """`OAuthToken` -> o, auth, token; `DB_PASSWORD` -> db, password."""
    spaced = _ACRONYM_WORD.sub(r"\1 \2", _LOWER_UPPER.sub(r"\1 \2", name))
    return [w.lower() for w in _SEPARATORS.split(spaced) if w]


def looks_like_secret_name(name: str) -> bool:
    """True when a variable, key, flag or parameter *name* says its value is a secret."""
    return secret_name_kind(name) is not None


def secret_name_kind(name: str) -> str | None:
    """'password' | 'secret' | 'token' | 'key' when `name` names a credential, else None."""
    if not isinstance(name, str) or not name or len(name) > 120:
        return None
    return _name_kind(name)


@lru_cache(maxsize=4096)
def _name_kind(name: str) -> str | None:
    # Names repeat across a run (Name, Value, commands): decide each once.
    m = model()
    compact = re.sub(r"[^a-z0-9]", "", name.lower())
    if compact in m.not_secret_names:
        return None
    words = _words(name)
    if not words or words[0] in m.not_before or not m.mock_words.isdisjoint(words):
        return None
    last, unit = -1, ""
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if (word, nxt) in m.secret_pairs:
            last, unit = i + 1, nxt
        elif word in m.secret_words and not (word == "pass" and nxt in m.pass_not_before):
            last, unit = i, word
        elif len(word) > 5 and word.endswith(m.secret_suffixes):
            last, unit = i, next(s for s in m.secret_suffixes if word.endswith(s))
    if last < 0 or any(w in m.not_after for w in words[last + 1 :]):
        return None
    if unit == "auth":
        return "secret"
    return next((kind for kind, members in m.kinds if unit in members), "secret")


# --- references and placeholders -----------------------------------------------------------

_PARAMETER_NAME = re.compile(r"/[A-Za-z0-9_.\-/${}]+")


def is_reference(value: str) -> bool:
    """True when the value names where a secret lives instead of holding it: `${X}`, `$X`,
    `$(cmd)`, `{{resolve:…}}`, `#{Ns.Var}`, an ARN, `ssm:`/`secretsmanager:` forms, a
    Parameter Store name, an already masked value (`****`)."""
    if not isinstance(value, str):
        return False
    text = value.strip().strip("'\"").strip()
    if not text:
        return False
    m = model()
    lower = text.lower()
    if lower in m.masked or set(text) == {"*"} or lower.startswith(m.reference_prefixes):
        return True
    if _PARAMETER_NAME.fullmatch(text) and text.count("/") >= 2 and _wordiness(m.inline_reference.sub("", text)) >= 0.5:
        return True  # /prod/app/db-password
    rest = m.inline_reference.sub("", text)
    # Nothing but references and punctuation left (`Bearer ${TOKEN}`, `${A}:${B}`).
    return rest != text and sum(c.isalnum() for c in rest) < 8


_BRACKETED = re.compile(r"<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\}|_+|-+|\.+")


def is_placeholder(value: str, name: str = "") -> bool:
    """True for values nobody would use as a real secret: `dummy`, `changeme`, `<token>`,
    `xxxx`, a value that repeats its name or calls itself a secret (`fbAppSecret`), a run
    of the alphabet (`abcdef…`), AWS's documented example keys."""
    if not isinstance(value, str):
        return True
    text = value.strip().strip("'\"").strip()
    m = model()
    if len(text) < 4 or text in m.aws_example_keys or "EXAMPLE" in text:
        return True
    lower = text.lower()
    if _BRACKETED.fullmatch(text) or lower in m.placeholder_values or lower.rstrip("0123456789") in m.placeholder_values:
        return True
    if lower.startswith(m.placeholder_starts) or any(s in lower for s in m.placeholder_substrings):
        return True
    if len(set(text)) <= 2 or _sequential(text):
        return True
    compact = re.sub(r"[^a-z0-9]", "", lower)
    if name:
        name_compact = re.sub(r"[^a-z0-9]", "", name.lower())
        if compact and (compact == name_compact or len(compact) >= 6 and compact in name_compact):
            return True
    # A word value that names itself a secret is a mock: `fbAppSecret`, `my-api-key`.
    return len(text) <= 40 and _IDENTIFIER.fullmatch(text) is not None and _SELF_NAMED.search(text) is not None


_SELF_NAMED = re.compile(r"(?i)password|passwd|secret|token|api[_\-]?key")


def _sequential(text: str) -> bool:
    """Mostly runs of consecutive characters: `abcdefghijklmnop`, `0123456789`,
    `aBcDeF…`, an RFC character-set constant. A random token almost never is."""
    if len(text) < 8:
        return False
    lower = text.lower()
    steps = sum(1 for a, b in pairwise(lower) if ord(b) - ord(a) == 1)
    return steps * 2 >= len(text)


def marked_as_mock(lines: Sequence[str], line: int, name: str = "") -> bool:
    """The file says the value on `line` (1-based), given to `name`, is test data: the name
    says so (`MOCK_API_KEY`, `fake_password`), or a comment on that line or in the comment
    lines above it within its block (up through lines of the same indentation, to the
    parent line, stopping at a blank line) uses a mock word (`# mock values`,
    `# dummy credentials for the tests`, `// fake`)."""
    if name and _mock_name(name):
        return True
    if not 0 < line <= len(lines):
        return False
    pattern = model().mock_comment
    target = lines[line - 1]
    if not target.strip():
        return False
    indent = len(target) - len(target.lstrip())
    if _comment_says(target, pattern):
        return True
    for number in range(line - 2, max(-1, line - 22), -1):
        text = lines[number]
        stripped = text.strip()
        if not stripped:
            return False
        depth = len(text) - len(text.lstrip())
        if stripped.startswith(("#", "//")):
            if depth <= indent and pattern.search(stripped):
                return True  # a comment of this block (a deeper one belongs to a nested block)
        elif depth < indent:
            return _comment_says(text, pattern)  # the parent line ends the block
    return False


def _comment_says(text: str, pattern: re.Pattern[str]) -> bool:
    for marker in ("#", "//"):
        index = text.find(marker)
        if index >= 0 and (index == 0 or text[index - 1].isspace()) and pattern.search(text, index):
            return True
    return False


# --- literal values ------------------------------------------------------------------------


def _entropy(text: str) -> float:
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    total = len(text)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def _looks_random(text: str) -> bool:
    """Mixed letters and digits with high entropy: a generated credential."""
    if len(text) < 16 or _sequential(text):
        return False
    kinds = any(c.islower() for c in text) + any(c.isupper() for c in text) + any(c.isdigit() for c in text)
    if kinds < 2:
        return False
    return _entropy(text) >= (3.0 if _HEX.fullmatch(text) else 3.6)


_HEX = re.compile(r"[0-9a-f]+")
_SEGMENT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")


def _wordiness(text: str) -> float:
    """Share of characters in word-like runs (three or more letters with a vowel): near 1
    for identifiers (`EnableS3AccessLogging`), low for generated tokens."""
    if not text:
        return 1.0
    wordy = sum(len(s) for s in _SEGMENT.findall(text) if len(s) >= 3 and s.isalpha() and _VOWEL.search(s))
    return wordy / len(text)


_NOT_A_SECRET_START = ("./", "../", "~/", "/", "http://", "https://", "s3://", "file:", "git@", "ssh://", "-")
_NOT_A_SECRET_END = (".json", ".yml", ".yaml", ".txt", ".sh", ".pem", ".key", ".env", ".cfg", ".ini", ".crt", ".p12", ".pfx", ".py", ".pub")
_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}")
_UPPER_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_CALL_OR_INDEX = re.compile(r"[\[(]")
_TEMPLATE = re.compile(r"\$\{|\{\{|\{[A-Za-z_0-9]*\}|%\(|%[sd]|<[^<>]*>")
_HOST = re.compile(r"[A-Za-z0-9.\-]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_.\-]*")  # no digits: a name, key or label
_KEY_VALUE_LIST = re.compile(r"[=,][^=]")
_REGEX_SYNTAX = re.compile(r"\\[wdsWDSbB]|\[\^|\(\?[:=!P<]|[\])][*+?]")


def _plausible(text: str) -> bool:
    """One opaque word that could be a password or token: not a path, URL, flag,
    variable name, code, template, sentence or filler."""
    if not 6 <= len(text) <= 4096 or any(c.isspace() for c in text):
        return False
    if text.startswith(_NOT_A_SECRET_START) or text.lower().endswith(_NOT_A_SECRET_END):
        return False
    if text.replace(".", "").isdigit() and len(text) < 10 or _COLOR.fullmatch(text):
        return False  # a version, a port, a short number, a colour
    if _variable_name(text) or _code(text) or _TEMPLATE.search(text) or _email(text):
        return False
    if _KEY_VALUE_LIST.search(text) or _REGEX_SYNTAX.search(text):
        return False  # id=npmrc,src=.npmrc; [^\W\d]\w*
    if _IDENTIFIER.fullmatch(text):
        # Letters only: a label or key, unless long and mixed case like a random segment.
        return len(text) >= 16 and "_" not in text and not text.islower() and not text.isupper() and _wordiness(text) < 0.8
    return len(set(text)) >= max(4, len(text) // 4)


def _variable_name(text: str) -> bool:
    """Another variable's NAME (`SECRET_ENV=GITHUB_TOKEN`) or an upper-case word."""
    return _UPPER_NAME.fullmatch(text) is not None and ("_" in text.strip("_") or text.isalpha())


def _code(text: str) -> bool:
    """Inline code, not a value: `self.password`, `get_key()`, `os.environ['X']`."""
    call = _CALL_OR_INDEX.search(text)
    head = text[: call.start()] if call else text
    parts = head.split(".")
    return all(p.isidentifier() for p in parts) and (call is not None or len(parts) > 1)


def _email(text: str) -> bool:
    """An e-mail address (anonymous FTP's conventional "password")."""
    local, at, domain = text.partition("@")
    if not at or not local or any(c in "@:/" for c in local) or not _HOST.fullmatch(domain):
        return False
    top = domain.rsplit(".", 1)
    return len(top) == 2 and len(top[1]) >= 2 and top[1].isalpha()


def _secret_literal(value: str, name: str) -> bool:
    """`value`, given to a secret-like `name`, is a real-looking secret."""
    return _plausible(value) and not is_reference(value) and not is_placeholder(value, name)


def _aws_secret_shape(text: str) -> bool:
    """40 base64 characters with lower and upper case and digits (not a git SHA)."""
    return (
        len(text) == 40
        and _BASE64_40.fullmatch(text) is not None
        and any(c.islower() for c in text)
        and any(c.isupper() for c in text)
        and any(c.isdigit() for c in text)
        and _entropy(text) >= 4.0
    )


_BASE64_40 = re.compile(r"[A-Za-z0-9/+]{40}")
_HEX_OR_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-f]+|[0-9A-F]+|sha\d+:[0-9a-f]+")
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9+/=_\-]+")


def _mock_name(name: str) -> bool:
    return len(name) <= 120 and not model().mock_words.isdisjoint(_words(name))


def classify_value(value: str, *, name: str = "") -> SecretMatch | None:
    """The secret in `value`, the value of `name`, or None (see the module docstring)."""
    if not isinstance(value, str) or not value.strip() or name and _mock_name(name):
        return None
    found = find_secrets(value)
    if found:
        return max(found, key=lambda s: (_RANK[s.confidence], s.end - s.start))
    stripped = value.strip()
    kind = secret_name_kind(name) if name else None
    if len(stripped) < (6 if kind else 24) or len(stripped) > 4096 or any(c.isspace() for c in stripped) or is_reference(stripped):
        return None
    lead = len(value) - len(value.lstrip())
    span = (lead, lead + len(stripped))
    if _aws_secret_shape(stripped) and not is_placeholder(stripped, name):
        confidence = "medium" if not name or kind else "low"
        return SecretMatch("aws-secret-access-key", confidence, *span, "AWS secret access key", "aws")
    if kind:
        if not _secret_literal(stripped, name):
            return None
        return SecretMatch("keyword", "medium", *span, f"value of '{name}'", "generic")
    opaque = len(re.split(r"[-_.]", stripped)) < 3 and _TOKEN_CHARS.fullmatch(stripped) and not _HEX_OR_UUID.fullmatch(stripped)
    if opaque and _looks_random(stripped) and _entropy(stripped) >= 4.2 and _wordiness(stripped) < 0.5 and not is_placeholder(stripped, name):
        return SecretMatch("high-entropy", "low", *span, "high-entropy string", "generic")
    return None


# --- finding secrets in text ----------------------------------------------------------------

# NAME=value, name: value, "name": "value", name = "value", os.environ["NAME"] = "value".
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.\-])(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,80})(?P<close>[\"']?\]?)"
    r"[ \t]*(?P<op>[!=]=|:=|=|:)[ \t]*(?P<q>[bBrRuUfF]{0,2}[\"']|)(?P<value>[^\s\"'`;&|]{0,4096})"
)
# --name value, --name=value, -p value (after `login`).
_FLAG = re.compile(r"(?<![A-Za-z0-9_\-])--?(?P<flag>[A-Za-z][A-Za-z0-9\-]{0,40})(?:=|[ \t]+)(?P<q>[\"']?)(?P<value>[^\s\"'`;&|]{0,4096})")
# A CloudFormation/ECS `Name: X` whose sibling `Value:` holds X's value.
_NAME_KEY = re.compile(r"(?<![A-Za-z0-9_])[\"']?(?:Name|name|NAME)[\"']?[ \t]*[:=][ \t]*[\"']?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]{0,80})")
_VALUE_KEY = re.compile(r"(?<![A-Za-z0-9_])[\"']?(?:Value|value|VALUE)[\"']?[ \t]*[:=][ \t]*(?P<q>[\"']?)(?P<value>[^\s\"'`;&|,}]{0,4096})")
# scheme://user:password@host and https://TOKEN@host.
# After a URL's `://`: user:password@host, or a token alone as the user (https://TOKEN@host).
_URL_PASSWORD = re.compile(r"://[^\s:/@\"'`]{0,256}:(?P<value>[^\s/@\"'`]{1,512})@(?=[A-Za-z0-9\[])")
_URL_TOKEN = re.compile(r"://(?P<value>[A-Za-z0-9_\-]{20,512})@(?=[A-Za-z0-9\[])")
_SCHEME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-")
_SECRET_SPELLINGS = ("secret", "Secret", "SECRET")
_KEY_WINDOW = 300  # a key name, its separator and blanks, and the 40-character key
_AUTH_HEADER = re.compile(r"(?i)authorization[\"']?[ \t]*[:=][ \t]*[\"']?(?:bearer|basic|token)[ \t]+(?P<value>[A-Za-z0-9._~+/=\-]{8,8192})")
_PEM_HEADER = re.compile(r"-----BEGIN ([A-Z0-9 ]{0,40})-----")
_PEM_FOOTER = "-----END "
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{40}")
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]{16,}")
_BARE_40 = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
# How far from an access key ID a bare 40-character secret key is taken as its pair.
_PAIR_WINDOW = 400
_NAME_VALUE_WINDOW = 300
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
# Unquoted, a value that starts like a YAML tag, anchor, alias, block scalar, flow collection
# or comment, or holds brackets, is syntax or code, not a literal.
_EXPRESSION_MARKS = re.compile(r"^[!&*|>\[{(#@,]|[()\[\]{}<>]")
_UNQUOTED_END = re.compile(r"[;&|,)}\]>\\]")


def find_secrets(text: str) -> list[SecretMatch]:
    """Every secret inside `text` in order of position; where two overlap, the more
    certain (then the longer) wins."""
    if not isinstance(text, str) or len(text) < 8:
        return []
    m = model()
    if not m.trigger.search(text):
        return []  # no format's prefix, no assignment and no flag: the common case, kept cheap
    found: list[SecretMatch] = []
    found.extend(_formats(text, m))
    found.extend(_private_keys(text, m))
    found.extend(_aws_secret_keys(text, m, found))
    found.extend(_npmrc(text, m))
    found.extend(_urls(text))
    found.extend(_auth_headers(text))
    found.extend(_assignments(text))
    found.extend(_flags(text))
    found.extend(_name_value_pairs(text))
    return _dedupe(found)


def _formats(text: str, m: _Model) -> Iterable[SecretMatch]:
    # One scan finds every prefix; each format then matches (or not) right there.
    for candidate in m.prefix_finder.finditer(text):
        for fmt in m.formats_at[candidate.group()]:
            match = fmt.pattern.match(text, candidate.start())
            if match is None:
                continue
            start, end = match.span()
            if end < len(text) and text[end] in _ALNUM:
                continue  # part of a longer word
            while text[end - 1] == "." and end - start > 8:
                end -= 1  # a sentence's full stop, not the token's
            secret = text[start:end]
            prefix = next(p for p in fmt.prefixes if secret.startswith(p))
            body = secret[len(prefix) :]
            if secret in m.aws_example_keys or "EXAMPLE" in secret or _filler(body):
                continue
            yield SecretMatch(fmt.kind, "high", start, end, fmt.description, fmt.category, len(prefix))


def _filler(body: str) -> bool:
    """The variable part of a token is not random: `xxxx…`, `0000…`, `abcdef…`, `your-token`."""
    if len(set(body)) < max(4, min(16, len(body) // 5)) or _sequential(body):
        return True
    lower = body.lower()
    return any(s in lower for s in ("example", "sample", "dummy", "xxxx", "placeholder", "changeme", "redacted", "your"))


def _private_keys(text: str, m: _Model) -> Iterable[SecretMatch]:
    for header in _PEM_HEADER.finditer(text):
        label = header.group(1)
        if not any(label == l or label.endswith(" " + l) for l in m.private_key_labels):
            continue
        body_start = header.end()
        footer = text.find(_PEM_FOOTER, body_start)
        next_header = text.find("-----BEGIN ", body_start)
        if footer >= 0 and (next_header < 0 or footer < next_header):
            body_end = footer
        else:
            body_end = _unterminated_body(text, body_start)
        body = text[body_start:body_end]
        if not _BASE64_RUN.search(body) or "${" in body or "EXAMPLE" in body or re.search(r"\$[A-Z_]", body):
            continue
        body_end = _rstrip_body(text, body_start, body_end)
        yield SecretMatch("private-key", "high", header.start(), body_end, "private key", "private-key", header.end() - header.start())


def _rstrip_body(text: str, start: int, end: int) -> int:
    """Without the blanks, quotes and `\\n` escapes that end the body."""
    while end > start:
        if end - 2 >= start and text[end - 2 : end] == "\\n":
            end -= 2
        elif text[end - 1] in " \t\r\n\"',":
            end -= 1
        else:
            break
    return end


def _unterminated_body(text: str, start: int) -> int:
    """Without an END line, the key body is the rest of the header's line and the following
    lines that hold nothing but base64."""
    line_end = text.find("\n", start)
    if line_end < 0:
        return len(text)
    end = line_end
    while end < len(text):
        nxt = text.find("\n", end + 1)
        stop = len(text) if nxt < 0 else nxt
        line = text[end + 1 : stop].strip().strip("\"',").replace("\\n", "")
        if not _BASE64_LINE.fullmatch(line):
            break
        end = stop
    return end


def _positions(text: str, words: tuple[str, ...]) -> Iterable[int]:
    """Where any of `words` occurs (str.find: far faster than a case-insensitive regex scan)."""
    for word in words:
        at = text.find(word)
        while at >= 0:
            yield at
            at = text.find(word, at + 1)


def _aws_secret_keys(text: str, m: _Model, found: list[SecretMatch]) -> Iterable[SecretMatch]:
    # Every key name holds "secret": try the pattern only around those places.
    matches = (m.aws_secret_key.search(text, max(0, at - 4), at + _KEY_WINDOW) for at in _positions(text, _SECRET_SPELLINGS))
    for match in matches:
        if match is None:
            continue
        start, end = match.span(1)
        if end < len(text) and text[end] in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=":
            continue
        secret = match.group(1)
        if not is_placeholder(secret) and not _sequential(secret):
            yield SecretMatch("aws-secret-access-key", "high", start, end, "AWS secret access key", "aws")
    # A bare secret key beside its access key ID (a credentials CSV, `echo ID SECRET`).
    for key_id in [f for f in found if f.kind == "aws-access-key-id"]:
        lo, hi = max(0, key_id.start - _PAIR_WINDOW), min(len(text), key_id.end + _PAIR_WINDOW)
        for match in _BARE_40.finditer(text, lo, hi):
            if _aws_secret_shape(match.group(0)) and not is_placeholder(match.group(0)):
                yield SecretMatch("aws-secret-access-key", "high", *match.span(), "AWS secret access key", "aws")


def _npmrc(text: str, m: _Model) -> Iterable[SecretMatch]:
    for match in m.npmrc.finditer(text):
        before = text[match.start() - 1] if match.start() else "\n"
        if before not in ":\n \t\"'":
            continue
        if _secret_literal(match.group(2), "_authToken") or _looks_random(match.group(2)):
            yield SecretMatch("npm-auth-token", "high", *match.span(2), "npm _authToken", "registry")


def _urls(text: str) -> Iterable[SecretMatch]:
    for at in _positions(text, ("://",)):
        if not at or text[at - 1] not in _SCHEME_CHARS:
            continue
        match = _URL_PASSWORD.match(text, at)
        if match:
            password = match.group("value")
            if not password.startswith(("$", "%", "{", "<", "#{")) and not is_reference(password) and not is_placeholder(password):
                yield SecretMatch("url-credentials", "high", *match.span("value"), "credentials in a URL", "token")
        match = _URL_TOKEN.match(text, at)
        if match and text[max(0, at - 5) : at].lower().endswith(("http", "https")) and _looks_random(match.group("value")):
            yield SecretMatch("url-token", "high", *match.span("value"), "token in a URL", "token")


def _auth_headers(text: str) -> Iterable[SecretMatch]:
    for match in _AUTH_HEADER.finditer(text):
        value = match.group("value")
        if not is_reference(value) and (_looks_random(value) or _secret_literal(value, "token")):
            yield SecretMatch("authorization-header", "high", *match.span("value"), "credentials in an Authorization header", "token")


def _value_end(text: str, match: re.Match[str], quote: str) -> int:
    """Where an assigned value ends: at its closing quote on the same line (the pattern
    stops at `;&|`, which a quoted value may hold), or unquoted at the first shell or
    flow-collection delimiter. -1 when a quoted value does not close on its line."""
    start, end = match.span("value")
    if quote:
        close = text.find(quote[-1], start, start + 4096)
        return close if close >= 0 and "\n" not in text[start:close] else -1
    stop = _UNQUOTED_END.search(text, start, end)
    return stop.start() if stop else end


def _assignments(text: str) -> Iterable[SecretMatch]:
    for match in _ASSIGNMENT.finditer(text):
        op, quote = match.group("op"), match.group("q")
        if op == ":" and not quote and match.start("value") == match.end("op"):
            continue  # `a:b` is an ARN, a time or a URL, not a mapping
        if op == "=" and match.start("op") == match.end("close") and match.start("q") > match.end("op"):
            continue  # shell `NAME= next-word`: NAME is set to the empty string
        if not quote and op != "=" and op != ":" or "f" in quote.lower():
            continue  # `token == other`, `x := y`, f"…": expressions and templates, not literals
        name = match.group("name").rstrip(".-")
        if not looks_like_secret_name(name.rsplit(".", 1)[-1]):  # self.password, Token.String
            continue
        end = _value_end(text, match, quote)
        start = match.start("value")
        if end <= start:
            continue
        value = text[start:end]
        if value.startswith(("=", "$", "{", "%", "<", "-")) or not quote and _EXPRESSION_MARKS.search(value):
            continue
        if _secret_literal(value, name):
            yield SecretMatch("keyword", "medium", start, end, f"value of '{name}'", "generic")


def _flags(text: str) -> Iterable[SecretMatch]:
    if "-" not in text:
        return
    for match in _FLAG.finditer(text):
        flag = match.group("flag")
        if flag == "p":
            line_start = text.rfind("\n", 0, match.start()) + 1
            if " login" not in text[line_start : match.start()]:
                continue
            name = "password"
        elif looks_like_secret_name(flag):
            name = flag
        else:
            continue
        end = _value_end(text, match, match.group("q"))
        start = match.start("value")
        value = text[start:end] if end > start else ""
        if value and not value.startswith(("-", "$", "{", "%", "<")) and _secret_literal(value, name):
            yield SecretMatch("keyword", "medium", start, end, f"value of '{flag}'", "generic")


def _name_value_pairs(text: str) -> Iterable[SecretMatch]:
    if "alue" not in text and "ALUE" not in text:
        return
    for match in _NAME_KEY.finditer(text):
        name = match.group("name")
        if not looks_like_secret_name(name):
            continue
        window_end = min(len(text), match.end() + _NAME_VALUE_WINDOW)
        value = _VALUE_KEY.search(text, match.end(), window_end)
        if value is None or _NAME_KEY.search(text, match.end(), value.start()):
            continue  # no Value, or it belongs to the next Name
        end = _value_end(text, value, value.group("q"))
        start = value.start("value")
        if end > start and _secret_literal(text[start:end], name):
            yield SecretMatch("keyword", "medium", start, end, f"value of '{name}'", "generic")


def _dedupe(found: list[SecretMatch]) -> list[SecretMatch]:
    """Keep the most certain, then the longest, of overlapping matches (sorted sweeps
    against a sorted list of kept spans: no quadratic pass on many matches)."""
    starts: list[int] = []
    kept: list[SecretMatch] = []
    for match in sorted(found, key=lambda s: (-_RANK[s.confidence], -(s.end - s.start), s.start)):
        i = bisect.bisect_left(starts, match.start)
        if i < len(kept) and kept[i].start < match.end or i and kept[i - 1].end > match.start:
            continue
        starts.insert(i, match.start)
        kept.insert(i, match)
    return kept


# --- redaction -----------------------------------------------------------------------------


def _shown(secret: str) -> int:
    """How much of `secret` is a non-secret prefix: a format's prefix or a PEM header."""
    header = _PEM_HEADER.match(secret)
    if header:
        return header.end()
    return next((len(p) for p in model().prefixes if secret.startswith(p)), 0)


def redact(secret: str) -> str:
    """The one way lintkit shows a secret in a message: its non-secret prefix, then
    `****` (`AKIA****`, `ghp_****`, `****`); never any of the secret part, nor its length."""
    if not isinstance(secret, str):
        return MASK
    text = secret.strip().strip("'\"").strip()
    return text[: _shown(text)] + MASK


_QUOTE_PREFIX = re.compile(r"[bBrRuUfF]{0,2}(?:\"\"\"|'''|\"|')")


def mask_text(text: str, spans: Iterable[tuple[int, int]] = ()) -> str:
    """`text` with every secret `find_secrets` sees, and every `(start, end)` span given
    (secrets a check found by structure), starred out in place. The non-secret prefix
    stays (`AKIA****************`); line breaks and blanks stay, so every line and
    column of the text still holds; quotes around a span are kept."""
    if not isinstance(text, str) or not text:
        return text
    ranges = [(s.start + s.shown, s.end) for s in find_secrets(text)]
    for start, end in spans:
        start, end = _inside_quotes(text, max(0, start), min(len(text), end))
        ranges.append((start + _shown(text[start:end]), end))
    if not ranges:
        return text
    chars = list(text)
    for start, end in ranges:
        for i in range(start, end):
            if not chars[i].isspace():
                chars[i] = "*"
    return "".join(chars)


def _inside_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without its surrounding blanks and string quotes (`"…"`, `b'…'`, `\"\"\"…\"\"\"`)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    opening = _QUOTE_PREFIX.match(text, start, end)
    if opening:
        quote = opening.group(0).lstrip("bBrRuUfF")
        if end - opening.end() >= len(quote) and text[end - len(quote) : end] == quote:
            return opening.end(), end - len(quote)
    return start, end
