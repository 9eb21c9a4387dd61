"""Checks for CodeBuild buildspec documents (BSP rules, and GEN004 in commands).

Every check relies only on the Document and the context, so the same checks
lint a standalone `buildspec.yml` and a `BuildSpec` string embedded in a
CloudFormation CodeBuild project (`engine.run_checks(child_ctx, doc, "buildspec")`).
"""

from __future__ import annotations

import difflib
import re
from typing import Iterator

from lintkit import secrets
from lintkit.aws import schema as schema_errors
from lintkit.aws import runtimes, shell
from lintkit.aws.partial import partial_reason
from lintkit.api import Context
from lintkit.documents import Document, Mapping, Node, Scalar, Sequence

PHASES = ("install", "pre_build", "build", "post_build")


# --- document helpers -----------------------------------------------------------------


def root_of(doc: Document) -> Mapping | None:
    """The buildspec's mapping; None for templates and fragments (one notice says why)."""
    if not isinstance(doc.root, Mapping) or partial_reason(doc, "buildspec"):
        return None
    return doc.root


def _map(node: Node | None) -> Mapping | None:
    return node if isinstance(node, Mapping) else None


def _text(node: Node | None) -> str | None:
    return node.text if isinstance(node, Scalar) and not node.is_null else None


def _phases(root: Mapping) -> Iterator[tuple[str, Node, Node]]:
    phases = _map(root.get("phases"))
    if phases is None:
        return
    for name, key, value in phases.items():
        yield name, key, value


def command_items(root: Mapping) -> Iterator[tuple[str, Scalar]]:
    """(phase name, command scalar) for every string command in `commands` and `finally`,
    each once (a YAML alias can share one list between phases)."""
    seen: set[int] = set()
    for phase, scalar in _command_items(root):
        if id(scalar) not in seen:
            seen.add(id(scalar))
            yield phase, scalar


def _command_items(root: Mapping) -> Iterator[tuple[str, Scalar]]:
    for phase, _, body in _phases(root):
        body_map = _map(body)
        if body_map is None:
            continue
        for section in ("commands", "finally"):
            value = body_map.get(section)
            if isinstance(value, Sequence):
                for item in value.items:
                    if isinstance(item, Scalar) and not item.is_null:
                        yield phase, item
            elif isinstance(value, Scalar) and not value.is_null:
                yield phase, value  # a plain-string `commands:` (BSP015) still runs


def version_number(node: Node | None) -> float | None:
    """The buildspec version as a number (0.2 whether written 0.2, "0.2" or 0.20)."""
    if not isinstance(node, Scalar) or node.is_null or isinstance(node.value, bool):
        return None
    try:
        return float(str(node.value).strip())
    except ValueError:
        return None


def _report_hits(ctx: Context, code: str, scalar: Scalar, hits: list[shell.Hit], fix: str = "", severity: str | None = None) -> None:
    for hit in hits:
        ctx.report(code, scalar.span_of(hit.start, hit.end), hit.message, fix=fix, severity=severity)


# --- structure: BSP001, BSP002, BSP017, BSP019 ----------------------------------------------


def structure(doc: Document, ctx: Context) -> None:
    root = root_of(doc)
    if root is None:
        return
    first_key = root.pairs[0][0] if root.pairs else root
    phases = root.get("phases")
    batch = root.get("batch")
    if phases is None and batch is None:
        ctx.report("BSP001", first_key, "the buildspec has neither 'phases' nor 'batch' at the top level; CodeBuild requires one of them",
                   fix="Add a 'phases:' section with the build's commands")
    elif phases is not None and batch is None and (isinstance(phases, Scalar) and phases.is_null or isinstance(phases, Mapping) and not phases.pairs):
        ctx.report("BSP001", root.key_node("phases") or phases, "'phases' is empty, so the build runs nothing")
    _check_version(root, first_key, ctx)
    _check_legacy(root, ctx)
    batch_map = _map(batch)
    if batch is not None and (batch_map is None or not {"build-list", "build-graph", "build-matrix", "build-fanout"} & set(batch_map.keys())):
        ctx.report("BSP019", root.key_node("batch") or batch,
                   "'batch' defines no builds (no build-list, build-graph, build-matrix or build-fanout)",
                   fix="Add a build-list/build-graph/build-matrix, or remove 'batch'")


