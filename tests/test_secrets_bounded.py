"""Bounded work: every pattern lintkit.secrets runs on repository text is linear-time.

Two proofs, one per kind of catastrophic backtracking:

- by structure: no quantifier inside another, and no variable quantifier whose
  characters can also start what follows it (`\\s*(?:=|\\s)\\s*`, the shape that made
  `aws_secret_access_key` + 20k spaces take 8.8 s);
- by measurement: each pattern, and the public functions end to end, over long runs of
  every character class and near misses of every format, under a small time limit.

Plus the reproducers from the hostile-repository issue, end to end through lintkit.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import time
from pathlib import Path

import pytest

from lintkit import secrets
from tests.helpers import run_paths

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
else:  # pragma: no cover
    import sre_constants
    import sre_parse

ALPHABET = frozenset(chr(i) for i in range(128)) | {"é", "\u2028"}


def all_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern of the module and of its model."""
    found = {name: value for name, value in vars(secrets).items() if isinstance(value, re.Pattern)}
    model = secrets.model()
    for field in dataclasses.fields(model):
        value = getattr(model, field.name)
        if isinstance(value, re.Pattern):
            found[f"model.{field.name}"] = value
    for fmt in model.formats:
        found[f"format.{fmt.kind}"] = fmt.pattern
    return found


# --- structure -----------------------------------------------------------------------------

_IGNORECASE = sre_constants.SRE_FLAG_IGNORECASE


def _category(ch: str, category: object) -> bool:
    name = str(category)
    test = {"DIGIT": ch.isdigit(), "SPACE": ch.isspace(), "WORD": ch.isalnum() or ch == "_"}
    for key, value in test.items():
        if name.endswith("NOT_" + key):
            return not value
        if name.endswith(key):
            return value
    return True


def _in(ch: str, items: list) -> bool:
    negate, hit = False, False
    for op, av in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            hit |= ch == chr(av)
        elif op is sre_constants.RANGE:
            hit |= av[0] <= ord(ch) <= av[1]
        elif op is sre_constants.CATEGORY:
            hit |= _category(ch, av)
    return hit != negate


def _fold(chars: set[str], flags: int) -> set[str]:
    return chars | {c.swapcase() for c in chars} if flags & _IGNORECASE else chars


def _first(seq: list, flags: int) -> tuple[set[str], bool]:
    """(characters that can start `seq`, whether `seq` can match the empty string)."""
    out: set[str] = set()
    for op, av in seq:
        chars, nullable = _first_item(op, av, flags)
        out |= chars
        if not nullable:
            return out, False
    return out, True


def _first_item(op: object, av: object, flags: int) -> tuple[set[str], bool]:
    if op is sre_constants.LITERAL:
        return _fold({chr(av)}, flags), False
    if op is sre_constants.NOT_LITERAL:
        return set(ALPHABET) - _fold({chr(av)}, flags), False
    if op is sre_constants.ANY:
        return set(ALPHABET), False
    if op is sre_constants.IN:
        return _fold({c for c in ALPHABET if _in(c, av)}, flags), False
    if op is sre_constants.SUBPATTERN:
        return _first(list(av[-1]), flags | av[1])
    if op is sre_constants.BRANCH:
        chars, nullable = set(), False
        for alt in av[1]:
            c, n = _first(list(alt), flags)
            chars |= c
            nullable |= n
        return chars, nullable
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        chars, nullable = _first(list(av[2]), flags)
        return chars, nullable or av[0] == 0
    if op is sre_constants.ASSERT and av[0] == 1:
        return _first(list(av[1]), flags)[0], True  # a lookahead's failure backtracks what precedes it
    return set(), True  # anchors, lookbehinds, lookahead-nots: consume nothing


def _has_repeat(seq: list) -> bool:
    for op, av in seq:
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[1] > 1:
            return True
        if op is sre_constants.SUBPATTERN and _has_repeat(list(av[-1])):
            return True
        if op is sre_constants.BRANCH and any(_has_repeat(list(alt)) for alt in av[1]):
            return True
    return False


def _problems(seq: list, follow: set[str], flags: int) -> list[str]:
    found: list[str] = []
    for i, (op, av) in enumerate(seq):
        rest, nullable = _first(seq[i + 1 :], flags)
        after = rest | follow if nullable else rest
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, high, body = av[0], av[1], list(av[2])
            if high > 1 and _has_repeat(body):
                found.append(f"quantifier inside a quantifier at item {i}")
            starts, _ = _first(body, flags)
            if low != high and starts & after:
                found.append(f"item {i} can give up or take {sorted(starts & after)[:5]} that what follows can match")
            found += _problems(body, starts | after, flags)
        elif op is sre_constants.SUBPATTERN:
            found += _problems(list(av[-1]), after, flags | av[1])
        elif op is sre_constants.BRANCH:
            for alt in av[1]:
                found += _problems(list(alt), after, flags)
    return found


def structure_problems(pattern: re.Pattern[str]) -> list[str]:
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    return _problems(list(parsed), set(), pattern.flags)


@pytest.mark.parametrize("name", sorted(all_patterns()))
def test_pattern_has_no_nested_or_overlapping_quantifiers(name: str) -> None:
    assert structure_problems(all_patterns()[name]) == []


