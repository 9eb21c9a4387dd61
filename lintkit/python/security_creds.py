"""PSC006 hardcoded-credentials: secrets written into Python source.

Values are judged by `lintkit.secrets`, exactly as the CI/CD rules judge them: a literal
given to a secret-like name (assigned, passed as a keyword, a dict key, a parameter
default, compared with), a credential passed to boto3, or a token recognisable on sight.

A literal the program certainly uses as a credential is reported whatever it looks like
(a word is a guessable key, not a placeholder): the value of a framework's signing key
(`SECRET_KEY = "..."`, `app.secret_key`, `app.config["SECRET_KEY"]`), the password or key
argument of a connect/bind/sign API (`MySQLdb.connect(host, user, "pw")`,
`conn.simple_bind_s(dn, "pw")`, `jwt.encode(claims, "key")`), and a token or password
compared with a literal (`if token == "admin"`); only values meant to be replaced
(`changeme`, `<your-key>`, `${SECRET}`, empty) are not. Values the file marks as mock
data (`# mock values`) are skipped."""

from __future__ import annotations

import re
from typing import Any

from astroid import nodes

from lintkit import secrets
from lintkit.api import is_test_path
from lintkit.python.calls import argument, call_name, constant, is_example_path, last_identifier, words
from lintkit.python.walk import nodes_of

CODE = "PSC006"
_FIX = "Load the credential at run time (environment, AWS Secrets Manager, SSM Parameter Store) and rotate it"

# boto3 credential parameters, by position for client()/resource() and Session().
_BOTO3_PARAMS = {
    "boto3.client": {6: "aws_access_key_id", 7: "aws_secret_access_key", 8: "aws_session_token"},
    "boto3.resource": {6: "aws_access_key_id", 7: "aws_secret_access_key", 8: "aws_session_token"},
    "boto3.Session": {0: "aws_access_key_id", 1: "aws_secret_access_key", 2: "aws_session_token"},
    "boto3.session.Session": {0: "aws_access_key_id", 1: "aws_secret_access_key", 2: "aws_session_token"},
}


# Names whose value is the application's signing key (Flask, Django, JWT extensions).
_SIGNING_KEYS = frozenset({"secret_key", "jwt_secret_key", "jwt_secret", "wtf_csrf_secret_key", "secret_key_base"})
# Credential arguments of real APIs, by position (keywords are named and judged as such).
_CREDENTIAL_ARGS = {
    "MySQLdb.connect": {2: "passwd"},
    "pymysql.connect": {2: "password"},
    "ldap3.Connection": {2: "password"},
    "ftplib.FTP": {2: "passwd"},
    "ftplib.FTP_TLS": {2: "passwd"},
    "jwt.encode": {1: "key"},
    "jwt.decode": {1: "key"},
    "hmac.new": {0: "key"},
    "itsdangerous.URLSafeTimedSerializer": {0: "secret_key"},
    "itsdangerous.URLSafeSerializer": {0: "secret_key"},
    "requests.auth.HTTPBasicAuth": {1: "password"},
}
# Methods whose receiver is a connection of a credential protocol (python-ldap, smtplib,
# ftplib, imaplib, poplib, paramiko): the password position.
_CREDENTIAL_METHODS = {"simple_bind_s": 1, "simple_bind": 1, "bind_s": 1, "starttls_login": 1, "pass_": 0}
# Values a comparison with a token or password name may legitimately hold.
_NOT_CREDENTIALS = frozenset({"none", "null", "nil", "true", "false", "undefined", "bearer", "basic", "digest", "token", "jwt"})
_TO_REPLACE = ("changeme", "change_me", "change-me", "your_", "your-", "yoursecret", "replace", "xxxx", "example", "dummy",
               "placeholder", "todo", "fixme", "insert", "<", "{{", "${", "%(")


def in_use(value: str) -> bool:
    """A literal the program uses as a credential: anything but nothing, a reference, a
    value that asks to be replaced, or the name of a setting (`"aws_secret_access_key"`)."""
    text = value.strip()
    lower = text.lower()
    if len(text) < 4 or secrets.is_reference(text) or any(mark in lower for mark in _TO_REPLACE):
        return False
    if len(text.split()) >= 3:
        return False  # a sentence ("This is not a secret, be sure to change this.")
    return _SETTING_NAME.fullmatch(text) is None


