"""Processes and sockets used the wrong way (PRL002-PRL004), by pattern:
a Popen timeout that leaves the process running, a socket closed with
os.close() on its descriptor, connections without a timeout."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from astroid import nodes

from lintkit.python import cfg as cfgmod
from lintkit.python.calls import argument, constant, string_prefix
from lintkit.python.leak_scope import callee, own_nodes
from lintkit.python.names import dotted
from lintkit.python.resources import load_catalogue
from lintkit.python.walk import nodes_of


def _popen_names(scope: Any) -> set[str]:
    """Local names bound to a `subprocess.Popen` (assignment or `with ... as`)."""
    found: set[str] = set()
    for node in own_nodes(scope):
        pairs: list[tuple[Any, Any]] = []
        if isinstance(node, nodes.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, (nodes.With, nodes.AsyncWith)):
            pairs = [(var, expr) for expr, var in node.items if var is not None]
        for target, value in pairs:
            if isinstance(target, nodes.AssignName) and isinstance(value, nodes.Call) and callee(value) == "subprocess.Popen":
                found.add(target.name)
    return found


def _has_timeout(call: nodes.Call, positional_index: int) -> bool:
    if any(k.arg == "timeout" and not (isinstance(k.value, nodes.Const) and k.value.value is None) for k in call.keywords or []):
        return True
    return len(call.args) > positional_index and not (isinstance(call.args[positional_index], nodes.Const) and call.args[positional_index].value is None)


def _kills_in_handler(call: nodes.Call, recv: str) -> bool:
    """Is `call` inside a `try` whose TimeoutExpired handler (or finally) kills `recv`?"""
    node, child = call.parent, call
    while node is not None and not isinstance(node, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.Module)):
        if isinstance(node, nodes.Try) and child in node.body:
            places = [h for h in node.handlers if _catches_timeout(h)] + ([node] if node.finalbody else [])
            for place in places:
                body = place.body if isinstance(place, nodes.ExceptHandler) else place.finalbody
                for stmt in body:
                    for c in nodes_of(stmt, nodes.Call):
                        if isinstance(c.func, nodes.Attribute) and c.func.attrname in ("kill", "terminate", "send_signal") and dotted(c.func.expr) == recv:
                            return True
        child, node = node, node.parent
    return False


def _catches_timeout(handler: Any) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, nodes.Tuple) else [handler.type]
    for t in types:
        name = dotted(t) or ""
        if name.rsplit(".", 1)[-1] in ("TimeoutExpired", "SubprocessError", "Exception", "BaseException"):
            return True
    return False


def subprocess_timeout(module: nodes.Module, ctx: Any) -> None:
    for scope in cfgmod.scopes(module):
        procs = _popen_names(scope)
        if not procs:
            continue
        for node in own_nodes(scope):
            if not (isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute)):
                continue
            method = node.func.attrname
            recv = dotted(node.func.expr)
            if recv not in procs or method not in ("communicate", "wait"):
                continue
            if not _has_timeout(node, 1 if method == "communicate" else 0):
                continue
            if _kills_in_handler(node, recv):
                continue
            ctx.report(
                "PRL002",
                node,
                f"'{recv}.{method}()' with a timeout leaves the process running when TimeoutExpired is raised: "
                f"catch it, call '{recv}.kill()' and then '{recv}.communicate()'",
                fix=f"except subprocess.TimeoutExpired: {recv}.kill(); {recv}.communicate()",
            )


def _new_socket(call: nodes.Call) -> str | None:
    """The socket acquisition pattern of the resource catalogue `call` matches."""
    method = call.func.attrname if isinstance(call.func, nodes.Attribute) else None
    return load_catalogue().acquisition("socket", callee(call), method)


def _socket_names(scope: Any) -> dict[str, Any]:
    """Local names bound to a new socket → the acquiring call."""
    found: dict[str, Any] = {}
    tuple_index = dict(next(k.tuple_index for k in load_catalogue().kinds if k.name == "socket"))
    for node in own_nodes(scope):
        if isinstance(node, nodes.Assign) and isinstance(node.value, nodes.Call):
            pattern = _new_socket(node.value)
            if pattern is None:
                continue
            for target in node.targets:
                if isinstance(target, nodes.AssignName):
                    found[target.name] = node.value
                elif isinstance(target, nodes.Tuple) and pattern in tuple_index and len(target.elts) > tuple_index[pattern]:
                    element = target.elts[tuple_index[pattern]]  # conn, addr = server.accept()
                    if isinstance(element, nodes.AssignName):
                        found[element.name] = node.value
        elif isinstance(node, (nodes.With, nodes.AsyncWith)):
            for expr, var in node.items:
                if isinstance(var, nodes.AssignName) and isinstance(expr, nodes.Call) and _new_socket(expr):
                    found[var.name] = expr
    return found


def _looks_like_socket(name: str | None, sockets: dict[str, Any]) -> bool:
    if not name:
        return False
    last = name.rsplit(".", 1)[-1].lower()
    return name in sockets or last in ("sock", "socket", "conn_sock", "client_sock", "server_sock") or last.endswith(("_sock", "_socket"))


def socket_os_close(module: nodes.Module, ctx: Any) -> None:
    for scope in cfgmod.scopes(module):
        sockets = _socket_names(scope)
        fileno_names: dict[str, str] = {}
        for node in own_nodes(scope):
            if isinstance(node, nodes.Assign) and isinstance(node.value, nodes.Call):
                inner = node.value
                if isinstance(inner.func, nodes.Attribute) and inner.func.attrname == "fileno":
                    recv = dotted(inner.func.expr)
                    if _looks_like_socket(recv, sockets):
                        for target in node.targets:
                            if isinstance(target, nodes.AssignName):
                                fileno_names[target.name] = str(recv)
        for node in own_nodes(scope):
            if not (isinstance(node, nodes.Call) and callee(node) == "os.close" and node.args):
                continue
            arg = node.args[0]
            sock = None
            if isinstance(arg, nodes.Call) and isinstance(arg.func, nodes.Attribute) and arg.func.attrname == "fileno":
                recv = dotted(arg.func.expr)
                sock = recv if _looks_like_socket(recv, sockets) else None
            elif isinstance(arg, nodes.Name):
                sock = fileno_names.get(arg.name) or (arg.name if arg.name in sockets else None)
            if sock:
                ctx.report(
                    "PRL003",
                    node,
                    f"socket '{sock}' is closed with os.close() on its descriptor, which does not work on Windows "
                    f"and leaves the socket object open: call '{sock}.close()'",
                    fix=f"{sock}.close()",
                )


# Calls that connect (or set up a connection's timeout) and their parameters:
# (position of `timeout`, or None when it is keyword-only; the address
# parameter's position and name). Without a timeout they fall back to the
# module-wide default, which is "no timeout" unless socket.setdefaulttimeout
# was called. requests takes `timeout=` by keyword only.
_CONNECTING: dict[str, tuple[int | None, int, str]] = {
    "socket.create_connection": (1, 0, "address"),
    "http.client.HTTPConnection": (2, 0, "host"),
    "http.client.HTTPSConnection": (None, 0, "host"),
    "smtplib.SMTP": (3, 0, "host"),
    "smtplib.SMTP_SSL": (None, 0, "host"),
    **{f"requests.{m}": (None, 0, "url") for m in ("get", "post", "put", "patch", "delete", "head", "options")},
    "requests.request": (None, 1, "url"),
}
# Green-thread timeouts bound everything their `with` body does (eventlet and
# gevent raise in the blocked greenlet when they expire).
_SCOPED_TIMEOUTS = frozenset({"eventlet.Timeout", "eventlet.timeout.Timeout", "gevent.Timeout", "gevent.timeout.Timeout"})
_LOOPBACK = ("localhost", "::1", "ip6-localhost")
_NO_LIMIT = "a peer that accepts but stops answering keeps it waiting with no time limit"
_SLOW_CONNECT = "connecting to an unreachable host waits until the kernel gives up (about two minutes on Linux)"


def _sets_default_timeout(module: nodes.Module) -> bool:
    return any(callee(c) == "socket.setdefaulttimeout" for c in nodes_of(module, nodes.Call))


def _local_or_datagram(call: nodes.Call) -> bool:
    """`socket.socket(AF_UNIX, ...)` / `(..., SOCK_DGRAM)`: connect() does not wait for a remote peer."""
    args = [*call.args, *(k.value for k in call.keywords or [])]
    return any((dotted(a) or "").rsplit(".", 1)[-1] in ("AF_UNIX", "SOCK_DGRAM") for a in args)


def _loopback(address: Any) -> bool:
    """A literal address on this machine (`("127.0.0.1", port)`, `"localhost"`,
    `"http://localhost:8080/"`): a connect there is answered or refused at once."""
    if isinstance(address, nodes.Tuple) and address.elts:
        address = address.elts[0]
    text = constant(address)
    if not isinstance(text, str):
        text = string_prefix(address) if address is not None else None
    if not text:
        return False
    host = text
    if "://" in text:
        try:
            host = urlsplit(text).hostname or ""
        except ValueError:
            return False
    host = host.lower().strip("[]")
    return host in _LOOPBACK or host.startswith("127.") or host == "0.0.0.0"


def _timeout_given(call: nodes.Call, position: int | None) -> bool:
    """A timeout is passed, or may be: by keyword (not None), by position, or
    inside `**kwargs` / `*args` (`kwargs.setdefault("timeout", t)`)."""
    for kw in call.keywords or []:
        if kw.arg is None or (kw.arg == "timeout" and not (isinstance(kw.value, nodes.Const) and kw.value.value is None)):
            return True
    if position is None:
        return False
    if any(isinstance(a, nodes.Starred) for a in call.args[: position + 1]):
        return True
    return len(call.args) > position and not (isinstance(call.args[position], nodes.Const) and call.args[position].value is None)


def _under_scoped_timeout(node: Any) -> bool:
    """Inside `with eventlet.Timeout(5):` / `with gevent.Timeout(...)`."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.Module)):
        in_body = isinstance(parent, (nodes.With, nodes.AsyncWith)) and child in parent.body
        if in_body and any(isinstance(expr, nodes.Call) and callee(expr) in _SCOPED_TIMEOUTS for expr, _ in parent.items):
            return True
        child, parent = parent, parent.parent
    return False


