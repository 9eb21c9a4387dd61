"""The rule registry: one TOML declaration per rule, validated at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.api import Context
from lintkit.config import Config
from lintkit.engine import run_checks
from lintkit.registry import FILE_KINDS, Registry, RuleError, RulePack, rule_from_data
from tests.helpers import registry, run_paths

BASE = {"code": "XMP001", "name": "x-rule", "severity": "low", "summary": "s", "kinds": ["buildspec"], "check": "m.n:f"}


def _rule(**changes):
    data = {**BASE, **changes}
    return rule_from_data({k: v for k, v in data.items() if v is not None}, Path(f"{data['code']}.toml"))


def test_every_builtin_check_imports_and_every_rule_is_served() -> None:
    reg = registry()
    served = {code for kind in FILE_KINDS for chk in reg.checks_for(kind) for code in chk.codes}
    engine_rules = {c for c, r in reg.rules.items() if r.kinds == ("any",)}
    assert served | engine_rules == set(reg.rules)
    assert engine_rules == {"GEN001", "GEN003", "LNT001"} | (engine_rules - {"GEN001", "GEN003", "LNT001"})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stict": True}, "unknown key(s) stict"),
        ({"kinds": ["buildspecs"]}, "unknown kind 'buildspecs'"),
        ({"check": "no_colon"}, "must be \"package.module:function\""),
        ({"check": None}, "`check`"),
        ({"check": {"pipeline": "a:b"}}, "either `kinds`"),
        ({"kinds": ["python"]}, "stable pylint message id"),
        ({"kinds": ["python"], "pylint": "X1"}, "must look like W9101"),
        ({"options": {"prod_pattern": {"type": "regex", "default": "x", "doc": ""}}}, "kebab-case"),
        ({"options": {"limit": {"type": "int", "default": "3", "doc": ""}}}, "must be an integer"),
        ({"default": "yes"}, "true or false"),
        ({"name": "Bad Name"}, "malformed"),
    ],
)
def test_malformed_declarations_are_errors(changes: dict, message: str) -> None:
    with pytest.raises(RuleError, match=None) as info:
        _rule(**changes)
    assert message in str(info.value)


def test_domain_follows_the_kinds() -> None:
    assert _rule().domain == "aws"
    assert _rule(kinds=["python"], pylint="W9999").domain == "python"
    assert _rule(check={"cloudformation": "a:b", "python": "a:c"}, kinds=None, pylint="W9999").domain == "aws"
    assert _rule(kinds=["any"], check=None).domain == "any"


def test_selectors() -> None:
    reg = registry()
    assert reg.resolve("ALL") == set(reg.rules)
    assert reg.resolve("default") == {c for c, r in reg.rules.items() if r.default}
    assert reg.resolve("PRL") == {c for c in reg.rules if c.startswith("PRL")}
    assert reg.resolve("resource-leak") == {"PRL001"}
    assert "BSP001" in reg.resolve("aws") and "PRL001" not in reg.resolve("aws")


def test_options_resolve_with_defaults_family_tables_and_rule_tables() -> None:
    reg = registry()
    opts = reg.resolve_options((("PIV", (("local-sources", True),)), ("PIV003", (("local-sources", False),))), "pyproject.toml")
    assert opts["PIV001"]["local-sources"] is True
    assert opts["PIV003"]["local-sources"] is False  # the rule's own table wins over its family's
    assert opts["PRL001"] == {"include-tests": False, "strict": False}
    assert opts["CDG005"] == {"min-fleet-percent": 66}


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ((("PRL001", (("stict", True),)),), "pyproject.toml: [rules.PRL001]: unknown option 'stict'; did you mean 'strict'?"),
        ((("PIP008", (("prod_pattern", "x"),)),), "did you mean 'prod-pattern'?"),
        ((("NOPE999", (("x", 1),)),), "pyproject.toml: [rules.NOPE999]: no rule matches 'NOPE999'"),
        ((("PRL001", (("strict", "yes"),)),), "option 'strict' must be true or false"),
        ((("CDG005", (("min-fleet-percent", 1.5),)),), "must be an integer"),
        ((("PIP008", (("prod-pattern", "(unclosed"),)),), "not a valid regular expression"),
    ],
)
def test_bad_options_are_configuration_errors(tables: tuple, message: str) -> None:
    with pytest.raises(RuleError) as info:
        registry().resolve_options(tables, "pyproject.toml")
    assert message in str(info.value)


def test_duplicate_pylint_ids_are_refused(tmp_path: Path) -> None:
    for code in ("XMP001", "XMP002"):
        (tmp_path / f"{code}.toml").write_text(
            f'code = "{code}"\nname = "n-{code.lower()}"\nseverity = "low"\nsummary = "s"\n'
            'kinds = ["python"]\ncheck = "m:f"\npylint = "W9990"\n'
        )
    with pytest.raises(RuleError, match="pylint id W9990 used by both XMP001 and XMP002"):
        Registry([RulePack("x", tmp_path)])


def test_a_check_reporting_an_undeclared_code_is_an_error(tmp_path: Path) -> None:
    """A check may report only the codes whose TOML names it."""
    from lintkit.documents import load

    (tmp_path / "XMP001.toml").write_text('code = "XMP001"\nname = "x"\nseverity = "low"\nsummary = "s"\n'
                                          'kinds = ["buildspec"]\ncheck = "tests.test_registry:rogue_check"\n')
    reg = Registry([RulePack("builtin", registry().packs[0].rules_dir), RulePack("x", tmp_path)])
    ctx = Context(path="buildspec.yml", kind="buildspec", text="version: 0.2\n", registry=reg, enabled=frozenset({"XMP001", "PRL001"}))
    run_checks(ctx, load("version: 0.2\n", "buildspec.yml"), "buildspec", reg)
    assert not ctx.findings
    [note] = ctx.notifications
    assert note.kind == "crash" and "reported PRL001" in note.message


def test_default_selection_is_the_default_rules(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands:\n      - curl https://x.example/i.sh | sh\n")
    result = run_paths([tmp_path], root=tmp_path, config=Config(root=str(tmp_path), respect_gitignore=False))
    assert result.enabled == frozenset(registry().resolve("default"))


def rogue_check(doc, ctx) -> None:
    ctx.report("PRL001", (1, 1), "not mine")
