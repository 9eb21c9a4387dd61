"""docs/rules is generated from rules/ and must match it exactly."""

from __future__ import annotations

from lintkit.registry import build_registry, measured_precision
from lintkit.report.docs import generated_docs
from tests.helpers import REPO


def test_rule_docs_are_up_to_date() -> None:
    expected = generated_docs(build_registry(include_plugins=False).sorted_rules(), measured_precision())
    folder = REPO / "docs" / "rules"
    actual = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    stale = sorted(name for name in expected if actual.get(name) != expected[name])
    extra = sorted(set(actual) - set(expected))
    assert not stale and not extra, (
        f"docs/rules is out of date (stale: {stale[:10]}, extra: {extra[:10]}); "
        "run `python -m lintkit.report.docs docs/rules`"
    )


def test_rule_index_is_fresh() -> None:
    """rules/index.json (pre-parsed metadata, the fast start-up path) matches the
    TOML files; a stale index is ignored at run time but costs speed."""
    import json

    from lintkit.registry import _digest, builtin_rules_dir, rule_files

    rules_dir = builtin_rules_dir()
    digest, _ = _digest(rules_dir, rule_files(rules_dir))
    index = json.loads((rules_dir / "index.json").read_text(encoding="utf-8"))
    assert index["digest"] == digest, "run `python -m lintkit.registry --write-index`"
