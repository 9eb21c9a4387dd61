"""A small model of AWS CDK apps written in Python, read from the source.

No `cdk synth`: the model finds calls of the `aws_cdk` library in one module
(`aws_s3.Bucket(self, "Logs", ...)`, `codebuild.BuildEnvironment(privileged=True)`,
`ec2.Peer.any_ipv4()`), whatever the import style (`import aws_cdk as cdk`,
`from aws_cdk import aws_s3 as s3`, `from aws_cdk.aws_s3 import Bucket`), and
reads their arguments: literals and names bound once to a literal, enum members
and static properties (`s3.BucketEncryption.KMS`), nested props objects, dict
and list literals, and names (or `self.x` attributes of the same class) bound
once to any of these.

Precise over clever: whatever is not statically known is `UNKNOWN`, and the
rules say nothing about it. A property is *missing* only when the call has no
such keyword and no `**kwargs`; then CDK's documented default applies.

CDK v1 (`aws_cdk.aws_s3` as a separate package) has the same module names; the
rules that use this model only rely on behaviour both versions share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from astroid import nodes

from lintkit.secrets import SecretMatch, classify_value, is_placeholder
from lintkit.python.calls import NOT_CONSTANT, constant, words
from lintkit.python.names import imported_modules, qualified
from lintkit.python.walk import bindings, nodes_of, remember

PREFIX = "aws_cdk."
_MAX_DEPTH = 8


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Member:
    """An attribute of the library that is not called: an enum member or a
    static property, named without the `aws_cdk.` prefix
    (`aws_s3.BucketEncryption.KMS`, `aws_codebuild.LinuxBuildImage.STANDARD_7_0`)."""

    name: str
    node: nodes.NodeNG

    @property
    def attr(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Mapping:
    """A dict literal with string keys: key -> value node. jsii accepts one
    wherever a props struct is expected (`environment={"privileged": True}`),
    so it answers the same questions as a `Call` of the struct class."""

    items: dict[str, nodes.NodeNG]
    node: nodes.NodeNG
    star_kwargs = False

    def arg(self, name: str, position: int | None = None) -> nodes.NodeNG | None:
        return self.items.get(name)

    def value(self, name: str, position: int | None = None) -> Any:
        node = self.items.get(name)
        return UNKNOWN if node is None else resolve(node)

    def missing(self, name: str, position: int | None = None) -> bool:
        return name not in self.items

    def key(self, name: str) -> nodes.NodeNG | None:
        if isinstance(self.node, nodes.Dict):
            for key, _ in self.node.items:
                if isinstance(key, nodes.Const) and key.value == name:
                    return key
        return None

    def where(self, name: str) -> nodes.NodeNG:
        return self.key(name) or self.node


@dataclass(frozen=True)
class Seq:
    """A list or tuple literal (no starred elements)."""

    items: tuple[nodes.NodeNG, ...]
    node: nodes.NodeNG


class Call:
    """One call of the CDK library: a construct, a props struct, a static
    factory (`rds.Credentials.from_password`) or a method on a library class."""

    def __init__(self, node: nodes.Call, name: str) -> None:
        self.node = node
        self.name = name  # without "aws_cdk.": "aws_s3.Bucket"

    def __repr__(self) -> str:
        return f"Call({self.name} @ {self.node.lineno})"

    @property
    def cls(self) -> str:
        """The last part of the name: `Bucket`, `from_password`."""
        return self.name.rsplit(".", 1)[-1]

    def is_(self, *names: str) -> bool:
        return self.name in names

    # -- arguments ---------------------------------------------------------------

    @property
    def star_kwargs(self) -> bool:
        return any(k.arg is None for k in self.node.keywords or ())

    def keyword(self, name: str) -> nodes.Keyword | None:
        for kw in self.node.keywords or ():
            if kw.arg == name:
                return kw
        return None

    def arg(self, name: str, position: int | None = None) -> nodes.NodeNG | None:
        """The node given for a parameter, by keyword or by position."""
        kw = self.keyword(name)
        if kw is not None:
            return kw.value
        if position is None:
            return None
        args = self.node.args or []
        for i, a in enumerate(args):
            if isinstance(a, nodes.Starred):
                return None
            if i == position:
                return a
        return None

    def missing(self, name: str, position: int | None = None) -> bool:
        """Not given at all, so CDK's default applies (unknown with **kwargs or *args)."""
        if self.arg(name, position) is not None or self.star_kwargs:
            return False
        return not (position is not None and any(isinstance(a, nodes.Starred) for a in self.node.args or ()))

    def arg_text(self, name: str, position: int | None = None) -> str | None:
        value = constant(self.arg(name, position))
        return value if isinstance(value, str) else None

    def value(self, name: str, position: int | None = None) -> Any:
        node = self.arg(name, position)
        return UNKNOWN if node is None else resolve(node)

    def where(self, name: str) -> nodes.NodeNG:
        """Where to report about a property: the keyword, else the callee."""
        return self.keyword(name) or self.node.func

    @property
    def construct_id(self) -> str | None:
        """The construct id (`Bucket(self, "Logs")` -> "Logs") when it is a literal."""
        return self.arg_text("id", 1)

    def label(self, fallback: str) -> str:
        """How messages name this construct: its id, else its variable."""
        if self.construct_id:
            return f"'{self.construct_id}'"
        target = assigned_to(self.node)
        if target is not None:
            return f"'{_target_text(target)}'"
        return fallback

    # -- what happens to the object afterwards ------------------------------------

    def uses(self) -> Uses:
        return uses_of(self.node)


