"""`[tool.lintkit]` in pyproject.toml or a `.lintkit.toml` → a frozen Config.

Unknown keys and bad values raise ConfigError (exit code 2): a typo in a
setting must never silently switch a rule off.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lintkit.findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """The configuration is invalid; the message says where and why."""


DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".lintkit_cache",
    ".aws-sam",
    "cdk.out",
    "build",
    "dist",
    "site-packages",
    ".eggs",
    "*.egg-info",
)


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("default",)  # the rules on by default (their TOML `default`)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity = Severity.LOW
    rules: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    respect_gitignore: bool = True
    max_file_size: int = 5 * 1024 * 1024
    only: str = ""  # "aws" | "python": check only that half's files (CLI --only)
    source: str = ""  # the file this came from, for messages
    root: str = "."  # directory paths in the config are relative to

    def severity_overrides(self) -> dict[str, Severity]:
        return dict(self.severity)

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **changes)


_KEYS = {
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "exclude",
    "extend-exclude",
    "per-path-ignores",
    "severity",
    "fail-on",
    "rules",
    "respect-gitignore",
    "max-file-size",
}


def _str_list(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def parse_config(data: dict[str, Any], source: str, root: str) -> Config:
    where = source or "configuration"
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(repr(k) for k in unknown)}; "
            f"valid keys are: {', '.join(sorted(_KEYS))}"
        )
    cfg = Config(source=source, root=root)
    changes: dict[str, Any] = {}
    if "select" in data:
        changes["select"] = _str_list(data["select"], "select", where)
    if "extend-select" in data:
        changes["select"] = changes.get("select", cfg.select) + _str_list(data["extend-select"], "extend-select", where)
    ignore = _str_list(data.get("ignore", []), "ignore", where) + _str_list(data.get("extend-ignore", []), "extend-ignore", where)
    changes["ignore"] = ignore
    changes["exclude"] = _str_list(data.get("exclude", []), "exclude", where) + _str_list(
        data.get("extend-exclude", []), "extend-exclude", where
    )
    ppi = data.get("per-path-ignores", {})
    if not isinstance(ppi, dict):
        raise ConfigError(f"{where}: 'per-path-ignores' must be a table of glob = [codes]")
    changes["per_path_ignores"] = tuple((glob, _str_list(codes, f"per-path-ignores.{glob}", where)) for glob, codes in ppi.items())
    sev = data.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError(f"{where}: 'severity' must be a table of CODE = severity")
    try:
        changes["severity"] = tuple((code, Severity.parse(value)) for code, value in sev.items())
        if "fail-on" in data:
            changes["fail_on"] = Severity.parse(data["fail-on"])
    except (ValueError, AttributeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None
    rules = data.get("rules", {})
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise ConfigError(f"{where}: 'rules' must be a table of [rules.CODE] tables")
    changes["rules"] = tuple((code, tuple(sorted(opts.items()))) for code, opts in rules.items())
    if "respect-gitignore" in data:
        if not isinstance(data["respect-gitignore"], bool):
            raise ConfigError(f"{where}: 'respect-gitignore' must be true or false")
        changes["respect_gitignore"] = data["respect-gitignore"]
    if "max-file-size" in data:
        size = data["max-file-size"]
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ConfigError(f"{where}: 'max-file-size' must be a positive integer (bytes)")
        changes["max_file_size"] = size
    return replace(cfg, **changes)


def find_config_file(start: Path) -> Path | None:
    """The nearest `.lintkit.toml`, or pyproject.toml with [tool.lintkit]."""
    current = start.resolve()
    if current.is_file():
        current = current.parent
    for directory in (current, *current.parents):
        dotfile = directory / ".lintkit.toml"
        if dotfile.is_file():
            return dotfile
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            if "lintkit" in data.get("tool", {}):
                return pyproject
    return None


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Read an explicit config file, or search upwards from `start`."""
    if path is None:
        path = find_config_file(start or Path.cwd())
        if path is None:
            return Config(root=str((start or Path.cwd()).resolve() if (start or Path.cwd()).is_dir() else Path.cwd()))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("lintkit", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.lintkit] must be a table")
    return parse_config(data, str(path), str(path.resolve().parent))