def _check_version(root: Mapping, first_key: Node, ctx: Context) -> None:
    node = root.get("version")
    if node is None:
        ctx.report("BSP002", first_key, "the buildspec has no 'version'; use 'version: 0.2'", fix="Add 'version: 0.2' at the top")
        return
    number = version_number(node)
    shown = node.text if isinstance(node, Scalar) else "a " + type(node).__name__.lower()
    if number not in (0.1, 0.2):
        ctx.report("BSP002", node, f"unsupported buildspec version '{shown}'; CodeBuild accepts 0.1 and 0.2 (use 0.2)", fix="version: 0.2")
        return
    if number == 0.1:
        lost = _state_lost_in_01(root)
        if lost is not None:
            scalar, what = lost
            ctx.report("BSP002", node, f"version 0.1 runs every command in its own shell, so {what} (line {scalar.line}) does not "
                       "carry over to the commands after it; use 0.2", related=[(scalar, "lost here")], severity="medium", fix="version: 0.2")
        return
    if "batch" in root and isinstance(node, Scalar) and node.style in ("'", '"'):
        ctx.report("BSP002", node, "quoted version \"0.2\" in a batch buildspec; write it as the number 0.2 (aws/aws-cdk#22087)",
                   severity="medium", fix="version: 0.2")


_STATE_ONLY = ("cd", "pushd", "source", ".")


def _state_lost_in_01(root: Mapping) -> tuple[Scalar, str] | None:
    """The first command item whose only effect is shell state (`cd app`,
    `source env.sh`, `export V=1` with $V used later), which version 0.1
    drops before the next item runs; None when every item stands alone."""
    items = [scalar for _, scalar in command_items(root)]
    for index, scalar in enumerate(items):
        cmds = shell.split(scalar.text)
        if not cmds or index + 1 == len(items):
            continue
        later = "\n".join(s.text for s in items[index + 1 :])
        if all(c.name in _STATE_ONLY for c in cmds):
            return scalar, f"'{shell.describe(cmds[0])}'"
        assigned = [w.text.split("=", 1)[0] for c in cmds for w in c.words if shell.is_assignment(w.text)]
        if all(not c.command_words() or c.name == "export" for c in cmds):
            used = next((v for v in assigned if re.search(rf"\${{?{v}\b", later)), None)
            if used:
                return scalar, f"the variable '{used}'"
    return None


def _check_legacy(root: Mapping, ctx: Context) -> None:
    if version_number(root.get("version")) != 0.2:
        return
    key = root.key_node("environment_variables")
    if key is not None:
        ctx.report("BSP017", key, "'environment_variables' is pre-0.2 syntax and is ignored; use 'env: variables:'",
                   fix="env:\n  variables:\n    NAME: value")
    env = _map(root.get("env"))
    if env is not None and (plaintext := env.key_node("plaintext")) is not None:
        ctx.report("BSP017", plaintext, "'env.plaintext' is pre-0.2 syntax and is ignored; use 'env.variables'")
    artifacts = _map(root.get("artifacts"))
    if artifacts is not None and (packaging := artifacts.key_node("type")) is not None:
        ctx.report("BSP017", packaging, "'artifacts.type' is not buildspec 0.2 syntax; the packaging is set on the project",
                   fix="Remove 'type' and set the artifact packaging on the CodeBuild project")


# --- schema: BSP003 ---------------------------------------------------------------------------

