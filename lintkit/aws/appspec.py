"""Checks for CodeDeploy appspec documents (APS rules).

Two shapes share the file name: EC2/on-premises (lower-case `version`, `os`,
`files`, `permissions`, `hooks` as event -> list of scripts) and ECS/Lambda
(`Resources` as a list holding one target, `Hooks` as a list of single-key
maps). The platform is decided once; each shape has its own JSON Schema in
rules/schemas/, and every schema error is mapped to the APS rule that owns
that part of the file and reported at the offending key or value.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from lintkit.api import Context
from lintkit.aws import schema as schema_errors
from lintkit.aws.partial import partial_reason
from lintkit.documents import Document, Mapping, Node, Scalar, Sequence, node_at_path

SERVER_HOOKS = (
    "ApplicationStop", "BeforeBlockTraffic", "AfterBlockTraffic", "BeforeInstall", "AfterInstall",
    "ApplicationStart", "ValidateService", "BeforeAllowTraffic", "AfterAllowTraffic",
)
# Events CodeDeploy runs itself: a script cannot be attached to them.
RESERVED_HOOKS = ("Start", "DownloadBundle", "Install", "End", "AllowTraffic", "BlockTraffic", "TestTraffic", "AllowTestTraffic")
ECS_HOOKS = ("BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic")
LAMBDA_HOOKS = ("BeforeAllowTraffic", "AfterAllowTraffic")
VALIDATION_HOOKS = {
    "server": ("ValidateService",),
    "ecs": ("AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"),
    "lambda": ("BeforeAllowTraffic", "AfterAllowTraffic"),
}
SERVER_KEYS = ("version", "os", "files", "permissions", "hooks", "file_exists_behavior")
TARGET_KEYS = ("version", "Resources", "Hooks")
FILE_EXISTS_VALUES = ("DISALLOW", "OVERWRITE", "RETAIN")
_REQUIRED_KEYS = ("location", "source", "destination", "object", "os", "version")
MAX_TIMEOUT = 3600

_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|%[A-Za-z_]+%)")


@dataclass
class Appspec:
    root: Mapping
    platform: str  # "server" | "ecs" | "lambda" | "target" (Resources without a known Type)
    template: bool = False  # values are filled in later: only the structure is checked

    def get(self, key: str) -> Node | None:
        """Case-insensitive: a wrongly-cased key still tells us what was meant."""
        return self.root.get_ci(key)


def platform_of(root: Mapping) -> str:
    resources = root.get_ci("Resources")
    if resources is None:
        return "server"
    for target in _targets(resources):
        rtype = _text(target.get("Type")) if isinstance(target, Mapping) else None
        if rtype == "AWS::Lambda::Function":
            return "lambda"
        if rtype == "AWS::ECS::Service":
            return "ecs"
    hooks = root.get_ci("Hooks")
    names = {name for name, _, _ in _target_hooks(hooks)}
    if names and names <= set(LAMBDA_HOOKS):
        return "target"
    if names & {"BeforeInstall", "AfterInstall", "AfterAllowTestTraffic"}:
        return "ecs"
    return "target"


def _targets(resources: Node | None) -> Iterator[Node]:
    if isinstance(resources, Sequence):
        for item in resources.items:
            if isinstance(item, Mapping):
                for _, _, target in item.items():
                    yield target
    elif isinstance(resources, Mapping):  # a mapping instead of a list: still find the target
        for _, _, target in resources.items():
            yield target


def _target_hooks(hooks: Node | None) -> Iterator[tuple[str, Node, Node]]:
    """(event, key node, value node) of an ECS/Lambda `Hooks` list (or a
    mapping written by mistake)."""
    if isinstance(hooks, Sequence):
        for item in hooks.items:
            if isinstance(item, Mapping):
                yield from item.items()
    elif isinstance(hooks, Mapping):
        yield from hooks.items()


def _server_hooks(hooks: Node | None) -> Iterator[tuple[str, Node, Node]]:
    if isinstance(hooks, Mapping):
        yield from hooks.items()


def _text(node: Node | None) -> str | None:
    if isinstance(node, Scalar) and not node.is_null:
        return node.text
    return None


def _entries(value: Node | None) -> Iterator[Mapping]:
    if isinstance(value, Sequence):
        for item in value.items:
            if isinstance(item, Mapping):
                yield item


def _parse(doc: Document) -> Appspec | None:
    """The appspec (None for a non-mapping). A template's values are filled in
    later (one notice says so): its keys and hook names are still checked,
    its values are not."""
    root = doc.root
    if not isinstance(root, Mapping):
        return None
    return Appspec(root, platform_of(root), template=bool(partial_reason(doc, "appspec")))


# --- APS001 version ------------------------------------------------------------------


def version(doc: Document, ctx: Context) -> None:
    spec = _parse(doc)
    if spec is None or spec.template:
        return
    key = spec.root.key_node("version")
    node = spec.root.get("version")
    if node is None:
        where = spec.root.pairs[0][0] if spec.root.pairs else spec.root
        ctx.report("APS001", where, "appspec has no 'version'; CodeDeploy requires 'version: 0.0'", fix="add 'version: 0.0' at the top")
        return
    if not isinstance(node, Scalar) or node.is_null:
        ctx.report("APS001", node if not node.is_null else key or node, "'version' must be 0.0", fix="version: 0.0")
        return
    text = node.text.strip()
    if node.yaml_type in ("int", "float") and node.value == 0:
        return  # 0 and 0.0 are the same number to the agent (Ruby: [0.0].include?(0))
    if node.yaml_type == "str" and text in ("0", "0.0"):
        if spec.platform == "server":
            ctx.report(
                "APS001", node,
                f"'version' is the string '{text}' (quoted); the CodeDeploy agent compares it with the number 0.0, so the deployment fails",
                fix="version: 0.0",
            )
        return
    ctx.report("APS001", node, f"'version' is {node.text!r}; the only appspec version is 0.0", fix="version: 0.0")


# --- schema: APS002, APS004, APS005, APS006, APS007, APS009 ------------------------------


def schema(doc: Document, ctx: Context) -> None:
    spec = _parse(doc)
    if spec is None:
        ctx.report("APS002", doc.root or (1, 1), "an appspec must be a mapping with 'version' and 'os' (EC2/on-premises) or 'Resources' (ECS/Lambda)")
        return
    _key_case(spec, ctx)
    name = "appspec-server" if spec.platform == "server" else "appspec-ecs-lambda"
    for problem in schema_errors.problems(name, spec.root, _normalised_instance(spec), "the appspec"):
        if not spec.template or problem.kind in ("unknown-key", "required"):
            _report_schema_problem(spec, ctx, problem)
    if spec.template:
        return
    if spec.platform == "server":
        _server_values(spec, ctx)
    else:
        _target_values(spec, ctx)


def _normalised_instance(spec: Appspec) -> Any:
    """The document as plain data, with wrongly-cased top-level keys already
    reported by `_key_case` dropped so they are not reported twice."""
    data = spec.root.to_py()
    if not isinstance(data, dict):
        return data
    expected = SERVER_KEYS if spec.platform == "server" else TARGET_KEYS
    lowered = {k.lower(): k for k in expected}
    return {k: v for k, v in data.items() if k in expected or k.lower() not in lowered}


def _key_case(spec: Appspec, ctx: Context) -> None:
    expected = SERVER_KEYS if spec.platform == "server" else TARGET_KEYS
    lowered = {k.lower(): k for k in expected}
    label = "an EC2/on-premises" if spec.platform == "server" else f"an {_platform_label(spec.platform)}"
    for key, key_node, _ in spec.root.items():
        right = lowered.get(key.lower())
        if right and right != key:
            ctx.report(
                "APS002", key_node,
                f"'{key}' must be written '{right}' in {label} appspec; keys are case-sensitive and this section is ignored",
                fix=f"rename '{key}' to '{right}'",
            )


def _platform_label(platform: str) -> str:
    return {"server": "EC2/on-premises", "ecs": "ECS", "lambda": "Lambda"}.get(platform, "ECS/Lambda")


def _code_for(spec: Appspec, path: list[Any]) -> str | None:
    head = path[0] if path else None
    if spec.platform == "server":
        return {
            None: "APS002", "os": "APS002", "version": None, "files": "APS005",
            "permissions": "APS007", "file_exists_behavior": "APS006",
        }.get(head, "APS004" if head == "hooks" and len(path) >= 2 else "APS002")
    if head == "Resources":
        return "APS002" if len(path) <= 2 else "APS009"
    if head == "Hooks":
        return "APS004"
    if head == "version":
        return None
    return "APS002"


def _report_schema_problem(spec: Appspec, ctx: Context, problem: schema_errors.Problem) -> None:
    path, validator = list(problem.path), problem.error.validator
    code = _code_for(spec, path)
    if code is None:
        return
    node, message = problem.node, problem.message
    if problem.kind == "unknown-key":
        if len(path) == 1 and path[0].lower() in {k.lower() for k in _expected_keys(spec)}:
            return  # reported by _key_case
        if path[0] == "files" and path[-1] in _MISPLACED_EXISTS and spec.root.get("file_exists_behavior") is not None:
            return  # the top level already says what the misplaced key meant to
        ctx.report(code, node, _unknown_key_message(path, message), fix=_unknown_key_fix(path[-1]))
        return
    if validator == "propertyNames" or "propertyNames" in problem.error.schema_path:
        return  # hook names: APS003
    if path[:1] == ["hooks"] and path[-1:] == ["timeout"] or path[:1] == ["Resources"] and path[-1:] == ["ContainerPort"]:
        return  # value checks below give better messages
    if validator == "pattern" and path[-1:] == ["mode"]:
        return  # APS007 mode check below
    if problem.kind == "required":
        parent = node_at_path(spec.root, path[:-1])
        present = {k.lower() for k in parent.keys()} if isinstance(parent, Mapping) else set()
        # 'version' is APS001's; a wrongly-cased key was reported by _key_case.
        if path[-1] != "version" and path[-1].lower() not in present:
            ctx.report(code, node, message + _required_hint(path[-1]))
        return
    target = node_at_path(spec.root, path)
    if validator in ("minProperties", "maxProperties") and path[:1] == ["Resources"]:
        ctx.report("APS002", target, f"{schema_errors.path_label(path, 'the appspec')}: each Resources item must hold exactly one target (a single key naming it)")
        return
    if validator in ("minItems", "maxItems") and path == ["Resources"]:
        extra = target.items[1:] if isinstance(target, Sequence) else []
        for number, item in enumerate(extra, 2):
            anchor = _entry_anchor(item) if isinstance(item, Mapping) else item
            ctx.report("APS002", anchor, f"'Resources' must list exactly one target; this is target {number} of {len(extra) + 1}")
        if not extra:
            ctx.report("APS002", node, "'Resources' must list exactly one target; it is empty")
        return
    if validator in ("minProperties", "maxProperties") and path[:1] == ["Hooks"]:
        ctx.report("APS004", target, f"{schema_errors.path_label(path, 'the appspec')}: each Hooks item must be a single 'Event: FunctionName' pair")
        return
    if problem.kind == "empty" and validator == "type":
        # The agent treats an empty optional key (`mode:`, `runas:`, `files:`)
        # as absent; an empty hook list, list item or required key breaks it.
        if path and (isinstance(path[-1], int) or path[0] == "hooks" and len(path) == 2 or path[-1] in _REQUIRED_KEYS or path[0] in ("Resources", "Hooks")):
            ctx.report(code, node, message)
        return
    ctx.report(code, node, message)


def _expected_keys(spec: Appspec) -> tuple[str, ...]:
    return SERVER_KEYS if spec.platform == "server" else TARGET_KEYS


def _entry_anchor(node: Mapping) -> Node:
    """A mapping spans many lines: anchor at its first key."""
    return node.pairs[0][0] if node.pairs else node


def _required_hint(name: str) -> str:
    if name == "os":
        return " (linux or windows)"
    if name == "location":
        return ": the agent rejects a script with no location"
    if name in ("source", "destination"):
        return ": CodeDeploy cannot install this entry"
    if name == "Resources":
        return ": an ECS or Lambda appspec names its one deployment target there"
    return ""


_MISPLACED_EXISTS = ("file_exists_behavior", "overwrite", "Overwrite")


def _unknown_key_message(path: list[Any], message: str) -> str:
    key = path[-1]
    if path[0] == "files" and key == "file_exists_behavior":
        return "'file_exists_behavior' belongs at the top level of the appspec, not inside a files entry; here it is ignored"
    if path[0] == "files" and key in ("overwrite", "Overwrite"):
        return f"'{key}' is not a files option; use the top-level 'file_exists_behavior: OVERWRITE'"
    return message


def _unknown_key_fix(key: str) -> str:
    if key in _MISPLACED_EXISTS:
        return "remove it from the entry and set 'file_exists_behavior: OVERWRITE' (or RETAIN) at the top level"
    return ""


# --- value checks the schema cannot express -----------------------------------------------


def _server_values(spec: Appspec, ctx: Context) -> None:
    os_name = _text(spec.get("os"))
    windows = os_name == "windows"
    for event, _, scripts in _server_hooks(spec.root.get("hooks")):
        for entry in _entries(scripts):
            _timeout(entry, ctx, event)
            runas_key = entry.key_node("runas")
            if windows and runas_key is not None:
                ctx.report("APS004", runas_key, f"hook '{event}': 'runas' is not supported on Windows Server instances; the script does not run as that user", fix="remove 'runas'")
    for entry in _entries(spec.root.get("files")):
        dest = entry.get("destination")
        if not (isinstance(dest, Scalar) and dest.yaml_type == "str" and not dest.tag):
            continue
        text = _text(dest)
        if text is None or os_name not in ("linux", "windows"):
            continue
        if os_name == "linux" and not text.startswith("/"):
            ctx.report("APS005", dest, f"destination '{text}' is not an absolute Linux path", fix="use an absolute path such as /var/www/html")
        elif windows and not _WINDOWS_PATH.match(text):
            ctx.report("APS005", dest, f"destination '{text}' is not a Windows path (e.g. C:\\inetpub\\wwwroot)")
    perms = spec.root.get("permissions")
    if windows and isinstance(perms, Sequence) and perms.items:
        ctx.report("APS007", spec.root.key_node("permissions") or perms, "'permissions' is supported only on Linux; on Windows the deployment fails")
    for entry in _entries(perms):
        mode = entry.get("mode")
        if mode is not None:
            _mode(mode, ctx)


def _timeout(entry: Mapping, ctx: Context, event: str) -> None:
    node = entry.get("timeout")
    if node is None or not isinstance(node, Scalar):
        return
    if node.is_null:
        ctx.report("APS004", entry.key_node("timeout") or node, f"hook '{event}': 'timeout' is empty")
        return
    text = node.text.strip()
    # The agent reads the timeout with Ruby's to_i: "300" works, "<TIMEOUT>" is 0 and fails.
    if node.yaml_type in ("int", "str") and re.fullmatch(r"\d+", text):
        seconds = int(text)
        if seconds < 1:
            ctx.report("APS004", node, f"hook '{event}': timeout {seconds} is invalid; the agent rejects values below 1")
        elif seconds > MAX_TIMEOUT:
            ctx.report("APS004", node, f"hook '{event}': timeout {seconds} exceeds the maximum of {MAX_TIMEOUT} seconds; the deployment fails", fix=f"use at most {MAX_TIMEOUT}")
        return
    ctx.report("APS004", node, f"hook '{event}': timeout {node.text!r} is not a whole number of seconds (the agent reads it as 0 and fails)")


def _mode(node: Node, ctx: Context) -> None:
    if not isinstance(node, Scalar) or node.is_null or node.tag or node.yaml_type not in ("int", "str"):
        return  # the schema reports the wrong type
    raw = _raw_scalar(ctx, node)
    text = node.text.strip()
    if not re.fullmatch(r"[0-7]{1,4}", text):
        ctx.report("APS007", node, f"mode {text!r} is invalid: one to four octal digits (0-7) expected; the agent fails the deployment")
        return
    if node.yaml_type == "int" and raw.startswith("0") and len(raw) > 1 and int(raw, 8) != int(raw):
        # The agent loads YAML 1.1: an unquoted 0755 is the octal number 493,
        # which it then reads as the mode "493" and rejects (or 0644 -> "420").
        ctx.report("APS007", node, f"unquoted mode {raw} is read by the agent as the octal number {int(raw, 8)}, not as mode {raw}", fix=f"write mode: {raw.lstrip('0') or '0'} or quote it: '{raw}'")
        return
    digits = text.rjust(3, "0")
    world = int(digits[-1])
    if world & 2:
        ctx.report("APS010", node, f"mode {text} makes the files world-writable; any local user can change the deployed code", fix="use 755 for directories and 644 for files")


def _raw_scalar(ctx: Context, node: Scalar) -> str:
    if node.line == node.end_line and 1 <= node.line <= len(ctx.lines):
        return ctx.lines[node.line - 1][node.column - 1 : node.end_column - 1].strip()
    return node.text


def _target_values(spec: Appspec, ctx: Context) -> None:
    for target in _targets(spec.root.get("Resources")):
        if not isinstance(target, Mapping):
            continue
        props = target.get("Properties")
        if not isinstance(props, Mapping):
            continue
        rtype = _text(target.get("Type"))
        if rtype == "AWS::Lambda::Function":
            current, wanted = props.get("CurrentVersion"), props.get("TargetVersion")
            same = _text(current)
            if isinstance(current, Scalar) and isinstance(wanted, Scalar) and same and same.strip() and same == _text(wanted):
                ctx.report("APS009", wanted, f"TargetVersion equals CurrentVersion ({_text(current)}); no traffic shifts", related=[(current, "CurrentVersion")])
        elif rtype == "AWS::ECS::Service":
            lb = props.get("LoadBalancerInfo")
            port = lb.get("ContainerPort") if isinstance(lb, Mapping) else None
            if port is not None:
                _container_port(port, ctx)


def _container_port(node: Node, ctx: Context) -> None:
    if not isinstance(node, Scalar):
        ctx.report("APS009", node, "ContainerPort must be an integer from 1 to 65535")
        return
    text = node.text.strip()
    if node.yaml_type == "int" and isinstance(node.value, int) and 1 <= node.value <= 65535:
        return
    if node.yaml_type == "str" and re.fullmatch(r"\d+", text) and 1 <= int(text) <= 65535:
        return  # a quoted port is accepted by CodeDeploy
    ctx.report("APS009", node, f"ContainerPort {node.text!r} is not a port number (1-65535); traffic cannot be routed")


# --- APS003 hook names -------------------------------------------------------------------


def hook_names(doc: Document, ctx: Context) -> None:
    spec = _parse(doc)
    if spec is None:
        return
    allowed_extra = set(ctx.option("APS003", "allow"))
    valid: tuple[str, ...]
    if spec.platform == "server":
        valid, label, pairs = SERVER_HOOKS, "EC2/on-premises", _server_hooks(spec.get("hooks"))
    else:
        valid = {"ecs": ECS_HOOKS, "lambda": LAMBDA_HOOKS}.get(spec.platform, ECS_HOOKS)
        label = _platform_label(spec.platform)
        pairs = _target_hooks(spec.get("Hooks"))
    for name, key_node, _ in pairs:
        if name in valid or name in allowed_extra:
            continue
        compact = re.sub(r"[\s_\-]", "", name)
        match = next((v for v in valid if v.lower() == compact.lower()), None)
        match = match or next(iter(difflib.get_close_matches(compact, valid, n=1, cutoff=0.85)), None)
        if " " in name.strip() or match:
            message = f"hook '{name}' is not a lifecycle event" + (f"; did you mean '{match}'?" if match else "")
        elif name in RESERVED_HOOKS:
            message = f"'{name}' is run by CodeDeploy itself; scripts cannot be attached to it"
        elif name in SERVER_HOOKS + ECS_HOOKS:
            message = f"'{name}' is not a lifecycle event of the {label} platform (valid: {', '.join(valid)}); it never runs"
        else:
            continue  # a deliberate custom event, which codedeploy-local --events runs
        ctx.report("APS003", key_node, message, fix=f"rename it to '{match}'" if match else "")


# --- APS008 hook scripts in the repository ------------------------------------------------


def hook_scripts(doc: Document, ctx: Context) -> None:
    spec = _parse(doc)
    if spec is None or spec.template or spec.platform != "server":
        return
    base = posixpath.dirname(ctx.path)
    located: list[tuple[str, Node, list[str]]] = []
    for _, _, scripts in _server_hooks(spec.root.get("hooks")):
        for entry in _entries(scripts):
            node = entry.get("location")
            text = _text(node)
            if node is None or not text or "$" in text:
                continue
            rel = posixpath.normpath(text.strip().replace("\\", "/").lstrip("/"))
            if rel.startswith(".."):
                continue
            # The revision root is the appspec's directory; the repository root
            # is a second guess for bundles built from the top of the repo.
            candidates = list(dict.fromkeys(posixpath.join(b, rel) if b else rel for b in (base, "")))
            located.append((text, node, candidates))
    if not located:
        return
    found = [any(_exists(ctx, c) for c in cands) for _, _, cands in located]
    for (text, node, cands), ok in zip(located, found):
        if ok:
            continue
        # Only report when the revision is visibly here: another hook script
        # exists, or the script's folder exists next to the appspec. Otherwise
        # the bundle is probably assembled by the build and we cannot tell.
        folder = posixpath.dirname(cands[0])
        folder_exists = folder != base and _exists(ctx, folder)
        if any(found) or folder_exists:
            ctx.report(
                "APS008", node,
                f"hook script '{text}' is not in the revision (looked for {' and '.join(repr(c) for c in cands)})",
                fix="fix the path (it is relative to the revision root, where appspec.yml is) or add the script",
            )


def _exists(ctx: Context, path: str) -> bool:
    if posixpath.isabs(path):
        return Path(path).exists()
    return ctx.project.exists(path)


# --- hygiene: APS011 - APS014 ---------------------------------------------------------------


def hygiene(doc: Document, ctx: Context) -> None:
    spec = _parse(doc)
    if spec is None:
        return
    if spec.platform == "server":
        files = spec.root.get("files")
        if isinstance(files, Sequence) and files.items and spec.root.get_ci("file_exists_behavior") is None and not _nested_file_exists(files):
            ctx.report(
                "APS011", spec.root.key_node("files") or files,
                "'files' without a top-level 'file_exists_behavior': a redeploy fails when a destination file exists that CodeDeploy did not place",
                fix="add 'file_exists_behavior: OVERWRITE' (or RETAIN) at the top level",
            )
        for event, _, scripts in _server_hooks(spec.root.get("hooks")):
            for entry in _entries(scripts):
                runas = entry.get("runas")
                if isinstance(runas, Scalar) and _text(runas) == "root":
                    ctx.report("APS012", runas, f"hook '{event}' runs as root (runas: root, which is also the agent's default): the script has full "
                               "control of the instance; a dedicated user would limit what a bad revision can do", fix="run it as a dedicated user")
                if "timeout" not in entry and "location" in entry:
                    ctx.report("APS014", entry.key_node("location") or entry, f"hook '{event}' script has no 'timeout': a hung script blocks the deployment for 3600 s", fix="add 'timeout: 300' (or what the script needs)")
        names = {name for name, _, _ in _server_hooks(spec.get("hooks"))}
        anchor = spec.root.key_node("hooks") or spec.root.key_node("os") or _entry_anchor(spec.root)
    else:
        names = {name for name, _, _ in _target_hooks(spec.get("Hooks"))}
        anchor = spec.root.key_node("Hooks") or spec.root.key_node("Resources") or _entry_anchor(spec.root)
    wanted = VALIDATION_HOOKS.get(spec.platform, VALIDATION_HOOKS["lambda"])
    if not names & set(wanted):
        label = _platform_label(spec.platform)
        ctx.report(
            "APS013", anchor,
            f"no validation hook ({' or '.join(wanted)}) in this {label} appspec: a broken release counts as a successful deployment",
            fix=f"add a {wanted[0]} hook that checks the new version",
        )


def _nested_file_exists(files: Sequence) -> bool:
    return any("file_exists_behavior" in entry for entry in _entries(files))
