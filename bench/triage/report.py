#!/usr/bin/env python3
"""Precision per rule and overall, from the last run.py results and labels.tsv.

    .venv/bin/python bench/triage/report.py              # the tables
    .venv/bin/python bench/triage/report.py --check      # exit 1 on unlabelled samples or bad labels
    .venv/bin/python bench/triage/report.py --todo -C 6  # unlabelled samples with 6 lines of source around each
    .venv/bin/python bench/triage/report.py --write      # docs/precision.md and rules/precision.json

Only labels whose finding is still reported count; a label whose finding is
gone is stale (listed, and an error with --check). The overall figures per
domain are given weighted by each rule's share of that domain's findings (what
a user reading every finding would see) and unweighted (share of the labels).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DOMAINS, LABELS_FILE, REPO, SAMPLE_SIZE, VERDICTS, Finding, Label, Project, load_findings, load_labels, load_projects, sample, write_labels  # noqa: E402

DOC = REPO / "docs" / "precision.md"
JSON_OUT = REPO / "rules" / "precision.json"


@dataclass
class Tally:
    findings: int = 0
    verdicts: Counter = field(default_factory=Counter)

    @property
    def labelled(self) -> int:
        return sum(self.verdicts.values())

    def share(self, verdict: str) -> float | None:
        return self.verdicts[verdict] / self.labelled if self.labelled else None


def tally(findings: list[Finding], labels: dict[tuple, Label]) -> dict[tuple[str, str], Tally]:
    """(code, domain) -> findings seen and verdicts of their labels."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for f in findings:
        t = tallies[(f.code, f.domain)]
        t.findings += 1
        label = labels.get(f.key)
        if label is not None:
            t.verdicts[label.verdict] += 1
    return tallies


def weighted(parts: list[Tally]) -> dict[str, float | None]:
    """Each verdict's share, each part weighted by its number of findings."""
    labelled = [t for t in parts if t.labelled]
    total = sum(t.findings for t in labelled)
    if not total:
        return {v: None for v in VERDICTS}
    return {v: sum(t.findings * t.share(v) for t in labelled) / total for v in VERDICTS}


