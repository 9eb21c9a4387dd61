"""PSC006 hardcoded-credentials: secrets written into Python source.

Values are judged by `lintkit.secrets`, exactly as the CI/CD rules judge them: a literal
given to a secret-like name (assigned, passed as a keyword, a dict key, a parameter
default, compared with), a credential passed to boto3, or a token recognisable on sight.
Values the file marks as mock data (`# mock values`) are skipped."""

from __future__ import annotations

from typing import Any

from astroid import nodes

from lintkit import secrets
from lintkit.python.calls import argument, call_name, constant, last_identifier, skip_tests
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


def hardcoded_credentials(module: nodes.Module, ctx: Any) -> None:
    reported: set[int] = set()
    in_tests = skip_tests(ctx, CODE)

    def report(value_node: Any, message: str, kind: str = "") -> None:
        if id(value_node) not in reported and not secrets.marked_as_mock(ctx.lines, value_node.lineno):
            reported.add(id(value_node))
            # `secret_kind` marks the literal as the secret: reports mask it wherever they show it.
            ctx.report(CODE, value_node, message, fix=_FIX, properties={"secret_kind": kind} if kind else None)

    for call in nodes_of(module, nodes.Call):
        _boto3(call, report)
    judged: set[int] = set()
    for name, value_node in _named_literals(module):
        judged.add(id(value_node))
        value = value_node.value
        match = secrets.classify_value(value, name=name)  # None under a mock name (MOCK_API_KEY)
        if match is not None and _reportable(match, in_tests):
            word = secrets.secret_name_kind(name) or "secret" if match.kind == "keyword" else match.description
            report(value_node, f"hard-coded {word} in '{name}': {match.redacted(value)}",
                   match.kind if match.secret(value) == value.strip() else "")
    for const in nodes_of(module, nodes.Const):
        if id(const) in judged or not isinstance(const.value, str) or len(const.value) < 16 or _is_docstring(const):
            continue
        match = next((m for m in secrets.find_secrets(const.value) if _reportable(m, in_tests) and m.confidence == "high"), None)
        if match is not None:
            report(const, f"hard-coded {match.description} {match.redacted(const.value)}")


def _reportable(match: secrets.SecretMatch, in_tests: bool) -> bool:
    """Outside tests a known format or a literal under a secret-like name; in test code only
    a known format, and no private key (key fixtures are everyday test data for crypto and SSH code)."""
    if in_tests:
        return match.confidence == "high" and match.category != "private-key"
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
                add(last_identifier(left), right)
            elif isinstance(left, nodes.Const):
                add(last_identifier(right), left)
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
