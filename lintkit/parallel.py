"""Run the per-file work of a run, in worker processes when it pays.

Two phases share one set of workers:

1. *summaries*: every Python file whose summary is not cached is parsed and
   each analysis's `summarize(module, relpath)` runs on it;
2. *analysis*: every file whose result is not cached goes through
   `engine.analyze_file`.

Parsing dominates Python analysis, so a worker keeps the trees it built in
phase 1 (up to `RETAIN_SOURCE_BYTES` of source, most recent first) and phase 2
hands each worker the files it parsed itself first; it steals others' files
only when it runs out. Results are put back in candidate order, so output is
identical whatever the job count.

Workers are watched: one that dies, or is stopped, or answers nothing for
`STALL_SECONDS`, fails the run with a WorkerFailed naming it (the others are
stopped), instead of hanging it or taking the parent down with SIGPIPE.
Workers write nothing to stdout (it points at /dev/null in them), so a
stray worker can never hold a reader's pipe open.

Memory stays bounded: after each Python file the module (and any project
module astroid loaded from disk while inferring) is dropped from
`astroid.MANAGER`'s cache and torn down (its reference cycles broken, so it is
freed at once), astroid's inference cache is cleared, and the young
generation is collected explicitly (automatic collection is off in workers:
repeated full collections over a large heap double the time).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import traceback
from collections import OrderedDict, deque
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, cast

from lintkit.files import Candidate, Unreadable, decode_source, read_bytes

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from lintkit.dependencies import RunFacts
    from lintkit.results import ResultCache
    from lintkit.engine import Settings
    from lintkit.findings import FileResult
    from lintkit.registry import Registry

# Below this many files per worker, forking costs more than it saves.
MIN_FILES_PER_JOB = 8
BATCH = 8
# Source bytes of parsed trees a worker keeps between the phases.
RETAIN_SOURCE_BYTES = 6 * 1024 * 1024
# A full collection after this many bytes of released source. Finished trees
# are torn down (their cycles broken) and freed by reference counting, so a
# full collection finds little; it is a backstop for cycles elsewhere.
COLLECT_AFTER_BYTES = 32 * 1024 * 1024

# A worker that sends nothing back for this long is taken as hung. A batch is
# a few files; the slowest real file takes seconds.
STALL_SECONDS = 600.0
# How often the parent looks at its workers while it waits.
WATCH_INTERVAL = 1.0

ProgressFn = Callable[[int], None]


class WorkerFailed(Exception):
    """A worker process died, stopped or hung; the run cannot be trusted."""


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def is_python(relpath: str) -> bool:
    return relpath.lower().endswith((".py", ".pyi"))


# --- what one process does ------------------------------------------------------


class Worker:
    """Per-process state: settings, retained trees, the cache."""

    def __init__(self, settings: Settings, registry: Registry, cache: ResultCache | None, retain: int = RETAIN_SOURCE_BYTES) -> None:
        self.settings = settings
        self.registry = registry
        self.cache = cache
        self.retain = retain
        self.facts: RunFacts | None = None
        self.trees: OrderedDict[str, tuple[str, Any, int]] = OrderedDict()  # relpath → (digest, module, size)
        self.kept = 0
        self.released = 0
        self._funcs: dict[str, Any] | None = None

    # -- phase 1 --

    def summarize(self, items: list[tuple[int, Candidate]]) -> list[tuple[int, dict[str, Any] | None]]:
        from lintkit.cache import digest_bytes
        from lintkit.python.parse import PythonSyntaxError, module_name_for, parse_module
        from lintkit.registry import summarizers

        if self._funcs is None:
            self._funcs = summarizers()
        out: list[tuple[int, dict[str, Any] | None]] = []
        for index, cand in items:
            data, text = _source(cand, self.settings.config.max_file_size)
            if text is None:
                out.append((index, None))
                continue
            before = _astroid_modules()
            try:
                module = parse_module(text, cand.relpath)
            except PythonSyntaxError:
                module = None
            summary = summarize_module(module, cand.relpath, self._funcs) if module is not None else {}
            digest = digest_bytes(data)
            if self.cache is not None:
                self.cache.store_summary(self.cache.summary_key(cand.relpath, digest), summary)
            if module is not None:
                self._keep(cand.relpath, digest, module, len(data))
            kept = cand.relpath in self.trees
            del module
            self._release(module_name_for(cand.relpath), 0 if kept else len(data), before, done=not kept)
            out.append((index, summary))
        return out

    def _keep(self, relpath: str, digest: str, module: Any, size: int) -> None:
        if size > self.retain:
            return
        self.trees[relpath] = (digest, module, size)
        self.kept += size
        while self.kept > self.retain:
            _, (_, evicted, old) = self.trees.popitem(last=False)
            _teardown(evicted)
            self.kept -= old
            self.released += old

    def set_facts(self, summaries: dict[str, Any], facts: RunFacts | None) -> None:
        self.settings = replace(self.settings, summaries=summaries)
        self.facts = facts

    # -- phase 2 --

    def analyze(self, items: list[tuple[int, Candidate]]) -> list[tuple[int, FileResult]]:
        from lintkit.engine import analyze_file

        out = []
        for index, cand in items:
            data = _read_bytes(cand, self.settings.config.max_file_size)
            parsed = None
            retained = self.trees.pop(cand.relpath, None)
            python = is_python(cand.relpath)
            if retained is not None:
                self.kept -= retained[2]
                self.released += retained[2]
                if data is not None and retained[0] == _digest(data):
                    parsed = retained[1]
            before = _astroid_modules() if python else None
            if parsed is not None:
                _register(parsed)
            if self.cache is None or data is None:
                result = analyze_file(cand, self.settings, self.registry, data=data, parsed=parsed)
            else:
                result = self._analyze_cached(cand, data, parsed)
            del parsed, retained
            if python:
                from lintkit.python.parse import module_name_for

                self._release(module_name_for(cand.relpath), len(data or b""), before)
            out.append((index, result))
        return out

    def _analyze_cached(self, cand: Candidate, data: bytes, parsed: Any) -> FileResult:
        from lintkit.dependencies import Deps, RecordingFiles, RecordingSummaries
        from lintkit.engine import analyze_file

        assert self.cache is not None and self.facts is not None
        deps = Deps()
        settings = replace(
            self.settings,
            project_files=RecordingFiles(self.settings.project_files, deps),
            summaries=RecordingSummaries(self.settings.summaries, self.facts.summary_digests, deps),
            probes=deps.probes,
            reads=deps.reads,
        )
        result = analyze_file(cand, settings, self.registry, data=data, parsed=parsed)
        frozen = self.facts.freeze(deps, self.settings.root)
        # files astroid loaded and files a check read (Project.read_text): their content counts
        frozen["sources"] = sorted(_loaded_sources(self.settings.root, cand.relpath) + _read_sources(self.settings.root, deps.reads))
        self.cache.store_result(self.cache.result_key(cand.relpath, cand.explicit, _digest(data)), result, frozen)
        return result

    # -- memory --

    def _release(self, modname: str, size: int, before: set[str] | None = None, done: bool = True) -> None:
        """Forget this file's module everywhere astroid keeps it; `done`: no
        one uses the tree again (it is not retained for phase 2)."""
        astroid = sys.modules.get("astroid")
        if astroid is None:
            return
        cache = astroid.MANAGER.astroid_cache
        module = cache.pop(modname, None)
        if module is not None and done:
            _teardown(module)
        if before is not None:
            root = self.settings.root
            for name in [n for n in cache if n not in before]:
                file = getattr(cache[name], "file", None)
                if file and (not os.path.isabs(file) or _project_file(file, root) is not None):
                    _teardown(cache.pop(name))
        context = sys.modules.get("astroid.context")
        if context is not None and hasattr(context, "_invalidate_cache"):
            context._invalidate_cache()
        self.released += size
        if not gc.isenabled():
            gc.collect(0)
            if self.released > COLLECT_AFTER_BYTES:
                self.released = 0
                gc.collect()


def _digest(data: bytes) -> str:
    from lintkit.cache import digest_bytes

    return digest_bytes(data)


def _read_bytes(cand: Candidate, limit: int) -> bytes | None:
    try:
        return read_bytes(cand, limit)
    except Unreadable:
        return None  # analyze_file reads again and reports why


def summarize_module(module: Any, relpath: str, funcs: dict[str, Any]) -> dict[str, Any]:
    """{analysis name: summary} of one parsed module."""
    out: dict[str, Any] = {}
    for name, func in funcs.items():
        try:
            out[name] = func(module, relpath)
        except Exception:  # a summary is an optimisation of precision, never a reason to fail
            continue
    return out


def _source(cand: Candidate, limit: int) -> tuple[bytes, str | None]:
    """(bytes, text) of a Python file as the analysis sees it; text None when
    it is not summarized (unreadable, too large, binary, undecodable)."""
    data = _read_bytes(cand, limit)
    if data is None or len(data) > limit or b"\0" in data[:8192]:
        return data or b"", None
    try:
        return data, decode_source(data, cand.relpath)
    except (UnicodeDecodeError, LookupError, SyntaxError):
        return data, None


def _astroid_modules() -> set[str] | None:
    astroid = sys.modules.get("astroid")
    return set(astroid.MANAGER.astroid_cache) if astroid is not None else set()


def _teardown(module: Any) -> None:
    from lintkit.python.walk import teardown

    teardown(module)


def _register(module: Any) -> None:
    """A retained tree takes the place a fresh parse would have in astroid's cache."""
    import astroid

    astroid.MANAGER.astroid_cache[module.name] = module


