"""lintkit's CodePipeline rules (PIP) on CDK Python code.

The same rules as `lintkit/aws/pipeline.py`, read from `aws_codepipeline.Pipeline`
(stages of `codepipeline_actions`) and from CDK Pipelines
(`pipelines.CodePipeline` with `add_stage`/`add_wave`). Stage order is known
only when every `add_stage`/`add_wave` call is a plain statement next to the
pipeline's creation; otherwise PIP008 says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from astroid import nodes

from lintkit.api import Context
from lintkit.python import cdk
from lintkit.python.cdk import Call, Mapping, Seq
from lintkit.python.cdk_codebuild import PIPELINE, artifact_store_cmk

L2_PIPELINE = "aws_codepipeline.Pipeline"
ACTIONS = "aws_codepipeline_actions."
_APPROVAL_STEPS = ("pipelines.ManualApprovalStep", "pipelines.ConfirmPermissionsBroadening")
# Deploy-category actions and the props that name what they deploy to (PIP008).
_DEPLOY_TARGETS: dict[str, tuple[str, ...]] = {
    "CloudFormationCreateUpdateStackAction": ("stack_name",),
    "CloudFormationDeleteStackAction": ("stack_name",),
    "CloudFormationExecuteChangeSetAction": ("stack_name",),
    "CloudFormationDeployStackSetAction": ("stack_set",),
    "CloudFormationDeployStackInstancesAction": ("stack_set",),
    "CodeDeployServerDeployAction": ("deployment_group",),
    "CodeDeployEcsDeployAction": ("deployment_group",),
    "EcsDeployAction": ("service",),
    "S3DeployAction": ("bucket",),
    "ElasticBeanstalkDeployAction": ("application_name", "environment_name"),
    "AlexaSkillDeployAction": ("skill_id",),
    "ServiceCatalogDeployActionBeta1": ("product_id",),
}
# Deploy-category actions that release nothing by themselves.
_NOT_RELEASES = ("CloudFormationCreateReplaceChangeSetAction",)
# Names of the props (or construct ids) that say which environment a target is.
_TARGET_NAME_PROPS = (
    "deployment_group_name", "service_name", "bucket_name", "stack_set_name", "application_name", "cluster_name",
    "function_name", "stack_name",
)


def pipelines(module: nodes.Module, ctx: Context) -> None:
    if not cdk.in_cdk_app(module, ctx.text):
        return
    for call in cdk.cdk_calls(module):
        if call.name in (L2_PIPELINE, PIPELINE):
            _artifact_store(call, ctx)
            if call.name == L2_PIPELINE:
                _l2_prod_approval(call, ctx)
            else:
                _cdk_pipelines_prod_approval(call, ctx)
        elif call.name == ACTIONS + "GitHubSourceAction":
            _github_v1(call, call.arg_text("action_name") or "GitHub", "oauth_token", ctx)
        elif call.name == "pipelines.CodePipelineSource.git_hub":
            _github_v1(call, call.arg_text("action_name") or call.arg_text("repo_string", 0) or "GitHub", "authentication", ctx)


# -- PIP005 -----------------------------------------------------------------------


def _artifact_store(pipeline: Call, ctx: Context) -> None:
    if artifact_store_cmk(pipeline) is not False:
        return
    label = pipeline.label("this pipeline")
    if not pipeline.missing("artifact_bucket"):
        why = "its artifact_bucket has no KMS key"
        where = pipeline.where("artifact_bucket")
    elif pipeline.missing("cross_account_keys"):
        why = "CDK Pipelines creates no KMS key unless cross_account_keys=True"
        where = pipeline.node.func
    else:
        why = "cross_account_keys=False"
        where = pipeline.where("cross_account_keys")
    ctx.report(
        "PIP005", where,
        f"artifact store of pipeline {label} has no customer-managed EncryptionKey ({why}), so artifacts use the "
        "AWS-managed aws/s3 key",
    )


# -- PIP006 -----------------------------------------------------------------------


def _github_v1(action: Call, name: str, token_prop: str, ctx: Context) -> None:
    ctx.report(
        "PIP006", action.node.func,
        f"source action '{name}' uses the deprecated GitHub version 1 (OAuth) provider; "
        "use a CodeStar connection (CodeStarConnectionsSourceAction or CodePipelineSource.connection)",
    )
    token = literal_secret(action.value(token_prop))
    if token is not None:
        ctx.report(
            "PIP006", action.where(token_prop),
            f"action '{name}' has a literal OAuth token ({len(token)} characters); anyone who can read the "
            "pipeline definition gets the token",
        )


def literal_secret(value: Any) -> str | None:
    """The literal inside `SecretValue.unsafe_plain_text("...")` (or the older
    `plain_text`): a secret written into the synthesized template."""
    if cdk.is_call(value, "SecretValue.unsafe_plain_text", "SecretValue.plain_text", "core.SecretValue.plain_text"):
        text = value.arg_text("secret", 0)
        if text and text.strip() and not text.startswith("{{resolve:"):
            return text
    return None


# -- PIP008: aws_codepipeline.Pipeline ----------------------------------------------


@dataclass
class _Action:
    name: str
    kind: str  # "approval" | "release" | "other"
    run_order: int
    targets: list[str]


@dataclass
class _Stage:
    name: str | None
    where: nodes.NodeNG
    actions: list[_Action] = field(default_factory=list)


def _l2_prod_approval(pipeline: Call, ctx: Context) -> None:
    stages = _l2_stages(pipeline)
    if stages is None:
        return
    pattern = ctx.option("PIP008", "prod-pattern")
    for index, stage in enumerate(stages):
        releases = [a for a in stage.actions if a.kind == "release"]
        if not releases:
            continue
        prod = [a for a in releases if cdk.prod_like(a.name, pattern) or any(cdk.prod_like(t, pattern) for t in a.targets)]
        if not prod and not cdk.prod_like(stage.name, pattern):
            continue
        first = min(prod or releases, key=lambda a: a.run_order)
        earlier = any(a.kind == "approval" for s in stages[:index] for a in s.actions)
        if earlier or any(a.kind == "approval" and a.run_order < first.run_order for a in stage.actions):
            continue
        # An earlier deployment to another environment is a gate of its own (PIP008 in lintkit/aws/pipeline.py).
        if any(_l2_non_prod_release(a, pattern) for s in stages[:index] for a in s.actions):
            continue
        ctx.report(
            "PIP008", stage.where,
            f"stage '{stage.name}' deploys to production (action '{first.name}') with no manual approval and no earlier "
            "deployment to another environment before it: every change that builds goes straight to production",
            fix="add a ManualApprovalAction, or a staging deployment with tests, before production",
        )


def _l2_non_prod_release(action: _Action, pattern: str) -> bool:
    return action.kind == "release" and not cdk.prod_like(action.name, pattern) and not any(cdk.prod_like(t, pattern) for t in action.targets)


def _l2_stages(pipeline: Call) -> list[_Stage] | None:
    """The pipeline's stages in order, or None when any part is not known."""
    stages: list[_Stage] = []
    given = pipeline.value("stages")
    if isinstance(given, Seq):
        for item in given.items:
            stage = _l2_stage(cdk.resolve(item))
            if stage is None:
                return None
            stages.append(stage)
    elif not pipeline.missing("stages"):
        return None
    uses = pipeline.uses()
    if uses.escapes or not uses.straight:
        return None
    for method, call in uses.methods:
        if method != "add_stage":
            continue
        opts = Call(call, "aws_codepipeline.Pipeline.add_stage")
        if not opts.missing("placement") or cdk.assigned_to(call) is not None:
            return None  # reordered, or actions added to it later
        stage = _l2_stage(opts, added=True)
        if stage is None:
            return None
        stages.append(stage)
    return stages


