"""A minimal third-party lintkit rule pack, found through the `lintkit.rules`
entry point. Each rule is one TOML in rules/ naming its check function here."""

from pathlib import Path

from lintkit.api import Context
from lintkit.registry import RulePack


def pack() -> RulePack:
    return RulePack(name="example-pack", rules_dir=Path(__file__).parent / "rules")


def no_post_build(doc, ctx: Context) -> None:
    """EXP001: a buildspec (a lintkit.documents.Document) without post_build."""
    phases = doc.root.get("phases") if doc.root is not None and hasattr(doc.root, "get") else None
    if phases is not None and hasattr(phases, "get") and phases.get("post_build") is None:
        ctx.report("EXP001", doc.root.key_node("phases"), "no post_build phase")


def breakpoint_calls(module, ctx: Context) -> None:
    """EXP002: a `breakpoint()` call (module is an astroid Module)."""
    from astroid import nodes

    for call in module.nodes_of_class(nodes.Call):
        if isinstance(call.func, nodes.Name) and call.func.name == "breakpoint":
            ctx.report("EXP002", call, "breakpoint() left in the code stops the program in a debugger")
