"""Which file of the run an absolute module name means, seen from the file importing it.

Python finds `import libuser` through the importing program's search path, so
two folders may each hold a `libuser.py` without ever meeting. The run's
files are looked up the way that path is usually made, from the importing
file outward:

1. the import root of the importer's package: the directory above its
   topmost `__init__.py` (its own directory when it is not in a package);
2. the importer's own directory (a script's folder, Python 2's implicit
   relative imports);
3. every other directory above the importer, nearest first, up to the run's
   root (the run's root need not be the import root: `src/pkg/mod.py` is
   imported as `pkg.mod`);
4. anywhere else in the run, when exactly one file has the name's trailing
   parts (`tests/` importing `src/pkg`); two or more is ambiguous: nothing.

A package (`pkg/__init__.py`) wins over a module of the same name (`pkg.py`),
as in Python.
"""

from __future__ import annotations

from typing import Iterable

_Parts = tuple[str, ...]


def _parts(relpath: str) -> _Parts:
    """`pkg/sub/mod.py` -> ("pkg", "sub", "mod"); a package's `__init__` drops out."""
    path = relpath.replace("\\", "/")
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    return tuple(p for p in stem.split("/") if p and p != ".")


class ModuleFiles:
    def __init__(self, relpaths: Iterable[str]) -> None:
        self._files: dict[_Parts, str] = {}
        self._packages: set[_Parts] = set()
        for relpath in relpaths:
            parts = _parts(relpath)
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
                self._packages.add(parts)
                self._files[parts] = relpath
            else:
                self._files.setdefault(parts, relpath)
        self._by_suffix: dict[_Parts, list[str]] | None = None
        self._folders: dict[str, _Parts] = {}  # importer -> its folder
        self._found: dict[tuple[str, _Parts], str | None] = {}

    def find(self, module: str, importer: str) -> str | None:
        """The relpath of the file `importer` means by the absolute name `module`."""
        if not self._files:
            return None
        where = self._folders.get(importer)
        if where is None:
            where = self._folders[importer] = _parts(importer)[:-1]
        key = (module, where)
        found = self._found.get(key, self)
        if found is self:
            found = self._found[key] = self._find(tuple(module.split(".")), where)
        return found  # type: ignore[return-value]

    def _find(self, name: _Parts, where: _Parts) -> str | None:
        for root in self._roots(where):
            hit = self._files.get(root + name)
            if hit is not None:
                return hit
        others = self._suffixes().get(name, [])
        return others[0] if len(others) == 1 else None

    def _roots(self, where: _Parts) -> list[_Parts]:
        top = where
        while top and top in self._packages:
            top = top[:-1]
        return list(dict.fromkeys([top, where, *(where[:i] for i in range(len(where) - 1, -1, -1))]))

    def _suffixes(self) -> dict[_Parts, list[str]]:
        if self._by_suffix is None:
            self._by_suffix = {}
            for parts, relpath in self._files.items():
                for start in range(len(parts)):
                    self._by_suffix.setdefault(parts[start:], []).append(relpath)
        return self._by_suffix