def unweighted(parts: list[Tally]) -> dict[str, float | None]:
    counts = sum((t.verdicts for t in parts), Counter())
    n = sum(counts.values())
    return {v: counts[v] / n if n else None for v in VERDICTS}


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def overall_rows(tallies: dict[tuple[str, str], Tally]) -> list[str]:
    rows = ["| Domain | Findings | Labelled | True (weighted) | Low-value (weighted) | False (weighted) | True (unweighted) | Low-value (unweighted) | False (unweighted) |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for domain in (*DOMAINS, "all"):
        parts = [t for (_, d), t in tallies.items() if domain in (d, "all")]
        w, u = weighted(parts), unweighted(parts)
        findings, labelled = sum(t.findings for t in parts), sum(t.labelled for t in parts)
        rows.append(f"| {domain} | {findings} | {labelled} | " + " | ".join(pct(w[v]) for v in VERDICTS) + " | " + " | ".join(pct(u[v]) for v in VERDICTS) + " |")
    return rows


def rule_rows(tallies: dict[tuple[str, str], Tally], domain: str) -> list[str]:
    rows = ["| Rule | Findings | Labelled | True | Low-value | False | Precision (true) |", "|---|---:|---:|---:|---:|---:|---:|"]
    for (code, d), t in sorted(tallies.items()):
        if d == domain:
            rows.append(f"| {code} | {t.findings} | {t.labelled} | {t.verdicts['true']} | {t.verdicts['low-value']} | {t.verdicts['false']} | {pct(t.share('true'))} |")
    return rows


def per_code(tallies: dict[tuple[str, str], Tally]) -> dict[str, dict]:
    """code -> counts over both domains; precision weights each domain's share
    of `true` by that domain's number of findings (the samples are per domain)."""
    codes: dict[str, list[Tally]] = defaultdict(list)
    for (code, _), t in tallies.items():
        codes[code].append(t)
    out = {}
    for code, parts in sorted(codes.items()):
        verdicts = sum((t.verdicts for t in parts), Counter())
        precision = weighted(parts)["true"]
        out[code] = {
            "labelled": sum(verdicts.values()),
            "true": verdicts["true"],
            "low_value": verdicts["low-value"],
            "false": verdicts["false"],
            "findings_seen": sum(t.findings for t in parts),
            "precision": None if precision is None else round(precision, 3),
        }
    return out


def source_excerpt(project: Project, path: str, line: int, context: int) -> list[str]:
    try:
        lines = (project.source / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        return [f"        (unreadable: {exc})"]
    start, end = max(1, line - context), min(len(lines), line + context)
    return [f"    {'>' if n == line else ' '}{n:5} {lines[n - 1]}" for n in range(start, end + 1)]


def parse_all(values: list[str]) -> tuple[frozenset[str], dict[str, int]]:
    """`--all RULE` samples every finding of RULE; `--all RULE:K` the bottom K."""
    every, sizes = set(), {}
    for value in values:
        code, _, k = value.partition(":")
        if k:
            sizes[code] = int(k)
        else:
            every.add(code)
    return frozenset(every), sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 when a sampled finding has no label, a label is stale, or labels.tsv is not sorted")
    parser.add_argument("--todo", action="store_true", help="print the unlabelled sampled findings as label rows to fill in")
    parser.add_argument("-C", "--context", type=int, default=0, metavar="N", help="with --todo: N lines of source around each finding")
    parser.add_argument("--all", action="append", default=[], metavar="RULE[:K]", help=f"sample every finding of RULE, or its bottom K instead of {SAMPLE_SIZE}")
    parser.add_argument("--sort-labels", action="store_true", help="rewrite labels.tsv in its canonical order")
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(REPO)} and {JSON_OUT.relative_to(REPO)}")
    args = parser.parse_args()

    projects = load_projects()
    by_name = {p.name: p for p in projects}
    findings = load_findings(projects)
    label_list = load_labels()
    if args.sort_labels:
        write_labels(label_list)
    labels = {label.key: label for label in label_list}
    every, sizes = parse_all(args.all)
    sampled = sample(findings, every, sizes)
    current = {f.key for f in findings}
    unlabelled = [f for f in sampled if f.key not in labels]
    stale = [label for label in label_list if label.key not in current]
    unsorted = [label.order for label in label_list] != sorted(label.order for label in label_list)

    tallies = tally(findings, labels)
    if not args.todo:
        print("\n".join(overall_rows(tallies)))
        for domain in DOMAINS:
            print(f"\n## {domain}\n")
            print("\n".join(rule_rows(tallies, domain)))
    print(f"\n{len(findings)} findings, {len(sampled)} sampled, {len(labels) - len(stale)} labelled, {len(unlabelled)} sampled without a label, {len(stale)} stale labels")

    for label in stale:
        print(f"stale: {label.row()}")
    if unsorted:
        print(f"{LABELS_FILE.name} is not sorted: run report.py --sort-labels")
    if args.todo:
        for f in unlabelled:
            print(f"\n# {f.code} {f.domain} x{f.count}: {f.message}")
            print("\t".join((f.project, f.path, str(f.line), f.code, "", "")))
            if args.context:
                print("\n".join(source_excerpt(by_name[f.project], f.path, f.line, args.context)))
    elif args.check:
        for f in unlabelled:
            print(f"unlabelled: {f.project}\t{f.path}\t{f.line}\t{f.code}\t{f.message}")

    if args.write:
        write_outputs(tallies, findings, labels, projects)
    return 1 if args.check and (unlabelled or stale or unsorted) else 0


def write_outputs(tallies, findings, labels, projects) -> None:
    counted = sum(1 for f in findings if f.key in labels)
    parts = [
        "# Measured precision",
        "",
        "Generated by `bench/triage/report.py --write` from `bench/triage/labels.tsv`; do not edit by hand.",
        "Each label is a verdict written after reading the flagged code: `true`, `low-value` (technically",
        "right, not worth a maintainer's time) or `false` (the flagged thing does not happen, or the",
        "message says something untrue). See `bench/triage/README.md` to rerun and to label.",
        "",
        f"{len(projects)} pinned projects (`bench/triage/projects.toml`), {len(findings)} findings with `--select ALL`"
        + (f" ({sum(1 for p in projects if p.select)} projects run only the rules their `select` names)" if any(p.select for p in projects) else "")
        + ",",
        f"{counted} of them labelled (at least {SAMPLE_SIZE} per rule and domain, all where fewer).",
        "A finding's domain is `python` on a `.py` file and `aws` otherwise.",
        "",
        "## Overall",
        "",
        *overall_rows(tallies),
        "",
        "Weighted: each rule's shares weighted by its number of findings in the domain. Unweighted: shares of the labels.",
    ]
    for domain in DOMAINS:
        parts += ["", f"## {domain}", "", *rule_rows(tallies, domain)]
    DOC.write_text("\n".join(parts) + "\n", encoding="utf-8")
    JSON_OUT.write_text(json.dumps(per_code(tallies), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {DOC.relative_to(REPO)} and {JSON_OUT.relative_to(REPO)}")


if __name__ == "__main__":
    sys.exit(main())
