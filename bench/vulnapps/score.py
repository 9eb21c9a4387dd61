#!/usr/bin/env python3
"""Recall and precision of lintkit, bandit and semgrep on intentionally
vulnerable Python web applications, against hand-written labels.

    .venv/bin/python bench/vulnapps/score.py                 # every app, every tool
    .venv/bin/python bench/vulnapps/score.py --misses lintkit --fps lintkit
    .venv/bin/python bench/vulnapps/score.py --app skf-sqli --check-labels

- apps.toml pins each app (repository, commit, subdirectory); labels.tsv holds
  the labels. Apps are unpacked into bench/.cache/vulnapps/<app>/ from the
  session's fetch mirror ($VULNAPPS_MIRROR, default /work/.mirror), else from a
  bare `git clone`. Blobs missing from a partial mirror (large binaries) are
  skipped; the `exclude` globs and ignore files are left out.
- lintkit runs from this checkout, once with --select ALL and once with the
  default rule set; bandit and semgrep come from pinned cache venvs
  (bench/common.py PEERS); semgrep uses the `python/` rules of a pinned
  semgrep-rules commit, offline.
- Matching and counting rules: README.md next to this file.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from common import CACHE, REPO, peer_venv  # noqa: E402

APPS_DIR = CACHE / "vulnapps"
OUT_DIR = CACHE / "vulnapps-results"
CLONES = CACHE / "vulnapps-git"
RULES_DIR = CACHE / "semgrep-rules"
MIRROR = Path(os.environ.get("VULNAPPS_MIRROR", "/work/.mirror"))

# A finding's CWE matches a label's CWE when both are equal or sit in one of
# these groups; nothing else is equivalent. The same table serves every tool.
CWE_GROUPS = (
    frozenset({77, 78, 88}),  # command injection (argument injection)
    frozenset({22, 23, 36, 73}),  # path traversal, relative/absolute, external file name
    frozenset({79, 80}),  # cross-site scripting
    frozenset({94, 95, 96, 1336}),  # code injection: eval, static code, template engine (SSTI)
    frozenset({611, 776, 827}),  # XML external entities, entity expansion, DTD control
    frozenset({798, 259, 321}),  # hard-coded credentials, password, key
    frozenset({327, 328, 916}),  # weak algorithm, weak hash, weak password hash
    frozenset({489, 215}),  # active debug code, debug information
    frozenset({614, 1004}),  # cookie without Secure / HttpOnly
    frozenset({1333, 730}),  # ReDoS
)

NEAR = 3  # --misses shows a tool's findings this many lines around a missed label

TOOLS = ("lintkit", "lintkit-default", "bandit", "semgrep")
LINTKIT_SECURITY_FAMILIES = ("PIV", "PSC")  # PRL (resource leaks) and the AWS families are not security claims here


def same_kind(a: int, b: int) -> bool:
    return a == b or any(a in group and b in group for group in CWE_GROUPS)


def kind_key(cwe: int | None) -> int | None:
    """One key per equivalence group, so a tool's duplicate CWEs at a line count once."""
    for group in CWE_GROUPS:
        if cwe in group:
            return min(group)
    return cwe


@dataclass(frozen=True)
class App:
    name: str
    repo: str
    commit: str
    subdir: str
    framework: str
    intended: str
    exclude: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        return APPS_DIR / self.name


@dataclass(frozen=True)
class Label:
    app: str
    file: str
    start: int
    end: int
    cwe: int
    text: str

    def where(self) -> str:
        lines = str(self.start) if self.start == self.end else f"{self.start}-{self.end}"
        return f"{self.file}:{lines}"


@dataclass
class Finding:
    file: str
    line: int
    cwe: int | None
    rule: str
    message: str
    steps: list[tuple[str, int]] = field(default_factory=list)  # lintkit flow and related locations


# ---------------------------------------------------------------- corpus


def load_apps() -> tuple[list[App], dict]:
    data = tomllib.loads((HERE / "apps.toml").read_text(encoding="utf-8"))
    apps = [App(**{**a, "exclude": tuple(a.get("exclude", ()))}) for a in data["app"]]
    return apps, data["semgrep-rules"]


