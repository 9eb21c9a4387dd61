"""Sinks of the taint interpreter (`dataflow.py`): which of a sink call's
values are dangerous, by the sink's `mode` in the models (a shell command or
an argv list, a YAML loader that is safe, a parameterized query, a URL whose
host a constant prefix fixes, ...)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from astroid import nodes

from lintkit.python.models import Sink
from lintkit.python.redos import catastrophic
from lintkit.python.values import CLEAN, Taint, Val, as_text, dedupe, join_all
from lintkit.python.walk import nodes_of

if TYPE_CHECKING:
    from lintkit.python.dataflow import Interpreter

_HOST_FIXED = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]+[/?#]|/[^/\\\\])")


# Sink kinds whose result the attacker writes when they wrote the input: the rows of a
# query they chose (UNION SELECT; only calls that run it, mode "sql"), the body their URL
# serves, the value they had evaluated, unpickled or parsed, the output of their command.
# (A template they wrote is PIV024 already, its output is not reported again.)
CONTROLLED_RESULT = frozenset({"sql", "url", "code", "deserialization", "xxe", "command"})
CONTROLLED = frozenset({"controlled"})  # Val.flags of such a result: its metadata is not the attacker's
# ...counts, codes and flags of those results (response.status_code, cursor.rowcount)
METADATA = frozenset({"status_code", "status", "ok", "rowcount", "lastrowid", "elapsed", "is_redirect", "returncode", "closed"})


def check_sinks(interp: Interpreter, node: Any, qual: str | None, method: str | None, recv: Val | None,
                args: list[Val], kwargs: dict[str, Val]) -> Val | None:
    """Record the hits of a call to a sink of the models; None when it is none, else
    the call's result: tainted when the attacker chose what produced it."""
    sinks = interp.model.sinks_for(qual, method if recv is not None else None)
    if not sinks:
        return None
    taints: list[Taint] = []
    for sink in sinks:
        check_sink(interp, node, sink, recv, args, kwargs)
        if sink.kind in CONTROLLED_RESULT and (sink.kind != "sql" or sink.mode == "sql"):
            values = [args[i] for i in sink.args if i < len(args)] + [kwargs[k] for k in sink.kwargs if k in kwargs]
            if sink.mode == "url":
                values = [prefix_only(v) for v in values]  # a fixed host's answer is not the attacker's
            taints += [t.step(node, f"returned by {sink.api.lstrip('*.')}()") for v in values for t in v.all_taints()
                       if t.live_for(sink.kind)]
    return Val(taints=dedupe(taints), flags=CONTROLLED) if taints else CLEAN


