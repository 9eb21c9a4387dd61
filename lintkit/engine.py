"""Orchestration: discover → classify → parse once → checks → filter.

`analyze_file` is the unit of work a worker process runs. It never raises for
anything a file contains: a file that does not parse yields one GEN001
finding, a file lintkit cannot analyze (too large, binary, unreadable, nested
too deeply) or a crashing check one GEN005 finding, and the checks that need
only the text (pasted credentials) still run on it.

`run` checks the paths given and reports only on them, but reads cross-file
facts (the project's file list, Python summaries of imported modules) from
the whole project, so a file gets the same findings however it is named.
"""

from __future__ import annotations

import fnmatch
import os
import re
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from lintkit.config import Config
from lintkit.dependencies import derived
from lintkit.api import Context, Project
from lintkit.documents import Mapping, ParseError, load
from lintkit.files import (
    Candidate,
    Skipped,
    Unreadable,
    classify_document,
    classify_name,
    coding_of,
    decode_source,
    discover,
    read_bytes,
    relative_to,
    worth_parsing,
)
from lintkit.findings import FileResult, Finding, Location, Notification, sort_findings
from lintkit.registry import PYTHON_SUMMARIZERS, Registry, build_registry
from lintkit.suppress import (
    UNUSED_CODE,
    Directive,
    apply_directives,
    baseline_key,
    directive_location,
    line_fingerprint,
    nosec_directives,
    parse_directives,
    unused_directives,
)

if TYPE_CHECKING:
    from lintkit.dependencies import RunFacts
    from lintkit.results import ResultCache

PARSE_ERROR = "GEN001"
TEMPLATED = "GEN003"
NOT_ANALYZED = "GEN005"
_BINARY_SNIFF = 8192
# A file over the size limit is looked at in chunks for the markers of a
# CI/CD file (bounded: past this many times the limit it is reported anyway).
_MARKER_SCAN_FACTOR = 16
_CHUNK = 1024 * 1024

# Template syntax that makes a file something other than plain YAML/JSON.
_TEMPLATE_MARKERS = ("{{", "{%", "%{", "<%", "$${")
# Build-time tokens replaced by a release script (`%SOLUTION_NAME%`).
_BUILD_TOKEN = re.compile(r"%[A-Z][A-Z0-9_]{2,}%")


def _templated(text: str, relpath: str) -> bool:
    return any(m in text for m in _TEMPLATE_MARKERS) or bool(_BUILD_TOKEN.search(text)) or relpath.lower().endswith(".tpl")


@dataclass
class RunResult:
    root: Path
    config: Config
    registry: Registry
    enabled: frozenset[str]
    files: list[FileResult]
    skipped: list[Skipped]
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def checked(self) -> list[FileResult]:
        return [f for f in self.files if f.kind and not f.skipped]

    def text_of(self, path: str) -> str:
        texts: dict[str, str] | None = self.__dict__.get("_texts")
        if texts is None:
            texts = self.__dict__["_texts"] = {f.path: f.text for f in self.files if f.text}
        return texts.get(path, "")

    def seen_from(self, cwd: Path) -> RunResult:
        """The same result with every path relative to `cwd` (reports show
        paths a user can open from where lintkit ran); files outside `cwd`
        keep their absolute path."""
        root = str(self.root)
        here = str(cwd.resolve())
        memo: dict[str, str] = {}

        def shown(path: str) -> str:
            if path not in memo:
                full = path if os.path.isabs(path) else os.path.join(root, path)
                memo[path] = os.path.relpath(full, here).replace(os.sep, "/") if (full + os.sep).startswith(here + os.sep) else full
            return memo[path]

        if root == here:
            return self

        def loc(l: Location) -> Location:
            return replace(l, path=shown(l.path))

        def moved(f: Finding) -> Finding:
            return replace(f, location=loc(f.location), related=tuple(map(loc, f.related)), flows=tuple(tuple(map(loc, steps)) for steps in f.flows))

        return replace(
            self,
            root=Path(here),
            files=[replace(f, path=shown(f.path), findings=[moved(x) for x in f.findings], suppressed=[moved(x) for x in f.suppressed],
                           notifications=[replace(n, path=shown(n.path)) if n.path else n for n in f.notifications]) for f in self.files],
            skipped=[replace(s, relpath=shown(s.relpath)) for s in self.skipped],
            findings=[moved(f) for f in self.findings],
            suppressed=[moved(f) for f in self.suppressed],
            notifications=[replace(n, path=shown(n.path)) if n.path else n for n in self.notifications],
        )


