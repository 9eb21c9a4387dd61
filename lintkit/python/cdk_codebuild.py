"""lintkit's CodeBuild rules (CBP) on CDK Python code.

The same rules as `lintkit/aws/codebuild.py` on `AWS::CodeBuild::Project`
resources, read from the constructs that synthesize them: `codebuild.Project`,
`codebuild.PipelineProject`, and the projects CDK Pipelines creates
(`pipelines.CodePipeline`, `CodeBuildStep`, `ShellStep`). A finding is raised
only where the synthesized template would show what the CloudFormation rule
reports (CDK defaults included); anything not statically known stays silent.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from astroid import nodes

from lintkit.api import Context
from lintkit.python import cdk
from lintkit.python.cdk import Call, Mapping, Member, Seq

PROJECTS = ("aws_codebuild.Project", "aws_codebuild.PipelineProject")
STEPS = ("pipelines.CodeBuildStep", "pipelines.ShellStep")
PIPELINE = "pipelines.CodePipeline"
# CodePipeline props whose CodeBuildOptions reach the projects CDK Pipelines creates.
_DEFAULTS_PROPS = (
    "code_build_defaults", "synth_code_build_defaults", "self_mutation_code_build_defaults",
    "asset_publishing_code_build_defaults",
)
_ENVIRONMENT = "aws_codebuild.BuildEnvironment"
# Commands that use a Docker daemon, or may; the same pattern as lintkit/aws/codebuild.py.
_MAY_NEED_DOCKER = re.compile(
    r"\b(?:docker|docker-compose|podman|buildah|kaniko|nerdctl|sam|cdk|serverless|sls|skaffold|earthly|kind|minikube|"
    r"make|gradle|gradlew|mvn|mvnw|npm|npx|yarn|pnpm|tox|nox|bazel)\b|(?:^|[\s;&|(])(?:\./|bash\s+\S|sh\s+\S|source\s)"
)
# Build images whose synthesized Image the CloudFormation rule CBP011 reports.
_DEPRECATED_IMAGES = {
    "LinuxBuildImage.STANDARD_1_0": "aws/codebuild/standard:1.0",
    "LinuxBuildImage.STANDARD_2_0": "aws/codebuild/standard:2.0",
    "LinuxBuildImage.STANDARD_3_0": "aws/codebuild/standard:3.0",
    "LinuxBuildImage.STANDARD_4_0": "aws/codebuild/standard:4.0",
    "LinuxBuildImage.AMAZON_LINUX_2": "aws/codebuild/amazonlinux2-x86_64-standard:1.0",
    "LinuxBuildImage.AMAZON_LINUX_2_2": "aws/codebuild/amazonlinux2-x86_64-standard:2.0",
    "LinuxBuildImage.AMAZON_LINUX_2_3": "aws/codebuild/amazonlinux2-x86_64-standard:3.0",
    "LinuxBuildImage.AMAZON_LINUX_2_ARM": "aws/codebuild/amazonlinux2-aarch64-standard:1.0",
    "LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_1_0": "aws/codebuild/amazonlinux2-aarch64-standard:1.0",
}


def codebuild_projects(module: nodes.Module, ctx: Context) -> None:
    if not cdk.in_cdk_app(module, ctx.text):
        return
    for call in cdk.cdk_calls(module):
        if call.name in PROJECTS:
            _project(call, ctx)
        elif call.name in STEPS:
            _step(call, ctx)
        elif call.name == PIPELINE:
            _cdk_pipeline(call, ctx)


def _project(project: Call, ctx: Context) -> None:
    label = project.label("this project")
    kind = "PipelineProject" if project.cls == "PipelineProject" else "Project"
    env = cdk.struct(project.value("environment"), _ENVIRONMENT)
    commands = _buildspec_commands(project.value("build_spec"))
    if env is not None:
        _environment(env, f"project {label}", commands, project, ctx)
    _env_vars(project.value("environment_variables"), f"project {label}", project, ctx)
    for prop in ("artifacts", "secondary_artifacts"):
        value = project.value(prop)
        for art in value.items if isinstance(value, Seq) else [project.arg(prop)]:
            _artifacts(cdk.resolve(art), label, ctx)
    _sources(project, label, ctx)
    # The key encrypts the build output: a Project writes none unless given
    # `artifacts` (a PipelineProject's go to the pipeline), and none under a
    # key when they are unencrypted (CBP001's), as in the CloudFormation rule.
    artifacts = cdk.resolve(project.arg("artifacts"))
    keyless = cdk.is_call(artifacts, "aws_codebuild.Artifacts.s3") and artifacts.value("encryption") is False
    writes = kind == "PipelineProject" or not (project.missing("artifacts") or keyless or cdk.is_call(artifacts, "aws_codebuild.Artifacts.no_artifacts"))
    if project.missing("encryption_key") and writes:
        uses = project.uses()
        # A project used in a pipeline gets the artifact bucket's key; one
        # handed to code we cannot see may get any key.
        bound_elsewhere = uses.shared or uses.escapes or any(
            name is None or "codepipeline" in name or name.startswith("pipelines.") for name in uses.passed_to
        )
        if not bound_elsewhere:
            ctx.report(
                "CBP002", project.node.func,
                f"{kind} {label} has no customer-managed encryption_key; its artifacts use the AWS-managed aws/s3 key",
            )


def _environment(env: Call | Mapping, owner: str, commands: list[str] | None, anchor: Call, ctx: Context) -> None:
    privileged = env.value("privileged")
    if privileged is True:
        where = env.where("privileged")
        related = [(anchor.node.func, "used here")] if _far(env, anchor) else []
        # Privileged mode exists for the Docker daemon: reported only when the
        # buildspec is in sight and runs nothing that may need it (CBP003 in lintkit/aws/codebuild.py).
        if commands and not any(_MAY_NEED_DOCKER.search(c) for c in commands):
            ctx.report(
                "CBP003", where,
                f"{owner} runs in privileged mode (root on the build host), but its buildspec runs no container tool "
                "(docker, podman, buildah, sam, cdk) and no build script that could: the privilege is unused",
                related=related,
            )
    _env_vars(env.value("environment_variables"), owner, anchor, ctx)
    image = env.value("build_image")
    if isinstance(image, Member):
        text = _DEPRECATED_IMAGES.get(image.name.split(".", 1)[-1])
        if text:
            ctx.report(
                "CBP011", env.where("build_image"),
                f"build image '{text}' of {owner} is deprecated and no longer patched; use a current "
                "LinuxBuildImage.STANDARD_7_0 or AMAZON_LINUX_2023 image",
            )


def _far(inner: Call | Mapping, outer: Call) -> bool:
    """The props object is defined away from the construct (a shared variable)."""
    node = inner.node
    while node is not None:
        if node is outer.node:
            return False
        node = node.parent
    return True


def _env_vars(value: Any, owner: str, anchor: Call, ctx: Context, plain: bool = False) -> None:
    """`{"NAME": BuildEnvironmentVariable(value=..., type=...)}` (or, for
    pipeline steps, `{"NAME": "value"}`, always PLAINTEXT)."""
    if not isinstance(value, Mapping):
        return
    for name, node in value.items.items():
        var = cdk.resolve(node)
        if plain:
            text, where = var, node
        elif cdk.struct(var, "aws_codebuild.BuildEnvironmentVariable") is not None:
            vtype = var.value("type")
            if not (var.missing("type") or cdk.enum(vtype) == "PLAINTEXT"):
                continue
            text, where = var.value("value"), var.arg("value")
        else:
            continue
        if not isinstance(text, str):
            continue
        match = cdk.secret_in(text, name)
        if match is None:
            continue
        key = value.key(name)
        if match.confidence == "high":
            ctx.report("CBP004", where, f"environment variable '{name}' of {owner} holds a {match.description} in plain text")
        else:
            ctx.report(
                "CBP004", key or where,
                f"environment variable '{name}' of {owner} looks secret but is PLAINTEXT, visible to anyone who can read the project",
                fix="type=BuildEnvironmentVariableType.SECRETS_MANAGER or PARAMETER_STORE",
            )


def _artifacts(art: Any, label: str, ctx: Context) -> None:
    # Only S3 artifacts are stored by the project itself (as in the CFN rule).
    if cdk.is_call(art, "aws_codebuild.Artifacts.s3") and art.value("encryption") is False:
        ctx.report(
            "CBP001", art.where("encryption"),
            f"artifacts of project {label} are not encrypted with the project's KMS key (encryption=False); only the bucket's "
            "default encryption protects them, and anyone who can read the bucket can read them",
        )


def _sources(project: Call, label: str, ctx: Context) -> None:
    sources = [project.value("source")]
    secondary = project.value("secondary_sources")
    if isinstance(secondary, Seq):
        sources += [cdk.resolve(s) for s in secondary.items]
    for source in sources:
        if cdk.is_call(source) and source.cls.startswith("git_hub_enterprise") and source.value("ignore_ssl_errors") is True:
            ctx.report(
                "CBP007", source.where("ignore_ssl_errors"),
                f"source of project {label} ignores TLS certificate errors (ignore_ssl_errors=True)",
            )


def _buildspec_commands(spec: Any) -> list[str] | None:
    """The strings of an inline `BuildSpec.from_object({...})`; None when the
    buildspec is a file in the repository or not statically known."""
    if not cdk.is_call(spec, "aws_codebuild.BuildSpec.from_object", "aws_codebuild.BuildSpec.from_object_to_yaml"):
        return None
    root = spec.arg("value", 0)
    return list(_strings(root)) if root is not None else None


def _strings(node: nodes.NodeNG, depth: int = 0) -> Iterator[str]:
    value = cdk.resolve(node)
    if isinstance(value, str):
        yield value
    elif depth < 8 and isinstance(value, Mapping):
        for item in value.items.values():
            yield from _strings(item, depth + 1)
    elif depth < 8 and isinstance(value, Seq):
        for item in value.items:
            yield from _strings(item, depth + 1)


# -- CDK Pipelines: the projects it creates -------------------------------------------


def _step(step: Call, ctx: Context) -> None:
    """ShellStep/CodeBuildStep: `env` becomes PLAINTEXT project variables;
    CodeBuildStep's `build_environment` merges into its project."""
    label = f"pipeline step '{step.arg_text('id', 0)}'" if step.arg_text("id", 0) else "this pipeline step"
    _env_vars(step.value("env"), label, step, ctx, plain=True)
    env = cdk.struct(step.value("build_environment"), _ENVIRONMENT)
    if env is not None:
        _environment(env, label, _step_commands(step), step, ctx)


