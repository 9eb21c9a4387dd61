"""The taint models are data: every entry must name real sink kinds and be unique,
and every sink kind has exactly one rule reporting it."""

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
def test_entries_are_unique_and_name_real_kinds(path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    kinds = load_model().kinds
    seen: set[tuple[str, str, str]] = set()
    for section in ("source", "sink", "sanitizer", "normalizer", "propagator"):
        for entry in data.get(section, []):
            key = (section, str(entry.get("api", entry.get("name_regex"))), str(entry.get("kind", "")))
            assert key not in seen, f"duplicate {key} in {path.name}"
            seen.add(key)
            if section == "sink":
                assert entry["kind"] in kinds, entry
                assert entry.get("args") or entry.get("kwargs") or entry.get("receiver"), entry
            if section == "sanitizer":
                for kind in entry["clears"]:
                    assert kind == ALL or kind in kinds, entry
            if section == "propagator":
                assert entry.get("args") or entry.get("kwargs"), entry
            if section == "source":
                assert entry["kind"] in ("remote", "local"), entry


def test_every_sink_kind_has_sinks_and_exactly_one_rule() -> None:
    model = load_model()
    used = {s.kind for sinks in model.sinks.values() for s in sinks}
    reporters = [(kind, r.code) for r in registry().rules.values() for kind in r.sinks]
    assert sorted(kind for kind, _ in reporters) == sorted(model.kinds) == sorted(used)
    assert all(registry().rules[code].cwe for _, code in reporters)
    assert {code for _, code in reporters} == {"PIV001", "PIV002", "PIV003", "PIV009", "PIV010", "PIV012", "PIV013",
                                               "PIV014", "PIV016", "PIV017", "PIV021", "PIV022", "PIV023", "PIV025",
                                               "PIV026"}


def test_primary_cwes() -> None:
    rules = registry().rules
    expected = {"PIV013": 78, "PIV002": 94, "PIV017": 89, "PIV014": 22, "PIV021": 502, "PIV012": 601, "PIV016": 918,
                "PIV003": 79, "PIV022": 611, "PIV009": 90, "PIV023": 643, "PIV010": 117, "PIV001": 1333,
                "PIV026": 113, "PIV025": 501}
    assert {code: rules[code].cwe[0] for code in expected} == expected
