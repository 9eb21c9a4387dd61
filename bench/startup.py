#!/usr/bin/env python3
"""Start-up: one small file, lintkit beside cfn-lint and checkov.

    .venv/bin/python bench/startup.py [--repeat 7]

The file is a small real buildspec from ../shared/corpus (and a small Python
file for lintkit's Python side). Target (issue 7): `lintkit check` on one
small file ≤ 0.3 s. Also `--version` of each tool, which is pure start-up.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

PY_FILE = "def read(path):\n    with open(path) as fh:\n        return fh.read()\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    buildspecs = sorted((common.SHARED_CORPUS / "buildspec").glob("*.yml"), key=lambda p: p.stat().st_size)
    small = buildspecs[len(buildspecs) // 4]  # small but not trivial
    work = common.work_dir("startup")
    shutil.copy(small, work / "buildspec.yml")
    (work / "app.py").write_text(PY_FILE, encoding="utf-8")
    checkov = common.peer_bin("checkov")
    cfn_lint = common.peer_bin("cfn-lint")
    snap = common.snapshot()
    env = common.lintkit_env(snap)
    lint = [*common.lintkit_cmd(), "check"]
    common.header(f"start-up on one file: {small.name} ({small.stat().st_size} bytes)")
    common.measure([*lint, "buildspec.yml"], cwd=work, env=env)  # byte-compile, fill the cache
    common.measure([*lint, "app.py"], cwd=work, env=env)
    common.interleaved(
        [
            ("lintkit --version", [*common.lintkit_cmd(), "--version"], {"cwd": work, "env": env}),
            ("cfn-lint --version", [cfn_lint, "--version"], {"cwd": work}),
            ("checkov --version", [checkov, "--version"], {"cwd": work}),
            ("lintkit check buildspec.yml (warm cache)", [*lint, "buildspec.yml"], {"cwd": work, "env": env}),
            ("lintkit check buildspec.yml --no-cache", [*lint, "buildspec.yml", "--no-cache"], {"cwd": work, "env": env}),
            ("lintkit check app.py (warm cache)", [*lint, "app.py"], {"cwd": work, "env": env}),
            ("lintkit check app.py --no-cache", [*lint, "app.py", "--no-cache"], {"cwd": work, "env": env}),
            ("cfn-lint buildspec.yml", [cfn_lint, "buildspec.yml"], {"cwd": work}),
            ("checkov -f buildspec.yml", [checkov, "-f", "buildspec.yml", "--quiet", "--compact"], {"cwd": work}),
        ],
        args.repeat,
    )
    print("-- target: lintkit check on one small file ≤ 0.3 s")
    common.header("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
