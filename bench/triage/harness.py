"""The triage harness's shared parts: the pinned projects, where they are
unpacked, the findings lintkit reported on them, the deterministic sample and
the labels.

Only lintkit's command line and its JSON report are used, so the harness keeps
working while rules are rewritten, split or renamed.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CACHE = REPO / "bench" / ".cache" / "triage"
SOURCES = CACHE / "src"
RESULTS = CACHE / "results"
PROJECTS_FILE = HERE / "projects.toml"
LABELS_FILE = HERE / "labels.tsv"

SAMPLE_SIZE = 8  # per (rule, domain)
VERDICTS = ("true", "low-value", "false")
DOMAINS = ("aws", "python")
LABEL_COLUMNS = ("project", "path", "line", "code", "verdict", "reason")


@dataclass(frozen=True)
class Project:
    name: str
    pypi: str | None = None
    version: str | None = None
    sha256: str | None = None
    github: str | None = None
    commit: str | None = None
    local: str | None = None
    only: str | None = None  # lintkit's --only: "aws" or "python"
    select: tuple[str, ...] = ()  # lintkit's --select (default ALL): the rules a project is in the list for

    @property
    def source(self) -> Path:
        if self.local:
            return (REPO / self.local).resolve()
        return SOURCES / self.name

    @property
    def pin(self) -> str:
        """What makes two unpacked copies the same."""
        if self.pypi:
            return f"pypi {self.pypi}=={self.version} sha256:{self.sha256}"
        if self.github:
            return f"github {self.github}@{self.commit}"
        return f"local {self.local}"

    @property
    def result_file(self) -> Path:
        return RESULTS / f"{self.name}.json"


def load_projects() -> list[Project]:
    data = tomllib.loads(PROJECTS_FILE.read_text(encoding="utf-8"))
    projects = [Project(**{**entry, "select": tuple(entry.get("select", ()))}) for entry in data["project"]]
    names = [p.name for p in projects]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SystemExit(f"{PROJECTS_FILE}: duplicate project names {sorted(duplicates)}")
    for p in projects:
        kinds = [k for k in (p.pypi, p.github, p.local) if k]
        if len(kinds) != 1:
            raise SystemExit(f"{PROJECTS_FILE}: {p.name} needs exactly one of pypi, github, local")
        if p.pypi and not (p.version and p.sha256):
            raise SystemExit(f"{PROJECTS_FILE}: {p.name} needs version and sha256")
        if p.github and not p.commit:
            raise SystemExit(f"{PROJECTS_FILE}: {p.name} needs commit")
    return projects


def domain_of(path: str) -> str:
    return "python" if path.lower().endswith((".py", ".pyi")) else "aws"


@dataclass(frozen=True)
class Finding:
    project: str
    path: str
    line: int
    code: str
    message: str
    count: int = 1  # findings sharing this key (same line, other columns)

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.project, self.path, self.code, self.line)

    @property
    def domain(self) -> str:
        return domain_of(self.path)

    @property
    def rank(self) -> int:
        """A stable pseudo-random number: a finding stays sampled across runs
        as long as no new finding of its rule and domain ranks below it."""
        text = "\0".join((self.project, self.path, self.code, str(self.line)))
        return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def load_findings(projects: list[Project]) -> list[Finding]:
    """Every finding of the last run, one per (project, path, code, line)."""
    findings: dict[tuple, Finding] = {}
    missing = [p.name for p in projects if not p.result_file.exists()]
    if missing:
        raise SystemExit(f"no lintkit results for {', '.join(missing)}: run bench/triage/run.py first")
    for project in projects:
        report = json.loads(project.result_file.read_text(encoding="utf-8"))
        for raw in report["findings"]:
            loc = raw["location"]
            f = Finding(project.name, loc["path"], loc["line"], raw["code"], raw["message"])
            seen = findings.get(f.key)
            findings[f.key] = f if seen is None else replace(seen, count=seen.count + 1)
    return sorted(findings.values(), key=lambda f: (f.project, f.path, f.line, f.code))


def sample(findings: list[Finding], every: frozenset[str] = frozenset(), sizes: dict[str, int] | None = None) -> list[Finding]:
    """Bottom-k by rank per (rule, domain), k = SAMPLE_SIZE unless `sizes`
    names the rule; every finding of the rules in `every`."""
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        groups[(f.code, f.domain)].append(f)
    chosen: list[Finding] = []
    for (code, _), group in groups.items():
        k = len(group) if code in every else (sizes or {}).get(code, SAMPLE_SIZE)
        chosen.extend(sorted(group, key=lambda f: f.rank)[:k])
    return sorted(chosen, key=lambda f: (f.code, f.domain, f.rank))


@dataclass(frozen=True)
class Label:
    project: str
    path: str
    line: int
    code: str
    verdict: str
    reason: str

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.project, self.path, self.code, self.line)

    @property
    def order(self) -> tuple[str, str, int, str]:
        return (self.project, self.path, self.line, self.code)

    def row(self) -> str:
        return "\t".join((self.project, self.path, str(self.line), self.code, self.verdict, self.reason))


def load_labels(path: Path = LABELS_FILE) -> list[Label]:
    """The labels in file order; malformed rows stop the run with their line number."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != LABEL_COLUMNS:
        raise SystemExit(f"{path}:1: the header must be {' | '.join(LABEL_COLUMNS)} (tab-separated)")
    labels: list[Label] = []
    seen: set[tuple] = set()
    for number, text in enumerate(lines[1:], start=2):
        cells = text.split("\t")
        if len(cells) != len(LABEL_COLUMNS):
            raise SystemExit(f"{path}:{number}: {len(cells)} columns, expected {len(LABEL_COLUMNS)}")
        project, rel, line, code, verdict, reason = (c.strip() for c in cells)
        if verdict not in VERDICTS:
            raise SystemExit(f"{path}:{number}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
        if not line.isdigit():
            raise SystemExit(f"{path}:{number}: line {line!r} is not a number")
        if not reason:
            raise SystemExit(f"{path}:{number}: a label needs a reason")
        label = Label(project, rel, int(line), code, verdict, reason)
        if label.key in seen:
            raise SystemExit(f"{path}:{number}: {label.key} is labelled twice")
        seen.add(label.key)
        labels.append(label)
    return labels


def write_labels(labels: list[Label], path: Path = LABELS_FILE) -> None:
    rows = ["\t".join(LABEL_COLUMNS)] + [label.row() for label in sorted(labels, key=lambda l: l.order)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