def cdk_calls(module: nodes.Module) -> list[Call]:
    """Every call of the CDK library in the module, in source order (empty for
    modules that do not import aws_cdk)."""
    return remember(module, "cdk_calls", _find_calls)


def in_cdk_app(module: nodes.Module, text: str) -> bool:
    """The module imports the CDK library. The text test first: most Python
    files of a run are not CDK code, and their trees need not be walked."""
    return "aws_cdk" in text and imports_cdk(module)


def imports_cdk(module: nodes.Module) -> bool:
    return remember(module, "imports_cdk", lambda m: any(n == "aws_cdk" or n.startswith(PREFIX) for n in imported_modules(m)))


def _find_calls(module: nodes.Module) -> list[Call]:
    if not imports_cdk(module):
        return []
    found = []
    for call in nodes_of(module, nodes.Call):
        name = library_name(call.func)
        if name is not None:
            found.append(Call(call, name))
    return found


def library_name(node: nodes.NodeNG) -> str | None:
    """`s3.Bucket` -> "aws_s3.Bucket" when it names a CDK library object."""
    if not isinstance(node, (nodes.Name, nodes.Attribute)):
        return None
    name = qualified(node)
    if name and name.startswith(PREFIX):
        return name[len(PREFIX):]
    return None


def method_calls(module: nodes.Module, methods: frozenset[str]) -> Iterator[nodes.Call]:
    """`x.m(...)` calls named in `methods` on objects that are not the library's
    classes themselves (`bucket.grant_public_access()`), in CDK modules only."""
    if not imports_cdk(module):
        return
    for call in nodes_of(module, nodes.Call):
        func = call.func
        if isinstance(func, nodes.Attribute) and func.attrname in methods and library_name(func) is None:
            yield call


# -- values ----------------------------------------------------------------------


def resolve(node: nodes.NodeNG | None, depth: int = 0) -> Any:
    """What an argument is: a Python constant, a `Member`, a `Call` of the
    library, a `Mapping`, a `Seq`, or `UNKNOWN`."""
    if node is None or depth > _MAX_DEPTH:
        return UNKNOWN
    if isinstance(node, (nodes.List, nodes.Tuple)):
        if any(isinstance(e, nodes.Starred) for e in node.elts):
            return UNKNOWN
        return Seq(tuple(node.elts), node)
    value = constant(node)
    if value is not NOT_CONSTANT and not isinstance(value, tuple):
        return value
    if isinstance(node, nodes.Call):
        name = library_name(node.func)
        return Call(node, name) if name is not None else UNKNOWN
    if isinstance(node, nodes.Dict):
        items: dict[str, nodes.NodeNG] = {}
        for key, val in node.items:
            k = constant(key) if not isinstance(key, nodes.DictUnpack) else NOT_CONSTANT
            if not isinstance(k, str):
                return UNKNOWN
            items[k] = val
        return Mapping(items, node)
    if isinstance(node, nodes.Attribute):
        name = library_name(node)
        if name is not None:
            return Member(name, node)
    definition = definition_of(node)
    if definition is not None:
        return resolve(definition, depth + 1)
    return UNKNOWN


