"""Documents embedded as strings in a template (an inline `Source.BuildSpec`).

`extract(node)` returns the embedded text and a position map from the
embedded document's (line, column) to the template's, through the string's
`Scalar.position_of` (exact for every YAML/JSON string style, a JSON
template's escaped `"version: 0.2\\nphases: …"` included; never outside the
value).

`!Sub` bodies are linted after substitution: `${AWS::Region}` and `${Res.Arn}`
become same-length shell-style placeholders (`${AWS__Region}`), so columns do
not move, and `${!Literal}` is un-escaped to `${Literal}`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from lintkit.api import PositionMap
from lintkit.documents import Node, Scalar, Sequence, intrinsic

_SUB = re.compile(r"\$\{(!?)([^}\n]*)\}")


@dataclass
class Embedded:
    text: str
    map: PositionMap
    substituted: bool  # came from an Fn::Sub body


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


def extract(node: Node) -> Embedded | None:
    found = string_body(node)
    if found is None:
        return None
    body, is_sub = found
    decoded: str = body.value
    base = _offset_map(body, decoded)
    if is_sub:
        text, sub_map = _substitute(decoded)

        def composed(line: int, col: int) -> tuple[int, int]:
            return base(*sub_map(line, col))

        return Embedded(text, composed, True)
    return Embedded(decoded, base, False)


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


def _offset_map(body: Scalar, text: str) -> PositionMap:
    """(line, column) in the decoded text -> the template position of that
    character (`Scalar.position_of`); a column past a line's end is the end
    of that line."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def mapping(line: int, col: int) -> tuple[int, int]:
        line = min(max(line, 1), len(starts))
        line_end = starts[line] - 1 if line < len(starts) else len(text)
        return body.position_of(min(starts[line - 1] + max(col, 1) - 1, line_end))

    return mapping