_OWNED_KEYS = {("environment_variables",): "BSP017", ("artifacts", "type"): "BSP017", ("env", "plaintext"): "BSP017"}
_NOUNS = {(): "top-level key", ("phases",): "phase", ("env",): "env key", ("cache",): "cache key", ("proxy",): "proxy key", ("batch",): "batch key"}


def _owned_elsewhere(problem: schema_errors.Problem) -> bool:
    """Errors a more specific rule reports (one typo, one finding)."""
    path, validator = problem.path, problem.error.validator
    if not path:
        return validator == "anyOf"  # neither phases nor batch: BSP001
    if path[0] == "version" or problem.kind == "required" and path[-1] == "version":
        return True  # BSP002
    if "runtime-versions" in path or path in _OWNED_KEYS:
        return True  # BSP004 / BSP024, BSP017
    if len(path) >= 3 and path[0] == "phases" and path[2] in ("commands", "finally"):
        return True  # BSP015 / BSP016
    if len(path) == 2 and path[0] == "phases" and problem.kind == "empty":
        return True  # a phase with only comments under it: BSP018
    if len(path) == 3 and path[0] == "reports" and path[2] == "file-format":
        return True  # BSP014
    if len(path) == 3 and path[0] == "env" and path[1] == "secrets-manager":
        return True  # BSP006
    return path == ("batch",) and validator in ("type", "anyOf")  # BSP019


def _consequential(problem: schema_errors.Problem) -> bool:
    """What changes the build. CodeBuild ignores keys it does not know and
    empty values: an unknown key matters when it is a misspelt real one (the
    setting it meant is lost), an empty value never."""
    if problem.kind == "unknown-key":
        return "did you mean" in problem.message or "must be written" in problem.message
    return problem.kind != "empty" or problem.error.validator == "minItems"


def schema(doc: Document, ctx: Context) -> None:
    root = root_of(doc)
    if root is None or ("phases" not in root and "batch" not in root):
        return  # BSP001 says it all; a pre-GA shape would give a finding per key
    for problem in schema_errors.problems("buildspec", root, root.to_py(), "the buildspec", _NOUNS):
        if _owned_elsewhere(problem) or not _consequential(problem):
            continue
        message = problem.message
        if problem.error.validator == "pattern" and problem.path[-1] == "on-failure":
            message = (f"invalid on-failure '{problem.error.instance}'; expected ABORT, CONTINUE, RETRY, RETRY-<count>, "
                       "RETRY-<regex> or RETRY-<count>-<regex>")
        elif problem.kind == "empty" and problem.error.validator == "minItems":
            message += "; give at least one entry"
        ctx.report("BSP003", problem.node, message)


# --- phases: BSP004, BSP015, BSP016, BSP018, BSP024 -------------------------------------------------

def phases(doc: Document, ctx: Context) -> None:
    root = root_of(doc)
    if root is None:
        return
    top = root.key_node("runtime-versions")
    if top is not None:
        ctx.report("BSP004", top, "'runtime-versions' at the top level is ignored; it belongs under 'phases.install'",
                   fix="Move it to phases: install: runtime-versions:")
        _check_runtimes(root.get("runtime-versions"), ctx)
    for name, key, body in _phases(root):
        if isinstance(body, Scalar) and body.is_null:
            ctx.report("BSP018", key, f"phase '{name}' is empty (only comments under it)", fix=f"Remove the '{name}' phase or give it commands")
            continue
        body_map = _map(body)
        if body_map is None:
            continue
        runtimes_key = body_map.key_node("runtime-versions")
        if runtimes_key is not None:
            if name != "install":
                ctx.report("BSP004", runtimes_key, f"'runtime-versions' in phase '{name}' is ignored; it belongs under 'phases.install'",
                           fix="Move it to phases: install: runtime-versions:")
            _check_runtimes(body_map.get("runtime-versions"), ctx)
        if not any(_has_commands(body_map.get(section)) for section in ("commands", "finally")) and runtimes_key is None:
            where = body_map.key_node("commands") or key
            ctx.report("BSP018", where, f"phase '{name}' has no commands", fix=f"Add commands to '{name}' or remove the phase")
        for section in ("commands", "finally"):
            value = body_map.get(section)
            section_key = body_map.key_node(section)
            if isinstance(value, Scalar) and not value.is_null:
                ctx.report("BSP015", value, f"'{name}.{section}' is a string; it must be a list of commands",
                           fix=f"{section}:\n  - {value.text.strip()[:40]}")
            elif isinstance(value, Mapping) and section_key is not None:
                ctx.report("BSP015", value, f"'{name}.{section}' is a mapping; it must be a list of commands")
            elif isinstance(value, Sequence):
                for item in value.items:
                    _check_command_item(item, name, ctx)


