"""Orchestration: discover → classify → parse once → checks → filter.

`analyze_file` is the unit of work a worker process runs. It never raises for
anything a file contains: a file that does not parse yields one GEN001
finding, a crashing check a notification, and every other check still runs.
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
from typing import Any

from lintkit.config import Config
from lintkit.api import Context, Project
from lintkit.documents import Mapping, ParseError, load
from lintkit.files import Candidate, Skipped, classify_document, classify_name, discover, worth_parsing
from lintkit.findings import Finding, Location, Notification, sort_findings
from lintkit.registry import Registry, build_registry
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

PARSE_ERROR = "GEN001"
TEMPLATED = "GEN003"
_BINARY_SNIFF = 8192

# Template syntax that makes a file something other than plain YAML/JSON.
_TEMPLATE_MARKERS = ("{{", "{%", "%{", "<%", "$${")
# Build-time tokens replaced by a release script (`%SOLUTION_NAME%`).
_BUILD_TOKEN = re.compile(r"%[A-Z][A-Z0-9_]{2,}%")


def _templated(text: str, relpath: str) -> bool:
    return any(m in text for m in _TEMPLATE_MARKERS) or bool(_BUILD_TOKEN.search(text)) or relpath.lower().endswith(".tpl")


@dataclass
class FileResult:
    path: str
    kind: str | None = None
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    skipped: str = ""
    seconds: float = 0.0
    text: str = ""  # kept only when there are findings (excerpts, fingerprints)


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
        for f in self.files:
            if f.path == path:
                return f.text
        return ""


@dataclass(frozen=True)
class Settings:
    """What a worker needs besides the file: everything is picklable."""

    enabled: frozenset[str]
    config: Config
    root: str
    hook_mode: bool = False
    project_files: frozenset[str] = frozenset()
    options: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False, compare=False)
    summaries: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # Set per file by the result cache: filesystem answers get recorded here.
    probes: dict[str, bool] | None = field(default=None, hash=False, compare=False)


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
    except Exception as exc:  # the last line of defence: report, never crash the run
        result.notifications.append(
            Notification(
                message=f"internal error while checking this file: {type(exc).__name__}: {exc}",
                path=candidate.relpath,
                level="error",
                kind="crash",
                rule="",
            )
        )
    result.seconds = time.perf_counter() - started
    if not result.findings and not result.suppressed:
        result.text = ""
    return result


def _read(candidate: Candidate, settings: Settings, result: FileResult, data: bytes | None = None) -> bytes | None:
    if data is not None:
        if len(data) > settings.config.max_file_size:
            result.skipped = f"file too large ({len(data)} bytes; limit {settings.config.max_file_size})"
            return None
        return None if _binary(data, result) else data
    try:
        size = os.path.getsize(candidate.abspath)
        if size > settings.config.max_file_size:
            result.skipped = f"file too large ({size} bytes; limit {settings.config.max_file_size})"
            return None
        with open(candidate.abspath, "rb") as handle:
            data = handle.read(settings.config.max_file_size + 1)
    except OSError as exc:
        result.skipped = f"unreadable: {exc.strerror or exc}"
        return None
    return None if _binary(data, result) else data


def _binary(data: bytes, result: FileResult) -> bool:
    if b"\0" in data[:_BINARY_SNIFF]:
        result.skipped = "binary file (NUL bytes)"
        return True
    return False


def _analyze(
    candidate: Candidate, settings: Settings, registry: Registry, result: FileResult, data: bytes | None = None, parsed: Any = None
) -> None:
    name_kind = classify_name(candidate.relpath)
    if settings.config.only and (settings.config.only == "python") != (name_kind == "python"):
        return  # `--only aws` / `--only python`: the other half's files are not ours
    data = _read(candidate, settings, result, data)
    if data is None:
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if name_kind is None and not candidate.explicit:
            result.skipped = "not UTF-8 text"
            return
        text = data.decode("utf-8", errors="replace")
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        result.kind = name_kind or "unknown"
        _finish(result, [_parse_finding(registry, settings, candidate.relpath, f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})", line, col)], text, settings, registry)
        return
    if text.startswith("\ufeff"):
        text = text[1:]
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
        _finish(result, [finding] if finding else [], text, settings, registry)
        return
    kind = classify_document(candidate.relpath, doc)
    if kind is None:
        return
    result.kind = kind
    ctx = _context(candidate.relpath, kind, text, settings, registry)
    run_checks(ctx, doc, kind, registry)
    result.notifications.extend(ctx.notifications)
    _finish(result, ctx.findings, text, settings, registry, ctx.directives)


def _kind_from_markers(text: str) -> str | None:
    head = text[:200_000]
    if "AWSTemplateFormatVersion" in head or "AWS::" in head:
        return "cloudformation"
    if "phases" in head and "version" in head:
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
            result.skipped = err.message
            return
        _finish(result, [_parse_finding(registry, settings, candidate.relpath, err.message, err.line, err.column)], text, settings, registry)
        return
    ctx = _context(candidate.relpath, "python", text, settings, registry)
    run_checks(ctx, module, "python", registry)
    result.notifications.extend(ctx.notifications)
    _finish(result, ctx.findings, text, settings, registry)


def _context(path: str, kind: str, text: str, settings: Settings, registry: Registry) -> Context:
    project = Project(
        root=Path(settings.root),
        files=settings.project_files,
        hook_mode=settings.hook_mode,
        summaries=settings.summaries,
        probes=settings.probes,
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
        _guarded(ctx, ref, (), lambda: hook(target, ctx))
    for chk in registry.checks_for(kind):
        if not any(ctx.enabled(code) for code in chk.codes):
            continue
        ctx.reporting = frozenset(chk.codes)
        try:
            _guarded(ctx, chk.qualname, chk.codes, lambda: chk.func(target, ctx))
        finally:
            ctx.reporting = None


def _guarded(ctx: Context, name: str, codes: tuple[str, ...], call: Any) -> None:
    try:
        call()
    except RecursionError:
        ctx.notify(f"check {name} gave up: input nested too deeply", level="warning", kind="limit", rule=",".join(codes))
    except Exception as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        ctx.notify(
            f"{'rule ' + '/'.join(codes) if codes else name} crashed: {type(exc).__name__}: {exc} "
            f"(at {Path(frame.filename).name}:{frame.lineno}); other rules still ran",
            level="error",
            kind="crash",
            rule=codes[0] if codes else "",
        )


def run_embedded(child: Context, label: str, registry: Registry) -> None:
    """`Context.run_embedded`: parse an embedded document and run its kind's checks."""
    try:
        doc = load(child.text, f"{child.path}#{label}")
    except ParseError as err:
        child.report(PARSE_ERROR, (err.line, err.column), f"{label} does not parse: {err.message}")
        return
    if isinstance(doc.root, Mapping):
        run_checks(child, doc, child.kind, registry)


