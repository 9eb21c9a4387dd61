"""Checks for CloudFormation/SAM templates: dispatch over Resources by Type.

Each family lives in its own module (pipeline, codebuild, codedeploy, sam,
codeartifact); this module parses the template once per file (cached on the
document) and hands it to them. It also lints inline `Source.BuildSpec`
strings with the buildspec checks, mapping findings to template positions.
"""

from __future__ import annotations

from lintkit import secrets
from lintkit.aws import codeartifact, codebuild, codedeploy, iam, sam
from lintkit.aws.embedded import extract
from lintkit.aws.cfn import ACCOUNT_ARN, Template, field, ignore_codes, is_cdk_output, items, scalar_text, strings_in, template_of
from lintkit.aws.pipeline import lint_pipeline
from lintkit.aws.pipeline_model import Pipeline, pipelines_in_template
from lintkit.api import Context
from lintkit.documents import Document, Mapping, Node

# Resource types whose ARNs PIP011 looks at.
CICD_TYPES = (
    "AWS::CodePipeline::Pipeline", "AWS::CodePipeline::Webhook", "AWS::CodePipeline::CustomActionType",
    "AWS::CodeBuild::Project", "AWS::CodeBuild::ReportGroup", "AWS::CodeDeploy::Application",
    "AWS::CodeDeploy::DeploymentGroup", "AWS::CodeDeploy::DeploymentConfig", "AWS::CodeArtifact::Domain",
    "AWS::CodeArtifact::Repository",
)
def metadata_suppressions(doc: Document, ctx: Context) -> None:
    """`Metadata: {lintkit: {ignore: [CODE, ...]}}` at template level hides
    those codes in the whole file; on a resource, within the resource's lines.
    JSON templates cannot hold `# lintkit: ignore` comments, so this is their way."""
    template = template_of(doc)
    if template.root is None:
        return
    for code in ignore_codes(template.root.get("Metadata")):
        ctx.suppress(code, [code.text.strip()])
    for res in template.resources.values():
        for code in ignore_codes(res.node.get("Metadata")):
            ctx.suppress(code, [code.text.strip()], (res.key.line, max(res.key.line, res.node.end_line)))


def pipelines(doc: Document, ctx: Context) -> None:
    template = template_of(doc)
    for pipeline in pipelines_in_template(template):
        lint_pipeline(pipeline, ctx)
        _targets(pipeline, template, ctx)
    _webhooks(template, ctx)
    _account_ids(template, ctx)


def codebuild_projects(doc: Document, ctx: Context) -> None:
    template = template_of(doc)
    codebuild.lint_projects(template, ctx)
    # CBP012 also covers the roles of pipelines and deployment groups.
    for res, prop in (
        *((r, "RoleArn") for r in template.of_type("AWS::CodePipeline::Pipeline")),
        *((r, "ServiceRoleArn") for r in template.of_type("AWS::CodeDeploy::DeploymentGroup")),
    ):
        role = iam.admin_grant(template, res.prop(prop))
        if role is not None:
            what = "pipeline" if res.type.endswith("Pipeline") else "deployment group"
            ctx.report(
                "CBP012", res.prop(prop) or res.key,
                f"{what} '{res.name}' runs with role '{role[0]}', which {role[2]}",
                related=[(role[1], "granted here")],
            )


def codedeploy_groups(doc: Document, ctx: Context) -> None:
    codedeploy.lint_deployment(template_of(doc), ctx)


def sam_functions(doc: Document, ctx: Context) -> None:
    sam.lint_functions(template_of(doc), ctx)


def codeartifact_policies(doc: Document, ctx: Context) -> None:
    codeartifact.lint_codeartifact(template_of(doc), ctx)


def inline_buildspecs(doc: Document, ctx: Context) -> None:
    template = template_of(doc)
    for res in template.of_type("AWS::CodeBuild::Project"):
        sources = [res.prop("Source"), *items(res.prop("SecondarySources"))]
        for source in sources:
            spec = source.get("BuildSpec") if isinstance(source, Mapping) else None
            if spec is None:
                continue
            embedded = extract(spec)
            if embedded is None or not _looks_inline(embedded.text):
                continue
            ctx.run_embedded("buildspec", embedded.text, embedded.map, f"inline BuildSpec of project '{res.name}'")