def _step_commands(step: Call) -> list[str]:
    found: list[str] = []
    for prop in ("install_commands", "commands"):
        value = step.value(prop)
        if isinstance(value, Seq):
            found += [v for v in (cdk.resolve(i) for i in value.items) if isinstance(v, str)]
    return found


def _cdk_pipeline(pipeline: Call, ctx: Context) -> None:
    label = pipeline.label("this pipeline")
    synth = pipeline.value("synth")
    commands = _step_commands(synth) if cdk.is_call(synth, *STEPS) else []
    # The self-mutation project runs `cdk deploy`, which may build Docker assets:
    # only a synth step whose commands are in sight and need no daemon is reported.
    if pipeline.value("docker_enabled_for_synth") is True and commands and not any(_MAY_NEED_DOCKER.search(c) for c in commands):
        ctx.report(
            "CBP003", pipeline.where("docker_enabled_for_synth"),
            f"the synth project of pipeline {label} runs in privileged mode (docker_enabled_for_synth=True), but its "
            "commands run no container tool and no build script that could: the privilege is unused",
        )
    for prop in _DEFAULTS_PROPS:
        options = cdk.struct(pipeline.value(prop), "pipelines.CodeBuildOptions")
        if options is not None:
            env = cdk.struct(options.value("build_environment"), _ENVIRONMENT)
            if env is not None:
                _environment(env, f"the CodeBuild projects of pipeline {label} ({prop})", commands if prop != "self_mutation_code_build_defaults" else None, pipeline, ctx)
    # The projects CDK Pipelines creates write CODEPIPELINE artifacts, which go to
    # the pipeline's artifact store under its key: PIP005's, not CBP002's.