def _read_sources(root: str, reads: dict[str, str | None]) -> list[list[Any]]:
    """Project files a check read (Project.read_text), with their digests (None: absent)."""
    from lintkit.cache import digest_bytes

    out: list[list[Any]] = []
    for rel in sorted(reads):
        try:
            with open(os.path.join(root, rel), "rb") as handle:
                out.append([rel, digest_bytes(handle.read())])
        except OSError:
            out.append([rel, None])
    return out


def _loaded_sources(root: str, relpath: str) -> list[list[str]]:
    """Project files astroid read from disk while analyzing this file (import
    inference): the result depends on their content too."""
    astroid = sys.modules.get("astroid")
    if astroid is None:
        return []
    from lintkit.cache import digest_bytes

    out = set()
    for module in list(astroid.MANAGER.astroid_cache.values()):
        file = getattr(module, "file", None)
        rel = _project_file(file, root) if file else None
        if rel is not None and rel != relpath:
            try:
                with open(os.path.join(root, rel), "rb") as handle:
                    out.add((rel, digest_bytes(handle.read())))
            except OSError:
                continue
    return [list(pair) for pair in sorted(out)]


def _project_file(file: str, root: str) -> str | None:
    path = os.path.abspath(file)
    if path.startswith(root.rstrip(os.sep) + os.sep) and os.path.isfile(path):
        return os.path.relpath(path, root).replace(os.sep, "/")
    return None