def _l2_stage(props: Any, added: bool = False) -> _Stage | None:
    """A stage from its StageProps (or dict), or from `add_stage(...)`'s arguments."""
    if isinstance(props, Mapping):
        name_node, actions_node = props.items.get("stage_name"), props.items.get("actions")
    elif isinstance(props, Call) and (props.cls == "StageProps" or added):
        name_node, actions_node = props.arg("stage_name"), props.arg("actions")
    else:
        return None
    name = cdk.resolve(name_node)
    stage = _Stage(name if isinstance(name, str) else None, name_node if name_node is not None else props.node)
    actions = cdk.resolve(actions_node) if actions_node is not None else Seq((), stage.where)
    if not isinstance(actions, Seq):
        return None
    for item in actions.items:
        action = cdk.resolve(item)
        if not isinstance(action, Call) or not action.name.startswith(ACTIONS):
            return None
        stage.actions.append(_l2_action(action))
    return stage


def _l2_action(action: Call) -> _Action:
    cls = action.cls
    order = action.value("run_order")
    run_order = order if isinstance(order, int) and not isinstance(order, bool) else 1
    name = action.arg_text("action_name") or cls
    if cls == "ManualApprovalAction":
        return _Action(name, "approval", run_order, [])
    if cls not in _DEPLOY_TARGETS or cls in _NOT_RELEASES:
        return _Action(name, "other", run_order, [])
    targets = []
    for prop in _DEPLOY_TARGETS[cls]:
        targets += _names_of(action.value(prop))
    return _Action(name, "release", run_order, targets)