@dataclass(frozen=True)
class Settings:
    """What a worker needs besides the file: everything is picklable."""

    enabled: frozenset[str]
    config: Config
    root: str
    project_files: frozenset[str] = frozenset()
    options: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False, compare=False)
    summaries: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # Set per file by the result cache: filesystem answers get recorded here.
    probes: dict[str, bool] | None = field(default=None, hash=False, compare=False)
    reads: dict[str, str | None] | None = field(default=None, hash=False, compare=False)  # Project.read_text → digest


def enabled_codes(registry: Registry, config: Config) -> frozenset[str]:
    selected: set[str] = set()
    for selector in config.select:
        selected |= registry.resolve(selector)
    for selector in config.ignore:
        selected -= registry.resolve(selector)
    return frozenset(selected)


# --- one file ---------------------------------------------------------------------


def analyze_file(
    candidate: Candidate,
    settings: Settings,
    registry: Registry,
    *,
    data: bytes | None = None,
    parsed: Any = None,
) -> FileResult:
    """`data`: the file's bytes when the caller already read them (the cache
    keys on exactly these bytes). `parsed`: an astroid Module already built
    from exactly this text (the summary pass keeps a few), to avoid a re-parse."""
    started = time.perf_counter()
    result = FileResult(path=candidate.relpath)
    try:
        _analyze(candidate, settings, registry, result, data, parsed)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit from a check must not end the run
        crash = _crash(registry, settings, candidate.relpath, "lintkit", exc)
        if crash is not None:  # None: GEN005 is disabled; the notification still says so
            result.findings.append(crash)
        result.notifications.append(Notification(f"internal error while checking this file: {type(exc).__name__}: {exc}", candidate.relpath, "error", "", kind="crash"))
    result.seconds = time.perf_counter() - started
    if not result.findings and not result.suppressed:
        result.text = ""
    return result


def _binary(data: bytes) -> bool:
    return b"\0" in data[:_BINARY_SNIFF]


def _ours(candidate: Candidate, name_kind: str | None, text: str) -> str | None:
    """The kind a file lintkit cannot fully analyze would have: by name, by
    being named on the command line, or by the markers in its text."""
    return name_kind or _kind_from_markers(text) or ("unknown" if candidate.explicit else None)


def _analyze(
    candidate: Candidate, settings: Settings, registry: Registry, result: FileResult, data: bytes | None = None, parsed: Any = None
) -> None:
    name_kind = classify_name(candidate.relpath)
    if settings.config.only and (settings.config.only == "python") != (name_kind == "python"):
        return  # `--only aws` / `--only python`: the other half's files are not ours
    limit = settings.config.max_file_size
    if data is None:
        try:
            data = read_bytes(candidate, limit)
        except Unreadable as exc:
            result.kind = name_kind or "unknown"
            _finish(result, [_not_analyzed(registry, settings, candidate.relpath, str(exc))], "", settings, registry)
            return
    if len(data) > limit:
        text = data[:limit].decode("utf-8", errors="replace")
        kind = _ours(candidate, name_kind, text) or _large_kind(candidate, limit)
        if kind is not None:
            _cannot(candidate, settings, registry, result, kind, text, f"file too large (over {limit} bytes; `max-file-size`)")
        return
    if _binary(data):
        text = data.decode("utf-8", errors="replace")
        kind = _ours(candidate, name_kind, text)
        if kind is not None:
            _cannot(candidate, settings, registry, result, kind, text, "binary content (NUL bytes)")
        return
    try:
        text = decode_source(data, candidate.relpath)
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        text = data.decode("utf-8", errors="replace")
        kind = _ours(candidate, name_kind, text)
        if kind is None:
            return
        result.kind = kind
        finding = _parse_finding(registry, settings, candidate.relpath, *_decode_problem(data, candidate.relpath, exc))
        _text_checks(result, [finding], text, kind, settings, registry)
        return
    result.text = text
    if name_kind == "python":
        result.kind = "python"
        _analyze_python(candidate, text, settings, registry, result, parsed)
        return
    if not worth_parsing(candidate.relpath, text):
        return
    try:
        doc = load(text, candidate.relpath)
    except ParseError as err:
        kind = name_kind or _kind_from_markers(text)
        if kind is None:
            return  # unrelated YAML/JSON that happens not to parse
        result.kind = kind
        if _templated(text, candidate.relpath):
            finding = _finding(registry, settings, TEMPLATED, candidate.relpath, "templated file (template syntax), not linted", 1, 1)
            result.notifications.append(Notification("templated file, not linted", candidate.relpath, "note", TEMPLATED, 1, 1, "template"))
        else:
            finding = _parse_finding(registry, settings, candidate.relpath, err.message, err.line, err.column)
        _text_checks(result, [finding], text, kind, settings, registry)
        return
    kind = classify_document(candidate.relpath, doc)
    if kind is None:
        return
    result.kind = kind
    ctx = _context(candidate.relpath, kind, text, settings, registry)
    run_checks(ctx, doc, kind, registry)
    result.notifications.extend(ctx.notifications)
    _finish(result, ctx.findings, text, settings, registry, ctx.directives)


