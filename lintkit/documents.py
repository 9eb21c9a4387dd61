"""YAML and JSON documents whose every node knows its exact span.

One loader serves YAML and JSON: ruamel.yaml's composer builds the node graph
(with marks on every node, unknown `!Tags` kept, duplicate keys preserved), and
we turn it into small immutable-by-convention `Node` objects. Alias expansion
and nesting depth are bounded, so a billion-laughs file costs kilobytes.

Positions are 1-based; `end_column` is exclusive.
"""

from __future__ import annotations

import functools
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

MAX_DEPTH = 100  # nesting levels; real CI/CD files stay under 20
MAX_EXPANDED_NODES = 250_000  # nodes after alias expansion
_MAX_PRESCAN_DEPTH = MAX_DEPTH


class ParseError(Exception):
    """The text is not a loadable YAML/JSON document."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


@dataclass(eq=False)
class Node:
    line: int
    column: int
    end_line: int
    end_column: int
    tag: str = ""  # explicit non-standard tag such as "!Sub"; "" otherwise

    def to_py(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def is_null(self) -> bool:
        return False


@dataclass(eq=False)
class Scalar(Node):
    value: Any = None
    style: str = ""  # "" plain, "'" , '"', "|", ">"
    yaml_type: str = "str"  # str | int | float | bool | null
    source: list[str] = field(default_factory=list, repr=False)  # the document's lines (shared by its scalars)

    def to_py(self) -> Any:
        if self.tag:
            return _tagged(self.tag, self.value)
        return self.value

    def position_of(self, offset: int) -> tuple[int, int]:
        """The file's 1-based (line, column) of character `offset` of `text`;
        `len(text)` is the place just after the last character. Exact for every
        scalar style (escapes, `''`, folding, block indentation); never outside
        the scalar's own span."""
        spans = self._char_spans()
        if offset >= len(spans):
            line, _, end = spans[-1] if spans else (self.line, self.column, self.column)
            return line, end
        line, col, _ = spans[max(0, offset)]
        return line, col

    def span_of(self, start: int, end: int) -> tuple[int, int, int, int]:
        """The file span (line, column, end line, exclusive end column) of `text[start:end]`."""
        line, col = self.position_of(start)
        spans = self._char_spans()
        last = max(start, end - 1)
        if not spans:
            return line, col, line, col + 1
        end_line, _, end_col = spans[min(last, len(spans) - 1)]
        return line, col, end_line, end_col

    def _char_spans(self) -> list[tuple[int, int, int]]:
        """Per character of `text`: (line, column, exclusive end column) in the file."""
        cached: list[tuple[int, int, int]] | None = self.__dict__.get("_spans")
        if cached is None:
            cached = _scalar_spans(self)
            self.__dict__["_spans"] = cached
        return cached

    @property
    def is_null(self) -> bool:
        return self.yaml_type == "null"

    @property
    def text(self) -> str:
        """The value as text, whatever its type (None -> "")."""
        if self.value is None:
            return ""
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)


@dataclass(eq=False)
class Sequence(Node):
    items: list[Node] = field(default_factory=list)

    def to_py(self) -> Any:
        value = [item.to_py() for item in self.items]
        return _tagged(self.tag, value) if self.tag else value

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(eq=False)
class Mapping(Node):
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    # key text -> (key node, value node) of its last occurrence, built on the
    # first lookup (a linear scan per lookup made 12k-resource templates quadratic)
    _index: dict[str, tuple[Node, Node]] | None = field(default=None, repr=False)
    _indexed: int = field(default=0, repr=False)

    def to_py(self) -> Any:
        value = {_key_text(k): v.to_py() for k, v in self.pairs}
        return _tagged(self.tag, value) if self.tag else value

    def _lookup(self) -> dict[str, tuple[Node, Node]]:
        if self._index is None or self._indexed != len(self.pairs):
            self._index = {_key_text(k): (k, v) for k, v in self.pairs}
            self._indexed = len(self.pairs)
        return self._index

    def get(self, key: str, default: Node | None = None) -> Node | None:
        """The value for `key` (the last one wins, as in every YAML loader)."""
        found = self._lookup().get(key)
        return found[1] if found is not None else default

    def get_ci(self, key: str) -> Node | None:
        """Case-insensitive lookup (appspec keys differ in case per platform)."""
        lowered = key.lower()
        found = None
        for k, v in self.pairs:
            if _key_text(k).lower() == lowered:
                found = v
        return found

    def key_node(self, key: str) -> Node | None:
        found = self._lookup().get(key)
        return found[0] if found is not None else None

    def keys(self) -> list[str]:
        return [_key_text(k) for k, _ in self.pairs]

    def items(self) -> Iterator[tuple[str, Node, Node]]:
        """(key text, key node, value node) in document order."""
        for k, v in self.pairs:
            yield _key_text(k), k, v

    def __contains__(self, key: object) -> bool:
        return key in self._lookup()

    def __len__(self) -> int:
        return len(self.pairs)


