"""CodeArtifact rules (CAR) for `AWS::CodeArtifact::Domain` and `Repository`."""

from __future__ import annotations

import re
from typing import TypeGuard

from lintkit.aws.cfn import Template, items, scalar_text
from lintkit.api import Context
from lintkit.documents import Mapping, Node, Scalar

_WRITE = re.compile(
    r"(?i)^(codeartifact:\*|\*|codeartifact:(Publish|Put|Delete|Dispose|Update|Copy|Associate|Disassociate|Create)\w*)$"
)
_LIMITING_CONDITION = re.compile(r"(?i)^aws:(PrincipalOrgID|PrincipalOrgPaths|PrincipalAccount|SourceAccount|SourceOrgID|PrincipalArn|userid)$")


def lint_codeartifact(template: Template, ctx: Context) -> None:
    for res in template.of_type("AWS::CodeArtifact::Domain", "AWS::CodeArtifact::Repository"):
        props = res.properties
        kind = "domain" if res.type.endswith("Domain") else "repository"
        if kind == "domain":
            key = props.get("EncryptionKey") if props is not None else None
            if key is None:
                ctx.report("CAR003", res.type_node, f"CodeArtifact domain '{res.name}' has no customer-managed EncryptionKey")
        policy = props.get("PermissionsPolicyDocument") if props is not None else None
        _policy(res.name, kind, policy, ctx)
        if kind == "repository":
            _upstreams(template, res.name, props, ctx)


def _principal_is_public(principal: Node | None) -> TypeGuard[Node]:
    if principal is None:
        return False
    if isinstance(principal, Scalar):
        return scalar_text(principal) == "*"
    if isinstance(principal, Mapping):
        aws = principal.get("AWS")
        values = [aws] if isinstance(aws, Scalar) else items(aws)
        return any(scalar_text(v) == "*" for v in values)
    return False


def _limited(condition: Node | None) -> bool:
    if not isinstance(condition, Mapping):
        return False
    for _, _, block in condition.items():
        if isinstance(block, Mapping) and any(_LIMITING_CONDITION.match(k) for k in block.keys()):
            return True
    return False


def _policy(name: str, kind: str, policy: Node | None, ctx: Context) -> None:
    if not isinstance(policy, Mapping):
        return
    statements = policy.get("Statement")
    for stmt in [statements] if isinstance(statements, Mapping) else items(statements):
        if not isinstance(stmt, Mapping) or scalar_text(stmt.get("Effect")) != "Allow":
            continue
        principal = stmt.get("Principal")
        if not _principal_is_public(principal):
            continue
        action = stmt.get("Action")
        actions = [action] if isinstance(action, Scalar) else items(action)
        writes = [a for a in actions if _WRITE.match(scalar_text(a) or "")]
        limited = _limited(stmt.get("Condition"))
        if not limited:
            ctx.report(
                "CAR001", principal,
                f"the permissions policy of {kind} '{name}' allows any AWS principal (\"*\") with no aws:PrincipalOrgID or account condition",
            )
        if writes:
            ctx.report(
                "CAR002", writes[0],
                f"the permissions policy of {kind} '{name}' grants {scalar_text(writes[0])} to every principal"
                + (" in the organization" if limited else "")
                + "; publishing and deleting packages must be limited to named roles",
            )


def _upstreams(template: Template, name: str, props: Mapping | None, ctx: Context) -> None:
    if props is None:
        return
    connections = props.get("ExternalConnections")
    public = [c for c in items(connections) if (scalar_text(c) or "").startswith("public:")]
    if not public:
        return
    for group in template.of_type("AWS::CodeArtifact::PackageGroup"):
        if group.prop("OriginConfiguration") is not None:
            return
    ctx.report(
        "CAR004", public[0],
        f"repository '{name}' pulls from {scalar_text(public[0])} and no package group sets origin controls; "
        "an internal package name can be taken over from the public registry (dependency confusion)",
    )
