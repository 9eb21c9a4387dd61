"""The pylint plugin, run through real pylint in a subprocess: on the leak
fixtures it must report exactly the (file, line, rule) set lintkit reports."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from lintkit.pylint_plugin import message_id, python_rules, symbol
from tests.helpers import FIXTURES, registry, run_paths

FAMILY = FIXTURES / "python_leaks"


def run_pylint(directory: Path, files: list[str], *extra: str) -> list[dict]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            "--load-plugins=lintkit.pylint_plugin",
            "--disable=all",
            "--enable=lintkit",
            "--output-format=json",
            "--persistent=n",
            "--score=n",
            *extra,
            *files,
        ],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.stdout.strip().startswith("["), proc.stderr[-2000:]
    return json.loads(proc.stdout)


@lru_cache(maxsize=1)
def pylint_on_fixtures() -> list[dict]:
    files = sorted(p.name for p in FAMILY.glob("*.py"))
    return run_pylint(FAMILY, files)


def test_message_ids_are_generated_from_the_registry_and_unique() -> None:
    rules = python_rules(registry())
    ids = [message_id(r) for r in rules]
    assert len(ids) == len(set(ids))
    by_code = {r.code: (message_id(r), symbol(r)) for r in rules}
    assert by_code["PRL001"] == ("W9101", "lintkit-resource-leak")
    assert by_code["PRL002"] == ("W9102", "lintkit-leaky-subprocess-timeout")
    assert by_code["PRL003"] == ("E9103", "lintkit-socket-close-platform-compatibility")
    assert by_code["PRL004"] == ("W9104", "lintkit-socket-connection-timeout")
    # every Python rule other helpers register shows up too
    assert {r.family for r in rules} >= {"PRL"}
    assert all("python" in r.kinds for r in rules)


def test_pylint_reports_the_same_findings_as_lintkit() -> None:
    messages = pylint_on_fixtures()
    crashes = [m for m in messages if m["symbol"] in ("astroid-error", "fatal")]
    assert not crashes, crashes
    symbols = {symbol(r): r.code for r in python_rules(registry())}
    from_pylint = {(Path(m["path"]).name, m["line"], symbols[m["symbol"]]) for m in messages if m["symbol"] in symbols}
    result = run_paths([FAMILY], root=FAMILY)
    from_lintkit = {(f.path, f.line, f.code) for f in result.findings if f.code in symbols.values() and "/" not in f.path}
    assert from_pylint == from_lintkit
    codes = {code for _, _, code in from_pylint}
    assert {"PRL001", "PRL002", "PRL003", "PRL004"} <= codes
    # the cross-module cases depend on summaries of the imported helper module
    assert ("xmod_use.py", 30, "PRL001") in from_pylint
    assert not any(name == "xmod_use.py" and line in (9, 17) for name, line, _ in from_pylint)


@pytest.mark.parametrize(("twin", "lines"), [("good", []), ("bad", [7, 12])])
def test_pylint_resolves_an_import_to_the_modules_own_folder(twin: str, lines: list[int]) -> None:
    """fixtures/python_leaks/samename: `import store` means this folder's store.py."""
    messages = run_pylint(FAMILY / "samename" / twin, ["app.py", "store.py"])
    assert sorted((m["path"], m["line"], m["symbol"]) for m in messages) == [("app.py", n, "lintkit-resource-leak") for n in lines]


def test_pylint_messages_carry_lintkit_text_and_positions() -> None:
    messages = [m for m in pylint_on_fixtures() if m["symbol"] == "lintkit-resource-leak"]
    first = next(m for m in messages if Path(m["path"]).name == "files.py" and m["line"] == 13)
    assert first["message-id"] == "W9101"
    assert first["message"] == "'handle' (file) opened at line 13 is never closed"
    assert first["column"] == 13  # 0-based, like pylint's own messages
    assert first["endLine"] == 13


@pytest.mark.parametrize("disabled", ["lintkit-resource-leak", "W9101"])
def test_disabling_one_message_keeps_the_others(disabled: str) -> None:
    messages = run_pylint(FAMILY, ["network.py"], f"--disable={disabled}")
    found = {m["symbol"] for m in messages}
    assert "lintkit-resource-leak" not in found
    assert {"lintkit-socket-close-platform-compatibility", "lintkit-socket-connection-timeout"} <= found