def _has_commands(value: Node | None) -> bool:
    if isinstance(value, Sequence):
        return any(not (isinstance(item, Scalar) and item.is_null) for item in value.items)
    return isinstance(value, Scalar) and not value.is_null


def _check_command_item(item: Node, phase: str, ctx: Context) -> None:
    if isinstance(item, Mapping):
        key, val = item.pairs[0] if item.pairs else (item, item)
        joined = f"{_text(key) or ''}: {_text(val) or ''}".strip()
        last = item.pairs[-1][1] if item.pairs else item
        ctx.report("BSP016", (key.line, key.column, last.end_line, last.end_column), f"this {phase} command loads as a mapping ('{joined[:60]}'): an unquoted ': ' made it one",
                   fix="Quote the whole command: - 'echo \"a: b\"'")
    elif isinstance(item, Sequence):
        ctx.report("BSP016", item, f"this {phase} command is a list, not a string")


def _check_runtimes(node: Node | None, ctx: Context) -> None:
    """BSP024 with the build image unknown: names and versions no image offers."""
    for runtime, key, value, version in runtime_entries(node):
        why = runtimes.problem(runtime, version)
        if why:
            ctx.report("BSP024", value if runtimes.known_runtime(runtime) else key, f"'{runtime}: {version}': {why}",
                       fix="Pick a runtime version the project's image offers (see the CodeBuild 'Available runtimes' page)")


def runtime_entries(node: Node | None) -> Iterator[tuple[str, Node, Scalar, str]]:
    """(runtime, key node, value node, version as written) of a runtime-versions
    mapping; the version is read from the source, so `python: 3.10` is 3.10, not
    the float 3.1."""
    entries = _map(node)
    for runtime, key, value in entries.items() if entries is not None else ():
        if isinstance(value, Scalar) and not value.is_null and not value.tag:
            raw = value.source[value.line - 1][value.column - 1 : value.end_column - 1] if value.line == value.end_line else value.text
            yield runtime, key, value, raw.strip().strip("\"'") if value.style in ("", "'", '"') else value.text.strip()


# --- env: BSP005, BSP006, BSP007 ------------------------------------------------------------------


def environment(doc: Document, ctx: Context) -> None:
    root = root_of(doc)
    env = _map(root.get("env")) if root else None
    if env is None:
        return
    variables = _map(env.get("variables"))
    if variables is not None:
        for name, _, value in variables.items():
            _check_plaintext(doc, name, value, ctx)
    secrets = _map(env.get("secrets-manager"))
    if secrets is not None:
        for name, key, value in secrets.items():
            _check_secret_ref(name, key, value, ctx)
    exported = env.get("exported-variables")
    if isinstance(exported, Sequence):
        store = _map(env.get("parameter-store"))
        for item in exported.items:
            var = _text(item)
            if var is None:
                continue
            if secrets is not None and (defined := secrets.key_node(var)) is not None:
                ctx.report("BSP007", item, f"'{var}' comes from Secrets Manager and is exported: its value shows in the build details and CodePipeline",
                           related=[(defined, "defined here")], fix=f"Remove '{var}' from exported-variables")
            elif store is not None and (defined := store.key_node(var)) is not None:
                ctx.report("BSP007", item, f"'{var}' comes from Parameter Store and is exported: its value shows in the build details and CodePipeline",
                           related=[(defined, "defined here")], fix=f"Remove '{var}' from exported-variables")