def load_labels(apps: list[App]) -> list[Label]:
    names = {a.name for a in apps}
    labels = []
    rows = [line for line in (HERE / "labels.tsv").read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    for row in csv.DictReader(rows, delimiter="\t"):
        if row["app"] not in names:
            raise SystemExit(f"labels.tsv: unknown app {row['app']!r}")
        start, _, end = row["line"].partition("-")
        labels.append(Label(row["app"], row["file"], int(start), int(end or start), int(row["cwe"]), row["description"]))
    return labels


def git_dir_for(repo: str) -> Path:
    mirror = MIRROR / repo.replace("/", "+") / "repo"
    if (mirror / "objects").is_dir():
        return mirror
    clone = CLONES / (repo.replace("/", "+") + ".git")
    if not clone.exists():
        CLONES.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "--quiet", "--bare", f"https://github.com/{repo}.git", str(clone)], check=True)
    return clone


def export_tree(git_dir: Path, commit: str, subdir: str, dest: Path, exclude: tuple[str, ...]) -> list[str]:
    """Write the blobs of commit:subdir under dest; return the paths whose blob
    the (partial) mirror lacks. Ignore files are left out so that bandit, which
    reads none, sees the same files as lintkit and semgrep."""
    git = ["git", "--git-dir", str(git_dir)]
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", f"{commit}:{subdir}" if subdir else commit],
                             check=True, capture_output=True).stdout.decode()
    wanted = []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind != "blob" or mode == "120000" or Path(path).name in (".gitignore", ".semgrepignore"):
            continue
        if any(fnmatch.fnmatch(path, g) or fnmatch.fnmatch("/" + path, g) for g in exclude):
            continue
        wanted.append((sha, path))
    batch = subprocess.run([*git, "cat-file", "--batch"], input="".join(f"{sha}\n" for sha, _ in wanted).encode(),
                           check=True, capture_output=True).stdout
    missing, pos = [], 0
    for sha, path in wanted:
        eol = batch.index(b"\n", pos)
        header = batch[pos:eol].split()
        pos = eol + 1
        if header[-1] == b"missing":
            missing.append(path)
            continue
        size = int(header[2])
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[pos:pos + size])
        pos += size + 1
    return missing


def unpack(app: App) -> None:
    stamp = APPS_DIR / f".{app.name}.source"
    source = json.dumps([app.repo, app.commit, app.subdir, list(app.exclude)])
    if app.root.is_dir() and stamp.exists() and stamp.read_text() == source:
        return
    shutil.rmtree(app.root, ignore_errors=True)
    app.root.mkdir(parents=True)
    missing = export_tree(git_dir_for(app.repo), app.commit, app.subdir, app.root, app.exclude)
    if missing:
        print(f"{app.name}: {len(missing)} blob(s) not in the mirror, skipped: {', '.join(missing[:5])}", file=sys.stderr)
    # bench/.cache is git-ignored in this repository and lintkit reads git's view
    # of the tree: a repository of its own makes the app's files visible again.
    subprocess.run(["git", "init", "--quiet", str(app.root)], check=True)
    stamp.write_text(source)


def semgrep_rules(pin: dict) -> Path:
    """The pinned rules directory, rule files only (the repository's test targets stay out)."""
    dest = RULES_DIR / pin["subdir"]
    stamp = RULES_DIR / ".source"
    if dest.is_dir() and stamp.exists() and stamp.read_text() == pin["commit"]:
        return dest
    shutil.rmtree(RULES_DIR, ignore_errors=True)
    dest.mkdir(parents=True)
    export_tree(git_dir_for(pin["repo"]), pin["commit"], pin["subdir"], dest, ())
    for path in dest.rglob("*"):
        if path.is_file() and (path.suffix not in (".yaml", ".yml") or ".test." in path.name):
            path.unlink()
    stamp.write_text(pin["commit"])
    return dest


