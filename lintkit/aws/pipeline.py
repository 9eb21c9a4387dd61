"""CodePipeline rules (PIP), for pipeline JSON and for pipelines in templates.

`lint_pipeline` runs every PIP rule on one `pipeline_model.Pipeline`; the
check below feeds it pipeline JSON, `cloudformation.py` feeds it each
`AWS::CodePipeline::Pipeline` resource.
"""

from __future__ import annotations

import re

from lintkit import secrets
from lintkit.aws.cfn import Template, field, field_key, is_prod_like, is_true, plain_text, scalar_text
from lintkit.aws.pipeline_model import Action, Pipeline, alternatives, pipelines_in_json
from lintkit.api import Context
from lintkit.documents import Document, Mapping, Node, Scalar, Sequence, intrinsic


# (category, owner, provider) -> (min in, max in, min out, max out), from the
# CodePipeline "valid input and output artifacts for each action type" table.
ARTIFACT_LIMITS: dict[tuple[str, str, str], tuple[int, int, int, int]] = {
    ("Source", "AWS", "S3"): (0, 0, 1, 1),
    ("Source", "AWS", "CodeCommit"): (0, 0, 1, 1),
    ("Source", "AWS", "ECR"): (0, 0, 1, 1),
    ("Source", "AWS", "CodeStarSourceConnection"): (0, 0, 1, 1),
    ("Source", "ThirdParty", "GitHub"): (0, 0, 1, 1),
    ("Build", "AWS", "CodeBuild"): (1, 5, 0, 5),
    ("Test", "AWS", "CodeBuild"): (1, 5, 0, 5),
    ("Test", "AWS", "DeviceFarm"): (1, 1, 0, 0),
    ("Approval", "AWS", "Manual"): (0, 0, 0, 0),
    ("Deploy", "AWS", "S3"): (1, 1, 0, 0),
    ("Deploy", "AWS", "CloudFormation"): (0, 10, 0, 1),
    ("Deploy", "AWS", "CloudFormationStackSet"): (1, 10, 0, 0),
    ("Deploy", "AWS", "CloudFormationStackInstances"): (0, 10, 0, 0),
    ("Deploy", "AWS", "CodeDeploy"): (1, 1, 0, 0),
    ("Deploy", "AWS", "CodeDeployToECS"): (1, 3, 0, 0),
    ("Deploy", "AWS", "ECS"): (1, 1, 0, 0),
    ("Deploy", "AWS", "ElasticBeanstalk"): (1, 1, 0, 0),
    ("Deploy", "AWS", "OpsWorks"): (1, 1, 0, 0),
    ("Deploy", "AWS", "ServiceCatalog"): (1, 1, 0, 0),
    ("Deploy", "AWS", "AppConfig"): (1, 1, 0, 0),
    ("Deploy", "AWS", "AlexaSkillsKit"): (1, 2, 0, 0),
    ("Invoke", "AWS", "Lambda"): (0, 5, 0, 5),
    ("Invoke", "AWS", "StepFunctions"): (0, 1, 0, 1),
}

# Configuration keys whose values name the deployment target (PIP008).
TARGET_KEYS = (
    "StackName", "ApplicationName", "DeploymentGroupName", "ClusterName", "ServiceName",
    "FunctionName", "BucketName", "EnvironmentName", "StackSetName", "ProductId",
)
_ARN_ACCOUNT = re.compile(r"arn:[^:]*:iam::([^:]*):")


def pipeline_json(doc: Document, ctx: Context) -> None:
    for pipeline in pipelines_in_json(doc):
        lint_pipeline(pipeline, ctx)


def lint_pipeline(p: Pipeline, ctx: Context) -> None:
    source_placement(p, ctx)
    artifact_flow(p, ctx)
    artifact_counts(p, ctx)
    template_paths(p, ctx)
    artifact_store(p, ctx)
    github_v1(p, ctx)
    prod_approval(p, ctx)
    polling(p, ctx)
    if p.is_json:
        version_types(p, ctx)