def _finding(registry: Registry, settings: Settings, code: str, path: str, message: str, line: int, col: int) -> Finding | None:
    if code not in settings.enabled:
        return None
    rule = registry.rules[code]
    return Finding(code=code, name=rule.name, message=message, location=Location(path, line, col), severity=rule.severity)


def _parse_finding(registry: Registry, settings: Settings, path: str, message: str, line: int, col: int) -> Finding | None:
    return _finding(registry, settings, PARSE_ERROR, path, message, line, col)


def _finish(
    result: FileResult,
    findings: list[Finding | None],
    text: str,
    settings: Settings,
    registry: Registry,
    extra_directives: list[Directive] | None = None,
) -> None:
    found = [f for f in findings if f is not None]
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
    kept, suppressed = apply_directives(found, directives, registry.code_for)
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
    hook_mode: bool = False,
    force_exclude: bool = False,
    baseline: Counter | None = None,
    cache_dir: Path | str | None = None,
    progress: bool = False,
) -> RunResult:
    """Check `paths`. `cache_dir`: read and write the result cache there (None:
    no cache). `progress`: draw progress on stderr (the caller decides: TTY only)."""
    from lintkit.parallel import Runner, default_jobs, is_python
    from lintkit.progress import Progress

    started = time.perf_counter()
    root = (root or Path.cwd()).resolve()
    registry = registry or build_registry()
    enabled = enabled_codes(registry, config)
    candidates, skipped = discover(paths, config, root, force_exclude=force_exclude)
    settings = Settings(
        enabled=enabled,
        config=config,
        root=str(root),
        hook_mode=hook_mode,
        project_files=frozenset(c.relpath for c in candidates),
        options=registry.resolve_options(config.rules, config.source),
    )
    cache = None
    if cache_dir is not None:
        from lintkit.cache import open_cache

        cache = open_cache(Path(cache_dir), registry, enabled, config, hook_mode)
    python_files = [(i, c) for i, c in enumerate(candidates) if is_python(c.relpath)]
    want_summaries = bool(python_files) and any(registry.rules[c].domain == "python" for c in enabled if c in registry.rules)
    bar = Progress(len(candidates), progress)
    jobs = jobs or default_jobs()
    runner: Runner | None = None
    try:
        summaries: dict[str, Any] = {}
        if want_summaries:
            from lintkit.python.project import merge_summaries, summarizer_names

            names = summarizer_names()
            found: dict[int, Any] = {}
            todo = python_files if names else []
            if cache is not None and todo:
                found, todo = _cached_summaries(cache, todo, config.max_file_size)
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
            from lintkit.cache import RunFacts

            facts = RunFacts.build(settings.project_files, summaries)
            todo_files = []
            for i, cand in enumerate(candidates):
                hit = _cached_result(cache, cand, facts, str(root), config.max_file_size)
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


def _file_digest(cand: Candidate, max_size: int) -> str | None:
    from lintkit.cache import digest_bytes

    try:
        with open(cand.abspath, "rb") as handle:
            data = handle.read(max_size + 1)
    except OSError:
        return None
    return digest_bytes(data)


def _cached_summaries(cache: Any, todo: list[tuple[int, Candidate]], max_size: int) -> tuple[dict[int, Any], list[tuple[int, Candidate]]]:
    found: dict[int, Any] = {}
    missing = []
    for i, cand in todo:
        digest = _file_digest(cand, max_size)
        summary = cache.load_summary(cache.summary_key(cand.relpath, digest)) if digest else None
        if summary is None:
            missing.append((i, cand))
        else:
            found[i] = summary
    return found, missing


def _cached_result(cache: Any, cand: Candidate, facts: Any, root: str, max_size: int) -> FileResult | None:
    digest = _file_digest(cand, max_size)
    if digest is None:
        return None
    return cache.load_result(cache.result_key(cand.relpath, cand.explicit, digest), facts, root)


def baseline_entries(result: RunResult) -> list[tuple[Finding, str]]:
    lines_by_path = {f.path: f.text.splitlines() for f in result.files if f.findings}
    return [(f, line_fingerprint(f, lines_by_path.get(f.path, []))) for f in result.findings]


def _apply_baseline(result: RunResult, baseline: Counter) -> list[Finding]:
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