def artifact_store_cmk(pipeline: Call) -> bool | None:
    """Whether the synthesized artifact store has a customer-managed KMS key:
    True, False, or None when it depends on what we cannot see (an existing
    pipeline, a bucket defined elsewhere, a feature flag)."""
    if not pipeline.missing("code_pipeline"):
        return None
    if not pipeline.missing("artifact_bucket"):
        return bucket_has_cmk(pipeline.value("artifact_bucket"))
    keys = pipeline.value("cross_account_keys")
    if isinstance(keys, bool):
        return keys
    if pipeline.missing("cross_account_keys") and pipeline.name == PIPELINE:
        return False  # CDK Pipelines: cross_account_keys defaults to false
    # aws_codepipeline.Pipeline: the default follows the feature flag
    # @aws-cdk/aws-codepipeline:crossAccountKeysDefaultValueToFalse (cdk.json).
    return None


def bucket_has_cmk(bucket: Any) -> bool | None:
    if cdk.is_call(bucket, "aws_s3.Bucket"):
        if bucket.star_kwargs:
            return None
        if not bucket.missing("encryption_key"):
            return True
        encryption = cdk.enum(bucket.value("encryption"))
        if encryption == "KMS":
            return True  # CDK creates a key for the bucket
        if bucket.missing("encryption") or encryption in ("S3_MANAGED", "KMS_MANAGED", "UNENCRYPTED"):
            return False
        return None
    if cdk.is_call(bucket, "aws_s3.Bucket.from_bucket_name", "aws_s3.Bucket.from_bucket_arn"):
        return False
    return None
