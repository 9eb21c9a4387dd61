"""PSC rule metadata: security tags, primary CWEs, the PSC005/PSC017 alias."""

from __future__ import annotations

from tests.helpers import registry

PSC = [r for r in registry().sorted_rules() if r.code.startswith("PSC")]


def test_every_psc_rule_is_a_tagged_security_rule_with_a_primary_cwe() -> None:
    assert len(PSC) >= 16
    for rule in PSC:
        assert "security" in rule.tags, rule.code
        assert rule.cwe, rule.code


def test_benchmark_scored_rules_lead_with_the_scored_cwe() -> None:
    # OWASP BenchmarkPython reads only the first CWE of a rule.
    primary = {r.code: r.cwe[0] for r in PSC}
    assert primary["PSC029"] == 330
    assert primary["PSC016"] == 328
    assert primary["PSC015"] == 328
    assert primary["PSC012"] == 614
    assert primary["PSC031"] != 611  # configuration only; PIV022 owns XXE flows


def test_bind_all_interfaces_is_one_rule_with_codeguru_aliases() -> None:
    reg = registry()
    assert "PSC017" not in reg.rules
    assert reg.resolve("PSC017") == {"PSC005"}
    assert reg.resolve("insecure-socket-bind") == {"PSC005"}
    assert reg.code_for("PSC017") == "PSC005"


def test_credential_findings_hide_their_snippet_in_sarif() -> None:
    assert "secrets" in registry().rules["PSC006"].tags
