"""Shared test helpers: run the real engine on files and read inline expectations."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from lintkit.config import Config
from lintkit.engine import RunResult, run
from lintkit.registry import build_registry

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
DATA = REPO / "tests" / "data"
SARIF_SCHEMA = DATA / "sarif" / "sarif-schema-2.1.0.json"
# Small real samples that live in the repository (tests/data/corpus/NOTICE.md).
CORPUS_SAMPLES = DATA / "corpus"
# The full corpus lives beside the repository, not in it: CI has it, a fresh
# clone does not. Tests that need it are marked `corpus` and skip without it.
SHARED_CORPUS = REPO.parent / "shared" / "corpus"


def shared_corpus(kind: str = "") -> Path:
    """The full corpus (or one kind of it); skips the test when it is absent."""
    path = SHARED_CORPUS / kind if kind else SHARED_CORPUS
    if not path.is_dir():
        pytest.skip(f"the full corpus is not beside the repository ({path} is missing); `.ci/run` runs these tests with it")
    return path

# `# expect: CODE[, CODE…]` marks findings on its own line;
# `# expect@N: CODE` marks line N (for lines that cannot hold a comment, such as
# the inside of a YAML block scalar); `# expect-strict: CODE` marks a finding
# only the strict profile reports (every rule option `strict` set to true).
_EXPECT = re.compile(
    r"#\s*expect(?P<strict>-strict)?(?:@(?P<line>\d+))?:\s*(?P<codes>[A-Z]{2,4}\d{3}(?:\s*,\s*[A-Z]{2,4}\d{3})*)"
)


@lru_cache(maxsize=1)
def registry():
    return build_registry()


def run_paths(paths: list[Path], root: Path, config: Config | None = None, jobs: int = 1, **kwargs) -> RunResult:
    # Every rule, opt-in ones included: fixtures and documented examples test them all.
    cfg = config or Config(root=str(root), respect_gitignore=False, select=("ALL",))
    return run([str(p) for p in paths], cfg, root=root, registry=registry(), jobs=jobs, **kwargs)


def strict_config(root: Path) -> Config:
    """The strict profile: every rule option named `strict` set to true."""
    rules = tuple((code, (("strict", True),)) for code, rule in sorted(registry().rules.items()) if rule.option("strict"))
    return Config(root=str(root), respect_gitignore=False, select=("ALL",), rules=rules)


def has_strict_markers(directory: Path) -> bool:
    return any("expect-strict" in p.read_text(encoding="utf-8", errors="replace") for p in fixture_files(directory) if p.suffix == ".py")


def expectations(path: Path, strict: bool = False) -> Counter[tuple[str, int]]:
    """The (code, line) multiset a fixture file expects: inline comments (a
    code named twice is expected twice), or for JSON a sidecar
    `<name>.expect` with one `LINE CODE` per line. `strict`: also the
    findings only the strict profile reports."""
    expected: Counter[tuple[str, int]] = Counter()
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        for raw in sidecar.read_text(encoding="utf-8").splitlines():
            raw = raw.split("#", 1)[0].strip()
            if raw:
                line, code = raw.split()
                expected[(code, int(line))] += 1
        return expected
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        for match in _EXPECT.finditer(line):
            if match.group("strict") and not strict:
                continue
            target = int(match.group("line")) if match.group("line") else number
            for code in match.group("codes").split(","):
                expected[(code.strip(), target)] += 1
    return expected


def fixture_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and not p.name.endswith((".expect", ".md")) and "__pycache__" not in p.parts
    )
