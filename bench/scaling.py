#!/usr/bin/env python3
"""Scaling: lintkit on 1×, 2× and 4× copies of Django's package.

    .venv/bin/python bench/scaling.py [--repeat 1] [--copies 1,2,4]

Each copy lives under its own directory (`c1/django`, `c2/django`, …) so
relative paths differ. Cold runs (--no-cache). Target (issue 7): time per copy
flat or falling (linear or better), peak RSS flat (bounded memory).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--copies", default="1,2,4")
    args = parser.parse_args()
    package = common.django_package()
    counts = [int(c) for c in args.copies.split(",")]
    snap = common.snapshot()
    env = common.lintkit_env(snap)
    common.header(f"scaling on {package.parent.name} copies {counts}")
    base = None
    for count in counts:
        work = common.work_dir(f"scale-{count}")
        for i in range(count):
            shutil.copytree(package, work / f"c{i + 1}" / "django")
        t = common.timed(
            f"lintkit cold, {count}× Django",
            [*common.lintkit_cmd(), "check", ".", "--format", "json", "--no-cache"],
            args.repeat,
            cwd=work,
            env=env,
        )
        per_copy = t.median / count
        base = base or per_copy
        print(f"   per copy {per_copy:.2f} s wall ({per_copy / base:.2f}× the 1× run), cpu per copy {t.cpu / count:.2f} s, peak RSS {t.rss:.0f} MB")
    common.header("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
