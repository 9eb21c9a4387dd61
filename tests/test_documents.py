"""The loader: exact spans, tags, duplicates, merges, bounds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lintkit.documents import (
    MAX_DEPTH,
    Mapping,
    ParseError,
    Scalar,
    Sequence,
    intrinsic,
    load,
    node_at_path,
    walk,
)


def test_spans_are_one_based_with_exclusive_end() -> None:
    doc = load("version: 0.2\nphases:\n  build:\n    commands:\n      - make all\n")
    root = doc.root
    assert isinstance(root, Mapping)
    version = root.get("version")
    assert isinstance(version, Scalar)
    assert (version.line, version.column, version.end_line, version.end_column) == (1, 10, 1, 13)
    assert version.value == 0.2 and version.yaml_type == "float"
    cmd = node_at_path(root, ["phases", "build", "commands", 0])
    assert isinstance(cmd, Scalar) and cmd.value == "make all"
    assert (cmd.line, cmd.column, cmd.end_column) == (5, 9, 17)
    key = root.key_node("phases")
    assert (key.line, key.column, key.end_column) == (2, 1, 7)


def test_block_scalar_span_ends_on_last_content_line() -> None:
    doc = load("a: |\n  one\n  two\n\nb: 1\n")
    node = doc.root.get("a")
    assert node.style == "|"
    assert (node.line, node.end_line) == (1, 3)


def test_json_uses_the_same_loader_with_positions() -> None:
    doc = load('{\n  "a": [1, "x"],\n  "b": {"c": null}\n}\n', "t.json")
    assert doc.is_json
    a = doc.root.get("a")
    assert isinstance(a, Sequence) and (a.line, a.column) == (2, 8)
    assert doc.root.get("b").get("c").is_null


def test_cloudformation_short_tags_load_and_convert_to_long_form() -> None:
    doc = load("A: !Ref Foo\nB: !GetAtt Res.Arn\nC: !Sub 'x-${AWS::Region}'\nD: !If [c, 1, 2]\n")
    root = doc.root
    assert root.get("A").tag == "!Ref"
    assert root.to_py() == {
        "A": {"Ref": "Foo"},
        "B": {"Fn::GetAtt": ["Res", "Arn"]},
        "C": {"Fn::Sub": "x-${AWS::Region}"},
        "D": {"Fn::If": ["c", 1, 2]},
    }
    assert intrinsic(root.get("A"))[0] == "Ref"
    long_form = load('{"X": {"Fn::Sub": "a"}}', "t.json").root.get("X")
    name, arg = intrinsic(long_form)
    assert name == "Fn::Sub" and arg.value == "a"
    assert intrinsic(root.get("A").__class__(1, 1, 1, 2, "", value="plain")) is None


def test_duplicate_keys_are_kept_and_last_wins() -> None:
    doc = load("a: 1\nb: 2\na: 3\n")
    assert doc.root.get("a").value == 3
    [dup] = doc.duplicates
    assert dup.name == "a" and dup.key.line == 3 and dup.first.line == 1


def test_merge_key_override_is_not_a_duplicate() -> None:
    doc = load("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  x: 9\n")
    child = doc.root.get("child")
    assert child.get("x").value == 9 and child.get("y").value == 2
    assert doc.duplicates == []


def test_multi_document_yaml() -> None:
    doc = load("a: 1\n---\nb: 2\n")
    assert [r.keys() for r in doc.roots] == [["a"], ["b"]]


def test_parse_error_has_exact_position() -> None:
    with pytest.raises(ParseError) as err:
        load("a: 1\nb:\n\t- x\n")
    assert (err.value.line, err.value.column) == (3, 1)


def test_unclosed_quote_points_at_its_start() -> None:
    with pytest.raises(ParseError) as err:
        load('a:\n  - "open\n')
    assert err.value.line == 2 and err.value.column == 5


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(ParseError, match="alias expansion"):
        load("\n".join(lines) + "\n")


def test_deep_nesting_is_refused() -> None:
    deep = "[" * 20000 + "]" * 20000
    with pytest.raises(ParseError, match="nesting"):
        load(deep, "deep.json")
    deep_yaml = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "v: 1\n"
    with pytest.raises(ParseError, match="nesting"):
        load(deep_yaml)


def test_bom_and_crlf() -> None:
    doc = load("\ufeffa: 1\r\nb: x\r\n")
    assert doc.root.get("b").value == "x"
    assert (doc.root.get("b").line, doc.root.get("b").column) == (2, 4)


def test_walk_visits_each_node_once_even_with_aliases() -> None:
    doc = load("x: &x [1, 2]\ny: *x\n")
    nodes = list(walk(doc.root))
    assert len(nodes) == len({id(n) for n in nodes})


# --- positions inside scalars ------------------------------------------------------------------------------


def _commands(text: str) -> tuple[Any, list[Scalar]]:
    doc = load(text, "buildspec.yml")
    items = node_at_path(doc.root, ["phases", "build", "commands"])
    assert isinstance(items, Sequence)
    return doc, [item for item in items if isinstance(item, Scalar)]


def test_position_in_plain_and_quoted_scalars() -> None:
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - curl -k x\n      - 'curl -k y'\n      - \"curl \\\"-k\\\" z\"\n"
    doc, (plain, single, double) = _commands(text)
    assert plain.position_of(5) == (5, 14)
    assert single.position_of(5) == (6, 15)
    # escapes make the source longer than the value: `\"-k\"` -> `"-k"`
    assert double.text == 'curl "-k" z'
    line, col = double.position_of(6)
    assert doc.lines[line - 1][col - 1 : col + 1] == "-k"


def test_position_in_single_quote_with_escaped_quote() -> None:
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - 'echo ''hi'' && curl -k x'\n"
    doc, (scalar,) = _commands(text)
    offset = scalar.text.index("-k")
    line, col = scalar.position_of(offset)
    assert doc.lines[line - 1][col - 1 : col + 1] == "-k"


@pytest.mark.parametrize("indicator", ["|", "|-", "|+", "|2"])
def test_position_in_literal_blocks(indicator: str) -> None:
    body = ["set -e", "  npm ci", "", "curl -k https://x"]
    indent = "        "
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - " + indicator + "\n" + "\n".join(indent + b if b else "" for b in body) + "\n"
    doc, (scalar,) = _commands(text)
    offset = scalar.text.index("-k")
    line, col = scalar.position_of(offset)
    assert (line, doc.lines[line - 1][col - 1 : col + 1]) == (9, "-k")
    offset = scalar.text.index("npm")
    assert scalar.position_of(offset) == (7, 11)


def test_position_in_folded_block_and_multiline_plain() -> None:
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - >-\n        curl -s https://x\n        | bash\n      - curl -s https://y\n        | sh -k\n"
    _, (folded, plain) = _commands(text)
    assert folded.text == "curl -s https://x | bash"
    assert folded.position_of(folded.text.index("bash")) == (7, 11)
    assert plain.text == "curl -s https://y | sh -k"
    assert plain.position_of(plain.text.index("-k")) == (9, 14)


def test_position_with_crlf_and_tabs_inside_commands() -> None:
    text = "version: 0.2\r\nphases:\r\n  build:\r\n    commands:\r\n      - \"make\\tall && curl -k x\"\r\n"
    doc, (scalar,) = _commands(text)
    line, col = scalar.position_of(scalar.text.index("-k"))
    assert doc.lines[line - 1][col - 1 : col + 1] == "-k"


def test_position_in_multiline_quoted_scalars() -> None:
    text = (
        'version: 0.2\nphases:\n  build:\n    commands:\n'
        '      - "echo start &&   \n        curl -k https://x"\n'
        "      - 'it''s ok &&\n\n        curl -k y'\n"
    )
    doc, (double, single) = _commands(text)
    assert double.text == "echo start && curl -k https://x"
    line, col = double.position_of(double.text.index("-k"))
    assert (line, doc.lines[line - 1][col - 1 : col + 1]) == (6, "-k")
    assert single.text == "it's ok &&\ncurl -k y"
    line, col = single.position_of(single.text.index("-k"))
    assert (line, doc.lines[line - 1][col - 1 : col + 1]) == (9, "-k")


def test_position_through_json_escapes() -> None:
    text = '{"cmd": "a\\u00e9\\ud83d\\ude00 \\"b\\" \\\\ curl -k"}\n'
    doc = load(text, "x.json")
    scalar = doc.root.get("cmd")
    assert isinstance(scalar, Scalar) and scalar.text == 'a\u00e9\ud83d\ude00 "b" \\ curl -k'
    assert scalar.position_of(scalar.text.index("-k"))[0] == 1
    col = scalar.position_of(scalar.text.index("-k"))[1]
    assert text[col - 1 : col + 1] == "-k"
    assert scalar.span_of(1, 2) == (1, 11, 1, 17)  # \u00e9
    assert scalar.span_of(2, 4) == (1, 17, 1, 29)  # a surrogate pair: two escapes, two characters


def test_span_of_ends_after_the_last_character() -> None:
    doc = load("k:\n  - |\n    one two\n    three\n")
    scalar = node_at_path(doc.root, ["k", 0])
    assert isinstance(scalar, Scalar)
    start = scalar.text.index("two")
    assert scalar.span_of(start, start + 3) == (3, 9, 3, 12)
    assert scalar.span_of(start, scalar.text.index("three") + 5) == (3, 9, 4, 10)
    assert scalar.position_of(len(scalar.text)) == (4, 11)  # just after the last character


_QUOTABLE = st.text(alphabet="ab c:#-'\"\\\té$", max_size=30)


@settings(max_examples=150, deadline=None)
@given(_QUOTABLE, st.sampled_from(["plain", "'", '"', "|", ">"]), st.sampled_from([20, 4096]))
def test_every_character_maps_to_its_source(value: str, style: str, width: int) -> None:
    """Whatever the style ruamel writes a value in, each non-blank character
    lands on itself in the source (or on the backslash of its escape) and
    never outside the scalar."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString, SingleQuotedScalarString

    wrap = {"plain": str, "'": SingleQuotedScalarString, '"': DoubleQuotedScalarString, "|": LiteralScalarString, ">": FoldedScalarString}[style]
    yaml = YAML()
    yaml.width = width
    out = io.StringIO()
    yaml.dump({"k": [wrap(value)]}, out)
    try:
        doc = load(out.getvalue())
    except ParseError:
        return
    scalar = node_at_path(doc.root, ["k", 0])
    assert isinstance(scalar, Scalar)
    lines = doc.lines
    for offset, char in enumerate(scalar.text):
        line, col = scalar.position_of(offset)
        assert scalar.line <= line <= scalar.end_line
        if char in " \t\n" or char not in value:
            continue
        assert lines[line - 1][col - 1] in (char, "\\"), (out.getvalue(), offset)