# --- the pool ----------------------------------------------------------------------


def _worker_main(conn: Connection, settings: Settings, registry: Registry, cache: ResultCache | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler unwinds the parent only
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)  # never hold the reader's stdout open
    gc.disable()
    worker = Worker(settings, registry, cache)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        op = message[0]
        if op == "stop":
            return
        try:
            if op == "facts":
                worker.set_facts(message[1], message[2])
                continue
            handler = worker.summarize if op == "summarize" else worker.analyze
            conn.send(("ok", handler(message[1])))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises
            conn.send(("error", traceback.format_exc()))


class Pool:
    """Worker processes with one pipe each, so work can go to a chosen worker."""

    def __init__(self, jobs: int, settings: Settings, registry: Registry, cache: ResultCache | None) -> None:
        import multiprocessing  # only runs that fan out pay for it

        fork = "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork") if fork else multiprocessing.get_context("spawn")
        self.conns: list[Connection] = []
        self.procs = []
        for _ in range(jobs):
            parent, child = context.Pipe()
            proc = context.Process(target=_worker_main, args=(child, settings, registry, cache), daemon=True)
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)

    def _send(self, w: int, message: tuple[Any, ...]) -> None:
        try:
            self.conns[w].send(message)
        except (OSError, ValueError):
            raise WorkerFailed(self._obituary(w, "could not be sent work")) from None

    def broadcast(self, *message: Any) -> None:
        for w in range(len(self.conns)):
            self._send(w, message)

    def run(self, op: str, pick: Callable[[int], list[tuple[int, Candidate]]], done: Callable[[int, list[Any]], None]) -> None:
        """Keep every worker busy with `pick(worker)` batches until none is left."""
        import time
        from multiprocessing.connection import wait

        busy: dict[Connection, tuple[int, float, list[tuple[int, Candidate]]]] = {}

        def give(w: int) -> None:
            batch = pick(w)
            if batch:
                self._send(w, (op, batch))
                busy[self.conns[w]] = (w, time.monotonic(), batch)

        for w in range(len(self.conns)):
            give(w)
        while busy:
            ready = cast("list[Connection]", wait(list(busy), timeout=WATCH_INTERVAL))  # wait returns what it was given
            for conn in ready:
                w, _, batch = busy.pop(conn)
                try:
                    status, payload = conn.recv()
                except (EOFError, OSError):
                    raise WorkerFailed(self._obituary(w, "died", batch)) from None
                if status == "error":
                    raise RuntimeError(f"lintkit worker failed:\n{payload}")
                done(w, payload)
                give(w)
            if not ready:
                self._watch(busy)

    def _watch(self, busy: dict[Connection, tuple[int, float, list[tuple[int, Candidate]]]]) -> None:
        """Raise WorkerFailed for a busy worker that is dead, stopped or hung."""
        import time

        now = time.monotonic()
        for w, since, batch in busy.values():
            proc = self.procs[w]
            if not proc.is_alive():
                raise WorkerFailed(self._obituary(w, "died", batch))
            if _stopped(proc.pid):
                raise WorkerFailed(self._obituary(w, "was stopped", batch))
            if now - since > STALL_SECONDS:
                raise WorkerFailed(self._obituary(w, f"answered nothing for {STALL_SECONDS:.0f} s", batch))

    def _obituary(self, w: int, what: str, batch: list[tuple[int, Candidate]] | None = None) -> str:
        proc = self.procs[w]
        if what == "died":
            proc.join(timeout=2)  # its pipe closes a moment before it can be reaped
        code = proc.exitcode
        how = ""
        if code is not None and code < 0:
            try:
                how = f" (killed by {signal.Signals(-code).name})"
            except ValueError:
                how = f" (killed by signal {-code})"
        elif code is not None:
            how = f" (exit code {code})"
        files = ", ".join(c.relpath for _, c in (batch or [])[:3]) + (", ..." if batch and len(batch) > 3 else "")
        return f"worker process {proc.pid} {what}{how}" + (f" while checking {files}" if files else "") + "; the run is incomplete"

    def close(self) -> None:
        for conn in self.conns:
            try:
                conn.send(("stop",))
            except (OSError, ValueError):
                pass
        for proc in self.procs:
            proc.join(timeout=5 if not _stopped(proc.pid) else 0)
            if proc.is_alive():
                proc.kill()  # SIGKILL also ends a stopped worker
                proc.join(timeout=5)
        for conn in self.conns:
            conn.close()


