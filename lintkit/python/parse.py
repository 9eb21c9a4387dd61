"""Parsing Python source into an astroid tree, with exact syntax-error positions."""

from __future__ import annotations

from typing import Any


class PythonSyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int, limit: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)
        self.limit = limit  # valid Python, but beyond what the analyzer builds


def module_name_for(relpath: str) -> str:
    name = relpath[:-3] if relpath.endswith(".py") else relpath.rsplit(".", 1)[0]
    parts = [p for p in name.replace("\\", "/").split("/") if p and p != "."]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "__main__"


def parse_module(text: str, relpath: str) -> Any:
    """An astroid Module for `text`; PythonSyntaxError when it does not parse."""
    import astroid
    from astroid.builder import AstroidBuilder

    class _Builder(AstroidBuilder):
        # astroid infers every `obj.attr = value` target after building, to
        # record instance attributes; that inference imports (and builds)
        # other modules and was a third of the time on real projects. No
        # lintkit analysis reads `instance_attrs`, so the step is skipped.
        def delayed_assattr(self, node: Any) -> None:
            return None

        # `from m import *` makes astroid build `m` from disk (and whatever `m`
        # imports) to list its public names. No lintkit analysis resolves a
        # name through a star import, so the names stay unbound instead.
        def add_from_names_to_locals(self, node: Any, global_names: Any) -> None:
            if any(name == "*" for name, _ in node.names):
                return None
            return super().add_from_names_to_locals(node, global_names)

    try:
        # No transforms: astroid's brain plugins infer every class's ancestors
        # (enum, dataclass, namedtuple checks), which builds every imported
        # module from disk; that was two thirds of the parse time on Django.
        # lintkit's analyses read the syntax tree and scopes, not the
        # synthesized members those plugins add.
        return _Builder(astroid.MANAGER, apply_transforms=False).string_build(text, modname=module_name_for(relpath), path=relpath)
    except astroid.AstroidSyntaxError as exc:
        error = exc.error if isinstance(getattr(exc, "error", None), SyntaxError) else None
        if error is not None:
            line = error.lineno or 1
            col = error.offset or 1
            return_msg = f"syntax error: {error.msg}"
        else:
            line, col, return_msg = 1, 1, f"syntax error: {exc}"
        raise PythonSyntaxError(return_msg, line, col) from None
    except (RecursionError, MemoryError):
        raise PythonSyntaxError("expressions nested too deeply to analyze", 1, 1, limit=True) from None
    except ValueError as exc:  # e.g. source with NUL bytes
        raise PythonSyntaxError(f"cannot parse: {exc}", 1, 1) from None