def _names_of(value: Any) -> list[str]:
    """What a deployment target is called: a literal, or a construct's id and name props."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Call):
        found = [value.construct_id] if value.construct_id else []
        return found + [t for t in (value.arg_text(p) for p in _TARGET_NAME_PROPS) if t]
    return []


# -- PIP008: CDK Pipelines ------------------------------------------------------------


@dataclass
class _Wave:
    """One pipeline stage of CDK Pipelines: a wave, or a stage added on its own."""

    names: list[str]  # the wave id and the ids of its stages
    where: nodes.NodeNG
    approval_first: bool  # an approval step runs before any deployment in it
    approval_any: bool  # an approval step anywhere in it (pre or post)
    stage_approvals: list[tuple[str | None, bool]] = field(default_factory=list)


def _cdk_pipelines_prod_approval(pipeline: Call, ctx: Context) -> None:
    uses = pipeline.uses()
    if uses.escapes or not uses.straight:
        return
    waves: list[_Wave] = []
    for method, call in uses.methods:
        opts = Call(call, f"pipelines.CodePipeline.{method}")
        if method == "add_stage":
            stage_id, where = _stage_id(opts.arg("stage", 0))
            pre, post = _added_steps(call, _approvals(opts, "pre"), _approvals(opts, "post"))
            if pre is None:
                return
            own = pre or _stack_step_approvals(opts)
            waves.append(_Wave([stage_id] if stage_id else [], where or call.func, own, own or post, [(stage_id, own)]))
        elif method == "add_wave":
            wave = _wave(opts, call)
            if wave is None:
                return
            waves.append(wave)
        elif method not in ("build_pipeline",):
            return  # anything else may add stages we cannot see
    pattern = ctx.option("PIP008", "prod-pattern")
    # With change sets (the default) every stack's execute action runs after
    # run order 1, so an approval in any stage's `pre` holds the whole wave.
    change_sets = pipeline.value("use_change_sets") is not False
    for index, wave in enumerate(waves):
        prod_stages = [s for s in wave.stage_approvals if cdk.prod_like(s[0], pattern)]
        considered = prod_stages or (wave.stage_approvals if any(cdk.prod_like(n, pattern) for n in wave.names) else [])
        if not considered:
            continue
        if wave.approval_first or all(approved for _, approved in considered):
            continue
        if change_sets and any(approved for _, approved in wave.stage_approvals):
            continue
        if any(w.approval_any for w in waves[:index]):
            continue
        # An earlier wave deploying another environment (beta, staging) is a gate of its own.
        if any(not any(cdk.prod_like(n, pattern) for n in w.names) for w in waves[:index]):
            continue
        ctx.report(
            "PIP008", wave.where,
            f"stage '{wave.names[0]}' deploys to production with no manual approval and no earlier deployment to another "
            "environment before it: every change that builds goes straight to production",
            fix="pass pre=[pipelines.ManualApprovalStep(...)] to add_stage/add_wave, or deploy a staging stage first",
        )


def _wave(opts: Call, call: nodes.Call) -> _Wave | None:
    wave_id = opts.arg_text("id", 0)
    where = opts.arg("id", 0) or call.func
    pre, post = _approvals(opts, "pre"), _approvals(opts, "post")
    target = cdk.assigned_to(call)
    stages: list[tuple[str | None, bool]] = []
    any_approval = pre or post
    if target is not None:
        inner = cdk.uses_of(call)
        if inner.escapes or not inner.straight:
            return None
        for method, sub in inner.methods:
            sub_opts = Call(sub, f"pipelines.Wave.{method}")
            if method == "add_stage":
                stage_id, _ = _stage_id(sub_opts.arg("stage", 0))
                stage_pre, stage_post = _added_steps(sub, _approvals(sub_opts, "pre"), _approvals(sub_opts, "post"))
                if stage_pre is None:
                    return None
                own = stage_pre or _stack_step_approvals(sub_opts)
                stages.append((stage_id, own))
                any_approval = any_approval or own or stage_post
            elif method == "add_pre":
                if any(cdk.is_call(cdk.resolve(a), *_APPROVAL_STEPS) for a in sub.args):
                    pre = any_approval = True
            elif method == "add_post":
                any_approval = any_approval or any(cdk.is_call(cdk.resolve(a), *_APPROVAL_STEPS) for a in sub.args)
            else:
                return None
    names = ([wave_id] if wave_id else []) + [s for s, _ in stages if s]
    if len(stages) == 1:
        # A wave of one stage becomes a pipeline stage named after that stage.
        names = [stages[0][0]] if stages[0][0] else []
    return _Wave(names, where, pre, any_approval, stages)


def _added_steps(call: nodes.Call, pre: bool, post: bool) -> tuple[bool | None, bool]:
    """Approvals in a stage deployment's pre/post, counting `add_pre`/`add_post`
    calls on the object add_stage returned; (None, _) when it is used otherwise."""
    if cdk.assigned_to(call) is None:
        return pre, post
    uses = cdk.uses_of(call)
    if uses.escapes or not uses.straight:
        return None, post
    for method, sub in uses.methods:
        approval = any(cdk.is_call(cdk.resolve(a), *_APPROVAL_STEPS) for a in sub.args)
        if method == "add_pre":
            pre = pre or approval
        elif method == "add_post":
            post = post or approval
        else:
            return None, post
    return pre, post


def _stage_id(node: nodes.NodeNG | None) -> tuple[str | None, nodes.NodeNG | None]:
    """The id of the `Stage` construct given to add_stage: the second argument
    of its constructor call (any class: user subclasses of cdk.Stage are the norm)."""
    if node is None:
        return None, None
    call = node if isinstance(node, nodes.Call) else cdk.definition_of(node)
    if not isinstance(call, nodes.Call):
        return None, None
    stage = Call(call, "")
    explicit = stage.arg_text("stage_name")
    id_node = stage.arg("id", 1)
    if explicit:
        return explicit, stage.arg("stage_name")
    return stage.arg_text("id", 1), id_node


def _approvals(opts: Call, prop: str) -> bool:
    steps = opts.value(prop)
    return isinstance(steps, Seq) and any(cdk.is_call(cdk.resolve(s), *_APPROVAL_STEPS) for s in steps.items)


def _stack_step_approvals(opts: Call) -> bool:
    """`stack_steps=[StackSteps(stack=..., pre=[...], change_set=[...])]`: an
    approval there runs before that stack's change set is executed."""
    steps = opts.value("stack_steps")
    if not isinstance(steps, Seq):
        return False
    for item in steps.items:
        step = cdk.resolve(item)
        if cdk.is_call(step, "pipelines.StackSteps") and (_approvals(step, "pre") or _approvals(step, "change_set")):
            return True
    return False