def _check_plaintext(doc: Document, name: str, value: Node, ctx: Context) -> None:
    text = _text(value)
    if text is None or isinstance(value, Scalar) and value.yaml_type in ("bool", "int", "float"):
        return
    match = secrets.classify_value(text, name=name)
    if match is None or match.confidence == "low" or secrets.marked_as_mock(doc.lines, value.line, name):
        return
    fix = f"Store it in Secrets Manager and reference it under 'env: secrets-manager: {name}: <secret-id>'"
    # The finding points at the whole value: mark it as the secret only when it is one.
    whole = {"secret_kind": match.kind} if match.secret(text) == text.strip() else None
    if match.kind == "keyword":
        message = f"'{name}' looks like a secret in plain text ({match.redacted(text)}): env.variables show in the console, API and logs"
    else:
        message = f"'{name}' holds {_article(match.description)} in plain text ({match.redacted(text)})"
    ctx.report("BSP005", value, message, fix=fix, properties=whole)


def _article(kind: str) -> str:
    return ("an " if kind[:1].lower() in "aeiou" else "a ") + kind


_SECRET_ID = re.compile(r"^[A-Za-z0-9/_+=.@-]+$")
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$")


def secrets_manager_problem(value: str) -> str:
    """Why `value` is not `secret-id[:json-key[:version-stage[:version-id]]]` ('' when it is)."""
    text = value.strip()
    if not text:
        return "is empty"
    if "${" in text or "$(" in text:
        return ""
    if text.startswith("arn:"):
        parts = text.split(":")
        if len(parts) < 7:
            return "is an incomplete ARN (expected arn:aws:secretsmanager:<region>:<account>:secret:<name>)"
        arn, rest = ":".join(parts[:7]), parts[7:]
        if not _SECRET_ARN.match(arn):
            return f"is not a Secrets Manager secret ARN ('{':'.join(parts[:3])}:...')"
    else:
        arn, *rest = text.split(":")
        if not arn:
            return "has an empty secret-id before ':'"
        if not _SECRET_ID.match(arn):
            bad = next(ch for ch in arn if not re.match(r"[A-Za-z0-9/_+=.@-]", ch))
            return f"has a secret-id with the character '{bad}', which secret names cannot contain"
    if len(rest) > 3:
        return f"has {len(rest)} fields after the secret-id; at most 3 (json-key:version-stage:version-id)"
    if len(rest) == 3 and rest[2] and not re.match(r"^[A-Za-z0-9-]{32,64}$", rest[2]):
        return f"has version-id '{rest[2]}', which is not a version id (a UUID)"
    return ""


def _check_secret_ref(name: str, key: Node, value: Node, ctx: Context) -> None:
    if not isinstance(value, Scalar):
        ctx.report("BSP006", value, f"secrets-manager '{name}' must be a string 'secret-id[:json-key[:version-stage[:version-id]]]'")
        return
    problem = secrets_manager_problem(value.text)
    if problem:
        where = value if not value.is_null else key
        ctx.report("BSP006", where, f"secrets-manager reference for '{name}' {problem}",
                   fix="Use secret-id[:json-key[:version-stage[:version-id]]], e.g. prod/db:password")


# --- commands: BSP009-011, BSP020-023, GEN004 -----------------------------------------------------


def secret_vars(root: Mapping) -> dict[str, str]:
    """Variables CodeBuild resolves from secret stores: name -> where they come from."""
    env = _map(root.get("env"))
    found: dict[str, str] = {}
    if env is None:
        return found
    for name in (_map(env.get("secrets-manager")) or Mapping(0, 0, 0, 0)).keys():
        found[name] = "Secrets Manager"
    for name in (_map(env.get("parameter-store")) or Mapping(0, 0, 0, 0)).keys():
        if secrets.looks_like_secret_name(name):
            found.setdefault(name, "Parameter Store")
    return found


