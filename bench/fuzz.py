#!/usr/bin/env python3
"""The long fuzz runs.

    .venv/bin/python bench/fuzz.py [--examples N]          # property tests, large budget
    .venv/bin/python bench/fuzz.py --slowest [--examples N] [--seed S]

1. The property tests of tests/test_fuzz.py with a large, randomised budget
   (default 3,000 examples per property).
2. `--slowest`: adversarial inputs of up to 100 KB for every file kind
   (nested substitutions, secret-like prefixes before long runs of spaces or
   words, thousands of resources, deep expressions, long lines), each checked
   in a separate process with a time budget. Prints the slowest inputs and
   exits 1 when one took longer than 2 s (issue 13: bounded work on any input).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIMIT = 100 * 1024  # bytes per input
BUDGET = 2.0  # seconds per input
HARD_STOP = 20.0  # seconds before a stuck input is abandoned

# Fragments that stress the shell splitter, the secret detectors and the parsers.
_RISKY = [
    "$(", ")", "`", "'", '"', "\\", "| sh", "| bash", "curl -s https://x.example/i.sh", "&&", "||", ";",
    "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "AKIA", "aws_secret_access_key", "ghp_", "glpat-",
    "npm_", "pypi-", "password=", "token: ", "secret=", "https://user:", "@host", "${", "}", "%{", "{{", "ab ", " " * 64,
    "A" * 40, "x" * 200, "\t", "bash -c '", "eval ", "sudo ", "\u2013", "\u201c",
]


def _words(rng: random.Random, budget: int) -> str:
    out, size = [], 0
    while size < budget:
        piece = rng.choice(_RISKY) if rng.random() < 0.7 else rng.choice(_RISKY) * rng.randint(2, 400)
        out.append(piece)
        size += len(piece)
    return "".join(out)[:budget]


def _buildspec(rng: random.Random) -> tuple[str, str]:
    commands = []
    size = 0
    while size < LIMIT - 200:
        line = _words(rng, rng.choice([40, 400, 4000, 30000]))
        quoted = "'" + repr(line)[1:-1].replace("'", "''") + "'"  # a single-quoted YAML scalar
        commands.append("      - " + quoted)
        size += len(commands[-1]) + 1
    return "buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands:\n" + "\n".join(commands)[: LIMIT - 60] + "\n"


def _nested(rng: random.Random) -> tuple[str, str]:
    depth = rng.randint(50, 3000)
    opener, closer = rng.choice([("$(echo ", ")"), ("`echo ", "`"), ("bash -c 'echo ", "'")])
    command = "echo " + opener * depth + "x" + closer * depth
    return "buildspec.yml", f"version: 0.2\nphases:\n  build:\n    commands:\n      - {command[: LIMIT - 80]!r}\n"


def _secret_padding(rng: random.Random) -> tuple[str, str]:
    prefix = rng.choice(["aws_secret_access_key", "-----BEGIN PRIVATE KEY-----", "password", "AKIA", "token", "ghp_"])
    filler = rng.choice([" ", "ab ", "a", "= ", "0", "\\"]) * (LIMIT // 4)
    return "buildspec.yml", f"version: 0.2\nphases:\n  build:\n    commands:\n      - echo {prefix}{filler[: LIMIT - 100]}\n"


def _template(rng: random.Random) -> tuple[str, str]:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    kind = rng.choice(["AWS::S3::Bucket", "AWS::CodeBuild::Project", "AWS::CodeDeploy::DeploymentGroup", "AWS::Serverless::Function"])
    i = 0
    while sum(map(len, lines)) < LIMIT - 200:
        value = _words(rng, rng.choice([10, 100, 1000]))
        lines += [f"  R{i}:", f"    Type: {kind}", "    Properties:", f"      Name: {value!r}".replace("\n", " ")]
        i += 1
    return "template.yaml", "\n".join(lines)[:LIMIT] + "\n"


def _python(rng: random.Random) -> tuple[str, str]:
    shape = rng.choice(["sum", "calls", "nested", "strings"])
    if shape == "sum":
        text = "x = " + "+".join(["1"] * rng.randint(1000, 20000)) + "\n"
    elif shape == "calls":
        depth = rng.randint(50, 190)
        text = "import os\ny = " + "os.path.join(" * depth + "'a'" + ")" * depth + "\n"
    elif shape == "nested":
        depth = rng.randint(20, 90)
        text = "".join(" " * i + f"if x{i}:\n" for i in range(depth)) + " " * depth + "open('f').read()\n"
    else:
        text = "".join(f"K{i} = {_words(rng, 200)!r}\n" for i in range(LIMIT // 260))
    return "app.py", text[:LIMIT]


GENERATORS = [_buildspec, _nested, _secret_padding, _template, _python]


def _check(name: str, text: str) -> float:
    """Seconds one analysis of `text` as file `name` takes (in a child process)."""
    import tempfile

    from lintkit.config import Config
    from lintkit.engine import Settings, analyze_file, enabled_codes
    from lintkit.files import Candidate
    from lintkit.registry import build_registry

    registry = build_registry()
    config = Config()
    with tempfile.TemporaryDirectory() as tmp:
        data = text.encode("utf-8", "surrogateescape")
        cand = Candidate(os.path.join(tmp, name), name, data=data)
        settings = Settings(enabled=enabled_codes(registry, config), config=config, root=tmp)
        started = time.perf_counter()
        analyze_file(cand, settings, registry)
        return time.perf_counter() - started


def slowest(examples: int, seed: int) -> int:
    rng = random.Random(seed)
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    timings: list[tuple[float, str, str, int]] = []
    pool = context.Pool(1)
    try:
        for n in range(examples):
            gen = GENERATORS[n % len(GENERATORS)]
            name, text = gen(rng)
            job = pool.apply_async(_check, (name, text))
            try:
                seconds = job.get(timeout=HARD_STOP)
            except multiprocessing.TimeoutError:
                seconds = float("inf")
                pool.terminate()
                pool = context.Pool(1)
            timings.append((seconds, gen.__name__.lstrip("_"), text[:80], len(text.encode("utf-8", "surrogateescape"))))
    finally:
        pool.terminate()
    timings.sort(reverse=True)
    print(f"fuzz --slowest: {examples} inputs of at most {LIMIT} bytes, seed {seed}, budget {BUDGET}s each")
    for seconds, gen, head, size in timings[:10]:
        shown = f"{seconds:7.2f}s" if seconds != float("inf") else f">{HARD_STOP:.0f}s  "
        print(f"  {shown}  {gen:<15} {size:>7} bytes  {head!r}")
    over = [t for t in timings if t[0] > BUDGET]
    print(f"fuzz --slowest: {len(over)} input(s) over {BUDGET}s")
    return 1 if over else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=None)
    parser.add_argument("--slowest", action="store_true", help="adversarial inputs, timed; report the slowest")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if args.slowest:
        return slowest(args.examples or 200, args.seed)
    examples = args.examples or 3000
    env = dict(os.environ, LINTKIT_FUZZ_EXAMPLES=str(examples))
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py", "--hypothesis-show-statistics"],
        cwd=REPO,
        env=env,
    )
    print(f"fuzz: {examples} examples per property, {time.perf_counter() - started:.0f}s, exit {proc.returncode}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
