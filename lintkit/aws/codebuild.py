"""CodeBuild project rules (CBP) for `AWS::CodeBuild::Project` resources."""

from __future__ import annotations

import re

from lintkit import secrets
from lintkit.aws import runtimes
from lintkit.aws.buildspec import runtime_entries
from lintkit.aws.cfn import Resource, Template, is_true, items, scalar_text, template_of
from lintkit.aws.embedded import extract
from lintkit.aws import iam
from lintkit.api import Context
from lintkit.documents import Document, Mapping, Node, ParseError, Scalar, intrinsic, load


_DEPRECATED_IMAGE = re.compile(
    r"^aws/codebuild/(standard:[1-4]\.0|amazonlinux2-x86_64-standard:[1-3]\.0|amazonlinux2-aarch64-standard:1\.0"
    r"|(nodejs|docker|python|java|golang|ruby|php|dot-net|android-java-\d+)[:/]|eb-|ubuntu-base:14\.04)"
)
_URL_SECRETS = ("url-credentials", "url-token")
# Commands that use a Docker daemon, or may (build tools and scripts whose
# steps we cannot see). Kept in step with lintkit/python/cdk_codebuild.py.
_MAY_NEED_DOCKER = re.compile(
    r"\b(?:docker|docker-compose|podman|buildah|kaniko|nerdctl|sam|cdk|serverless|sls|skaffold|earthly|kind|minikube|"
    r"make|gradle|gradlew|mvn|mvnw|npm|npx|yarn|pnpm|tox|nox|bazel)\b|(?:^|[\s;&|(])(?:\./|bash\s+\S|sh\s+\S|source\s)"
)
PR_EVENTS = ("PULL_REQUEST_CREATED", "PULL_REQUEST_UPDATED", "PULL_REQUEST_REOPENED", "PULL_REQUEST_MERGED", "PULL_REQUEST_CLOSED")


def lint_projects(template: Template, ctx: Context) -> None:
    for res in template.of_type("AWS::CodeBuild::Project"):
        props = res.properties
        if props is None:
            continue
        _encryption(res, props, ctx)
        _privileged(res, props, template, ctx)
        _env_secrets(res, props, template, ctx)
        _sources(res, props, ctx)
        _logs(res, props, ctx)
        _webhooks(res, props, ctx)
        _image(res, props, ctx)
        role = iam.admin_grant(template, props.get("ServiceRole"))
        if role is not None:
            ctx.report(
                "CBP012", props.get("ServiceRole") or res.key,
                f"CodeBuild project '{res.name}' runs with role '{role[0]}', which {role[2]}; every build step "
                "(and every pull request it builds) can take over the account",
                related=[(role[1], "granted here")],
            )


def _encryption(res: Resource, props: Mapping, ctx: Context) -> None:
    for key, art in _artifacts(props):
        flag = art.get("EncryptionDisabled")
        if not is_true(flag):
            continue
        atype = (scalar_text(art.get("Type")) or "S3").upper()
        if atype == "S3":
            ctx.report(
                "CBP001", flag,
                f"{key} of project '{res.name}' are not encrypted with the project's KMS key (EncryptionDisabled: true); "
                "only the bucket's default encryption protects them, and anyone who can read the bucket can read them",
            )
        elif (type_node := art.get("Type")) is not None:
            ctx.report(
                "CBP013", flag,
                f"{key} of project '{res.name}' have Type {atype}, and EncryptionDisabled is valid only for S3 artifacts: "
                "CodeBuild rejects the project (InvalidInputException)",
                related=[(type_node, f"Type {atype}")],
            )
    key_node = props.get("EncryptionKey")
    key_text = scalar_text(key_node)
    stored = _stored_in_s3(props)
    if stored and (key_node is None or (key_text is not None and key_text.strip() in ("alias/aws/s3", ""))):
        where = key_node if key_node is not None else res.key
        ctx.report(
            "CBP002", where,
            f"project '{res.name}' has no customer-managed EncryptionKey, so what it writes to S3 ({', '.join(stored)}) is "
            "encrypted with the AWS-managed aws/s3 key, whose key policy you cannot limit",
        )


