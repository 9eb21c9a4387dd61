#!/usr/bin/env python3
"""Fetch the pinned projects (once) and run lintkit from this checkout over each.

    .venv/bin/python bench/triage/run.py                 # every project
    .venv/bin/python bench/triage/run.py wagtail sdlf    # only these

Each project's JSON report goes to bench/.cache/triage/results/<name>.json
(git-ignored); report.py reads them. PyPI files come through pip: the pinned
sha256 picks the sdist or a wheel, and pip checks it. GitHub repositories come
from a bare mirror when one is on disk ($TRIAGE_MIRRORS, default /work/.mirror,
as <owner>+<name>[/repo]), otherwise from `git clone`; either way the pinned
commit's files are unpacked.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import CACHE, REPO, RESULTS, SOURCES, Project, load_projects  # noqa: E402

MIRRORS = Path(os.environ.get("TRIAGE_MIRRORS", "/work/.mirror"))
PIN_FILE = ".triage-pin"


def unpack_pypi(project: Project, dest: Path) -> None:
    """The file the pinned hash names: an sdist (its top folder becomes `dest`)
    or a wheel (unpacked into `dest` as it is)."""
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        requirement = Path(tmp) / "requirement.txt"
        requirement.write_text(f"{project.pypi}=={project.version} --hash=sha256:{project.sha256}\n", encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp, "-r", str(requirement)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"{project.name}: pip download failed\n{done.stderr[-4000:]}")
        archive = next(p for p in Path(tmp).iterdir() if p.name.endswith((".tar.gz", ".whl")))
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as wheel:
                wheel.extractall(dest)
            return
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        top = next(p for p in Path(tmp).iterdir() if p.is_dir())
        shutil.move(str(top), dest)


def git_dir(github: str) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """A git directory holding the repository: the mirror, or a fresh clone."""
    mirror = MIRRORS / github.replace("/", "+")
    for candidate in (mirror / "repo", mirror):
        if (candidate / "HEAD").exists():
            return candidate, None
    tmp = tempfile.TemporaryDirectory(dir=CACHE)
    clone = Path(tmp.name) / "clone.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", f"https://github.com/{github}.git", str(clone)], check=True)
    return clone, tmp


def unpack_github(project: Project, dest: Path) -> None:
    """The pinned commit's files. Read blob by blob rather than with `git
    archive`: a mirror may lack its largest blobs, and those (data files, not
    CI/CD files) are left out with a note instead of failing the whole tree."""
    gitdir, tmp = git_dir(project.github)
    try:
        listing = subprocess.run(["git", "--git-dir", str(gitdir), "ls-tree", "-r", "-z", project.commit], check=True, capture_output=True).stdout
        entries = []
        for item in listing.split(b"\0"):
            if item:
                meta, path = item.split(b"\t", 1)
                mode, kind, sha = meta.split()
                if kind == b"blob":
                    entries.append((mode, sha, os.fsdecode(path)))
        batch = subprocess.Popen(["git", "--git-dir", str(gitdir), "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        missing = []
        for mode, sha, path in entries:
            batch.stdin.write(sha + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if header[-1] == b"missing":
                missing.append(path)
                continue
            data = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)  # the newline after each object
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == b"120000":
                target.symlink_to(os.fsdecode(data))
            else:
                target.write_bytes(data)
        batch.stdin.close()
        batch.wait()
        if missing:
            print(f"triage: {project.name}: {len(missing)} files absent from the mirror, e.g. {missing[0]}", file=sys.stderr)
    finally:
        if tmp is not None:
            tmp.cleanup()


def ensure_source(project: Project) -> Path:
    """The project's files on disk at its pin, unpacked on first use."""
    dest = project.source
    if project.local:
        if not dest.is_dir():
            raise SystemExit(f"{project.name}: {dest} does not exist")
        return dest
    marker = dest / PIN_FILE
    if marker.exists() and marker.read_text(encoding="utf-8") == project.pin:
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    print(f"triage: fetching {project.pin}", file=sys.stderr, flush=True)
    (unpack_pypi if project.pypi else unpack_github)(project, dest)
    marker.write_text(project.pin, encoding="utf-8")
    return dest


def run_lintkit(project: Project, source: Path, jobs: int) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = project.result_file.with_suffix(".tmp")
    select = ",".join(project.select) or "ALL"
    cmd = [sys.executable, "-P", "-m", "lintkit", "check", ".", "--isolated", "--select", select, "--format", "json", "-o", str(out), "--no-cache", "-j", str(jobs)]
    if project.only:
        cmd += ["--only", project.only]
    env = dict(os.environ)
    # This checkout's lintkit, whatever the venv has installed.
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # lintkit honours .gitignore through git; without a ceiling, git would find
    # this repository above bench/.cache (which it ignores) and list nothing.
    env["GIT_CEILING_DIRECTORIES"] = str(source.parent)
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=source, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1) or not out.exists():
        raise SystemExit(f"{project.name}: lintkit exited {done.returncode}\n{done.stderr[-4000:]}")
    out.replace(project.result_file)
    report = json.loads(project.result_file.read_text(encoding="utf-8"))
    report["seconds"] = time.perf_counter() - started
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="only these projects (default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="lintkit worker processes (default 2)")
    parser.add_argument("--fetch-only", action="store_true", help="unpack the projects, do not run lintkit")
    args = parser.parse_args()

    projects = load_projects()
    unknown = set(args.names) - {p.name for p in projects}
    if unknown:
        parser.error(f"unknown projects: {', '.join(sorted(unknown))}")
    CACHE.mkdir(parents=True, exist_ok=True)
    SOURCES.mkdir(parents=True, exist_ok=True)
    for project in projects:
        if args.names and project.name not in args.names:
            continue
        source = ensure_source(project)
        if args.fetch_only:
            continue
        report = run_lintkit(project, source, args.jobs)
        summary = report["summary"]
        crashes = [n for n in report["notifications"] if n.get("kind") == "crash"]
        print(
            f"{project.name:<32} {summary['files_checked']:>6} files {summary['findings']:>6} findings "
            f"{len(crashes):>3} crashes {report['seconds']:7.1f} s",
            flush=True,
        )
        for crash in crashes:
            print(f"    crash: {crash.get('path')}: {crash.get('message')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
