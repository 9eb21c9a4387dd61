#!/usr/bin/env python3
"""lintkit on Django 5.2's package beside bandit (and pylint with and without
lintkit's plugin), on the same machine in the same run.

    .venv/bin/python bench/django.py [--repeat 3] [--pylint-repeat 1] [--no-pylint]

Cases (medians of --repeat runs, commands interleaved so machine load falls
on all alike):
- bandit -r django
- lintkit cold (--no-cache), cold filling an empty cache, warm (nothing
  changed), one changed file (a comment appended: the file's summary is
  unchanged) and one changed file whose summary changes (a function appended)
- peak RSS of the largest lintkit process
- pylint with two checkers, plain vs with --load-plugins=lintkit.pylint_plugin
Targets (issue 7): cold ≤ 1.0× bandit, warm ≤ 0.1×, one changed file ≤ 0.15×,
peak RSS ≤ 500 MB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

EDITED = "django/utils/text.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pylint-repeat", type=int, default=1)
    parser.add_argument("--no-pylint", action="store_true")
    parser.add_argument("--no-prime", action="store_true", help="skip the page-cache priming run of bandit")
    parser.add_argument("--jobs", type=int, default=0, help="lintkit --jobs (default: CPUs)")
    args = parser.parse_args()

    package = common.django_package()
    work = common.work_dir("django")
    shutil.copytree(package, work / "django")
    bandit = common.peer_bin("bandit")
    snap = common.snapshot()
    env = common.lintkit_env(snap)
    cache = common.LINTKIT_CACHE_HOME / "lintkit" / "projects"  # the default location, per project
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    lint = [*common.lintkit_cmd(), "check", "django", "--format", "json", *jobs]
    edited = work / EDITED
    original = edited.read_text(encoding="utf-8")
    counter = iter(range(1, 1_000_000))

    def drop_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def restore() -> None:
        edited.write_text(original, encoding="utf-8")

    def edit_comment() -> None:
        edited.write_text(original + f"\n# bench edit {next(counter)}\n", encoding="utf-8")

    def edit_function() -> None:
        n = next(counter)
        edited.write_text(original + f"\n\ndef _bench_edit_{n}(path):\n    return open(path).read()\n", encoding="utf-8")

    files = sum(1 for _ in (work / "django").rglob("*.py"))
    lines = sum(p.read_text(encoding="utf-8", errors="replace").count("\n") for p in (work / "django").rglob("*.py"))
    common.header(f"Django {package.parent.name}: {files} Python files, {lines} lines; lintkit jobs={args.jobs or 'CPUs'}")
    # Prime: byte-compile the snapshot (one Python file loads every analysis)
    # and warm the page cache for everyone.
    common.measure([*common.lintkit_cmd(), "check", EDITED, "--no-cache"], cwd=work, env=env)
    if not args.no_prime:
        common.measure([bandit, "-r", "django", "-q", "-f", "json"], cwd=work)

    runs = [
        ("bandit -r django", [bandit, "-r", "django", "-q", "-f", "json"], {"cwd": work}),
        ("lintkit cold (--no-cache)", [*lint, "--no-cache"], {"cwd": work, "env": env, "before": restore}),
        ("lintkit cold, filling an empty cache", lint, {"cwd": work, "env": env, "before": lambda: (restore(), drop_cache())}),
        ("lintkit warm (nothing changed)", lint, {"cwd": work, "env": env, "before": restore}),
        ("lintkit one file changed (comment)", lint, {"cwd": work, "env": env, "before": edit_comment}),
        ("lintkit one file changed (new function)", lint, {"cwd": work, "env": env, "before": edit_function}),
    ]
    # The warm and one-changed cases need a filled cache: the "filling" case
    # right before them leaves one (the edit cases end with their own entry).
    t = common.interleaved(runs, args.repeat)
    restore()
    b = t["bandit -r django"]
    print("-- ratios to bandit (target):")
    print(f"cold --no-cache       {common.ratio(t['lintkit cold (--no-cache)'], b)}  (≤ 1.0)")
    print(f"cold filling cache    {common.ratio(t['lintkit cold, filling an empty cache'], b)}  (≤ 1.0)")
    print(f"warm                  {common.ratio(t['lintkit warm (nothing changed)'], b)}  (≤ 0.1)")
    print(f"one changed (comment) {common.ratio(t['lintkit one file changed (comment)'], b)}  (≤ 0.15)")
    print(f"one changed (function){common.ratio(t['lintkit one file changed (new function)'], b)}  (≤ 0.15)")
    print(f"peak RSS of the largest lintkit process: {max(x.rss for k, x in t.items() if k.startswith('lintkit')):.0f} MB (≤ 500)")

    if not args.no_pylint:
        pylint = [sys.executable, "-m", "pylint", "django", "--disable=all", "--enable=consider-using-with,eval-used", "--score=n", "-j", "1"]
        # The plugin's messages belong to the checker named `lintkit`.
        plugin = [*pylint[:-4], "--enable=consider-using-with,eval-used,lintkit", "--score=n", "-j", "1", "--load-plugins=lintkit.pylint_plugin"]
        p = common.interleaved(
            [("pylint (2 checkers)", pylint, {"cwd": work, "env": env}), ("pylint + lintkit plugin", plugin, {"cwd": work, "env": env})],
            args.pylint_repeat,
        )
        print(f"plugin / plain pylint  {common.ratio(p['pylint + lintkit plugin'], p['pylint (2 checkers)'])}")
    common.header("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
