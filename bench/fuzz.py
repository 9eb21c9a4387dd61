#!/usr/bin/env python3
"""The long fuzz run: the property tests of tests/test_fuzz.py with a large,
randomised budget (default 3,000 examples per property).

    .venv/bin/python bench/fuzz.py [--examples N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=3000)
    args = parser.parse_args()
    env = dict(os.environ, LINTKIT_FUZZ_EXAMPLES=str(args.examples))
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py", "--hypothesis-show-statistics"],
        cwd=REPO,
        env=env,
    )
    print(f"fuzz: {args.examples} examples per property, {time.perf_counter() - started:.0f}s, exit {proc.returncode}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
