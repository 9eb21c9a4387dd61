"""lintkit's CodeDeploy rules (CDG) on CDK Python code.

The same rules as `lintkit/aws/codedeploy.py`, read from
`codedeploy.ServerDeploymentGroup`, `LambdaDeploymentGroup` and
`EcsDeploymentGroup`, with CDK's defaults: a group without `auto_rollback`
rolls back failed deployments; without `deployment_config` a server group
deploys one at a time, a Lambda group canary 10 % for 5 minutes, and an ECS
group all at once.
"""

from __future__ import annotations

from astroid import nodes

from lintkit.api import Context
from lintkit.python import cdk
from lintkit.python.cdk import Call, Member, Seq

GROUPS = {
    "aws_codedeploy.ServerDeploymentGroup": ("ServerDeploymentConfig", "CodeDeployDefault.AllAtOnce"),
    "aws_codedeploy.LambdaDeploymentGroup": ("LambdaDeploymentConfig", "CodeDeployDefault.LambdaAllAtOnce"),
    "aws_codedeploy.EcsDeploymentGroup": ("EcsDeploymentConfig", "CodeDeployDefault.ECSAllAtOnce"),
}


def deployment_groups(module: nodes.Module, ctx: Context) -> None:
    if not cdk.in_cdk_app(module, ctx.text):
        return
    for group in cdk.cdk_calls(module):
        if group.name in GROUPS:
            _rollback(group, ctx)
            _alarms(group, ctx)
            _all_at_once(group, ctx)
            if group.cls == "ServerDeploymentGroup" and group.missing("deployment_config"):
                ctx.report(
                    "CDG007", group.node.func,
                    f"deployment group {group.label('this deployment group')} sets no deployment_config, so the "
                    "service default (CodeDeployDefault.OneAtATime) applies unreviewed",
                )


def _rollback(group: Call, ctx: Context) -> None:
    config = cdk.struct(group.value("auto_rollback"), "aws_codedeploy.AutoRollbackConfig")
    if config is None or config.star_kwargs:
        return  # no auto_rollback: CDK rolls back failed deployments
    failed = True if config.missing("failed_deployment") else config.value("failed_deployment")
    stopped = False if config.missing("stopped_deployment") else config.value("stopped_deployment")
    in_alarm = _has_alarms(group) if config.missing("deployment_in_alarm") else config.value("deployment_in_alarm")
    if failed is False and stopped is False and in_alarm is False:
        ctx.report(
            "CDG001", group.where("auto_rollback"),
            f"automatic rollback is disabled for deployment group {group.label('this deployment group')} "
            "(failed_deployment, stopped_deployment and deployment_in_alarm all off): a failed deployment stays live",
        )


def _alarms(group: Call, ctx: Context) -> None:
    label = group.label("this deployment group")
    alarms = _has_alarms(group)
    if alarms is False or (alarms and group.value("ignore_alarm_configuration") is True):
        ctx.report(
            "CDG002", group.node.func,
            f"deployment group {label} watches no CloudWatch alarms, so a bad release that passes its hooks is never rolled back",
        )
        return
    config = cdk.struct(group.value("auto_rollback"), "aws_codedeploy.AutoRollbackConfig")
    if alarms and config is not None and config.value("deployment_in_alarm") is False:
        failed = config.missing("failed_deployment") or config.value("failed_deployment") is True
        if failed or config.value("stopped_deployment") is True:
            ctx.report(
                "CDG002", config.where("deployment_in_alarm"),
                f"deployment group {label} has alarms but does not roll back on them (deployment_in_alarm=False)",
            )


def _has_alarms(group: Call) -> bool | None:
    """CDK's default for deployment_in_alarm: whether the group has alarms
    (None when alarms may be added where we cannot see)."""
    alarms = group.value("alarms")
    uses = group.uses()
    if (isinstance(alarms, Seq) and alarms.items) or any(m == "add_alarm" for m, _ in uses.methods):
        return True
    if uses.escapes or uses.shared:
        return None
    if group.missing("alarms") or isinstance(alarms, Seq):
        return False
    return None


def _all_at_once(group: Call, ctx: Context) -> None:
    config_class, all_at_once = GROUPS[group.name]
    config = group.value("deployment_config")
    if isinstance(config, Member):
        if config.name != f"aws_codedeploy.{config_class}.ALL_AT_ONCE":
            return
        where: nodes.NodeNG = group.where("deployment_config")
    elif group.missing("deployment_config") and group.cls == "EcsDeploymentGroup":
        where = group.node.func  # EcsDeploymentConfig.ALL_AT_ONCE is the default
    else:
        return
    pattern = ctx.option("CDG003", "prod-pattern")
    if not any(cdk.prod_like(name, pattern) for name in _names(group)):
        return
    ctx.report(
        "CDG003", where,
        f"production deployment group {group.label('this deployment group')} deploys all at once ({all_at_once}); "
        "one bad release takes out all capacity",
    )


def _names(group: Call) -> list[str]:
    """What the synthesized group is called: its construct id (the start of its
    logical id), DeploymentGroupName, and its application's id and name."""
    names = [n for n in (group.construct_id, group.arg_text("deployment_group_name")) if n]
    app = group.value("application")
    if isinstance(app, Call):
        names += [n for n in (app.construct_id, app.arg_text("application_name")) if n]
    return names

