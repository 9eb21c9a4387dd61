"""Cryptography detectors: weak hashing (PSC015/PSC016), weak ciphers and key
sizes (PSC014), weak randomness for secrets (PSC029), disabled certificate
validation (PSC009)."""

from __future__ import annotations

import re
from typing import Any

from astroid import nodes

from lintkit.python.calls import (
    NOT_CONSTANT,
    argument,
    constant,
    enclosing_function,
    keyword,
    method_name,
    words,
)
from lintkit.python.localflow import destinations
from lintkit.python.names import call_name, qualified
from lintkit.python.security_common import is_false, is_true, sensitive_identifier, under_option_guard
from lintkit.python.walk import nodes_of

# -- weak hashing ---------------------------------------------------------------

# APIs whose argument is a cookie or a password: a value passed to them is one.
_COOKIE_SETTERS = {"set_cookie", "set_signed_cookie", "set_password", "set_unusable_password"}

_WEAK_HASHES = {"md5", "md4", "md2", "sha1", "sha", "md5sha1"}  # compared without "-" and "_" ("SHA-1")
# Fast hashes that are not broken, but are no way to store a password:
# reported only when the hashed data is a password (CWE-916).
_FAST_HASHES = {
    "sha224", "sha256", "sha384", "sha512", "sha512224", "sha512256", "sha3224", "sha3256", "sha3384", "sha3512",
    "blake2b", "blake2s",
}
_PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "pwd"})
# A value from these is fresh randomness: hashing it derives a nonce, and no
# collision resistance is relied on (aiohttp's digest-auth cnonce).
_RANDOM_SOURCES = frozenset({"os.urandom", "secrets.token_bytes", "secrets.token_hex", "secrets.token_urlsafe", "secrets.randbits", "uuid.uuid4"})
_OTHER_WEAK_HASH_CALLS = re.compile(
    r"^(?:cryptography\.hazmat\.primitives\.hashes\.(?:MD5|SHA1)"
    r"|Crypto(?:dome)?\.Hash\.(?:MD5|MD4|MD2|SHA|SHA1)\.new)$"
)


def weak_hashing(module: nodes.Module, ctx: Any) -> None:
    """md5/sha1 on passwords, secrets or tokens. A weak hash of anything else
    (a cache key, an ETag, a file checksum) is not reported: that is the
    precise policy of CodeQL's `py/weak-sensitive-data-hashing`, while
    bandit's B324 reports every call."""
    for call in nodes_of(module, nodes.Call):
        name = call_name(call) or ""
        algorithm = _hashlib_algorithm(call, name)
        code = "PSC016"
        if algorithm is None:
            if not _OTHER_WEAK_HASH_CALLS.match(name):
                continue
            code, algorithm = "PSC015", name.rsplit(".", 2)[-2 if name.endswith(".new") else -1].lower()
        if not ctx.enabled(code):
            continue
        if isinstance(call.parent, nodes.Attribute) and call.parent.attrname in ("digest_size", "block_size", "name"):
            continue  # `sha1().digest_size`: a size lookup, nothing is hashed
        if _hashes_randomness(call) or _protocol_dictated(call):
            continue
        fix = (
            "Hash passwords with a slow salted KDF (hashlib.scrypt, argon2, bcrypt, Django's make_password); "
            "use SHA-256 or better elsewhere, or pass usedforsecurity=False for a non-security checksum"
        )
        if _canonical(algorithm) in _FAST_HASHES:
            password = _hashed_password(call)
            if password is not None:
                ctx.report(code, call, f"{algorithm.upper()} is a fast hash: '{password}' hashed with it is cheap to brute-force", fix=fix)
            continue
        reason = _algorithm_use(call) if code == "PSC015" and name.startswith("cryptography.") else _hash_context(call)
        if reason is None:
            continue
        ctx.report(code, call, f"{algorithm.upper()} is a broken hash and {reason}", fix=fix)


