"""Security detectors that need no dataflow (PSC rules).

Each detector matches a precise call or setting, resolved through imports
(`lintkit.python.names`), and points at the argument or value that is wrong.
Test code is skipped by most detectors (option `include-tests`), because
throw-away servers, fake passwords and test-client cookies are expected there.
The detectors live in three modules; importing them here registers them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from astroid import nodes

from lintkit.python.calls import (
    argument,
    constant,
    has_star_kwargs,
    is_example_path,
    keyword,
    last_identifier,
    method_name,
    receiver_name,
    string_prefix,
)
from lintkit.python.names import call_name, qualified
from lintkit.python.security_common import imports_module, is_false, is_settings_file, is_true, under_option_guard
from lintkit.python.security_creds import hardcoded_credentials
from lintkit.python.security_crypto import certificate_validation, weak_cryptography, weak_hashing, weak_random
from lintkit.python.walk import nodes_of

# -- PSC003 debug features -------------------------------------------------------


def debug_enabled(module: nodes.Module, ctx: Any) -> None:
    if is_example_path(ctx.path):
        return
    flask = imports_module(module, "flask") or imports_module(module, "werkzeug")
    fix = "Never enable the debugger in deployed code: read the flag from the environment and default it to off"
    # Deployments import the app (gunicorn app:app); `if __name__ == "__main__": app.run(debug=True)`
    # is the developer's entry point and only reported with `include-main-block`.
    in_main_too = ctx.option("PSC003", "include-main-block")
    for call in nodes_of(module, nodes.Call):
        name = call_name(call) or ""
        if (flask and method_name(call) == "run" and is_true(keyword(call, "debug"))) and (in_main_too or not _in_main_block(call)):
            ctx.report("PSC003", keyword(call, "debug"), "the Flask debugger allows arbitrary code execution: debug=True", fix=fix)
        elif name.endswith("serving.run_simple") and is_true(keyword(call, "use_debugger")) and (in_main_too or not _in_main_block(call)):
            ctx.report("PSC003", keyword(call, "use_debugger"), "the Werkzeug debugger allows arbitrary code execution", fix=fix)
        elif name == "django.conf.settings.configure" and is_true(keyword(call, "DEBUG")):
            ctx.report(
                "PSC003",
                keyword(call, "DEBUG"),
                "settings.configure(DEBUG=True) shows stack traces, settings and SQL to every visitor",
                fix="Pass DEBUG from the environment and default it to False",
            )
    # `app.debug = True` matters only when the app is started with app.run().
    if flask and any(method_name(c) == "run" for c in nodes_of(module, nodes.Call)):
        for assign in nodes_of(module, nodes.Assign):
            for target in assign.targets:
                if is_true(assign.value) and _config_target(target) == "DEBUG":
                    ctx.report("PSC003", assign.value, f"'{target.as_string()} = True' turns on the Flask debugger", fix=fix)
    if is_settings_file(ctx.path):
        for stmt in module.body:
            if isinstance(stmt, nodes.Assign) and is_true(stmt.value):
                for target in stmt.targets:
                    if isinstance(target, nodes.AssignName) and target.name == "DEBUG":
                        ctx.report(
                            "PSC003",
                            stmt.value,
                            "DEBUG = True in deployed settings shows stack traces, settings and SQL to every visitor",
                            fix="Set DEBUG from the environment (DEBUG = os.environ.get('DJANGO_DEBUG') == '1')",
                        )


def _in_main_block(node: Any) -> bool:
    """Inside `if __name__ == "__main__":`."""
    child, parent = node, node.parent
    while parent is not None:
        if isinstance(parent, nodes.If) and child in parent.body and _is_main_test(parent.test):
            return True
        child, parent = parent, parent.parent
    return False


def _is_main_test(test: Any) -> bool:
    if not (isinstance(test, nodes.Compare) and len(test.ops) == 1 and test.ops[0][0] == "=="):
        return False
    sides = (test.left, test.ops[0][1])
    return any(isinstance(s, nodes.Name) and s.name == "__name__" for s in sides) and any(
        isinstance(s, nodes.Const) and s.value == "__main__" for s in sides
    )


def _config_target(target: Any) -> str:
    """`app.config['DEBUG']` -> 'DEBUG'; `app.debug` -> 'DEBUG'."""
    if isinstance(target, nodes.Subscript) and last_identifier(target.value) == "config":
        key = constant(target.slice)
        return key if isinstance(key, str) else ""
    if isinstance(target, nodes.AssignAttr) and target.attrname == "debug" and last_identifier(target.expr) in ("app", "application"):
        return "DEBUG"
    return ""


# -- PSC002 CSRF -------------------------------------------------------------------


def csrf_disabled(module: nodes.Module, ctx: Any) -> None:
    fix = "Keep CSRF protection on; for an API called with tokens rather than cookies, document why and authenticate every request"
    for func in nodes_of(module, (nodes.FunctionDef, nodes.ClassDef)):
        for dec in func.decorators.nodes if func.decorators else ():
            target = dec.func if isinstance(dec, nodes.Call) else dec
            if _is_csrf_exempt(target):
                ctx.report("PSC002", dec, f"'{func.name}' is exempt from CSRF protection", fix=fix)
    for call in nodes_of(module, nodes.Call):
        if _is_csrf_exempt(call.func) and call.args and not (isinstance(call.parent, nodes.Decorators)):
            ctx.report("PSC002", call, f"{call.args[0].as_string()[:60]} is exempt from CSRF protection", fix=fix)
        elif method_name(call) == "update" and last_identifier(getattr(call.func, "expr", None)) == "config":
            for kw in call.keywords or ():
                if kw.arg in ("WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT") and is_false(kw.value):
                    ctx.report("PSC002", kw.value, f"{kw.arg}=False turns off CSRF protection", fix=fix)
    for assign in nodes_of(module, nodes.Assign):
        if not is_false(assign.value):
            continue
        for target in assign.targets:
            key = _config_target(target) or (target.name if isinstance(target, nodes.AssignName) else "")
            if key in ("WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT", "CSRF_ENABLED"):
                ctx.report("PSC002", assign.value, f"{key} = False turns off CSRF protection", fix=fix)


def _is_csrf_exempt(node: Any) -> bool:
    name = qualified(node) or ""
    if name.rsplit(".", 1)[-1] == "csrf_exempt" or (isinstance(node, nodes.Name) and node.name == "csrf_exempt"):
        return True
    # Flask-WTF: csrf = CSRFProtect(app); @csrf.exempt
    return isinstance(node, nodes.Attribute) and node.attrname == "exempt" and last_identifier(node.expr) in ("csrf", "csrf_protect", "csrfprotect")


# -- PSC004 paramiko host keys -------------------------------------------------------

_HOSTKEY_OPTIONS = ("auto_add", "policy", "host_key", "hostkey", "known_hosts", "insecure", "strict")


def missing_host_key_policy(module: nodes.Module, ctx: Any) -> None:
    for call in nodes_of(module, nodes.Call):
        policy = argument(call, 0, "policy") if method_name(call) == "set_missing_host_key_policy" else None
        if policy is None:
            continue
        name = (call_name(policy) if isinstance(policy, nodes.Call) else qualified(policy)) or last_identifier(policy)
        short = name.rsplit(".", 1)[-1]
        if short in ("AutoAddPolicy", "WarningPolicy") and not under_option_guard(call, _HOSTKEY_OPTIONS):
            ctx.report(
                "PSC004",
                policy,
                f"{short} accepts any host key, so a man in the middle goes unnoticed",
                fix="Load known hosts (client.load_system_host_keys()) and keep paramiko.RejectPolicy",
            )


# -- PSC005 binding to all interfaces (alias PSC017) ------------------------------------

_ALL_INTERFACES = ("0.0.0.0", "::", "0:0:0:0:0:0:0:0")
_SERVER_FUNCS = ("make_server", "run_simple", "start_server", "create_server", "serve", "run_app")


def bind_all_interfaces(module: nodes.Module, ctx: Any) -> None:
    for call in nodes_of(module, nodes.Call):
        site = _bind_all_site(call)
        if site is not None:
            value = constant(site)
            shown = value if value else "''"
            ctx.report(
                "PSC005",
                site,
                f"binding to {shown} listens on every network interface",
                fix="Bind to 127.0.0.1 or a specific interface, and take the address from configuration",
            )


def _bind_all_site(call: nodes.Call) -> Any | None:
    method = method_name(call) or ""
    name = call_name(call) or ""
    if method == "bind" or method.endswith("Server") or name.endswith("Server"):
        address = argument(call, 0, "server_address" if method != "bind" else "address")
        if isinstance(address, nodes.Tuple) and len(address.elts) >= 2:
            host, port = constant(address.elts[0]), constant(address.elts[1])
            if (host in _ALL_INTERFACES or host == "") and port != 0:
                return address.elts[0]
        return None
    host = keyword(call, "host")
    if host is None and method in _SERVER_FUNCS and call.args:
        first = call.args[0]
        host = first if isinstance(constant(first), str) else (call.args[1] if len(call.args) > 1 and method in ("start_server", "create_server") else None)
    if host is not None and constant(host) in _ALL_INTERFACES:
        if method in ("run", *_SERVER_FUNCS) or name.endswith((".run", *_SERVER_FUNCS)):
            return host
    return None


# -- PSC011 cleartext protocols ------------------------------------------------------------

_CLEARTEXT_CLIENTS = {"telnetlib.Telnet": "Telnet", "ftplib.FTP": "FTP"}
_URL_CALLS = (
    "requests.", "httpx.", "urllib.request.urlopen", "urllib.request.Request", "urllib3.request",
    "xmlrpc.client.ServerProxy",
)
_URL_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "urlopen", "Request", "ServerProxy", "stream"}


def insecure_connection(module: nodes.Module, ctx: Any) -> None:
    for call in nodes_of(module, nodes.Call):
        name = call_name(call) or ""
        if name in _CLEARTEXT_CLIENTS and not under_option_guard(call, ("scheme", "protocol", "proto", "tls", "ssl", "secure")):
            proto = _CLEARTEXT_CLIENTS[name]
            ctx.report("PSC011", call, f"{proto} sends credentials and data in clear text", fix="Use SSH/SFTP or ftplib.FTP_TLS")
            continue
        if not name.startswith(_URL_CALLS) or name.rsplit(".", 1)[-1] not in _URL_METHODS:
            continue
        url = argument(call, 1 if name.endswith(".request") and name.startswith(("requests.", "httpx.")) else 0, "url")
        text = string_prefix(url) if url is not None else None
        if text and text.lower().startswith("http://") and not _local_url(text):
            ctx.report("PSC011", url, f"{name}() uses cleartext HTTP: {text[:60]}", fix="Use https://")


def _local_url(url: str) -> bool:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return True
    if not host or "{" in host or "%" in host:
        return True  # host comes from a template: unknown
    if host in ("localhost", "0.0.0.0", "::1", "169.254.169.254", "metadata.google.internal"):
        return True
    if host.startswith(("127.", "10.", "192.168.", "169.254.")) or any(host.startswith(f"172.{n}.") for n in range(16, 32)):
        return True
    if host.endswith((".local", ".localhost", ".internal", ".test", ".example", ".invalid", ".lan", ".svc", ".cluster.local")):
        return True
    return host in ("example.com", "example.org", "example.net") or host.endswith((".example.com", ".example.org"))


# -- PSC012 insecure cookies ---------------------------------------------------------------

_COOKIE_SETTINGS = {
    "SESSION_COOKIE_SECURE": "the session cookie is sent over plain HTTP",
    "CSRF_COOKIE_SECURE": "the CSRF cookie is sent over plain HTTP",
    "SESSION_COOKIE_HTTPONLY": "scripts can read the session cookie",
    "REMEMBER_COOKIE_SECURE": "the remember-me cookie is sent over plain HTTP",
    "REMEMBER_COOKIE_HTTPONLY": "scripts can read the remember-me cookie",
}
_COOKIE_FIX = "Pass secure=True (and httponly=True, samesite='Lax') to set_cookie, or set SESSION_COOKIE_SECURE = True"


def insecure_cookie(module: nodes.Module, ctx: Any) -> None:
    for call in nodes_of(module, nodes.Call):
        if method_name(call) not in ("set_cookie", "set_signed_cookie"):
            continue
        if len(call.args) + len(call.keywords or ()) < 2 or "client" in receiver_name(call).lower():
            continue  # cookiejar.set_cookie(cookie) and test clients
        if constant(keyword(call, "max_age")) == 0 or constant(keyword(call, "expires")) == 0:
            continue  # deleting a cookie
        secure = keyword(call, "secure")
        cookie = call.args[0].as_string()[:40] if call.args else "the cookie"
        if is_false(secure):
            ctx.report("PSC012", secure, f"cookie {cookie} is set with secure=False", fix=_COOKIE_FIX)
        elif secure is None and not has_star_kwargs(call):
            ctx.report("PSC012", call, f"cookie {cookie} is set without secure=True", fix=_COOKIE_FIX)
        httponly = keyword(call, "httponly")
        if is_false(httponly):
            ctx.report("PSC012", httponly, f"cookie {cookie} is set with httponly=False", fix=_COOKIE_FIX)
    settings = is_settings_file(ctx.path)
    for assign in nodes_of(module, nodes.Assign):
        if not is_false(assign.value):
            continue
        for target in assign.targets:
            key = _config_target(target)
            if not key and settings and isinstance(target, nodes.AssignName) and isinstance(assign.parent, (nodes.Module, nodes.ClassDef)):
                key = target.name
            if key in _COOKIE_SETTINGS:
                ctx.report("PSC012", assign.value, f"{key} = False: {_COOKIE_SETTINGS[key]}", fix=_COOKIE_FIX)


# -- PSC018 insecure temporary files --------------------------------------------------------

_TMP_PREFIXES = ("/tmp/", "/var/tmp/", "/dev/shm/")
_OPENERS = {"builtins.open", "io.open", "codecs.open", "os.open"}


def insecure_temp_file(module: nodes.Module, ctx: Any) -> None:
    fix = "Use tempfile.NamedTemporaryFile, tempfile.mkstemp or tempfile.TemporaryDirectory"
    for call in nodes_of(module, nodes.Call):
        name = call_name(call) or ""
        if name in ("tempfile.mktemp", "os.tempnam", "os.tmpnam"):
            if not _claimed_atomically(call):
                ctx.report("PSC018", call, f"{name}() returns a name another process can claim before you open it", fix=fix)
            continue
        path = None
        if name in _OPENERS:
            path = argument(call, 0, "file" if name != "os.open" else "path")
            if name != "os.open" and not _writes(argument(call, 1, "mode")):
                continue
        elif method_name(call) in ("write_text", "write_bytes") and isinstance(call.func, nodes.Attribute):
            inner = call.func.expr
            if isinstance(inner, nodes.Call) and (call_name(inner) or "").endswith(("pathlib.Path", "pathlib.PurePath")):
                path = argument(inner, 0)
        if path is None:
            continue
        prefix = string_prefix(path)
        if prefix and prefix.startswith(_TMP_PREFIXES):
            ctx.report("PSC018", path, f"'{prefix[:60]}' is a predictable path in a shared temporary directory", fix=fix)


# Calls that create a path atomically, failing if it already exists: the
# argument (position, keyword) that names the path they create.
_ATOMIC_CREATORS = {
    "os.symlink": (1, "dst"), "os.link": (1, "dst"), "os.mkdir": (0, "path"), "os.mkfifo": (0, "path"),
    "os.mknod": (0, "path"), "os.open": (0, "path"),
}


def _claimed_atomically(call: nodes.Call) -> bool:
    """`name = mktemp(); os.symlink(target, name)` (or os.mkdir, os.link,
    os.mkfifo, `os.open(name, O_CREAT | O_EXCL)`, `open(name, "x")`): the name
    is claimed by a call that fails if another process took it first, so there
    is no race to lose (a retry loop handles the failure)."""
    target = call.parent
    if not (isinstance(target, nodes.Assign) and len(target.targets) == 1 and isinstance(target.targets[0], nodes.AssignName)):
        return False
    name = target.targets[0].name
    for other in nodes_of(call.scope(), nodes.Call):
        callee = call_name(other) or ""
        if callee in _ATOMIC_CREATORS:
            position, keyword_name = _ATOMIC_CREATORS[callee]
            path = argument(other, position, keyword_name)
            if isinstance(path, nodes.Name) and path.name == name and (callee != "os.open" or _exclusive_flags(argument(other, 1, "flags"))):
                return True
        elif callee in ("builtins.open", "io.open"):
            path, mode = argument(other, 0, "file"), constant(argument(other, 1, "mode"))
            if isinstance(path, nodes.Name) and path.name == name and isinstance(mode, str) and "x" in mode:
                return True
    return False


def _exclusive_flags(flags: Any) -> bool:
    """`os.O_CREAT | os.O_EXCL | ...`."""
    names = {qualified(n) for n in [flags, *flags.nodes_of_class((nodes.Attribute, nodes.Name))]} if flags is not None else set()
    return "os.O_EXCL" in names and "os.O_CREAT" in names


def _writes(mode: Any) -> bool:
    value = constant(mode)
    return isinstance(value, str) and any(c in value for c in "wax+")


# -- PSC020 loose file permissions -----------------------------------------------------------

_STAT_BITS = {
    "S_ISUID": 0o4000, "S_ISGID": 0o2000, "S_ISVTX": 0o1000, "S_IRWXU": 0o700, "S_IRUSR": 0o400, "S_IWUSR": 0o200,
    "S_IXUSR": 0o100, "S_IRWXG": 0o70, "S_IRGRP": 0o40, "S_IWGRP": 0o20, "S_IXGRP": 0o10, "S_IRWXO": 0o7,
    "S_IROTH": 0o4, "S_IWOTH": 0o2, "S_IXOTH": 0o1, "S_IREAD": 0o400, "S_IWRITE": 0o200, "S_IEXEC": 0o100,
}


def loose_file_permissions(module: nodes.Module, ctx: Any) -> None:
    fix = "Grant the least access needed, e.g. 0o600 for a private file or 0o755 for a program"
    # A directory's mode passes through the umask (022 almost everywhere):
    # `mkdir(mode=0o777)` is the default and makes 0o755, unless this module
    # clears the umask's world-write bit.
    umask_cleared = any(call_name(c) == "os.umask" and (mask := _mode_bits(argument(c, 0, "mask"))[0]) is not None
                        and not mask & 0o002 for c in nodes_of(module, nodes.Call))
    for call in nodes_of(module, nodes.Call):
        name = call_name(call) or ""
        method = method_name(call)
        directory = False
        if name in ("os.chmod", "os.lchmod", "os.fchmod"):
            mode = argument(call, 1, "mode")
        elif method == "chmod" and isinstance(call.func, nodes.Attribute) and len(call.args) == 1 and not name.startswith("os."):
            mode = argument(call, 0, "mode")
        elif name in ("os.mkdir", "os.makedirs"):
            mode, directory = argument(call, 1, "mode"), True
        elif method == "mkdir" and isinstance(call.func, nodes.Attribute) and not name.startswith("os."):
            mode, directory = argument(call, 0, "mode"), True
        else:
            continue
        value, bits = _mode_bits(mode)
        if not bits & 0o002 or (directory and not umask_cleared):
            continue
        shown = f"mode {oct(value)}" if value is not None else f"a mode that includes {oct(bits)}"
        what = "the directory" if directory else "the file"
        extra = " (the umask is cleared in this module)" if directory else ""
        ctx.report("PSC020", mode, f"{shown} makes {what} writable by every user{extra}", fix=fix)


def _mode_bits(node: Any) -> tuple[int | None, int]:
    """(the mode's value when fully known, the bits it surely has):
    `stat.S_IRWXU | 0o002` and `mode | 0o777` surely have 0o002."""
    if node is None:
        return None, 0
    if isinstance(node, nodes.BinOp) and node.op == "|":
        (left, lbits), (right, rbits) = _mode_bits(node.left), _mode_bits(node.right)
        return (left | right if left is not None and right is not None else None), lbits | rbits
    value = _mode(node)
    return (value, value) if value is not None else (None, 0)


def _mode(node: Any) -> int | None:
    if isinstance(node, nodes.Attribute):
        name = qualified(node) or ""
        return _STAT_BITS.get(name[5:]) if name.startswith("stat.") else None
    if isinstance(node, nodes.Name):
        name = qualified(node) or ""
        if name.startswith("stat."):
            return _STAT_BITS.get(name[5:])
    value = constant(node)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0o7777 else None


# -- PSC030 Jinja2 autoescape --------------------------------------------------------------------


def jinja2_autoescape(module: nodes.Module, ctx: Any) -> None:
    fix = "Pass autoescape=select_autoescape() (or True) when templates render HTML"
    # Jinja2 also renders config files, RST and LDAP filters, where escaping is
    # wrong: a missing autoescape counts only in modules that deal with HTML.
    renders_html = _mentions_html(module)
    for call in nodes_of(module, nodes.Call):
        name = call_name(call) or ""
        if not name.startswith("jinja2.") or name.rsplit(".", 1)[-1] not in ("Environment", "SandboxedEnvironment"):
            continue
        autoescape = keyword(call, "autoescape")
        if is_false(autoescape):
            ctx.report("PSC030", autoescape, "autoescape=False renders variables into HTML unescaped", fix=fix)
        elif autoescape is None and not has_star_kwargs(call) and len(call.args) < 11 and renders_html:
            ctx.report("PSC030", call, "a Jinja2 Environment escapes nothing by default: pass autoescape", fix=fix)


_WEB_FRAMEWORKS = ("flask", "django", "starlette", "fastapi", "aiohttp", "tornado", "pyramid", "bottle", "sanic", "werkzeug")


def _mentions_html(module: nodes.Module) -> bool:
    if any(imports_module(module, fw) for fw in _WEB_FRAMEWORKS):
        return True
    for const in nodes_of(module, nodes.Const):
        value = const.value.lower() if isinstance(const.value, str) else ""
        if _HTML_TEMPLATE.search(value) or "<html" in value or "<!doctype html" in value:
            return True
    return False


# A template file name (`report.html`, `page.html.j2`), not a URL inside prose.
_HTML_TEMPLATE = re.compile(r"^[\w./-]*\.html?(?:\.j2|\.jinja2?)?$")


# -- PSC031 XML parsers with external entities ----------------------------------------------------

_EXTERNAL_FEATURES = {
    "xml.sax.handler.feature_external_ges": "external general entities",
    "xml.sax.handler.feature_external_pes": "external parameter entities",
    "http://xml.org/sax/features/external-general-entities": "external general entities",
    "http://xml.org/sax/features/external-parameter-entities": "external parameter entities",
}


def xml_external_entities(module: nodes.Module, ctx: Any) -> None:
    fix = "Keep external entities off (lxml: resolve_entities=False, no_network=True; SAX: leave feature_external_ges off) or use defusedxml"
    for call in nodes_of(module, nodes.Call):
        name = call_name(call) or ""
        short = name.rsplit(".", 1)[-1]
        if name.startswith("lxml.") and short in ("XMLParser", "XMLPullParser", "iterparse", "XMLTreeBuilder", "ETCompatXMLParser"):
            for kw in call.keywords or ():
                if kw.arg == "resolve_entities" and is_true(kw.value):
                    ctx.report("PSC031", kw.value, "this lxml parser resolves external entities (resolve_entities=True)", fix=fix)
                elif kw.arg == "no_network" and is_false(kw.value):
                    ctx.report("PSC031", kw.value, "this lxml parser fetches entities over the network (no_network=False)", fix=fix)
            # lxml 5.0 made XMLParser() safe by default (resolve_entities='internal');
            # iterparse() and ETCompatXMLParser() kept resolve_entities=True, which
            # reads local files through external entities, until lxml 6.1 (CVE-2026-41066).
            if short in ("iterparse", "ETCompatXMLParser") and keyword(call, "resolve_entities") is None and not has_star_kwargs(call):
                ctx.report(
                    "PSC031",
                    call,
                    f"lxml's {short}() resolves external entities by default before lxml 6.1, so the XML can read local files",
                    fix="pass resolve_entities=False (or 'internal')",
                )
        elif method_name(call) == "setFeature" and len(call.args) >= 2 and is_true(call.args[1]):
            feature = call.args[0]
            key = qualified(feature) or constant(feature)
            if isinstance(key, str) and key in _EXTERNAL_FEATURES:
                ctx.report("PSC031", call.args[1], f"the SAX parser resolves {_EXTERNAL_FEATURES[key]}", fix=fix)


__all__ = [
    "bind_all_interfaces",
    "certificate_validation",
    "csrf_disabled",
    "debug_enabled",
    "hardcoded_credentials",
    "insecure_connection",
    "insecure_cookie",
    "insecure_temp_file",
    "jinja2_autoescape",
    "loose_file_permissions",
    "missing_host_key_policy",
    "weak_cryptography",
    "weak_hashing",
    "weak_random",
    "xml_external_entities",
]
