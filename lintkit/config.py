"""`[tool.lintkit]` in pyproject.toml or a `.lintkit.toml` → a frozen Config,
and the project it belongs to.

Unknown keys, codes and bad values raise ConfigError (exit code 2), naming the
file: a typo in a setting must never silently switch a rule off. The search
for a configuration stops at the top of the git work tree, so a file above
the repository never configures it; the directory of the configuration found
is the project root (else the git root, else the current directory).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lintkit.registry import Registry

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
    fail_on: Severity | None = Severity.LOW  # None: no finding fails the run
    rules: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    respect_gitignore: bool = True
    max_file_size: int = 5 * 1024 * 1024
    only: str = ""  # "aws" | "python": check only that half's files (CLI --only)
    source: str = ""  # the file this came from, for messages
    explicit: bool = False  # given with --config (not found by searching)
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


def parse_severity(value: Any, where: str, allow_none: bool = False) -> Severity | None:
    """A severity by its listed name only (aliases such as "warning" are not
    documented, so they are not accepted either)."""
    names = [s.value for s in Severity] + (["none"] if allow_none else [])
    text = value.strip().lower() if isinstance(value, str) else value
    if allow_none and text == "none":
        return None
    if text not in names:
        raise ConfigError(f"{where}: unknown severity {value!r} (expected one of: {', '.join(names)})")
    return Severity(text)


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
    changes["severity"] = tuple((code, parse_severity(value, f"{where}: severity.{code}")) for code, value in sev.items())
    if "fail-on" in data:
        changes["fail_on"] = parse_severity(data["fail-on"], f"{where}: fail-on", allow_none=True)
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


def validate(config: Config, registry: Registry) -> None:
    """Every rule code or selector the configuration names must exist."""
    where = config.source or "configuration"
    for key, selectors in (("select", config.select), ("ignore", config.ignore)):
        for selector in selectors:
            if not registry.resolve(selector):
                raise ConfigError(f"{where}: '{key}' names unknown rule selector '{selector}' (see `lintkit rules`)")
    for glob, selectors in config.per_path_ignores:
        for selector in selectors:
            if not registry.resolve(selector):
                raise ConfigError(f"{where}: 'per-path-ignores' for '{glob}' names unknown rule selector '{selector}'")
    for code, _ in config.severity:
        if registry.code_for(code) is None:
            raise ConfigError(f"{where}: 'severity' names unknown rule '{code}'")
    for code, _ in config.rules:
        if not registry.resolve(code):
            raise ConfigError(f"{where}: [rules.{code}] names an unknown rule or family")


# --- where the configuration and the project are ------------------------------------

_TOOL_TABLE = re.compile(r"^\s*\[\s*tool\s*\.\s*[\"']?lintkit\b|^\s*tool\s*\.\s*lintkit\b", re.M)


def git_root(start: Path) -> Path | None:
    """The top of the git work tree holding `start` (a `.git` directory or file)."""
    current = start.resolve()
    if not current.is_dir():
        current = current.parent
    for directory in (current, *current.parents):
        if os.path.exists(directory / ".git"):
            return directory
    return None


def find_config_file(start: Path) -> Path | None:
    """The nearest `.lintkit.toml`, or pyproject.toml with [tool.lintkit],
    searching upwards from `start` and no further than the git work tree's top."""
    current = start.resolve()
    if not current.is_dir():
        current = current.parent
    top = git_root(current)
    for directory in (current, *current.parents):
        dotfile = directory / ".lintkit.toml"
        if dotfile.is_file():
            return dotfile
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_lintkit_table(pyproject):
            return pyproject
        if directory == top:
            break
    return None


def _has_lintkit_table(pyproject: Path) -> bool:
    """Does this pyproject.toml configure lintkit? A file that does not parse
    but seems to (a `[tool.lintkit` line) is an error, never skipped."""
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if _TOOL_TABLE.search(text):
            raise ConfigError(f"{pyproject}: invalid TOML: {exc}") from None
        return False
    tool = data.get("tool", {})
    return isinstance(tool, dict) and "lintkit" in tool


def project_root(start: Path, config: Config) -> Path:
    """The configuration's directory (when one was found by searching), else
    the git root, else the directory named (a file's directory)."""
    if config.source and not config.explicit:
        return Path(config.source).resolve().parent
    start = start.resolve()
    return git_root(start) or (start if start.is_dir() else start.parent)


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Read an explicit config file, or search upwards from `start`."""
    explicit = path is not None
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
    return replace(parse_config(data, str(path), str(path.resolve().parent)), explicit=explicit)