def definition_of(node: nodes.NodeNG) -> nodes.NodeNG | None:
    """The one expression a Name (or `self.x` in a method) was bound to."""
    if isinstance(node, nodes.Name):
        found = bindings(node)
        if len(found) != 1 or not isinstance(found[0], nodes.AssignName):
            return None
        return _assigned_value(found[0])
    if isinstance(node, nodes.Attribute) and _is_self(node.expr):
        values = [_assigned_value(a) for a in _self_assignments(node)]
        return values[0] if len(values) == 1 else None
    return None


def _assigned_value(target: nodes.NodeNG) -> nodes.NodeNG | None:
    parent = target.parent
    if isinstance(parent, nodes.Assign) and len(parent.targets) == 1 and parent.targets[0] is target:
        return parent.value
    if isinstance(parent, nodes.AnnAssign) and parent.target is target:
        return parent.value
    return None


def _is_self(node: nodes.NodeNG) -> bool:
    if not isinstance(node, nodes.Name):
        return False
    func = node.scope()
    return (
        isinstance(func, nodes.FunctionDef)
        and isinstance(func.parent, nodes.ClassDef)
        and bool(func.args.args)
        and func.args.args[0].name == node.name
    )


def _class_of(node: nodes.NodeNG) -> nodes.ClassDef | None:
    func = node.scope()
    return func.parent if isinstance(func, nodes.FunctionDef) and isinstance(func.parent, nodes.ClassDef) else None


def _self_assignments(attr: nodes.Attribute | nodes.AssignAttr) -> list[nodes.AssignAttr]:
    """Every `self.<name> = ...` in the class the attribute is used in."""
    cls = _class_of(attr)
    if cls is None:
        return []
    return [
        a for a in nodes_of(cls, nodes.AssignAttr)
        if a.attrname == attr.attrname and _is_self(a.expr)
    ]


def prod_like(text: str | None, pattern: str) -> bool:
    """A name that says production (the rules' `prod-pattern` option, a
    regular expression over lower-case words, as in the CloudFormation rules)."""
    if not text:
        return False
    try:
        return re.search(pattern, " ".join(words(text))) is not None
    except re.error:
        return False


def enum(value: Any) -> str | None:
    """The member name of an enum-like value (`s3.BucketEncryption.KMS` -> "KMS")."""
    return value.attr if isinstance(value, Member) else None


def is_call(value: Any, *names: str) -> bool:
    return isinstance(value, Call) and (not names or value.name in names)


def struct(value: Any, *names: str) -> Call | Mapping | None:
    """A props struct: a call of one of the struct classes `names`, or a dict literal."""
    return value if is_call(value, *names) or isinstance(value, Mapping) else None


# -- what a construct's variable is used for ----------------------------------------


@dataclass
class Uses:
    """What the code does with the object a call returns.

    `methods`: `x.m(...)` calls on it, in source order. `straight`: every use is
    a statement of the block that created it (outside nested loops, conditions
    and functions), so the order and number of those calls are known.
    `escapes`: the object goes somewhere this module cannot follow (an argument
    of a call outside the CDK library, a return value, a container, another
    variable, its `node` escape hatch); `passed_to` names the library calls it
    is handed to. `shared`: it is bound to a
    module global or a `self` attribute, which other modules can reach."""

    methods: list[tuple[str, nodes.Call]]
    straight: bool
    escapes: bool
    shared: bool
    passed_to: tuple[str, ...] = ()  # library calls it is an argument of (`grant*` aside)


def assigned_to(call: nodes.Call) -> nodes.AssignName | nodes.AssignAttr | None:
    parent = call.parent
    if isinstance(parent, nodes.Assign) and len(parent.targets) == 1 and parent.value is call:
        target = parent.targets[0]
        if isinstance(target, (nodes.AssignName, nodes.AssignAttr)):
            return target
    if isinstance(parent, nodes.AnnAssign) and parent.value is call and isinstance(parent.target, (nodes.AssignName, nodes.AssignAttr)):
        return parent.target
    return None


def _target_text(target: nodes.AssignName | nodes.AssignAttr) -> str:
    return target.name if isinstance(target, nodes.AssignName) else target.attrname


def uses_of(call: nodes.Call) -> Uses:
    return remember(call, "cdk_uses", _uses)