def _artifacts(props: Mapping) -> list[tuple[str, Mapping]]:
    found: list[tuple[str, Mapping]] = []
    for key in ("Artifacts", "SecondaryArtifacts"):
        value = props.get(key)
        found.extend((key, art) for art in ([value] if isinstance(value, Mapping) else items(value)) if isinstance(art, Mapping))
    return found


def _stored_in_s3(props: Mapping) -> list[str]:
    """What the project itself writes to S3 under its EncryptionKey (CODEPIPELINE
    artifacts go to the pipeline's store and its key; EncryptionDisabled
    artifacts use no key at all, which CBP001 reports)."""
    stored = []
    if any((scalar_text(art.get("Type")) or "").upper() == "S3" and not is_true(art.get("EncryptionDisabled")) for _, art in _artifacts(props)):
        stored.append("artifacts")
    cache = props.get("Cache")
    if isinstance(cache, Mapping) and (scalar_text(cache.get("Type")) or "").upper() == "S3":
        stored.append("build cache")
    logs = props.get("LogsConfig")
    s3_logs = logs.get("S3Logs") if isinstance(logs, Mapping) else None
    if isinstance(s3_logs, Mapping) and (scalar_text(s3_logs.get("Status")) or "").upper() == "ENABLED":
        stored.append("build logs")
    return stored


def _privileged(res: Resource, props: Mapping, template: Template, ctx: Context) -> None:
    env = props.get("Environment")
    flag = env.get("PrivilegedMode") if isinstance(env, Mapping) else None
    if not is_true(flag):
        return
    source = props.get("Source")
    spec = source.get("BuildSpec") if isinstance(source, Mapping) else None
    spec_text = _spec_text(spec)
    # Privileged mode exists for the Docker daemon. Reported only when the
    # buildspec is in sight and runs nothing that may need it.
    if spec_text is None or "phases" not in spec_text or _MAY_NEED_DOCKER.search(spec_text):
        return
    ctx.report(
        "CBP003", flag,
        f"project '{res.name}' runs in privileged mode (root on the build host), but its buildspec runs no container "
        "tool (docker, podman, buildah, sam, cdk) and no build script that could: the privilege is unused",
    )


def _spec_text(spec: Node | None) -> str | None:
    if spec is None:
        return None
    text = scalar_text(spec)
    if text is None:
        fn = intrinsic(spec)
        if fn and fn[0] == "Fn::Sub":
            arg = fn[1]
            body = arg.items[0] if hasattr(arg, "items") and not isinstance(arg, Mapping) and arg.items else arg
            text = body.text if isinstance(body, Scalar) else None
    return text


def _env_secrets(res: Resource, props: Mapping, template: Template, ctx: Context) -> None:
    env = props.get("Environment")
    for var in items(env.get("EnvironmentVariables") if isinstance(env, Mapping) else None):
        if not isinstance(var, Mapping):
            continue
        vtype = scalar_text(var.get("Type")) or "PLAINTEXT"
        if vtype.upper() != "PLAINTEXT":
            continue
        name = scalar_text(var.get("Name")) or ""
        value = var.get("Value")
        text = scalar_text(value)
        if value is None:
            continue
        if text is not None:
            # A literal: judged exactly as a buildspec's env.variables (BSP005) and Python (PSC006).
            match = secrets.classify_value(text, name=name)
            if match is None or match.confidence == "low" or secrets.marked_as_mock(ctx.lines, value.line, name):
                continue
            what = "a secret" if match.kind == "keyword" else _article(match.description)
            ctx.report(
                "CBP004", value,
                f"environment variable '{name}' of project '{res.name}' holds {what} in plain text ({match.redacted(text)}), "
                "visible to anyone who can read the project",
                fix="Type: PARAMETER_STORE or SECRETS_MANAGER",
                properties={"secret_kind": match.kind} if match.secret(text) == text.strip() else None,
            )
            continue
        fn = intrinsic(value)
        # A Ref to a parameter still lands in the project in plain text;
        # GetAtt/ImportValue usually name a resource, not a secret value.
        if not secrets.looks_like_secret_name(name) or fn is None or fn[0] not in ("Ref", "Fn::Sub"):
            continue
        if fn[0] == "Ref" and scalar_text(template.param_default(value)) is None and not _is_noecho_param(template, value):
            continue
        ctx.report(
            "CBP004", var.get("Name") or value,
            f"environment variable '{name}' of project '{res.name}' looks secret but is PLAINTEXT, visible to anyone who "
            "can read the project",
            fix="Type: PARAMETER_STORE or SECRETS_MANAGER",
        )


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _is_noecho_param(template: Template, node: Node) -> bool:
    fn = intrinsic(node)
    if fn is None or not isinstance(fn[1], Scalar):
        return False
    param = template.parameters.get(fn[1].text)
    return param is not None and is_true(param.get("NoEcho"))


