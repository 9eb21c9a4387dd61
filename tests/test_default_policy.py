"""The default rule set follows measured precision: a rule is on by default only
when real code (bench/triage, rules/precision.json) shows it at least 80 % true.
Rules with fewer than 3 labelled findings have no figure yet and are left to the
rule's author (most fire nowhere in the corpus)."""

from __future__ import annotations

from tests.helpers import registry

MIN_LABELS = 3
THRESHOLD = 0.8


def test_default_rules_are_at_least_80_percent_true_where_measured() -> None:
    reg = registry()
    below = []
    for rule in reg.sorted_rules():
        measured = reg.precision(rule.code)
        if rule.default and measured and measured["labelled"] >= MIN_LABELS and measured["precision"] < THRESHOLD:
            below.append(f"{rule.code} {measured['true']}/{measured['labelled']}")
    assert not below, f"on by default but under 80 % true on real code: {below}"


def test_precision_figures_name_known_rules() -> None:
    reg = registry()
    measured = [code for code in reg.rules if reg.precision(code)]
    assert len(measured) > 50
    assert all(reg.precision(code)["labelled"] >= 1 for code in measured)
