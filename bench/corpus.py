#!/usr/bin/env python3
"""lintkit on ../shared/corpus (314 real CI/CD files) beside checkov and cfn-lint.

    .venv/bin/python bench/corpus.py [--repeat 3]

checkov scans the directory with its default frameworks; cfn-lint gets every
YAML/JSON file of the corpus (what its pre-commit hook does). Targets (issue
7): lintkit ≥ 10× faster than checkov, faster than cfn-lint.
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
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    corpus = common.SHARED_CORPUS
    files = sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*") if p.suffix in (".yml", ".yaml", ".json", ".template"))
    checkov = common.peer_bin("checkov")
    cfn_lint = common.peer_bin("cfn-lint")
    snap = common.snapshot()
    env = common.lintkit_env(snap)
    cache = common.CACHE / "work" / "corpus-cache"
    lint = [*common.lintkit_cmd(), "check", ".", "--format", "json", "--cache-dir", str(cache)]
    common.header(f"../shared/corpus: {len(files)} files")
    common.measure([*lint[:-2], "--no-cache"], cwd=corpus, env=env)  # byte-compile the snapshot

    def drop() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    t = common.interleaved(
        [
            ("checkov -d corpus", [checkov, "-d", ".", "--quiet", "--compact", "-o", "json"], {"cwd": corpus}),
            ("cfn-lint <every file>", [cfn_lint, "--format", "json", "--", *files], {"cwd": corpus}),
            ("lintkit cold (--no-cache)", [*lint[:-2], "--no-cache"], {"cwd": corpus, "env": env}),
            ("lintkit cold, filling an empty cache", lint, {"cwd": corpus, "env": env, "before": drop}),
            ("lintkit warm", lint, {"cwd": corpus, "env": env}),
        ],
        args.repeat,
    )
    cold = t["lintkit cold (--no-cache)"]
    print("-- speed-up of lintkit cold (--no-cache) over the peers (target):")
    print(f"checkov / lintkit   {t['checkov -d corpus'].median / cold.median:.1f}× wall, {t['checkov -d corpus'].cpu / cold.cpu:.1f}× cpu  (≥ 10)")
    print(f"cfn-lint / lintkit  {t['cfn-lint <every file>'].median / cold.median:.1f}× wall, {t['cfn-lint <every file>'].cpu / cold.cpu:.1f}× cpu  (> 1)")
    common.header("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