# Signatures rely on the hash's collision resistance (SHA-1 certificates and
# signatures are forgeable). HMAC, HKDF, PBKDF2, OAEP and MGF1 do not: HMAC-SHA1
# (which TOTP, OAuth 1.0a and many wire protocols mandate) is not broken.
_SIGNING_USES = {"sign", "verify"}


def _algorithm_use(call: nodes.Call) -> str | None:
    """`hashes.SHA1()` is an algorithm choice: weak when it signs or verifies a
    signature; an HMAC, a KDF or a certificate fingerprint is not a broken use."""
    parent = call.parent.parent if isinstance(call.parent, nodes.Keyword) else call.parent
    if isinstance(parent, nodes.Call):
        consumer = (call_name(parent) or method_name(parent) or "").rsplit(".", 1)[-1]
        if consumer in _SIGNING_USES:
            return f"it is used by {consumer}()"
        if consumer == "Hash":
            return _hash_context(parent)
    return None


def _canonical(algorithm: str) -> str:
    """'SHA-1', 'sha_1', 'sha1' -> 'sha1' (hashlib.new accepts OpenSSL's spellings)."""
    return algorithm.lower().replace("-", "").replace("_", "")


def _hashlib_algorithm(call: nodes.Call, name: str) -> str | None:
    """The weak or fast algorithm a hashlib call uses, as written."""
    if not name.startswith(("hashlib.", "_hashlib.")):
        return None
    used = keyword(call, "usedforsecurity")
    if is_false(used):
        return None
    short = name.rsplit(".", 1)[-1]
    if short in ("new",):
        algo = constant(argument(call, 0, "name"))
        return algo if isinstance(algo, str) and _canonical(algo) in _WEAK_HASHES | _FAST_HASHES else None
    short = short.removeprefix("openssl_")
    return short if _canonical(short) in _WEAK_HASHES | _FAST_HASHES else None


def _hashed_data(call: nodes.Call) -> list[Any]:
    """What a hash call hashes: its arguments, and what `h.update(...)` adds
    when the hash object is bound to a local name."""
    hashed = list(call.args) + [kw.value for kw in call.keywords or () if kw.arg != "usedforsecurity"]
    for dest in destinations(call):
        if dest.kind == "store" and isinstance(dest.node, nodes.AssignName):
            for attr in nodes_of(dest.node.frame(), nodes.Attribute):
                if attr.attrname == "update" and isinstance(attr.expr, nodes.Name) and attr.expr.name == dest.label:
                    if isinstance(attr.parent, nodes.Call):
                        hashed.extend(attr.parent.args)
    return hashed


def _hashed_password(call: nodes.Call) -> str | None:
    for expr in _hashed_data(call):
        for ident in _identifiers(expr):
            if _PASSWORD_WORDS & set(words(ident)):
                return ident
    return None


def _hashes_randomness(call: nodes.Call) -> bool:
    """`sha1(nonce + os.urandom(8))`: deriving a random token, not protecting data."""
    return any(
        (call_name(c) or "") in _RANDOM_SOURCES for expr in _hashed_data(call) for c in [expr, *expr.nodes_of_class(nodes.Call)] if isinstance(c, nodes.Call)
    )


def _protocol_dictated(call: nodes.Call) -> bool:
    """A weak hash a wire protocol prescribes, in the function that speaks it:
    MySQL's native password scramble SHA1(password) XOR SHA1(salt + SHA1(SHA1(password)))
    (a SHA-1 of a SHA-1 digest), and PostgreSQL's md5 authentication,
    "md5" + md5(md5(password + user) + salt) (an MD5 digest after the literal "md5")."""
    scope = enclosing_function(call)
    if scope is None:
        return False
    for other in nodes_of(scope, nodes.Call):
        algorithm = _hashlib_algorithm(other, call_name(other) or "")
        if algorithm is None:
            continue
        canon = _canonical(algorithm)
        if canon == "sha1" and any(_is_digest_of(expr, "sha1", scope) for expr in _hashed_data(other)):
            return True
        if canon == "md5" and _after_md5_literal(other):
            return True
    return False


