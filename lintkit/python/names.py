"""Call-name resolution on astroid trees, without inference.

`call_name(call)` turns the callee of an astroid `Call` into a dotted name as
a reader would write it fully qualified: `P(...)` after
`from subprocess import Popen as P` is `subprocess.Popen`, `os.path.join` is
`os.path.join`, a bare `open` that is not rebound is `builtins.open`. Names
bound locally to something other than an import stay as written (`fh.read`
stays `fh.read`). Shared by the leak analysis and, if they like, the taint and
security detectors: it is cheap (scope lookups only) and never raises.
"""

from __future__ import annotations

from typing import Any

from astroid import nodes

from lintkit.python.walk import bindings, nodes_of

BUILTIN_NAMES = frozenset(
    {"open", "print", "len", "isinstance", "issubclass", "id", "type", "callable", "super", "iter", "next", "eval", "exec", "compile", "input", "getattr", "setattr", "hasattr", "delattr", "repr", "str", "int", "float", "bool", "list", "dict", "set", "tuple", "__import__"}
)


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


def _import_target(stmt: Any, name: str) -> str | None:
    """What `name` means when bound by the import statement `stmt`."""
    if isinstance(stmt, nodes.Import):
        for real, alias in stmt.names:
            if alias == name:
                return real
            if alias is None and (real == name or real.split(".", 1)[0] == name):
                return name  # `import os.path` binds `os`
        return None
    if isinstance(stmt, nodes.ImportFrom):
        base = stmt.modname or ""
        if stmt.level:
            try:
                base = stmt.root().relative_to_absolute_name(stmt.modname, stmt.level)
            except Exception:  # relative import above the top package: keep it readable
                base = "." * stmt.level + (stmt.modname or "")
        for real, alias in stmt.names:
            if (alias or real) == name:
                return f"{base}.{real}" if base else real
    return None


def resolve_name(node: nodes.Name) -> str:
    """The qualified meaning of a bare name at its use site."""
    name = node.name
    assigns = bindings(node)
    if not assigns:
        return f"builtins.{name}" if name in BUILTIN_NAMES else name
    for assign in assigns:
        try:
            if assign.root().name == "builtins":
                return f"builtins.{name}"
        except Exception:
            pass
        stmt = assign if isinstance(assign, (nodes.Import, nodes.ImportFrom)) else None
        if stmt is None and isinstance(getattr(assign, "parent", None), (nodes.Import, nodes.ImportFrom)):
            stmt = assign.parent
        if stmt is not None:
            target = _import_target(stmt, name)
            if target:
                return target
    return name


def qualified(node: Any) -> str | None:
    """Qualified dotted name of a Name/Attribute chain (imports resolved)."""
    parts: list[str] = []
    while isinstance(node, nodes.Attribute):
        parts.append(node.attrname)
        node = node.expr
    if not isinstance(node, nodes.Name):
        return None
    head = resolve_name(node)
    return ".".join([head, *reversed(parts)]) if parts else head


def call_name(call: nodes.Call) -> str | None:
    """Qualified callee name of a call, or None for computed callees.

    A call on a constructed object keeps the class: `pathlib.Path(p).open()`
    resolves to `pathlib.Path.open`."""
    func = call.func
    if isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Call):
        inner = call_name(func.expr)
        return f"{inner}.{func.attrname}" if inner else None
    return qualified(func)


def short(name: str | None) -> str:
    """`builtins.open` → `open` for messages."""
    if not name:
        return "?"
    return name[len("builtins."):] if name.startswith("builtins.") else name


def imported_modules(module: nodes.Module) -> set[str]:
    """Absolute module names this module imports (also `from x import y` → x, x.y)."""
    found: set[str] = set()
    for node in nodes_of(module, (nodes.Import, nodes.ImportFrom)):
        if isinstance(node, nodes.Import):
            found.update(real for real, _ in node.names)
        else:
            base = node.modname or ""
            if node.level:
                try:
                    base = module.relative_to_absolute_name(node.modname, node.level)
                except Exception:
                    continue
            if base:
                found.add(base)
                found.update(f"{base}.{real}" for real, _ in node.names if real != "*")
    return found
