"""JUnit layout for CodeBuild report groups (INTEGRATION.md §7)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from lintkit.config import Config
from lintkit.findings import Finding, Location, Severity
from lintkit.report import render
from lintkit.report.junit import MAX_CASES, Case, capped, clean
from tests.helpers import registry
from tests.test_report_golden import golden_run
from tests.test_report_sarif import _result


def _cases(xml_text: str) -> list[tuple[str, str, str, str]]:
    root = ET.fromstring(xml_text.encode("utf-8"))
    out = []
    for suite in root.findall("testsuite"):
        for case in suite.findall("testcase"):
            child = next(iter(case), None)
            out.append((suite.get("name"), case.get("classname"), case.get("name"), child.tag if child is not None else "passed"))
    return out


def test_layout_of_the_golden_run() -> None:
    assert _cases(render("junit", golden_run())) == [
        ("lintkit.aws", "buildspec_broken.yml", "GEN001 buildspec_broken.yml:5:9 parse error", "error"),
        ("lintkit.aws", "buildspec.yml", "GEN002 buildspec.yml:7:5 duplicate key", "failure"),
        ("lintkit.aws", "buildspec.yml", "GEN002 buildspec.yml:8:30 duplicate key", "failure"),
        ("lintkit.aws", "buildspec.yml", "GEN002 buildspec.yml:13:3 duplicate key", "failure"),
        ("lintkit.aws", "buildspec_suppressed.yml", "LNT001 buildspec_suppressed.yml:10:15 unused suppression", "failure"),
        ("lintkit.aws", "buildspec_templated.yml", "GEN003 buildspec_templated.yml:1:1 templated file", "skipped"),
        ("lintkit.aws", "appspec.yml", "lintkit: no findings in appspec.yml", "passed"),
        ("lintkit.python", "broken.py", "GEN001 broken.py:1:21 parse error", "error"),
        ("lintkit.python", "clean.py", "lintkit: no findings in clean.py", "passed"),
    ]


def test_failure_element_carries_code_message_and_position() -> None:
    root = ET.fromstring(render("junit", golden_run()).encode("utf-8"))
    failure = root.find("testsuite/testcase[@name='GEN002 buildspec.yml:7:5 duplicate key']/failure")
    assert failure.get("type") == "GEN002"
    assert failure.get("message") == "key 'STAGE' is given twice in this mapping (first at line 6); the last value silently wins"
    assert failure.text.splitlines()[:3] == [
        "buildspec.yml:7:5",
        "error GEN002 (duplicate-key): key 'STAGE' is given twice in this mapping (first at line 6); the last value silently wins",
        "  see buildspec.yml:6:5: first 'STAGE'",
    ]


def test_fail_threshold_decides_failure_or_skipped(tmp_path: Path) -> None:
    rule = registry().rules["GEN002"]
    findings = [
        Finding("GEN002", "medium one", Location("buildspec.yml", 2, 1), Severity.MEDIUM, rule.name),
        Finding("GEN002", "high one", Location("buildspec.yml", 3, 1), Severity.HIGH, rule.name),
    ]
    result = _result(tmp_path, {"buildspec.yml": "version: 0.2\n"}, findings)
    result.config = replace(Config(root=str(tmp_path)), fail_on=Severity.HIGH)
    assert [c[3] for c in _cases(render("junit", result))] == ["failure", "skipped"]


def test_cap_keeps_errors_then_most_severe_failures_first() -> None:
    cases = [Case("lintkit.aws", "a.yml", f"LOW {i}", "failure", "m", "X", rank=1) for i in range(600)]
    cases += [Case("lintkit.aws", "b.yml", "HIGH", "failure", "m", "X", rank=3), Case("lintkit.aws", "c.yml", "crash", "error", "m", "lintkit-crash", rank=99)]
    cases += [Case("lintkit.aws", "d.yml", "ok", "passed")]
    kept = capped(cases)
    assert len(kept) == MAX_CASES
    assert [c.name for c in kept[:3]] == ["crash", "HIGH", "LOW 0"]
    # 603 cases: 499 kept; the 104 dropped are 103 findings and one passing file.
    assert kept[-1].name == "103 more findings truncated"
    assert kept[-1].status == "failure"
    assert kept[-1].message.startswith("103 more findings truncated (104 test cases in all, 103 of them failing)")


def test_no_cap_below_the_limit() -> None:
    cases = [Case("lintkit.aws", "a.yml", f"n{i}", "failure", "m", "X") for i in range(MAX_CASES)]
    assert capped(cases) == cases


def test_control_characters_are_escaped_and_markup_escaped(tmp_path: Path) -> None:
    rule = registry().rules["GEN002"]
    finding = Finding("GEN002", "x\x00y\x1b[0m <b>&amp;</b> \"q\"", Location("buildspec.yml", 2, 1), Severity.ERROR, rule.name)
    text = render("junit", _result(tmp_path, {"buildspec.yml": "version: 0.2\n"}, [finding]))
    assert "\x00" not in text and "\x1b" not in text
    failure = ET.fromstring(text.encode("utf-8")).find("testsuite/testcase/failure")
    assert failure.get("message") == "x\\x00y\\x1b[0m <b>&amp;</b> \"q\""
    assert clean("ok\ttab\nnewline\x07bell") == "ok\ttab\nnewlinebell"


def test_clean_files_pass_and_time_is_zero(tmp_path: Path) -> None:
    text = render("junit", _result(tmp_path, {"buildspec.yml": "version: 0.2\n", "other.yml": "version: 0.2\n"}, []))
    root = ET.fromstring(text.encode("utf-8"))
    assert root.attrib == {"name": "lintkit", "tests": "2", "failures": "0", "errors": "0", "skipped": "0", "time": "0"}
    assert [c.get("time") for c in root.iter("testcase")] == ["0", "0"]
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
