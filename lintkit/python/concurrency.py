"""Processes and synchronisation (PQL006-PQL009).

- PQL006: `subprocess.call/check_call(..., stdout=PIPE)`: nobody reads the pipe.
- PQL007: `Popen(..., stdout=PIPE)` then `.wait()` without `communicate()` or
  any use of the pipe.
- PQL008: a process or process pool started at import time (module level,
  outside `if __name__ == "__main__":`).
- PQL009: a plain Semaphore released more often than it was acquired, decided
  on one straight-line block (or a release inside `with sem:`).

Locks acquired without `with`/`try-finally` are PRL001's (the `lock` kind of
rules/models/resources.toml): one mechanism for every acquire/release pair.
"""

from __future__ import annotations

from typing import Any, Iterator

from astroid import nodes

from lintkit.python.calls import keyword
from lintkit.python.names import call_name, qualified
from lintkit.python.walk import nodes_of

_PIPED_STREAMS = ("stdout", "stderr")
_SCOPES = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef, nodes.Lambda)


def _piped(call: nodes.Call) -> list[Any]:
    """The stdout=/stderr= arguments that are subprocess.PIPE."""
    found = []
    for stream in _PIPED_STREAMS:
        value = keyword(call, stream)
        if value is not None and qualified(value) == "subprocess.PIPE":
            found.append(value)
    return found


# -- PQL006 ---------------------------------------------------------------------------


def unread_pipes(module: nodes.Module, ctx: Any) -> None:
    for call in nodes_of(module, nodes.Call):
        name = call_name(call)
        if name not in ("subprocess.call", "subprocess.check_call"):
            continue
        for value in _piped(call):
            stream = value.parent.arg
            ctx.report(
                "PQL006",
                value,
                f"{name}() never reads {stream}=PIPE: a child that writes more than the pipe buffer (64 KiB on Linux) blocks forever",
                fix=f"Use subprocess.run(..., capture_output=True) to read the output, or {stream}=subprocess.DEVNULL to discard it",
            )


# -- PQL007 ---------------------------------------------------------------------------


def popen_wait(module: nodes.Module, ctx: Any) -> None:
    for call in nodes_of(module, nodes.Call):
        if not (isinstance(call.func, nodes.Attribute) and call.func.attrname == "wait"):
            continue
        receiver = call.func.expr
        if isinstance(receiver, nodes.Call):
            popen = receiver if call_name(receiver) == "subprocess.Popen" else None
        elif isinstance(receiver, nodes.Name):
            popen = _popen_bound_to(receiver)
            if popen is not None and _pipe_used(receiver.name, receiver.scope(), popen):
                popen = None
        else:
            popen = None
        streams = [v.parent.arg for v in _piped(popen)] if popen is not None else []
        if streams:
            ctx.report(
                "PQL007",
                call,
                f"wait() on a process whose {' and '.join(streams)} {'are pipes' if len(streams) > 1 else 'is a pipe'} nobody reads: the child blocks once the pipe buffer is full, and wait() never returns",
                fix="Use communicate() (it reads the pipes while waiting), or send the output to a file or subprocess.DEVNULL",
            )


def _popen_bound_to(name: nodes.Name) -> nodes.Call | None:
    """The `subprocess.Popen(...)` call a local name is bound to once (by `=` or `with ... as`)."""
    scope = name.scope()
    bound = [a for a in nodes_of(scope, nodes.AssignName) if a.name == name.name and a.scope() is scope]
    if len(bound) != 1:
        return None
    parent = bound[0].parent
    value = parent.value if isinstance(parent, nodes.Assign) and parent.targets == [bound[0]] else None
    if isinstance(parent, nodes.With):
        value = next((item for item, alias in parent.items if alias is bound[0]), None)
    return value if isinstance(value, nodes.Call) and call_name(value) == "subprocess.Popen" else None


def _pipe_used(name: str, scope: Any, popen: nodes.Call) -> bool:
    """`p.communicate()`, `p.stdout.read()`, or `p` handed to code we do not see."""
    for use in nodes_of(scope, nodes.Name):
        if use.name != name or use.scope() is not scope:
            continue
        parent = use.parent
        if isinstance(parent, nodes.Attribute) and parent.expr is use:
            if parent.attrname in ("communicate", *_PIPED_STREAMS):
                return True
            continue
        if isinstance(parent, nodes.Compare):
            continue
        return True  # passed, returned, stored, yielded: someone else may read it
    return False