def source_placement(p: Pipeline, ctx: Context) -> None:
    for stage in p.stages:
        first = stage.index == 0
        for action in stage.actions:
            category = action.category
            if category is None:
                continue
            if category == "Source" and not first:
                ctx.report(
                    "PIP001", action.type_node("Category"),
                    f"Source action '{action.name}' is in stage '{stage.name}'; source actions belong in the first stage only",
                    related=[(p.stages[0].name_node, "first stage")],
                )
            elif category != "Source" and first:
                ctx.report(
                    "PIP001", action.type_node("Category"),
                    f"{category} action '{action.name}' is in the first stage '{stage.name}', which may hold only Source actions",
                )


def artifact_flow(p: Pipeline, ctx: Context) -> None:
    producers: dict[str, list[Action]] = {}
    origin: dict[str, Node] = {}
    for action in p.actions:
        for out in action.outputs:
            if out.name is None:
                continue
            earlier = producers.get(out.name, [])
            # Both branches of an Fn::If may name the same artifact.
            if earlier and not action.conditional and not any(a.conditional for a in earlier):
                ctx.report(
                    "PIP002", out.node,
                    f"output artifact '{out.name}' of action '{action.name}' is also produced by action "
                    f"'{earlier[0].name}'; artifact names must be unique in a pipeline",
                    related=[(origin[out.name], "first produced here")],
                )
            producers.setdefault(out.name, []).append(action)
            origin.setdefault(out.name, out.node)
    for action in p.actions:
        for art in action.inputs:
            if art.name is None:
                continue
            made_by = producers.get(art.name, [])
            if not made_by:
                ctx.report(
                    "PIP002", art.node,
                    f"input artifact '{art.name}' of action '{action.name}' is not the output of any action in this pipeline",
                )
            elif not any(a.before(action) for a in made_by):
                ctx.report(
                    "PIP002", art.node,
                    f"input artifact '{art.name}' of action '{action.name}' is produced only by action "
                    f"'{made_by[0].name}', which does not run before it",
                    related=[(origin[art.name], "produced here")],
                )


def artifact_counts(p: Pipeline, ctx: Context) -> None:
    for action in p.actions:
        key = (action.category or "", action.owner or "", action.provider or "")
        limits = ARTIFACT_LIMITS.get(key)
        if limits is None:
            continue
        lo_in, hi_in, lo_out, hi_out = limits
        for which, (lo, hi) in (("InputArtifacts", (lo_in, hi_in)), ("OutputArtifacts", (lo_out, hi_out))):
            wrong = _wrong_count(field(action.node, which), lo, hi)
            if wrong is None:
                continue
            count, conditional = wrong
            where = field_key(action.node, which) or action.type_node("Provider")
            allowed = f"exactly {lo}" if lo == hi else f"{lo} to {hi}"
            noun = "input" if which.startswith("Input") else "output"
            ctx.report(
                "PIP003", where,
                f"{key[2]} {key[0]} action '{action.name}' has {count} {noun} artifact(s)"
                + (" when its Fn::If conditions choose so" if conditional else "") + f"; it takes {allowed}",
            )


def _wrong_count(value: Node | None, lo: int, hi: int) -> tuple[int, bool] | None:
    """An artifact count outside lo..hi that some choice of conditions gives
    (an item behind `Fn::If` may or may not be there), and whether it depends
    on the conditions; None when every choice fits."""
    if value is None:
        return None if lo == 0 else (0, False)
    for whole, conditional in alternatives(value):
        if not isinstance(whole, Sequence):
            continue  # another intrinsic: unknown count
        counts = [_presence(item) for item in whole.items]
        fewest, most = sum(c[0] for c in counts), sum(c[1] for c in counts)
        if fewest > hi:
            return fewest, conditional or fewest != most
        if most < lo:
            return most, conditional or fewest != most
    return None


