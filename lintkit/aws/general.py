"""Checks that apply to every CI/CD document kind."""

from __future__ import annotations

from lintkit.api import Context
from lintkit.documents import Document


def duplicate_keys(doc: Document, ctx: Context) -> None:
    for dup in doc.duplicates:
        ctx.report(
            "GEN002",
            dup.key,
            f"key '{dup.name}' is given twice in this mapping (first at line {ctx.locate(dup.first).line}); "
            "the last value silently wins",
            related=[(dup.first, f"first '{dup.name}'")],
        )
