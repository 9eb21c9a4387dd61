"""One model of a CodePipeline over its two shapes.

`get-pipeline`/`create-pipeline` JSON uses lowerCamel keys (`stages`,
`actionTypeId`, `inputArtifacts: [{"name": …}]`); an
`AWS::CodePipeline::Pipeline` resource uses PascalCase (`Stages`,
`ActionTypeId`, `InputArtifacts: [{Name: …}]`). Both become the same
`Pipeline` → `Stage` → `Action` objects that keep their nodes, so a finding
points at the exact key or value in either file. `Fn::If` stages and actions
contribute both branches, marked `conditional`.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from functools import cached_property

from lintkit.aws.cfn import Resource, Template, field, field_key, plain_text, scalar_text
from lintkit.documents import Document, Mapping, Node, Scalar, Sequence, intrinsic


@dataclass
class Artifact:
    name: str | None  # None when the name is an intrinsic (unknown)
    node: Node


@dataclass
class Action:
    node: Mapping
    stage: Stage
    index: int
    conditional: bool = False

    @cached_property
    def name(self) -> str:
        return scalar_text(field(self.node, "Name")) or f"action {self.index + 1}"

    @cached_property
    def name_node(self) -> Node:
        return field(self.node, "Name") or self.node

    @cached_property
    def type_id(self) -> Mapping | None:
        found = field(self.node, "ActionTypeId")
        return found if isinstance(found, Mapping) else None

    def type_part(self, part: str) -> str | None:
        return scalar_text(field(self.type_id, part))

    def type_node(self, part: str) -> Node:
        return field(self.type_id, part) or field_key(self.node, "ActionTypeId") or self.node

    @cached_property
    def category(self) -> str | None:
        return self.type_part("Category")

    @cached_property
    def owner(self) -> str | None:
        return self.type_part("Owner")

    @cached_property
    def provider(self) -> str | None:
        return self.type_part("Provider")

    @cached_property
    def config(self) -> Mapping | None:
        found = field(self.node, "Configuration")
        return found if isinstance(found, Mapping) else None

    @cached_property
    def run_order(self) -> int:
        text = scalar_text(field(self.node, "RunOrder"))
        try:
            return int(float(text)) if text is not None else 1
        except ValueError:
            return 1

    def artifacts(self, which: str) -> list[Artifact]:
        found: list[Artifact] = []
        for item, _, _ in list_items(field(self.node, which)):
            name_node = field(item, "Name")
            if name_node is None and isinstance(item, Scalar):
                name_node = item
            found.append(Artifact(scalar_text(name_node), name_node or item))
        return found

    @cached_property
    def inputs(self) -> list[Artifact]:
        return self.artifacts("InputArtifacts")

    @cached_property
    def outputs(self) -> list[Artifact]:
        return self.artifacts("OutputArtifacts")

    def before(self, other: Action) -> bool:
        """Does this action finish before `other` starts?"""
        if self.stage.index != other.stage.index:
            return self.stage.index < other.stage.index
        return self.run_order < other.run_order


@dataclass
class Stage:
    node: Mapping
    index: int
    actions: list[Action] = dc_field(default_factory=list)
    conditional: bool = False

    @cached_property
    def name(self) -> str:
        return scalar_text(field(self.node, "Name")) or f"stage {self.index + 1}"

    @cached_property
    def name_node(self) -> Node:
        return field(self.node, "Name") or self.node


@dataclass
class Pipeline:
    node: Mapping  # the JSON `pipeline` object or the resource's Properties
    anchor: Node  # where pipeline-wide findings point
    stages: list[Stage]
    is_json: bool  # pipeline JSON (API shape), not a template resource
    template: Template | None = None
    resource: Resource | None = None

    @cached_property
    def actions(self) -> list[Action]:
        return [a for s in self.stages for a in s.actions]

    def get(self, name: str) -> Node | None:
        return field(self.node, name)


def alternatives(node: Node | None) -> list[tuple[Node, bool]]:
    """What a value may be: itself, or every branch of an `Fn::If` (nested
    ones too), marked conditional; `!Ref AWS::NoValue` is nothing."""
    if node is None:
        return []
    fn = intrinsic(node)
    if fn is not None and fn[0] == "Fn::If" and isinstance(fn[1], Sequence) and len(fn[1].items) == 3:
        return [(alt, True) for branch in fn[1].items[1:] for alt, _ in alternatives(branch)]
    if fn is not None and fn[0] == "Ref" and plain_text(fn[1]) == "AWS::NoValue":
        return []
    return [(node, False)]


def list_items(node: Node | None) -> list[tuple[Node, bool, int]]:
    """The items of a list that CloudFormation conditions may shape (the list
    itself or each `Fn::If` branch of it, each item or each branch of an item):
    the union of whatever the conditions allow, as (item, conditional,
    position in its list)."""
    out: list[tuple[Node, bool, int]] = []
    for whole, cond in alternatives(node):
        if isinstance(whole, Sequence):
            for position, item in enumerate(whole.items):
                out.extend((alt, cond or item_cond, position) for alt, item_cond in alternatives(item))
    return out


def build(node: Mapping, anchor: Node, is_json: bool, template: Template | None = None, resource: Resource | None = None) -> Pipeline:
    stages: list[Stage] = []
    for stage_node, conditional, position in list_items(field(node, "Stages")):
        if not isinstance(stage_node, Mapping):
            continue
        stage = Stage(stage_node, position, conditional=conditional)
        for action_node, action_conditional, _ in list_items(field(stage_node, "Actions")):
            if isinstance(action_node, Mapping):
                stage.actions.append(Action(action_node, stage, len(stage.actions), conditional or action_conditional))
        stages.append(stage)
    return Pipeline(node, anchor, stages, is_json, template, resource)


def pipelines_in_json(doc: Document) -> list[Pipeline]:
    """The pipeline of a get-pipeline / create-pipeline JSON document."""
    root = doc.root
    if not isinstance(root, Mapping):
        return []
    inner = root.get("pipeline")
    if isinstance(inner, Mapping):
        return [build(inner, root.key_node("pipeline") or inner, True)]
    if "stages" in root:
        return [build(root, root, True)]
    return []


def pipelines_in_template(template: Template) -> list[Pipeline]:
    found = []
    for res in template.of_type("AWS::CodePipeline::Pipeline"):
        props = res.properties
        if props is not None:
            found.append(build(props, res.key, False, template, res))
    return found
