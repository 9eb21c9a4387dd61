"""Each rule's documented bad example triggers it and its good example does not:
the docs cannot drift away from the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.config import Config
from tests.helpers import registry, run_paths

RULES = registry().sorted_rules()
EXAMPLES = [(rule, ex) for rule in RULES for ex in rule.examples]


def test_every_rule_has_bad_and_good_examples() -> None:
    missing = [r.code for r in RULES if not {e.verdict for e in r.examples} >= {"bad", "good"}]
    assert not missing, f"rules without a bad and a good example: {missing}"


def test_every_rule_is_documented() -> None:
    for rule in RULES:
        assert rule.summary and rule.rationale and rule.fix, rule.code
        assert rule.name == rule.name.lower() and " " not in rule.name, rule.code


@pytest.mark.parametrize(("rule", "example"), EXAMPLES, ids=[f"{r.code}-{e.verdict}-{i}" for i, (r, e) in enumerate(EXAMPLES)])
def test_example(rule, example, tmp_path: Path) -> None:
    target = tmp_path / example.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(example.text, encoding="utf-8")
    # Rules off by default are tested the way a user turns them on.
    config = Config(root=str(tmp_path), respect_gitignore=False, select=("default", rule.code))
    result = run_paths([tmp_path], root=tmp_path, config=config)
    codes = {f.code for f in result.findings}
    if example.verdict == "bad":
        assert rule.code in codes, f"bad example of {rule.code} did not trigger it: {result.findings}"
    else:
        assert rule.code not in codes, f"good example of {rule.code} triggered it: {[f for f in result.findings if f.code == rule.code]}"
