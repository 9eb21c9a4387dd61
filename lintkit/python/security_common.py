"""Shared helpers for the PSC detectors: file roles and security vocabulary."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from astroid import nodes

from lintkit.python.calls import words
from lintkit.python.walk import nodes_of

# Identifier words that make a value security-relevant (weak random, weak hash): the
# value is, or is stored as, a password, secret, token, session or cookie value.
SENSITIVE_WORDS = frozenset(
    {
        "password", "passwd", "passphrase", "pwd", "secret", "token", "nonce", "salt", "otp", "totp", "hotp", "csrf",
        "xsrf", "session", "sessionid", "sid", "credential", "credentials", "apikey", "signature", "captcha",
        "pin", "iv", "hmac", "cookie", "auth", "authenticate", "authentication",
    }
)
SENSITIVE_PAIRS = frozenset(
    {
        ("api", "key"), ("secret", "key"), ("private", "key"), ("access", "key"), ("encryption", "key"),
        ("signing", "key"), ("session", "key"), ("reset", "code"), ("verification", "code"), ("activation", "code"),
        ("confirmation", "code"), ("one", "time"), ("remember", "me"), ("auth", "code"), ("login", "code"),
    }
)
# Words that, as the *last* word, make the name about something else
# (`token_count`, `password_field`, `session_timeout`).
_NOT_A_VALUE = frozenset(
    {
        "count", "counts", "length", "len", "timeout", "ttl", "delay", "interval", "age", "expiry", "name", "names",
        "field", "type", "index", "idx", "size", "limit", "retries", "attempts", "url", "path", "file", "header",
        "label", "prompt", "message", "msg", "error", "engine", "backend", "class", "cls", "id", "ids", "tokens",
        "tokenizer", "shuffle", "jitter", "order", "sample", "samples", "weight", "weights", "color", "colour",
        "port", "host", "seed", "dir", "mode",
    }
)
# Words that keep their meaning inside a lowercase compound (`newpassword`, `clientsecret`,
# `csrftoken`). Not `session`: `dbsession`, `httpsession` are connections, not secrets.
_STRONG_SUBSTRINGS = ("password", "passwd", "secret", "csrf", "nonce", "token")


def sensitive_identifier(identifier: str) -> bool:
    """`reset_token`, `newpassword`, `SECRET_KEY`, `rememberMe`, `generate_password` -> True;
    `token_count`, `session_timeout`, `tokens`, `dbsession` -> False."""
    ws = words(identifier)
    if not ws or ws[-1] in _NOT_A_VALUE:
        return False
    if any(w in SENSITIVE_WORDS for w in ws):
        return True
    if any(pair in SENSITIVE_PAIRS for pair in zip(ws, ws[1:])):
        return True
    return any(s in w for w in ws for s in _STRONG_SUBSTRINGS if not w.startswith("tokeni") and w != "tokens")


def is_settings_file(relpath: str) -> bool:
    """Deployed configuration: Django `settings.py` / `settings/<env>.py`, Flask
    `config.py`; not development, local or test variants."""
    path = PurePosixPath(relpath.replace("\\", "/").lower())
    stem = path.stem
    if any(marker in stem for marker in ("dev", "local", "test", "debug", "example", "sample", "ci")):
        return False
    if path.suffix != ".py":
        return False
    if stem in ("settings", "config", "production", "prod", "settings_prod", "settings_production"):
        return True
    return path.parent.name in ("settings", "config")


def imports_module(module: nodes.Module, prefix: str) -> bool:
    for node in nodes_of(module, (nodes.Import, nodes.ImportFrom)):
        names = [n for n, _ in node.names] if isinstance(node, nodes.Import) else [node.modname or ""]
        if any(n == prefix or n.startswith(prefix + ".") for n in names):
            return True
    return False


def is_true(node: Any) -> bool:
    return isinstance(node, nodes.Const) and node.value is True


def is_false(node: Any) -> bool:
    return isinstance(node, nodes.Const) and node.value is False


def under_option_guard(node: Any, words_: tuple[str, ...]) -> bool:
    """True when `node` sits in a branch chosen by a configuration switch (an
    `if`/ternary whose test names one of `words_`, or the code after an
    `if verified: return ...` that such a test ended early): a library
    implementing a user's `verify=False`, not code that disables it."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, (nodes.FunctionDef, nodes.Module, nodes.ClassDef)):
        if isinstance(parent, (nodes.If, nodes.IfExp)) and child is not parent.test and _names_switch(parent.test, words_):
            return True
        if getattr(child, "is_statement", False) and any(_ends_early_on_switch(s, words_) for s in _previous_statements(child)):
            return True
        child, parent = parent, parent.parent
    return any(_ends_early_on_switch(s, words_) for s in _previous_statements(child)) if getattr(child, "is_statement", False) else False


def _names_switch(test: Any, words_: tuple[str, ...]) -> bool:
    text = test.as_string().lower()
    return any(w in text for w in words_)


def _previous_statements(stmt: Any) -> list[Any]:
    found = []
    prev = stmt.previous_sibling()
    while prev is not None:
        found.append(prev)
        prev = prev.previous_sibling()
    return found


def _ends_early_on_switch(stmt: Any, words_: tuple[str, ...]) -> bool:
    """`if verified: return ...` (no else): what follows runs only when the switch is off."""
    return (
        isinstance(stmt, nodes.If)
        and not stmt.orelse
        and bool(stmt.body)
        and isinstance(stmt.body[-1], (nodes.Return, nodes.Raise))
        and _names_switch(stmt.test, words_)
    )


__all__ = [
    "SENSITIVE_PAIRS",
    "SENSITIVE_WORDS",
    "imports_module",
    "is_false",
    "is_settings_file",
    "is_true",
    "sensitive_identifier",
    "under_option_guard",
]