def _is_digest_of(expr: Any, algorithm: str, scope: Any) -> bool:
    """Is `expr` (or the local it names) the digest of an `algorithm` hash?"""
    if isinstance(expr, nodes.Name):
        values = [a.parent.value for a in nodes_of(scope, nodes.AssignName) if a.name == expr.name and isinstance(a.parent, nodes.Assign)]
        return bool(values) and all(_is_digest_of(v, algorithm, None) for v in values)
    if isinstance(expr, nodes.Call) and isinstance(expr.func, nodes.Attribute) and expr.func.attrname in ("digest", "hexdigest"):
        inner = expr.func.expr
        if isinstance(inner, nodes.Call):
            found = _hashlib_algorithm(inner, call_name(inner) or "")
            return found is not None and _canonical(found) == algorithm
    return False


def _after_md5_literal(call: nodes.Call) -> bool:
    """`b"md5" + md5(...).hexdigest()...`: PostgreSQL's md5 password message."""
    node: Any = call
    while isinstance(node.parent, (nodes.Attribute, nodes.Call)) and node.parent is not None:
        node = node.parent
    parent = node.parent
    return isinstance(parent, nodes.BinOp) and parent.op == "+" and parent.right is node and constant(parent.left) in ("md5", b"md5")


def _hash_context(call: nodes.Call) -> str | None:
    """Why this hash protects something sensitive, or None."""
    hashed = _hashed_data(call)
    dests = destinations(call)
    for expr in hashed:
        for ident in _identifiers(expr):
            if sensitive_identifier(ident):
                return f"hashes '{ident}'"
    for dest in dests:
        label = dest.label if dest.kind != "arg" else (dest.label or dest.key)
        if label and sensitive_identifier(label):
            return f"its digest goes to '{label}'"
        if dest.kind == "subscript" and dest.key and sensitive_identifier(dest.key):
            return f"its digest goes to '{dest.key}'"
        if dest.kind == "arg" and dest.key in _COOKIE_SETTERS:
            return f"its digest is passed to {dest.key}()"
    func = enclosing_function(call)
    if func is not None and sensitive_identifier(func.name):
        return f"is used in '{func.name}'"
    return None


def _identifiers(expr: Any) -> list[str]:
    """Names and attributes in `expr`, without imported ones (in the Salt
    project `salt.utils.stringutils.to_bytes(x)` hashes `x`, not a salt), and the
    keys values are read by (`form["password"]`, `body.get("password")`)."""
    out: list[str] = []
    for node in [expr, *expr.nodes_of_class((nodes.Name, nodes.Attribute, nodes.Subscript, nodes.Call))]:
        if isinstance(node, (nodes.Name, nodes.Attribute)) and qualified(node) is not None:
            continue
        if isinstance(node, nodes.Name):
            out.append(node.name)
        elif isinstance(node, nodes.Attribute):
            out.append(node.attrname)
        elif isinstance(node, nodes.Subscript) and isinstance(node.slice, nodes.Const) and isinstance(node.slice.value, str):
            out.append(node.slice.value)
        elif isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute) and node.func.attrname == "get" and node.args:
            key = node.args[0]
            if isinstance(key, nodes.Const) and isinstance(key.value, str):
                out.append(key.value)
    return out


# -- weak ciphers, modes, key sizes and protocol versions --------------------------

_WEAK_CIPHERS = {"TripleDES", "Blowfish", "ARC4", "IDEA", "CAST5", "SEED", "DES", "DES3", "ARC2", "CAST", "XOR", "RC4", "RC2"}
_WEAK_CURVES = {"SECP192R1", "SECT163K1", "SECT163R2", "SECP160R1", "SECT193R1"}
_WEAK_PROTOCOLS = {
    "ssl.PROTOCOL_SSLv2", "ssl.PROTOCOL_SSLv3", "ssl.PROTOCOL_TLSv1", "ssl.PROTOCOL_TLSv1_1",
    "ssl.TLSVersion.SSLv3", "ssl.TLSVersion.TLSv1", "ssl.TLSVersion.TLSv1_1",
    "OpenSSL.SSL.SSLv2_METHOD", "OpenSSL.SSL.SSLv3_METHOD", "OpenSSL.SSL.TLSv1_METHOD", "OpenSSL.SSL.TLSv1_1_METHOD",
}
_CRYPTO_FIX = "Use AES-GCM or ChaCha20-Poly1305, RSA/DSA keys of at least 2048 bits, curves of at least 224 bits and TLS 1.2+"