_CREDENTIAL_KEYS = {"aws_secret_access_key", "aws_session_token", "aws_access_key_id"}


def _literal(word: str) -> bool:
    text = word.strip()
    if not text or text.startswith(("$", "-", "<")) or "${" in text or "$(" in text or "`" in text:
        return False
    return not set(text) <= set("*x.<>_")


def _tool(argv: list[str]) -> str:
    return " ".join(argv[:2]) if len(argv) > 1 and not argv[1].startswith("-") else argv[0]


def literal_credential(doc: Document, ctx: Context) -> None:
    root = root_of(doc)
    if root is None:
        return
    for _, scalar in command_items(root):
        text = scalar.text
        for base, cmd in shell.all_commands(text):
            words = cmd.command_words()
            argv = [w.text for w in words]
            if len(argv) >= 5 and argv[0] == "aws" and argv[1:3] == ["configure", "set"] and argv[3].split(".")[-1] in _CREDENTIAL_KEYS:
                given = words[4]
                if _literal(given.text) and argv[3].split(".")[-1] != "aws_access_key_id":
                    ctx.report("BSP009", scalar.span_of(base + given.start, base + given.end),
                               f"'aws configure set {argv[3]}' is given a literal credential ({secrets.redact(given.text)})",
                               fix="Use the build's service role, or read the value from env: secrets-manager",
                               properties={"secret_kind": "keyword"})
                continue
            for index, word in enumerate(words[1:], 1):
                flag, value, start, end = word.text, None, 0, 0
                if flag in ("--password", "--passwd") or (flag == "-p" and argv[0] in ("docker", "podman") and "login" in argv):
                    if index + 1 < len(words):
                        value = words[index + 1].text
                        start, end = words[index + 1].start, words[index + 1].end
                elif flag.startswith(("--password=", "--passwd=")):
                    value = flag.split("=", 1)[1]
                    start, end = word.start + len(flag.split("=", 1)[0]) + 1, word.end
                if value is not None and _literal(value) and not secrets.is_placeholder(value, "password"):
                    ctx.report("BSP009", scalar.span_of(base + start, base + end),
                               f"'{_tool(argv)} {flag.split('=')[0]}' is given a literal password ({secrets.redact(value)})",
                               fix="Read it from env: secrets-manager and pass it on stdin (e.g. --password-stdin)",
                               properties={"secret_kind": "keyword"})


def commands(doc: Document, ctx: Context) -> None:
    root = root_of(doc)
    if root is None:
        return
    items = list(command_items(root))
    for index, (phase, scalar) in enumerate(items):
        text = scalar.text
        later = "\n".join(s.text for p, s in items[index + 1 :] if p == phase)
        _report_hits(ctx, "BSP010", scalar, shell.pipe_to_shell(text) + shell.downloaded_then_run(text, later),
                     fix="Download a pinned release or commit over HTTPS, verify its checksum or signature, then run it")
        _report_hits(ctx, "BSP011", scalar, shell.tls_disabled(text), fix="Keep TLS verification on; add the CA certificate if you need one")
        _report_hits(ctx, "BSP020", scalar, shell.ecr_get_login(text),
                     fix="aws ecr get-login-password --region $AWS_REGION | docker login --username AWS --password-stdin <registry>")
        _report_hits(ctx, "BSP022", scalar, shell.error_masked(text, later),
                     fix="Let the command fail the build, or capture the code (|| RC=$?) and check it later")
        _report_hits(ctx, "BSP023", scalar, shell.terraform_auto_approve(text),
                     fix="terraform plan -out=tfplan, review it (manual approval), then terraform apply tfplan")
    _set_plus_e(ctx, items)
    _only_mutable_tags(ctx, items)