def _presence(item: Node) -> tuple[int, int]:
    """How many items (at least, at most) a list item is once conditions are
    resolved: 0 for `!Ref AWS::NoValue`, either branch's for `Fn::If`."""
    fn = intrinsic(item)
    if fn is not None and fn[0] == "Fn::If" and isinstance(fn[1], Sequence) and len(fn[1].items) == 3:
        branches = [_presence(branch) for branch in fn[1].items[1:]]
        return min(b[0] for b in branches), max(b[1] for b in branches)
    if fn is not None and fn[0] == "Ref" and plain_text(fn[1]) == "AWS::NoValue":
        return 0, 0
    return 1, 1


def template_paths(p: Pipeline, ctx: Context) -> None:
    for action in p.actions:
        if action.provider not in ("CloudFormation", "CloudFormationStackSet") or action.config is None:
            continue
        inputs = {a.name for a in action.inputs}
        if None in inputs:
            continue
        for key in ("TemplatePath", "TemplateConfiguration", "TemplateConfigurationPath"):
            value = field(action.config, key)
            text = scalar_text(value)
            if value is None or text is None or "::" not in text:
                continue
            artifact = text.split("::", 1)[0]
            if artifact and artifact not in inputs:
                ctx.report(
                    "PIP004", value,
                    f"{key} of action '{action.name}' reads artifact '{artifact}', which is not one of its input artifacts"
                    + (f" ({', '.join(sorted(n for n in inputs if n))})" if inputs else " (it has none)"),
                )


def artifact_store(p: Pipeline, ctx: Context) -> None:
    """PIP005, or PIP014 when an action's role lives in another account:
    then the AWS-managed key is not a preference but a failure."""
    cross = _cross_account_action(p)
    stores: list[tuple[Node, Node]] = []  # (store mapping, where to report)
    single = p.get("ArtifactStore")
    if isinstance(single, Mapping):
        stores.append((single, field_key(p.node, "ArtifactStore") or single))
    many = p.get("ArtifactStores")
    if isinstance(many, Sequence):  # template: [{Region, ArtifactStore}]
        for entry in many.items:
            inner = field(entry, "ArtifactStore")
            if isinstance(inner, Mapping):
                stores.append((inner, field_key(entry, "ArtifactStore") or inner))
    elif isinstance(many, Mapping):  # API: {"us-east-1": {...}}
        for _, region, inner in many.items():
            if isinstance(inner, Mapping):
                stores.append((inner, region))
    for store, where in stores:
        key = field(store, "EncryptionKey")
        if key is not None:
            key_id = scalar_text(field(key, "Id")) or ""
            if "alias/aws/" not in key_id:
                continue
            where = field(key, "Id") or where
        if cross is not None:
            ctx.report(
                "PIP014", where,
                f"artifact store has no customer-managed EncryptionKey, and action '{cross.name}' runs with a role in another "
                "account, which cannot use the AWS-managed aws/s3 key: the action cannot read its input artifacts",
                related=[(field(cross.node, "RoleArn") or cross.name_node, "cross-account role")],
            )
        else:
            ctx.report("PIP005", where, "artifact store has no customer-managed EncryptionKey, so artifacts use the AWS-managed aws/s3 key")


def _cross_account_action(p: Pipeline) -> Action | None:
    own = _account_of(p.get("RoleArn"), p.template)
    for action in p.actions:
        account = _account_of(field(action.node, "RoleArn"), p.template)
        if account is None:
            continue
        if account.startswith("${") and account != "${AWS::AccountId}":
            return action
        if account.isdigit() and own is not None and own.isdigit() and account != own:
            return action
    return None


