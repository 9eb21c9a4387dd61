"""lintkit: static analysis for AWS CI/CD definitions and Python source."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__version__ = "0.1.0"


def rules_dir() -> Path | None:
    """lintkit's data (`rules/`: rule TOMLs, schemas, models): `rules/` in a checkout,
    `lintkit/_rules` in an installed wheel; None when it is missing."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    return next((c for c in (here / "_rules", here.parent / "rules") if c.is_dir()), None)
