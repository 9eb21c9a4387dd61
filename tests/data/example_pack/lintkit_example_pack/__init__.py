"""A minimal third-party rule pack: one rule that flags buildspecs without a
`post_build` phase. Found through the `lintkit.rules` entry-point group."""

from pathlib import Path

from lintkit.registry import RulePack, check


def pack() -> RulePack:
    return RulePack(
        name="example-pack",
        rules_dir=Path(__file__).parent / "rules",
        modules={"buildspec": ("lintkit_example_pack",)},
    )


@check("buildspec", "EXP001")
def no_post_build(doc, ctx) -> None:
    phases = doc.root.get("phases") if doc.root is not None and hasattr(doc.root, "get") else None
    if phases is not None and hasattr(phases, "get") and phases.get("post_build") is None:
        ctx.report("EXP001", doc.root.key_node("phases"), "no post_build phase")
