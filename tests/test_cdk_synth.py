"""The CDK fixture app (fixtures/cdk) and its synthesized templates
(fixtures/cdk/synth, made by `cdk synth` through bench/cdk_synth.py) give the
same rule codes, stack by stack, for every rule that checks both CloudFormation
and CDK Python code. Positions differ (the .py line against the template line);
the fixture markers pin both sides."""

from __future__ import annotations

from functools import lru_cache

import pytest

from lintkit.config import Config
from lintkit.engine import RunResult
from tests.helpers import FIXTURES, registry, run_paths

APP = FIXTURES / "cdk"
# Stack source file -> the stacks app.py makes of it.
STACKS = {
    "stacks/api_stack.py": ["OrdersApi"],
    "stacks/build_stack.py": ["OrdersBuild"],
    "stacks/data_stack.py": ["OrdersData"],
    "stacks/delivery_stack.py": ["OrdersDelivery", "OrdersGuardedDelivery", "OrdersRegionalDelivery"],
    "stacks/deploy_stack.py": ["OrdersDeploy"],
    "stacks/release_stack.py": ["OrdersRelease"],
}
TWINS = frozenset(code for code, rule in registry().rules.items() if {"cloudformation", "python"} <= set(rule.kinds))


@lru_cache(maxsize=1)
def _run() -> RunResult:
    return run_paths([APP], root=APP, config=Config(root=str(APP), respect_gitignore=False, select=("ALL",)))


def _codes(path: str) -> set[str]:
    return {f.code for f in _run().findings if f.path == path} & TWINS


def test_every_stack_was_synthesized() -> None:
    made = sorted(p.name.removesuffix(".template.json") for p in (APP / "synth").glob("*.template.json"))
    assert made == sorted(s for stacks in STACKS.values() for s in stacks)
    assert sorted(STACKS) == sorted(p.relative_to(APP).as_posix() for p in (APP / "stacks").glob("*_stack.py"))


@pytest.mark.parametrize("source", sorted(STACKS))
def test_template_and_source_report_the_same_rules(source: str) -> None:
    from_templates = set().union(*(_codes(f"synth/{stack}.template.json") for stack in STACKS[source]))
    assert _codes(source) == from_templates


def test_the_app_exercises_every_twin_rule() -> None:
    assert TWINS <= {f.code for f in _run().findings}
