"""Results are identical, and identically ordered, whatever the job count, and
whether or not parsed trees are kept between the summary and analysis passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit import parallel
from lintkit.config import Config
from lintkit.engine import RunResult
from tests.helpers import FIXTURES, registry, run_paths, shared_corpus

FAMILIES = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def canonical(result: RunResult) -> str:
    """Everything a report can show, in order (repr keeps every field)."""
    return repr(
        (
            result.findings,
            [f.properties for f in result.findings],
            result.suppressed,
            result.notifications,
            result.skipped,
            [(f.path, f.kind, f.skipped, f.findings, f.suppressed, f.notifications, f.text) for f in result.files],
        )
    )


def stable_code(scenario):
    """Run `scenario()` until lintkit's code did not change while it ran. The
    cache key includes a digest of lintkit's code, so an edit to lintkit in
    the middle of a cache scenario (a shared working tree) rightly turns hits
    into misses; the scenario is then simply taken again."""
    from lintkit.results import code_digest

    for _ in range(5):
        before = code_digest(registry())
        outcome = scenario()
        if code_digest(registry()) == before:
            return outcome
    pytest.fail("lintkit's code kept changing while the test ran")


def cold_and_warm(paths: list[Path], root: Path, config: Config | None, cache: Path, jobs: int = 1) -> tuple[RunResult, RunResult]:
    """A run that fills the cache, then one that reads it."""

    def scenario() -> tuple[RunResult, RunResult]:
        cold = run_paths(paths, root=root, config=config, jobs=jobs, cache_dir=cache)
        return cold, run_paths(paths, root=root, config=config, jobs=jobs, cache_dir=cache)

    return stable_code(scenario)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fan out even for a handful of files, in batches smaller than a family.
    monkeypatch.setattr(parallel, "MIN_FILES_PER_JOB", 1)
    monkeypatch.setattr(parallel, "BATCH", 2)


def test_fixtures_identical_for_any_job_count(small_batches: None) -> None:
    config = Config(root=str(FIXTURES), respect_gitignore=False)
    one = run_paths([FIXTURES], root=FIXTURES, config=config, jobs=1)
    assert len(one.files) > 50 and one.findings
    for jobs in (2, 3):
        many = run_paths([FIXTURES], root=FIXTURES, config=config, jobs=jobs)
        assert canonical(many) == canonical(one)


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_each_family_identical_for_any_job_count(family: Path, small_batches: None) -> None:
    assert canonical(run_paths([family], root=family, jobs=2)) == canonical(run_paths([family], root=family, jobs=1))


def test_retained_trees_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary pass keeps parsed trees for the analysis pass; results must
    be those of a fresh parse."""
    roots = [FIXTURES / "python_taint", FIXTURES / "python_leaks", FIXTURES / "python_security"]
    kept = [canonical(run_paths([r], root=r, jobs=1)) for r in roots]
    monkeypatch.setattr(parallel, "RETAIN_SOURCE_BYTES", 0)
    fresh = [canonical(run_paths([r], root=r, jobs=1)) for r in roots]
    assert kept == fresh


def test_files_come_back_in_candidate_order(small_batches: None) -> None:
    result = run_paths([FIXTURES], root=FIXTURES, jobs=2)
    paths = [f.path for f in result.files]
    assert paths == sorted(paths)
    assert len(paths) == len(set(paths))


@pytest.mark.corpus
def test_corpus_identical_for_any_job_count_and_cache(tmp_path: Path) -> None:
    corpus = shared_corpus()
    config = Config(root=str(corpus), respect_gitignore=False)
    one = run_paths([corpus], root=corpus, config=config, jobs=1)
    assert len(one.files) >= 300 and one.findings
    cold, warm = cold_and_warm([corpus], corpus, config, tmp_path / "cache", jobs=2)
    assert canonical(cold) == canonical(one)
    assert canonical(warm) == canonical(one)
    assert all(f.seconds == 0.0 for f in warm.files)  # every result came from the cache


def test_worker_failure_is_reported_not_swallowed(monkeypatch: pytest.MonkeyPatch, small_batches: None) -> None:
    def explode(self, items):  # a bug in the worker machinery itself, not in a check
        raise ValueError("boom")

    monkeypatch.setattr(parallel.Worker, "analyze", explode)
    with pytest.raises(RuntimeError, match="boom"):
        run_paths([FIXTURES / "buildspec"], root=FIXTURES / "buildspec", jobs=2)
