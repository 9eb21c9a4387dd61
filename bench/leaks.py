"""Leak bench: lintkit PRL001 vs pylint R1732 (consider-using-with) vs ruff SIM115.

    .venv/bin/python bench/leaks.py [--django] [--wheel requests==2.34.2 ...] [--sample 30]

Scores every *acquisition site* (a line that acquires a resource) as leak /
no leak, per tool: precision, recall (TPR), FPR and J = TPR - FPR.

Suites
  ours    fixtures/python_leaks: ground truth = `# expect: PRL001` lines, and
          `# expect-strict: PRL001` for the strict profile.
  pylint  pylint 4.1.4's own functional tests consider_using_with*.py, fetched as
          the sdist into bench/.cache (never committed). Ground truth: the hand
          labels in PYLINT_LABELS below: a real leak on some path in the default
          profile (True), or one only the strict profile reports (STRICT: a
          one-liner such as `open(p).read()`, or a leak only when an exception
          is raised between acquire and release).

lintkit is scored in both profiles ("lintkit PRL001" and "... strict"), each
against its own ground truth; pylint and ruff against the default one.
  django  (--django) Django 5.2's sdist: lintkit findings per KLOC and a random
          sample printed for hand checking.
  wheels  (--wheel NAME[==VERSION], repeatable) the same for a PyPI wheel,
          downloaded into bench/.cache/wheels.

Sites = every line lintkit's catalogue recognises as an acquisition (also
one-liners) + every labelled line + every line any tool flags, so a tool's
finding elsewhere counts as a false positive. ruff is installed into a cache
venv by this script; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tarfile
import time
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / ".cache"
OURS = REPO / "fixtures" / "python_leaks"
PYLINT_VERSION = "4.1.4"
RUFF_VERSION = "0.17.5"
DJANGO_VERSION = "5.2"

# Hand labels for pylint's consider_using_with*.py (pylint 4.1.4): line → (is leak, snippet on that line, why).
STRICT = "strict"  # a leak the strict profile reports, not the default one
PYLINT_LABELS: dict[str, dict[int, tuple[bool | str, str, str]]] = {
    "consider_using_with.py": {
        23: (True, "pathlib.Path(\"foo\").open", "never closed"),
        24: (True, "Path(\"foo\").open", "never closed"),
        26: (True, "path.open", "never closed"),
        27: (False, "with Path", "with"),
        32: (False, "codecs.open", "closed on the next line, nothing can raise in between"),
        37: (True, "urlopen", "never closed"),
        41: (True, "TemporaryFile", "never closed (pylint skips it as ambiguous)"),
        45: (True, "NamedTemporaryFile", "never closed"),
        49: (True, "SpooledTemporaryFile", "never closed"),
        53: (True, "TemporaryDirectory", "never cleaned up"),
        57: (True, "zipfile.ZipFile", "never closed"),
        58: (True, "myzip.open", "never closed"),
        62: (True, "PyZipFile", "never closed"),
        64: (False, "with zipfile.PyZipFile", "with"),
        67: (True, "myzip.open", "never closed"),
        69: (False, "with myzip.open", "with"),
        74: (False, "tarfile.open", "closed on the next line"),
        77: (False, "with tarfile.open", "with"),
        80: (False, "tarfile.TarFile", "closed on the next line"),
        83: (False, "with tarfile.TarFile", "with"),
        89: (False, "lock.acquire()", "released on the next line"),
        96: (False, "rlock.acquire()", "released on the next line"),
        103: (False, "sema.acquire()", "released on the next line"),
        110: (False, "bounded_sema.acquire()", "released on the next line"),
        123: (True, "lock.acquire()", "@contextmanager without try/finally: an exception in the with body skips release"),
        137: (False, "self.lock.acquire()", "__enter__; released in __exit__"),
        146: (True, "multiprocessing.Pool()", "never closed"),
        147: (False, "with multiprocessing.Pool()", "with"),
        151: (True, "manager.start()", "never shut down"),
        152: (False, "with multiprocessing.managers.BaseManager()", "with"),
        156: (True, "manager.start()", "never shut down"),
        157: (False, "with multiprocessing.managers.SyncManager()", "with"),
        162: (True, "subprocess.Popen", "never waited for"),
        163: (False, "with subprocess.Popen", "with"),
        171: (False, "open(", "ExitStack.enter_context"),
        182: (STRICT, "ThreadPoolExecutor()", "shutdown only on the normal path (submit may raise)"),
        184: (STRICT, "ProcessPoolExecutor()", "shutdown only on the normal path (submit may raise)"),
        190: (False, "multiprocessing.Pool()", "used in with"),
        195: (False, "multiprocessing.Pool()", "global used by a function"),
        205: (False, "multiprocessing.Pool()", "used in with"),
        206: (False, "multiprocessing.Pool()", "used in with"),
        216: (True, "multiprocessing.Pool()", "never closed"),
        217: (True, "multiprocessing.Pool()", "never closed"),
        221: (False, "multiprocessing.Pool()", "used in with"),
        222: (True, "multiprocessing.Pool()", "never closed"),
        228: (True, "multiprocessing.Pool()", "never closed"),
        229: (False, "multiprocessing.Pool()", "used in with"),
        244: (False, "subprocess.Popen", "stored in a container: ownership moves"),
        246: (False, "subprocess.Popen", "stored in a container: ownership moves"),
    },
    "consider_using_with_open.py": {
        11: (True, "myfile = open", "module-level file never closed"),
        15: (False, "fh = open", "closed on the next line"),
        18: (False, "with open", "with"),
        30: (False, "self.file_handle = open", "__enter__, stored on self"),
        39: (True, "file_handle = open", "@contextmanager without try/finally"),
        45: (STRICT, "open(\"foo\"", "one-liner"),
        46: (STRICT, "open(\"foo\"", "one-liner"),
        50: (False, "with open", "with"),
        51: (STRICT, "open(\"bar\"", "discarded one-liner"),
        56: (False, "with (open", "with"),
        61: (False, "with open", "with"),
        65: (False, "with (open", "with"),
        66: (False, "open(file2", "with"),
        70: (False, "return open", "returned"),
        91: (False, "open(\"foo\"", "used in with"),
        93: (False, "open(\"bar\"", "used in with"),
        101: (False, "open(\"foo\"", "used in with"),
        108: (False, "open(\"foo\"", "used in with"),
        117: (True, "open(\"foo\"", "overwritten by None"),
        119: (True, "open(", "overwritten by None"),
        127: (False, "open(\"foo\"", "used in with"),
        129: (False, "open(\"bar\"", "used in with"),
        135: (STRICT, "open(\"foo\"", "the finally calls file_handle.open(...) (AttributeError) before the with"),
        148: (False, "open(\"math_errors.txt\"", "used in with"),
        151: (False, "open(\"type_errors.txt\"", "used in with"),
        154: (False, "open(\"results.txt\"", "used in with"),
        160: (False, "return open", "returned"),
        161: (False, "return open", "returned"),
    },
}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def j(self) -> float:
        return self.recall - self.fpr


# -- tools -----------------------------------------------------------------------------


def run_lintkit(directory: Path, files: list[Path], strict: bool = False) -> set[tuple[str, int]]:
    sys.path.insert(0, str(REPO))
    from lintkit.config import Config
    from lintkit.engine import run

    rules = (("PRL001", (("strict", True),)),) if strict else ()
    cfg = Config(root=str(directory), respect_gitignore=False, select=("PRL001",), rules=rules)
    result = run([str(f) for f in files], cfg, root=directory, jobs=1)
    return {(Path(f.path).name, f.line) for f in result.findings if f.code == "PRL001"}


def run_lintkit_strict(directory: Path, files: list[Path]) -> set[tuple[str, int]]:
    return run_lintkit(directory, files, strict=True)


def run_pylint(directory: Path, files: list[Path]) -> set[tuple[str, int]]:
    proc = subprocess.run(
        [sys.executable, "-m", "pylint", "--disable=all", "--enable=consider-using-with", "--output-format=json",
         "--persistent=n", "--score=n", *[f.name for f in files]],
        cwd=directory, capture_output=True, text=True, check=False,
    )
    return {(Path(m["path"]).name, m["line"]) for m in json.loads(proc.stdout or "[]") if m["symbol"] == "consider-using-with"}


def ruff_binary() -> Path:
    env = CACHE / "venv-ruff"
    exe = env / "bin" / "ruff"
    if not exe.exists():
        venv.create(env, with_pip=True)
        subprocess.run([str(env / "bin" / "pip"), "install", "-q", f"ruff=={RUFF_VERSION}"], check=True)
    return exe


def run_ruff(directory: Path, files: list[Path]) -> set[tuple[str, int]]:
    proc = subprocess.run(
        [str(ruff_binary()), "check", "--isolated", "--select", "SIM115", "--output-format", "json", "--no-cache",
         *[f.name for f in files]],
        cwd=directory, capture_output=True, text=True, check=False,
    )
    return {(Path(m["filename"]).name, m["location"]["row"]) for m in json.loads(proc.stdout or "[]")}


TOOLS = {"lintkit PRL001": run_lintkit, "lintkit ... strict": run_lintkit_strict, "pylint R1732": run_pylint, "ruff SIM115": run_ruff}


# -- suites ------------------------------------------------------------------------------


def catalogue_sites(files: list[Path]) -> set[tuple[str, int]]:
    sys.path.insert(0, str(REPO))
    from lintkit.python.leaks import acquisition_lines
    from lintkit.python.parse import parse_module

    sites = set()
    for f in files:
        module = parse_module(f.read_text(encoding="utf-8"), f.name)
        sites |= {(f.name, line) for line in acquisition_lines(module)}
    return sites


def our_labels() -> tuple[list[Path], dict[tuple[str, int], bool | str]]:
    sys.path.insert(0, str(REPO))
    from tests.helpers import expectations

    files = sorted(OURS.glob("*.py"))
    labels: dict[tuple[str, int], bool | str] = {}
    for f in files:
        for code, line in expectations(f, strict=True):
            if code == "PRL001":
                labels[(f.name, line)] = STRICT
        for code, line in expectations(f):
            if code == "PRL001":
                labels[(f.name, line)] = True
    return files, labels


def pylint_suite() -> tuple[list[Path], dict[tuple[str, int], bool | str]]:
    target = CACHE / "pylint-functional"
    files = [target / name for name in PYLINT_LABELS]
    if not all(f.exists() for f in files):
        sdist_dir = CACHE / "pylint-sdist"
        sdist = sdist_dir / f"pylint-{PYLINT_VERSION}.tar.gz"
        if not sdist.exists():
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                            f"pylint=={PYLINT_VERSION}", "-d", str(sdist_dir)], check=True)
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(sdist) as tar:
            for name in PYLINT_LABELS:
                member = tar.getmember(f"pylint-{PYLINT_VERSION}/tests/functional/c/consider/{name}")
                extracted = tar.extractfile(member)
                assert extracted is not None
                with extracted:
                    (target / name).write_bytes(extracted.read())
    labels: dict[tuple[str, int], bool | str] = {}
    for f in files:
        lines = f.read_text(encoding="utf-8").splitlines()
        for line, (leak, snippet, _why) in PYLINT_LABELS[f.name].items():
            if snippet not in lines[line - 1]:
                raise SystemExit(f"{f.name}:{line}: label out of date (expected {snippet!r} in {lines[line - 1]!r})")
            labels[(f.name, line)] = leak
    return files, labels


def score_suite(name: str, directory: Path, files: list[Path], labels: dict[tuple[str, int], bool | str]) -> dict[str, Score]:
    flagged = {tool: func(directory, files) for tool, func in TOOLS.items()}
    sites = set(labels) | catalogue_sites(files) | set().union(*flagged.values())
    scores = {}
    leaks = sum(labels.get(s) is True for s in sites)
    strict_only = sum(labels.get(s) == STRICT for s in sites)
    print(f"\n== {name}: {len(files)} files, {len(sites)} acquisition sites, {leaks} leaks (+{strict_only} in the strict profile)")
    print(f"{'tool':18} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4} {'prec':>6} {'recall':>6} {'FPR':>6} {'J':>6}")
    for tool, hits in flagged.items():
        sc = Score()
        for site in sites:
            label = labels.get(site, False)
            leak, hit = (label is True or (label == STRICT and tool.endswith("strict"))), site in hits
            if hit and leak:
                sc.tp += 1
            elif hit:
                sc.fp += 1
            elif leak:
                sc.fn += 1
            else:
                sc.tn += 1
        scores[tool] = sc
        print(f"{tool:18} {sc.tp:4} {sc.fp:4} {sc.fn:4} {sc.tn:4} {sc.precision:6.2f} {sc.recall:6.2f} {sc.fpr:6.2f} {sc.j:6.2f}")
    for tool in ("lintkit PRL001", "lintkit ... strict"):
        for site in sorted(sites):
            label = labels.get(site, False)
            leak = label is True or (label == STRICT and tool.endswith("strict"))
            if (site in flagged[tool]) != leak:
                print(f"   {tool} {'misses' if leak else 'wrongly flags'} {site[0]}:{site[1]}")
    return scores


def django(sample: int) -> None:
    sdist_dir = CACHE / "django-sdist"
    sdist = next(iter(sdist_dir.glob(f"[dD]jango-{DJANGO_VERSION}.tar.gz")), None) if sdist_dir.exists() else None
    if sdist is None:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                        f"django=={DJANGO_VERSION}", "-d", str(sdist_dir)], check=True)
        sdist = next(iter(sdist_dir.glob("*.tar.gz")))
    root = CACHE / f"django-{DJANGO_VERSION}"
    if not root.exists():
        with tarfile.open(sdist) as tar:
            tar.extractall(root, filter="data")
    real_code(f"Django {DJANGO_VERSION}", next(root.glob("*/django")), sample)


def wheel(spec: str, sample: int) -> None:
    """A PyPI wheel (`name` or `name==version`), unpacked into the cache."""
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                    "--python-version", "3.12", "-d", str(wheels), spec], check=True)
    name = spec.split("==")[0].lower().replace("-", "_")
    version = spec.split("==")[1] if "==" in spec else ""
    found = sorted(p for p in wheels.glob("*.whl") if p.name.lower().startswith(name + "-" + version))
    whl = found[-1]
    root = CACHE / "pkgs" / whl.name[: -len(".whl")]
    if not root.exists():
        with zipfile.ZipFile(whl) as zf:
            zf.extractall(root)
    tops = [p for p in root.iterdir() if p.is_dir() and not p.name.endswith((".dist-info", ".data"))]
    real_code(whl.name, tops[0] if len(tops) == 1 else root, sample)


def real_code(label: str, src: Path, sample: int) -> None:
    """Findings per KLOC on real code and a sample for hand checking."""
    sys.path.insert(0, str(REPO))
    from lintkit.config import Config
    from lintkit.engine import run

    py_files = list(src.rglob("*.py"))
    kloc = sum(sum(1 for ln in f.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()) for f in py_files) / 1000
    cfg = Config(root=str(src.parent), respect_gitignore=False, select=("PRL",), exclude=())
    started = time.perf_counter()
    result = run([str(src)], cfg, root=src.parent, jobs=None)
    seconds = time.perf_counter() - started
    findings = [f for f in result.findings if f.code.startswith("PRL")]
    limits = [n for n in result.notifications if n.kind == "limit"]
    crashes = [n for n in result.notifications if n.kind == "crash"]
    by_code: dict[str, int] = {}
    for f in findings:
        by_code[f.code] = by_code.get(f.code, 0) + 1
    print(f"\n== {label}: {len(py_files)} files, {kloc:.1f} KLOC (non-blank), {seconds:.1f} s")
    print(f"findings: {len(findings)} ({len(findings) / max(kloc, 0.001):.2f} per KLOC) {by_code}; limit notes {len(limits)}; crashes {len(crashes)}")
    for n in crashes[:5]:
        print("   crash:", n.path, n.message)
    rng = random.Random(4)
    for f in sorted(rng.sample(findings, min(sample, len(findings))), key=lambda x: (x.path, x.line)):
        print(f"   {f.path}:{f.line} {f.code} {f.message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--django", action="store_true", help="also run over Django's source")
    parser.add_argument("--wheel", action="append", default=[], metavar="NAME[==VERSION]",
                        help="also run over a PyPI wheel's source (repeatable)")
    parser.add_argument("--sample", type=int, default=30)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    files, labels = our_labels()
    score_suite("lintkit leak fixtures (fixtures/python_leaks)", OURS, files, labels)
    files, labels = pylint_suite()
    score_suite(f"pylint {PYLINT_VERSION} functional consider_using_with*.py", files[0].parent, files, labels)
    if args.django:
        django(args.sample)
    for spec in args.wheel:
        wheel(spec, args.sample)


if __name__ == "__main__":
    main()
