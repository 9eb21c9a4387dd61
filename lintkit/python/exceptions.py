"""Exception handling (PQL001-PQL005): exceptions lost, hidden or made vague.

- PQL001: `return`/`break`/`continue` in a `finally` block discards the
  exception being propagated.
- PQL002: an `except` clause whose only statement re-raises what it caught.
- PQL003: `raise Exception(...)` / `raise BaseException(...)`.
- PQL004/PQL005: a handler that catches everything (bare `except:`,
  `BaseException`; PQL005: `Exception`) and only passes or continues. Import
  guards, cleanup calls and `__del__`/`__exit__`/`finally` contexts are not
  reported: failing quietly there is the point.
"""

from __future__ import annotations

from typing import Any, Iterator

from astroid import nodes

from lintkit.python.names import qualified
from lintkit.python.walk import nodes_of

_SCOPES = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef, nodes.Lambda)
_LOOPS = (nodes.For, nodes.AsyncFor, nodes.While)


def exception_handling(module: nodes.Module, ctx: Any) -> None:
    codes = [c for c in ("PQL001", "PQL002", "PQL003", "PQL004", "PQL005") if ctx.enabled(c)]
    if not codes:
        return
    for node in nodes_of(module, (nodes.Try, nodes.TryStar)):
        if "PQL001" in codes:
            _finally_jumps(node, ctx)
        for index, handler in enumerate(node.handlers):
            last = index == len(node.handlers) - 1
            # `try/except X: raise/else:` needs the clause: else requires one.
            if "PQL002" in codes and last and not (node.orelse and len(node.handlers) == 1):
                _rethrow(handler, ctx)
            if "PQL004" in codes or "PQL005" in codes:
                _swallowed(node, handler, ctx, codes)
    if "PQL003" in codes:
        for stmt in nodes_of(module, nodes.Raise):
            _generic_raise(stmt, ctx)


# -- PQL001 -------------------------------------------------------------------------


def _finally_jumps(node: Any, ctx: Any) -> None:
    for stmt in node.finalbody:
        for jump in _jumps(stmt, in_loop=False):
            word = type(jump).__name__.lower()
            ctx.report(
                "PQL001",
                jump,
                f"'{word}' in a finally block discards the exception the try block is propagating",
                fix="Move the statement after the try statement, or re-raise the exception explicitly",
            )


def _jumps(node: Any, in_loop: bool) -> Iterator[Any]:
    """`return`, and `break`/`continue` of a loop outside the finally block."""
    if isinstance(node, nodes.Return) or (isinstance(node, (nodes.Break, nodes.Continue)) and not in_loop):
        yield node
        return
    if isinstance(node, _SCOPES):
        return
    for child in node.get_children():
        # A loop's else clause belongs to the enclosing loop, its body to itself.
        inner = in_loop or (isinstance(node, _LOOPS) and child in node.body)
        yield from _jumps(child, inner)


# -- PQL002 -------------------------------------------------------------------------


def _rethrow(handler: nodes.ExceptHandler, ctx: Any) -> None:
    """Only the last clause: `except KeyError: raise` before a broader clause
    deliberately keeps KeyError away from it."""
    if len(handler.body) != 1 or not isinstance(handler.body[0], nodes.Raise):
        return
    stmt = handler.body[0]
    if stmt.cause is not None:
        return
    bare = stmt.exc is None
    same = isinstance(stmt.exc, nodes.Name) and handler.name is not None and stmt.exc.name == handler.name.name
    if not (bare or same):
        return
    caught = handler.type.as_string() if handler.type is not None else "everything"
    ctx.report(
        "PQL002",
        stmt,
        f"the except clause catching {caught} only re-raises it, so it does nothing",
        fix="Remove the except clause, or handle the exception (log it, wrap it in a more specific exception)",
    )


# -- PQL003 -------------------------------------------------------------------------

_GENERIC = {"builtins.Exception": "Exception", "builtins.BaseException": "BaseException"}


def _generic_raise(stmt: nodes.Raise, ctx: Any) -> None:
    exc = stmt.exc.func if isinstance(stmt.exc, nodes.Call) else stmt.exc
    if exc is None:
        return
    name = _GENERIC.get(qualified(exc) or "")
    if name:
        ctx.report(
            "PQL003",
            stmt.exc,
            f"raising the generic {name} forces callers to catch every exception to handle this one",
            fix="Raise a specific built-in exception (ValueError, TypeError, RuntimeError...) or a custom subclass of Exception",
        )


