"""Imports run one way: cli → engine → runner → (cache store, analyses) →
api → registry/documents/findings. Nothing below imports anything above it,
and checks (lintkit/aws, lintkit/python) see only the check API, the document
and finding models, the secrets service and their own half's helpers.

Function-level imports count too: hiding an upward import inside a function
does not make it go one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lintkit"

# Lower layers first. A module may import its own layer and the ones below.
LAYERS: list[set[str]] = [
    {"lintkit", "lintkit.findings", "lintkit.documents", "lintkit.secrets"},
    {"lintkit.registry", "lintkit.config", "lintkit.suppress"},
    {"lintkit.api"},
    {"lintkit.aws", "lintkit.python"},  # the analyses (whole packages)
    {"lintkit.files", "lintkit.cache", "lintkit.results", "lintkit.dependencies", "lintkit.progress", "lintkit.output"},
    {"lintkit.engine", "lintkit.parallel", "lintkit.runner"},
    {"lintkit.report"},
    {"lintkit.cli", "lintkit.pylint_plugin", "lintkit.__main__"},
]
# What a check module may import from lintkit besides its own half.
CHECK_API = {"lintkit.api", "lintkit.documents", "lintkit.findings", "lintkit.secrets"}
# The Python parser and tree teardown are part of "parse once" in the
# pipeline, as lintkit.documents is for YAML/JSON.
PARSERS = {"lintkit.python.parse", "lintkit.python.walk"}


def _layer(module: str) -> int:
    for depth in range(module.count(".") + 1, 0, -1):
        prefix = ".".join(module.split(".")[:depth])
        for i, layer in enumerate(LAYERS):
            if prefix in layer:
                return i
    raise AssertionError(f"{module} is in no layer; add it to LAYERS")


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def _imports(module: str, path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level + (1 if path.name == "__init__.py" else 0) or None]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
    return {n for n in found if n == "lintkit" or n.startswith("lintkit.")}


def _half(module: str) -> str:
    return ".".join(module.split(".")[:2])


MODULES = _modules()


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_imports_run_one_way(module: str, path: Path) -> None:
    mine = _layer(module)
    upward = sorted(i for i in _imports(module, path) if _layer(i) > mine)
    assert not upward, f"{module} (layer {mine}) imports from above: {upward}"
    if mine == 3:
        foreign = sorted(
            i for i in _imports(module, path)
            if i not in CHECK_API and _half(i) != _half(module) and i != "lintkit"
        )
        assert not foreign, f"{module} is a check module; it may import only {sorted(CHECK_API)} and its own half: {foreign}"
    if module.startswith(("lintkit.report", "lintkit.engine", "lintkit.cache", "lintkit.parallel", "lintkit.runner")):
        analyses = sorted(i for i in _imports(module, path) if _layer(i) == 3 and i not in PARSERS)
        assert not analyses, f"{module} must not import the analyses (reached through the registry): {analyses}"
