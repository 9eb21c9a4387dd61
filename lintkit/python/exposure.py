"""Exception details sent to the client (CWE-209): inside a request handler (an entry
point of `entries.py`), an `except Exception as e` block (a catch-all: a specific
exception's text is usually a message written for the client) that returns `e`'s
text, or any handler that returns a formatted traceback, or raises/aborts with it through the framework's HTTP error
(whose message is the response body: `chalice.BadRequestError(str(e))`,
`werkzeug` `abort(400, str(e))`, `fastapi.HTTPException(detail=str(e))`).

Logging the exception, re-raising it, or raising another exception `from e` sends
nothing to the client and is not reported.

An error handler (Flask/Quart `@app.errorhandler(...)`, `@bp.app_errorhandler(...)`,
FastAPI/Starlette `@app.exception_handler(...)`) answers the client with what it
returns: a traceback there is always reported, the exception's text when the handler
catches everything (`Exception`, `500`, `InternalServerError`), whose message is
whatever failed inside rather than a message written for the client.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from astroid import nodes

from lintkit.python.security_common import imports_module
from lintkit.python.walk import nodes_of

# Calls whose result is the traceback or the exception being handled.
_TRACEBACK = frozenset({
    "traceback.format_exc", "traceback.format_exception", "traceback.format_tb", "traceback.format_stack",
    "traceback.format_exception_only", "sys.exc_info",
})
# Packages whose exceptions (or abort()) turn their message into the HTTP response.
_HTTP_ERRORS = ("chalice.", "werkzeug.exceptions.", "flask.abort", "fastapi.", "starlette.exceptions.", "falcon.",
                "rest_framework.exceptions.", "django.http.", "aiohttp.web", "tornado.web.HTTPError", "sanic.exceptions.",
                "bottle.HTTPError", "bottle.abort", "pyramid.httpexceptions.")


def exposed_errors(fn: Any, resolve: Callable[[Any], str | None]) -> Iterator[tuple[Any, str]]:
    """(node, what it sends) for each place `fn` sends exception details to the client."""
    for handler in nodes_of(fn, nodes.ExceptHandler):
        if handler.scope() is not fn:
            continue
        # a specific exception's text is a message written for the client (a validation
        # error); a catch-all's is whatever failed inside: paths, SQL, configuration
        name = handler.name.name if handler.name is not None and _catch_all(handler, resolve) else None
        for stmt in _statements(handler.body):
            if isinstance(stmt, nodes.Return) and stmt.value is not None:
                if isinstance(stmt.value, nodes.Call) and (resolve(stmt.value.func) or "").startswith("chalice."):
                    continue  # a Chalice error returned, not raised, is no JSON: the client gets a bare 500
                what = _details(stmt.value, name, resolve)
                if what:
                    yield stmt.value, f"{what} is returned to the client"
            elif isinstance(stmt, nodes.Raise) and isinstance(stmt.exc, nodes.Call) and _http_error(stmt.exc.func, resolve):
                what = _details(stmt.exc, name, resolve)
                if what:
                    yield stmt.exc, f"{what} is the message of {stmt.exc.func.as_string()}, sent to the client"
            elif isinstance(stmt, nodes.Expr) and isinstance(stmt.value, nodes.Call) and _http_error(stmt.value.func, resolve):
                what = _details(stmt.value, name, resolve)
                if what:
                    yield stmt.value, f"{what} is the message of {stmt.value.func.as_string()}, sent to the client"


_ERROR_HANDLER_REGISTRARS = frozenset({"errorhandler", "app_errorhandler", "exception_handler"})
_FRAMEWORKS = ("flask", "quart", "fastapi", "starlette")
_CATCH_ALL = frozenset({"builtins.Exception", "builtins.BaseException", "werkzeug.exceptions.InternalServerError"})


def error_handler_exposure(fn: Any, resolve: Callable[[Any], str | None]) -> Iterator[tuple[Any, str]]:
    """(node, what it sends) for each return of a framework error handler that sends exception details."""
    caught = _registered_error(fn)
    if caught is None or not fn.args.args:
        return
    catch_all = (isinstance(caught, nodes.Const) and caught.value == 500) or resolve(caught) in _CATCH_ALL
    exception = fn.args.args[-1].name if catch_all else None  # Flask: (error); FastAPI: (request, exc)
    for ret in nodes_of(fn, nodes.Return):
        if ret.value is not None and ret.scope() is fn:
            what = _details(ret.value, exception, resolve)
            if what:
                yield ret.value, f"{what} is returned to the client by an error handler"


def _registered_error(fn: Any) -> Any:
    """The error a decorator registers `fn` for (`@app.errorhandler(Exception)` -> `Exception`)."""
    module = fn.root()
    for dec in fn.decorators.nodes if fn.decorators else []:
        if (isinstance(dec, nodes.Call) and isinstance(dec.func, nodes.Attribute) and dec.func.attrname in _ERROR_HANDLER_REGISTRARS
                and dec.args and any(imports_module(module, framework) for framework in _FRAMEWORKS)):
            return dec.args[0]
    return None


def _catch_all(handler: Any, resolve: Callable[[Any], str | None]) -> bool:
    caught = handler.type.elts if isinstance(handler.type, nodes.Tuple) else [handler.type]
    return any(t is None or resolve(t) in ("builtins.Exception", "builtins.BaseException") for t in caught)


def _statements(body: list[Any]) -> Iterator[Any]:
    """The handler's statements, into nested blocks but not into nested functions."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef, nodes.Lambda)):
            continue
        for block in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(stmt, block, None) or [])
        for handler in getattr(stmt, "handlers", None) or []:
            yield from _statements(handler.body)


