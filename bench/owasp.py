#!/usr/bin/env python3
"""Score lintkit and bandit on OWASP BenchmarkPython, the way the official
scorer (OWASP-Benchmark/BenchmarkUtils BenchmarkScore) does.

    python bench/owasp.py [--source GIT_DIR_OR_CHECKOUT] [--no-bandit] [--select ALL]

- The suite (GPL-3.0, never vendored) is pinned at commit 7cf0674 and unpacked
  into bench/.cache/BenchmarkPython. It comes from --source (a git directory or
  a checkout), else from `git clone` of github.com/OWASP-Benchmark/BenchmarkPython.
- lintkit runs on the whole checkout (so helpers/ contribute cross-module
  summaries) with the interpreter of this venv, which must be Python >= 3.12
  (the suite uses PEP 701 f-strings).
- bandit is installed into bench/.cache/bandit-venv and run on the same tree.
- Scoring: a test case is "reported" when any finding in BenchmarkTestNNNNN.*
  carries the expected CWE; for lintkit the CWE is the first entry of the rule's
  `cwe` list (the first SARIF `external/cwe/cwe-N` tag), for bandit its
  issue_cwe. CWE 564 also accepts 89. TPR/FPR per category, overall = unweighted
  mean over categories, score = TPR - FPR. Strict matching only (no CWE
  normalisation), as in ANCHORS.md §6.1.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from collections import defaultdict
from pathlib import Path

COMMIT = "7cf0674"
REPO_URL = "https://github.com/OWASP-Benchmark/BenchmarkPython"
HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
SUITE = CACHE / "BenchmarkPython"
BANDIT_VENV = CACHE / "bandit-venv"
BANDIT_SPEC = "bandit==1.9.4"
TEST_RE = re.compile(r"(BenchmarkTest\d{5})")


def obtain(source: str | None) -> Path:
    if (SUITE / "expectedresults-0.1.csv").exists():
        return SUITE
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = CACHE / "BenchmarkPython.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    if source is None:
        clone = CACHE / "BenchmarkPython.git"
        if not clone.exists():
            subprocess.run(["git", "clone", "--bare", REPO_URL, str(clone)], check=True)
        source = str(clone)
    src = Path(source)
    git_dir = src if (src / "HEAD").exists() and (src / "objects").exists() else src / ".git"
    archive = subprocess.run(["git", "--git-dir", str(git_dir), "archive", COMMIT], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive.stdout, check=True)
    tmp.rename(SUITE)
    return SUITE


def expected(suite: Path) -> dict[str, tuple[str, bool, int]]:
    out = {}
    with open(suite / "expectedresults-0.1.csv", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if not row or row[0].startswith("#"):
                continue
            out[row[0].strip()] = (row[1].strip(), row[2].strip() == "true", int(row[3]))
    return out


def lintkit_results(suite: Path, select: str = "") -> dict[str, set[int]]:
    sys.path.insert(0, str(HERE.parent))
    from lintkit.registry import build_registry

    registry = build_registry()
    first_cwe = {code: rule.cwe[0] for code, rule in registry.rules.items() if rule.cwe}
    out_file = CACHE / "lintkit.json"
    config = suite / ".lintkit.toml"  # the suite sits in a git-ignored cache: look anyway
    config.write_text("respect-gitignore = false\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "lintkit", "check", ".", "--format", "json", "--output", str(out_file), "--no-cache",
           "--config", str(config)] + (["--select", select] if select else [])
    subprocess.run(cmd, cwd=suite, check=False)
    data = json.loads(out_file.read_text(encoding="utf-8"))
    found: dict[str, set[int]] = defaultdict(set)
    for f in data["findings"]:
        m = TEST_RE.search(f["location"]["path"])
        if m and f["code"] in first_cwe:
            found[m.group(1)].add(first_cwe[f["code"]])
    return found


def bandit_results(suite: Path) -> dict[str, set[int]]:
    python = BANDIT_VENV / "bin" / "python"
    if not (BANDIT_VENV / "bin" / "bandit").exists():
        venv.create(BANDIT_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", BANDIT_SPEC], check=True)
    out_file = CACHE / "bandit.json"
    subprocess.run([str(python), "-m", "bandit", "-q", "-r", "testcode", "-f", "json", "-o", str(out_file)], cwd=suite, check=False)
    data = json.loads(out_file.read_text(encoding="utf-8"))
    found: dict[str, set[int]] = defaultdict(set)
    for r in data.get("results", []):
        m = TEST_RE.search(r.get("filename", ""))
        cwe = (r.get("issue_cwe") or {}).get("id")
        if m and cwe:
            found[m.group(1)].add(int(cwe))
    return found


def score(exp: dict[str, tuple[str, bool, int]], found: dict[str, set[int]]) -> dict[str, dict[str, float]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fn": 0, "fp": 0, "tn": 0})
    for test, (cat, real, cwe) in exp.items():
        accepted = {cwe} | ({89} if cwe == 564 else set())
        hit = bool(found.get(test, set()) & accepted)
        key = ("tp" if hit else "fn") if real else ("fp" if hit else "tn")
        counts[cat][key] += 1
    table: dict[str, dict[str, float]] = {}
    for cat, c in sorted(counts.items()):
        tpr = c["tp"] / max(1, c["tp"] + c["fn"])
        fpr = c["fp"] / max(1, c["fp"] + c["tn"])
        table[cat] = {"tpr": tpr, "fpr": fpr, "score": tpr - fpr, **c}
    n = len(table)
    table["OVERALL"] = {k: sum(v[k] for v in table.values()) / n for k in ("tpr", "fpr", "score")}
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", help="git directory or checkout of BenchmarkPython (else git clone)")
    parser.add_argument("--no-bandit", action="store_true")
    parser.add_argument("--category", help="list misses (FN/FP) of this category")
    parser.add_argument("--json", help="write the tables to this file")
    parser.add_argument("--select", default="", help="lintkit's rule selection (default: the default rule set; ALL: every rule)")
    args = parser.parse_args()
    if sys.version_info < (3, 12):
        print("BenchmarkPython needs a Python >= 3.12 parser; run this with a 3.12 interpreter", file=sys.stderr)
        return 2
    suite = obtain(args.source or os.environ.get("BENCHMARK_PYTHON_SOURCE"))
    exp = expected(suite)
    tools = {"lintkit": score(exp, lintkit_results(suite, args.select))}
    if not args.no_bandit:
        tools["bandit"] = score(exp, bandit_results(suite))
    names = list(tools)
    header = f"{'category':16}" + "".join(f"{n + ' TPR/FPR/J':>26}" for n in names)
    print(header)
    for cat in tools["lintkit"]:
        row = f"{cat:16}"
        for n in names:
            t = tools[n][cat]
            row += f"{t['tpr'] * 100:>12.1f}/{t['fpr'] * 100:5.1f}/{t['score'] * 100:6.1f}"
        print(row)
    if args.category:
        data = json.loads((CACHE / "lintkit.json").read_text(encoding="utf-8"))
        from lintkit.registry import build_registry

        first = {c: r.cwe[0] for c, r in build_registry().rules.items() if r.cwe}
        got: dict[str, set[int]] = defaultdict(set)
        for f in data["findings"]:
            m = TEST_RE.search(f["location"]["path"])
            if m and f["code"] in first:
                got[m.group(1)].add(first[f["code"]])
        for test, (cat, real, cwe) in sorted(exp.items()):
            if cat != args.category:
                continue
            hit = cwe in got.get(test, set())
            if hit != real:
                print(("FN " if real else "FP ") + test)
    if args.json:
        Path(args.json).write_text(json.dumps(tools, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