def _connect_message(qn: str) -> str:
    if qn.startswith("requests."):
        return f"{qn}() without timeout=: requests never times out on its own, so {_NO_LIMIT}"
    return f"{qn}() without a timeout: {_SLOW_CONNECT}, and {_NO_LIMIT}"


def connection_timeout(module: nodes.Module, ctx: Any) -> None:
    if _sets_default_timeout(module):
        return
    for scope in cfgmod.scopes(module):
        sockets = {n: c for n, c in _socket_names(scope).items() if callee(c) == "socket.socket" and not _local_or_datagram(c)}
        timed: set[str] = set()
        connects: list[tuple[nodes.Call, str]] = []
        for node in own_nodes(scope):
            if not isinstance(node, nodes.Call):
                continue
            qn = callee(node) or ""
            if qn in _CONNECTING:
                timeout_at, address_at, address_name = _CONNECTING[qn]
                if _timeout_given(node, timeout_at) or _loopback(argument(node, address_at, address_name)) or _under_scoped_timeout(node):
                    continue
                ctx.report("PRL004", node, _connect_message(qn), fix="pass timeout=<seconds>")
            elif isinstance(node.func, nodes.Attribute):
                recv = dotted(node.func.expr)
                if recv in sockets:
                    if node.func.attrname in ("settimeout", "setblocking"):
                        timed.add(recv)
                    elif node.func.attrname in ("connect", "connect_ex"):
                        connects.append((node, recv))
        for node, recv in connects:
            if recv not in timed and not _loopback(argument(node, 0, "address")) and not _under_scoped_timeout(node):
                ctx.report(
                    "PRL004",
                    node,
                    f"socket '{recv}' connects without a timeout (no settimeout() before connect()): {_SLOW_CONNECT}, "
                    f"and {_NO_LIMIT}",
                    fix=f"call {recv}.settimeout(<seconds>) before connect()",
                )
