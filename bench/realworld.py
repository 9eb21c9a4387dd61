#!/usr/bin/env python3
"""Run lintkit over real-world code: 30+ widely used PyPI packages, Django and
../shared/corpus. Prints crashes, skips with reasons, and the slowest files.

    .venv/bin/python bench/realworld.py            # download (once) and run
    .venv/bin/python bench/realworld.py --only corpus

Packages are downloaded as wheels (their Python sources, no build step) into
bench/.cache/realworld/ (git-ignored). Exit status 1 when anything crashed or a
file took longer than --max-seconds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "realworld"
CORPUS = HERE.parent.parent / "shared" / "corpus"

PACKAGES = [
    "django==5.2", "requests", "urllib3", "idna", "certifi", "charset-normalizer", "six", "attrs", "packaging",
    "pyparsing", "setuptools", "pip", "wheel", "jinja2", "markupsafe", "click", "flask", "werkzeug",
    "itsdangerous", "boto3", "botocore", "s3transfer", "pyyaml", "python-dateutil", "pytz", "rich", "pygments",
    "sqlalchemy", "fastapi", "starlette", "httpx", "paramiko", "docutils", "cfn-lint", "bandit", "sarif-om",
]


def fetch(spec: str) -> Path:
    name = spec.split("==")[0]
    target = CACHE / name
    if target.exists():
        return target
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    before = set(wheels.glob("*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "--python-version", "3.12", "-d", str(wheels), spec],
        check=True,
    )
    new = sorted(set(wheels.glob("*.whl")) - before) or sorted(wheels.glob(f"{name.replace('-', '_')}*.whl"), key=lambda p: p.stat().st_mtime)[-1:]
    target.mkdir(parents=True)
    with zipfile.ZipFile(new[-1]) as wheel:
        wheel.extractall(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=("packages", "corpus"))
    parser.add_argument("--max-seconds", type=float, default=5.0)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()

    from lintkit.config import Config
    from lintkit.engine import run

    targets: list[tuple[str, Path]] = []
    if args.only != "corpus":
        for spec in PACKAGES:
            targets.append((spec, fetch(spec)))
    if args.only != "packages":
        targets.append(("shared/corpus", CORPUS))

    failed = False
    totals = Counter()
    for label, path in targets:
        started = time.perf_counter()
        result = run([str(path)], Config(root=str(path), respect_gitignore=False), root=path, jobs=args.jobs)
        seconds = time.perf_counter() - started
        crashes = [n for n in result.notifications if n.kind == "crash"]
        slow = sorted((f for f in result.files if f.seconds > args.max_seconds), key=lambda f: -f.seconds)
        analyzed = [f for f in result.files if f.kind and not f.skipped]
        not_ours = [f for f in result.files if not f.kind and not f.skipped]
        totals.update(files=len(result.files), analyzed=len(analyzed), skipped=len(result.skipped), crashes=len(crashes), findings=len(result.findings), slow=len(slow))
        slowest = max(result.files, key=lambda f: f.seconds, default=None)
        print(
            f"{label:<22} {len(result.files):>5} files: {len(analyzed):>5} analyzed, {len(not_ours):>4} not ours, "
            f"{len(result.skipped):>3} skipped, {len(crashes)} crashes, {len(result.findings):>5} findings, "
            f"{seconds:6.1f}s (slowest {slowest.seconds if slowest else 0:.2f}s {slowest.path if slowest else ''})"
        )
        for s in result.skipped:
            print(f"    skipped {s.relpath}: {s.reason}")
        for n in crashes:
            print(f"    CRASH {n.path}: {n.message}")
        for f in slow:
            print(f"    SLOW {f.path}: {f.seconds:.1f}s")
        failed |= bool(crashes or slow)
    print(
        f"TOTAL {totals['files']} files, {totals['analyzed']} analyzed, {totals['skipped']} skipped, "
        f"{totals['crashes']} crashes, {totals['slow']} over {args.max_seconds}s, {totals['findings']} findings"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