def test_the_structure_check_catches_the_old_patterns() -> None:
    # The private-key and secret-key patterns this module replaced, and classic cases.
    old = [
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\n|\s)*(?:[A-Za-z0-9+/=:\-, ]+(?:\\n|\s)+)*?[A-Za-z0-9+/=]{40,}",
        r"(?i:aws_?secret_?access_?key)[\"']?\s*(?:=|:|\s)\s*[\"']?([A-Za-z0-9/+]{40})",
        r"(a+)+b",
        r"\s*\s*x",
        r"[a-z]+[a-z0-9]+",
    ]
    for source in old:
        assert structure_problems(re.compile(source)), source


# --- measurement ----------------------------------------------------------------------------

RUN = 10_000
CLASSES = "aZ09 \t\n/+=-_.:@\"'`$%{}()[]<>#*\\!,;|&~é"


def worst_cases() -> list[str]:
    cases = [ch * RUN for ch in CLASSES]
    cases += [(a + b) * (RUN // 2) for a, b in ("a ", "a:", "a=", "a.", "a-", "a/", "a@", "A1", "- ", ":/", "\\n", "a\n", "${")]
    cases += ["ab " * (RUN // 3), "a: b\n" * (RUN // 5), "x=y " * (RUN // 4), "http://a:" * (RUN // 9)]
    for fmt in secrets.model().formats:
        for prefix in fmt.prefixes[:2]:
            cases.append(prefix * (RUN // len(prefix)))
            cases.append(prefix + "A1b2" * (RUN // 4))
            cases.append((prefix + "Zq8" * 8 + " ") * (RUN // (len(prefix) + 25)))
    for keyword in ("aws_secret_access_key", "password", "--password", "Authorization: Bearer", "_authToken", "Name: PASSWORD\n"):
        cases += [keyword + " " * RUN, (keyword + " ") * (RUN // (len(keyword) + 1)), keyword + "=" + "a" * RUN]
    cases += ["-----BEGIN PRIVATE KEY----- " + "ab " * (RUN // 3), "-----BEGIN RSA PRIVATE KEY-----\n" + "A" * 39 + "\n" * 2 + "b" * RUN]
    cases += ["Name: TOKEN\n" + "  x: y\n" * (RUN // 7) + "Value: Zq81hd7Tq0mPw2vXk4Lr", "AKIAJ5Q3Z7ZQ2X4RTYUW " + "Zr8vQm2LpX7sT9kWn4Yb " * (RUN // 21)]
    return cases


def _timed(call, *args) -> float:
    """CPU seconds: the machine may be shared, the work is single-threaded."""
    start = time.process_time()
    call(*args)
    return time.process_time() - start


@pytest.mark.parametrize("name", sorted(all_patterns()))
def test_pattern_worst_cases_run_in_linear_time(name: str) -> None:
    pattern = all_patterns()[name]
    slowest = max(
        max(_timed(lambda t: sum(1 for _ in pattern.finditer(t)), text), _timed(pattern.fullmatch, text))
        for text in worst_cases()
    )
    assert slowest < 0.25, f"{name}: {slowest:.2f} s on a {RUN}-character input"


def test_public_functions_on_worst_cases() -> None:
    for text in worst_cases():
        for call in (secrets.find_secrets, secrets.mask_text, lambda t: secrets.classify_value(t, name="password"),
                     secrets.is_placeholder, secrets.is_reference, secrets.looks_like_secret_name,
                     lambda t: secrets.marked_as_mock(t.splitlines() or [""], 1)):
            seconds = _timed(call, text)
            assert seconds < 0.5, f"{seconds:.2f} s on {text[:40]!r}…"


def test_one_megabyte_after_a_secret_key_name() -> None:
    # Issue 13, row 3: `aws_secret_access_key` + 20k spaces took 8.8 s, 1 MB ran past 60 s.
    assert _timed(secrets.find_secrets, "aws_secret_access_key" + " " * 20_000) < 0.1
    assert _timed(secrets.mask_text, "aws_secret_access_key" + " " * 1_000_000) < 2.0


# --- the reproducers, end to end ----------------------------------------------------------------


def _buildspec(command: str) -> str:
    return f"version: 0.2\nphases:\n  build:\n    commands:\n      - {command}\n"


def test_private_key_header_with_words_reproducer(tmp_path: Path) -> None:
    # Issue 13, row 3: a 179-byte buildspec like this one (30 words after the header) ran past 60 s.
    text = _buildspec("echo -----BEGIN PRIVATE KEY----- " + " ".join(["ab"] * 30))
    assert len(text.encode()) < 180
    (tmp_path / "buildspec.yml").write_text(text)
    start = time.process_time()
    result = run_paths([tmp_path], tmp_path)
    assert time.process_time() - start < 5.0
    assert not any(f.code.startswith("CRD") for f in result.findings)


def test_secret_key_name_and_spaces_reproducer(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(_buildspec("echo aws_secret_access_key" + " " * 20_000 + "x"))
    start = time.process_time()
    run_paths([tmp_path], tmp_path)
    assert time.process_time() - start < 5.0
