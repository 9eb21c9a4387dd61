"""What a name in an astroid tree stands for: the one naming convention.

Every model (`rules/models/resources.toml`, `rules/models/taint-*.toml`) and
every detector names an API the way this module resolves a use of it:

- an imported name is the absolute dotted name of what it imports:
  `from subprocess import Popen as P; P` is `subprocess.Popen`, `import os.path`
  binds `os`; a relative import resolves against the importing module's
  package: `from .db import connect` in `pkg/app.py` (or in
  `pkg/__init__.py`) is `pkg.db.connect`;
- a builtin that is not rebound is `builtins.<name>` (`builtins.open`);
- a module-level function or class `f` of module `m` is `m.f`;
- a name bound once, to another name that resolves, is that name
  (`md5 = hashlib.md5`);
- attributes append (`os.path.join`). Anything else (parameters, locals,
  computed callees) has no qualified name: None. `dotted()` gives the name as
  written for callers that want one anyway.

A module's name is its run-relative dotted path (`parse.module_name_for`);
`modules.py` maps absolute names back to the run's files. Resolution uses
scope lookup only (no inference): it is fast, deterministic and never imports
anything.
"""

from __future__ import annotations

import builtins
from typing import Any, Iterator

from astroid import nodes

from lintkit.python.walk import bindings, nodes_of, remember

_BUILTINS = frozenset(dir(builtins))
_MAX_DEPTH = 8
_IMPORTS = (nodes.Import, nodes.ImportFrom)
_DEFS = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef)


def dotted(node: Any) -> str | None:
    """`a.b.c` for a Name/Attribute chain as written; None for anything else."""
    parts: list[str] = []
    while isinstance(node, nodes.Attribute):
        parts.append(node.attrname)
        node = node.expr
    if isinstance(node, nodes.Name):
        parts.append(node.name)
        return ".".join(reversed(parts))
    return None


def qualified(node: Any, depth: int = 0) -> str | None:
    """The qualified name a Name/Attribute chain stands for at its use site, or None."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, nodes.Attribute):
        base = qualified(node.expr, depth + 1)
        return f"{base}.{node.attrname}" if base else None
    if isinstance(node, (nodes.Name, nodes.AssignName)):
        return remember(node, "qualified", _resolve) if depth == 0 else _resolve(node, depth)
    return None


def call_name(call: nodes.Call) -> str | None:
    """Qualified name of the called function (`hashlib.md5`), or None."""
    return qualified(call.func)


def _resolve(node: nodes.Name | nodes.AssignName, depth: int = 0) -> str | None:
    name = node.name
    found = bindings(node)
    if not found:
        return f"builtins.{name}" if name in _BUILTINS else None
    for binding in found:  # alternatives (try/except imports): the first that resolves
        target = _meaning(binding, name, len(found) == 1, depth)
        if target:
            return target
    return None


def _meaning(binding: Any, name: str, only: bool, depth: int) -> str | None:
    """What `name` means when `binding` (one statement that may bind it) does."""
    root = binding.root()
    if root.name == "builtins":
        return f"builtins.{name}"
    stmt = binding if isinstance(binding, _IMPORTS) else binding.parent if isinstance(binding.parent, _IMPORTS) else None
    if stmt is not None:
        return dict(imported_names(stmt)).get(name)
    if isinstance(binding, _DEFS) and isinstance(binding.parent, nodes.Module):
        return f"{root.name}.{name}"
    if only and isinstance(binding, nodes.AssignName):
        parent = binding.parent
        if isinstance(parent, nodes.Assign) and len(parent.targets) == 1 and parent.targets[0] is binding:
            if isinstance(parent.value, (nodes.Name, nodes.Attribute)):
                return qualified(parent.value, depth + 1)
    return None


def imported_names(stmt: nodes.Import | nodes.ImportFrom) -> Iterator[tuple[str, str]]:
    """(name bound, qualified name it means) for each name an import statement binds."""
    if isinstance(stmt, nodes.Import):
        for real, alias in stmt.names:
            yield (alias, real) if alias else (real.split(".", 1)[0],) * 2
        return
    base = absolute_module(stmt.root(), stmt.modname or "", stmt.level or 0)
    if base is None:
        return
    for real, alias in stmt.names:
        if real != "*":
            yield alias or real, f"{base}.{real}" if base else real


def absolute_module(module: nodes.Module, modname: str, level: int) -> str | None:
    """The absolute name of module `modname` imported with `level` leading dots
    from `module`; None when the dots climb above the run's root."""
    if not level:
        return modname
    package = module.name.split(".") if module.package else module.name.split(".")[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    return ".".join(base + ([modname] if modname else []))


def imported_modules(module: nodes.Module) -> set[str]:
    """Absolute module names this module imports (also `from x import y` → x, x.y)."""
    found: set[str] = set()
    for node in nodes_of(module, _IMPORTS):
        if isinstance(node, nodes.Import):
            found.update(real for real, _ in node.names)
            continue
        base = absolute_module(module, node.modname or "", node.level or 0)
        if base:
            found.add(base)
            found.update(f"{base}.{real}" for real, _ in node.names if real != "*")
    return found


def short(name: str | None) -> str:
    """`builtins.open` → `open` for messages."""
    if not name:
        return "?"
    return name[len("builtins."):] if name.startswith("builtins.") else name
