"""One walk per tree: a module's nodes, indexed by type.

astroid's `nodes_of_class` walks the whole subtree on every call, through a
generator per node, and the checks of one module ask for its calls, constants,
imports and functions some thirty times; on Django that was a fifth of the
run. `nodes_of(node, classes)` answers from an index built by one walk of the
module on first use: the same nodes, in the same (pre)order, as
`node.nodes_of_class(classes)`.

The index lives on the module object, so it goes when the tree goes. It
assumes the tree is not modified after the first query (lintkit's analyses
only read trees).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

_PREFIX = "_lintkit_"  # every memo lintkit keeps on a node (see remember, forget)
_MISSING = object()


def _preorder(root: Any) -> tuple[list[Any], dict[int, int], dict[int, int]]:
    """Every node in `nodes_of_class` order, with each subtree's [start, end)."""
    order: list[Any] = [root]
    start: dict[int, int] = {id(root): 0}
    end: dict[int, int] = {}
    stack = [(root, iter(root.get_children()))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            end[id(node)] = len(order)
            continue
        start[id(child)] = len(order)
        order.append(child)
        stack.append((child, iter(child.get_children())))
    return order, start, end


class _TreeIndex:
    def __init__(self, root: Any) -> None:
        order, start, end = _preorder(root)
        positions: dict[type, list[int]] = {}
        for i, node in enumerate(order):
            positions.setdefault(type(node), []).append(i)
        self.order, self.start, self.end, self.positions = order, start, end, positions
        self._wanted: dict[Any, list[list[int]]] = {}

    def query(self, node: Any, classes: Any) -> list[Any] | None:
        lo = self.start.get(id(node))
        if lo is None or self.order[lo] is not node:
            return None  # not a node of this tree
        hi = self.end[id(node)]
        lists = self._wanted.get(classes)
        if lists is None:
            lists = [p for t, p in self.positions.items() if issubclass(t, classes)]
            self._wanted[classes] = lists
        picked: list[int] = []
        for p in lists:
            picked.extend(p[bisect_left(p, lo):bisect_left(p, hi)])
        if len(lists) > 1:
            picked.sort()
        order = self.order
        return [order[i] for i in picked]


def remember(node: Any, name: str, compute: Any) -> Any:
    """`compute(node)`, kept on the node (as `_lintkit_<name>`) for the next
    asker: each check and each summary pass asks the same trees again."""
    key = _PREFIX + name
    value = node.__dict__.get(key, _MISSING)
    if value is _MISSING:
        value = node.__dict__[key] = compute(node)
    return value


def nodes_of(node: Any, classes: Any) -> list[Any]:
    """`node.nodes_of_class(classes)` as a list, from the module's index."""
    found = remember(node.root(), "walk", _TreeIndex).query(node, classes)
    return list(node.nodes_of_class(classes)) if found is None else found


def _every_node(module: Any) -> list[Any]:
    index = module.__dict__.get(_PREFIX + "walk")
    return index.order if index is not None else _preorder(module)[0]


def forget(module: Any) -> None:
    """Drop the index and every memo lintkit left on a tree that someone else
    keeps alive: pylint holds every module of a run, and the memos would
    double its memory."""
    for node in _every_node(module):
        for key in [k for k in node.__dict__ if k.startswith(_PREFIX)]:
            del node.__dict__[key]


def teardown(module: Any) -> None:
    """Break a finished tree's reference cycles (parent links, scope locals,
    this index) so reference counting frees it at once: collecting a large
    cyclic heap again and again was a tenth of a run. The tree must not be
    used afterwards."""
    for node in _every_node(module):
        node.__dict__.clear()


def _lookup(name: Any) -> Any:
    try:
        return name.lookup(name.name)[1]
    except Exception:  # astroid raises on odd scopes; an unresolved name is fine
        return ()


def bindings(name: Any) -> Any:
    """`name.lookup(name.name)[1]`: the statements that may bind a Name where it
    is used, remembered on the node (every check resolving call names asks
    again for the same names). Empty when astroid cannot look it up."""
    return remember(name, "bindings", _lookup)
