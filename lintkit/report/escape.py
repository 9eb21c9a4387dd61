"""Control characters from the repository, made visible.

File names, messages and excerpts come from the checked repository. Printed
raw, a newline in a file name starts a line of its own (a forged
`::error ...` workflow command in a CI log), ESC sequences drive the
terminal and bidirectional overrides reorder what a reviewer sees. Every
report that people or CI logs read shows them escaped instead: `\\n`, `\\x1b`,
`\\u202e`. A tab stays a tab.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    ch = match.group(0)
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def escape_control(text: str) -> str:
    return _CONTROL.sub(_visible, text) if _CONTROL.search(text) else text
