"""Syntax helpers for the detectors: arguments, constants, identifiers, file roles.

What a name stands for is `names.py`'s job; `call_name` is re-exported here
for the detectors that import it from this module.
"""

from __future__ import annotations

import re
from typing import Any

from astroid import nodes

from lintkit.python.names import call_name
from lintkit.python.walk import bindings

_MAX_DEPTH = 8


def method_name(call: nodes.Call) -> str | None:
    """`x.y.meth(...)` -> `meth`; a plain-name call -> its name."""
    func = call.func
    if isinstance(func, nodes.Attribute):
        return func.attrname
    if isinstance(func, nodes.Name):
        return func.name
    return None


def receiver_name(call: nodes.Call) -> str:
    """The last identifier of the object a method is called on (`self.app.run` -> `app`)."""
    func = call.func
    if not isinstance(func, nodes.Attribute):
        return ""
    return last_identifier(func.expr)


def last_identifier(node: Any) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Attribute):
        return node.attrname
    if isinstance(node, nodes.AssignName):
        return node.name
    if isinstance(node, nodes.AssignAttr):
        return node.attrname
    if isinstance(node, nodes.Subscript):
        return last_identifier(node.value)
    if isinstance(node, nodes.Call):
        return last_identifier(node.func)
    return ""


def keyword(call: nodes.Call, name: str) -> Any | None:
    for kw in call.keywords or ():
        if kw.arg == name:
            return kw.value
    return None


def argument(call: nodes.Call, position: int, name: str | None = None) -> Any | None:
    """The node passed for a parameter, by keyword or by position."""
    if name is not None:
        found = keyword(call, name)
        if found is not None:
            return found
    args = [a for a in call.args if not isinstance(a, nodes.Starred)]
    if len(args) != len(call.args):  # *args before the position: unknown
        args = call.args[: next(i for i, a in enumerate(call.args) if isinstance(a, nodes.Starred))]
    return args[position] if 0 <= position < len(args) else None


def has_star_kwargs(call: nodes.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords or ())


def constant(node: Any, depth: int = 0) -> Any:
    """The literal value of `node` (str, bytes, int, bool, None, or a tuple of
    them), following a Name bound once in its scope or module to a literal.
    Returns `NOT_CONSTANT` when it is not a compile-time constant."""
    if node is None or depth > _MAX_DEPTH:
        return NOT_CONSTANT
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, (nodes.Tuple, nodes.List)):
        items = tuple(constant(e, depth + 1) for e in node.elts)
        return NOT_CONSTANT if any(i is NOT_CONSTANT for i in items) else items
    if isinstance(node, nodes.UnaryOp) and node.op == "-":
        value = constant(node.operand, depth + 1)
        return -value if isinstance(value, int) and not isinstance(value, bool) else NOT_CONSTANT
    if isinstance(node, nodes.BinOp) and node.op in ("|", "+", "*", "**", "<<"):
        left, right = constant(node.left, depth + 1), constant(node.right, depth + 1)
        if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool):
            try:
                if node.op == "|":
                    return left | right
                if node.op == "+":
                    return left + right
                if node.op == "*":
                    return left * right
                if node.op == "<<" and 0 <= right < 64:
                    return left << right
                if node.op == "**" and 0 <= right < 64:
                    return left**right
            except (OverflowError, ValueError):
                return NOT_CONSTANT
        if node.op == "+" and isinstance(left, str) and isinstance(right, str):
            return left + right
        return NOT_CONSTANT
    if isinstance(node, nodes.Name):
        assigns = bindings(node)
        if len(assigns) == 1 and isinstance(assigns[0], nodes.AssignName):
            parent = assigns[0].parent
            if isinstance(parent, (nodes.Assign, nodes.AnnAssign)) and parent.value is not None:
                if isinstance(parent, nodes.AnnAssign) or (len(parent.targets) == 1 and parent.targets[0] is assigns[0]):
                    return constant(parent.value, depth + 1)
    return NOT_CONSTANT


class _NotConstant:
    def __repr__(self) -> str:
        return "NOT_CONSTANT"


NOT_CONSTANT: Any = _NotConstant()


def string_prefix(node: Any) -> str | None:
    """The leading literal text of a str constant or an f-string (`f"/tmp/{x}"` -> `/tmp/`)."""
    value = constant(node)
    if isinstance(value, str):
        return value
    if isinstance(node, nodes.JoinedStr) and node.values and isinstance(node.values[0], nodes.Const):
        first = node.values[0].value
        return first if isinstance(first, str) else None
    if isinstance(node, nodes.BinOp) and node.op in ("+", "%"):
        return string_prefix(node.left)
    if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute) and node.func.attrname == "format":
        return string_prefix(node.func.expr)
    return None


_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def words(identifier: str) -> tuple[str, ...]:
    """`apiKeyValue` / `API_KEY_value` -> ('api', 'key', 'value')."""
    return tuple(w.lower() for w in _WORD.findall(identifier or ""))


def enclosing_function(node: Any) -> nodes.FunctionDef | None:
    scope = node.scope() if hasattr(node, "scope") else None
    while scope is not None and not isinstance(scope, (nodes.FunctionDef, nodes.Module)):
        parent = scope.parent
        scope = parent.scope() if parent is not None else None
    return scope if isinstance(scope, nodes.FunctionDef) else None


_EXAMPLE_DIRS = frozenset({"example", "examples", "sample", "samples", "demo", "demos", "docs", "doc", "project_template"})


def is_example_path(relpath: str) -> bool:
    """Example projects, docs and project templates: not deployed as they are."""
    return bool(_EXAMPLE_DIRS.intersection(relpath.replace("\\", "/").lower().split("/")[:-1]))


__all__ = [
    "is_example_path",
    "NOT_CONSTANT",
    "argument",
    "call_name",
    "constant",
    "enclosing_function",
    "has_star_kwargs",
    "keyword",
    "last_identifier",
    "method_name",
    "receiver_name",
    "string_prefix",
    "words",
]
