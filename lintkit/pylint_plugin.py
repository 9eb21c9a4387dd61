"""pylint plugin: lintkit's Python rules on pylint's own astroid trees.

    pylint --load-plugins=lintkit.pylint_plugin src/

Registers one checker named `lintkit`. Every Python rule in lintkit's registry
(PRL leaks, PIV taint, PSC security, and Python rules of installed packs) becomes
a pylint message, generated from the registry, so new rules appear here
without touching this file. Message ids are declared once in each rule's TOML
(`pylint = "W9101"` for PRL001 `lintkit-resource-leak`) and never change with
the rule's severity. The message text is lintkit's own.

The module pylint already parsed is handed to the same check functions the
`lintkit` CLI runs; nothing is parsed twice. Cross-file function summaries
(leaks, taint) are computed from the modules the checked module imports, as
pylint's astroid manager loads them.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pylint.checkers import BaseChecker
from pylint.constants import WarningScope

from lintkit.registry import Registry, Rule, build_registry, summarizers
from lintkit.secrets import mask_text

if TYPE_CHECKING:
    from astroid import nodes
    from pylint.lint import PyLinter

def message_id(rule: Rule) -> str:
    """The rule's pylint message id, declared once in its TOML (`pylint = "W9101"`)."""
    return rule.pylint


def symbol(rule: Rule) -> str:
    return f"lintkit-{rule.name}"


def python_rules(registry: Registry) -> list[Rule]:
    """Every rule with a check on Python source: built-in and packs alike."""
    return [r for r in registry.sorted_rules() if "python" in r.kinds and r.pylint]


def _outside_project(path: str | None) -> bool:
    if not path:
        return True
    stdlib = sysconfig.get_paths().get("stdlib", "")
    return "site-packages" in path or "dist-packages" in path or (bool(stdlib) and path.startswith(stdlib))


class _Session:
    """What the family checkers share: the registry, summaries, and the findings
    of the module being checked (the checks run once per module, whichever
    family checker visits it first)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.by_code = {r.code: r for r in python_rules(registry)}
        self.summary_cache: dict[str, dict[str, Any]] = {}
        self.module_key: int | None = None
        self.findings: list[Any] = []

    def summaries(self, module: nodes.Module) -> dict[str, dict[str, Any]]:
        from lintkit.python.names import imported_modules
        from lintkit.python.walk import forget

        funcs = summarizers()
        merged: dict[str, dict[str, Any]] = {name: {} for name in funcs}
        for modname in sorted(imported_modules(module)):
            try:
                imported = module.import_module(modname, relative_only=False)
            except Exception:  # not importable here: no summary, as in the CLI
                continue
            path = getattr(imported, "file", None)
            if _outside_project(path) or imported is module:
                continue
            key = str(path)
            if key not in self.summary_cache:
                entry: dict[str, Any] = {}
                for name, func in funcs.items():
                    try:
                        entry[name] = func(imported, key)
                    except Exception:
                        continue
                forget(imported)
                self.summary_cache[key] = entry
            for name, summary in self.summary_cache[key].items():
                merged.setdefault(name, {})[key] = summary
        return merged

    def findings_for(self, node: nodes.Module, linter: PyLinter) -> list[Any]:
        if self.module_key == id(node):
            return self.findings
        from lintkit.api import Context, Project
        from lintkit.engine import run_checks
        from lintkit.python.walk import forget

        self.module_key = id(node)
        self.findings = []
        enabled = frozenset(code for code, rule in self.by_code.items() if linter.is_message_enabled(symbol(rule)))
        if not enabled:
            return self.findings
        path = node.file or "<module>"
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace") if node.file else node.as_string()
        except OSError:
            text = node.as_string()
        root = Path(path).resolve().parent
        try:
            from lintkit.config import load_config

            config = load_config(start=root)
            options = self.registry.resolve_options(config.rules, config.source)
        except Exception:  # a broken lintkit config must not break pylint
            options = {}
        ctx = Context(
            path=path,
            kind="python",
            text=text,
            registry=self.registry,
            enabled=enabled,
            project=Project(root=root, summaries=self.summaries(node)),
            options=options,
        )
        try:
            run_checks(ctx, node, "python", self.registry)
        finally:
            forget(node)
        self.findings = list(ctx.findings)
        return self.findings


class LintkitChecker(BaseChecker):
    """One checker per message-id prefix (pylint wants one two-digit prefix
    per checker), all named `lintkit`, so `--disable=lintkit` turns every one off."""

    name = "lintkit"
    prefix = ""
    msgs = {}  # each subclass's own, made by checkers()

    def __init__(self, linter: PyLinter, session: _Session) -> None:
        super().__init__(linter)
        self._session = session

    def visit_module(self, node: nodes.Module) -> None:
        for finding in self._session.findings_for(node, self.linter):
            rule = self._session.by_code.get(finding.code)
            if rule is None or rule.pylint[1:3] != self.prefix:
                continue
            loc = finding.location
            self.add_message(
                symbol(rule),
                line=loc.line,
                col_offset=loc.column - 1,
                end_lineno=loc.end_line,
                end_col_offset=loc.end_column - 1,
                args=(mask_text(finding.message),),  # pylint's reporters are lintkit's output too
            )


def checkers(linter: PyLinter, registry: Registry | None = None) -> list[LintkitChecker]:
    registry = registry or build_registry()
    session = _Session(registry)
    out = []
    for prefix in sorted({r.pylint[1:3] for r in python_rules(registry)}):
        msgs = {
            r.pylint: ("%s", symbol(r), r.summary, {"scope": WarningScope.LINE})
            for r in python_rules(registry)
            if r.pylint[1:3] == prefix
        }
        cls = type(f"Lintkit{prefix}Checker", (LintkitChecker,), {"msgs": msgs, "prefix": prefix})
        out.append(cls(linter, session))
    return out


def register(linter: PyLinter) -> None:
    """pylint's plugin entry point."""
    for checker in checkers(linter):
        linter.register_checker(checker)
