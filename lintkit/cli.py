"""Command line: arguments → engine → reports → exit code.

Exit codes: 0 nothing at or above the fail threshold, 1 findings, 2 usage or
configuration error, 3 internal error.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Sequence

from lintkit import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = ("text", "json", "sarif", "junit", "github")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a one-line message
        self.print_usage(sys.stderr)
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lintkit", description="Static analysis for AWS CI/CD definitions and Python source.")
    parser.add_argument("--version", action="version", version=f"lintkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    chk = sub.add_parser("check", help="check files and directories (default: .)")
    chk.add_argument("paths", nargs="*", default=[], metavar="PATH")
    chk.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format on stdout or --output (default: text)")
    chk.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    chk.add_argument("--sarif", metavar="FILE", help="also write a SARIF report to FILE")
    chk.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report to FILE")
    chk.add_argument("--json", metavar="FILE", dest="json_file", help="also write a JSON report to FILE")
    chk.add_argument("--select", action="append", default=None, metavar="RULES", help="only these rules: codes, names, families (BSP), aws, python or ALL; comma-separated")
    chk.add_argument("--extend-select", action="append", default=None, metavar="RULES")
    chk.add_argument("--ignore", action="append", default=None, metavar="RULES", help="skip these rules (comma-separated)")
    chk.add_argument("--only", choices=("aws", "python"), help="check only AWS CI/CD files or only Python")
    chk.add_argument("--exclude", action="append", default=None, metavar="GLOB", help="exclude paths matching GLOB (adds to the configuration)")
    chk.add_argument("--force-exclude", action="store_true", help="apply excludes to files named on the command line too")
    chk.add_argument("--config", metavar="FILE", help="read settings from FILE instead of searching for one")
    chk.add_argument("--isolated", action="store_true", help="ignore configuration files")
    chk.add_argument("--fail-on", metavar="SEVERITY", help="lowest severity that fails the run: info, low, medium, high/error, critical")
    chk.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: number of CPUs)")
    chk.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    chk.add_argument("--cache-dir", metavar="DIR", help="result cache directory (default: .lintkit_cache)")
    chk.add_argument("--baseline", metavar="FILE", help="hide findings recorded in this baseline file")
    chk.add_argument("--write-baseline", metavar="FILE", help="record the current findings as a baseline and exit 0")
    chk.add_argument("--hook", action="store_true", help="pre-commit mode: text only, cross-file rules stay quiet")
    chk.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    chk.add_argument("--no-source", action="store_true", help="text format: no source excerpt under each finding")
    chk.add_argument("--quiet", "-q", action="store_true", help="text format: findings only, no summary")
    chk.add_argument("--show-suppressed", action="store_true", help="text format: also list suppressed findings")

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("selectors", nargs="*", metavar="RULES", help="only rules matching these codes, names or families")

    explain = sub.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("rule", metavar="CODE-OR-NAME")
    return parser


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM unwinds like Ctrl-C, so atomic report writes clean up after themselves.
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_USAGE
        if args.command == "rules":
            return _cmd_rules(args)
        if args.command == "explain":
            return _cmd_explain(args)
        return _cmd_check(args)
    except UsageError as exc:
        print(f"lintkit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("lintkit: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place a traceback may be summarised
        from lintkit.config import ConfigError
        from lintkit.registry import RuleError
        from lintkit.suppress import BaselineError

        from lintkit.secrets import mask_text  # an error may quote the repository

        if isinstance(exc, (ConfigError, BaselineError, RuleError)):
            print(mask_text(f"lintkit: error: {exc}"), file=sys.stderr)
            return EXIT_USAGE
        import traceback

        sys.stderr.write(mask_text(traceback.format_exc()))
        print(mask_text(f"lintkit: internal error: {type(exc).__name__}: {exc}"), file=sys.stderr)
        return EXIT_INTERNAL


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())


def _load_config(args: argparse.Namespace):
    from lintkit.config import Config, ConfigError, load_config
    from lintkit.findings import Severity

    if args.isolated:
        config = Config(root=str(Path.cwd()))
    else:
        start = Path(args.paths[0]) if args.paths else Path.cwd()
        config = load_config(Path(args.config) if args.config else None, start=start if start.exists() else Path.cwd())
    changes = {}
    if args.select:
        changes["select"] = _split(args.select)
    if args.extend_select:
        changes["select"] = changes.get("select", config.select) + _split(args.extend_select)
    if args.only:
        changes["only"] = args.only
        changes["select"] = (args.only,) if "ALL" in changes.get("select", config.select) else changes.get("select", config.select)
    if args.ignore:
        changes["ignore"] = config.ignore + _split(args.ignore)
    if args.exclude:
        changes["exclude"] = config.exclude + tuple(args.exclude)
    if args.fail_on:
        try:
            changes["fail_on"] = Severity.parse(args.fail_on)
        except ValueError as exc:
            raise ConfigError(f"--fail-on: {exc}") from None
    return config.with_overrides(**changes)


def _validate_selectors(registry, config) -> None:
    from lintkit.config import ConfigError

    for selector in (*config.select, *config.ignore):
        if not registry.resolve(selector):
            raise ConfigError(f"unknown rule selector '{selector}' (see `lintkit rules`)")
    for code in dict(config.severity):
        if registry.code_for(code) is None:
            raise ConfigError(f"{config.source or 'configuration'}: severity override for unknown rule '{code}'")


def _cmd_check(args: argparse.Namespace) -> int:
    from lintkit.engine import baseline_entries, run
    from lintkit.registry import build_registry
    from lintkit.report import ReportOptions, render
    from lintkit.suppress import read_baseline, write_baseline

    config = _load_config(args)
    registry = build_registry()
    _validate_selectors(registry, config)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    hook_mode = args.hook
    if hook_mode and args.format != "text":
        raise UsageError("--hook prints text only; run `lintkit check .` in CI for reports")
    # pre-commit splits the file list into batches: a report file would hold one batch only.
    if hook_mode and (args.output or args.sarif or args.junit or args.json_file or args.write_baseline):
        raise UsageError("--hook writes no files (pre-commit runs lintkit in batches); run `lintkit check .` in CI for reports")
    baseline = read_baseline(Path(args.baseline)) if args.baseline else None
    result = run(
        args.paths,
        config,
        registry=registry,
        jobs=args.jobs,
        hook_mode=hook_mode,
        force_exclude=args.force_exclude,
        baseline=baseline,
        cache_dir=None if args.no_cache else Path(args.cache_dir or ".lintkit_cache"),
        progress=sys.stderr.isatty() and not hook_mode,
    )
    if args.write_baseline:
        write_baseline(Path(args.write_baseline), baseline_entries(result))
        print(f"lintkit: wrote {len(result.findings)} finding(s) to baseline {args.write_baseline}", file=sys.stderr)
        return EXIT_OK
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR") and not args.output)
    options = ReportOptions(
        color=color,
        show_source=not args.no_source,
        quiet=args.quiet,
        show_suppressed=args.show_suppressed,
    )
    from lintkit.output import write_atomic

    # Extra report files first, so the main report is the last thing written.
    for fmt, target in (("sarif", args.sarif), ("junit", args.junit), ("json", args.json_file)):
        if target:
            write_atomic(target, render(fmt, result, options.plain()))
    report = render(args.format, result, options if not args.output else options.plain())
    if args.output:
        write_atomic(args.output, report)
    else:
        sys.stdout.write(report)
        sys.stdout.flush()
    failing = [f for f in result.findings if f.severity.rank >= config.fail_on.rank]
    return EXIT_FINDINGS if failing else EXIT_OK


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
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    width = max((len(r.name) for r in rules), default=10)
    for r in rules:
        measured = registry.precision(r.code)
        share = f"{round(100 * float(measured['precision'])):>3}%" if measured and measured.get("labelled") else "   -"
        default = "on " if r.default else "opt"
        sys.stdout.write(f"{r.code:<7} {r.name:<{width}}  {r.severity.value:<8} {default} {share}  {r.summary}\n")
    on = sum(r.default for r in rules)
    sys.stdout.write(f"{len(rules)} rules ({on} on by default; precision: share of true findings on real code, bench/triage)\n")
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    from lintkit.registry import build_registry
    from lintkit.report.docs import rule_markdown

    registry = build_registry()
    code = registry.code_for(args.rule)
    if code is None:
        raise UsageError(f"unknown rule '{args.rule}' (see `lintkit rules`)")
    sys.stdout.write(rule_markdown(registry.rules[code], registry.precision(code)))
    return EXIT_OK
