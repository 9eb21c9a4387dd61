"""Writing report files where the user points, safely.

- a regular file (or a new one) is replaced atomically: a reader never sees
  half a report, an interrupted run leaves the old file, and the new file gets
  the old file's mode (a new one: 0666 less the umask, as any tool's output);
- a character device, FIFO or socket (`/dev/null`, a named pipe) is written
  into, never replaced; `/dev/stdout` and `/dev/stderr` (and their /dev/fd and
  /proc/self/fd spellings) are lintkit's own streams;
- a symlink is followed: the file it points to is written, the link stays;
- a missing or unwritable directory is an OutputError (one line, exit 2),
  checked before the run so a long run is not wasted.
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from typing import TextIO

_STREAMS = {"stdout": 1, "stderr": 2}


class OutputError(Exception):
    """A report cannot be written where the user asked; the message says why."""


def _stream(path: str) -> TextIO | None:
    """sys.stdout / sys.stderr for /dev/stdout-style paths."""
    normal = os.path.normpath(path)
    for name, fd in _STREAMS.items():
        if normal in (f"/dev/{name}", f"/dev/fd/{fd}", f"/proc/self/fd/{fd}"):
            stream: TextIO = getattr(sys, name)
            return stream
    return None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable(path: str) -> None:
    """Raise OutputError now if `path` cannot take a report later."""
    if _stream(path) is not None:
        return
    real = os.path.realpath(path)
    try:
        st = os.stat(path)  # through symlinks, /proc/self/fd ones included
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"cannot write report {path}: {exc.strerror}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write report {path}: it is a directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        if not os.access(path, os.W_OK):
            raise OutputError(f"cannot write report {path}: permission denied")
        return  # a device or FIFO: written into
    directory = os.path.dirname(real) or "."
    if not os.path.isdir(directory):
        raise OutputError(f"cannot write report {path}: directory {os.path.dirname(path) or '.'} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK) or (st is not None and not os.access(real, os.W_OK)):
        raise OutputError(f"cannot write report {path}: permission denied")


def write_report(path: str, content: str) -> None:
    """Write `content` to `path` as described in the module docstring."""
    stream = _stream(path)
    if stream is not None:
        stream.write(content)
        stream.flush()
        return
    try:
        try:
            st = os.stat(path)  # through symlinks, /proc/self/fd ones included
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise OutputError(f"cannot write report {path}: it is a directory")
        if st is not None and not stat.S_ISREG(st.st_mode):
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(content)
            return
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
        _replace(os.path.realpath(path), content, mode)
    except OSError as exc:
        raise OutputError(f"cannot write report {path}: {exc.strerror or exc}") from None


def _replace(real: str, content: str, mode: int) -> None:
    directory, name = os.path.split(real)
    tmp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
