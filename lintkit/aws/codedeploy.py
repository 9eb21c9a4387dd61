"""CodeDeploy rules (CDG) for `AWS::CodeDeploy::DeploymentGroup` and
`AWS::CodeDeploy::DeploymentConfig` resources."""

from __future__ import annotations

from lintkit.aws.cfn import Resource, Template, field_key, is_false, items, resource_prod_like, scalar_text
from lintkit.api import Context
from lintkit.documents import Mapping, Node

_GROUP_NAMES = ("DeploymentGroupName", "ApplicationName")


def compute_platform(template: Template, group: Resource) -> str:
    """Server | Lambda | ECS (Server when unknown)."""
    if group.prop("ECSServices") is not None:
        return "ECS"
    app = template.ref_resource(group.prop("ApplicationName"))
    if app is not None and app.type == "AWS::CodeDeploy::Application":
        return scalar_text(app.prop("ComputePlatform")) or "Server"
    return "Server"


def lint_deployment(template: Template, ctx: Context) -> None:
    for group in template.of_type("AWS::CodeDeploy::DeploymentGroup"):
        props = group.properties
        if props is None:
            continue
        _rollback(group, props, ctx)
        _all_at_once(template, group, props, ctx)
        _blue_green(template, group, props, ctx)
        if props.get("DeploymentConfigName") is None:
            ctx.report(
                "CDG007", group.type_node,
                f"deployment group '{group.name}' sets no DeploymentConfigName, so the service default "
                f"({_default_config(compute_platform(template, group))}) applies unreviewed",
            )
    threshold = ctx.option("CDG005", "min-fleet-percent")
    for config in template.of_type("AWS::CodeDeploy::DeploymentConfig"):
        hosts = config.prop("MinimumHealthyHosts")
        if not isinstance(hosts, Mapping):
            continue
        htype = (scalar_text(hosts.get("Type")) or "").upper()
        value_node = hosts.get("Value")
        if value_node is None:
            continue
        try:
            value = float(scalar_text(value_node) or "nan")
        except ValueError:
            continue
        if htype == "HOST_COUNT" and value <= 0:
            ctx.report("CDG005", value_node, f"deployment config '{config.name}' needs no healthy host during a deployment (HOST_COUNT 0)")
        elif htype == "FLEET_PERCENT" and value < threshold:
            ctx.report(
                "CDG005", value_node,
                f"deployment config '{config.name}' keeps only {value:g}% of the fleet healthy during a deployment (below {threshold}%)",
            )


def _default_config(platform: str) -> str:
    return {"Lambda": "CodeDeployDefault.LambdaAllAtOnce", "ECS": "CodeDeployDefault.ECSAllAtOnce"}.get(
        platform, "CodeDeployDefault.OneAtATime"
    )


def _rollback(group: Resource, props: Mapping, ctx: Context) -> None:
    auto = props.get("AutoRollbackConfiguration")
    enabled = auto.get("Enabled") if isinstance(auto, Mapping) else None
    if auto is None:
        ctx.report("CDG001", group.type_node, f"deployment group '{group.name}' has no AutoRollbackConfiguration: a failed deployment stays live")
    elif is_false(enabled):
        ctx.report("CDG001", enabled, f"automatic rollback is disabled for deployment group '{group.name}'")
    alarms = props.get("AlarmConfiguration")
    alarm_list = alarms.get("Alarms") if isinstance(alarms, Mapping) else None
    alarm_on = isinstance(alarms, Mapping) and not is_false(alarms.get("Enabled")) and bool(items(alarm_list))
    if not alarm_on:
        where: Node = field_key(props, "AlarmConfiguration") or group.type_node
        ctx.report(
            "CDG002", where,
            f"deployment group '{group.name}' watches no CloudWatch alarms, so a bad release that passes its hooks is never rolled back",
        )
        return
    events = auto.get("Events") if isinstance(auto, Mapping) else None
    names = {scalar_text(e) for e in items(events)}
    if isinstance(auto, Mapping) and not is_false(enabled) and events is not None and "DEPLOYMENT_STOP_ON_ALARM" not in names:
        ctx.report(
            "CDG002", events,
            f"deployment group '{group.name}' has alarms but does not roll back on them (add DEPLOYMENT_STOP_ON_ALARM to Events)",
        )


def _all_at_once(template: Template, group: Resource, props: Mapping, ctx: Context) -> None:
    config = props.get("DeploymentConfigName")
    text = template.value_text(config) or ""
    if config is None or not text.endswith("AllAtOnce"):
        return
    pattern = ctx.option("CDG003", "prod-pattern")
    if not resource_prod_like(template, group, _GROUP_NAMES, pattern):
        return
    ctx.report(
        "CDG003", config,
        f"production deployment group '{group.name}' deploys all at once ({text}); one bad release takes out all capacity",
    )


def _blue_green(template: Template, group: Resource, props: Mapping, ctx: Context) -> None:
    style = props.get("DeploymentStyle")
    dtype = scalar_text(style.get("DeploymentType")) if isinstance(style, Mapping) else None
    option = scalar_text(style.get("DeploymentOption")) if isinstance(style, Mapping) else None
    platform = compute_platform(template, group)
    if platform != "Lambda" and (dtype == "BLUE_GREEN" or option == "WITH_TRAFFIC_CONTROL") and not _has_lb(props.get("LoadBalancerInfo")):
        where = (style.get("DeploymentType") if dtype == "BLUE_GREEN" else style.get("DeploymentOption")) if isinstance(style, Mapping) else group.key
        ctx.report(
            "CDG004", where or group.key,
            f"deployment group '{group.name}' shifts traffic ({dtype or option}) but has no LoadBalancerInfo to shift it with",
        )
    if platform == "ECS":
        problems = []
        if dtype != "BLUE_GREEN":
            problems.append("DeploymentType BLUE_GREEN")
        if option != "WITH_TRAFFIC_CONTROL":
            problems.append("DeploymentOption WITH_TRAFFIC_CONTROL")
        if props.get("BlueGreenDeploymentConfiguration") is None:
            problems.append("BlueGreenDeploymentConfiguration")
        if problems:
            where = field_key(props, "DeploymentStyle") or group.type_node
            ctx.report("CDG006", where, f"ECS deployment group '{group.name}' needs {', '.join(problems)}")


def _has_lb(info: Node | None) -> bool:
    if not isinstance(info, Mapping):
        return False
    return any(items(info.get(k)) for k in ("TargetGroupInfoList", "ElbInfoList", "TargetGroupPairInfoList"))