def _only_mutable_tags(ctx: Context, items: list[tuple[str, Scalar]]) -> None:
    """BSP021: an image pushed only as 'latest' (or untagged): no tag of this
    build exists to deploy, pin or roll back to. A `latest` next to an
    immutable tag of the same repository is a convenience alias."""
    pushes = [(scalar, push) for _, scalar in items for push in shell.docker_pushes(scalar.text)]
    pinned = {push.repository for _, push in pushes if not push.mutable}
    for scalar, push in pushes:
        if not push.mutable or push.repository in pinned:
            continue
        what = "the mutable tag 'latest'" if push.tag else "no tag, so 'latest'"
        ctx.report("BSP021", scalar.span_of(push.start, push.end),
                   f"'docker push {push.image}' pushes {what}, and this buildspec pushes no other tag of {push.repository}: "
                   "no image of this build can be deployed, pinned or rolled back to",
                   fix="Also push an immutable tag such as the commit id ($CODEBUILD_RESOLVED_SOURCE_VERSION), and deploy that")


def _set_plus_e(ctx: Context, items: list[tuple[str, Scalar]]) -> None:
    """`set +e` followed (in the same phase, before any `set -e`) by a test, lint, scan or deploy command."""
    for index, (phase, scalar) in enumerate(items):
        for hit in shell.set_plus_e(scalar.text):
            rest = [scalar.text[hit.end :]] + [s.text for p, s in items[index + 1 :] if p == phase]
            for chunk in rest:
                if shell.set_minus_e(chunk) and not shell.has_risky(chunk.split("set -e", 1)[0]):
                    break
                if shell.has_risky(chunk):
                    ctx.report("BSP022", scalar.span_of(hit.start, hit.end),
                               f"'set +e' in phase '{phase}' lets failing test, lint, scan or deploy commands pass",
                               fix="Remove 'set +e', or capture exit codes explicitly and fail the build on them")
                    break


# --- GEN004: typographic characters ------------------------------------------------------------------

TYPOGRAPHIC = {
    "\u2013": "en dash (–)",
    "\u2014": "em dash (—)",
    "\u2212": "minus sign (−)",
    "\u2018": "left single quote (‘)",
    "\u2019": "right single quote (’)",
    "\u201c": "left double quote (“)",
    "\u201d": "right double quote (”)",
    "\u00a0": "no-break space",
}
_ECHOES = {"echo", "printf", "Write-Host", "Write-Output"}


def typographic_characters(command: str) -> list[tuple[int, str]]:
    """(offset, character) of every typographic dash, curly quote or no-break
    space in shell command text, except inside comments and in text that a
    plain `echo`/`printf` only prints (written to a file or a pipe, it counts:
    that is how a broken imagedefinitions.json is made). Reusable for any
    command string (CloudFormation inline buildspecs, pipeline actions)."""
    if not any(ch in command for ch in TYPOGRAPHIC):
        return []
    ignored: list[tuple[int, int]] = []
    for cmd in shell.split(command):
        if cmd.comment_start >= 0:
            nl = command.find("\n", cmd.comment_start)
            ignored.append((cmd.comment_start, len(command) if nl < 0 else nl))
        if cmd.name in _ECHOES:
            writes = cmd.op_after in ("|", "|&") or any(w.text.startswith((">", "1>")) or re.match(r"^\d?>", w.text) for w in cmd.words)
            if not writes:
                ignored.append((cmd.start, cmd.end))
    return [
        (i, ch)
        for i, ch in enumerate(command)
        if ch in TYPOGRAPHIC and not any(a <= i < b for a, b in ignored)
    ]


def typographic(doc: Document, ctx: Context) -> None:
    root = root_of(doc)
    if root is None:
        return
    for _, scalar in command_items(root):
        found = typographic_characters(scalar.text)
        if not found:
            continue
        offset, ch = found[0]
        more = f" (and {len(found) - 1} more in this command)" if len(found) > 1 else ""
        plain = {"\u2013": "-", "\u2014": "--", "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "}[ch]
        ctx.report("GEN004", scalar.span_of(offset, offset + 1),
                   f"typographic {TYPOGRAPHIC[ch]} in a command{more}; the shell needs a plain '{plain}'",
                   fix=f"Replace it with '{plain}'")


