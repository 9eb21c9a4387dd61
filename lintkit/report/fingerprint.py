"""GitHub code scanning's `primaryLocationLineHash`, computed by lintkit itself.

`upload-sarif` fills this value only when it can read the file in the
checkout; the code-scanning REST API (the route a CodeBuild upload takes) does
not fill it at all. Without it, alerts are matched by line number and every
edit above a finding closes and reopens it.

The algorithm, as GitHub describes it (INTEGRATION.md §2):

- the file is a stream of characters with every space and tab removed and
  CR / CRLF turned into LF (line feeds stay in the stream);
- the stream counts UTF-16 code units (the action reads the file as a
  JavaScript string), so a character outside the BMP is two units;
- the end of file is one sentinel unit 0xFFFF; the hash of a line covers the
  next 100 units from the line's first character, across line ends, padded
  with zeros after the sentinel;
- a polynomial hash with multiplier 37 in 64-bit wrap-around arithmetic,
  printed as unsigned hex without leading zeros;
- `:<n>` counts how often that hex value has been seen so far in the file.

Checked against the expected values in github/codeql-action's own unit tests
(tests/test_report_fingerprint.py).
"""

from __future__ import annotations

from collections import Counter

WINDOW = 100
_MULTIPLIER = 37
_MASK = (1 << 64) - 1
# 37**WINDOW mod 2**64: the weight of the character that leaves the window.
_DROP = pow(_MULTIPLIER, WINDOW, 1 << 64)
_EOF = 0xFFFF


def _stream(text: str) -> tuple[list[int], list[int]]:
    """(UTF-16 code units without blanks, with LF line ends; stream index where each
    line starts). There is always at least one line, even for empty text."""
    codes: list[int] = []
    starts = [0]
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\r":
            if i + 1 < n and text[i + 1] == "\n":
                i += 1
            ch = "\n"
        if ch == "\n":
            codes.append(10)
            starts.append(len(codes))
        elif ch not in " \t":
            point = ord(ch)
            if point > 0xFFFF:  # a surrogate pair, as in a JavaScript string
                point -= 0x10000
                codes.extend((0xD800 + (point >> 10), 0xDC00 + (point & 0x3FF)))
            else:
                codes.append(point)
        i += 1
    return codes, starts


def line_hashes(text: str) -> list[str]:
    """`"<hex>:<n>"` for every line of `text` (index 0 is line 1).

    A rolling hash: the window slides one character at a time, so the whole
    file costs O(length), not O(length × 100)."""
    codes, starts = _stream(text)
    padded = codes + [_EOF] + [0] * WINDOW
    # hashes[k] = hash of padded[k : k + WINDOW]
    h = 0
    for c in padded[:WINDOW]:
        h = (h * _MULTIPLIER + c) & _MASK
    window_hash = [h]
    for k in range(len(codes)):
        h = (h * _MULTIPLIER + padded[k + WINDOW] - padded[k] * _DROP) & _MASK
        window_hash.append(h)
    seen: Counter[str] = Counter()
    out: list[str] = []
    for start in starts:
        hexed = format(window_hash[start], "x")
        seen[hexed] += 1
        out.append(f"{hexed}:{seen[hexed]}")
    return out


class LineHasher:
    """Hashes each file once and answers per line (many findings per file)."""

    def __init__(self) -> None:
        self._cache: dict[str, list[str]] = {}

    def hash_for(self, path: str, text: str, line: int) -> str:
        hashes = self._cache.get(path)
        if hashes is None:
            hashes = self._cache[path] = line_hashes(text)
        # A line past the end (a finding on a file that changed) takes the last.
        return hashes[min(max(line, 1), len(hashes)) - 1]