def _key_text(node: Node) -> str:
    if isinstance(node, Scalar):
        return node.text
    return f"<{type(node).__name__.lower()}@{node.line}:{node.column}>"


# CloudFormation short-form tags map to their long form when a document is
# turned into plain Python (for jsonschema and value checks).
_SHORT_FORMS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
}


def _tagged(tag: str, value: Any) -> Any:
    if tag in _SHORT_FORMS:
        return {_SHORT_FORMS[tag]: value}
    if tag == "!GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    if tag.startswith("!") and len(tag) > 1:
        return {"Fn::" + tag[1:]: value}
    return value


@dataclass(eq=False)
class DuplicateKey:
    key: Node
    first: Node
    name: str


@dataclass(eq=False)
class Document:
    """A loaded YAML/JSON file: its roots (one per YAML document) and its text."""

    path: str
    text: str
    roots: list[Node]
    duplicates: list[DuplicateKey] = field(default_factory=list)
    is_json: bool = False

    @property
    def root(self) -> Node | None:
        return self.roots[0] if self.roots else None

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()


# --- loading -----------------------------------------------------------------

_SCALAR_TYPES = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "str",
    "tag:yaml.org,2002:binary": "str",
}
_STANDARD_PREFIX = "tag:yaml.org,2002:"


def load(text: str, path: str = "<string>", is_json: bool | None = None) -> Document:
    """Load YAML or JSON text. Raises ParseError with an exact position."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if is_json is None:
        is_json = path.lower().endswith(".json")
    _prescan_depth(text)
    try:
        roots_raw = _compose_all(text)
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None
    except Exception as exc:  # ruamel raises many error types
        raise _as_parse_error(exc, text) from None
    converter = _Converter(text)
    try:
        roots = [converter.convert(r, 0) for r in roots_raw if r is not None]
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None
    return Document(path=path, text=text, roots=roots, duplicates=converter.duplicates, is_json=is_json)


def _compose_all(text: str) -> list[Any]:
    """Node graphs of every document: libyaml's composer when ruamel.yaml.clib
    is installed (about 15x faster), ruamel's pure-Python one otherwise and
    whenever libyaml refuses the text (ruamel is the authority on errors)."""
    try:
        from ruamel.yaml.cyaml import CSafeLoader
    except ImportError:
        pass
    else:
        loader = CSafeLoader(io.StringIO(text))
        try:
            nodes = []
            while loader.check_node():
                nodes.append(loader.get_node())
            return nodes
        except RecursionError:
            raise
        except Exception:
            pass
        finally:
            loader.dispose()
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = True
    return list(yaml.compose_all(io.StringIO(text)))


def _as_parse_error(exc: Exception, text: str) -> ParseError:
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    context = getattr(exc, "context", None)
    message = str(problem)
    if context:
        message = f"{message} ({context}{_at(context_mark)})"
    mark = problem_mark or context_mark
    # An error found at the end of the stream (an unclosed quote or bracket) is
    # fixed where the construct started: point there.
    if problem_mark is not None and context_mark is not None and problem_mark.index >= len(text.rstrip()):
        mark = context_mark
    if mark is None:
        return ParseError(message)
    line, column = mark.line + 1, mark.column + 1
    lines = text.splitlines() or [""]
    if line > len(lines):
        line, column = len(lines), len(lines[-1]) + 1
    return ParseError(message, line, column)


def _at(mark: Any) -> str:
    return f" started at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


_OPENERS = re.compile(r"[\[\{]")


def _prescan_depth(text: str) -> None:
    """Reject absurd flow nesting before the recursive composer sees it."""
    if text.count("[") + text.count("{") < _MAX_PRESCAN_DEPTH:
        return
    depth = 0
    in_string = ""
    escaped = False
    line, col = 1, 0
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
            if in_string == "'":
                continue
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\" and in_string == '"':
                escaped = True
            elif ch == in_string:
                in_string = ""
            continue
        if ch in "\"'":
            in_string = ch
        elif ch in "[{":
            depth += 1
            if depth > _MAX_PRESCAN_DEPTH:
                raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", line, col)
        elif ch in "]}":
            depth = max(0, depth - 1)


class _Converter:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.duplicates: list[DuplicateKey] = []
        self.memo: dict[int, Node] = {}
        self.expanded = 0

    def convert(self, raw: Any, depth: int) -> Node:
        if depth > MAX_DEPTH:
            mark = raw.start_mark
            raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1)
        cached = self.memo.get(id(raw))
        if cached is not None:
            # An alias: the node is shared, but its size still counts, so a
            # billion-laughs graph is refused instead of walked.
            self.expanded += _size(cached)
            self._check_budget(raw)
            return cached
        self.expanded += 1
        self._check_budget(raw)
        node = self._build(raw, depth)
        self.memo[id(raw)] = node
        return node

    def _check_budget(self, raw: Any) -> None:
        if self.expanded > MAX_EXPANDED_NODES:
            mark = raw.start_mark
            raise ParseError(
                f"alias expansion exceeds {MAX_EXPANDED_NODES} nodes (billion-laughs pattern)",
                mark.line + 1,
                mark.column + 1,
            )

    def _span(self, raw: Any) -> tuple[int, int, int, int]:
        start, end = raw.start_mark, raw.end_mark
        line, col = start.line + 1, start.column + 1
        end_line, end_col = end.line + 1, end.column + 1
        if end.column == 0 and end.line > start.line:
            # Block nodes end at the start of the next line: pull the end back
            # to the end of the last line that holds content.
            end_line = end.line
            while end_line > line and not self.lines[end_line - 1].strip():
                end_line -= 1
            end_col = len(self.lines[end_line - 1]) + 1 if end_line - 1 < len(self.lines) else 1
        if end_line == line and end_col <= col:
            end_col = col + 1
        return line, col, end_line, end_col

    def _build(self, raw: Any, depth: int) -> Node:
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        tag_text = str(raw.tag) if raw.tag is not None else ""
        explicit = "" if tag_text.startswith(_STANDARD_PREFIX) or not tag_text else tag_text
        line, col, end_line, end_col = self._span(raw)
        if isinstance(raw, MappingNode):
            mapping = Mapping(line, col, end_line, end_col, explicit)
            self._fill_mapping(mapping, raw, depth)
            return mapping
        if isinstance(raw, SequenceNode):
            sequence = Sequence(line, col, end_line, end_col, explicit)
            sequence.items = [self.convert(item, depth + 1) for item in raw.value]
            return sequence
        yaml_type = _SCALAR_TYPES.get(tag_text, "str")
        return Scalar(
            line,
            col,
            end_line,
            end_col,
            explicit,
            value=_scalar_value(raw.value, yaml_type),
            style=raw.style or "",
            yaml_type=yaml_type,
            source=self.lines,
        )

    def _fill_mapping(self, node: Mapping, raw: Any, depth: int) -> None:
        seen: dict[str, Node] = {}
        merged: list[tuple[Node, Node]] = []
        for raw_key, raw_value in raw.value:
            key = self.convert(raw_key, depth + 1)
            if isinstance(key, Scalar) and key.text == "<<" and key.style == "":
                merged.extend(self._merge_pairs(self.convert(raw_value, depth + 1)))
                continue
            value = self.convert(raw_value, depth + 1)
            name = _key_text(key)
            if name in seen:
                self.duplicates.append(DuplicateKey(key=key, first=seen[name], name=name))
            else:
                seen[name] = key
            node.pairs.append((key, value))
        # Explicit keys override merged ones; a merge never counts as a duplicate.
        for key, value in merged:
            name = _key_text(key)
            if name not in seen:
                seen[name] = key
                node.pairs.append((key, value))

    @staticmethod
    def _merge_pairs(value: Node) -> list[tuple[Node, Node]]:
        if isinstance(value, Mapping):
            return list(value.pairs)
        if isinstance(value, Sequence):
            pairs: list[tuple[Node, Node]] = []
            for item in value.items:
                if isinstance(item, Mapping):
                    pairs.extend(item.pairs)
            return pairs
        return []


def _size(node: Node) -> int:
    if isinstance(node, Mapping):
        return 1 + sum(_size(k) + _size(v) for k, v in node.pairs)
    if isinstance(node, Sequence):
        return 1 + sum(_size(i) for i in node.items)
    return 1


def _scalar_value(text: str, yaml_type: str) -> Any:
    try:
        if yaml_type == "null":
            return None
        if yaml_type == "bool":
            return text.strip().lower() in ("true", "yes", "on", "y")
        if yaml_type == "int":
            cleaned = text.replace("_", "")
            if cleaned.lower().startswith(("0x", "-0x", "+0x")):
                return int(cleaned, 16)
            if cleaned.lower().startswith(("0o", "-0o", "+0o")):
                return int(cleaned, 8)
            return int(cleaned)
        if yaml_type == "float":
            low = text.strip().lower()
            if low in (".inf", "+.inf"):
                return math.inf
            if low == "-.inf":
                return -math.inf
            if low == ".nan":
                return math.nan
            return float(text.replace("_", ""))
    except ValueError:
        return text
    return text


# --- positions inside a scalar ------------------------------------------------------
#
# A scalar's value differs from its source text: quotes, escapes, `''`, line
# folding and block indentation. Each style is mapped character by character
# and checked against the value; anything that does not check out (a plain
# `0x1F` read as 31, an unusual layout) is aligned greedily instead.

_ESCAPE_WIDTH = {"x": 4, "u": 6, "U": 10}
_SIMPLE_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r", "e": "\x1b",
                   " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}


def _scalar_spans(scalar: Scalar) -> list[tuple[int, int, int]]:
    value = scalar.text
    source = _source_text(scalar)
    spans: list[tuple[int, int]] | None = None  # per character: (index in source, width)
    if scalar.style == "|":
        spans = _literal_spans(scalar, value)
        if spans is not None:
            return [(line, col, col + 1) for line, col in spans]
    elif scalar.style in ("'", '"'):
        spans = _quoted_spans(source, scalar.style, value)
    elif scalar.style == "" and source == value:
        spans = [(i, 1) for i in range(len(value))]
    if spans is None:
        spans = _aligned_spans(source, value, _header_length(scalar, source))
    out = []
    for index, width in spans:
        line, col = _source_position(scalar, source, index)
        out.append((line, col, col + width if source.find("\n", index, index + width) < 0 else col + 1))
    return out


def _source_text(scalar: Scalar) -> str:
    """The scalar's source, from its first character to its last, lines joined by \\n."""
    lines = scalar.source
    if not 0 < scalar.line <= len(lines):
        return ""
    if scalar.line == scalar.end_line:
        return lines[scalar.line - 1][scalar.column - 1 : scalar.end_column - 1]
    parts = [lines[scalar.line - 1][scalar.column - 1 :]]
    for number in range(scalar.line + 1, min(scalar.end_line, len(lines)) + 1):
        text = lines[number - 1]
        parts.append(text[: scalar.end_column - 1] if number == scalar.end_line else text)
    return "\n".join(parts)


