"""CloudFormation/SAM template helpers shared by the resource checks.

A `Template` indexes a loaded document's Resources and Parameters and knows
how to follow `Ref`/`Fn::GetAtt`/`Fn::Sub` to a resource or a parameter's
Default, in short (`!Ref X`) and long (`{"Ref": "X"}`) form. Nothing here
raises for odd content: a value of an unexpected type is simply "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterator, TypeGuard

from lintkit.api import search_pattern
from lintkit.documents import Document, Mapping, Node, Scalar, Sequence, intrinsic

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_SUB_VAR = re.compile(r"\$\{(?!!)([^}]*)\}")
ACCOUNT_ARN = re.compile(r"arn:aws[\w-]*:[\w-]+:[\w-]*:(\d{12}):")


def words(text: str) -> str:
    """'MyProdStage-v2' -> 'my prod stage v2'."""
    return " ".join(_SEPARATORS.sub(" ", _CAMEL.sub(" ", text)).lower().split())


def is_prod_like(text: str | None, pattern: str) -> bool:
    """Does `text` name production? `pattern` (a rule's `prod-pattern` option)
    is applied, with a time bound, to the text as lower-case words, so
    "ProdDeploy" and "deploy-prod" read "prod deploy" and "deploy prod"."""
    return bool(text) and search_pattern(pattern, words(text or ""))


def scalar_text(node: Node | None) -> str | None:
    """The text of a plain (untagged) scalar; None for intrinsics and collections."""
    if isinstance(node, Scalar) and not node.tag and not node.is_null:
        return node.text
    return None


# A scalar's literal true/false: the guards let a caller report at the node.
def is_true(node: Node | None) -> TypeGuard[Scalar]:
    text = scalar_text(node)
    return text is not None and text.strip().lower() == "true"


def is_false(node: Node | None) -> TypeGuard[Scalar]:
    text = scalar_text(node)
    return text is not None and text.strip().lower() == "false"


def field(mapping: Node | None, name: str) -> Node | None:
    """`name` in PascalCase (templates) or lowerCamelCase (pipeline JSON)."""
    if not isinstance(mapping, Mapping):
        return None
    found = mapping.get(name)
    if found is None:
        found = mapping.get(name[:1].lower() + name[1:])
    return found


def field_key(mapping: Node | None, name: str) -> Node | None:
    if not isinstance(mapping, Mapping):
        return None
    return mapping.key_node(name) or mapping.key_node(name[:1].lower() + name[1:])


def items(node: Node | None) -> list[Node]:
    return list(node.items) if isinstance(node, Sequence) else []


@dataclass
class Resource:
    name: str
    key: Node  # the logical id key node
    node: Mapping  # the resource mapping
    type: str

    @property
    def properties(self) -> Mapping | None:
        props = self.node.get("Properties")
        return props if isinstance(props, Mapping) else None

    def prop(self, name: str) -> Node | None:
        props = self.properties
        return props.get(name) if props is not None else None

    @property
    def type_node(self) -> Node:
        return self.node.get("Type") or self.key


class Template:
    """A template's Resources and Parameters. A template split into fragments
    (a file holding only the body of `Resources`, or a single resource with
    its `Type` and `Properties`, merged by a build step) is read the same way;
    a single resource takes its file's name as its logical id."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        root = doc.root
        self.root: Mapping | None = root if isinstance(root, Mapping) else None
        self.resources: dict[str, Resource] = {}
        self.parameters: dict[str, Mapping] = {}
        if self.root is None:
            return
        resources = self.root.get("Resources")
        if not isinstance(resources, Mapping) and "AWSTemplateFormatVersion" not in self.root:
            if is_resource(self.root):
                name = PurePosixPath(doc.path.split("#", 1)[0]).name.split(".", 1)[0] or "Resource"
                self.resources[name] = Resource(name, self.root.key_node("Type") or self.root, self.root, scalar_text(self.root.get("Type")) or "")
                return
            resources = self.root  # the body of Resources
        if isinstance(resources, Mapping):
            for name, key, value in resources.items():
                if isinstance(value, Mapping):
                    rtype = scalar_text(value.get("Type")) or ""
                    self.resources[name] = Resource(name, key, value, rtype)
        params = self.root.get("Parameters")
        if isinstance(params, Mapping):
            for name, _, value in params.items():
                if isinstance(value, Mapping):
                    self.parameters[name] = value

    def of_type(self, *types: str) -> Iterator[Resource]:
        for res in self.resources.values():
            if res.type in types:
                yield res

    def globals_section(self, section: str) -> Mapping | None:
        if self.root is None:
            return None
        glob = self.root.get("Globals")
        found = glob.get(section) if isinstance(glob, Mapping) else None
        return found if isinstance(found, Mapping) else None

    # -- references -----------------------------------------------------------------

    def ref_name(self, node: Node | None) -> str | None:
        """The logical id or parameter a value refers to: `!Ref X`,
        `!GetAtt X.Arn`, `{"Fn::GetAtt": ["X", "Arn"]}`, `!Sub "${X.Arn}"`."""
        if node is None:
            return None
        fn = intrinsic(node)
        if fn is None:
            return None
        name, arg = fn
        if name == "Ref":
            return plain_text(arg)
        if name == "Fn::GetAtt":
            if isinstance(arg, Sequence) and arg.items:
                return plain_text(arg.items[0])
            text = plain_text(arg)
            return text.split(".", 1)[0] if text else None
        if name == "Fn::Sub":
            text = plain_text(arg.items[0]) if isinstance(arg, Sequence) and arg.items else plain_text(arg)
            if text:
                names = [m.group(1).split(".", 1)[0] for m in _SUB_VAR.finditer(text)]
                local = [n for n in names if n in self.resources]
                if local:
                    return local[0]
        return None

    def ref_resource(self, node: Node | None) -> Resource | None:
        name = self.ref_name(node)
        return self.resources.get(name) if name else None

    def param_default(self, node: Node | None) -> Node | None:
        """The Default of the parameter `node` refers to with `Ref`."""
        fn = intrinsic(node) if node is not None else None
        if fn is None or fn[0] != "Ref":
            return None
        name = plain_text(fn[1])
        param = self.parameters.get(name or "")
        return param.get("Default") if param is not None else None

    def value_text(self, node: Node | None) -> str | None:
        """A literal value, or the Default of a referenced parameter."""
        text = scalar_text(node)
        if text is not None:
            return text
        return scalar_text(self.param_default(node))

    def describe(self, node: Node | None) -> str:
        """Text that says what a value names, for prod-like matching: the
        literal, a parameter's name and Default, or a `!Sub` string."""
        if node is None:
            return ""
        text = scalar_text(node)
        if text is not None:
            return text
        fn = intrinsic(node)
        if fn is None:
            return ""
        name, arg = fn
        if name == "Ref":
            ref = plain_text(arg) or ""
            default = scalar_text(self.param_default(node)) or ""
            return f"{ref} {default}" if ref not in ("AWS::StackName",) else ref
        if name == "Fn::Sub":
            body = plain_text(arg.items[0]) if isinstance(arg, Sequence) and arg.items else plain_text(arg)
            return body or ""
        if name == "Fn::Join" and isinstance(arg, Sequence) and len(arg.items) == 2:
            return " ".join(self.describe(i) for i in items(arg.items[1]))
        return ""


def plain_text(node: Node | None) -> str | None:
    """Scalar text ignoring a tag (the argument of a short-form intrinsic)."""
    if isinstance(node, Scalar) and not node.is_null:
        return node.text
    return None


def is_resource(node: Node | None) -> bool:
    """`{Type: AWS::…, Properties: {…}}`: one CloudFormation resource."""
    rtype = scalar_text(node.get("Type")) if isinstance(node, Mapping) else None
    return bool(rtype) and "::" in (rtype or "") and isinstance(node, Mapping) and set(node.keys()) <= _RESOURCE_KEYS


_RESOURCE_KEYS = frozenset({
    "Type", "Properties", "DependsOn", "Condition", "Metadata", "DeletionPolicy", "UpdateReplacePolicy",
    "UpdatePolicy", "CreationPolicy",
})


def strings_in(node: Node | None) -> Iterator[Scalar]:
    """Every string scalar below `node`, including the literal parts of
    intrinsics (a `!Sub` body, `Fn::Join` pieces)."""
    if node is None:
        return
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Scalar):
            if current.yaml_type == "str" and current.value is not None:
                yield current
        elif isinstance(current, Mapping):
            stack.extend(v for _, v in reversed(current.pairs))
        elif isinstance(current, Sequence):
            stack.extend(reversed(current.items))