def _decode_problem(data: bytes, relpath: str, exc: Exception) -> tuple[str, int, int]:
    """(message, line, column) for a file that does not decode."""
    if isinstance(exc, UnicodeDecodeError):
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return f"file is not valid {coding_of(data, relpath).upper()} (byte 0x{data[exc.start]:02x})", line, col
    return f"bad encoding declaration: {exc}", 1, 1


def _large_kind(candidate: Candidate, limit: int) -> str | None:
    """Markers of a CI/CD file anywhere in a file over the size limit, read in
    chunks: padding must not push a template out of sight."""
    try:
        fd = os.open(candidate.abspath, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return "unknown"
    with os.fdopen(fd, "rb") as handle:
        tail = ""
        for _ in range(_MARKER_SCAN_FACTOR * max(1, limit // _CHUNK)):
            chunk = handle.read(_CHUNK)
            if not chunk:
                return None
            window = tail + chunk.decode("utf-8", errors="replace")
            kind = _kind_from_markers(window) if worth_parsing("", window) else None
            if kind is not None:
                return kind
            tail = window[-256:]
    return "unknown"  # too large to look through: reported all the same


def _cannot(candidate: Candidate, settings: Settings, registry: Registry, result: FileResult, kind: str, text: str, why: str) -> None:
    result.kind = kind
    _text_checks(result, [_not_analyzed(registry, settings, candidate.relpath, why)], text, kind, settings, registry)


def _text_checks(result: FileResult, findings: Sequence[Finding | None], text: str, kind: str, settings: Settings, registry: Registry) -> None:
    """A file that did not parse (or could not be analyzed) still gets the
    checks that read only its text: credentials pasted into it."""
    ctx = _context(result.path, kind, text, settings, registry)
    run_checks(ctx, text, "text", registry)
    result.notifications.extend(ctx.notifications)
    _finish(result, [*findings, *ctx.findings], text, settings, registry)


def _kind_from_markers(text: str) -> str | None:
    if "AWSTemplateFormatVersion" in text or "AWS::" in text:
        return "cloudformation"
    if "phases" in text and "version" in text:
        return "buildspec"
    return None


def _analyze_python(
    candidate: Candidate, text: str, settings: Settings, registry: Registry, result: FileResult, parsed: Any = None
) -> None:
    if "python" not in registry.kinds_for(settings.enabled):
        return
    from lintkit.python.parse import PythonSyntaxError, parse_module

    try:
        module = parsed if parsed is not None else parse_module(text, candidate.relpath)
    except PythonSyntaxError as err:
        if err.limit:
            finding = _not_analyzed(registry, settings, candidate.relpath, err.message)
        else:
            finding = _parse_finding(registry, settings, candidate.relpath, err.message, err.line, err.column)
        _text_checks(result, [finding], text, "python", settings, registry)
        return
    ctx = _context(candidate.relpath, "python", text, settings, registry)
    run_checks(ctx, module, "python", registry)
    result.notifications.extend(ctx.notifications)
    _finish(result, ctx.findings, text, settings, registry)


def _context(path: str, kind: str, text: str, settings: Settings, registry: Registry) -> Context:
    project = Project(
        root=Path(settings.root),
        files=settings.project_files,
        summaries=settings.summaries,
        probes=settings.probes,
        reads=settings.reads,
        indexer=derived,
    )
    return Context(
        path=path,
        kind=kind,
        text=text,
        registry=registry,
        enabled=settings.enabled,
        project=project,
        options=settings.options,
        embed=lambda child, label: run_embedded(child, label, registry),
    )


def run_checks(ctx: Context, target: Any, kind: str, registry: Registry) -> None:
    """Run the kind's hooks and every check with an enabled rule. A check that
    crashes, or reports a rule its TOML does not name it for, becomes a
    notification; every other check still runs."""
    for ref, hook in registry.hooks_for(kind):
        _guarded(ctx, ref, (), lambda hook=hook: hook(target, ctx), registry)
    for chk in registry.checks_for(kind):
        if not any(ctx.enabled(code) for code in chk.codes):
            continue
        ctx.reporting = frozenset(chk.codes)
        try:
            _guarded(ctx, chk.qualname, chk.codes, lambda chk=chk: chk.func(target, ctx), registry)
        finally:
            ctx.reporting = None


def _guarded(ctx: Context, name: str, codes: tuple[str, ...], call: Any, registry: Registry) -> None:
    """A crashing check (SystemExit and RecursionError included) becomes a
    crash notification and a GEN005 finding; only Ctrl-C ends the run."""
    try:
        call()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001
        rule = "/".join(codes) or name
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
        ctx.notify(f"rule {rule} crashed: {type(exc).__name__}: {exc}{where}; its findings for this file are missing",
                   level="error", kind="crash", rule=codes[0] if codes else "")
        if ctx.enabled(NOT_ANALYZED):
            crash = _crash(registry, None, ctx.path, rule, exc, where)
            if crash is not None:
                ctx.findings.append(crash)


def run_embedded(child: Context, label: str, registry: Registry) -> None:
    """`Context.run_embedded`: parse an embedded document and run its kind's checks."""
    try:
        doc = load(child.text, f"{child.path}#{label}")
    except ParseError as err:
        child.report(PARSE_ERROR, (err.line, err.column), f"{label} does not parse: {err.message}")
        return
    if isinstance(doc.root, Mapping):
        run_checks(child, doc, child.kind, registry)


def _crash(registry: Registry, settings: Settings | None, path: str, rule: str, exc: BaseException, where: str = "") -> Finding | None:
    if settings is not None and NOT_ANALYZED not in settings.enabled:
        return None
    meta = registry.rules[NOT_ANALYZED]
    message = f"not fully analyzed: {rule} crashed ({type(exc).__name__}: {exc}){where}"
    return Finding(code=NOT_ANALYZED, name=meta.name, message=message, location=Location(path, 1, 1), severity=meta.severity)


def _finding(registry: Registry, settings: Settings, code: str, path: str, message: str, line: int, col: int) -> Finding | None:
    if code not in settings.enabled:
        return None
    rule = registry.rules[code]
    return Finding(code=code, name=rule.name, message=message, location=Location(path, line, col), severity=rule.severity)


def _parse_finding(registry: Registry, settings: Settings, path: str, message: str, line: int, col: int) -> Finding | None:
    return _finding(registry, settings, PARSE_ERROR, path, message, line, col)


def _not_analyzed(registry: Registry, settings: Settings, path: str, why: str) -> Finding | None:
    return _finding(registry, settings, NOT_ANALYZED, path, f"not analyzed: {why}", 1, 1)


def _unique_steps(f: Finding) -> Finding:
    """The same trace step twice (a loop, a summary reached from two calls) is shown once."""
    if all(len(set(steps)) == len(steps) for steps in f.flows):
        return f
    return replace(f, flows=tuple(tuple(dict.fromkeys(steps)) for steps in f.flows))


def _finish(
    result: FileResult,
    findings: Sequence[Finding | None],
    text: str,
    settings: Settings,
    registry: Registry,
    extra_directives: list[Directive] | None = None,
) -> None:
    found = [_unique_steps(f) for f in findings if f is not None]
    # Per-path ignores and severity overrides from the configuration.
    ignored = {
        code
        for pattern, selectors in settings.config.per_path_ignores
        if fnmatch.fnmatch(result.path, pattern) or fnmatch.fnmatch(result.path, pattern.rstrip("/") + "/*")
        for selector in selectors
        for code in registry.resolve(selector)
    }
    overrides = settings.config.severity_overrides()
    found = [replace(f, severity=overrides[f.code]) if f.code in overrides else f for f in found if f.code not in ignored]
    python = result.kind == "python"
    directives = parse_directives(text, python=python) + list(extra_directives or [])
    if python:
        directives += nosec_directives(text, registry.bandit_equivalents())
    # a finding this file's analysis places in another file (a template it renders)
    # is not subject to this file's line directives
    elsewhere = [f for f in found if f.path != result.path]
    kept, suppressed = apply_directives([f for f in found if f.path == result.path], directives, registry.code_for)
    kept += elsewhere
    if UNUSED_CODE in settings.enabled and UNUSED_CODE not in ignored and directives:
        rule = registry.rules[UNUSED_CODE]
        for directive, message in unused_directives(directives, registry.code_for, settings.enabled):
            kept.append(Finding(UNUSED_CODE, message, directive_location(result.path, directive), rule.severity, rule.name))
    result.findings = sort_findings(kept)
    result.suppressed = sort_findings(suppressed)
    result.text = text


# --- the whole run -------------------------------------------------------------


def run(
    paths: list[str],
    config: Config,
    *,
    root: Path | None = None,
    registry: Registry | None = None,
    jobs: int | None = None,
    force_exclude: bool = False,
    baseline: Counter[tuple[str, str, str]] | None = None,
    cache_dir: Path | str | None = None,
    progress: bool = False,
    stdin: tuple[str, bytes] | None = None,
) -> RunResult:
    """Check `paths` (or, with `stdin`, the given content as if it were the
    file named there). `root`: the project root; paths in the result are
    relative to it, and cross-file facts come from everything below it.
    `cache_dir`: read and write the result cache there (None: no cache).
    `progress`: draw progress on stderr (the caller decides: TTY only)."""
    from lintkit.parallel import Runner, default_jobs, is_python
    from lintkit.progress import Progress

    started = time.perf_counter()
    root = (root or Path.cwd()).resolve()
    registry = registry or build_registry()
    enabled = enabled_codes(registry, config)
    skipped: list[Skipped] = []
    if stdin is not None:
        name, content = stdin
        rel = relative_to(root, Path(name))
        candidates = [Candidate(str(root / rel), rel, explicit=True, data=content)]
    else:
        candidates, skipped = discover(paths, config, root, force_exclude=force_exclude)
    # Python files need the project's summaries; other files' cross-file
    # questions (does a hook script exist?) are answered from the disk.
    want_summaries = any(is_python(c.relpath) for c in candidates) and "python" in registry.kinds_for(enabled)
    project = _project(paths if stdin is None else [], candidates, config, root) if want_summaries else candidates
    settings = Settings(
        enabled=enabled,
        config=config,
        root=str(root),
        project_files=frozenset(c.relpath for c in project),
        options=registry.resolve_options(config.rules, config.source),
    )
    cache = None
    if cache_dir is not None and stdin is None:
        from lintkit.results import open_cache

        cache = open_cache(Path(cache_dir), registry, enabled, config)
    python_files = [(i, c) for i, c in enumerate(project) if is_python(c.relpath)]
    digests: dict[str, str | None] = {}  # relpath -> digest, read once for both cache lookups
    bar = Progress(len(candidates), progress)
    jobs = jobs or default_jobs()
    runner: Runner | None = None
    try:
        summaries: dict[str, Any] = {}
        if want_summaries:
            names = list(PYTHON_SUMMARIZERS)
            found: dict[int, Any] = {}
            todo = python_files if names else []
            if cache is not None and todo:
                found, todo = _cached_summaries(cache, todo, config.max_file_size, digests)
            if todo:
                runner = Runner(settings, registry, cache, jobs, len(candidates))
                bar.phase("summarized", len(todo))
                found.update(runner.summarize(todo, bar.advance))
            summaries = merge_summaries([(c.relpath, found.get(i)) for i, c in python_files], names)
        settings = replace(settings, summaries=summaries)
        facts = None
        files: list[FileResult | None] = [None] * len(candidates)
        todo_files = list(enumerate(candidates))
        if cache is not None:
            from lintkit.dependencies import RunFacts

            facts = RunFacts.build(settings.project_files, summaries)
            todo_files = []
            for i, cand in enumerate(candidates):
                hit = _cached_result(cache, cand, facts, str(root), config.max_file_size, digests)
                if hit is None:
                    todo_files.append((i, cand))
                else:
                    files[i] = hit
        bar.phase("checked", len(candidates))
        bar.advance(len(candidates) - len(todo_files))
        if todo_files:
            if runner is None:
                runner = Runner(settings, registry, cache, jobs, len(todo_files))
            runner.set_facts(summaries, facts)
            for i, fr in runner.analyze(todo_files, bar.advance).items():
                files[i] = fr
    finally:
        bar.close()
        if runner is not None:
            runner.close()
    done = [f for f in files if f is not None]
    result = RunResult(root=root, config=config, registry=registry, enabled=enabled, files=done, skipped=skipped)
    for fr in done:
        result.findings.extend(fr.findings)
        result.suppressed.extend(fr.suppressed)
        result.notifications.extend(fr.notifications)
        if fr.skipped:
            result.skipped.append(Skipped(fr.path, fr.skipped))
    if baseline:
        result.findings = _apply_baseline(result, baseline)
    result.findings = sort_findings(result.findings)
    result.suppressed = sort_findings(result.suppressed)
    result.notifications.sort(key=Notification.sort_key)
    result.skipped.sort(key=lambda s: s.relpath)
    result.seconds = time.perf_counter() - started
    return result


def _project(paths: list[str], candidates: list[Candidate], config: Config, root: Path) -> list[Candidate]:
    """Every file of the project (what cross-file facts are read from): the
    candidates, plus the rest of the project when the paths name less of it.
    A file named on the command line (or read from stdin) stands for itself."""
    named = [os.path.realpath(p) for p in paths]
    if named and all(p == str(root) for p in named):
        return candidates
    rest, _ = discover([str(root)], config, root)
    merged = {c.relpath: c for c in rest}
    merged.update((c.relpath, c) for c in candidates)
    return sorted(merged.values(), key=lambda c: c.relpath)


def merge_summaries(per_file: list[tuple[str, dict[str, Any] | None]], names: list[str]) -> dict[str, dict[str, Any]]:
    """{name: {relpath: summary}} in the order given (candidate order), so the
    table is identical whatever order workers finished in."""
    merged: dict[str, dict[str, Any]] = {name: {} for name in names}
    for relpath, summaries in per_file:
        for name, summary in (summaries or {}).items():
            if name in merged:
                merged[name][relpath] = summary
    return merged


def _file_digest(cand: Candidate, max_size: int, digests: dict[str, str | None]) -> str | None:
    from lintkit.cache import digest_bytes

    if cand.relpath not in digests:
        try:
            digests[cand.relpath] = digest_bytes(read_bytes(cand, max_size))
        except Unreadable:
            digests[cand.relpath] = None
    return digests[cand.relpath]


def _cached_summaries(cache: Any, todo: list[tuple[int, Candidate]], max_size: int, digests: dict[str, str | None]) -> tuple[dict[int, Any], list[tuple[int, Candidate]]]:
    found: dict[int, Any] = {}
    missing = []
    for i, cand in todo:
        digest = _file_digest(cand, max_size, digests)
        summary = cache.load_summary(cache.summary_key(cand.relpath, digest)) if digest else None
        if summary is None:
            missing.append((i, cand))
        else:
            found[i] = summary
    return found, missing


def _cached_result(cache: ResultCache, cand: Candidate, facts: RunFacts, root: str, max_size: int, digests: dict[str, str | None]) -> FileResult | None:
    digest = _file_digest(cand, max_size, digests)
    if digest is None:
        return None
    hit = cache.load_result(cache.result_key(cand.relpath, cand.explicit, digest), facts, root, cand.relpath)
    if hit is not None and (hit.findings or hit.suppressed):
        # The cache keeps no source text: excerpts come from the file itself.
        try:
            data = read_bytes(cand, max_size)
        except Unreadable:
            return None
        if cache.digest(data) != digest:
            return None  # changed since it was looked up
        try:
            hit.text = decode_source(data, cand.relpath)
        except (UnicodeDecodeError, LookupError, SyntaxError):
            hit.text = data.decode("utf-8", errors="replace")
    return hit


def baseline_entries(result: RunResult) -> list[tuple[Finding, str]]:
    lines_by_path = {f.path: f.text.splitlines() for f in result.files if f.findings}
    return [(f, line_fingerprint(f, lines_by_path.get(f.path, []))) for f in result.findings]


def _apply_baseline(result: RunResult, baseline: Counter[tuple[str, str, str]]) -> list[Finding]:
    remaining = Counter(baseline)
    kept: list[Finding] = []
    for finding, fingerprint in baseline_entries(result):
        key = baseline_key(finding, fingerprint)
        if remaining[key] > 0:
            remaining[key] -= 1
            result.suppressed.append(replace(finding, suppressed=True))
        else:
            kept.append(finding)
    return kept
