"""The on-disk store behind the result cache: authenticated JSON entries.

It knows nothing of what it stores (the meaning of entries is `results.py`'s).
Where: outside the checked tree by default, in the user's cache directory
(`$XDG_CACHE_HOME/lintkit`, `~/Library/Caches/lintkit`, `%LOCALAPPDATA%\\lintkit`),
one folder per project keyed by the project root's path; `--cache-dir`
chooses another, `lintkit clean` removes a project's. Layout::

    key                          per-user secret that authenticates entries (0600)
    projects/<name>-<hash>/      one project's cache:
      CACHEDIR.TAG               tells backup tools to skip the directory
      v2/<area>/ab/<key>.json    one entry: its MAC, a newline, its JSON

A repository under check must not be able to answer for lintkit, so:

- every entry carries a MAC under the per-user key; an entry without a valid
  one (forged, copied from another machine, committed to the repository) is
  a miss, as is one that is not a JSON object naming the same format and key;
- no symlink is followed when creating or writing cache files: directories
  are opened with O_NOFOLLOW one level at a time, files created with O_EXCL,
  and a cache directory that is itself a symlink is not used; only regular
  files are read.

Entries are JSON, never pickle. Writes go to a temporary file in the same
directory and are renamed into place, so an interrupted run leaves either the
old entry or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 2
_MAX_ENTRY = 16 * 1024 * 1024  # bytes; anything larger is not ours
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# lintkit result cache; safe to delete.\n"


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def digest_text(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.hexdigest()


def digest_json(value: Any) -> str:
    return digest_text(json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr))


@dataclass(frozen=True)
class Store:
    """A cache directory and the key its entries are signed with. Picklable."""

    directory: str
    secret: bytes

    def _parts(self, area: str, key: str) -> tuple[str, ...]:
        return (f"v{FORMAT}", area, key[:2], f"{key}.json")

    def _mac(self, payload: bytes) -> bytes:
        return hashlib.blake2b(payload, key=self.secret, digest_size=20).hexdigest().encode()

    def load(self, area: str, key: str) -> dict[str, Any] | None:
        """The entry, when it is a regular file with a valid MAC, holding a JSON
        object for this format and key."""
        raw = _read_regular(os.path.join(self.directory, *self._parts(area, key)), _MAX_ENTRY)
        if raw is None:
            return None
        mac, _, payload = raw.partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None  # forged, foreign or damaged
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
            return None
        return data

    def save(self, area: str, key: str, encoded: str) -> None:
        """Store `encoded` (the JSON text of an object with "format" and "key")."""
        payload = encoded.encode("utf-8")
        try:
            write_entry(self.directory, self._parts(area, key), self._mac(payload) + b"\n" + payload)
        except (OSError, NotImplementedError):  # NotImplementedError: no dir_fd (Windows)
            return  # a read-only or full disk costs speed, never a result


def _read_regular(path: str, limit: int) -> bytes | None:
    """The bytes of a regular file (a FIFO or device is never read)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


def write_entry(directory: str, parts: tuple[str, ...], content: bytes) -> None:
    """Write `directory/parts...` atomically without following a symlink below
    `directory` (missing directories are made, one level at a time)."""
    fd = os.open(directory, _DIR_FLAGS)
    try:
        for name in parts[:-1]:
            try:
                os.mkdir(name, 0o700, dir_fd=fd)
            except FileExistsError:
                pass
            child = os.open(name, _DIR_FLAGS, dir_fd=fd)  # ELOOP/ENOTDIR for a symlink
            os.close(fd)
            fd = child
        tmp = f".{parts[-1]}.{secrets.token_hex(6)}.tmp"
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600, dir_fd=fd)
        try:
            with os.fdopen(out, "wb") as handle:
                handle.write(content)
            os.replace(tmp, parts[-1], src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=fd)
            except OSError:
                pass
            raise
    finally:
        os.close(fd)


# --- where the cache lives ------------------------------------------------------------


def user_cache_home() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "lintkit"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "lintkit"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lintkit"


def default_dir(project_root: Path) -> Path:
    """The project's cache folder in the user's cache directory."""
    real = os.path.realpath(project_root)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(real))[:40] or "root"
    return user_cache_home() / "projects" / f"{name}-{digest_text(real)[:16]}"


def _user_secret() -> bytes | None:
    """The per-user MAC key (made on first use, readable by the user only);
    None when it cannot be had (then there is no cache)."""
    home = user_cache_home()
    path = home / "key"
    data = _read_regular(str(path), 1024)
    if data is not None and len(data) == 32:
        return data
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        if home.is_symlink():
            return None
        key = secrets.token_bytes(32)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600), "wb") as handle:
            handle.write(key)
        return key
    except FileExistsError:
        data = _read_regular(str(path), 1024)
        return data if data is not None and len(data) == 32 else None
    except OSError:
        return None


def open_store(directory: Path) -> Store | None:
    """A usable store in `directory`, or None when it cannot be created or is
    a symlink (a repository may commit one pointing anywhere)."""
    secret = _user_secret()
    if secret is None:
        return None
    try:
        if directory.is_symlink():
            return None
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        real = os.path.realpath(directory)
        for name, content in (("CACHEDIR.TAG", _TAG.encode()), (".gitignore", b"*\n")):
            if not os.path.lexists(os.path.join(real, name)):
                write_entry(real, (name,), content)
    except (OSError, NotImplementedError):  # NotImplementedError: no dir_fd (Windows): no cache
        return None
    return Store(real, secret)


def clean(directory: Path) -> bool:
    """Remove a cache directory (never through a symlink); True if there was one."""
    if directory.is_symlink():
        directory.unlink()
        return True
    if not directory.is_dir():
        return False
    shutil.rmtree(directory)
    return True
