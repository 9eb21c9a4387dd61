"""Rule documentation from rule metadata: `lintkit explain`, SARIF help, docs/rules."""

from __future__ import annotations

from typing import Any

from lintkit.registry import Rule
from lintkit.report.escape import escape_control


def _fence(example_filename: str) -> str:
    lower = example_filename.lower()
    if lower.endswith(".py"):
        return "python"
    if lower.endswith(".json"):
        return "json"
    return "yaml"


def precision_words(measured: dict[str, Any] | None) -> str:
    """"92 % true (24 labelled)" from the triage harness's figures."""
    if not measured or not measured.get("labelled"):
        return "not yet measured"
    return f"{round(100 * float(measured['precision']))} % true ({measured['labelled']} labelled)"


def rule_markdown(rule: Rule, measured: dict[str, Any] | None = None) -> str:
    lines = [f"# {rule.code} {rule.name}", "", rule.summary, ""]
    facts = [f"Severity: {rule.severity.value}", "On by default" if rule.default else "Opt-in (not on by default)"]
    if rule.cwe:
        facts.append("CWE: " + ", ".join(f"CWE-{c}" for c in rule.cwe))
    if rule.tags:
        facts.append("Tags: " + ", ".join(rule.tags))
    lines += [" · ".join(facts), ""]
    more = [f"Checks: {', '.join(rule.kinds) if rule.checks else 'reported by lintkit itself'}"]
    more.append(f"Precision on real code: {precision_words(measured)}")
    if rule.pylint:
        more.append(f"pylint: `{rule.pylint}` `lintkit-{rule.name}`")
    if rule.codeguru:
        more.append("CodeGuru detector: " + ", ".join(f"`{d}`" for d in rule.codeguru))
    if rule.bandit:
        more.append("bandit: " + ", ".join(f"`{b}`" for b in rule.bandit) + " (`# nosec` suppresses it)")
    lines += [" · ".join(more), ""]
    if rule.rationale:
        lines += ["## Why this matters", "", rule.rationale, ""]
    if rule.options:
        lines += ["## Options", "", f"Set under `[tool.lintkit.rules.{rule.code}]` (or the family, `[tool.lintkit.rules.{rule.family}]`).", ""]
        lines += ["| Option | Type | Default | Meaning |", "|---|---|---|---|"]
        for o in rule.options:
            default = "`" + (repr(list(o.default)) if isinstance(o.default, tuple) else str(o.default).lower() if isinstance(o.default, bool) else str(o.default)).replace("|", "\\|") + "`"
            lines.append(f"| `{o.key}` | {o.type} | {default} | {o.doc} |")
        lines.append("")
    for verdict, title in (("bad", "Example that triggers the rule"), ("good", "Fixed example")):
        for ex in (e for e in rule.examples if e.verdict == verdict):
            lines += [f"## {title} (`{ex.filename}`)", "", f"```{_fence(ex.filename)}", escape_control_lines(ex.text.rstrip("\n")), "```", ""]
    if rule.fix:
        lines += ["## How to fix", "", rule.fix, ""]
    lines += [f"Suppress with `# lintkit: ignore[{rule.code}] reason` on the line or the line above.", ""]
    return "\n".join(lines)


def escape_control_lines(text: str) -> str:
    """An example as text a reader can see: control characters escaped, lines kept."""
    return "\n".join(escape_control(line) for line in text.split("\n"))


def rule_text(rule: Rule) -> str:
    """Plain-text help (SARIF `help.text`)."""
    parts = [rule.summary]
    if rule.rationale:
        parts.append(rule.rationale)
    if rule.fix:
        parts.append("Fix: " + rule.fix)
    return "\n\n".join(parts)


def index_markdown(rules: list[Rule]) -> str:
    lines = [
        "# lintkit rules",
        "",
        "Generated from `rules/` by `python -m lintkit.report.docs docs/rules`; do not edit by hand.",
        "",
        "| Code | Name | Severity | Default | Summary |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        summary = rule.summary.replace("|", "\\|")
        default = "on" if rule.default else "opt-in"
        lines.append(f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity.value} | {default} | {summary} |")
    return "\n".join(lines) + "\n"


def generated_docs(rules: list[Rule], measured: dict[str, dict[str, Any]] | None = None) -> dict[str, str]:
    """File name -> content for docs/rules/."""
    docs = {f"{rule.code}.md": rule_markdown(rule, (measured or {}).get(rule.code)) for rule in rules}
    docs["README.md"] = index_markdown(rules)
    return docs


def main(argv: list[str] | None = None) -> int:
    import sys
    from pathlib import Path

    from lintkit.registry import build_registry, measured_precision

    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/rules")
    out.mkdir(parents=True, exist_ok=True)
    docs = generated_docs(build_registry(include_plugins=False).sorted_rules(), measured_precision())
    for stale in out.glob("*.md"):
        if stale.name not in docs:
            stale.unlink()
    for name, content in docs.items():
        (out / name).write_text(content, encoding="utf-8")
    print(f"wrote {len(docs)} files to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
