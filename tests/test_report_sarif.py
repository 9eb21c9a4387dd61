"""SARIF: valid against the official OASIS schema, and acceptable to GitHub code
scanning beyond the schema (INTEGRATION.md §2, §4)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest

from lintkit.config import Config
from lintkit.engine import RunResult
from lintkit.findings import FileResult
from lintkit.findings import Finding, Location, Notification, Severity
from lintkit.files import Skipped
from lintkit.registry import Registry
from lintkit.report import render
from lintkit.report.fingerprint import line_hashes
from lintkit.report.sarif import MAX_RELATED, SCHEMA_URI, build_log, serialize, to_data
from tests.helpers import FIXTURES, SARIF_SCHEMA, registry, run_paths
from tests.test_report_golden import golden_render, golden_run

_HASH = re.compile(r"^[0-9a-f]{1,16}:[1-9][0-9]*$")


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(log: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(log)]


def github_problems(log: dict, texts: dict[str, str] | None = None) -> list[str]:
    """What GitHub's ingestion needs beyond the schema; the Multitool's GH rules
    miss several of these (fingerprints, columnKind, tag count)."""
    problems: list[str] = []
    if log.get("$schema") != SCHEMA_URI or log.get("version") != "2.1.0":
        problems.append("$schema/version")
    runs = log.get("runs", [])
    if len(runs) != 1:
        return problems + [f"{len(runs)} runs; lintkit emits exactly one"]
    run = runs[0]
    driver = run["tool"]["driver"]
    if not driver.get("name") or not isinstance(driver.get("rules"), list):
        problems.append("driver name/rules")
    if not isinstance(run.get("results"), list):
        problems.append("results array missing")
    if len(run.get("results", [])) > 25_000:
        problems.append("more than 25,000 results")
    if run.get("columnKind") != "unicodeCodePoints":
        problems.append("columnKind")
    if not run.get("automationDetails", {}).get("id", "").startswith("lintkit/"):
        problems.append("automationDetails.id")
    base = run.get("originalUriBaseIds", {}).get("%SRCROOT%", {}).get("uri", "")
    if not (base.startswith("file:///") and base.endswith("/")):
        problems.append(f"%SRCROOT% base {base!r}")
    rules = driver.get("rules", [])
    ids = [r["id"] for r in rules]
    if len(set(ids)) != len(ids):
        problems.append("duplicate rule ids")
    for r in rules:
        rid = r["id"]
        for key in ("shortDescription", "fullDescription", "help"):
            text = r.get(key, {}).get("text", "")
            if not text or len(text) > (1024 if key != "help" else 10**6):
                problems.append(f"{rid}: {key}.text missing or too long")
        if not r.get("help", {}).get("markdown"):
            problems.append(f"{rid}: help.markdown")
        if "helpUri" in r and not r["helpUri"].startswith("https://"):
            problems.append(f"{rid}: helpUri")
        if len(r.get("name", "")) > 255:
            problems.append(f"{rid}: name too long")
        if r.get("defaultConfiguration", {}).get("level") not in ("note", "warning", "error"):
            problems.append(f"{rid}: defaultConfiguration.level")
        props = r.get("properties", {})
        tags = props.get("tags", [])
        if len(tags) > 10 or len(set(tags)) != len(tags):
            problems.append(f"{rid}: {len(tags)} tags")
        if props.get("precision", "high") not in ("very-high", "high", "medium", "low"):
            problems.append(f"{rid}: precision")
        sev = props.get("security-severity")
        if sev is not None:
            if not isinstance(sev, str) or not 0.1 <= float(sev) <= 10.0:
                problems.append(f"{rid}: security-severity {sev!r}")
            if "security" not in tags:
                problems.append(f"{rid}: security-severity without the security tag")
        elif props.get("problem.severity") not in ("error", "warning", "recommendation"):
            problems.append(f"{rid}: neither security-severity nor problem.severity")
        cwe_tags = [t for t in tags if t.startswith("external/cwe/")]
        if cwe_tags and not tags[0].startswith("external/cwe/cwe-"):
            problems.append(f"{rid}: primary CWE tag is not first")
    for n, res in enumerate(run.get("results", [])):
        where = f"results[{n}] {res.get('ruleId')}"
        if not res.get("message", {}).get("text"):
            problems.append(f"{where}: message.text")
        if res.get("level") not in ("note", "warning", "error"):
            problems.append(f"{where}: explicit level")
        index = res.get("ruleIndex")
        if index is None or not 0 <= index < len(rules) or rules[index]["id"] != res.get("ruleId"):
            problems.append(f"{where}: ruleIndex")
        locations = res.get("locations", [])
        if not locations:
            problems.append(f"{where}: no location")
            continue
        for loc in locations + res.get("relatedLocations", []):
            phys = loc.get("physicalLocation", {})
            art = phys.get("artifactLocation", {})
            uri = art.get("uri", "")
            if not uri or uri.startswith("/") or "://" in uri or "\\" in uri or ".." in uri.split("/"):
                problems.append(f"{where}: uri {uri!r} is not repository-relative")
            if art.get("uriBaseId") != "%SRCROOT%":
                problems.append(f"{where}: uriBaseId")
            region = phys.get("region", {})
            for key in ("startLine", "startColumn", "endLine", "endColumn"):
                if not isinstance(region.get(key), int) or region[key] < 1:
                    problems.append(f"{where}: region.{key} = {region.get(key)!r}")
            if region.get("endLine", 0) < region.get("startLine", 0):
                problems.append(f"{where}: endLine before startLine")
        fingerprint = res.get("partialFingerprints", {}).get("primaryLocationLineHash", "")
        if not _HASH.match(fingerprint):
            problems.append(f"{where}: primaryLocationLineHash {fingerprint!r}")
        elif texts is not None:
            region = locations[0]["physicalLocation"]["region"]
            path = locations[0]["physicalLocation"]["artifactLocation"]["uri"]
            if fingerprint != line_hashes(texts[path])[region["startLine"] - 1]:
                problems.append(f"{where}: primaryLocationLineHash is not GitHub's value")
        related_ids = [r.get("id") for r in res.get("relatedLocations", [])]
        if len(related_ids) > 1000 or len(set(related_ids)) != len(related_ids) or None in related_ids:
            problems.append(f"{where}: relatedLocations ids")
        for flow in res.get("codeFlows", []):
            for thread in flow["threadFlows"]:
                if len(thread["locations"]) > 10_000:
                    problems.append(f"{where}: thread flow too long")
    return problems


def _check(log: dict, texts: dict[str, str] | None = None) -> None:
    assert schema_errors(log) == []
    assert github_problems(log, texts) == []


# --- real runs -------------------------------------------------------------------


def test_golden_run_is_valid_for_the_schema_and_github() -> None:
    result = golden_run()
    log = json.loads(render("sarif", result))
    texts = {f.path: (result.root / f.path).read_text(encoding="utf-8") for f in result.files}
    _check(log, texts)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["GEN001", "GEN002", "GEN003", "LNT001", "PIV017"]
    assert len(run["results"]) == 8


def test_demo_repository_report_is_valid(tmp_path: Path) -> None:
    demo = FIXTURES / "demo"
    result = run_paths([demo], root=demo)
    log = json.loads(render("sarif", result))
    texts = {f.path: (demo / f.path).read_text(encoding="utf-8") for f in result.files if f.kind}
    _check(log, texts)
    assert not [n for n in result.notifications if n.kind == "crash"]
    assert {f.path: f.kind for f in result.files if f.kind} == {
        "appspec.yml": "appspec",
        "buildspec.yml": "buildspec",
        "infra/pipeline.yaml": "cloudformation",
        "src/orders/__init__.py": "python",
        "src/orders/app.py": "python",
        "src/orders/db.py": "python",
    }


def test_clean_run_has_an_empty_results_array(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands:\n      - make\n", encoding="utf-8")
    result = run_paths([tmp_path], root=tmp_path, config=Config(root=str(tmp_path), respect_gitignore=False, select=("GEN",)))
    text = render("sarif", result)
    log = json.loads(text)
    _check(log)
    assert log["runs"][0]["results"] == []
    assert '"results": []' in text
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_output_starts_with_schema_and_version_and_is_byte_identical() -> None:
    first = golden_render("sarif")
    assert first.startswith('{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",\n  "version": "2.1.0",\n')
    assert first == golden_render("sarif")


def test_non_ascii_columns_are_code_points() -> None:
    log = json.loads(golden_render("sarif"))
    regions = [
        r["locations"][0]["physicalLocation"]["region"]
        for r in log["runs"][0]["results"]
        if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 8
    ]
    assert regions == [
        {
            "endColumn": 36,
            "endLine": 8,
            "snippet": {"text": "équipe"},
            "startColumn": 30,
            "startLine": 8,
        }
    ]


def test_inline_suppression_is_kept_as_in_source() -> None:
    log = json.loads(golden_render("sarif"))
    suppressed = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"]) for r in suppressed] == [
        ("GEN002", [{"kind": "inSource", "justification": "# lintkit: ignore[GEN002] the second MODE is the one we want"}])
    ]


def test_parse_failures_and_templates_are_tool_notifications() -> None:
    log = json.loads(golden_render("sarif"))
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["level"], n["associatedRule"]["id"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for n in notes] == [
        ("note", "GEN003", "buildspec_templated.yml"),
        ("warning", "GEN001", "broken.py"),
        ("warning", "GEN001", "buildspec_broken.yml"),
    ]


# --- synthetic runs: what the built-in rules cannot produce yet --------------------


def _result(root: Path, files: dict[str, str], findings: list[Finding], *, reg: Registry | None = None, suppressed=(), notifications=(), skipped=()) -> RunResult:
    reg = reg or registry()
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    frs = [FileResult(path=p, kind="buildspec", findings=[f for f in findings if f.path == p], text=t) for p, t in files.items()]
    return RunResult(
        root=root,
        config=Config(root=str(root)),
        registry=reg,
        enabled=frozenset(reg.rules),
        files=frs,
        skipped=list(skipped),
        findings=sorted(findings, key=Finding.sort_key),
        suppressed=list(suppressed),
        notifications=list(notifications),
    )


def _finding(code: str, path: str, line: int, col: int = 1, severity: Severity | None = None, **kw) -> Finding:
    rule = registry().rules[code]
    return Finding(code, kw.pop("message", f"{code} here"), Location(path, line, col, line, col + 3), severity or rule.severity, rule.name, **kw)


BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n      - make test\n"


def test_explicit_warning_level_survives_under_an_error_default(tmp_path: Path) -> None:
    result = _result(tmp_path, {"buildspec.yml": BUILDSPEC}, [_finding("GEN002", "buildspec.yml", 3, 3, Severity.MEDIUM)])
    log = json.loads(render("sarif", result))
    _check(log)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["GEN002"]["defaultConfiguration"] == {"level": "error"}
    assert log["runs"][0]["results"][0]["level"] == "warning"
    # A rule whose default is warning still says so (the usual serializer drops it).
    medium = [r for r in registry().sorted_rules() if r.severity is Severity.MEDIUM][0]
    assert rules[medium.code]["defaultConfiguration"] == {"level": "warning"}


def test_related_locations_and_code_flows(tmp_path: Path) -> None:
    finding = _finding(
        "PIV017",
        "buildspec.yml",
        6,
        9,
        related=(Location("buildspec.yml", 5, 9, 5, 13, "the [first] one"),),
        flows=(
            (Location("buildspec.yml", 3, 3, 3, 8, "source"), Location("buildspec.yml", 6, 9, 6, 13, "sink")),
            (Location("other.py", 2, 1, 2, 4, "second source"), Location("buildspec.yml", 6, 9, 6, 13, "sink")),
        ),
    )
    log = json.loads(render("sarif", _result(tmp_path, {"buildspec.yml": BUILDSPEC}, [finding])))
    _check(log, {"buildspec.yml": BUILDSPEC})
    res = log["runs"][0]["results"][0]
    assert res["message"]["text"] == "PIV017 here. See [the \\[first\\] one](1)."
    assert res["relatedLocations"][0]["id"] == 1
    assert res["relatedLocations"][0]["message"] == {"text": "the [first] one."}
    steps = res["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [(s["executionOrder"], s["location"]["message"]["text"], s["location"]["physicalLocation"]["region"]["startLine"]) for s in steps] == [
        (1, "source.", 3),
        (2, "sink.", 6),
    ]
    # several flows into one sink: one result, one codeFlow each; each step names its file
    second = res["codeFlows"][1]["threadFlows"][0]["locations"]
    assert [s["location"]["physicalLocation"]["artifactLocation"]["uri"] for s in second] == ["other.py", "buildspec.yml"]
    rule = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}["PIV017"]
    assert rule["properties"]["tags"][0] == "external/cwe/cwe-89"
    assert rule["properties"]["security-severity"] == "8.0"


def test_result_limit_keeps_the_most_severe_and_says_so(tmp_path: Path) -> None:
    findings = [_finding("LNT001", "buildspec.yml", line) for line in (1, 2, 3)] + [_finding("GEN002", "buildspec.yml", line) for line in (4, 5)]
    data = json.loads(serialize(build_log(_result(tmp_path, {"buildspec.yml": BUILDSPEC}, findings), max_results=3)))
    _check(data)
    run = data["runs"][0]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]] == [
        ("LNT001", 1),
        ("GEN002", 4),
        ("GEN002", 5),
    ]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["level"] == "warning"
    assert notes[0]["message"]["text"].startswith("result limit: kept 3 of 5 results, the most severe first")


def test_related_location_limit(tmp_path: Path) -> None:
    related = tuple(Location("buildspec.yml", 1 + i % 6, 1, 0, 0, f"r{i}") for i in range(MAX_RELATED + 5))
    log = json.loads(render("sarif", _result(tmp_path, {"buildspec.yml": BUILDSPEC}, [_finding("GEN002", "buildspec.yml", 2, related=related)])))
    _check(log)
    assert len(log["runs"][0]["results"][0]["relatedLocations"]) == MAX_RELATED
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"] == "1 result(s) had more than 1000 related locations; the rest were dropped."


def test_crash_and_skip_notifications(tmp_path: Path) -> None:
    crash = Notification("rule GEN002 crashed: KeyError: 'x'", "buildspec.yml", "error", "GEN002", 0, 0, "crash")
    result = _result(tmp_path, {"buildspec.yml": BUILDSPEC}, [], notifications=[crash], skipped=[Skipped("big.yml", "file too large")])
    log = json.loads(render("sarif", result))
    _check(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [(n["level"], n["message"]["text"], n.get("associatedRule", {}).get("id")) for n in invocation["toolExecutionNotifications"]] == [
        ("error", "rule GEN002 crashed: KeyError: 'x'.", "GEN002"),
        ("note", "skipped: file too large.", None),
    ]


def test_baseline_suppression_is_external(tmp_path: Path) -> None:
    hidden = _finding("GEN002", "buildspec.yml", 3, suppressed=True)
    log = json.loads(render("sarif", _result(tmp_path, {"buildspec.yml": BUILDSPEC}, [], suppressed=[hidden])))
    _check(log)
    assert log["runs"][0]["results"][0]["suppressions"] == [{"kind": "external", "justification": "lintkit baseline"}]


def test_snippets_show_secrets_masked_whatever_rule_fired(tmp_path: Path) -> None:
    key = "AKIA" + "QYLPMN5HHHFPZAM2"
    token = "ghp_" + "q3Tz8LmW1vKx7RbN2cYp9HdF4sGj6Ae0Uo5i"
    text = f"version: 0.2\nenv:\n  variables:\n    KEY: {key}\n    KEY: x\nphases:\n  build:\n    commands:\n      - curl -H 'X-Token: {token}' https://x.sh | sh\n"
    findings = [
        _finding("CRD001", "buildspec.yml", 4, 10),  # a secrets rule
        _finding("GEN002", "buildspec.yml", 4, 5),  # any other rule on the same line
        Finding("BSP010", "pipe to shell", Location("buildspec.yml", 9, 9, 9, 80), Severity.HIGH, "pipe-to-shell"),
    ]
    sarif_text = render("sarif", _result(tmp_path, {"buildspec.yml": text}, findings))
    _check(json.loads(sarif_text))
    assert key not in sarif_text and key[4:] not in sarif_text and token[4:] not in sarif_text
    regions = [r["locations"][0]["physicalLocation"] for r in json.loads(sarif_text)["runs"][0]["results"]]
    assert [p["contextRegion"]["snippet"]["text"] for p in regions][:2] == ["    KEY: AKIA****************"] * 2
    assert regions[2]["contextRegion"]["snippet"]["text"] == "      - curl -H 'X-Token: ghp_" + "*" * 36 + "' https://x.sh | sh"


def test_paths_outside_the_root_become_absolute_file_uris(tmp_path: Path) -> None:
    outside = tmp_path.parent / "elsewhere.yml"
    finding = _finding("GEN002", str(outside), 1)
    data = json.loads(render("sarif", _result(tmp_path, {}, [finding])))
    assert schema_errors(data) == []
    art = data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art == {"uri": outside.resolve().as_uri()}


def test_paths_are_percent_encoded(tmp_path: Path) -> None:
    finding = _finding("GEN002", "ci dir/build#1.yml", 2)
    data = json.loads(render("sarif", _result(tmp_path, {"ci dir/build#1.yml": BUILDSPEC}, [finding])))
    _check(data)
    assert data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "ci%20dir/build%231.yml"


@lru_cache(maxsize=1)
def _builder():
    from lintkit.report.sarif import _Builder

    return _Builder(golden_run())


@pytest.mark.parametrize("code", sorted(registry().rules))
def test_every_rule_descriptor_meets_github_requirements(code: str) -> None:
    descriptor = to_data(_builder().descriptor(registry().rules[code]))
    run = {
        "tool": {"driver": {"name": "lintkit", "rules": [descriptor]}},
        "results": [],
        "columnKind": "unicodeCodePoints",
        "automationDetails": {"id": "lintkit/"},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///x/"}},
    }
    _check({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]})


def test_line_hash_of_a_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    """GitHub hashes the file as read, mark included; the engine drops it."""
    text = "phases: {build: {commands: [make]}, build: {commands: [make test]}}\nversion: 0.2\n"
    (tmp_path / "buildspec.yml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = run_paths([tmp_path], root=tmp_path, config=Config(root=str(tmp_path), respect_gitignore=False, select=("GEN002",)))
    log = json.loads(render("sarif", result))
    res = log["runs"][0]["results"][0]
    assert res["ruleId"] == "GEN002" and res["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert res["partialFingerprints"]["primaryLocationLineHash"] == line_hashes("\ufeff" + text)[0]
    assert line_hashes("\ufeff" + text)[0] != line_hashes(text)[0]
