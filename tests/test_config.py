"""Configuration: every key works, unknown keys and bad values are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.config import ConfigError, find_config_file, load_config, parse_config
from lintkit.findings import Severity


def test_all_keys_parse() -> None:
    cfg = parse_config(
        {
            "select": ["BSP", "GEN001"],
            "extend-select": ["python"],
            "ignore": ["CBP002"],
            "extend-ignore": ["duplicate-key"],
            "exclude": ["tests/data"],
            "extend-exclude": ["legacy"],
            "per-path-ignores": {"legacy/*": ["APS"]},
            "severity": {"BSP012": "medium"},
            "fail-on": "high",
            "rules": {"PIP008": {"prod-pattern": "prod"}},
            "respect-gitignore": False,
            "max-file-size": 1000,
        },
        "pyproject.toml",
        ".",
    )
    assert cfg.select == ("BSP", "GEN001", "python")
    assert cfg.ignore == ("CBP002", "duplicate-key")
    assert cfg.exclude == ("tests/data", "legacy")
    assert cfg.per_path_ignores == (("legacy/*", ("APS",)),)
    assert cfg.severity_overrides() == {"BSP012": Severity.MEDIUM}
    assert cfg.fail_on is Severity.HIGH
    assert cfg.rules == (("PIP008", (("prod-pattern", "prod"),)),)
    assert cfg.respect_gitignore is False and cfg.max_file_size == 1000


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"selct": ["BSP"]}, "unknown key"),
        ({"select": "BSP", "fail-on": "severe"}, "unknown severity"),
        ({"severity": {"BSP001": "loud"}}, "unknown severity"),
        ({"select": [1]}, "list of strings"),
        ({"per-path-ignores": ["x"]}, "per-path-ignores"),
        ({"rules": {"PIP008": 3}}, "rules"),
        ({"respect-gitignore": "yes"}, "true or false"),
        ({"max-file-size": -1}, "positive integer"),
    ],
)
def test_bad_values_are_errors(data, message) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(data, "x.toml", ".")


def test_search_finds_dotfile_then_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.lintkit]\nignore = ['BSP012']\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_config_file(sub) == tmp_path / "pyproject.toml"
    assert load_config(start=sub).ignore == ("BSP012",)
    (tmp_path / "a" / ".lintkit.toml").write_text("ignore = ['GEN002']\n")
    assert load_config(start=sub).ignore == ("GEN002",)


def test_pyproject_without_section_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    assert find_config_file(tmp_path) is None or find_config_file(tmp_path) != tmp_path / "pyproject.toml"


def test_invalid_toml_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / ".lintkit.toml"
    bad.write_text("select = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(bad)