def _source_position(scalar: Scalar, source: str, index: int) -> tuple[int, int]:
    before = source[:index]
    newline = before.rfind("\n")
    if newline < 0:
        return scalar.line, scalar.column + index
    return scalar.line + before.count("\n"), index - newline


def _literal_spans(scalar: Scalar, value: str) -> list[tuple[int, int]] | None:
    """`|` blocks: value line i is file line `line + 1 + i`, shifted by the
    block's indentation; None when a line does not match."""
    lines = scalar.source
    indent = _block_indent(scalar)
    out: list[tuple[int, int]] = []
    for i, text in enumerate(value.split("\n")):
        number = scalar.line + 1 + i
        if text and (number > len(lines) or lines[number - 1][indent:] != text):
            return None
        if number > scalar.end_line:  # kept trailing line breaks (`|+`) end where the scalar does
            out.append((scalar.end_line, scalar.end_column))
            continue
        out.extend((number, indent + 1 + j) for j in range(len(text)))
        out.append((number, indent + len(text) + 1))  # the line break
    return out[: len(value)]


def _block_indent(scalar: Scalar) -> int:
    lines = scalar.source
    header = lines[scalar.line - 1] if 0 < scalar.line <= len(lines) else ""
    explicit = re.search(r"[|>][+-]?(\d)|[|>](\d)[+-]?", header[scalar.column - 1 :])
    if explicit:
        parent = len(header) - len(header.lstrip(" "))
        return parent + int(explicit.group(1) or explicit.group(2))
    for number in range(scalar.line + 1, min(scalar.end_line, len(lines)) + 1):
        text = lines[number - 1]
        if text.strip():
            return len(text) - len(text.lstrip(" "))
    return scalar.column


