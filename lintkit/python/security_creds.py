"""PSC006 hardcoded-credentials: secrets written into Python source."""

from __future__ import annotations

from typing import Any

from astroid import nodes

from lintkit.python.calls import argument, call_name, constant, last_identifier
from lintkit.python.secretlike import looks_like_secret_value, pattern_secret, redact, secret_name_kind
from lintkit.python.security_common import skip_tests
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
    named = not skip_tests(ctx, CODE)

    def report(value_node: Any, message: str) -> None:
        if id(value_node) not in reported:
            reported.add(id(value_node))
            ctx.report(CODE, value_node, message, fix=_FIX)

    for call in nodes_of(module, nodes.Call):
        _boto3(call, report)
    if named:
        for name, value_node in _named_literals(module):
            value = value_node.value
            kind = secret_name_kind(name)
            if kind and looks_like_secret_value(value):
                report(value_node, f"hard-coded {kind} in '{name}': {redact(value)}")
    for const in nodes_of(module, nodes.Const):
        if isinstance(const.value, str) and len(const.value) >= 16 and not _is_docstring(const):
            found = pattern_secret(const.value)
            if found is not None:
                kind, text = found
                if kind == "private key" and not named:
                    continue  # key fixtures are everyday test data for crypto and SSH code
                report(const, f"hard-coded {kind} {redact(text, 4)}")


def _boto3(call: nodes.Call, report: Any) -> None:
    params = _BOTO3_PARAMS.get(call_name(call) or "")
    if not params:
        return
    for position, param in params.items():
        node = argument(call, position, param)
        value = constant(node) if node is not None else None
        if not isinstance(value, str) or not value:
            continue
        if param == "aws_access_key_id":
            if pattern_secret(value) is None:
                continue
        elif not looks_like_secret_value(value):
            continue
        report(node, f"hard-coded AWS credential '{param}' passed to {call_name(call)}(): {redact(value, 4 if param == 'aws_access_key_id' else 2)}")


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
