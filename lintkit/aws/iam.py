"""Resolve the IAM role a CI/CD resource runs with, and tell whether it is an
administrator (CBP012): `AdministratorAccess` attached, or an `Allow` of
`Action: "*"` on `Resource: "*"` in an inline or attached policy of the same template."""

from __future__ import annotations

from lintkit.aws.cfn import Template, items, scalar_text
from lintkit.documents import Mapping, Node, Scalar, Sequence, intrinsic


def admin_grant(template: Template, role_value: Node | None) -> tuple[str, Node, str] | None:
    """(role logical id, node of the grant, what it grants) or None."""
    role = template.ref_resource(role_value) if role_value is not None else None
    if role is None or role.type != "AWS::IAM::Role" or role.properties is None:
        return None
    for arn in items(role.prop("ManagedPolicyArns")):
        text = _text(arn)
        if text and text.rstrip().endswith(":policy/AdministratorAccess"):
            return role.name, arn, "has the AdministratorAccess policy"
        managed = template.ref_resource(arn)
        if managed is not None and managed.type == "AWS::IAM::ManagedPolicy":
            hit = _star_statement(managed.prop("PolicyDocument"))
            if hit is not None:
                return role.name, hit, f"is attached to policy '{managed.name}' that allows every action on every resource"
    for policy in items(role.prop("Policies")):
        if isinstance(policy, Mapping):
            hit = _star_statement(policy.get("PolicyDocument"))
            if hit is not None:
                return role.name, hit, "allows every action on every resource"
    for other in template.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        if any(template.ref_name(r) == role.name for r in items(other.prop("Roles"))):
            hit = _star_statement(other.prop("PolicyDocument"))
            if hit is not None:
                return role.name, hit, f"gets every action on every resource from policy '{other.name}'"
    return None


def _text(node: Node) -> str | None:
    text = scalar_text(node)
    if text is not None:
        return text
    fn = intrinsic(node)
    if fn and fn[0] == "Fn::Sub":
        body = fn[1].items[0] if isinstance(fn[1], Sequence) and fn[1].items else fn[1]
        return body.text if isinstance(body, Scalar) else None
    if fn and fn[0] == "Fn::Join" and isinstance(fn[1], Sequence) and len(fn[1].items) == 2:
        return "".join(scalar_text(p) or "" for p in items(fn[1].items[1]))
    return None


def _star_statement(document: Node | None) -> Node | None:
    if not isinstance(document, Mapping):
        return None
    statements = document.get("Statement")
    for stmt in [statements] if isinstance(statements, Mapping) else items(statements):
        if not isinstance(stmt, Mapping) or scalar_text(stmt.get("Effect")) != "Allow":
            continue
        action = stmt.get("Action")
        resource = stmt.get("Resource")
        if _has_star(action) and (resource is None or _has_star(resource)):
            return action
    return None


def _has_star(node: Node | None) -> bool:
    if node is None:
        return False
    values = [node] if isinstance(node, Scalar) else items(node)
    return any(scalar_text(v) in ("*", "*:*") for v in values)