_SETTING_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# A compared name is a credential when it ends with one and says nothing else is done with it:
# `token`, `api_token`, `admin_password`; not `update_password` (a mode), `password_policy`.
_CREDENTIAL_NOUNS = frozenset({"password", "passwd", "pwd", "passphrase", "token", "secret", "apikey"})
_NOT_THE_VALUE = frozenset({"update", "change", "reset", "set", "use", "require", "required", "check", "verify", "validate",
                            "has", "is", "show", "hide", "enable", "disable", "store", "save", "remember", "expire", "new", "type"})


def _is_identifier(value: Any) -> bool:
    """A class's `SECRET_KEY = "AWSSecretKey"`: the name of a field it reads, not a key."""
    return isinstance(value, nodes.Const) and isinstance(value.value, str) and value.value.isidentifier()


def _credential_name(name: str) -> bool:
    ws = words(name)
    return bool(ws) and ws[-1] in _CREDENTIAL_NOUNS and not _NOT_THE_VALUE.intersection(ws[:-1])


def hardcoded_credentials(module: nodes.Module, ctx: Any) -> None:
    reported: set[int] = set()

    def report(value_node: Any, message: str, kind: str = "") -> None:
        if id(value_node) not in reported and not secrets.marked_as_mock(ctx.lines, value_node.lineno):
            reported.add(id(value_node))
            # `secret_kind` marks the literal as the secret: reports mask it wherever they show it.
            ctx.report(CODE, value_node, message, fix=_FIX, properties={"secret_kind": kind} if kind else None)

    # test code and examples hold made-up values; a provider's token format there is still a leak
    made_up = (is_test_path(ctx.path) or is_example_path(ctx.path)) and not ctx.option(CODE, "all-in-tests")
    for call in nodes_of(module, nodes.Call):
        _boto3(call, report)
    judged: set[int] = set()
    if not made_up:
        for name, value_node, why in _credentials_in_use(module):
            value = value_node.value.decode("latin-1") if isinstance(value_node.value, bytes) else value_node.value
            if in_use(value) and not secrets.marked_as_mock(ctx.lines, value_node.lineno, name):
                judged.add(id(value_node))
                report(value_node, f"hard-coded {why}: {secrets.redact(value.strip())}", "keyword")
    for name, value_node in _named_literals(module):
        judged.add(id(value_node))
        value = value_node.value
        match = secrets.classify_value(value, name=name)  # None under a mock name (MOCK_API_KEY)
        # several lines of text (EXAMPLES = """...""") are documentation: only a known format there
        # (a provider's token, a PEM private key), no `password: x` or URL credentials
        documentation = "\n" in value.strip() and match is not None and (match.confidence != "high" or match.kind in _TEST_DATA_KINDS)
        if match is not None and _reportable(match, made_up) and not documentation:
            word = secrets.secret_name_kind(name) or "secret" if match.kind == "keyword" else match.description
            report(value_node, f"hard-coded {word} in '{name}': {match.redacted(value)}",
                   match.kind if match.secret(value) == value.strip() else "")
    for const in nodes_of(module, nodes.Const):
        if id(const) in judged or not isinstance(const.value, str) or len(const.value) < 16 or _is_docstring(const):
            continue
        match = next((m for m in secrets.find_secrets(const.value) if _reportable(m, made_up) and m.confidence == "high"), None)
        if match is not None:
            report(const, f"hard-coded {match.description} {match.redacted(const.value)}")


def _credentials_in_use(module: nodes.Module) -> list[tuple[str, nodes.Const, str]]:
    """(name, literal, what it is) for literals certainly used as credentials."""
    out: list[tuple[str, nodes.Const, str]] = []

    def add(name: str, value: Any, why: str) -> None:
        if isinstance(value, nodes.Const) and isinstance(value.value, (str, bytes)):
            out.append((name, value, why))

    for node in nodes_of(module, (nodes.Assign, nodes.Call, nodes.Compare)):
        if isinstance(node, nodes.Assign):
            in_class = isinstance(node.parent, nodes.ClassDef)
            for target in node.targets:
                name = _target_name(target)
                if name.lower() in _SIGNING_KEYS and not (in_class and _is_identifier(node.value)):
                    add(name, node.value, f"signing key '{name}'")
        elif isinstance(node, nodes.Call):
            qual = call_name(node) or ""
            positions = dict(_CREDENTIAL_ARGS.get(qual, {}))
            method = node.func.attrname if isinstance(node.func, nodes.Attribute) else ""
            if not positions and method in _CREDENTIAL_METHODS:
                positions = {_CREDENTIAL_METHODS[method]: "password"}
            for position, param in positions.items():
                if position < len(node.args) and not any(isinstance(a, nodes.Starred) for a in node.args[: position + 1]):
                    add(param, node.args[position], f"{param} passed to {qual or method}()")
        elif len(node.ops) == 1 and node.ops[0][0] in ("==", "!="):
            left, right = node.left, node.ops[0][1]
            name, literal = (_compared_name(left), right) if isinstance(right, nodes.Const) else (_compared_name(right), left)
            kind = secrets.secret_name_kind(name) if name and _credential_name(name) else None
            if kind in ("password", "token", "secret") and isinstance(literal, nodes.Const) and isinstance(literal.value, str):
                if literal.value.strip().lower() not in _NOT_CREDENTIALS:
                    add(name, literal, f"{kind} compared with a literal in '{name}'")
    return out


