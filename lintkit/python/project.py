"""Cross-file facts for the Python analyses (function summaries).

Before the per-file pass, every Python file is parsed once more and each
analysis listed in `registry.PYTHON_SUMMARIZERS` that defines
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


def summarize_file(relpath: str, text: str, funcs: dict[str, Any]) -> dict[str, Any]:
    """{analysis name: summary} for one file; {} when it does not parse."""
    from lintkit.python.parse import PythonSyntaxError, parse_module

    try:
        module = parse_module(text, relpath)
    except PythonSyntaxError:
        return {}
    out: dict[str, Any] = {}
    for name, func in funcs.items():
        try:
            out[name] = func(module, relpath)
        except Exception:  # a summary is an optimisation of precision, never a reason to fail
            continue
    return out


def build_summaries(candidates: list[Candidate], max_size: int) -> dict[str, dict[str, Any]]:
    funcs = summarizers()
    merged: dict[str, dict[str, Any]] = {name: {} for name in funcs}
    if not funcs:
        return merged
    for cand in candidates:
        try:
            with open(cand.abspath, "rb") as handle:
                data = handle.read(max_size + 1)
            if len(data) > max_size or b"\0" in data[:8192]:
                continue
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for name, summary in summarize_file(cand.relpath, text, funcs).items():
            merged[name][cand.relpath] = summary
    return merged
