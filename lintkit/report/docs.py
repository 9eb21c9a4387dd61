"""Rule documentation from rule metadata: `lintkit explain`, SARIF help, docs/rules."""

from __future__ import annotations

from lintkit.registry import Rule


def _fence(example_filename: str) -> str:
    lower = example_filename.lower()
    if lower.endswith(".py"):
        return "python"
    if lower.endswith(".json"):
        return "json"
    return "yaml"


def rule_markdown(rule: Rule) -> str:
    lines = [f"# {rule.code} {rule.name}", "", rule.summary, ""]
    facts = [f"Severity: {rule.severity.value}"]
    if rule.cwe:
        facts.append("CWE: " + ", ".join(f"CWE-{c}" for c in rule.cwe))
    if rule.tags:
        facts.append("Tags: " + ", ".join(rule.tags))
    lines += [" · ".join(facts), ""]
    if rule.rationale:
        lines += ["## Why this matters", "", rule.rationale, ""]
    for verdict, title in (("bad", "Example that triggers the rule"), ("good", "Fixed example")):
        for ex in (e for e in rule.examples if e.verdict == verdict):
            lines += [f"## {title} (`{ex.filename}`)", "", f"```{_fence(ex.filename)}", ex.text.rstrip("\n"), "```", ""]
    if rule.fix:
        lines += ["## How to fix", "", rule.fix, ""]
    lines += [f"Suppress with `# lintkit: ignore[{rule.code}] reason` on the line or the line above.", ""]
    return "\n".join(lines)


def rule_text(rule: Rule) -> str:
    """Plain-text help (SARIF `help.text`)."""
    parts = [rule.summary]
    if rule.rationale:
        parts.append(rule.rationale)
    if rule.fix:
        parts.append("Fix: " + rule.fix)
    return "\n\n".join(parts)