def _compared_name(node: Any) -> str:
    """What a compared value is called: a name, an attribute, or the key it was read by
    (`headers["X-Api-Token"]`, `headers.get("token")`)."""
    key = node.slice if isinstance(node, nodes.Subscript) else node.args[0] if (
        isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute) and node.func.attrname == "get" and node.args) else None
    if isinstance(key, nodes.Const) and isinstance(key.value, str):
        return key.value
    if isinstance(node, nodes.Call):
        return ""  # a function's name says what it does, not what its result holds (parser._current_token())
    return last_identifier(node)


_TEST_DATA_KINDS = frozenset({"url-credentials", "authorization-header"})


def _reportable(match: secrets.SecretMatch, made_up: bool) -> bool:
    """Outside tests a known format or a literal under a secret-like name; in test code only
    a provider's token format: no private key (key fixtures are everyday test data for crypto
    and SSH code) and no `user:password@` in a URL (URL-parsing tests are full of them)."""
    if made_up:
        return match.confidence == "high" and match.category != "private-key" and match.kind not in _TEST_DATA_KINDS
    return match.confidence != "low"


def _boto3(call: nodes.Call, report: Any) -> None:
    params = _BOTO3_PARAMS.get(call_name(call) or "")
    if not params:
        return
    for position, param in params.items():
        node = argument(call, position, param)
        value = constant(node) if node is not None else None
        if not isinstance(value, str) or not value:
            continue
        match = secrets.classify_value(value, name=param)
        if match is None or match.confidence == "low" or param == "aws_access_key_id" and match.kind != "aws-access-key-id":
            continue
        report(node, f"hard-coded AWS credential '{param}' passed to {call_name(call)}(): {match.redacted(value)}", match.kind)


def _named_literals(module: nodes.Module) -> list[tuple[str, nodes.Const]]:
    """(name, string literal) pairs: assignments, keywords, dict items,
    parameter defaults and comparisons."""
    out: list[tuple[str, nodes.Const]] = []

    def add(name: str, value: Any) -> None:
        if name and isinstance(value, nodes.Const) and isinstance(value.value, str):
            out.append((name, value))

    for node in nodes_of(module, (nodes.Assign, nodes.AnnAssign, nodes.Keyword, nodes.Dict, nodes.Arguments, nodes.Compare)):
        if isinstance(node, nodes.Assign):
            for target in node.targets:
                add(_target_name(target), node.value)
        elif isinstance(node, nodes.AnnAssign):
            add(_target_name(node.target), node.value)
        elif isinstance(node, nodes.Keyword):
            add(node.arg or "", node.value)
        elif isinstance(node, nodes.Dict):
            for key, value in node.items:
                if isinstance(key, nodes.Const) and isinstance(key.value, str):
                    add(key.value, value)
        elif isinstance(node, nodes.Arguments):
            positional = (node.posonlyargs or []) + (node.args or [])
            defaults = node.defaults or []
            for arg, default in zip(positional[len(positional) - len(defaults):], defaults):
                add(arg.name, default)
            for arg, default in zip(node.kwonlyargs or [], node.kw_defaults or []):
                if default is not None:
                    add(arg.name, default)
        elif isinstance(node, nodes.Compare) and len(node.ops) == 1 and node.ops[0][0] in ("==", "!="):
            left, right = node.left, node.ops[0][1]
            if isinstance(right, nodes.Const):
                add(_compared_name(left), right)
            elif isinstance(left, nodes.Const):
                add(_compared_name(right), left)
    return out


def _target_name(target: Any) -> str:
    if isinstance(target, nodes.Subscript) and isinstance(target.slice, nodes.Const) and isinstance(target.slice.value, str):
        return target.slice.value
    if isinstance(target, (nodes.AssignName, nodes.AssignAttr)):
        return last_identifier(target)
    return ""


def _is_docstring(const: nodes.Const) -> bool:
    parent = const.parent
    return isinstance(parent, nodes.Expr) and isinstance(parent.parent, (nodes.Module, nodes.FunctionDef, nodes.ClassDef))