def _uses(call: nodes.Call) -> Uses:
    if isinstance(call.parent, nodes.Expr):
        return Uses([], True, False, False)
    target = assigned_to(call)
    refs = _references(target) if target is not None else None
    if target is None or refs is None:
        # Passed straight to something, returned, put in a container, or
        # bound more than once: not followed.
        return Uses([], False, True, target is not None)
    shared = isinstance(target, nodes.AssignAttr) or isinstance(target.scope(), nodes.Module)
    home = call.statement()
    methods: list[tuple[str, nodes.Call]] = []
    passed_to: list[str] = []
    straight, escapes = True, False
    for ref in refs:
        use = ref.parent
        if isinstance(use, nodes.Attribute) and use.expr is ref:
            if isinstance(use.parent, nodes.Call) and use.parent.func is use:
                methods.append((use.attrname, use.parent))
                straight = straight and _statement_of_block(use.parent, home)
            else:
                # `x.role`, `x.bucket_arn`: reading an attribute changes nothing,
                # but `x.node.default_child` / `x.deployment_stage` reach the
                # resources underneath, which may then be changed.
                straight = False
                escapes = escapes or use.attrname in _ESCAPE_HATCHES
            continue
        straight = False
        holder = use.parent if isinstance(use, nodes.Keyword) else use
        if isinstance(holder, nodes.Call) and holder.func is not ref:
            if isinstance(holder.func, nodes.Attribute) and holder.func.attrname.startswith("grant"):
                continue  # bucket.grant_read(project) only writes IAM policy
            name = library_name(holder.func)
            if name is not None:
                passed_to.append(name)
                continue
        escapes = True
    methods.sort(key=lambda m: (m[1].lineno or 0, m[1].col_offset or 0))
    return Uses(methods, straight, escapes, shared, tuple(passed_to))


def overridden(call: Call, prop: str) -> bool:
    """Whether the module may set CloudFormation property `prop` of the
    construct through an escape hatch: a literal path naming it in
    `add_override`/`add_property_override`, or an assignment to its L1
    attribute (`cfn.storage_encrypted = True`), anywhere in the module."""
    if not call.uses().escapes:
        return False
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", prop).lower()
    module = call.node.root()
    for node in nodes_of(module, nodes.Call):
        func = node.func
        if isinstance(func, nodes.Attribute) and func.attrname in ("add_override", "add_property_override") and node.args:
            path = constant(node.args[0])
            if not isinstance(path, str) or prop in path.split("."):
                return True
    return any(a.attrname == snake for a in nodes_of(module, nodes.AssignAttr))


# Attributes through which code reaches and changes the L1 resources of a construct.
_ESCAPE_HATCHES = frozenset({"node", "deployment_stage", "latest_deployment"})


def _statement_of_block(call: nodes.Call, home: nodes.NodeNG) -> bool:
    """`x.m(...)` (or `y = x.m(...)`) is a whole statement of the block `home` is in."""
    stmt = call.statement()
    if stmt.parent is not home.parent:
        return False
    return (isinstance(stmt, nodes.Expr) and stmt.value is call) or (isinstance(stmt, nodes.Assign) and stmt.value is call)


def _references(target: nodes.AssignName | nodes.AssignAttr) -> list[nodes.NodeNG] | None:
    """The Name (or `self.x` Attribute) nodes that read the object bound to
    `target`; None when the name is bound more than once."""
    if isinstance(target, nodes.AssignName):
        refs = []
        for name in nodes_of(target.scope(), nodes.Name):
            if name.name != target.name:
                continue
            found = bindings(name)
            if len(found) != 1:
                if target in found:
                    return None
                continue
            if found[0] is target:
                refs.append(name)
        return refs
    if not _is_self(target.expr) or len(_self_assignments(target)) != 1:
        return None
    cls = _class_of(target)
    if cls is None:
        return None
    return [a for a in nodes_of(cls, nodes.Attribute) if a.attrname == target.attrname and _is_self(a.expr)]


def secret_in(value: str, name: str) -> SecretMatch | None:
    """The project's secret detector on a literal bound to `name` (a variable
    or dict key): a known token format ("high") or a plausible literal under a
    secret-like name ("medium"); entropy alone is not enough. The one place
    the CDK rules call the detector."""
    match = classify_value(value, name=name)
    return match if match is not None and match.confidence != "low" else None


def placeholder(value: str) -> bool:
    """The project's secret detector's judgement that a literal is a placeholder
    (`changeme`, `<token>`, `REPLACE_ME`), not a credential."""
    return is_placeholder(value)
