"""Which files a run checks, and what each one is.

Discovery honours .gitignore (through git when the tree is a repository),
default and configured excludes, and never follows a directory symlink, so a
symlink loop cannot trap it. A file symlink is followed only when it resolves
inside the project and outside the default excludes (`.git`): a repository
cannot make lintkit read `~/.aws/credentials` or `/proc/self/environ`. Only
regular files are read, so a FIFO cannot hang a run. Classification looks at
content, not only names: a buildspec hides under `codebuild_specs/*.yml`, and
most `.yaml` files are not CloudFormation.
"""

from __future__ import annotations

import codecs
import fnmatch
import io
import os
import re
import stat
import subprocess
import tokenize
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from lintkit.config import DEFAULT_EXCLUDES, Config
from lintkit.documents import Document, Mapping, Scalar, Sequence

PYTHON_SUFFIXES = (".py", ".pyi")
CONFIG_SUFFIXES = (".yml", ".yaml", ".json", ".template", ".tpl")


@dataclass(frozen=True)
class Candidate:
    abspath: str
    relpath: str  # posix, relative to the run's root when possible
    explicit: bool = False  # named on the command line
    data: bytes | None = None  # the content, when it does not come from disk (stdin)


class Unreadable(Exception):
    """A file lintkit cannot read; the message says why."""


