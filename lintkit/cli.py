"""Command line: arguments → engine → reports → exit code.

Exit codes: 0 nothing at or above the fail threshold, 1 findings, 2 usage or
configuration error (one line on stderr, naming the file), 3 internal error,
130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 141 stdout closed early.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn, Sequence

from lintkit import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE, EXIT_TERMINATED = 130, 141, 143
FORMATS = ("text", "json", "sarif", "junit", "github")


class UsageError(Exception):
    pass


class Terminated(KeyboardInterrupt):
    """SIGTERM: unwinds like Ctrl-C (report writes clean up), exits 143."""


class _StdoutClosed(Exception):
    """The reader of stdout went away (`lintkit check | head`)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with a one-line message
        self.print_usage(sys.stderr)
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lintkit", description="Static analysis for AWS CI/CD definitions and Python source.")
    parser.add_argument("--version", action="version", version=f"lintkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    chk = sub.add_parser("check", help="check files and directories (default: .)")
    chk.add_argument("paths", nargs="*", default=[], metavar="PATH", help="files and directories; `-` reads stdin (with --stdin-filename)")
    chk.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format on stdout or --output (default: text)")
    chk.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout (a regular file is replaced atomically)")
    chk.add_argument("--sarif", metavar="FILE", help="also write a SARIF report to FILE")
    chk.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report to FILE")
    chk.add_argument("--json", metavar="FILE", dest="json_file", help="also write a JSON report to FILE")
    chk.add_argument("--select", action="append", default=None, metavar="RULES", help="only these rules: codes, names, families (BSP), aws, python or ALL; comma-separated; replaces the configuration's select and ignore")
    chk.add_argument("--extend-select", action="append", default=None, metavar="RULES", help="add these rules to the selection (over the configuration's ignore)")
    chk.add_argument("--ignore", action="append", default=None, metavar="RULES", help="skip these rules (comma-separated)")
    chk.add_argument("--only", choices=("aws", "python"), help="check only AWS CI/CD files or only Python")
    chk.add_argument("--exclude", action="append", default=None, metavar="GLOB", help="exclude paths matching GLOB (adds to the configuration)")
    chk.add_argument("--force-exclude", action="store_true", help="apply excludes to files named on the command line too")
    chk.add_argument("--config", metavar="FILE", help="read settings from FILE instead of searching for one (CI on untrusted pull requests: a copy from the base branch)")
    chk.add_argument("--isolated", action="store_true", help="ignore configuration files")
    chk.add_argument("--fail-on", metavar="SEVERITY", help="lowest severity that fails the run: info, low, medium, high, error, critical, or none")
    chk.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are reported (errors still exit 2 or 3)")
    chk.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: number of CPUs)")
    chk.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    chk.add_argument("--cache-dir", metavar="DIR", help="result cache directory (default: the project's folder in the user cache directory)")
    chk.add_argument("--baseline", metavar="FILE", help="hide findings recorded in this baseline file")
    chk.add_argument("--write-baseline", metavar="FILE", help="record the current findings as a baseline and exit 0")
    chk.add_argument("--stdin-filename", metavar="NAME", help="with `-`: the path the content on stdin has in the project (editors)")
    chk.add_argument("--hook", action="store_true", help="pre-commit mode: text only, no report files")
    chk.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="auto: on a terminal, unless NO_COLOR; FORCE_COLOR forces it")
    chk.add_argument("--no-source", action="store_true", help="text format: no source excerpt under each finding")
    chk.add_argument("--quiet", "-q", action="store_true", help="text format: findings only, no notes and no summary")
    chk.add_argument("--statistics", action="store_true", help="text format: the number of findings per rule instead of each finding")
    chk.add_argument("--show-suppressed", action="store_true", help="text format: also list suppressed findings")
    chk.add_argument("--show-settings", action="store_true", help="print the settings this run would use (configuration file, project root, cache, rules) and exit")
    chk.add_argument("--verbose", "-v", action="store_true", help="say on stderr which configuration, project root and cache are used")

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("selectors", nargs="*", metavar="RULES", help="only rules matching these codes, names or families")

    explain = sub.add_parser("explain", help="show rules' documentation")
    explain.add_argument("rules", nargs="+", metavar="CODE-OR-NAME")

    clean = sub.add_parser("clean", help="remove the project's result cache")
    clean.add_argument("path", nargs="?", default=".", metavar="PATH", help="a path in the project (default: .)")
    clean.add_argument("--cache-dir", metavar="DIR", help="the cache directory to remove instead")
    return parser


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        print(f"lintkit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.command is None:
            build_parser().print_help()
            return EXIT_USAGE
        command = {"rules": _cmd_rules, "explain": _cmd_explain, "clean": _cmd_clean}.get(args.command, _cmd_check)
        return command(args)
    except UsageError as exc:
        print(f"lintkit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Terminated:
        print("lintkit: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("lintkit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _StdoutClosed:
        # Whoever read stdout has gone: end quietly, and keep Python from
        # complaining when it flushes stdout at exit.
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except SystemExit as exc:
        # Only a rule pack or a check can get here (argparse exits above).
        print(f"lintkit: internal error: a rule pack or check called sys.exit({exc.code!r})", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:  # noqa: BLE001 - the one place a traceback may be summarised
        from lintkit.config import ConfigError
        from lintkit.output import OutputError
        from lintkit.parallel import WorkerFailed
        from lintkit.registry import RuleError
        from lintkit.suppress import BaselineError

        from lintkit.secrets import mask_text  # an error may quote the repository

        if isinstance(exc, (ConfigError, BaselineError, RuleError, OutputError)):
            print(mask_text(f"lintkit: error: {exc}"), file=sys.stderr)
            return EXIT_USAGE
        if isinstance(exc, WorkerFailed):
            print(f"lintkit: error: {exc}", file=sys.stderr)
            return EXIT_INTERNAL
        import traceback

        sys.stderr.write(mask_text(traceback.format_exc()))
        print(mask_text(f"lintkit: internal error: {type(exc).__name__}: {exc}"), file=sys.stderr)
        return EXIT_INTERNAL


def _emit(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise _StdoutClosed from None


def _note(message: str) -> None:
    print(f"lintkit: note: {message}", file=sys.stderr)


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())


# --- settings -------------------------------------------------------------------


def _check_paths(paths: list[str]) -> None:
    """Every path named must exist and be readable: a typo must not pass as a clean run."""
    for raw in paths:
        try:
            st = os.stat(raw)
        except FileNotFoundError:
            raise UsageError(f"{raw}: no such file or directory") from None
        except OSError as exc:
            raise UsageError(f"{raw}: {exc.strerror}") from None
        import stat

        need = os.R_OK | (os.X_OK if stat.S_ISDIR(st.st_mode) else 0)
        if not os.access(raw, need):
            raise UsageError(f"{raw}: permission denied")


def _stdin_name(args: argparse.Namespace) -> str | None:
    """The name stdin stands for, when the run reads stdin."""
    if "-" not in args.paths and not (args.stdin_filename and not args.paths):
        if args.stdin_filename:
            raise UsageError("--stdin-filename needs `-` (stdin) as the only path")
        return None
    if args.paths not in ([], ["-"]):
        raise UsageError("`-` (stdin) must be the only path")
    if not args.stdin_filename:
        raise UsageError("reading stdin (`-`) needs --stdin-filename NAME: the name decides what kind of file it is")
    name: str = args.stdin_filename
    return name


def _configure(args: argparse.Namespace, start: Path, registry: Any) -> tuple[Any, Path]:
    """(Config with the command line applied, project root)."""
    from lintkit.config import Config, ConfigError, load_config, parse_severity, project_root, validate

    if args.isolated:
        config = Config()
    else:
        config = load_config(Path(args.config) if args.config else None, start=start)
    root = project_root(start, config)
    config = config.with_overrides(root=str(root))
    validate(config, registry)
    select, extend, ignore = _split(args.select), _split(args.extend_select), _split(args.ignore)
    for option, selectors in (("--select", select), ("--extend-select", extend), ("--ignore", ignore)):
        for selector in selectors:
            if not registry.resolve(selector):
                raise ConfigError(f"{option}: unknown rule selector '{selector}' (see `lintkit rules`)")
    changes: dict[str, Any] = {}
    wanted = set().union(*(registry.resolve(s) for s in select + extend)) if select or extend else set()
    if wanted:
        # The command line is the user's; a repository's configuration must
        # not silently switch off what was asked for by name.
        configured = set().union(*(registry.resolve(s) for s in config.ignore)) if config.ignore else set()
        overridden = sorted(wanted & configured)
        if overridden:
            shown = ", ".join(overridden[:5]) + (f" and {len(overridden) - 5} more" if len(overridden) > 5 else "")
            _note(f"the command line selects {shown}, which {config.source or 'the configuration'} ignores; the command line wins")
        changes["ignore"] = tuple(sorted(configured - wanted)) if not select else ()
        changes["select"] = (select + extend) if select else config.select + extend
    if args.only:
        changes["only"] = args.only
        current = changes.get("select", config.select)
        changes["select"] = (args.only,) if "ALL" in current else current
    if ignore:
        changes["ignore"] = changes.get("ignore", config.ignore) + ignore
    if args.exclude:
        changes["exclude"] = config.exclude + tuple(args.exclude)
    if args.fail_on:
        changes["fail_on"] = parse_severity(args.fail_on, "--fail-on", allow_none=True)
    return config.with_overrides(**changes), root


def _cache_dir(args: argparse.Namespace, root: Path) -> Path | None:
    from lintkit.cache import default_dir

    if getattr(args, "no_cache", False):
        return None
    return Path(args.cache_dir) if args.cache_dir else default_dir(root)


def _color(args: argparse.Namespace) -> bool:
    color: str = args.color
    if color != "auto":
        return color == "always"
    if args.output or os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


# --- check ----------------------------------------------------------------------


def _cmd_check(args: argparse.Namespace) -> int:
    from lintkit.engine import baseline_entries, enabled_codes, run
    from lintkit.output import check_writable, write_report
    from lintkit.registry import build_registry
    from lintkit.report import ReportOptions, render
    from lintkit.suppress import baseline_text, read_baseline

    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.hook and args.format != "text":
        raise UsageError("--hook prints text only; run `lintkit check .` in CI for reports")
    # pre-commit splits the file list into batches: a report file would hold one batch only.
    if args.hook and (args.output or args.sarif or args.junit or args.json_file or args.write_baseline):
        raise UsageError("--hook writes no files (pre-commit runs lintkit in batches); run `lintkit check .` in CI for reports")
    stdin_name = _stdin_name(args)
    paths = [] if stdin_name else (args.paths or ["."])
    _check_paths(paths)
    start = Path(paths[0]) if paths else Path(stdin_name or ".").parent
    registry = build_registry()
    config, root = _configure(args, start if start.exists() else Path.cwd(), registry)
    cache_dir = _cache_dir(args, root)
    targets = [(fmt, t) for fmt, t in (("sarif", args.sarif), ("junit", args.junit), ("json", args.json_file)) if t]
    targets.append((args.format, args.output))
    inputs = {os.path.realpath(p) for p in paths if os.path.isfile(p)}
    for _, target in targets:
        if target:
            if os.path.realpath(target) in inputs:
                raise UsageError(f"{target}: the report would overwrite a file being checked")
            check_writable(target)
    if args.write_baseline:
        check_writable(args.write_baseline)
    if args.show_settings:
        _emit(_settings_text(config, root, cache_dir, registry, enabled_codes(registry, config)))
        return EXIT_OK
    if args.verbose:
        print(f"lintkit: configuration: {config.source or 'none (defaults)'}", file=sys.stderr)
        print(f"lintkit: project root: {root}", file=sys.stderr)
        print(f"lintkit: cache: {cache_dir or 'off'}", file=sys.stderr)
    baseline = read_baseline(Path(args.baseline)) if args.baseline else None
    stdin = (stdin_name, sys.stdin.buffer.read()) if stdin_name else None
    result = run(
        paths,
        config,
        root=root,
        registry=registry,
        jobs=args.jobs,
        force_exclude=args.force_exclude,
        baseline=baseline,
        cache_dir=cache_dir,
        progress=sys.stderr.isatty() and not args.hook,
        stdin=stdin,
    )
    if args.verbose:
        cached = sum(1 for f in result.files if f.seconds == 0.0)
        print(f"lintkit: {len(result.files)} files looked at, {cached} from the cache, in {result.seconds:.2f}s", file=sys.stderr)
    _refuse_inputs(result, [t for _, t in targets if t] + ([args.write_baseline] if args.write_baseline else []), config, args.baseline)
    if args.write_baseline:
        write_report(args.write_baseline, baseline_text(baseline_entries(result)))
        print(f"lintkit: wrote {len(result.findings)} finding(s) to baseline {args.write_baseline}", file=sys.stderr)
        return EXIT_OK
    shown = result.seen_from(Path.cwd())
    options = ReportOptions(color=_color(args), show_source=not args.no_source, quiet=args.quiet, show_suppressed=args.show_suppressed, statistics=args.statistics)
    # Extra report files first, so the main report is the last thing written.
    for fmt, target in targets[:-1]:
        write_report(target, render(fmt, shown, options.plain()))
    report = render(args.format, shown, options if not args.output else options.plain())
    if args.output:
        write_report(args.output, report)
    else:
        _emit(report)
    if args.exit_zero or config.fail_on is None:
        return EXIT_OK
    failing = [f for f in result.findings if f.severity.rank >= config.fail_on.rank]
    return EXIT_FINDINGS if failing else EXIT_OK


def _refuse_inputs(result: Any, targets: list[str], config: Any, baseline: str | None) -> None:
    """A report must never overwrite something the run read."""
    checked = {f.path for f in result.files if f.kind}
    others = {os.path.realpath(p) for p in (config.source, baseline) if p}
    root = os.path.realpath(result.root)
    for target in targets:
        if target == baseline:
            continue  # --write-baseline over --baseline updates it
        real = os.path.realpath(target)
        rel = os.path.relpath(real, root).replace(os.sep, "/") if real.startswith(root + os.sep) else real
        if rel in checked or real in others:
            raise UsageError(f"{target}: the report would overwrite a file this run read")


def _settings_text(config: Any, root: Path, cache_dir: Path | None, registry: Any, enabled: frozenset[str]) -> str:
    def listed(values: Any) -> str:
        return ", ".join(values) if values else "-"

    lines = [
        f"configuration file: {config.source or 'none (defaults)'}" + (" (--config)" if config.explicit else ""),
        f"project root: {root}",
        f"cache: {cache_dir or 'off'}",
        f"select: {listed(config.select)}",
        f"ignore: {listed(config.ignore)}",
        f"only: {config.only or '-'}",
        f"exclude: {listed(config.exclude)}",
        f"per-path-ignores: {listed(f'{glob} = {listed(codes)}' for glob, codes in config.per_path_ignores)}",
        f"severity: {listed(f'{code} = {sev.value}' for code, sev in config.severity)}",
        f"fail-on: {config.fail_on.value if config.fail_on else 'none'}",
        f"respect-gitignore: {str(config.respect_gitignore).lower()}",
        f"max-file-size: {config.max_file_size}",
        f"rules: {listed(f'{code}' for code, _ in config.rules)}",
        f"enabled rules: {len(enabled)} of {len(registry.rules)}",
    ]
    return "\n".join(lines) + "\n"


# --- the other commands ---------------------------------------------------------


def _cmd_rules(args: argparse.Namespace) -> int:
    import json

    from lintkit.registry import build_registry

    registry = build_registry()
    rules = registry.sorted_rules()
    if args.selectors:
        wanted: set[str] = set()
        for selector in _split(args.selectors):
            matched = registry.resolve(selector)
            if not matched:
                raise UsageError(f"unknown rule selector '{selector}'")
            wanted |= matched
        rules = [r for r in rules if r.code in wanted]
    if args.format == "json":
        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "family": r.family,
                "kinds": list(r.kinds),
                "default": r.default,
                "precision": registry.precision(r.code),
                "summary": r.summary,
                "tags": list(r.tags),
                "cwe": list(r.cwe),
                "codeguru": list(r.codeguru),
                "pylint": r.pylint,
                "pack": r.pack,
            }
            for r in rules
        ]
        _emit(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    width = max((len(r.name) for r in rules), default=10)
    lines = []
    for r in rules:
        measured = registry.precision(r.code)
        share = f"{round(100 * float(measured['precision'])):>3}%" if measured and measured.get("labelled") else "   -"
        default = "on " if r.default else "opt"
        lines.append(f"{r.code:<7} {r.name:<{width}}  {r.severity.value:<8} {default} {share}  {r.summary}\n")
    on = sum(r.default for r in rules)
    lines.append(f"{len(rules)} rules ({on} on by default; precision: share of true findings on real code, bench/triage)\n")
    _emit("".join(lines))
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    from lintkit.registry import build_registry
    from lintkit.report.docs import rule_markdown

    registry = build_registry()
    codes = []
    for name in _split(args.rules):
        code = registry.code_for(name)
        if code is None:
            raise UsageError(f"unknown rule '{name}' (see `lintkit rules`)")
        codes.append(code)
    _emit("\n".join(rule_markdown(registry.rules[code], registry.precision(code)) for code in codes))
    return EXIT_OK


def _cmd_clean(args: argparse.Namespace) -> int:
    from lintkit.cache import clean
    from lintkit.config import load_config, project_root

    directory: Path | None
    if args.cache_dir:
        directory = Path(args.cache_dir)
    else:
        start = Path(args.path)
        _check_paths([args.path])
        directory = _cache_dir(args, project_root(start, load_config(start=start)))
    assert directory is not None
    if clean(directory):
        print(f"lintkit: removed the cache {directory}", file=sys.stderr)
    else:
        print(f"lintkit: no cache at {directory}", file=sys.stderr)
    return EXIT_OK