def check_labels(apps: list[App], labels: list[Label], show: bool) -> None:
    by_name = {a.name: a for a in apps}
    for label in labels:
        path = by_name[label.app].root / label.file
        if not path.is_file():
            raise SystemExit(f"labels.tsv: {label.app} has no file {label.file}")
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        if label.end > len(lines) or label.start > label.end:
            raise SystemExit(f"labels.tsv: {label.app} {label.where()} is outside the file ({len(lines)} lines)")
        if show:
            print(f"{label.app} {label.where()} CWE-{label.cwe}  {label.text}")
            for number in range(label.start, label.end + 1):
                print(f"    {number:5} | {lines[number - 1].strip()[:150]}")


# ---------------------------------------------------------------- tools


def lintkit_cwes() -> dict[str, int]:
    sys.path.insert(0, str(REPO))
    from lintkit.registry import build_registry

    return {code: rule.cwe[0] for code, rule in build_registry().rules.items() if rule.cwe}


def run_lintkit(app: App, select_all: bool, first_cwe: dict[str, int], ignored: defaultdict) -> list[Finding]:
    tag = "lintkit" if select_all else "lintkit-default"
    out = OUT_DIR / f"{app.name}.{tag}.json"
    cmd = [sys.executable, "-P", "-m", "lintkit", "check", ".", *(["--select", "ALL"] if select_all else []),
           "--format", "json", "-o", str(out), "--no-cache", "--isolated", "--jobs", "1"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's lintkit, whatever is installed
    done = subprocess.run(cmd, cwd=app.root, env=env, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"lintkit failed on {app.name} (exit {done.returncode})")
    findings = []
    for f in json.loads(out.read_text(encoding="utf-8"))["findings"]:
        if not f["code"].startswith(LINTKIT_SECURITY_FAMILIES):
            ignored[tag][f["code"][:3]] += 1
            continue
        steps = [(s["path"], s["line"]) for s in f.get("flow", []) + f.get("related", [])]
        loc = f["location"]
        findings.append(Finding(loc["path"], loc["line"], first_cwe.get(f["code"]), f["code"], f["message"], steps))
    return findings


def run_bandit(app: App) -> list[Finding]:
    out = OUT_DIR / f"{app.name}.bandit.json"
    bandit = peer_venv("bandit") / "bin" / "bandit"
    subprocess.run([str(bandit), "-q", "-r", ".", "-f", "json", "-o", str(out)], cwd=app.root, check=False)
    findings = []
    for r in json.loads(out.read_text(encoding="utf-8"))["results"]:
        cwe = (r.get("issue_cwe") or {}).get("id")
        findings.append(Finding(os.path.normpath(r["filename"]), r["line_number"], int(cwe) if cwe else None,
                                r["test_id"], r["issue_text"]))
    return findings


def run_semgrep(apps: list[App], rules: Path, ignored: defaultdict) -> dict[str, list[Finding]]:
    """One semgrep run over every app (loading the rules dominates its time)."""
    out = OUT_DIR / "semgrep.json"
    venv_bin = peer_venv("semgrep") / "bin"
    (APPS_DIR / ".semgrepignore").write_text("")  # present and empty: no default excludes (tests/, vendor/ …)
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    cmd = [str(venv_bin / "semgrep"), "scan", "--metrics=off", "--disable-version-check", "--no-git-ignore",
           "--jobs", "1", "--config", str(rules), "--json", "--output", str(out), "--quiet", *(a.name for a in apps)]
    done = subprocess.run(cmd, cwd=APPS_DIR, env=env, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"semgrep failed (exit {done.returncode})")
    data = json.loads(out.read_text(encoding="utf-8"))
    if data.get("errors"):
        print(f"semgrep: {len(data['errors'])} error(s), first: {data['errors'][0].get('message', '')[:200]}", file=sys.stderr)
    found: dict[str, list[Finding]] = defaultdict(list)
    for r in data["results"]:
        meta = r["extra"].get("metadata", {})
        rule = r["check_id"].rpartition("semgrep-rules.")[2]
        if meta.get("category") != "security":
            ignored["semgrep"][meta.get("category", "none")] += 1
            continue
        cwes = [int(m.group(1)) for c in meta.get("cwe", []) if (m := re.match(r"CWE-(\d+)", c))]
        app, _, path = r["path"].partition("/")
        found[app].append(Finding(path, r["start"]["line"], cwes[0] if cwes else None, rule, r["extra"]["message"]))
    return found


# ---------------------------------------------------------------- scoring


@dataclass
class Score:
    labels: int = 0
    tp: int = 0
    fp: int = 0
    located: int = 0  # labels with a finding on their lines under any CWE (diagnostic: taxonomy vs. detection)
    missed: list[Label] = field(default_factory=list)
    false: list[Finding] = field(default_factory=list)

    @property
    def fn(self) -> int:
        return self.labels - self.tp

    @property
    def recall(self) -> float | None:
        return self.tp / self.labels if self.labels else None

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    def add(self, other: Score) -> None:
        self.labels += other.labels
        self.tp += other.tp
        self.fp += other.fp
        self.located += other.located
        self.missed += other.missed
        self.false += other.false


def on_lines(label: Label, f: Finding) -> bool:
    return f.file == label.file and label.start <= f.line <= label.end


def matches(label: Label, f: Finding) -> bool:
    return on_lines(label, f) and f.cwe is not None and same_kind(label.cwe, f.cwe)


def score(labels: list[Label], findings: list[Finding]) -> Score:
    hit: set[Label] = set()
    false: dict[tuple, Finding] = {}
    for f in findings:
        matched = [label for label in labels if matches(label, f)]
        if matched:
            hit.update(matched)
        else:
            false.setdefault((f.file, f.line, kind_key(f.cwe)), f)
    located = sum(1 for label in labels if any(on_lines(label, f) for f in findings))
    missed = [label for label in labels if label not in hit]
    return Score(len(labels), len(hit), len(false), located, missed, list(false.values()))


def pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value * 100:5.1f}%"


