"""Run `analyze_file` over many files, in worker processes when it pays.

Results come back in candidate order whatever the job count, so output is
identical for `--jobs 1` and `--jobs 8`.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from lintkit.files import Candidate

if TYPE_CHECKING:
    from lintkit.engine import FileResult, Settings
    from lintkit.registry import Registry

# Below this many files per worker, forking costs more than it saves.
MIN_FILES_PER_JOB = 8
BATCH = 16

# Set once per worker process by the pool initializer (never in the parent).
_WORKER: dict[str, object] = {}


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def map_files(candidates: list[Candidate], settings: Settings, registry: Registry, jobs: int | None) -> list[FileResult]:
    from lintkit.engine import analyze_file

    jobs = jobs or default_jobs()
    if jobs <= 1 or len(candidates) < MIN_FILES_PER_JOB * 2:
        return [analyze_file(c, settings, registry) for c in candidates]
    batches = [candidates[i : i + BATCH] for i in range(0, len(candidates), BATCH)]
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(batches)),
        mp_context=context,
        initializer=_init_worker,
        initargs=(settings, registry),
    ) as pool:
        results: list[FileResult] = []
        for chunk in pool.map(_run_batch, batches):
            results.extend(chunk)
    return results


def _init_worker(settings: Settings, registry: Registry) -> None:
    _WORKER["settings"] = settings
    _WORKER["registry"] = registry


def _run_batch(batch: list[Candidate]) -> list[FileResult]:
    from lintkit.engine import analyze_file

    settings = _WORKER["settings"]
    registry = _WORKER["registry"]
    return [analyze_file(c, settings, registry) for c in batch]  # type: ignore[arg-type]