# -- PQL004 / PQL005 ----------------------------------------------------------------

# Calls whose failure best-effort code ignores on purpose (`close()`, `os.unlink()`,
# `self.finish_subsystem()`), matched by the first word of the called name.
_CLEANUP_WORDS = (
    "close", "finish", "stop", "shutdown", "cleanup", "clean", "teardown", "tear", "release", "terminate", "kill",
    "disconnect", "unlink", "remove", "rmdir", "rmtree", "delete", "cancel", "dispose", "destroy", "unregister",
    "deregister", "rollback", "quit", "logout", "flush", "join", "wait", "detach", "reset", "unlock", "discard",
    "exit", "chmod", "utime", "setsockopt", "settimeout", "unsetenv",
)


def _swallowed(node: Any, handler: nodes.ExceptHandler, ctx: Any, codes: list[str]) -> None:
    if not handler.body or not all(_is_noop(s) for s in handler.body) or _explained(handler, ctx):
        return
    kind = _breadth(handler.type)
    code = "PQL004" if kind in ("bare", "BaseException") else "PQL005" if kind == "Exception" else None
    if code is None or code not in codes or _quiet_on_purpose(node):
        return
    what = "a bare 'except:'" if kind == "bare" else f"'except {handler.type.as_string()}'"
    also = ", including KeyboardInterrupt and SystemExit" if code == "PQL004" else ""
    verb = "continues" if isinstance(handler.body[-1], nodes.Continue) else "passes"
    ctx.report(
        code,
        _header(handler),
        f"{what} that only {verb} silently discards every exception{also}",
        fix="Catch the specific exceptions you expect, and log or re-raise the others",
    )


def _is_noop(stmt: Any) -> bool:
    if isinstance(stmt, (nodes.Pass, nodes.Continue)):
        return True
    return isinstance(stmt, nodes.Expr) and isinstance(stmt.value, nodes.Const)  # `...` or a comment string


def _breadth(exc_type: Any) -> str:
    if exc_type is None:
        return "bare"
    names = [qualified(e) for e in (exc_type.elts if isinstance(exc_type, nodes.Tuple) else [exc_type])]
    for broad in ("BaseException", "Exception"):
        if f"builtins.{broad}" in names:
            return broad
    return ""


def _explained(handler: nodes.ExceptHandler, ctx: Any) -> bool:
    """A comment inside the clause records that ignoring is deliberate."""
    last = handler.body[-1].end_lineno or handler.lineno
    return any("#" in line for line in ctx.lines[handler.lineno : last])  # the body is only pass/continue


def _quiet_on_purpose(node: Any) -> bool:
    """Import guards, best-effort cleanup, finalizers, and code already
    handling a failure (inside a finally block or another except clause)."""
    body = node.body
    if all(isinstance(s, (nodes.Import, nodes.ImportFrom)) for s in body):
        return True
    if all(_is_cleanup(s) for s in body):
        return True
    func = node.scope()
    if isinstance(func, nodes.FunctionDef) and func.name in ("__del__", "__exit__", "__aexit__", "close", "cleanup"):
        return True
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, _SCOPES + (nodes.Module,)):
        if isinstance(parent, (nodes.Try, nodes.TryStar)) and child in parent.finalbody:
            return True
        if isinstance(parent, nodes.ExceptHandler):
            return True
        child, parent = parent, parent.parent
    return False


def _is_cleanup(stmt: Any) -> bool:
    if isinstance(stmt, nodes.Delete):
        return True
    if isinstance(stmt, nodes.Expr) and isinstance(stmt.value, nodes.Call):
        func = stmt.value.func
        name = func.attrname if isinstance(func, nodes.Attribute) else func.name if isinstance(func, nodes.Name) else ""
        return name.strip("_").split("_", 1)[0].lower() in _CLEANUP_WORDS
    return False


def _header(handler: nodes.ExceptHandler) -> tuple[int, int, int, int]:
    """The `except ...` words of the clause (1-based columns, end exclusive)."""
    line, col = handler.lineno, handler.col_offset + 1
    last = handler.name or handler.type
    if last is not None and last.lineno == line and last.end_col_offset is not None:
        return (line, col, line, last.end_col_offset + 1)
    return (line, col, line, col + len("except"))


__all__ = ["exception_handling"]