def _sources(res: Resource, props: Mapping, ctx: Context) -> None:
    sources: list[tuple[str, Node]] = []
    primary = props.get("Source")
    if isinstance(primary, Mapping):
        sources.append(("Source", primary))
    for item in items(props.get("SecondarySources")):
        if isinstance(item, Mapping):
            sources.append(("SecondarySources", item))
    for key, src in sources:
        assert isinstance(src, Mapping)
        location = src.get("Location")
        text = scalar_text(location)
        if location is not None and text and any(m.kind in _URL_SECRETS or m.category == "token" for m in secrets.find_secrets(text)):
            ctx.report(
                "CBP005", location,
                f"{key} Location of project '{res.name}' embeds credentials in the URL; use a source credential or CodeStar connection",
            )
        insecure = src.get("InsecureSsl")
        if is_true(insecure):
            ctx.report("CBP007", insecure, f"{key} of project '{res.name}' ignores TLS certificate errors (InsecureSsl: true)")


def _logs(res: Resource, props: Mapping, ctx: Context) -> None:
    logs = props.get("LogsConfig")
    if not isinstance(logs, Mapping):
        return
    cw = logs.get("CloudWatchLogs")
    s3 = logs.get("S3Logs")
    cw_status_node = cw.get("Status") if isinstance(cw, Mapping) else None
    cw_status = scalar_text(cw_status_node)
    s3_status = scalar_text(s3.get("Status")) if isinstance(s3, Mapping) else None
    if cw_status_node is not None and cw_status == "DISABLED" and s3_status in (None, "DISABLED"):
        ctx.report("CBP006", cw_status_node, f"project '{res.name}' keeps no build logs (CloudWatch disabled, S3 logs off)")
    unencrypted = s3.get("EncryptionDisabled") if isinstance(s3, Mapping) else None
    if is_true(unencrypted) and s3_status == "ENABLED":
        ctx.report("CBP006", unencrypted, f"S3 build logs of project '{res.name}' are stored unencrypted")


def _image(res: Resource, props: Mapping, ctx: Context) -> None:
    env = props.get("Environment")
    image = env.get("Image") if isinstance(env, Mapping) else None
    text = scalar_text(image)
    if image is not None and text and _DEPRECATED_IMAGE.match(text.strip()):
        ctx.report("CBP011", image, f"build image '{text.strip()}' of project '{res.name}' is deprecated and no longer patched; use a current aws/codebuild/standard or amazonlinux image")


