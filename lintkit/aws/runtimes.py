"""Which CodeBuild images offer which `runtime-versions` (rules/models/codebuild-images.toml).

`problem(runtime, version, image)` says why a `runtime-versions` entry fails
at the install phase: an unknown runtime name, or a version the build image
does not offer. With the image unknown (a buildspec file whose project lives
elsewhere) only what no current image offers is a problem (a retired image is
CBP011's).
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from functools import lru_cache

from lintkit.api import data_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Images:
    names: tuple[str, ...]  # every runtime name an image has offered
    offers: dict[str, dict[str, tuple[str, ...]]]  # image (and alias) -> runtime -> versions
    current: frozenset[str]


@lru_cache(maxsize=1)
def images() -> Images:
    data = tomllib.loads(data_path("models", "codebuild-images.toml").read_text(encoding="utf-8"))
    offers: dict[str, dict[str, tuple[str, ...]]] = {}
    current: set[str] = set()
    for name, entry in data["images"].items():
        runtimes = {k: tuple(v) for k, v in entry.items() if k not in ("current", "aliases")}
        for alias in (name, *entry.get("aliases", [])):
            offers[alias] = runtimes
            if entry.get("current"):
                current.add(alias)
    return Images(tuple(data["names"]), offers, frozenset(current))


def known_runtime(name: str) -> bool:
    return name.strip().lower() in images().names


def problem(runtime: str, version: str, image: str | None = None) -> str:
    """Why `runtime: version` fails on `image` ('' when it works, or when we cannot tell)."""
    table = images()
    name = runtime.strip().lower()
    if name not in table.names:
        close = difflib.get_close_matches(name, table.names, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"runtimes: {', '.join(table.names)}"
        return f"CodeBuild has no runtime named '{runtime}' ({hint}), so the install phase fails"
    if image is not None:
        offered = table.offers.get(image.strip(), {}).get(name, ())
        if image.strip() in table.offers and not _matches(version, offered):
            shown = ", ".join(offered) if offered else "none"
            return f"build image {image.strip()} does not offer {runtime} {version} (it offers: {shown}), so the install phase fails"
        return ""
    if not any(_matches(version, table.offers[img].get(name, ())) for img in table.current):
        newest = sorted({v for img in table.current for v in table.offers[img].get(name, ())}, key=_order)
        return f"no current CodeBuild image offers {runtime} {version} (they offer: {', '.join(newest) or 'none'}), so on a current image the install phase fails"
    return ""


def _matches(version: str, offered: tuple[str, ...]) -> bool:
    """`latest`, `N.x` (any N.*) or a version an offered one names, at its
    precision or finer (`3.11` for 3.11, `18.17.0` for 18, `8` for 8.0)."""
    text = version.strip().strip("\"'")
    if not offered:
        return False
    if text.lower() == "latest":
        return True
    if text.lower().endswith(".x"):
        major = text[:-2]
        return any(v == major or v.startswith(major + ".") for v in offered)
    return any(text == v or text.startswith(v + ".") or v == text + ".0" for v in offered)


def _order(version: str) -> tuple[int, ...]:
    digits = [int(part) for part in version.replace("corretto", "").split(".") if part.isdigit()]
    return tuple(digits)
