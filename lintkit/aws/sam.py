"""SAM DeploymentPreference rules (SAM) for `AWS::Serverless::Function`,
with `Globals.Function` merged in the way the SAM transform merges maps."""

from __future__ import annotations

from lintkit.aws.cfn import Template, field_key, is_false, items, resource_prod_like
from lintkit.api import Context
from lintkit.documents import Mapping, Node



def lint_functions(template: Template, ctx: Context) -> None:
    glob = template.globals_section("Function")
    glob_pref = glob.get("DeploymentPreference") if glob is not None else None
    glob_alias = glob.get("AutoPublishAlias") if glob is not None else None
    for fn in template.of_type("AWS::Serverless::Function"):
        props = fn.properties
        own_pref = props.get("DeploymentPreference") if props is not None else None
        if own_pref is None and glob_pref is None:
            continue
        pref = _merged(glob_pref, own_pref)
        where = field_key(props, "DeploymentPreference") if own_pref is not None else fn.type_node
        alias = (props.get("AutoPublishAlias") if props is not None else None) or glob_alias
        enabled = pref.get("Enabled")
        if alias is None and not is_false(enabled):
            ctx.report(
                "SAM001", where or fn.key,
                f"function '{fn.name}' has a DeploymentPreference but no AutoPublishAlias; the SAM transform rejects it",
                related=[(glob_pref, "DeploymentPreference from Globals.Function")] if own_pref is None and glob_pref is not None else [],
            )
        type_node = pref.get("Type")
        dtype = template.value_text(type_node) or ""
        pattern = ctx.option("SAM002", "prod-pattern")
        # A setting inherited from Globals is reported on the function it
        # applies to, so one Globals line does not collect every finding.
        own_type = own_pref.get("Type") if isinstance(own_pref, Mapping) else None
        shift_at = own_type if own_type is not None else fn.type_node  # own_type is what pref.get("Type") found
        prod = resource_prod_like(template, fn, ("FunctionName",), pattern)
        # AllAtOnce whatever the stage; a disabled preference (a deliberate opt-out) in production only.
        if dtype == "AllAtOnce" or is_false(enabled) and prod:
            target = shift_at if dtype == "AllAtOnce" else enabled
            ctx.report(
                "SAM002", target or where or fn.key,
                f"{'production ' if prod else ''}function '{fn.name}' shifts all traffic to a new version at once"
                + (" (DeploymentPreference disabled)" if is_false(enabled) else " (Type: AllAtOnce)")
                + ": no canary takes the first requests, and no alarm can roll it back",
                severity=None if prod else "low",
            )
        if dtype.startswith(("Canary", "Linear")) and not is_false(enabled):
            if not items(pref.get("Alarms")) and not _is_intrinsic(pref.get("Alarms")):
                ctx.report("SAM003", shift_at, f"function '{fn.name}' shifts traffic gradually ({dtype}) but no Alarms can trigger a rollback")
            hooks = pref.get("Hooks")
            if not (isinstance(hooks, Mapping) and (hooks.get("PreTraffic") is not None or hooks.get("PostTraffic") is not None)):
                ctx.report("SAM004", shift_at, f"function '{fn.name}' shifts traffic ({dtype}) with no PreTraffic/PostTraffic hook to validate the new version")


class _Merged:
    def __init__(self, layers: list[Mapping]) -> None:
        self.layers = layers

    def get(self, key: str) -> Node | None:
        for layer in reversed(self.layers):
            value = layer.get(key)
            if value is not None:
                return value
        return None


def _merged(glob: Node | None, own: Node | None) -> _Merged:
    return _Merged([m for m in (glob, own) if isinstance(m, Mapping)])


def _is_intrinsic(node: Node | None) -> bool:
    from lintkit.documents import intrinsic

    return node is not None and intrinsic(node) is not None