def _webhooks(res: Resource, props: Mapping, ctx: Context) -> None:
    triggers = props.get("Triggers")
    if not isinstance(triggers, Mapping) or not is_true(triggers.get("Webhook")):
        return
    groups = [g for g in items(triggers.get("FilterGroups"))]
    pr_events: list[Node] = []
    for group in groups:
        filters = [f for f in items(group) if isinstance(f, Mapping)]
        events = [f for f in filters if scalar_text(f.get("Type")) == "EVENT"]
        actor_ok = False
        file_guard = False
        group_pr: list[Node] = []
        for flt in filters:
            ftype = scalar_text(flt.get("Type"))
            pattern = flt.get("Pattern")
            ptext = scalar_text(pattern) or ""
            excluded = is_true(flt.get("ExcludeMatchedPattern"))
            if ftype == "EVENT" and not excluded and any(e in ptext for e in PR_EVENTS):
                group_pr.append(pattern or flt)
            if ftype == "ACTOR_ACCOUNT_ID" and not excluded:
                actor_ok = True
            if ftype == "FILE_PATH" and excluded and "buildspec" in ptext.lower():
                file_guard = True
            if ftype in ("ACTOR_ACCOUNT_ID", "HEAD_REF", "BASE_REF") and not excluded and pattern is not None and ptext and not _anchored(ptext):
                ctx.report(
                    "CBP009", pattern,
                    f"{ftype} filter pattern '{ptext}' of project '{res.name}' is not anchored (^…$); "
                    "a substring match lets other accounts or branches through",
                    fix=f"^({ptext.strip('^$')})$",
                )
        if events and group_pr and not actor_ok:
            ctx.report(
                "CBP008", group_pr[0],
                f"project '{res.name}' builds pull requests from anyone: this filter group has no ACTOR_ACCOUNT_ID filter",
            )
        if group_pr and not file_guard and _uses_repo_buildspec(props):
            pr_events.append(group_pr[0])
    if not groups:
        # No filter groups: every push and every pull request starts a build.
        where = triggers.get("Webhook") or triggers
        ctx.report(
            "CBP008", where,
            f"project '{res.name}' has a webhook with no filter groups, so it builds pull requests from anyone",
        )
        if _uses_repo_buildspec(props):
            pr_events.append(where)
    for where in pr_events[:1]:
        ctx.report(
            "CBP010", where,
            f"pull requests trigger project '{res.name}', which runs the buildspec from the repository; the pull request "
            "chooses the commands that run with the project's role",
            fix="use an inline BuildSpec, or add a FILE_PATH filter with ExcludeMatchedPattern for buildspec changes",
        )


def _uses_repo_buildspec(props: Mapping) -> bool:
    source = props.get("Source")
    spec = source.get("BuildSpec") if isinstance(source, Mapping) else None
    text = _spec_text(spec)
    return spec is None or (text is not None and "\n" not in text and "phases" not in text)


def _anchored(pattern: str) -> bool:
    text = pattern.strip()
    if text.startswith("^") and text.endswith("$"):
        return True
    # "^a$|^b$": every top-level alternative anchored
    parts = _split_alternatives(text)
    return len(parts) > 1 and all(p.startswith("^") and p.endswith("$") for p in parts)


def _split_alternatives(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def inline_runtimes(doc: Document, ctx: Context) -> None:
    """BSP024 for inline buildspecs, whose project names its image: a runtime
    version some image offers but this project's image does not. (What no
    image offers is reported when the inline buildspec itself is linted.)"""
    template = template_of(doc)
    for res in template.of_type("AWS::CodeBuild::Project"):
        env = res.prop("Environment")
        image_node = env.get("Image") if isinstance(env, Mapping) else None
        image = scalar_text(image_node)
        source = res.prop("Source")
        inline = source.get("BuildSpec") if isinstance(source, Mapping) else None
        embedded = extract(inline) if inline and image else None
        if embedded is None or image is None or image_node is None:
            continue
        try:
            spec = load(embedded.text)
        except ParseError:
            continue  # GEN001 on the inline buildspec says so
        phases = spec.root.get("phases") if isinstance(spec.root, Mapping) else None
        install = phases.get("install") if isinstance(phases, Mapping) else None
        for runtime, _, value, version in runtime_entries(install.get("runtime-versions") if isinstance(install, Mapping) else None):
            if runtimes.problem(runtime, version):
                continue  # no image offers it: reported on the buildspec itself
            why = runtimes.problem(runtime, version, image.strip())
            if why:
                line, col = embedded.map(value.line, value.column)
                end_line, end_col = embedded.map(value.end_line, value.end_column)
                ctx.report("BSP024", (line, col, end_line, end_col),
                           f"'{runtime}: {version}' in the inline buildspec of project '{res.name}': {why}",
                           related=[(image_node, "the project's image")],
                           fix="Pick a runtime version this image offers, or change the image")