def read_bytes(cand: Candidate, limit: int) -> bytes:
    """Up to `limit + 1` bytes of a regular file (one more than the limit, so
    the caller sees that it is too large). Raises Unreadable: a FIFO, device
    or directory is never read (opening does not block: O_NONBLOCK)."""
    if cand.data is not None:
        return cand.data[: limit + 1]
    try:
        fd = os.open(cand.abspath, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Unreadable(f"unreadable: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable("not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise Unreadable(f"unreadable: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def decode_source(data: bytes, relpath: str) -> str:
    """The text of a file: Python by its PEP 263 coding declaration (UTF-8 by
    default), everything else as UTF-8; a leading BOM dropped. Raises
    UnicodeDecodeError (or LookupError/SyntaxError for a bad declaration)."""
    if relpath.lower().endswith(PYTHON_SUFFIXES) and b"coding" in data[:400]:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    else:
        text = data.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def coding_of(data: bytes, relpath: str) -> str:
    """The encoding decode_source uses (for messages)."""
    if relpath.lower().endswith(PYTHON_SUFFIXES) and b"coding" in data[:400]:
        try:
            return codecs.lookup(tokenize.detect_encoding(io.BytesIO(data).readline)[0]).name
        except (LookupError, SyntaxError):
            return "utf-8"
    return "utf-8"


@dataclass(frozen=True)
class Skipped:
    relpath: str
    reason: str


def relative_to(root: Path, path: Path) -> str:
    # Symlinks resolve to their real file (GitHub wants real paths); a dangling
    # one keeps its own name, so its skip reason names what the user sees.
    target = path.resolve() if path.exists() else Path(os.path.abspath(path))
    try:
        return target.relative_to(root.resolve()).as_posix()
    except ValueError:
        return PurePosixPath(*path.parts).as_posix()


def is_candidate_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(PYTHON_SUFFIXES) or lower.endswith(CONFIG_SUFFIXES)


def _excluded(rel: str, patterns: Iterable[str]) -> bool:
    parts = rel.split("/")
    for pattern in patterns:
        pat = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat + "/*"):
            return True
        if "/" not in pat and any(fnmatch.fnmatch(part, pat) for part in parts):
            return True
    return False


def _git_listing(directory: Path) -> set[str] | None:
    """Files git would show in `directory` (tracked + untracked, not ignored),
    as absolute paths; None when it is not a git work tree."""
    try:
        out = subprocess.run(
            ["git", "-C", str(directory), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        top = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "--show-toplevel"],
            capture_output=True,
            timeout=30,
            check=False,
            text=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or top.returncode != 0:
        return None
    toplevel = Path(top.stdout.strip())
    return {str(toplevel / name) for name in out.stdout.decode("utf-8", "surrogateescape").split("\0") if name}


def _outside(root_real: str, real: str) -> str:
    """Why a symlink's target may not be read ("" when it may): it must stay
    inside the project and out of the default excludes (`.git`, ...)."""
    if not real.startswith(root_real + os.sep):
        return "symlink to a file outside the project, not followed"
    if _excluded(real[len(root_real) + 1 :].replace(os.sep, "/"), DEFAULT_EXCLUDES):
        return "symlink into an excluded directory, not followed"
    return ""


def discover(paths: list[str], config: Config, root: Path, force_exclude: bool = False) -> tuple[list[Candidate], list[Skipped]]:
    """Candidates below `paths`; `skipped` holds the symlinks not followed
    (and paths that vanished)."""
    excludes = DEFAULT_EXCLUDES + config.exclude
    found: dict[str, Candidate] = {}
    skipped: list[Skipped] = []
    root_real = os.path.realpath(root)
    for raw in paths or ["."]:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            skipped.append(Skipped(raw, "no such file or directory"))
            continue
        if path.is_file() or (path.is_symlink() and not path.is_dir()):
            rel = relative_to(root, path)
            if force_exclude and _excluded(rel, excludes):
                continue
            # A symlink inside the project (pre-commit passes committed ones)
            # must stay inside it; a path named outside the project is the user's.
            if path.is_symlink() and os.path.abspath(raw).startswith(root_real + os.sep):
                why = _outside(root_real, os.path.realpath(raw))
                if why:
                    skipped.append(Skipped(PurePosixPath(*path.parts).as_posix(), why))
                    continue
            found.setdefault(rel, Candidate(str(path.resolve()), rel, explicit=True))
            continue
        listing = _git_listing(path) if config.respect_gitignore else None
        # Resolved once: the walk never follows a symlinked directory, so below
        # `path` only a symlinked file needs resolving (thousands of resolve()
        # calls were a third of a warm run).
        top, top_real, root_real = str(path), str(path.resolve()), str(root.resolve())
        for abspath, is_link in _walk(path, excludes, root, skipped):
            below = abspath[len(top) + 1:]
            real = os.path.realpath(abspath) if is_link else os.path.join(top_real, below)
            if listing is not None and real not in listing and abspath not in listing:
                continue
            if is_link:
                if os.path.isdir(real):
                    continue  # a directory symlink is never followed
                why = _outside(root_real, real) or ("" if os.path.exists(real) else "dangling symlink")
                if why:
                    skipped.append(Skipped(_link_rel(root_real, abspath), why))
                    continue
            if real.startswith(root_real + os.sep) and (not is_link or os.path.exists(abspath)):
                rel = real[len(root_real) + 1:].replace(os.sep, "/")
            else:
                rel = relative_to(root, Path(abspath))
            # Excludes apply below the directory named on the command line, so
            # `lintkit check fixtures/demo` works even where `fixtures` is excluded.
            if _excluded(below.replace(os.sep, "/"), config.exclude):
                continue
            found.setdefault(rel, Candidate(abspath, rel))
    return sorted(found.values(), key=lambda c: c.relpath), skipped


def _link_rel(root_real: str, abspath: str) -> str:
    """A symlink's own path relative to the project (not its target's)."""
    link = os.path.join(os.path.realpath(os.path.dirname(abspath)), os.path.basename(abspath))
    return link[len(root_real) + 1 :].replace(os.sep, "/") if link.startswith(root_real + os.sep) else abspath


def _walk(top: Path, excludes: tuple[str, ...], root: Path, skipped: list[Skipped]) -> Iterable[tuple[str, bool]]:
    """(path, is a symlink) of every candidate file below `top`."""
    names = [pat for pat in excludes if "/" not in pat]
    excluded_name = re.compile("|".join(fnmatch.translate(pat) for pat in names), re.IGNORECASE if os.name == "nt" else 0).match if names else None
    stack = [str(top)]
    seen_dirs: set[tuple[int, int]] = set()
    while stack:
        directory = stack.pop()
        try:
            st = os.stat(directory)
            if (st.st_dev, st.st_ino) in seen_dirs:
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(relative_to(root, Path(directory)), f"unreadable directory: {exc.strerror or exc}"))
            continue
        if directory != str(top) and any(e.name.endswith(".dist-info") and e.is_dir(follow_symlinks=False) for e in entries):
            # `pip install --target` output (a Lambda layer's python/, vendored
            # dependencies): third-party packages, like site-packages
            skipped.append(Skipped(relative_to(root, Path(directory)), "installed third-party packages (a *.dist-info directory), not checked"))
            continue
        subdirs = []
        for entry in entries:
            name = entry.name
            if excluded_name is not None and excluded_name(name):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.path)
                elif entry.is_symlink():
                    # A symlinked file is checked; a symlinked directory never
                    # followed (loops, and duplicate results under two paths).
                    if is_candidate_name(name):
                        yield entry.path, True
                elif entry.is_file(follow_symlinks=False) and is_candidate_name(name):
                    yield entry.path, False
            except OSError:
                continue
        stack.extend(reversed(subdirs))


# --- classification -------------------------------------------------------------

_BUILDSPEC_NAME = re.compile(r"buildspec", re.IGNORECASE)
_APPSPEC_NAME = re.compile(r"(?:^|[-_.])appspec", re.IGNORECASE)  # appspec.yml, AppSpec.json, ecs-default-appspec-template.yml
_TEMPLATE_NAME = re.compile(r"\.template(\.json|\.ya?ml)?$|template|stack|cfn|cloudformation", re.IGNORECASE)

# Cheap text markers: a YAML/JSON file without any is not parsed at all.
_MARKERS = re.compile(
    r"""(?mx)
    ^\s*["']?(?:phases|batch|hooks|Hooks|Resources|AWSTemplateFormatVersion|stages|pipeline)["']?\s*:
    | "(?:phases|batch|hooks|Hooks|Resources|AWSTemplateFormatVersion|stages|pipeline)"\s*:
    | AWS::
    """
)


def classify_name(relpath: str) -> str | None:
    """A kind the file name alone implies (used for files that do not parse)."""
    name = relpath.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower.endswith(PYTHON_SUFFIXES):
        return "python"
    if _BUILDSPEC_NAME.search(name):
        return "buildspec"
    if _APPSPEC_NAME.search(name):
        return "appspec"
    return None


def worth_parsing(relpath: str, text: str) -> bool:
    # The whole text: padding must not push the markers out of sight.
    return classify_name(relpath) is not None or bool(_MARKERS.search(text))


def _scalar(node: object) -> str | None:
    return node.text if isinstance(node, Scalar) else None


def classify_document(relpath: str, doc: Document) -> str | None:
    """buildspec | appspec | pipeline | cloudformation | None (not ours)."""
    root = doc.root
    name_kind = classify_name(relpath)
    if not isinstance(root, Mapping):
        return name_kind if name_kind in ("buildspec", "appspec") else None
    keys = set(root.keys())
    version = _scalar(root.get("version"))
    if _is_device_farm(root, keys):
        return None
    if "AWSTemplateFormatVersion" in keys or _has_aws_resources(root) or _is_template_fragment(root):
        return "cloudformation"
    if "pipeline" in keys and isinstance(root.get("pipeline"), Mapping):
        pipeline = root.get("pipeline")
        if isinstance(pipeline, Mapping) and ("stages" in pipeline or "name" in pipeline):
            return "pipeline"
    if "stages" in keys and _has_action_types(root.get("stages")):
        return "pipeline"
    if version is not None and keys & {"phases", "batch"}:
        return "buildspec"
    lowered = {k.lower() for k in keys}
    if version is not None and (lowered & {"hooks", "resources"} or keys & {"os", "files"}):
        if name_kind == "appspec" or str(version).strip() in ("0.0", "0") or "os" in keys:
            return "appspec"
    # A file named like one but holding none of its keys (buildspec.schema.json,
    # appspec-generator.json) is something else.
    if name_kind == "buildspec" and (keys & _BUILDSPEC_KEYS or not keys):
        return name_kind
    if name_kind == "appspec" and (lowered & _APPSPEC_KEYS or not keys):
        return name_kind
    return None


_BUILDSPEC_KEYS = frozenset({"version", "phases", "batch", "env", "artifacts", "cache", "reports", "run-as", "proxy"})
_APPSPEC_KEYS = frozenset({"version", "os", "files", "hooks", "resources", "permissions", "file_exists_behavior"})


def _is_device_farm(root: Mapping, keys: set[str]) -> bool:
    if keys & {"android_test_host", "ios_test_host"}:
        return True
    phases = root.get("phases")
    return isinstance(phases, Mapping) and "test" in phases and not (set(phases.keys()) & {"build", "install", "pre_build", "post_build"})


def _has_aws_resources(root: Mapping) -> bool:
    resources = root.get("Resources")
    if not isinstance(resources, Mapping):
        return False
    return any(_resource_type(value) for _, _, value in resources.items())


def _resource_type(node: object) -> str:
    rtype = _scalar(node.get("Type")) if isinstance(node, Mapping) else None
    return rtype if rtype and "::" in rtype else ""


def _is_template_fragment(root: Mapping) -> bool:
    """A template split into files a build step merges: one resource
    (`{"Type": "AWS::…", "Properties": …}`), or the body of Resources (every
    value a resource, one of them AWS::)."""
    if _resource_type(root).startswith("AWS::") and isinstance(root.get("Properties"), Mapping):
        return True
    values = [value for _, _, value in root.items()]
    return bool(values) and all(_resource_type(v) for v in values) and any(_resource_type(v).startswith("AWS::") for v in values)


def _has_action_types(stages: object) -> bool:
    if not isinstance(stages, Sequence):
        return False
    for stage in stages.items:
        if isinstance(stage, Mapping):
            actions = stage.get("actions")
            if isinstance(actions, Sequence):
                for action in actions.items:
                    if isinstance(action, Mapping) and "actionTypeId" in action:
                        return True
    return False
