"""The resource catalogue (`rules/models/resources.toml`) as typed, immutable data."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache

from lintkit.api import data_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Kind:
    name: str
    what: str
    acquire: tuple[str, ...]
    release: frozenset[str]
    release_calls: frozenset[str]
    with_releases: bool
    tuple_index: tuple[tuple[str, int], ...]
    discard_leaks: bool
    lock: bool
    receiver: bool
    fix: str
    closed_with_parent: bool = False


@dataclass(frozen=True)
class Catalogue:
    kinds: tuple[Kind, ...]
    owning_wrappers: frozenset[str]
    owning_transfer: frozenset[str]
    non_owning: frozenset[str]
    registrars: frozenset[str]
    container_methods: frozenset[str]
    non_raising_methods: frozenset[str] = frozenset()
    memory: frozenset[str] = frozenset()  # in-memory buffers (io.BytesIO)
    fileobj_params: tuple[tuple[str, str], ...] = ()  # acquisition -> its file-object parameter
    path_or_file_params: tuple[tuple[str, str], ...] = ()  # acquisition -> its path-or-file parameter
    member_methods: frozenset[str] = frozenset()
    process_exits: frozenset[str] = frozenset()

    def kind_for(self, qname: str | None, method: str | None = None, receiver_type: str | None = None) -> Kind | None:
        """The kind a call acquires: by qualified name, by `Type.method` on a
        receiver of known type, or by a `*.method` wildcard. The first kind
        (in catalogue order) whose pattern matches wins."""
        first = self._first_pattern
        hits = [first[p] for p in (qname, f"{receiver_type}.{method}" if method and receiver_type else None) if p and p in first]
        if hits:
            return self.kinds[min(hits)[0]]
        if method:
            found = first.get(f"*.{method}")
            return self.kinds[found[0]] if found is not None else None
        return None

    @cached_property
    def _first_pattern(self) -> dict[str, tuple[int, int]]:
        """pattern -> (kind index, pattern index) of its first occurrence."""
        first: dict[str, tuple[int, int]] = {}
        for i, kind in enumerate(self.kinds):
            for j, pattern in enumerate(kind.acquire):
                first.setdefault(pattern, (i, j))
        return first

    def acquisition(self, kind: str, qname: str | None, method: str | None) -> str | None:
        """The acquisition pattern of kind `kind` a call matches by its names
        alone, or None. A method pattern (`*.m`, or `T.m` for a type `T` the
        catalogue lists) matches any call of `m`: the receiver's type is not
        known to pattern checks."""
        for pattern in next(k.acquire for k in self.kinds if k.name == kind):
            head, _, tail = pattern.rpartition(".")
            if pattern == qname or (method == tail and (head == "*" or head in self._first_pattern)):
                return pattern
        return None

    @cached_property
    def file_parameters(self) -> dict[str, tuple[str, bool]]:
        """acquisition -> (parameter carrying a file object, whether it is always one)."""
        found = {qname: (param, False) for qname, param in self.path_or_file_params}
        found.update((qname, (param, True)) for qname, param in self.fileobj_params)
        return found

    @cached_property
    def acquire_tails(self) -> frozenset[str]:
        """Last name of every acquisition pattern (`open`, `Popen`, `cursor`...)."""
        return frozenset(p.rsplit(".", 1)[-1] for k in self.kinds for p in k.acquire)

    @cached_property
    def release_methods(self) -> frozenset[str]:
        return frozenset(m for k in self.kinds for m in k.release)

    @cached_property
    def release_calls(self) -> frozenset[str]:
        return frozenset(f for k in self.kinds for f in k.release_calls)


def matches(patterns: frozenset[str], qname: str | None, method: str | None) -> bool:
    return bool((qname and qname in patterns) or (method and f"*.{method}" in patterns))


def is_owning(cat: Catalogue, qname: str | None, method: str | None) -> bool:
    return matches(cat.owning_wrappers, qname, method)


def is_registrar(cat: Catalogue, qname: str | None, method: str | None) -> bool:
    return matches(cat.registrars, qname, method)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    path = data_path("models", "resources.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    kinds = tuple(
        Kind(
            name=str(k["name"]),
            what=str(k.get("what", k["name"])),
            acquire=tuple(k.get("acquire", [])),
            release=frozenset(k.get("release", [])),
            release_calls=frozenset(k.get("release_calls", [])),
            with_releases=bool(k.get("with_releases", True)),
            tuple_index=tuple(sorted(dict(k.get("tuple_index", {})).items())),
            discard_leaks=bool(k.get("discard_leaks", False)),
            lock=bool(k.get("lock", False)),
            receiver=bool(k.get("receiver", False)),
            fix=str(k.get("fix", "close it in a `finally` block or use `with`")),
            closed_with_parent=bool(k.get("closed_with_parent", False)),
        )
        for k in data.get("kind", [])
    )
    own = data.get("ownership", {})
    files = data.get("file_objects", {})
    return Catalogue(
        kinds=kinds,
        owning_wrappers=frozenset(own.get("owning_wrappers", [])),
        owning_transfer=frozenset(own.get("owning_transfer", [])),
        non_owning=frozenset(own.get("non_owning", [])),
        registrars=frozenset(own.get("registrars", [])),
        container_methods=frozenset(own.get("container_methods", [])),
        non_raising_methods=frozenset(data.get("paths", {}).get("non_raising_methods", [])),
        memory=frozenset(files.get("memory", [])),
        fileobj_params=tuple(sorted(files.get("fileobj", {}).items())),
        path_or_file_params=tuple(sorted(files.get("path_or_file", {}).items())),
        member_methods=frozenset(files.get("member_methods", [])),
        process_exits=frozenset(data.get("paths", {}).get("process_exits", [])),
    )
