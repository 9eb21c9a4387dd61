"""Where a value goes inside one function: a tiny forward flow for the
non-taint detectors (weak random, weak hashing).

From an expression (say a `random.random()` call) we climb through the
expressions that wrap it (`str(...)[2:]`, `"".join(...)`, f-strings) up to its
statement, then follow simple local names to their later uses, a few hops
deep. What we collect are *destinations*: names and attributes it is stored
in, subscripts it is stored into, calls it is passed to, returns. The rules
decide which destinations make the value security-relevant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from astroid import nodes

from lintkit.python.calls import NOT_CONSTANT, constant, last_identifier, method_name
from lintkit.python.walk import bindings

_MAX_HOPS = 3


@dataclass(frozen=True)
class Destination:
    kind: str  # "store" | "subscript" | "arg" | "return"
    node: Any  # the target, the call, or the return statement
    label: str  # store/subscript: the identifier stored into; arg: the keyword ("" if positional); return: the function
    key: str = ""  # subscript: the key's literal text, if any; arg: the called method or function name


def destinations(start: Any, max_hops: int = _MAX_HOPS) -> list[Destination]:
    found: list[Destination] = []
    seen: set[int] = set()
    frontier: list[tuple[Any, int]] = [(start, 0)]
    while frontier:
        node, hops = frontier.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stmt = _climb(node, found)
        if stmt is None:
            continue
        for name_node in _stored_names(stmt, found):
            if hops < max_hops:
                frontier.extend((use, hops + 1) for use in _later_uses(name_node))
    return found


def _climb(node: Any, found: list[Destination]) -> Any:
    """Record calls wrapping `node` up to its statement; return the statement."""
    child, parent = node, node.parent
    while parent is not None and not parent.is_statement:
        if isinstance(parent, nodes.Keyword):
            call = parent.parent
            if isinstance(call, nodes.Call):
                found.append(Destination("arg", call, parent.arg or "", method_name(call) or ""))
        elif isinstance(parent, nodes.Call) and child is not parent.func:
            found.append(Destination("arg", parent, "", method_name(parent) or ""))
        elif isinstance(parent, (nodes.Lambda, nodes.FunctionDef, nodes.ClassDef)):
            return None
        child, parent = parent, parent.parent
    if parent is None:
        return None
    if isinstance(parent, nodes.Return):
        found.append(Destination("return", parent, getattr(parent.scope(), "name", "")))
    return parent


def _stored_names(stmt: Any, found: list[Destination]) -> list[nodes.AssignName]:
    targets: list[Any] = []
    if isinstance(stmt, nodes.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, (nodes.AugAssign, nodes.AnnAssign)):
        targets = [stmt.target]
    elif isinstance(stmt, (nodes.For, nodes.With)):
        return []
    names: list[nodes.AssignName] = []
    for target in targets:
        for leaf in _leaves(target):
            if isinstance(leaf, nodes.AssignName):
                found.append(Destination("store", leaf, leaf.name))
                names.append(leaf)
            elif isinstance(leaf, nodes.AssignAttr):
                found.append(Destination("store", leaf, leaf.attrname))
            elif isinstance(leaf, nodes.Subscript):
                found.append(Destination("subscript", leaf, last_identifier(leaf.value), literal_text(leaf.slice)))
    return names


def literal_text(node: Any, depth: int = 0) -> str:
    """The literal text a key is made of, which names the entry: "reset_token" for
    `"reset_token"`, `f"reset_token:{uid}"` or `"reset_token:" + uid`, through a local
    name bound once ("" when there is none)."""
    if depth > 3:
        return ""
    value = constant(node)
    if value is not NOT_CONSTANT:
        return value if isinstance(value, str) else ""
    if isinstance(node, nodes.JoinedStr):
        return " ".join(v.value for v in node.values if isinstance(v, nodes.Const) and isinstance(v.value, str))
    if isinstance(node, nodes.BinOp) and node.op == "+":
        return " ".join(t for t in (literal_text(node.left, depth + 1), literal_text(node.right, depth + 1)) if t)
    if isinstance(node, nodes.Name):
        assigns = bindings(node)
        if len(assigns) == 1 and isinstance(assigns[0], nodes.AssignName) and isinstance(assigns[0].parent, nodes.Assign):
            return literal_text(assigns[0].parent.value, depth + 1)
    return ""


def _leaves(target: Any) -> list[Any]:
    if isinstance(target, (nodes.Tuple, nodes.List)):
        out: list[Any] = []
        for elt in target.elts:
            out.extend(_leaves(elt.value if isinstance(elt, nodes.Starred) else elt))
        return out
    return [target]


def _later_uses(name_node: nodes.AssignName) -> list[nodes.Name]:
    scope = name_node.scope()
    frame = name_node.frame()
    line = name_node.lineno or 0
    return [
        n
        for n in scope.nodes_of_class(nodes.Name, skip_klass=(nodes.FunctionDef, nodes.ClassDef))
        if n.name == name_node.name and (n.lineno or 0) >= line and n.frame() is frame
    ]