# -- PQL008 ---------------------------------------------------------------------------

_STARTS = {
    "multiprocessing.Pool": "a process pool",
    "multiprocessing.pool.Pool": "a process pool",
    "multiprocessing.Manager": "a manager process",
    "concurrent.futures.ProcessPoolExecutor": "a process pool",
    "concurrent.futures.process.ProcessPoolExecutor": "a process pool",
}
_CONTEXT_STARTS = {"Pool": "a process pool", "Manager": "a manager process"}
_PROCESSES = ("multiprocessing.Process", "multiprocessing.context.Process")


def start_at_import(module: nodes.Module, ctx: Any) -> None:
    for stmt in _import_time_statements(module.body):
        for call in nodes_of(stmt, nodes.Call):
            if _in_nested_scope(call, stmt):
                continue
            what = _started(call)
            if what:
                ctx.report(
                    "PQL008",
                    call,
                    f"{what} is started when the module is imported: with the spawn and forkserver start methods (the default on macOS, Windows and, since Python 3.14, Linux) each child imports the module again and fails",
                    fix="Start processes inside a function, called under `if __name__ == \"__main__\":`",
                )


def _import_time_statements(body: list[Any]) -> Iterator[Any]:
    """Statements run on import, outside `if __name__ == "__main__":` blocks."""
    for stmt in body:
        if isinstance(stmt, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef)):
            continue
        if isinstance(stmt, nodes.If) and _is_main_guard(stmt.test):
            yield from _import_time_statements(stmt.orelse)
            continue
        if isinstance(stmt, (nodes.If, nodes.For, nodes.While, nodes.With, nodes.Try)):
            header = stmt.test if isinstance(stmt, (nodes.If, nodes.While)) else stmt.iter if isinstance(stmt, nodes.For) else None
            if isinstance(stmt, nodes.With):
                yield from (item for item, _ in stmt.items)
            elif header is not None:
                yield header
            for block in ("body", "orelse", "finalbody"):
                yield from _import_time_statements(getattr(stmt, block, None) or [])
            for handler in getattr(stmt, "handlers", None) or []:
                yield from _import_time_statements(handler.body)
            continue
        yield stmt


def _is_main_guard(test: Any) -> bool:
    if not (isinstance(test, nodes.Compare) and len(test.ops) == 1 and test.ops[0][0] == "=="):
        return False
    sides = [test.left, test.ops[0][1]]
    names = [s for s in sides if isinstance(s, nodes.Name) and s.name == "__name__"]
    consts = [s for s in sides if isinstance(s, nodes.Const) and s.value == "__main__"]
    return bool(names and consts)


def _in_nested_scope(node: Any, stop: Any) -> bool:
    parent = node.parent
    while parent is not None and parent is not stop:
        if isinstance(parent, _SCOPES):
            return True
        parent = parent.parent
    return False


def _started(call: nodes.Call) -> str:
    name = call_name(call) or ""
    if name in _STARTS:
        return _STARTS[name]
    func = call.func
    if isinstance(func, nodes.Attribute) and func.attrname in _CONTEXT_STARTS and _is_context(func.expr):
        return _CONTEXT_STARTS[func.attrname]
    if isinstance(func, nodes.Attribute) and func.attrname == "start" and _is_process(func.expr):
        return "a process"
    return ""


def _is_context(node: Any) -> bool:
    """`multiprocessing.get_context(...)`, or a module-level name bound to it."""
    value = _module_value(node) if isinstance(node, nodes.Name) else node
    return isinstance(value, nodes.Call) and call_name(value) == "multiprocessing.get_context"


def _is_process(node: Any) -> bool:
    value = _module_value(node) if isinstance(node, nodes.Name) else node
    if not isinstance(value, nodes.Call):
        return False
    if call_name(value) in _PROCESSES:
        return True
    func = value.func
    return isinstance(func, nodes.Attribute) and func.attrname == "Process" and _is_context(func.expr)


