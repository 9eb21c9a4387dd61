"""GitHub's primaryLocationLineHash, checked against the expected values in
github/codeql-action's own unit tests (src/fingerprints.test.ts, "hash" test,
at commit f3f1edbedfb4a1d188d344570834df2996d45d39). Those tests expect one
hash per line as split by /\\r\\n|\\r|\\n/, including the empty last line."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lintkit.report.fingerprint import WINDOW, LineHasher, line_hashes

EMPTY = "c129715d7a2bc9a3:1"  # also the hash of a trailing empty line
GREETINGS = [
    "e9496ae3ebfced30:1",
    "fb7c023a8b9ccb3f:1",
    "ce8ba1a563dcdaca:1",
    "e20e36e16fcb0cc8:1",
    "b3edc88f2938467e:1",
    "c8e28b0b4002a3a0:1",
    EMPTY,
]


def test_empty_file() -> None:
    assert line_hashes("") == [EMPTY]


def test_blanks_are_ignored() -> None:
    assert line_hashes(" a\nb\n  \t\tc\n d") == [
        "271789c17abda88f:1",
        "54703d4cd895b18:1",
        "180aee12dab6264:1",
        "a23a3dc5e078b07b:1",
    ]


def test_no_trailing_newline() -> None:
    assert line_hashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End") == [
        "8b7cf3e952e7aeb2:1",
        "b1ae1287ec4718d9:1",
        "bff680108adb0fcc:1",
        "c6805c5e1288b612:1",
        "b86d3392aea1be30:1",
        "e6ceba753e1a442:1",
    ]


def test_every_line_ending_gives_the_same_hashes() -> None:
    assert line_hashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n") == GREETINGS
    assert line_hashes(" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r") == GREETINGS
    assert line_hashes(" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n") == GREETINGS
    assert line_hashes(" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n") == GREETINGS


def test_identical_windows_are_counted() -> None:
    assert line_hashes("Lorem ipsum dolor sit amet.\n" * 10) == [
        "a7f2ff13bc495cf2:1",
        "a7f2ff13bc495cf2:2",
        "a7f2ff13bc495cf2:3",
        "a7f2ff13bc495cf2:4",
        "a7f2ff13bc495cf2:5",
        "a7f2ff13bc495cf2:6",
        "a7f2ff1481e87703:1",
        "a9cf91f7bbf1862b:1",
        "55ec222b86bcae53:1",
        "cc97dc7b1d7d8f7b:1",
        EMPTY,
    ]


def test_code() -> None:
    assert line_hashes("x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n") == [
        "e54938cc54b302f1:1",
        "bb609acbe9138d60:1",
        "1131fd5871777f34:1",
        "5c482a0f8b35ea28:1",
        "54517377da7028d2:1",
        "2c644846cb18d53e:1",
        "f1b89f20de0d133:1",
        EMPTY,
    ]


def _direct(text: str) -> list[str]:
    """The definition, computed window by window (no rolling): an independent
    check of the O(n) implementation, including UTF-16 surrogate pairs."""
    units: list[int] = []
    starts = [0]
    for ch in re.sub(r"\r\n?", "\n", text):
        if ch in " \t":
            continue
        encoded = ch.encode("utf-16-le")
        units.extend(int.from_bytes(encoded[i : i + 2], "little") for i in range(0, len(encoded), 2))
        if ch == "\n":
            starts.append(len(units))
    stream = units + [0xFFFF] + [0] * WINDOW
    seen: dict[str, int] = {}
    out = []
    for start in starts:
        value = 0
        for unit in stream[start : start + WINDOW]:
            value = (value * 37 + unit) % (1 << 64)
        hexed = format(value, "x")
        seen[hexed] = seen.get(hexed, 0) + 1
        out.append(f"{hexed}:{seen[hexed]}")
    return out


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t\r\n{}:-é✓😀")), max_size=400))
def test_rolling_hash_matches_the_definition(text: str) -> None:
    assert line_hashes(text) == _direct(text)


def test_line_hasher_caches_per_file_and_clamps_lines() -> None:
    hasher = LineHasher()
    text = "x = 2\nx = 1\n"
    expected = line_hashes(text)
    assert len(expected) == 3
    assert hasher.hash_for("a.py", text, 2) == expected[1]
    assert hasher.hash_for("a.py", "ignored: the file is hashed once", 1) == expected[0]
    assert hasher.hash_for("a.py", text, 99) == expected[2] == EMPTY
