"""The taint models are data: every entry must name real rules and be unique."""

from __future__ import annotations

import sys

import pytest

from lintkit.python.models import ALL, load_model, models_dir
from tests.helpers import registry

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MODEL_FILES = sorted(models_dir().glob("taint-*.toml"))


def test_model_files_exist() -> None:
    names = {p.name for p in MODEL_FILES}
    assert {"taint-flask.toml", "taint-django.toml", "taint-fastapi.toml", "taint-stdlib.toml"} <= names


@pytest.mark.parametrize("path", MODEL_FILES, ids=[p.name for p in MODEL_FILES])
def test_entries_are_unique_and_name_real_rules(path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = registry().rules
    seen: set[tuple[str, str, str]] = set()
    for section in ("source", "sink", "sanitizer", "normalizer", "propagator"):
        for entry in data.get(section, []):
            key = (section, str(entry.get("api", entry.get("name_regex"))), str(entry.get("rule", "")))
            assert key not in seen, f"duplicate {key} in {path.name}"
            seen.add(key)
            if section == "sink":
                assert entry["rule"] in rules and rules[entry["rule"]].cwe, entry
                assert entry.get("args") or entry.get("kwargs") or entry.get("receiver"), entry
            if section == "sanitizer":
                for code in entry["clears"]:
                    assert code == ALL or code in rules, entry
            if section == "propagator":
                assert entry.get("args") or entry.get("kwargs"), entry
            if section == "source":
                assert entry["kind"] in ("remote", "local"), entry


def test_every_taint_rule_has_a_sink() -> None:
    model = load_model()
    sink_rules = {s.rule for sinks in model.sinks.values() for s in sinks}
    piv_with_checks = {"PIV001", "PIV002", "PIV003", "PIV009", "PIV010", "PIV012", "PIV013", "PIV014", "PIV016",
                       "PIV017", "PIV021", "PIV022", "PIV023", "PIV025", "PIV026"}
    assert piv_with_checks <= sink_rules


def test_primary_cwes() -> None:
    rules = registry().rules
    expected = {"PIV013": 78, "PIV002": 94, "PIV017": 89, "PIV014": 22, "PIV021": 502, "PIV012": 601, "PIV016": 918,
                "PIV003": 79, "PIV022": 611, "PIV009": 90, "PIV023": 643, "PIV010": 117, "PIV001": 1333,
                "PIV026": 113, "PIV025": 501}
    assert {code: rules[code].cwe[0] for code in expected} == expected
