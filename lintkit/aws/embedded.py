"""Documents embedded as strings in a template (an inline `Source.BuildSpec`).

`extract(node, lines)` returns the embedded text and a position map from the
embedded document's (line, column) to the template's. The map is exact for
literal `|` blocks and for one-line quoted strings (a JSON template's escaped
`"version: 0.2\\nphases: …"` included: escapes are decoded column by column);
for folded and multi-line quoted forms it finds each embedded line in the
template text and otherwise falls back to the start of the value's line. It
never returns a position outside the value's lines.

`!Sub` bodies are linted after substitution: `${AWS::Region}` and `${Res.Arn}`
become same-length shell-style placeholders (`${AWS__Region}`), so columns do
not move, and `${!Literal}` is un-escaped to `${Literal}`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Callable

from lintkit.documents import Node, Scalar, Sequence, intrinsic

PositionMap = Callable[[int, int], tuple[int, int]]
_SUB = re.compile(r"\$\{(!?)([^}\n]*)\}")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0", "/": "/", "\\": "\\", '"': '"',
                   "a": "\a", "v": "\v", "e": "\x1b", " ": " ", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_HEX_LEN = {"x": 2, "u": 4, "U": 8}


@dataclass
class Embedded:
    text: str
    map: PositionMap
    substituted: bool  # came from an Fn::Sub body
    exact: bool


def string_body(node: Node) -> tuple[Scalar, bool] | None:
    """The string scalar behind a value and whether it is an `Fn::Sub` body."""
    fn = intrinsic(node)
    if fn is None:
        if isinstance(node, Scalar) and node.yaml_type == "str" and isinstance(node.value, str):
            return node, False
        return None
    name, arg = fn
    if name != "Fn::Sub":
        return None
    body = arg.items[0] if isinstance(arg, Sequence) and arg.items else arg
    if isinstance(body, Scalar) and isinstance(body.value, str):
        return body, True
    return None


def extract(node: Node, lines: list[str]) -> Embedded | None:
    found = string_body(node)
    if found is None:
        return None
    body, is_sub = found
    decoded: str = body.value
    base, exact = _base_map(body, decoded, lines)
    if is_sub:
        text, sub_map = _substitute(decoded)

        def composed(line: int, col: int) -> tuple[int, int]:
            return base(*sub_map(line, col))

        return Embedded(text, composed, True, exact)
    return Embedded(decoded, base, False, exact)


# --- Fn::Sub --------------------------------------------------------------------------


def _substitute(text: str) -> tuple[str, PositionMap]:
    """Replace Sub variables line by line; map output columns back."""
    out_lines: list[str] = []
    segments: list[list[tuple[int, int]]] = []  # per line: (out col, in col) anchors, 1-based
    for line in text.split("\n"):
        pieces: list[str] = []
        anchors = [(1, 1)]
        pos = 0
        out_len = 0
        for match in _SUB.finditer(line):
            pieces.append(line[pos:match.start()])
            out_len += match.start() - pos
            name = match.group(2)
            if match.group(1):  # ${!Literal} -> ${Literal}
                replacement = "${" + name + "}"
            else:
                replacement = "${" + re.sub(r"[^A-Za-z0-9_]", "_", name) + "}"
            anchors.append((out_len + 1, match.start() + 1))
            pieces.append(replacement)
            out_len += len(replacement)
            anchors.append((out_len + 1, match.end() + 1))
            pos = match.end()
        pieces.append(line[pos:])
        out_lines.append("".join(pieces))
        segments.append(anchors)

    def mapping(line: int, col: int) -> tuple[int, int]:
        if not 1 <= line <= len(segments):
            return line, col
        anchors = segments[line - 1]
        keys = [a[0] for a in anchors]
        i = max(0, bisect.bisect_right(keys, col) - 1)
        out_col, in_col = anchors[i]
        return line, in_col + (col - out_col)

    return "\n".join(out_lines), mapping


# --- decoded string -> template ----------------------------------------------------------


def _clamp(lines: list[str], line: int, col: int, first: int, last: int) -> tuple[int, int]:
    line = min(max(line, first), max(first, last))
    width = len(lines[line - 1]) + 1 if 0 < line <= len(lines) else 1
    return line, min(max(col, 1), width)


def _base_map(body: Scalar, decoded: str, lines: list[str]) -> tuple[PositionMap, bool]:
    first, last = body.line, max(body.line, body.end_line)
    if body.style == "|":
        exact = _literal_map(body, decoded, lines)
        if exact is not None:
            return exact, True
    if body.line == body.end_line and body.style in ('"', "'", ""):
        cols = _single_line_columns(body, decoded, lines)
        if cols is not None:
            starts = _line_starts(decoded)

            def single(line: int, col: int) -> tuple[int, int]:
                index = starts[min(max(line, 1), len(starts)) - 1] + col - 1
                if not cols:
                    return _clamp(lines, body.line, body.column, first, last)
                if index >= len(cols):
                    return _clamp(lines, body.line, cols[-1] + 1 if cols else body.column, first, last)
                return _clamp(lines, body.line, cols[max(index, 0)], first, last)

            return single, True
    return _search_map(body, decoded, lines), False


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _literal_map(body: Scalar, decoded: str, lines: list[str]) -> PositionMap | None:
    """`|` block: embedded line i is template line body.line + i, shifted by
    the block's indentation. Verified line by line; None if it does not fit."""
    content = decoded.split("\n")
    indent = None
    for number in range(body.line + 1, min(body.end_line, len(lines)) + 1):
        raw = lines[number - 1]
        if raw.strip():
            indent = len(raw) - len(raw.lstrip(" "))
            break
    if indent is None:
        return None
    for i, text in enumerate(content, 1):
        number = body.line + i
        if not text.strip():
            continue
        if number > len(lines) or lines[number - 1][indent:].rstrip("\r") != text:
            return None
    first, last = body.line, max(body.line, body.end_line)

    def literal(line: int, col: int) -> tuple[int, int]:
        return _clamp(lines, body.line + line, col + indent, first + 1 if last > first else first, last)

    return literal


