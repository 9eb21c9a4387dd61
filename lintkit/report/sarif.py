"""SARIF 2.1.0 for GitHub code scanning and IDE viewers.

Built from sarif-om objects, serialized by a small walker of our own rather
than `jschema_to_python.to_json`, which drops every value equal to its attrs
default: an explicit `level: "warning"` under an `error` rule default would
vanish and the result would be read as an error (INTEGRATION.md §4).

What GitHub needs beyond the schema (INTEGRATION.md §2): one run, `results: []`
when clean, relative URIs with `%SRCROOT%`, 1-based regions, rule help,
`partialFingerprints.primaryLocationLineHash` (the REST API does not compute
it), tags ≤ 10 and size limits. Output is deterministic: no timestamps, no
absolute paths except the `%SRCROOT%` base.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attr
import sarif_om as om

from lintkit import __version__
from lintkit.findings import Finding, Location, Severity
from lintkit.registry import Rule, precision_class
from lintkit.report.docs import rule_markdown, rule_text
from lintkit.report.fingerprint import LineHasher

if TYPE_CHECKING:
    from lintkit.engine import RunResult
    from lintkit.report import ReportOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/lintkit/lintkit"
SRCROOT = "%SRCROOT%"
AUTOMATION_ID = "lintkit/"

# GitHub's limits (INTEGRATION.md §2): beyond them a file is rejected or cut.
MAX_RESULTS = 25_000
MAX_RELATED = 1_000
MAX_FLOW_STEPS = 10_000
MAX_TAGS = 10
MAX_DESCRIPTION = 1024
MAX_SNIPPET = 1000

# GitHub reads `security-severity` as a score: > 9.0 critical, 7.0–8.9 high,
# 4.0–6.9 medium, below that low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.ERROR: "7.5",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def render(result: RunResult, options: ReportOptions) -> str:
    return serialize(build_log(result))


# --- building the log ----------------------------------------------------------


class _Builder:
    def __init__(self, result: RunResult, max_results: int = MAX_RESULTS) -> None:
        self.result = result
        self.max_results = max_results
        self.texts = {f.path: f.text for f in result.files if f.text}
        self.lines: dict[str, list[str]] = {}
        self.hasher = LineHasher()
        self.notifications: list[om.Notification] = []
        codes = set(result.enabled) | {f.code for f in (*result.findings, *result.suppressed)}
        self.rules = [result.registry.rules[c] for c in sorted(codes) if c in result.registry.rules]
        self.rule_index = {r.code: i for i, r in enumerate(self.rules)}

    # -- locations -----------------------------------------------------------

    def artifact(self, path: str) -> om.ArtifactLocation:
        posix = PurePosixPath(path)
        if posix.is_absolute() or ".." in posix.parts:
            # Outside the root: an absolute file URI (GitHub makes it relative
            # with the checkout path, or drops it).
            from pathlib import Path

            return om.ArtifactLocation(uri=Path(path).resolve().as_uri())
        return om.ArtifactLocation(uri=quote(posix.as_posix(), safe="/"), uri_base_id=SRCROOT)

    def hash_text(self, path: str) -> str:
        """The text GitHub hashes: the engine drops a UTF-8 byte-order mark,
        the upload action keeps it as the first character of line 1."""
        from lintkit.files import Candidate, Unreadable, read_bytes

        text = self.texts.get(path, "")
        try:
            if read_bytes(Candidate(str(self.result.root / path), path), 2) == b"\xef\xbb\xbf":  # regular files only
                return "\ufeff" + text
        except Unreadable:
            pass
        return text

    def file_lines(self, path: str) -> list[str]:
        if path not in self.lines:
            self.lines[path] = _LINE_BREAK.split(self.texts.get(path, ""))
        return self.lines[path]

    def region(self, loc: Location) -> om.Region:
        region = om.Region(
            start_line=loc.line,
            start_column=loc.column,
            end_line=loc.end_line,
            end_column=loc.end_column,
        )
        text = _region_text(self.file_lines(loc.path), loc)
        if text:
            region.snippet = om.ArtifactContent(text=text)
        return region

    def context_region(self, loc: Location) -> om.Region | None:
        """The whole lines around the region, for viewers that show code from
        the log instead of the checkout (Visual Studio, the web viewer)."""
        lines = self.file_lines(loc.path)
        if not 0 < loc.line <= loc.end_line <= len(lines) or loc.end_line - loc.line > 20:
            return None
        text = "\n".join(lines[loc.line - 1 : loc.end_line])
        if len(text) > MAX_SNIPPET:
            return None
        return om.Region(start_line=loc.line, end_line=loc.end_line, snippet=om.ArtifactContent(text=text))

    def location(self, loc: Location, *, ident: int | None = None, message: bool = False) -> om.Location:
        out = om.Location(
            physical_location=om.PhysicalLocation(artifact_location=self.artifact(loc.path), region=self.region(loc)),
        )
        out.physical_location.context_region = self.context_region(loc)
        if ident is not None:
            out.id = ident
        if message and loc.message:
            out.message = om.Message(text=_sentence(loc.message))
        return out

    # -- rules ---------------------------------------------------------------

    def descriptor(self, rule: Rule) -> om.ReportingDescriptor:
        level = rule.severity.sarif_level
        tags = [f"external/cwe/cwe-{c}" for c in rule.cwe]
        if rule.is_security:
            tags.append("security")
        tags += list(rule.tags)
        properties: dict[str, Any] = {"tags": list(dict.fromkeys(tags))[:MAX_TAGS]}
        precision = precision_class(self.result.registry.precision(rule.code))
        if precision:
            properties["precision"] = precision
        if rule.codeguru:
            properties["codeguru"] = list(rule.codeguru)
        if rule.is_security:
            properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
        else:
            properties["problem.severity"] = _PROBLEM_SEVERITY[level]
        return om.ReportingDescriptor(
            id=rule.code,
            name=rule.name,
            short_description=om.MultiformatMessageString(text=_clip(rule.summary)),
            full_description=om.MultiformatMessageString(text=_clip(_flatten(rule.rationale) or rule.summary)),
            help=om.MultiformatMessageString(text=rule_text(rule), markdown=rule_markdown(rule, self.result.registry.precision(rule.code))),
            help_uri=rule.help_uri or None,
            default_configuration=om.ReportingConfiguration(level=level),
            properties=properties,
        )

    # -- results -------------------------------------------------------------

    def result_for(self, f: Finding) -> om.Result:
        related = list(f.related[:MAX_RELATED])
        text = _escape_links(_sentence(f.message))
        if related:
            links = ", ".join(f"[{_link_text(r.message or 'related location')}]({i})" for i, r in enumerate(related, 1))
            text += f" See {links}."
        res = om.Result(
            message=om.Message(text=text),
            rule_id=f.code,
            level=f.severity.sarif_level,
            locations=[self.location(f.location)],
            partial_fingerprints={"primaryLocationLineHash": self.hasher.hash_for(f.path, self.hash_text(f.path), f.line)},
        )
        if f.code in self.rule_index:
            res.rule_index = self.rule_index[f.code]
        if related:
            res.related_locations = [self.location(r, ident=i, message=True) for i, r in enumerate(related, 1)]
        if f.flows:
            res.code_flows = [
                om.CodeFlow(thread_flows=[om.ThreadFlow(locations=[
                    om.ThreadFlowLocation(location=self.location(step, message=True), execution_order=n)
                    for n, step in enumerate(steps[:MAX_FLOW_STEPS], 1)
                ])])
                for steps in f.flows
            ]
        properties: dict[str, Any] = {"severity": f.severity.value}
        if f.fix:
            properties["fix"] = f.fix
        properties.update(f.props())
        res.properties = properties
        if f.suppressed:
            res.suppressions = [self.suppression(f)]
        return res

    def suppression(self, f: Finding) -> om.Suppression:
        """inSource when a `# lintkit: ignore` comment covers it, else external
        (a baseline file or configuration)."""
        from lintkit.suppress import apply_directives, parse_directives

        text = self.texts.get(f.path, "")
        directives = parse_directives(text)
        _, hidden = apply_directives([f], directives, self.result.registry.code_for)
        if hidden:
            for d in directives:
                if d.used:
                    line = self.file_lines(f.path)[d.line - 1] if d.line <= len(self.file_lines(f.path)) else ""
                    return om.Suppression(kind="inSource", justification=line[d.column - 1 : d.end_column - 1].strip())
        return om.Suppression(kind="external", justification="lintkit baseline")

    # -- notifications -------------------------------------------------------

    def notify(self, message: str, level: str, path: str = "", line: int = 0, column: int = 0, rule: str = "") -> None:
        note = om.Notification(message=om.Message(text=_sentence(message)), level=level)
        if path:
            loc = om.Location(physical_location=om.PhysicalLocation(artifact_location=self.artifact(path)))
            if line:
                loc.physical_location.region = om.Region(start_line=line, start_column=max(1, column))
            note.locations = [loc]
        if rule and rule in self.rule_index:
            note.associated_rule = om.ReportingDescriptorReference(id=rule, index=self.rule_index[rule])
        self.notifications.append(note)

    def tool_notifications(self) -> None:
        for n in self.result.notifications:
            self.notify(n.message, n.level, n.path, n.line, n.column, n.rule.split(",")[0])
        for f in self.result.findings:
            if f.code == "GEN001":
                self.notify("file does not parse; no other rule checked it", "warning", f.path, f.line, f.column, "GEN001")
        for s in self.result.skipped:
            self.notify(f"skipped: {s.reason}", "note", s.relpath if s.reason != "no such file or directory" else "")

    # -- the log -------------------------------------------------------------

    def run(self) -> om.Run:
        findings = sorted((*self.result.findings, *self.result.suppressed), key=Finding.sort_key)
        limit = self.max_results
        if len(findings) > limit:
            # Keep the most severe unsuppressed findings; order stays by place.
            ranked = sorted(findings, key=lambda f: (f.suppressed, -f.severity.rank, f.sort_key()))
            kept = set(map(id, ranked[:limit]))
            self.notify(
                f"result limit: kept {limit} of {len(findings)} results, the most severe first; "
                f"GitHub accepts at most {MAX_RESULTS} per run. See the text or JSON report for all of them",
                "warning",
            )
            findings = [f for f in findings if id(f) in kept]
        cut_related = sum(1 for f in findings if len(f.related) > MAX_RELATED)
        cut_flows = sum(1 for f in findings if any(len(steps) > MAX_FLOW_STEPS for steps in f.flows))
        if cut_related:
            self.notify(f"{cut_related} result(s) had more than {MAX_RELATED} related locations; the rest were dropped", "warning")
        if cut_flows:
            self.notify(f"{cut_flows} result(s) had more than {MAX_FLOW_STEPS} code-flow steps; the rest were dropped", "warning")
        results = [self.result_for(f) for f in findings]
        self.tool_notifications()
        invocation = om.Invocation(
            execution_successful=not any(n.kind == "crash" for n in self.result.notifications),
        )
        if self.notifications:
            invocation.tool_execution_notifications = self.notifications
        return om.Run(
            tool=om.Tool(
                driver=om.ToolComponent(
                    name="lintkit",
                    version=__version__,
                    semantic_version=__version__,
                    information_uri=INFORMATION_URI,
                    rules=[self.descriptor(r) for r in self.rules],
                )
            ),
            automation_details=om.RunAutomationDetails(id=AUTOMATION_ID),
            column_kind="unicodeCodePoints",
            original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=_root_uri(self.result))},
            invocations=[invocation],
            results=results,
        )


def build_log(result: RunResult, max_results: int = MAX_RESULTS) -> om.SarifLog:
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[_Builder(result, max_results).run()])


def _root_uri(result: RunResult) -> str:
    uri = result.root.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


# --- text helpers ----------------------------------------------------------------


def _region_text(lines: list[str], loc: Location) -> str:
    if not 0 < loc.line <= len(lines) or loc.end_line - loc.line > 20:
        return ""
    if loc.line == loc.end_line:
        text = lines[loc.line - 1][loc.column - 1 : loc.end_column - 1]
    else:
        parts = [lines[loc.line - 1][loc.column - 1 :]]
        parts += lines[loc.line : loc.end_line - 1]
        if loc.end_line <= len(lines):
            parts.append(lines[loc.end_line - 1][: loc.end_column - 1])
        text = "\n".join(parts)
    return text if len(text) <= MAX_SNIPPET else ""


def _flatten(text: str) -> str:
    """Rationale paragraphs → one paragraph of plain text."""
    return " ".join(text.split())


def _clip(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1].rstrip() + "…"


def _sentence(text: str) -> str:
    text = text.strip() or "(no message)"
    return text if text[-1] in ".!?" else text + "."


def _escape_links(text: str) -> str:
    """Escape brackets only where they would read as an embedded link."""
    if "](" not in text:
        return text
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _link_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


# --- serialization -----------------------------------------------------------------


def to_data(obj: Any) -> Any:
    """sarif-om objects → plain JSON data. Skips None and attrs defaults, except
    `level`, which is always written (see the module docstring)."""
    if attr.has(type(obj)):
        out: dict[str, Any] = {}
        for f in attr.fields(type(obj)):
            value = getattr(obj, f.name)
            if value is None:
                continue
            if f.name != "level" and f.default is not attr.NOTHING:
                default = f.default.factory() if isinstance(f.default, attr.Factory) else f.default  # type: ignore[arg-type]  # attrs types Factory as a function; it is a class
                if value == default:
                    continue
            out[f.metadata.get("schema_property_name", f.name)] = to_data(value)
        return out
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)


def serialize(log: om.SarifLog) -> str:
    data = to_data(log)
    # `$schema` and `version` first: stable, readable golden files.
    ordered = {"$schema": data.pop("$schema"), "version": data.pop("version"), **data}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
