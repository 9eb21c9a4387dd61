"""Authentication, authorisation and configuration mistakes (PSC032-PSC040).

Each detector matches one decidable call or setting, resolved through imports,
and points at the argument or value that is wrong. Test code is skipped
(option `include-tests`), as for the other PSC rules.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import PurePosixPath
from typing import Any, Iterator

from astroid import nodes

from lintkit.python.calls import NOT_CONSTANT, argument, constant, enclosing_function, keyword, method_name
from lintkit.python.names import call_name, qualified
from lintkit.python.security_common import imports_module, is_false, is_true
from lintkit.python.walk import bindings, nodes_of

_CODES = ("PSC032", "PSC033", "PSC034", "PSC035", "PSC036", "PSC037", "PSC038", "PSC039", "PSC040")


def auth_and_config(module: nodes.Module, ctx: Any) -> None:
    codes = {c for c in _CODES if ctx.enabled(c)}
    if not codes:
        return
    settings = _deployed_settings(ctx.path)
    for call in nodes_of(module, nodes.Call):
        name = call_name(call) or ""
        if "PSC032" in codes:
            _jwt_unverified(call, name, ctx)
        if "PSC033" in codes:
            _ldap_bind(module, call, ctx)
        if "PSC034" in codes:
            _empty_password(call, name, ctx)
        if "PSC035" in codes:
            _cors_call(call, name, ctx)
        if "PSC036" in codes:
            _setuid_root(call, name, ctx)
        if "PSC038" in codes:
            _hmac_key(call, name, ctx)
        if "PSC040" in codes:
            _hardcoded_ip(call, name, ctx)
        if "PSC037" in codes and settings and name.endswith("settings.configure"):
            hashers = keyword(call, "PASSWORD_HASHERS")
            if hashers is not None:
                _weak_hashers(hashers, ctx)
    assigned = _module_assignments(module)
    if "PSC035" in codes:
        _cors_settings(assigned, ctx)
    if "PSC037" in codes and settings and "PASSWORD_HASHERS" in assigned:
        _weak_hashers(assigned["PASSWORD_HASHERS"], ctx)
    if "PSC039" in codes and settings:
        _csrf_middleware(module, assigned, ctx)


def _module_assignments(module: nodes.Module) -> dict[str, Any]:
    """`NAME = value` at module level (the last one wins, as at runtime)."""
    found: dict[str, Any] = {}
    for stmt in module.body:
        if isinstance(stmt, nodes.Assign):
            for target in stmt.targets:
                if isinstance(target, nodes.AssignName):
                    found[target.name] = stmt.value
    return found


_DEV_WORDS = frozenset(
    {
        "dev", "devel", "development", "local", "test", "tests", "testing", "debug", "example", "examples", "sample",
        "samples", "demo", "demos", "ci", "docs",
    }
)


def _deployed_settings(relpath: str) -> bool:
    """Not a module for development, tests, examples or docs (path words)."""
    path = PurePosixPath(relpath.replace("\\", "/").lower())
    words = re.split(r"[^a-z0-9]+", " ".join([*path.parent.parts, path.stem]))
    return not _DEV_WORDS.intersection(words)


# -- PSC032 JWT ----------------------------------------------------------------------

_JWT_DECODE = ("jwt.decode", "jwt.api_jwt.decode", "jose.jwt.decode", "jwt.decode_complete")


def _jwt_unverified(call: nodes.Call, name: str, ctx: Any) -> None:
    if name not in _JWT_DECODE:
        return
    site, why = _unverified(call)
    if site is None or _verified_elsewhere(call):
        return
    ctx.report(
        "PSC032",
        site,
        f"{why}: any token is accepted, so anyone can forge its claims",
        fix="Verify the signature: pass the key and an explicit algorithms=[...] list, and never disable verify_signature",
    )


def _unverified(call: nodes.Call) -> tuple[Any, str]:
    verify = keyword(call, "verify")
    if is_false(verify):
        return verify, "jwt.decode(verify=False) skips the signature check"
    options = keyword(call, "options")
    if isinstance(options, nodes.Dict):
        for key, value in options.items:
            if constant(key) == "verify_signature" and is_false(value):
                return value, "'verify_signature': False skips the signature check"
    algorithms = keyword(call, "algorithms")
    values = constant(algorithms) if algorithms is not None else NOT_CONSTANT
    values = (values,) if isinstance(values, str) else values
    if isinstance(values, tuple) and any(isinstance(v, str) and v.lower() == "none" for v in values):
        return algorithms, "algorithms includes 'none', which accepts unsigned tokens"
    return None, ""


def _verified_elsewhere(call: nodes.Call) -> bool:
    """Peeking at an unverified header or claim (to pick the key), then verifying
    the token in the same function, is the documented way to handle key rotation."""
    scope = enclosing_function(call) or call.root()
    return any(
        other is not call and call_name(other) in _JWT_DECODE and _unverified(other)[0] is None and not _exclusive(call, other)
        for other in nodes_of(scope, nodes.Call)
    )


def _exclusive(a: Any, b: Any) -> bool:
    """`a` and `b` sit in different branches of one if/else: only one of them runs."""
    chain_a = list(a.node_ancestors())
    for parent in b.node_ancestors():
        if parent in chain_a:
            if not isinstance(parent, (nodes.If, nodes.IfExp, nodes.Try)):
                return False
            branches = [parent.body, parent.orelse] if isinstance(parent, (nodes.If, nodes.IfExp)) else [parent.body, *parent.handlers]
            branches = [x if isinstance(x, list) else [x] for x in branches]
            side_a = next((i for i, br in enumerate(branches) if any(n is a or n in chain_a for n in br)), None)
            chain_b = set(b.node_ancestors()) | {b}
            side_b = next((i for i, br in enumerate(branches) if any(n in chain_b for n in br)), None)
            return side_a is not None and side_b is not None and side_a != side_b
    return False


# -- PSC033 LDAP ---------------------------------------------------------------------

_LDAP_BINDS = ("simple_bind", "simple_bind_s", "bind", "bind_s")


def _ldap_bind(module: nodes.Module, call: nodes.Call, ctx: Any) -> None:
    method = method_name(call)
    if method not in _LDAP_BINDS or not isinstance(call.func, nodes.Attribute) or not imports_module(module, "ldap"):
        return
    if method in ("bind", "bind_s"):  # generic names: only python-ldap's bind(who, cred, AUTH_SIMPLE)
        how = argument(call, 2, "method")
        if how is None or (qualified(how) or "") != "ldap.AUTH_SIMPLE":
            return
    who = argument(call, 0, "who")
    if who is None or constant(who) in ("", None):
        return  # an explicit anonymous bind to a public directory
    cred = argument(call, 1, "cred")
    if cred is not None and constant(cred) != "":
        return
    where = cred if cred is not None else call
    ctx.report(
        "PSC033",
        where,
        f"LDAP {call.func.attrname}() for {who.as_string()[:40]} without a password: the server treats it as an unauthenticated bind, which many servers accept",
        fix="Pass the account's password (from configuration or a secret store), or bind explicitly as anonymous if that is what you mean",
    )


# -- PSC034 empty passwords ----------------------------------------------------------

_PASSWORD_KEYWORDS = ("password", "passwd", "pwd")
_USER_KEYWORDS = ("user", "username", "login", "uid")
_ANONYMOUS = ("anonymous", "ftp")


def _empty_password(call: nodes.Call, name: str, ctx: Any) -> None:
    method = method_name(call) or ""
    if method in _LDAP_BINDS:
        return  # PSC033
    for word in _PASSWORD_KEYWORDS:
        value = keyword(call, word)
        if value is not None and constant(value) == "" and _has_user(call):
            _report_empty(ctx, value, name or method)
            return
    if method == "login" and len(call.args) >= 2 and constant(call.args[1]) == "":
        user = constant(call.args[0])
        if not (isinstance(user, str) and user.lower() in _ANONYMOUS):
            _report_empty(ctx, call.args[1], name or method)


def _has_user(call: nodes.Call) -> bool:
    for word in _USER_KEYWORDS:
        value = keyword(call, word)
        if value is not None and constant(value) not in ("", None):
            return True
    return False


def _report_empty(ctx: Any, where: Any, what: str) -> None:
    ctx.report(
        "PSC034",
        where,
        f"empty password passed to {what}(): the account either has no password or the login cannot work as written",
        fix="Read the password from configuration or a secret store, and give the account a password",
    )


# -- PSC035 CORS ---------------------------------------------------------------------

_FLASK_CORS = ("flask_cors.CORS", "flask_cors.cross_origin", "flask_cors.extension.CORS", "flask_cors.decorator.cross_origin")


def _cors_call(call: nodes.Call, name: str, ctx: Any) -> None:
    if name in _FLASK_CORS:
        credentials = is_true(keyword(call, "supports_credentials"))
        wildcard = _flask_wildcard(call)
        any_wildcard = ctx.option("PSC035", "any-wildcard")
        if wildcard is not None and (credentials or any_wildcard):
            _report_cors(ctx, wildcard if not isinstance(wildcard, nodes.Call) else call, credentials)
        return
    middleware = call.args[0] if call.args and method_name(call) in ("add_middleware", "Middleware") else None
    if middleware is not None and (qualified(middleware) or "").endswith("CORSMiddleware"):
        origins = keyword(call, "allow_origins")
        regex = keyword(call, "allow_origin_regex")
        wildcard = origins if _is_wildcard(origins) else regex if _is_wildcard_regex(regex) else None
        credentials = is_true(keyword(call, "allow_credentials"))
        if wildcard is not None and (credentials or ctx.option("PSC035", "any-wildcard")):
            _report_cors(ctx, wildcard, credentials)


def _flask_wildcard(call: nodes.Call) -> Any:
    """The node allowing any origin, the call itself when origins is left at its default '*'."""
    send_wildcard = keyword(call, "send_wildcard")
    if is_true(send_wildcard):
        return send_wildcard
    origins = keyword(call, "origins")
    resources = keyword(call, "resources")
    if origins is not None:
        return origins if _is_wildcard(origins) or _is_wildcard_regex(origins) else None
    if isinstance(resources, nodes.Dict):
        for _, options in resources.items:
            if isinstance(options, nodes.Dict):
                for key, value in options.items:
                    if constant(key) == "origins":
                        return value if _is_wildcard(value) or _is_wildcard_regex(value) else None
            return call
        return None
    return call  # origins left at flask-cors's default, '*'


def _is_wildcard(node: Any) -> bool:
    value = constant(node) if node is not None else NOT_CONSTANT
    return value == "*" or (isinstance(value, tuple) and "*" in value)


def _is_wildcard_regex(node: Any) -> bool:
    value = constant(node) if node is not None else NOT_CONSTANT
    return value in (".*", "^.*$", "^.*", ".+", r"https?://.*", "https://.*")


def _report_cors(ctx: Any, where: Any, credentials: bool) -> None:
    if credentials:
        message = "CORS allows every origin together with credentials: the origin is echoed back, so any website can make authenticated requests and read the answers"
    else:
        message = "CORS allows every origin: any website can read the responses of this application"
    ctx.report("PSC035", where, message, fix="List the trusted origins explicitly")


def _cors_settings(assigned: dict[str, Any], ctx: Any) -> None:
    """django-cors-headers: allow-all together with credentials."""
    allow_all = next((assigned[k] for k in ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL") if k in assigned), None)
    if not is_true(allow_all):
        return
    credentials = is_true(assigned.get("CORS_ALLOW_CREDENTIALS"))
    if credentials or ctx.option("PSC035", "any-wildcard"):
        _report_cors(ctx, allow_all, credentials)


# -- PSC036 setuid(0) ----------------------------------------------------------------

_ID_SETTERS = ("setuid", "setgid", "seteuid", "setegid", "setreuid", "setregid", "setresuid", "setresgid")


def _setuid_root(call: nodes.Call, name: str, ctx: Any) -> None:
    if not name.startswith(("os.", "posix.")) or name.split(".")[-1] not in _ID_SETTERS:
        return
    if _expects_refusal(call):
        return
    for arg in call.args:
        if constant(arg) == 0 and not isinstance(constant(arg), bool):
            kind = "group" if "gid" in name else "user"
            ctx.report(
                "PSC036",
                arg,
                f"{name}() switches the process {kind} to root (id 0): a bug or an injection in what runs next has full control of the machine",
                fix="Run with the least privilege needed: drop to an unprivileged account and never switch back to root",
            )
            return


def _expects_refusal(call: nodes.Call) -> bool:
    """`try: os.setuid(0) except OSError/PermissionError:` checks that root
    cannot be regained after dropping privileges: the call is meant to fail."""
    child, parent = call, call.parent
    while parent is not None and not isinstance(parent, (nodes.FunctionDef, nodes.Module)):
        if isinstance(parent, nodes.Try) and child in parent.body:
            caught = [qualified(h.type) or "" for h in parent.handlers if h.type is not None]
            return any(c.endswith(("OSError", "PermissionError", "EnvironmentError")) for c in caught)
        child, parent = parent, parent.parent
    return False


# -- PSC037 password hashers ---------------------------------------------------------

_WEAK_HASHERS = ("MD5PasswordHasher", "UnsaltedMD5PasswordHasher", "UnsaltedSHA1PasswordHasher", "SHA1PasswordHasher", "CryptPasswordHasher")


def _weak_hashers(value: Any, ctx: Any) -> None:
    if not isinstance(value, (nodes.List, nodes.Tuple)) or not value.elts:
        return
    first = value.elts[0]
    hasher = constant(first)
    if isinstance(hasher, str) and hasher.rsplit(".", 1)[-1] in _WEAK_HASHERS:
        short = hasher.rsplit(".", 1)[-1]
        ctx.report(
            "PSC037",
            first,
            f"PASSWORD_HASHERS starts with {short}: new passwords are stored as fast, unsalted or weak digests that are cracked offline in minutes",
            fix="Put Argon2PasswordHasher, PBKDF2PasswordHasher or BCryptSHA256PasswordHasher first; keep old hashers after it only to upgrade existing hashes",
        )


# -- PSC038 HMAC key length ----------------------------------------------------------

_DIGEST_SIZES = {
    "md5": 16, "sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64, "sha512_224": 28,
    "sha512_256": 32, "sha3_224": 28, "sha3_256": 32, "sha3_384": 48, "sha3_512": 64, "blake2b": 64,
    "blake2s": 32, "sm3": 32,
}
_HMACS = {
    "hmac.new": (2, "digestmod"),
    "hmac.HMAC": (2, "digestmod"),
    "hmac.digest": (2, "digest"),
    "cryptography.hazmat.primitives.hmac.HMAC": (1, "algorithm"),
    "Crypto.Hash.HMAC.new": (2, "digestmod"),
    "Cryptodome.Hash.HMAC.new": (2, "digestmod"),
}
_RANDOM_BYTES = ("os.urandom", "secrets.token_bytes", "Crypto.Random.get_random_bytes", "Cryptodome.Random.get_random_bytes")


def _hmac_key(call: nodes.Call, name: str, ctx: Any) -> None:
    if name not in _HMACS:
        return
    position, word = _HMACS[name]
    key = argument(call, 0, "key")
    size = _digest_size(argument(call, position, word))
    length = _key_length(key)
    if key is None or size is None or length is None or length >= size:
        return
    ctx.report(
        "PSC038",
        key,
        f"HMAC key of {length} bytes is shorter than the {size}-byte digest: the key, not the hash, limits the MAC's strength",
        fix=f"Use a random key at least as long as the digest, e.g. secrets.token_bytes({size})",
    )


def _digest_size(node: Any) -> int | None:
    if node is None:
        return None
    value = constant(node)
    if isinstance(value, str):
        return _DIGEST_SIZES.get(value.lower().replace("-", "_"))
    target = node.func if isinstance(node, nodes.Call) else node
    name = (qualified(target) or "").rsplit(".", 1)[-1].lower()
    return _DIGEST_SIZES.get(name)


def _key_length(node: Any, depth: int = 0) -> int | None:
    if node is None or depth > 3:
        return None
    value = constant(node)
    if isinstance(value, bytes):
        return len(value)
    if isinstance(node, nodes.Call) and call_name(node) in _RANDOM_BYTES:
        size = argument(node, 0, "nbytes")
        count = constant(size) if size is not None else (32 if call_name(node) == "secrets.token_bytes" else NOT_CONSTANT)
        return count if isinstance(count, int) and not isinstance(count, bool) else None
    if isinstance(node, nodes.Name):
        bound = bindings(node)
        if len(bound) == 1 and isinstance(bound[0].parent, nodes.Assign) and bound[0].parent.targets == [bound[0]]:
            return _key_length(bound[0].parent.value, depth + 1)
    return None


# -- PSC039 CSRF middleware ----------------------------------------------------------

_SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
_AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
_CSRF = "CsrfViewMiddleware"


def _csrf_middleware(module: nodes.Module, assigned: dict[str, Any], ctx: Any) -> None:
    for setting in ("MIDDLEWARE", "MIDDLEWARE_CLASSES"):
        value = assigned.get(setting)
        if not isinstance(value, (nodes.List, nodes.Tuple)):
            continue
        entries = [constant(e) for e in value.elts]
        if _SESSION not in entries or _AUTH not in entries:
            continue
        if any(_CSRF in str(c.value) for c in nodes_of(module, nodes.Const) if isinstance(c.value, str)):
            return  # listed, or added later in the module
        ctx.report(
            "PSC039",
            value.parent.targets[0],
            f"{setting} has session and authentication middleware but no CsrfViewMiddleware: forms and views of logged-in users are open to cross-site request forgery",
            fix="Add 'django.middleware.csrf.CsrfViewMiddleware' (after SessionMiddleware, before the view middleware)",
        )


# -- PSC040 hard-coded IP addresses --------------------------------------------------

# Addresses whose being literal is the point: documentation ranges, loopback,
# link-local (cloud metadata services), multicast, and the public resolvers
# that `connect()` uses to find the local address without sending anything.
_WELL_KNOWN = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "208.67.222.222", "168.63.129.16", "255.255.255.255"}
_DOC_NETWORKS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]
_ADDRESS_METHODS = ("connect", "connect_ex", "bind", "sendto", "create_connection", "create_server")
_HOST_CONSTRUCTORS = (
    "http.client.HTTPConnection", "http.client.HTTPSConnection", "smtplib.SMTP", "smtplib.SMTP_SSL", "ftplib.FTP",
    "ftplib.FTP_TLS", "telnetlib.Telnet", "poplib.POP3", "imaplib.IMAP4", "imaplib.IMAP4_SSL",
)
_HOST_KEYWORDS = ("host", "hostname")


def _hardcoded_ip(call: nodes.Call, name: str, ctx: Any) -> None:
    if method_name(call) in ("connect", "connect_ex") and _asks_own_address(call):
        return
    for site in _address_sites(call, name):
        address = _literal_ip(site)
        if address is not None and not _exempt(address):
            ctx.report(
                "PSC040",
                site,
                f"hard-coded IP address {address}: it cannot change without a code change and bypasses DNS and configuration",
                fix="Read the address from configuration or resolve a host name",
            )
            return


def _asks_own_address(call: nodes.Call) -> bool:
    """`sock.connect((ip, 1)); sock.getsockname()`: a UDP connect sends nothing,
    it only makes the kernel pick the interface whose address we then read."""
    scope = enclosing_function(call) or call.root()
    return any(method_name(c) == "getsockname" for c in nodes_of(scope, nodes.Call))


def _address_sites(call: nodes.Call, name: str) -> Iterator[Any]:
    method = method_name(call) or ""
    if method in _ADDRESS_METHODS:
        position = 1 if method == "sendto" else 0
        address = argument(call, position, "address")
        if isinstance(address, nodes.Tuple) and address.elts:
            yield address.elts[0]
    if name in _HOST_CONSTRUCTORS and call.args:
        yield call.args[0]
    for word in _HOST_KEYWORDS:
        value = keyword(call, word)
        if value is not None:
            yield value


def _literal_ip(node: Any) -> Any:
    value = constant(node)
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return None


def _exempt(address: Any) -> bool:
    if address.is_loopback or address.is_unspecified or address.is_link_local or address.is_multicast:
        return True
    return str(address) in _WELL_KNOWN or any(address in net for net in _DOC_NETWORKS if net.version == address.version)


__all__ = ["auth_and_config"]