def _quoted_spans(source: str, quote: str, value: str) -> list[tuple[int, int]] | None:
    """Quoted scalars: decode the source as YAML does (escapes, `''`, folded
    line breaks) keeping each character's source index; None unless the
    decoded text is exactly the value."""
    out: list[tuple[int, int]] = []
    decoded: list[str] = []
    i, n = 1, len(source)
    while i < n:
        ch = source[i]
        if ch == quote:
            if quote == "'" and source[i + 1 : i + 2] == "'":
                out.append((i, 2))
                decoded.append("'")
                i += 2
                continue
            break
        if ch == "\\" and quote == '"' and i + 1 < n:
            nxt = source[i + 1]
            if nxt == "\n":  # an escaped line break joins the lines without a space
                i += 2
                while i < n and source[i] in " \t":
                    i += 1
                continue
            width = _ESCAPE_WIDTH.get(nxt, 2)
            char = _decode_escape(source[i : i + width])
            if char is None:
                return None
            out.append((i, width))
            decoded.append(char)
            i += width
            continue
        if ch in " \t":
            j = i
            while j < n and source[j] in " \t":
                j += 1
            if j >= n or source[j] != "\n":  # inner whitespace: kept, the whole run at once (linear)
                out.extend((k, 1) for k in range(i, j))
                decoded.append(source[i:j])
            i = j  # trailing whitespace before a line break is not part of the value
            continue
        if ch == "\n":
            # a line break folds to one space, or to n-1 newlines before blank lines
            j, breaks = i, 0
            while j < n and source[j] in " \t\n":
                breaks += source[j] == "\n"
                j += 1
            folded = " " if breaks == 1 else "\n" * (breaks - 1)
            out.extend((i, 1) for _ in folded)
            decoded.append(folded)
            i = j
            continue
        out.append((i, 1))
        decoded.append(ch)
        i += 1
    return out if "".join(decoded) == value else None