def weak_cryptography(module: nodes.Module, ctx: Any) -> None:
    for call in nodes_of(module, nodes.Call):
        name = call_name(call) or ""
        problem = _weak_call(call, name)
        if problem is not None:
            where, message = problem
            ctx.report("PSC014", where, message, fix=_CRYPTO_FIX)
    for attr in nodes_of(module, nodes.Attribute):
        protocol = qualified(attr)
        if protocol in _WEAK_PROTOCOLS and _configures_protocol(attr):
            ctx.report("PSC014", attr, f"{protocol.rsplit('.', 1)[-1]} is a broken protocol version", fix=_CRYPTO_FIX)


def _weak_call(call: nodes.Call, name: str) -> tuple[Any, str] | None:
    parts = name.split(".")
    short = parts[-1]
    if name.startswith("cryptography."):
        if "algorithms" in parts and short in _WEAK_CIPHERS:
            return call, f"{short} is a weak cipher"
        if name.endswith("modes.ECB"):
            return call, "ECB mode leaks patterns of the plaintext"
        if name.endswith("rsa.generate_private_key"):
            return _small_key(call, 1, "key_size", 2048, "RSA")
        if name.endswith(("dsa.generate_private_key", "dsa.generate_parameters")):
            return _small_key(call, 0, "key_size", 2048, "DSA")
        if name.endswith("ec.generate_private_key"):
            curve = argument(call, 0, "curve")
            curve_name = (call_name(curve) if isinstance(curve, nodes.Call) else qualified(curve)) or ""
            if curve_name.rsplit(".", 1)[-1] in _WEAK_CURVES:
                return curve, f"elliptic curve {curve_name.rsplit('.', 1)[-1]} is shorter than 224 bits"
        return None
    if name.startswith(("Crypto.", "Cryptodome.")):
        if len(parts) >= 3 and parts[1] == "Cipher" and short == "new":
            cipher = parts[-2]
            if cipher in _WEAK_CIPHERS:
                return call, f"{cipher} is a weak cipher"
            mode = argument(call, 1, "mode")
            if mode is not None and (qualified(mode) or "").endswith("MODE_ECB"):
                return mode, "ECB mode leaks patterns of the plaintext"
        if name.endswith(("PublicKey.RSA.generate", "PublicKey.DSA.generate")):
            return _small_key(call, 0, "bits", 2048, parts[-2])
    return None


def _small_key(call: nodes.Call, position: int, param: str, minimum: int, algorithm: str) -> tuple[Any, str] | None:
    node = argument(call, position, param)
    value = constant(node)
    if isinstance(value, int) and not isinstance(value, bool) and value < minimum:
        return node, f"{algorithm} key of {value} bits is too short (minimum {minimum})"
    return None


def _passed_or_assigned(attr: nodes.Attribute, settings: tuple[str, ...] | None = None) -> bool:
    """A constant passed to a call, or assigned (to one of `settings`, when
    given): used as a setting, not listed in a mapping or compared against."""
    parent = attr.parent
    if isinstance(parent, nodes.Keyword):
        return True
    if isinstance(parent, nodes.Call) and attr in parent.args:
        return True
    if isinstance(parent, nodes.Assign) and parent.value is attr:
        return settings is None or any(isinstance(t, nodes.AssignAttr) and t.attrname in settings for t in parent.targets)
    return False


def _configures_protocol(attr: nodes.Attribute) -> bool:
    return _passed_or_assigned(attr, ("minimum_version", "maximum_version", "ssl_version"))


# -- weak random -------------------------------------------------------------------