def _looks_inline(text: str) -> bool:
    stripped = text.strip()
    return "\n" in stripped or stripped.startswith("{") or ("phases" in stripped and ":" in stripped)


def _webhooks(template: Template, ctx: Context) -> None:
    for hook in template.of_type("AWS::CodePipeline::Webhook"):
        auth = hook.prop("Authentication")
        if auth is not None and scalar_text(auth) == "UNAUTHENTICATED":
            ctx.report("PIP007", auth, f"webhook '{hook.name}' accepts unauthenticated requests: anyone can trigger the pipeline")
        config = hook.prop("AuthenticationConfiguration")
        token = config.get("SecretToken") if isinstance(config, Mapping) else None
        if token is None:
            continue
        text = scalar_text(token)
        if text is not None and text.strip() and not secrets.is_reference(text):
            ctx.report("PIP007", token, f"webhook '{hook.name}' has a literal SecretToken; it is stored in the template",
                       properties={"secret_kind": "webhook-secret"})
        default = scalar_text(template.param_default(token))
        if text is None and default:
            ctx.report(
                "PIP007", token,
                f"webhook '{hook.name}' takes its SecretToken from a parameter with a Default; the secret is stored in the template",
            )


def _account_ids(template: Template, ctx: Context) -> None:
    if is_cdk_output(template):
        return
    for res in template.of_type(*CICD_TYPES):
        for scalar in strings_in(res.properties):
            match = ACCOUNT_ARN.search(scalar.text)
            if match:
                ctx.report(
                    "PIP011", scalar,
                    f"{res.type.split('::')[-1]} '{res.name}' hard-codes account {match.group(1)} in an ARN; "
                    "use ${AWS::AccountId} or a parameter",
                )


def _targets(p: Pipeline, template: Template, ctx: Context) -> None:
    for action in p.actions:
        provider = action.provider
        if provider == "CodeBuild":
            name_node = field(action.config, "ProjectName")
            project = template.ref_resource(name_node)
            if name_node is None or project is None or project.type != "AWS::CodeBuild::Project":
                continue
            wrong: list[tuple[str, str, Node]] = []
            for key in ("Source", "Artifacts"):
                section = project.prop(key)
                type_node = section.get("Type") if isinstance(section, Mapping) else None
                ptype = scalar_text(type_node)
                if type_node is not None and ptype is not None and ptype != "CODEPIPELINE":
                    wrong.append((key, ptype, type_node))
            if wrong:
                ctx.report(
                    "PIP012", name_node,
                    f"action '{action.name}' runs project '{project.name}', whose "
                    + " and ".join(f"{k} Type is {t}" for k, t, _ in wrong)
                    + " (not CODEPIPELINE); the project is defined for another trigger than this pipeline",
                    related=[(n, f"{k} Type {t}") for k, t, n in wrong],
                )
        elif provider in ("CodeDeploy", "CodeDeployToECS"):
            _deploy_target(action, provider, template, ctx)


def _deploy_target(action, provider: str, template: Template, ctx: Context) -> None:
    group_node = field(action.config, "DeploymentGroupName")
    app_node = field(action.config, "ApplicationName")
    group = template.ref_resource(group_node)
    if group is None and scalar_text(group_node):
        wanted = scalar_text(group_node)
        group = next((g for g in template.of_type("AWS::CodeDeploy::DeploymentGroup") if scalar_text(g.prop("DeploymentGroupName")) == wanted), None)
    platform = None
    where: Node | None = None
    if group is not None and group.type == "AWS::CodeDeploy::DeploymentGroup":
        platform = codedeploy.compute_platform(template, group)
        where = group.prop("ECSServices") or group.type_node
    else:
        app = template.ref_resource(app_node)
        if app is not None and app.type == "AWS::CodeDeploy::Application":
            platform = scalar_text(app.prop("ComputePlatform")) or "Server"
            where = app.prop("ComputePlatform") or app.type_node
    if platform is None:
        return
    wants_ecs = provider == "CodeDeployToECS"
    if (platform == "ECS") == wants_ecs:
        return
    ctx.report(
        "PIP013", action.type_node("Provider"),
        f"action '{action.name}' uses provider {provider}, but its deployment target is {'an' if platform == 'ECS' else 'a'} {platform} deployment group"
        + (" (use CodeDeployToECS)" if platform == "ECS" else " (use CodeDeploy)"),
        related=[(where, f"compute platform {platform}")] if where is not None else [],
    )