def _account_of(node: Node | None, template: Template | None) -> str | None:
    if node is None:
        return None
    text = scalar_text(node)
    if text is None:
        fn = intrinsic(node)
        if fn and fn[0] == "Fn::Sub":
            arg = fn[1]
            body = arg.items[0] if isinstance(arg, Sequence) and arg.items else arg
            text = body.text if isinstance(body, Scalar) else None
        elif fn and fn[0] == "Fn::Join" and isinstance(fn[1], Sequence) and len(fn[1].items) == 2:
            sep = scalar_text(fn[1].items[0]) or ""
            parts = []
            for part in fn[1].items[1].items if isinstance(fn[1].items[1], Sequence) else []:
                ptext = scalar_text(part)
                if ptext is None:
                    inner = intrinsic(part)
                    ref = inner[1].text if inner and inner[0] == "Ref" and isinstance(inner[1], Scalar) else "?"
                    ptext = "${" + ref + "}"
                parts.append(ptext)
            text = sep.join(parts)
    if not text:
        return None
    match = _ARN_ACCOUNT.search(text)
    return match.group(1) if match else None


def github_v1(p: Pipeline, ctx: Context) -> None:
    for action in p.actions:
        if action.owner == "ThirdParty" and action.provider == "GitHub":
            ctx.report(
                "PIP006", action.type_node("Provider"),
                f"source action '{action.name}' uses the deprecated GitHub version 1 (OAuth) provider; "
                "use a CodeStar connection (CodeStarSourceConnection)",
            )
        token = field(action.config, "OAuthToken")
        text = scalar_text(token)
        if token is None or text is None:
            continue
        stripped = text.strip()
        if not stripped or secrets.is_reference(stripped):
            continue
        ctx.report(
            "PIP006", token,
            f"action '{action.name}' has a literal OAuthToken ({secrets.redact(stripped)}); "
            "anyone who can read the pipeline definition gets the token",
            properties={"secret_kind": "oauth-token"},
        )


def prod_approval(p: Pipeline, ctx: Context) -> None:
    pattern = ctx.option("PIP008", "prod-pattern")
    approvals = [a for a in p.actions if a.category == "Approval"]
    for stage in p.stages:
        deploys = [a for a in stage.actions if _is_release(a)]
        if not deploys:
            continue
        prod = [a for a in deploys if _targets_prod(a, p.template, pattern)]
        if not prod and not is_prod_like(stage.name, pattern):
            continue
        first = min(prod or deploys, key=lambda a: a.run_order)
        if any(a.before(first) for a in approvals):
            continue
        # Continuous deployment through an earlier environment (beta, staging,
        # a test stack) is a gate of its own: only a release that reaches
        # production first is reported.
        if any(_is_release(a) and a.before(first) and not _targets_prod(a, p.template, pattern) for a in p.actions):
            continue
        ctx.report(
            "PIP008", stage.name_node,
            f"stage '{stage.name}' deploys to production (action '{first.name}') with no manual approval and no earlier "
            "deployment to another environment before it: every change that builds goes straight to production",
            fix="add an Approval/Manual action, or a staging deployment with tests, before production",
        )


def _is_release(action: Action) -> bool:
    if action.category != "Deploy":
        return False
    mode = scalar_text(field(action.config, "ActionMode")) or ""
    return mode not in ("CHANGE_SET_REPLACE", "CHANGE_SET_CREATE")


def _targets_prod(action: Action, template: Template | None, pattern: str) -> bool:
    if is_prod_like(action.name, pattern):
        return True
    for key in TARGET_KEYS:
        value = field(action.config, key)
        if value is None:
            continue
        text = template.describe(value) if template is not None else (scalar_text(value) or "")
        if is_prod_like(text, pattern):
            return True
    return False


def polling(p: Pipeline, ctx: Context) -> None:
    for action in p.actions:
        value = field(action.config, "PollForSourceChanges")
        if is_true(value):
            ctx.report(
                "PIP009", value,
                f"source action '{action.name}' polls for changes; use event-based change detection "
                "(an EventBridge rule or webhook) and set PollForSourceChanges to false",
            )


def version_types(p: Pipeline, ctx: Context) -> None:
    for action in p.actions:
        version = field(action.type_id, "Version")
        if isinstance(version, Scalar) and version.yaml_type in ("int", "float"):
            ctx.report(
                "PIP010", version,
                f"actionTypeId.version of action '{action.name}' is the number {version.text}; the API expects a "
                f'string ("{version.text}")',
                fix=f'"{version.text}"',
            )