def _details(expr: Any, name: str | None, resolve: Callable[[Any], str | None]) -> str:
    """What exception detail `expr` carries: the exception's text, or a traceback."""
    for node in [expr, *nodes_of(expr, (nodes.Name, nodes.Call))]:
        if isinstance(node, nodes.Name) and name and node.name == name and _as_text(node, resolve):
            return f"the text of exception '{name}'"
        if isinstance(node, nodes.Call) and resolve(node.func) in _TRACEBACK:
            return "the traceback"
    return ""


_TEXT_ATTRIBUTES = frozenset({"args", "message", "msg", "detail", "details", "strerror", "reason", "text", "description", "response", "__str__", "__repr__"})


def _as_text(node: Any, resolve: Callable[[Any], str | None]) -> bool:
    """The exception is turned into text here: `str(e)`, `repr(e)`, `f"{e}"`, `"..." % e`,
    `"{}".format(e)`, `e.args`, `e.response` (botocore's error dict), or the message of the framework's HTTP error (`abort(400, e)`).
    The object itself in a JSON body (`{"error": e}`: encoders write `{}` or refuse it) or
    handed to another function (which may well ignore it) sends no text."""
    if _only_type(node):
        return False
    parent = node.parent
    if isinstance(parent, (nodes.FormattedValue, nodes.BinOp)):
        return True
    if isinstance(parent, nodes.Attribute):
        return parent.attrname in _TEXT_ATTRIBUTES
    if isinstance(parent, nodes.Call) and node in parent.args:
        func = parent.func
        if isinstance(func, nodes.Name) and func.name in ("str", "repr", "format"):
            return True
        if isinstance(func, nodes.Attribute) and func.attrname == "format":
            return True
        return _http_error(func, resolve)
    if isinstance(parent, nodes.Keyword) and isinstance(parent.parent, nodes.Call):
        return _http_error(parent.parent.func, resolve)
    return False


def _only_type(node: Any) -> bool:
    """`type(e)`, `e.__class__.__name__`, `isinstance(e, X)`: the exception's class, not its text."""
    parent = node.parent
    if isinstance(parent, nodes.Call) and isinstance(parent.func, nodes.Name) and parent.func.name in ("type", "isinstance"):
        return True
    return isinstance(parent, nodes.Attribute) and parent.attrname in ("__class__", "status_code", "code", "errno")


def _http_error(func: Any, resolve: Callable[[Any], str | None]) -> bool:
    name = resolve(func) or ""
    return name.startswith(_HTTP_ERRORS)