def _single_line_columns(body: Scalar, decoded: str, lines: list[str]) -> list[int] | None:
    """For each decoded character, its 1-based column in the template line."""
    if body.line > len(lines):
        return None
    raw = lines[body.line - 1]
    start = body.column - 1
    cols: list[int] = []
    out: list[str] = []
    if body.style == "":
        segment = raw[start:start + len(decoded)]
        return list(range(body.column, body.column + len(decoded))) if segment == decoded else None
    quote = body.style
    i = start + 1
    while i < len(raw):
        ch = raw[i]
        if ch == quote:
            if quote == "'" and i + 1 < len(raw) and raw[i + 1] == "'":
                out.append("'")
                cols.append(i + 1)
                i += 2
                continue
            break
        if ch == "\\" and quote == '"' and i + 1 < len(raw):
            esc = raw[i + 1]
            if esc in _HEX_LEN:
                width = _HEX_LEN[esc]
                try:
                    out.append(chr(int(raw[i + 2:i + 2 + width], 16)))
                except ValueError:
                    return None
                cols.append(i + 1)
                i += 2 + width
                continue
            out.append(_SIMPLE_ESCAPES.get(esc, esc))
            cols.append(i + 1)
            i += 2
            continue
        out.append(ch)
        cols.append(i + 1)
        i += 1
    # JSON's \uD83D\uDE00 surrogate pairs decode to one character: compare loosely.
    if "".join(out) != decoded:
        joined = "".join(out).encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        if joined != decoded:
            return None
    return cols


def _search_map(body: Scalar, decoded: str, lines: list[str]) -> PositionMap:
    """Best effort: find each embedded line's text in the template lines of
    the value, in order; otherwise the start of the value's current line."""
    first, last = body.line, max(body.line, min(body.end_line, len(lines)))
    anchors: list[tuple[int, int, int]] = []  # per embedded line: (template line, template col, embedded lead col)
    cursor = first
    for text in decoded.split("\n"):
        stripped = text.strip()
        lead = len(text) - len(text.lstrip()) + 1
        found = None
        if stripped:
            probe = stripped[:40]
            for number in range(cursor, last + 1):
                pos = lines[number - 1].find(probe)
                if pos >= 0:
                    found = (number, pos + 1)
                    break
        if found is None:
            raw = lines[cursor - 1] if cursor <= len(lines) else ""
            start = len(raw) - len(raw.lstrip()) + 1
            if cursor == body.line:
                start = body.column
            anchors.append((cursor, start, lead))
        else:
            anchors.append((found[0], found[1], lead))
            cursor = found[0]

    def search(line: int, col: int) -> tuple[int, int]:
        if not anchors:
            return _clamp(lines, body.line, body.column, first, last)
        t_line, t_col, lead = anchors[min(max(line, 1), len(anchors)) - 1]
        return _clamp(lines, t_line, t_col + max(0, col - lead), first, last)

    return search