def _decode_escape(escape: str) -> str | None:
    kind = escape[1:2]
    if kind in _ESCAPE_WIDTH:
        try:
            return chr(int(escape[2:], 16))
        except ValueError:
            return None
    return _SIMPLE_ESCAPES.get(kind)


def _header_length(scalar: Scalar, source: str) -> int:
    """Source characters before the value: an opening quote or a `>` header line."""
    if scalar.style in ("'", '"'):
        return 1
    if scalar.style in (">", "|"):
        newline = source.find("\n")
        return newline + 1 if newline >= 0 else len(source)
    return 0


def _aligned_spans(source: str, value: str, start: int) -> list[tuple[int, int]]:
    """Walk value and source together: folding and escapes make the source
    longer, never shorter, so a greedy match is enough. A character that
    cannot be found keeps the previous one's place."""
    out: list[tuple[int, int]] = []
    s, last = start, min(start, max(0, len(source) - 1))
    for v, target in enumerate(value):
        folds = target in " \n"
        probe = s
        while probe < len(source) and (source[probe] not in " \t\n" if folds else source[probe] != target):
            probe += 1
        if probe >= len(source):
            out.append((last, 1))
            continue
        out.append((probe, 1))
        last, s = probe, probe + 1
        if folds:  # the folded whitespace: consume the run (line break + indentation)
            while s < len(source) and source[s] in " \t\n" and (v + 1 >= len(value) or value[v + 1] not in " \t\n"):
                s += 1
    return out


# --- helpers rules use --------------------------------------------------------


def walk(node: Node) -> Iterator[Node]:
    """Every node below (and including) `node`, depth first, each once."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, Mapping):
            for k, v in reversed(current.pairs):
                stack.append(v)
                stack.append(k)
        elif isinstance(current, Sequence):
            stack.extend(reversed(current.items))


def intrinsic(node: Node) -> tuple[str, Node] | None:
    """A CloudFormation intrinsic in short (`!Sub x`) or long (`{"Fn::Sub": x}`)
    form, as (function name, argument node); None for anything else."""
    if node.tag.startswith("!") and len(node.tag) > 1:
        name = _SHORT_FORMS.get(node.tag) or "Fn::" + node.tag[1:]
        return name, node
    if isinstance(node, Mapping) and len(node.pairs) == 1:
        key, value = node.pairs[0]
        name = _key_text(key)
        if name == "Ref" or name == "Condition" or name.startswith("Fn::"):
            return name, value
    return None


def node_at_path(root: Node, path: list[Any]) -> Node:
    """Follow a jsonschema-style path (keys and indexes) as far as it goes."""
    node = root
    for part in path:
        if isinstance(node, Mapping) and isinstance(part, str):
            nxt = node.get(part)
        elif isinstance(node, Sequence) and isinstance(part, int) and 0 <= part < len(node.items):
            nxt = node.items[part]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
    return node
