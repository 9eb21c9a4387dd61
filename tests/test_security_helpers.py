"""Unit tests for the PSC helpers: name resolution, security vocabulary, local
value flow (secret heuristics: tests/test_secrets.py)."""

from __future__ import annotations

import astroid
import pytest
from astroid import nodes

from lintkit.api import is_test_path
from lintkit.python.calls import NOT_CONSTANT, constant, words
from lintkit.python.names import call_name
from lintkit.python.localflow import destinations
from lintkit.python.security_common import is_settings_file, sensitive_identifier

SOURCE = """
from hashlib import md5 as m
import xml.sax.handler as h
import os.path
import random
fast = m
MODE = 0o700 | 0o077
def f(x):
    m(b"x")
    fast(b"y")
    os.path.join("a")
    open("x")
    h.feature_external_ges.upper()
    random.random()
    x.unknown()
    os.chmod("p", MODE)
"""


def _calls(source: str) -> list[nodes.Call]:
    return list(astroid.parse(source).nodes_of_class(nodes.Call))


def test_call_names_resolve_through_imports_and_aliases() -> None:
    names = [call_name(c) for c in _calls(SOURCE)]
    assert names == ["hashlib.md5", "hashlib.md5", "os.path.join", "builtins.open", "xml.sax.handler.feature_external_ges.upper", "random.random", None, "os.chmod"]


def test_constants_fold_and_follow_single_assignments() -> None:
    chmod = _calls(SOURCE)[-1]
    assert constant(chmod.args[1]) == 0o777
    assert constant(chmod.args[0]) == "p"
    assert constant(_calls(SOURCE)[-2].func) is NOT_CONSTANT


def test_words_split_snake_and_camel_case() -> None:
    assert words("apiKeyValue") == ("api", "key", "value")
    assert words("SESSION_COOKIE_SECURE") == ("session", "cookie", "secure")


@pytest.mark.parametrize(
    ("name", "sensitive"),
    [("reset_token", True), ("newpassword", True), ("SECRET_KEY", True), ("generate_password", True), ("salt", True),
     ("rememberMe:", True), ("token_count", False), ("session_timeout", False), ("tokens", False), ("tokenizer", False),
     ("value", False), ("delay", False), ("dbsession", False), ("remember", False)],
)
def test_sensitive_identifier(name: str, sensitive: bool) -> None:
    assert sensitive_identifier(name) is sensitive


@pytest.mark.parametrize(
    ("path", "settings"),
    [("mysite/settings.py", True), ("conf/settings/production.py", True), ("mysite/settings_dev.py", False),
     ("conf/settings/local.py", False), ("django/conf/global_settings.py", False), ("app/views.py", False)],
)
def test_settings_files(path: str, settings: bool) -> None:
    assert is_settings_file(path) is settings


@pytest.mark.parametrize(
    ("path", "test"),
    [("tests/test_a.py", True), ("pkg/test_a.py", True), ("conftest.py", True), ("pkg/a_test.py", True),
     ("tornado/test/util.py", True), ("src/pkg/tests/helpers.py", True), ("t/unit/security/__init__.py", True),
     ("celery/t/integration/tasks.py", True), ("pkg/testimony.py", False), ("pkg/contest/a.py", False),
     ("pkg/tools/t.py", False), ("pkg/testing_utils.py", False)],
)
def test_test_paths(path: str, test: bool) -> None:
    assert is_test_path(path) is test


def test_destinations_follow_local_names_into_stores_and_calls() -> None:
    module = astroid.parse(
        "import random\n"
        "def f(cache, user, reply):\n"
        "    code = '%06d' % random.randrange(10**6)\n"
        "    key = f'otp:{user}'\n"
        "    cache[key] = code\n"
        "    cache[user] = code\n"
        "    reply.set_cookie('otp', code)\n"
        "    return code\n"
    )
    call = next(c for c in module.nodes_of_class(nodes.Call) if call_name(c) == "random.randrange")
    found = {(d.kind, d.label, d.key) for d in destinations(call)}
    assert found == {("store", "code", ""), ("subscript", "cache", "otp:"), ("subscript", "cache", ""), ("arg", "", "set_cookie"),
                     ("return", "f", "")}