# --- artifacts, cache, reports: BSP012, BSP013, BSP014 -------------------------------------------------


def outputs(doc: Document, ctx: Context) -> None:
    root = root_of(doc)
    if root is None:
        return
    artifacts = _map(root.get("artifacts"))
    if artifacts is not None:
        _check_artifact("artifacts", artifacts, ctx)
        secondary = _map(artifacts.get("secondary-artifacts"))
        for name, _, value in secondary.items() if secondary else ():
            if isinstance(value, Mapping):
                _check_artifact(f"secondary artifact '{name}'", value, ctx)
    cache = _map(root.get("cache"))
    paths = cache.get("paths") if cache else None
    if isinstance(paths, Sequence):
        for item in paths.items:
            path = _text(item)
            what = _credential_path(path or "")
            if what:
                ctx.report("BSP013", item, f"cache path '{path}' holds {what}; the credentials persist in the build cache",
                           fix="Remove it from cache.paths; log in again in each build")
    reports = _map(root.get("reports"))
    formats = report_formats()
    for group, _, body in reports.items() if reports else ():
        fmt_node = body.get("file-format") if isinstance(body, Mapping) else None
        fmt = _text(fmt_node)
        if fmt_node is not None and fmt is not None and fmt.strip().upper() not in formats:
            close = difflib.get_close_matches(fmt.strip().upper(), formats, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f" (expected one of: {', '.join(formats)})"
            ctx.report("BSP014", fmt_node, f"report '{group}' has file-format '{fmt}', which CodeBuild does not ingest{hint}")


def report_formats() -> list[str]:
    """The report file formats CodeBuild ingests, as the buildspec schema lists them (case-insensitive)."""
    report = schema_errors.schema("buildspec")["properties"]["reports"]["additionalProperties"]
    return list(dict.fromkeys(f.upper() for f in report["properties"]["file-format"]["enum"]))


def _check_artifact(label: str, artifact: Mapping, ctx: Context) -> None:
    files = artifact.get("files")
    items = files.items if isinstance(files, Sequence) else [files] if isinstance(files, Scalar) else []
    if "base-directory" in artifact or "exclude-paths" in artifact:
        return
    for item in items:
        text = (_text(item) or "").strip()
        if text in ("**/*", "./**/*", "**", "*/**"):
            ctx.report("BSP012", item, f"{label} ship the whole workspace ('{text}' with no base-directory or exclude-paths): every file the source "
                       "and the build left there, dependencies, caches and any credential files the build wrote included",
                       fix="Set base-directory to the build output, or add exclude-paths")


_CREDENTIAL_PATHS = (
    (re.compile(r"(^|/)\.aws(/|$)"), "AWS credentials (~/.aws)"),
    (re.compile(r"(^|/)\.docker(/config\.json|/?$|/\*)"), "Docker registry logins (~/.docker/config.json)"),
    (re.compile(r"(^|/)\.npmrc$"), "npm tokens (.npmrc)"),
    (re.compile(r"(^|/)\.git-credentials$"), "git credentials (.git-credentials)"),
    (re.compile(r"(^|/)\.pypirc$"), "PyPI tokens (.pypirc)"),
    (re.compile(r"(^|/)\.netrc$"), "login credentials (.netrc)"),
    (re.compile(r"(^|/)\.ssh(/|$)"), "SSH keys (~/.ssh)"),
    (re.compile(r"(^|/)\.kube(/config|/?$|/\*)"), "Kubernetes credentials (~/.kube/config)"),
)


def _credential_path(path: str) -> str:
    for pattern, what in _CREDENTIAL_PATHS:
        if pattern.search(path.strip()):
            return what
    return ""