_NOT_RANDOM_VALUES = {"seed", "getstate", "setstate", "shuffle", "SystemRandom", "Random"}


def weak_random(module: nodes.Module, ctx: Any) -> None:
    """A value from the `random` module (any of its functions, including
    `normalvariate`) that becomes a token, password, key, nonce, salt,
    session or cookie value. `secrets`, `os.urandom` and `random.SystemRandom`
    are the safe sources; `random` for simulations, jitter, sampling or
    shuffling is not reported."""
    for call in nodes_of(module, nodes.Call):
        name = call_name(call) or ""
        if not name.startswith("random.") or name.count(".") != 1 or name[7:] in _NOT_RANDOM_VALUES or name[7:].startswith("_"):
            continue
        use = _security_use(call)
        if use is None:
            continue
        where, label = use
        ctx.report(
            "PSC029",
            call,
            f"{name}() is predictable and its value becomes {label}",
            flow=[(call, f"{name}() is not cryptographically secure"), (where, label)],
            fix="Use the secrets module (secrets.token_urlsafe, secrets.choice) or os.urandom",
        )


def _security_use(call: nodes.Call) -> tuple[Any, str] | None:
    for dest in destinations(call):
        if dest.kind in ("store", "subscript") and sensitive_identifier(dest.label):
            return dest.node, f"'{dest.label}'"
        if dest.kind == "subscript" and dest.key and sensitive_identifier(dest.key):
            return dest.node, f"'{dest.label}[{dest.key!r}]'"
        if dest.kind == "arg":
            if dest.key in _COOKIE_SETTERS:
                return dest.node, f"a value passed to {dest.key}()"
            if dest.label and sensitive_identifier(dest.label):
                return dest.node, f"the '{dest.label}' argument of {dest.key or 'a call'}()"
        if dest.kind == "return" and dest.label and sensitive_identifier(dest.label):
            return dest.node, f"the return value of '{dest.label}'"
    return None


# -- certificate validation --------------------------------------------------------

_HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream", "urlopen", "Client", "AsyncClient", "Session", "ClientSession", "TCPConnector", "fetch"}
_GUARD_WORDS = ("verif", "insecure", "ssl", "cert", "check", "tls", "secure", "validate")
# A context factory named for the opt-out it implements (`_make_insecure_ssl_ctx`
# returning the context): the choice is its caller's, made by name.
_OPT_OUT_NAMES = ("insecure", "unverified", "noverify", "no_verify", "without_verification")
_TLS_FIX = "Keep certificate validation on; to trust a private CA, pass its bundle (verify='/path/ca.pem', cafile=...)"


def _opt_out_function(node: Any) -> bool:
    func = enclosing_function(node)
    if func is None or not any(w in func.name.lower() for w in _OPT_OUT_NAMES):
        return False
    returns = [r for r in nodes_of(func, nodes.Return) if r.value is not None]
    return bool(returns) and all(isinstance(r.value, nodes.Name) for r in returns)


def _server_side(node: nodes.Attribute) -> bool:
    """CERT_NONE on a server: the server does not ask clients for a
    certificate, which is what most TLS servers do. `ctx.verify_mode =
    CERT_NONE` on a context made for servers (`SSLContext(PROTOCOL_TLS_SERVER)`,
    `create_default_context(Purpose.CLIENT_AUTH)`), or `cert_reqs=CERT_NONE`
    beside `server_side=True`."""
    parent = node.parent
    if isinstance(parent, nodes.Keyword) and isinstance(parent.parent, nodes.Call):
        return is_true(keyword(parent.parent, "server_side"))
    if not (isinstance(parent, nodes.Assign) and parent.value is node):
        return False
    for target in parent.targets:
        if isinstance(target, nodes.AssignAttr) and target.attrname == "verify_mode" and isinstance(target.expr, nodes.Name):
            name = target.expr.name
            made = [a.parent.value for a in nodes_of(node.scope(), nodes.AssignName) if a.name == name and isinstance(a.parent, nodes.Assign)]
            return bool(made) and all(isinstance(v, nodes.Call) and _server_context(v) for v in made)
    return False


