"""Regular expressions with catastrophic backtracking (ReDoS, CWE-1333).

A pattern is catastrophic when an unbounded repetition contains another one
(`(a+)+`, `([-.\\w]*\\w)*@`): the star height is 2 or more, the rule of thumb of
safe-regex and of most ReDoS linters. On an input that almost matches, the
backtracking engine tries every way of splitting it between the two loops,
which is exponential in its length. Possessive and atomic groups do not
backtrack and are not counted. The pattern is parsed by Python's own `re`
parser; one that does not parse is not judged.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any

if sys.version_info >= (3, 11):
    import re._constants as _c
    import re._parser as _parser
else:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _parser

_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT)
MAX_PATTERN = 2000


@lru_cache(maxsize=256)
def catastrophic(pattern: str) -> bool:
    """Does `pattern` nest an unbounded repetition inside another?"""
    if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
        return False
    try:
        parsed = _parser.parse(pattern)
    except Exception:  # not a valid pattern (or one re cannot compile): nothing to judge
        return False
    return _height(list(parsed.data)) >= 2


def _height(items: list[Any]) -> int:
    best = 0
    for op, arg in items:
        if op in _REPEATS:
            low, high, body = arg
            inner = _height(list(body))
            best = max(best, inner + 1 if high == _c.MAXREPEAT or high > 10 else inner)
        elif op == _c.SUBPATTERN:
            best = max(best, _height(list(arg[-1])))
        elif op == _c.BRANCH:
            best = max([best] + [_height(list(b)) for b in arg[1]])
        elif op == getattr(_c, "ATOMIC_GROUP", None) or op == getattr(_c, "POSSESSIVE_REPEAT", None):
            continue  # no backtracking into it
    return best
