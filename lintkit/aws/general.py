"""Checks that apply to every CI/CD document kind."""

from __future__ import annotations

from typing import Any

from lintkit.api import Context
from lintkit.documents import Document, Mapping, Node, walk


def duplicate_keys(doc: Document, ctx: Context) -> None:
    for dup in doc.duplicates:
        first_value = _value_of(doc, dup.first)
        if first_value is not None and first_value == _value_of(doc, dup.key):
            continue  # the same value twice: nothing is lost
        ctx.report(
            "GEN002",
            dup.key,
            f"key '{dup.name}' is given twice in this mapping (first at line {ctx.locate(dup.first).line}); "
            "the last value silently wins",
            related=[(dup.first, f"first '{dup.name}'")],
        )


def _value_of(doc: Document, key: Node) -> Any:
    """The plain value given under this key node (None when it cannot be found)."""
    for root in doc.roots:
        for node in walk(root):
            if isinstance(node, Mapping):
                for k, v in node.pairs:
                    if k is key:
                        return v.to_py()
    return None