def ignore_codes(meta: Node | None) -> list[Scalar]:
    """The code scalars of `Metadata: {lintkit: {ignore: [...]}}`."""
    if not isinstance(meta, Mapping):
        return []
    lk = meta.get("lintkit")
    if not isinstance(lk, Mapping):
        return []
    ignore = lk.get("ignore")
    if isinstance(ignore, Scalar) and ignore.text:
        return [ignore]
    return [i for i in items(ignore) if isinstance(i, Scalar) and i.text]


_STAGE_PARAM = re.compile(r"(?i)(stage|env|environment|deploy(ment)?target)$")


def template_prod_like(template: Template, pattern: str) -> bool:
    """A template whose stage/environment parameter defaults to production."""
    for name, param in template.parameters.items():
        if _STAGE_PARAM.search(name) and is_prod_like(scalar_text(param.get("Default")), pattern):
            return True
    return False


def resource_prod_like(template: Template, res: Resource, name_props: tuple[str, ...], pattern: str) -> bool:
    """The resource's logical id, its name properties, an Environment/Stage
    tag, or the template's stage parameter says production."""
    if is_prod_like(res.name, pattern):
        return True
    for prop in name_props:
        if is_prod_like(template.describe(res.prop(prop)), pattern):
            return True
    tags = res.prop("Tags")
    tag_items = items(tags) if isinstance(tags, Sequence) else []
    for tag in tag_items:
        if isinstance(tag, Mapping) and (scalar_text(tag.get("Key")) or "").lower() in ("env", "environment", "stage"):
            if is_prod_like(template.describe(tag.get("Value")), pattern):
                return True
    if isinstance(tags, Mapping):  # SAM: Tags as a map
        for key, _, value in tags.items():
            if key.lower() in ("env", "environment", "stage") and is_prod_like(template.describe(value), pattern):
                return True
    return template_prod_like(template, pattern)


def is_cdk_output(template: Template) -> bool:
    """A CDK-synthesized template: generated from code, so a literal account
    in it comes from the app's `env` and is not edited by hand."""
    if "BootstrapVersion" in template.parameters:
        return True
    for res in template.resources.values():
        meta = res.node.get("Metadata")
        if isinstance(meta, Mapping) and "aws:cdk:path" in meta:
            return True
    return False


def template_of(doc: Document) -> Template:
    """The document's Template, built once and shared by every check."""
    cached = doc.__dict__.get("_lintkit_template")
    if cached is None:
        cached = Template(doc)
        doc.__dict__["_lintkit_template"] = cached
    return cached