def score_row(name: str, s: Score) -> str:
    return f"{name:26} {s.labels:6} {s.tp:4} {s.fn:4} {s.fp:4} {pct(s.recall):>7} {pct(s.precision):>9} {s.located:8}"


def print_tool_table(tool: str, scores: dict[str, Score]) -> Score:
    print(f"\n== {tool}")
    print(f"{'app':26} {'labels':>6} {'TP':>4} {'FN':>4} {'FP':>4} {'recall':>7} {'precision':>9} {'any-CWE':>8}")
    total = Score()
    for app, s in scores.items():
        total.add(s)
        print(score_row(app, s))
    print(score_row("TOTAL", total))
    return total


def print_summary(tools: list[str], table: dict[str, dict[str, Score]], totals: dict[str, Score]) -> None:
    print("\n== recall / precision per app")
    print(f"{'app':26} {'labels':>6}" + "".join(f"{t:>20}" for t in tools))
    print(f"{'':33}" + "".join(f"{'recall':>10}{'precision':>10}" for _ in tools))
    for app in table[tools[0]]:
        cells = "".join(f"{pct(table[t][app].recall):>10}{pct(table[t][app].precision):>10}" for t in tools)
        print(f"{app:26} {table[tools[0]][app].labels:6}{cells}")
    cells = "".join(f"{pct(totals[t].recall):>10}{pct(totals[t].precision):>10}" for t in tools)
    print(f"{'TOTAL':26} {totals[tools[0]].labels:6}{cells}")


def print_by_cwe(tools: list[str], labels: list[Label], totals: dict[str, Score]) -> None:
    print("\n== labels found per CWE (label's CWE; equivalent CWEs accepted)")
    print(f"{'CWE':>6} {'labels':>6}" + "".join(f"{t:>16}" for t in tools))
    count: dict[int, int] = defaultdict(int)
    for label in labels:
        count[label.cwe] += 1
    for cwe in sorted(count, key=lambda c: (-count[c], c)):
        cells = "".join(f"{count[cwe] - sum(1 for m in totals[t].missed if m.cwe == cwe):>16}" for t in tools)
        print(f"{cwe:>6} {count[cwe]:6}{cells}")