def _module_value(name: nodes.Name) -> Any:
    module = name.root()
    bound = [a for a in module.nodes_of_class(nodes.AssignName) if a.name == name.name and a.scope() is module]
    if len(bound) == 1 and isinstance(bound[0].parent, nodes.Assign):
        return bound[0].parent.value
    return None


# -- PQL009 ---------------------------------------------------------------------------

_SEMAPHORES = ("threading.Semaphore", "multiprocessing.Semaphore", "asyncio.Semaphore", "asyncio.locks.Semaphore")


def semaphore_over_release(module: nodes.Module, ctx: Any) -> None:
    semaphores = _semaphore_targets(module)
    if not semaphores:
        return
    for func in nodes_of(module, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
        for block in _blocks(func):
            _count_block(block, semaphores, ctx)
    for with_stmt in nodes_of(module, (nodes.With, nodes.AsyncWith)):
        for item, _ in with_stmt.items:
            target = _target_key(item)
            if target in semaphores:
                for stmt in with_stmt.body:
                    if _sem_call(stmt, "release") == target:
                        _report_release(ctx, stmt, target)


def _semaphore_targets(module: nodes.Module) -> set[str]:
    """`sem` and `self._sem` bound to a plain (unbounded) Semaphore."""
    found = set()
    for assign in nodes_of(module, nodes.Assign):
        if isinstance(assign.value, nodes.Call) and call_name(assign.value) in _SEMAPHORES:
            for target in assign.targets:
                key = _target_key(target)
                if key:
                    found.add(key)
    return found


def _target_key(node: Any) -> str:
    if isinstance(node, (nodes.Name, nodes.AssignName)):
        return node.name
    if isinstance(node, (nodes.Attribute, nodes.AssignAttr)) and isinstance(node.expr, nodes.Name) and node.expr.name == "self":
        return f"self.{node.attrname}"
    return ""


def _blocks(func: Any) -> Iterator[list[Any]]:
    """Every statement list of the function, nested functions excluded."""
    stack = [func.body]
    while stack:
        block = stack.pop()
        yield block
        for stmt in block:
            if isinstance(stmt, _SCOPES):
                continue
            for attr in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, attr, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], nodes.NodeNG) and inner[0].is_statement:
                    stack.append(inner)
            stack.extend(h.body for h in getattr(stmt, "handlers", None) or [])


def _count_block(block: list[Any], semaphores: set[str], ctx: Any) -> None:
    """Acquires and releases that always run, in order: the block's own
    statements and the finally blocks of its try statements."""
    balance: dict[str, int] = {}
    for stmt in _always_run(block):
        acquired = _sem_call(stmt, "acquire")
        if acquired in semaphores:
            balance[acquired] = balance.get(acquired, 0) + 1
        released = _sem_call(stmt, "release")
        if released in semaphores and released in balance:
            balance[released] -= 1
            if balance[released] < 0:
                _report_release(ctx, stmt, released)


def _always_run(block: list[Any]) -> Iterator[Any]:
    for stmt in block:
        if isinstance(stmt, (nodes.Try, nodes.TryStar)):
            yield from _always_run(stmt.finalbody)
        else:
            yield stmt


def _sem_call(stmt: Any, method: str) -> str:
    """`sem.release()` as a statement (no argument: one unit) -> 'sem'."""
    if not (isinstance(stmt, nodes.Expr) and isinstance(stmt.value, nodes.Call)):
        return ""
    call = stmt.value
    if isinstance(call, nodes.Call) and isinstance(call.func, nodes.Attribute) and call.func.attrname == method and not call.args:
        return _target_key(call.func.expr)
    return ""


def _report_release(ctx: Any, stmt: Any, name: str) -> None:
    ctx.report(
        "PQL009",
        stmt.value,
        f"'{name}' is released more often than it was acquired here: a plain Semaphore accepts the extra release and silently lets one more holder in",
        fix="Release once per acquire (prefer `with sem:`), and use threading.BoundedSemaphore so an extra release raises ValueError",
    )


__all__ = ["popen_wait", "semaphore_over_release", "start_at_import", "unread_pipes"]
