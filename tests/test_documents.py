"""The loader: exact spans, tags, duplicates, merges, bounds."""

from __future__ import annotations

import pytest

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
