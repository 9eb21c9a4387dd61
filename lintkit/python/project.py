"""Cross-file facts for the Python analyses (function summaries).

Before the per-file pass, every Python file whose summary is not cached is
parsed (in the worker pool, which keeps the trees for the per-file pass) and
each analysis listed in `registry.PYTHON_SUMMARIZERS` that defines
`summarize(module, relpath) -> dict` contributes a JSON-serializable summary.
Checks read them as `ctx.project.summaries[name][relpath]`. Summaries are small
and picklable, so they travel to worker processes (and into the cache) cheaply.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lintkit.registry import PYTHON_SUMMARIZERS

if TYPE_CHECKING:
    from lintkit.files import Candidate


def summarizers() -> dict[str, Any]:
    found = {}
    for name, module_name in PYTHON_SUMMARIZERS.items():
        module = importlib.import_module(module_name)
        func = getattr(module, "summarize", None)
        if callable(func):
            found[name] = func
    return found


def summarizer_names() -> list[str]:
    """The analyses that contribute summaries, without importing them (a run
    whose summaries all come from the cache must not import astroid)."""
    return list(PYTHON_SUMMARIZERS)


def summarize_module(module: Any, relpath: str, funcs: dict[str, Any]) -> dict[str, Any]:
    """{analysis name: summary} of one parsed module."""
    out: dict[str, Any] = {}
    for name, func in funcs.items():
        try:
            out[name] = func(module, relpath)
        except Exception:  # a summary is an optimisation of precision, never a reason to fail
            continue
    return out


def merge_summaries(per_file: list[tuple[str, dict[str, Any] | None]], names: list[str]) -> dict[str, dict[str, Any]]:
    """{name: {relpath: summary}} in the order given (candidate order), so the
    table is identical whatever order workers finished in."""
    merged: dict[str, dict[str, Any]] = {name: {} for name in names}
    for relpath, summaries in per_file:
        for name, summary in (summaries or {}).items():
            if name in merged:
                merged[name][relpath] = summary
    return merged