def check_sink(interp: Interpreter, node: Any, sink: Sink, recv: Val | None, args: list[Val], kwargs: dict[str, Val]) -> None:
    label = sink.api.lstrip("*.")
    values: list[Val] = [args[i] for i in sink.args if i < len(args)]
    values += [kwargs[k] for k in sink.kwargs if k in kwargs]
    mode = sink.mode
    if sink.receiver and recv is not None:
        values.append(recv)
    if mode == "subprocess":
        if not args and "args" not in kwargs:
            return
        cmd = args[0] if args else kwargs["args"]
        shell = kwargs.get("shell")
        shell_on = shell is not None and (shell.const is True or not shell.is_const)
        if cmd.items is not None and not shell_on:
            if cmd.shell_list:
                interp.hit(sink.kind, node, join_all(cmd.items), f"{label}() running a shell")
            elif cmd.items:
                interp.hit(sink.kind, node, cmd.items[0], f"{label}() as the program")
            return
        if not shell_on:
            # without a shell a string is one program name: tainted means the attacker picks the program
            interp.hit(sink.kind, node, cmd, f"{label}() as the program")
            return
        interp.hit(sink.kind, node, cmd, f"{label}(shell=True)")
        return
    if mode == "program":
        v = values[0] if values else None
        if v is not None:
            interp.hit(sink.kind, node, v.items[0] if v.items else v, f"{label}() as the program")
        return
    if mode == "redos":
        pattern = args[0] if sink.api.startswith("re.") and not sink.api.startswith("re.Pattern") and args else None
        if not ("redos" in recv.flags if pattern is None and recv is not None else pattern is not None and catastrophic(pattern.const)):
            return
    if mode == "yaml":
        loader = kwargs.get("Loader") or (args[1] if len(args) > 1 else None)
        if loader is not None and loader.qual and loader.qual.rsplit(".", 1)[-1] in ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"):
            return
    if mode == "numpy":
        allow = kwargs.get("allow_pickle")
        if allow is None or allow.const is not True:
            return
    if mode == "torch":
        wo = kwargs.get("weights_only")
        if wo is not None and wo.const is True:
            return
    if mode == "response":
        ctype = kwargs.get("content_type") or kwargs.get("mimetype") or kwargs.get("media_type")
        if ctype is not None and isinstance(ctype.const, str) and "html" not in ctype.const.lower():
            return  # text/plain, application/json...: not rendered as HTML
    if mode == "handler-body" and _declared_not_html(node):
        return  # self.send_header("Content-Type", "application/json") earlier in the same method
    if mode == "response" and node.args and _json_body(node.args[0]):
        return  # make_response({...}) / make_response(dict(...)): Flask and Quart send a dict as JSON
    if mode == "response" and values and values[0].items:
        values = [values[0].items[0]]  # make_response((body, status, headers)): only the body is HTML
    if mode == "ldap" and len(args) < 2 and not (set(kwargs) & set(sink.kwargs)):
        return  # a one-argument search() is a regex or text search, not LDAP
    if mode == "xml":
        parser = kwargs.get("parser") or (args[1] if len(args) > 1 else None)
        if parser is None or "xxe" not in parser.flags:
            return
        values = values[:1]
    if mode == "log":
        values = [as_text(v) for v in values]  # logger.info(event): logging formats it with %s
    if mode == "sql":
        # parameterized query: the query itself is what matters
        values = values[:1] if values else []
    if mode == "redirect":
        values = [prefix_only(v) for v in values]
    if mode == "url":
        values = [prefix_only(v) for v in values]
    if mode == "pathobj" and recv is not None:
        values = [recv]
    for v in values:
        interp.hit(sink.kind, node, v, f"{label}()", sink.what)


def _declared_not_html(write: Any) -> bool:
    """The method writing the body declared a Content-Type without "html"."""
    fn = write.scope()
    for call in nodes_of(fn, nodes.Call):
        if (isinstance(call.func, nodes.Attribute) and call.func.attrname == "send_header" and len(call.args) == 2
                and isinstance(call.args[0], nodes.Const) and str(call.args[0].value).lower() == "content-type"
                and isinstance(call.args[1], nodes.Const) and isinstance(call.args[1].value, str)):
            return "html" not in call.args[1].value.lower()
    return False


def _json_body(arg: Any) -> bool:
    return isinstance(arg, (nodes.Dict, nodes.DictComp)) or (
        isinstance(arg, nodes.Call) and isinstance(arg.func, nodes.Name) and arg.func.name == "dict")


def prefix_only(v: Val) -> Val:
    """Taint behind a constant prefix that fixes the host ("/profile?next=" + x,
    "https://api.example.com/" + x) cannot send the user or the request
    elsewhere: binop/f-strings mark it "~suffix"."""
    return v.map_taints(lambda t: None if "~suffix" in t.cleared else t)


def fixes_host(prefix: Any) -> bool:
    """A URL prefix after which the host can no longer change."""
    if not isinstance(prefix, str) or not prefix:
        return False
    return bool(_HOST_FIXED.match(prefix))


def is_shell_prefix(items: list[Val]) -> bool:
    """Do the first elements of an argv list run a shell (`["sh", "-c", ...]`)?"""
    if len(items) < 2 or not items[0].is_const or not items[1].is_const:
        return False
    prog = str(items[0].const).replace("\\", "/").rsplit("/", 1)[-1].lower()
    return prog in ("sh", "bash", "zsh", "dash", "ksh", "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh") and str(items[1].const).lower() in ("-c", "/c", "-command", "/k")