def _stopped(pid: int | None) -> bool:
    """Is the process stopped (SIGSTOP, SIGTSTP)? Linux only; False elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] in (b"T", b"t")
    except (OSError, IndexError):
        return False


class Runner:
    """The two phases over a fixed list of candidates, inline or in a pool."""

    def __init__(self, settings: Settings, registry: Registry, cache: ResultCache | None, jobs: int, work: int) -> None:
        self.settings = settings
        self.registry = registry
        self.cache = cache
        jobs = min(jobs, max(1, work // MIN_FILES_PER_JOB))
        self.pool = Pool(jobs, settings, registry, cache) if jobs > 1 else None
        self.inline = Worker(settings, registry, cache) if self.pool is None else None
        self.owner: dict[str, int] = {}  # relpath → worker that parsed it (the order: most recent last)
        # Inline, collections stay manual from the first phase to close():
        # between the phases an automatic full collection would walk every
        # retained tree.
        self._gc = _manual_gc() if self.inline is not None else None
        if self._gc is not None:
            self._gc.__enter__()

    def summarize(self, items: list[tuple[int, Candidate]], progress: ProgressFn) -> dict[int, dict[str, Any] | None]:
        found: dict[int, dict[str, Any] | None] = {}
        if self.inline is not None:
            for start in range(0, len(items), BATCH):
                batch = items[start : start + BATCH]
                for (index, summary), (_, cand) in zip(self.inline.summarize(batch), batch):
                    found[index] = summary
                    self.owner[cand.relpath] = 0
                progress(min(BATCH, len(items) - start))
            return found
        queue = deque(items)

        def pick(w: int) -> list[tuple[int, Candidate]]:
            return [queue.popleft() for _ in range(min(BATCH, len(queue)))]

        relpaths = {index: cand.relpath for index, cand in items}

        def done(w: int, payload: list[Any]) -> None:
            for index, summary in payload:
                found[index] = summary
                self.owner[relpaths[index]] = w
            progress(len(payload))

        assert self.pool is not None
        self.pool.run("summarize", pick, done)
        return found

    def set_facts(self, summaries: dict[str, Any], facts: RunFacts | None) -> None:
        self.settings = replace(self.settings, summaries=summaries)
        if self.inline is not None:
            self.inline.set_facts(summaries, facts)
        else:
            assert self.pool is not None
            self.pool.broadcast("facts", summaries, facts)

    def analyze(self, items: list[tuple[int, Candidate]], progress: ProgressFn) -> dict[int, FileResult]:
        results: dict[int, FileResult] = {}
        if self.inline is not None:
            # Trees parsed last are the ones still retained: analyze those first.
            rank = {rel: n for n, rel in enumerate(self.owner)}
            ordered = sorted(items, key=lambda item: -rank.get(item[1].relpath, -1))
            for start in range(0, len(ordered), BATCH):
                for index, result in self.inline.analyze(ordered[start : start + BATCH]):
                    results[index] = result
                progress(min(BATCH, len(ordered) - start))
            return results
        assert self.pool is not None
        workers = len(self.pool.conns)
        own: list[deque[tuple[int, Candidate]]] = [deque() for _ in range(workers)]
        shared: deque[tuple[int, Candidate]] = deque()
        for item in items:
            w = self.owner.get(item[1].relpath)
            (own[w] if w is not None else shared).append(item)
        rank = {rel: n for n, rel in enumerate(self.owner)}
        for w in range(workers):  # most recently parsed (still retained) first
            own[w] = deque(sorted(own[w], key=lambda item: -rank.get(item[1].relpath, -1)))

        def pick(w: int) -> list[tuple[int, Candidate]]:
            batch: list[tuple[int, Candidate]] = []
            while len(batch) < BATCH and own[w]:
                batch.append(own[w].popleft())
            while len(batch) < BATCH and shared:
                batch.append(shared.popleft())
            while len(batch) < BATCH:
                victim = max(range(workers), key=lambda v: len(own[v]))
                if not own[victim]:
                    break
                batch.append(own[victim].pop())  # its oldest: evicted there anyway
            return batch

        def done(w: int, payload: list[Any]) -> None:
            for index, result in payload:
                results[index] = result
            progress(len(payload))

        self.pool.run("analyze", pick, done)
        return results

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
        if self._gc is not None:
            self._gc.__exit__()
            self._gc = None


class _manual_gc:
    """Explicit collections only (see the module docstring), restored after."""

    def __enter__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was:
            gc.enable()


def map_files(candidates: list[Candidate], settings: Settings, registry: Registry, jobs: int | None) -> list[FileResult]:
    """Analyze `candidates` (no cache, no summary phase), in candidate order."""
    runner = Runner(settings, registry, None, jobs or default_jobs(), len(candidates))
    try:
        found = runner.analyze(list(enumerate(candidates)), lambda n: None)
    finally:
        runner.close()
    return [found[i] for i in range(len(candidates))]
