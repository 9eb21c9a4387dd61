"""lintkit's JUnit XML against a JUnit XML schema (tests/data/junit.xsd) and
against what the schema cannot say: consistent counts, CodeBuild's 500-case
limit, unique case names."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import pytest
import xmlschema

from lintkit.findings import Finding, Location, Notification, Severity
from lintkit.report import render
from tests.helpers import FIXTURES, REPO, registry, run_paths
from tests.test_report_golden import GOLDEN, golden_run
from tests.test_report_sarif import _result

SCHEMA = REPO / "tests" / "data" / "junit.xsd"


@lru_cache(maxsize=1)
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


def check(xml_text: str) -> ET.Element:
    schema().validate(xml_text)
    root = ET.fromstring(xml_text.encode("utf-8"))
    suites = root.findall("testsuite")
    cases = root.findall("testsuite/testcase")
    assert len(cases) <= 500, "CodeBuild keeps at most 500 test cases"
    for node, items in [(root, cases)] + [(s, s.findall("testcase")) for s in suites]:
        assert int(node.get("tests")) == len(items)
        for status, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            assert int(node.get(attr)) == sum(1 for c in items if c.find(status) is not None), (node.get("name"), attr)
        assert node.get("time") == "0"
    names = [(c.get("classname"), c.get("name")) for c in cases]
    assert len(names) == len(set(names)), "test case names must be unique"
    return root


def test_schema_rejects_what_it_should() -> None:
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema().validate('<testsuites><testsuite name="x" tests="-1" failures="0" errors="0"/></testsuites>')
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema().validate('<testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase name="a"/></testsuite></testsuites>')


def test_golden_file_is_valid() -> None:
    check((GOLDEN / "report.junit.xml").read_text(encoding="utf-8"))


def test_live_golden_run_is_valid() -> None:
    check(render("junit", golden_run()))


def test_demo_report_is_valid() -> None:
    demo = FIXTURES / "demo"
    root = check(render("junit", run_paths([demo], root=demo)))
    assert {s.get("name") for s in root.findall("testsuite")} <= {"lintkit.aws", "lintkit.python", "lintkit"}


def test_capped_report_with_hostile_text_is_valid(tmp_path: Path) -> None:
    rule = registry().rules["GEN002"]
    findings = [
        Finding("GEN002", f"bad \x00\x1b[31m <&\"'> \ufffe value {i}", Location("buildspec.yml", i, 1), Severity.ERROR, rule.name)
        for i in range(1, 700)
    ]
    crash = Notification("rule GEN002 crashed: ValueError: <boom>", "buildspec.yml", "error", "GEN002", 0, 0, "crash")
    xml_text = render("junit", _result(tmp_path, {"buildspec.yml": "version: 0.2\n"}, findings, notifications=[crash]))
    root = check(xml_text)
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 500
    # 699 findings + 1 crash = 700 cases: 499 kept, the 500th counts the 201 others.
    assert cases[-1].get("name") == "201 more findings truncated"
    assert cases[0].find("error").get("type") == "lintkit-crash"
