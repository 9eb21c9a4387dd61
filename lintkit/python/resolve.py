"""What a name means, for the quality (PQL), ML (PML) and auth/config (PSC032+) rules.

These rules ask the name resolver through this one module, so that when
`names.py` becomes lintkit's only resolver the two functions below are
re-pointed and nothing else changes. Names follow `names.py`'s convention: an
import resolves to the absolute dotted name it imports, an unshadowed builtin
is `builtins.<name>`, attributes append; anything else is None.
"""

from __future__ import annotations

import builtins
from typing import Any

from astroid import nodes

from lintkit.python import calls
from lintkit.python.walk import bindings

_BUILTINS = frozenset(dir(builtins))


def qualified(node: Any) -> str | None:
    """`subprocess.PIPE` for `PIPE` after `from subprocess import PIPE`; `builtins.Exception` for `Exception`."""
    name = calls.qualname(node)
    head = node
    while isinstance(head, nodes.Attribute):
        head = head.expr
    if name and isinstance(head, nodes.Name) and head.name in _BUILTINS and _unshadowed(head):
        return f"builtins.{name}"
    return name


def _unshadowed(name: nodes.Name) -> bool:
    found = bindings(name)
    return not found or found[-1].root().name == "builtins"


def call_name(call: nodes.Call) -> str | None:
    """The qualified name of the called function (`hmac.new`), or None."""
    return qualified(call.func)
