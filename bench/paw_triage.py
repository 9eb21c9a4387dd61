#!/usr/bin/env python3
"""Measure the PAW (boto3) rules on real boto3-heavy code nobody here wrote.

    .venv/bin/python bench/paw_triage.py            # fetch (once), run, score
    .venv/bin/python bench/paw_triage.py --list     # also print every finding, unlabelled ones marked

PyPI projects are downloaded as wheels into bench/.cache/awssdk/ (git-ignored).
GitHub projects are read from the session's mirror (/work/.mirror/<owner>+<name>,
obtained with the `fetch` tool) at the pinned commit; without it they are
skipped. Every PAW rule runs (opt-in ones too), test code excluded as by
default. Labels live in bench/triage/labels-awssdk.tsv (project, path, line,
code, verdict, reason; verdict true | low-value | false); the script prints
per-rule precision and lists findings that have no label.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "awssdk"
LABELS = HERE / "triage" / "labels-awssdk.tsv"
MIRROR = Path("/work/.mirror")

PYPI = [
    "aws-sam-cli==1.170.0", "chalice==1.34.0", "awscli==1.46.3", "localstack-core==2026.3.0", "moto==5.2.6",
    "aws-lambda-powertools==3.37.0", "sceptre==4.7.0", "c7n==0.9.53", "prowler==5.46.0", "awswrangler==3.17.1",
    "sagemaker==2.257.7", "zappa==0.63.0", "cartography==0.143.0", "apache-airflow-providers-amazon==9.39.0",
    "aws-xray-sdk==2.15.0", "aws-encryption-sdk==4.0.7", "aws-parallelcluster==3.16.1", "pacu==1.7.0",
    "scoutsuite==5.14.0", "awslimitchecker==12.0.0", "runway==2.8.4", "ecs-deploy==1.17.0", "taskcat==0.9.58",
    "awsume==4.5.4", "gimme-aws-creds==2.8.2", "awsebcli==3.27.5", "stacker==1.7.2",
]
# repository: (commit, subdirectory or "")
GITHUB = {
    "awslabs/aws-config-rules": ("b54d4a6c99e105c25ca46af9305770e4ba51c422", ""),
    "awslabs/aws-deployment-framework": ("147545e6c69d3a826029c0537220462cb2f92b48", ""),
    "aws-solutions/instance-scheduler-on-aws": ("21ef9f59cd0034e7bcda1ac5a2f038a462abe7b6", ""),
    "aws-solutions/aws-control-tower-customizations": ("9c7ab05c212831e6b4034b83cf2a2affccef41c1", ""),
    "duo-labs/cloudmapper": ("ec8fbf201b8b43e66720cd3ee9079a801e49c61c", ""),
    "awsdocs/aws-doc-sdk-examples": ("7d1e1237789cbf5033a7c22d917d17c64de1aaaa", "python"),
    "aws-samples/serverless-patterns": ("fb7b5d06c27d8abb1bd35e52ab7523acf4baab7b", ""),
    "aws-samples/aws-cdk-examples": ("bccff1d2775e4b0bf777721c6b41c0107e122f73", ""),
}
CONFIG = 'respect-gitignore = false\nselect = ["PAW"]\n'


def fetch_pypi(spec: str) -> Path:
    """The project's wheel, or its sdist when it publishes no wheel, unpacked."""
    name = spec.split("==")[0]
    target = CACHE / "src" / name.replace("-", "_")
    if target.exists():
        return target
    downloads = CACHE / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(downloads), spec]
    if subprocess.run([*pip, "--only-binary", ":all:"]).returncode != 0:
        subprocess.run([*pip, "--no-binary", ":all:"], check=True)
    stem = f"{name}_{spec.split('==')[1]}".lower().replace("-", "_")
    archive = next(p for p in downloads.iterdir() if p.name.lower().replace("-", "_").startswith(stem))
    target.mkdir(parents=True)
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            wheel.extractall(target)
    else:
        with tarfile.open(archive) as sdist:
            sdist.extractall(target, filter="data")
    return target


def fetch_github(repo: str, commit: str, subdir: str) -> Path | None:
    """The repository's Python files at `commit` (mirrors may lack large media
    blobs, so files are read one by one)."""
    target = CACHE / "src" / repo.replace("/", "+")
    if target.exists():
        return target
    git_dir = MIRROR / repo.replace("/", "+") / "repo"
    if not git_dir.exists():
        print(f"skip {repo}: not in {MIRROR} (fetch it with the session's fetch tool)", file=sys.stderr)
        return None
    git = ["git", f"--git-dir={git_dir}"]
    tree = [commit, *([subdir] if subdir else [])]
    listing = subprocess.run([*git, "ls-tree", "-r", "--name-only", *tree], check=True, capture_output=True, text=True)
    for path in listing.stdout.splitlines():
        if path.endswith(".py"):
            blob = subprocess.run([*git, "cat-file", "-p", f"{commit}:{path}"], capture_output=True)
            if blob.returncode == 0:
                (target / path).parent.mkdir(parents=True, exist_ok=True)
                (target / path).write_bytes(blob.stdout)
    return target


def findings(project: str, root: Path, config: Path) -> list[dict]:
    run = subprocess.run(
        [sys.executable, "-m", "lintkit", "check", "--config", str(config), "--no-cache", "-j", "1", "-f", "json", "."],
        cwd=root, capture_output=True, text=True,
    )
    report = json.loads(run.stdout)
    return [dict(f, project=project) for f in report["findings"]]


def load_labels() -> dict[tuple[str, str, int, str], tuple[str, str]]:
    if not LABELS.exists():
        return {}
    with LABELS.open(encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t")
        return {(r[0], r[1], int(r[2]), r[3]): (r[4], r[5]) for r in rows if r and not r[0].startswith("#") and r[0] != "project"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true", help="print every finding")
    args = parser.parse_args()
    roots = [(spec.split("==")[0], fetch_pypi(spec)) for spec in PYPI]
    for repo, (commit, subdir) in GITHUB.items():
        root = fetch_github(repo, commit, subdir)
        if root is not None:
            roots.append((repo, root))
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "paw.toml"
        config.write_text(CONFIG, encoding="utf-8")
        found = [f for project, root in roots for f in findings(project, root, config)]
    labels = load_labels()
    verdicts: dict[str, Counter] = defaultdict(Counter)
    unlabelled = 0
    for f in found:
        loc = f["location"]
        label = labels.get((f["project"], loc["path"], loc["line"], f["code"]))
        verdicts[f["code"]][label[0] if label else "unlabelled"] += 1
        unlabelled += label is None
        if args.list or label is None:
            mark = label[0] if label else "UNLABELLED"
            print(f"{mark}\t{f['project']}\t{loc['path']}\t{loc['line']}\t{f['code']}\t{f['message']}")
    print(f"\n{len(found)} findings in {len(roots)} projects; {unlabelled} without a label")
    for code in sorted(verdicts):
        v = verdicts[code]
        labelled = v["true"] + v["low-value"] + v["false"]
        share = f"{100 * v['true'] / labelled:.0f}% true" if labelled else "-"
        counts = f"true {v['true']}, low-value {v['low-value']}, false {v['false']}"
        print(f"{code}: {sum(v.values())} findings, labelled {labelled}: {counts} ({share})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
