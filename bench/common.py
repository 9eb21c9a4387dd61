"""Shared helpers for the benchmarks: peer tools in a cache venv, Django's
sdist, timing with medians and peak RSS of the whole process tree.

Everything downloaded lives in `bench/.cache/` (git-ignored). Peers are pinned
so numbers compare across runs; each one gets its own venv because checkov
and cfn-lint pin conflicting dependency versions.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CACHE = BENCH / ".cache"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"

# Versions named in /work/shared/reference/ANCHORS.md. pylint is not here: the
# plugin comparison needs lintkit importable, so it uses the project venv's
# pylint (the same 4.1.4) for both the plain and the plugin run.
PEERS = {
    "bandit": "bandit==1.9.4",
    "checkov": "checkov==3.3.13",
    "cfn-lint": "cfn-lint==1.55.1",
    # semgrep 1.95 imports pkg_resources, which Python 3.12 venvs no longer carry.
    "semgrep": "semgrep==1.95.0 setuptools==75.8.0",
}
DJANGO = "django>=5.2,<5.3"


def python() -> str:
    """The interpreter lintkit runs under (the project's venv)."""
    return sys.executable


def lintkit_cmd() -> list[str]:
    # -P: like the `lintkit` console script, do not put the current directory
    # on sys.path (`python -m` would, and astroid would then resolve every
    # absolute import of the checked project to its sources).
    return [python(), "-P", "-m", "lintkit"]


def peer_venv(tool: str) -> Path:
    """A venv holding one peer tool (and any pins it needs), created on first use."""
    venv = CACHE / "venvs" / tool
    marker = venv / ".installed"
    spec = PEERS[tool]
    if marker.exists() and marker.read_text() == spec:
        return venv
    if venv.exists():
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    print(f"bench: installing {spec} into {venv}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *spec.split()], check=True)
    marker.write_text(spec)
    return venv


def peer_bin(tool: str, exe: str | None = None) -> str:
    return str(peer_venv(tool) / "bin" / (exe or tool))


def django_package() -> Path:
    """Django's `django/` package from the sdist (downloaded once)."""
    root = CACHE / "django"
    pkg = next(root.glob("Django-*/django"), None) or next(root.glob("django-*/django"), None)
    if pkg is not None and pkg.is_dir():
        return pkg
    root.mkdir(parents=True, exist_ok=True)
    print(f"bench: downloading the {DJANGO} sdist", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", "--dest", str(root), DJANGO],
        check=True,
    )
    sdist = next(p for p in root.iterdir() if p.name.lower().startswith("django-") and p.name.endswith(".tar.gz"))
    with tarfile.open(sdist) as tar:
        tar.extractall(root, filter="data")
    return next(root.glob("[Dd]jango-*/django"))


@dataclass
class Sample:
    seconds: float  # wall
    cpu: float  # user + system of the whole process tree
    max_rss_mb: float  # largest single process of the tree
    returncode: int


@dataclass
class Timing:
    label: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss(self) -> float:
        return max(s.max_rss_mb for s in self.samples)

    def row(self) -> str:
        runs = ", ".join(f"{s.seconds:.2f}" for s in self.samples)
        return f"{self.label:<44} wall {self.median:7.2f} s  cpu {self.cpu:7.2f} s  peak RSS {self.rss:6.0f} MB  runs [{runs}]"


_WRAPPER = (
    "import resource,subprocess,sys,json;"
    "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
    "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
    "print(json.dumps([r.returncode,u.ru_maxrss,u.ru_utime+u.ru_stime]))"
)


def measure(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Sample:
    """Wall time, CPU time and peak RSS of one command in a fresh process.

    A tiny wrapper process runs the command and reports RUSAGE_CHILDREN: CPU of
    every descendant it waited for (workers included) and ru_maxrss, the
    largest resident set of any single one of them."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    code, rss_kb, cpu = json.loads(out.stdout.strip().splitlines()[-1])
    return Sample(seconds, cpu, rss_kb / 1024, code)


def timed(label: str, cmd: list[str], repeat: int, before=None, **kwargs) -> Timing:
    timing = Timing(label)
    for _ in range(repeat):
        if before is not None:
            before()
        timing.samples.append(measure(cmd, **kwargs))
    print(timing.row(), flush=True)
    return timing


def interleaved(runs: list[tuple[str, list[str], dict]], repeat: int) -> dict[str, Timing]:
    """Run several commands round-robin, so load from other processes on the
    machine falls on all of them alike. Each entry: (label, cmd, kwargs) where
    kwargs may hold `before` (called before each run), `cwd`, `env`."""
    timings = {label: Timing(label) for label, _, _ in runs}
    for _ in range(repeat):
        for label, cmd, kwargs in runs:
            extra = dict(kwargs)
            before = extra.pop("before", None)
            if before is not None:
                before()
            sample = measure(cmd, **extra)
            timings[label].samples.append(sample)
            # Each run as it ends, so a long benchmark cut short still says something.
            print(f"   run: {label:<44} {sample.seconds:7.2f} s wall {sample.cpu:7.2f} s cpu {sample.max_rss_mb:6.0f} MB", flush=True)
    for timing in timings.values():
        print(timing.row(), flush=True)
    return timings


def ratio(a: Timing, b: Timing) -> str:
    return f"{a.median / b.median:.3f}× wall, {a.cpu / b.cpu:.3f}× cpu"


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def header(title: str) -> None:
    print(f"== {title} ({time.strftime('%Y-%m-%d %H:%M:%S')}; {load_note()})", flush=True)


def work_dir(name: str) -> Path:
    """A fresh directory under bench/.cache/work. bench/.cache is git-ignored,
    and lintkit honours .gitignore, so each work dir carries a `.lintkit.toml`
    that turns that off (otherwise lintkit would find nothing to check)."""
    work = CACHE / "work" / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    (work / ".lintkit.toml").write_text("respect-gitignore = false\n", encoding="utf-8")
    return work


def snapshot() -> Path:
    """A frozen copy of the working tree's `lintkit/` and `rules/`.

    lintkit's cache key includes a digest of its own code, so a tree that is
    being edited while the benchmark runs would invalidate the cache between
    runs. Benchmarks run this copy (first on PYTHONPATH) instead."""
    dest = CACHE / "snapshot"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "lintkit", dest / "lintkit", ignore=ignore)
    shutil.copytree(REPO / "rules", dest / "rules", ignore=ignore)
    return dest


# lintkit's default cache (and its per-user key) for benchmark runs: inside
# bench/.cache, so dropping it never touches the user's own cache.
LINTKIT_CACHE_HOME = CACHE / "xdg"


def lintkit_env(snap: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(LINTKIT_CACHE_HOME)
    env.pop("PYTHONDEVMODE", None)
    # Users' installs have byte-code; without it every run would compile lintkit.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if snap is not None:
        env["PYTHONPATH"] = str(snap) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env