def _server_context(call: nodes.Call) -> bool:
    name = call_name(call) or ""
    if name.endswith("SSLContext"):
        return qualified(argument(call, 0, "protocol")) == "ssl.PROTOCOL_TLS_SERVER"
    if name == "ssl.create_default_context":
        return qualified(argument(call, 0, "purpose")) == "ssl.Purpose.CLIENT_AUTH"
    return False


def certificate_validation(module: nodes.Module, ctx: Any) -> None:
    cert_none_scopes: dict[int, Any] = {}
    hostname_sites: list[Any] = []
    for node in nodes_of(module, (nodes.Call, nodes.Attribute, nodes.Assign)):
        if isinstance(node, nodes.Call):
            name = call_name(node) or ""
            if _opt_out_function(node):
                continue
            if name in ("ssl._create_unverified_context", "ssl._create_stdlib_context") and not under_option_guard(node, _GUARD_WORDS):
                ctx.report("PSC009", node, f"{name}() does not validate certificates", fix=_TLS_FIX)
                continue
            method = method_name(node) or ""
            if method in _HTTP_METHODS or name.startswith(("requests.", "httpx.", "aiohttp.", "urllib3.")):
                for kw in node.keywords or ():
                    if kw.arg in ("verify", "ssl", "verify_ssl") and is_false(kw.value):
                        ctx.report("PSC009", kw.value, f"{kw.arg}=False turns off certificate validation", fix=_TLS_FIX)
                    if kw.arg == "cert_reqs" and constant(kw.value) == "CERT_NONE" and not under_option_guard(node, _GUARD_WORDS):
                        ctx.report("PSC009", kw.value, "cert_reqs='CERT_NONE' turns off certificate validation", fix=_TLS_FIX)
        elif isinstance(node, nodes.Attribute):
            if (
                qualified(node) in ("ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE")
                and _passed_or_assigned(node)
                and not under_option_guard(node, _GUARD_WORDS)
                and not _opt_out_function(node)
                and not _server_side(node)
            ):
                cert_none_scopes[id(node.scope())] = node
        elif isinstance(node, nodes.Assign):
            for target in node.targets:
                if not isinstance(target, nodes.AssignAttr):
                    continue
                if _opt_out_function(node):
                    continue
                if target.attrname == "check_hostname" and is_false(node.value) and target.expr.as_string() != "self":
                    # (`self.check_hostname = False` initialises a context-like class: not a use)
                    hostname_sites.append(node.value)
                elif target.attrname == "verify" and is_false(node.value) and not under_option_guard(node, _GUARD_WORDS):
                    ctx.report("PSC009", node.value, f"'{target.as_string()} = False' turns off certificate validation", fix=_TLS_FIX)
                elif target.attrname == "_create_default_https_context" and qualified(node.value) == "ssl._create_unverified_context":
                    ctx.report("PSC009", node.value, "the default HTTPS context no longer validates certificates", fix=_TLS_FIX)
    # `check_hostname = False` next to CERT_NONE is one decision (CERT_NONE
    # requires it): one finding at CERT_NONE, with the hostname line beside it.
    paired: dict[int, list[Any]] = {}
    for site in hostname_sites:
        if under_option_guard(site, _GUARD_WORDS):
            continue
        if id(site.scope()) in cert_none_scopes:
            paired.setdefault(id(site.scope()), []).append(site)
        else:
            ctx.report("PSC009", site, "check_hostname = False accepts a certificate for any host", fix=_TLS_FIX)
    for scope_id, node in cert_none_scopes.items():
        related = [(site, "check_hostname = False here too: any host's certificate is accepted") for site in paired.get(scope_id, [])]
        ctx.report("PSC009", node, "ssl.CERT_NONE turns off certificate validation", related=related, fix=_TLS_FIX)




__all__ = ["NOT_CONSTANT", "certificate_validation", "weak_cryptography", "weak_hashing", "weak_random"]