def print_misses(tool: str, table: dict[str, Score], found: dict[str, list[Finding]]) -> None:
    """Each missed label, with the tool's findings that touch it: on its lines with
    another CWE, within NEAR lines of it, or reported elsewhere with a flow step on it."""
    print(f"\n== {tool}: missed labels (and the tool's findings near them)")
    for app, s in table.items():
        for label in s.missed:
            print(f"{app}:{label.where()} CWE-{label.cwe}  {label.text}")
            for f in found[app]:
                via = [f"{p}:{n}" for p, n in f.steps if p == label.file and label.start <= n <= label.end]
                near = f.file == label.file and label.start - NEAR <= f.line <= label.end + NEAR
                if near or via:
                    note = f"  (its flow passes {via[0]})" if via else ""
                    print(f"      {f.file}:{f.line} {f.rule} CWE-{f.cwe}: {f.message[:110]}{note}")


def print_false(tool: str, table: dict[str, Score]) -> None:
    print(f"\n== {tool}: false positives (security findings at no label)")
    for app, s in table.items():
        for f in sorted(s.false, key=lambda f: (f.file, f.line)):
            print(f"{app}:{f.file}:{f.line} {f.rule} CWE-{f.cwe}: {f.message[:120]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app", action="append", help="only this app (repeatable)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    parser.add_argument("--misses", action="append", default=[], metavar="TOOL", help="list the labels TOOL missed")
    parser.add_argument("--fps", action="append", default=[], metavar="TOOL", help="list TOOL's false positives")
    parser.add_argument("--check-labels", action="store_true", help="print every label with its source lines and stop")
    parser.add_argument("--json", help="write the scores to this file")
    args = parser.parse_args()

    apps, rules_pin = load_apps()
    if args.app:
        unknown = set(args.app) - {a.name for a in apps}
        if unknown:
            parser.error(f"unknown app(s): {', '.join(sorted(unknown))}")
        apps = [a for a in apps if a.name in args.app]
    tools = [t for t in args.tools.split(",") if t]
    if set(tools) - set(TOOLS):
        parser.error(f"--tools takes {', '.join(TOOLS)}")
    labels = [label for label in load_labels(load_apps()[0]) if label.app in {a.name for a in apps}]
    APPS_DIR.mkdir(parents=True, exist_ok=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for app in apps:
        unpack(app)
    check_labels(apps, labels, show=args.check_labels)
    if args.check_labels:
        return 0

    ignored: defaultdict = defaultdict(lambda: defaultdict(int))
    found: dict[str, dict[str, list[Finding]]] = {}
    first_cwe = lintkit_cwes() if any(t.startswith("lintkit") for t in tools) else {}
    for tool in tools:
        if tool == "semgrep":
            found[tool] = run_semgrep(apps, semgrep_rules(rules_pin), ignored)
        elif tool == "bandit":
            found[tool] = {a.name: run_bandit(a) for a in apps}
        else:
            found[tool] = {a.name: run_lintkit(a, tool == "lintkit", first_cwe, ignored) for a in apps}

    labels_by_app = {a.name: [label for label in labels if label.app == a.name] for a in apps}
    table = {t: {a.name: score(labels_by_app[a.name], found[t].get(a.name, [])) for a in apps} for t in tools}
    print(f"{len(apps)} apps, {len(labels)} labels; lintkit = --select ALL, lintkit-default = default rule set")
    for tool, kinds in ignored.items():
        print(f"not security findings, not counted: {tool}: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    totals = {t: print_tool_table(t, table[t]) for t in tools}
    print_summary(tools, table, totals)
    print_by_cwe(tools, labels, totals)
    for tool in args.misses:
        print_misses(tool, table[tool], found[tool])
    for tool in args.fps:
        print_false(tool, table[tool])
    if args.json:
        data = {t: {app: {"labels": s.labels, "tp": s.tp, "fn": s.fn, "fp": s.fp} for app, s in table[t].items()} for t in tools}
        Path(args.json).write_text(json.dumps(data, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
