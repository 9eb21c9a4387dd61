"""Barrier guards: what a branch condition proves about a value (`dataflow.py`).

A guard clears a sink kind only when it is complete for it:

- `x == "const"`, `x in ALLOWED` (a value the code chose): every kind;
- a predicate of the models (`x.isdigit()`, `url_has_allowed_host_and_scheme(x)`):
  the kinds its entry names (`guard = true` in `rules/models/taint-*.toml`);
- a parsed URL whose host is one of a set of non-empty constant hosts: redirect, url;
- a path normalised by realpath/abspath/normpath/resolve that is then found under
  a base (`startswith(base)` with a base ending in a separator, `commonpath`,
  `is_relative_to`, `base in p.parents`, or `p.relative_to(base)` as a statement,
  which raises unless p is under base): path;
- a value known to contain neither "\\r" nor "\\n" (rejected or removed): log, header;
- a value without "..", appended as text to a fixed folder (`"/srv/files/" + v`): path
  (no component of it can climb; an absolute value stays below, "/srv/files//etc");
  joined with os.path.join it is not (an absolute value replaces the folder);
- a value without the quote character, placed inside a literal that quote opened
  (`"//user[@name='" + v`): xpath (an XPath literal has no escape); also sql when the
  value has no backslash either (MySQL reads `\\'` as a quote inside the literal).

Rejecting a substring ("../", a quote) proves nothing else: an absolute path has
no "../", and a number needs no quote to change an SQL statement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from astroid import nodes

from lintkit.python.models import ALL
from lintkit.python.values import CLEAN, NOCONST, Env, Taint, Val, const_of, join_env, var_name

if TYPE_CHECKING:
    from lintkit.python.dataflow import Interpreter

# A value without these characters cannot start a new log line or header.
LINE_BREAKS = frozenset({"\r", "\n"})
QUOTES = ("'", '"')
_SEPARATORS = ("/", "\\")


def contained(call: Any, env: Env) -> None:
    """`p.relative_to(base)` as a statement raises ValueError unless the normalised
    path p is under base: after it, p is (pathlib.PurePath.relative_to)."""
    if isinstance(call, nodes.Call) and isinstance(call.func, nodes.Attribute) and call.func.attrname == "relative_to" and call.args:
        name = var_name(call.func.expr)
        if name and name in env and _normalised(env[name]):
            env[name] = clear(env[name], frozenset({"path"}))


def refine(interp: Interpreter, test: Any, env: Env, outcome: bool) -> None:
    """Narrow `env` knowing `test` evaluated to `outcome` (barrier guards)."""
    if isinstance(test, nodes.UnaryOp) and test.op == "not":
        refine(interp, test.operand, env, not outcome)
        return
    if isinstance(test, nodes.BoolOp):
        if (test.op == "and") == outcome:  # all operands hold
            for v in test.values:
                refine(interp, v, env, outcome)
            return
        # `A and B` false: not A, or A and not B (likewise for `or` true): join the cases
        cases: list[Env] = []
        prefix: Env = dict(env)
        for v in test.values:
            case = dict(prefix)
            refine(interp, v, case, outcome)
            cases.append(case)
            refine(interp, v, prefix, not outcome)
        joined: Env | None = None
        for case in cases:
            joined = join_env(joined, case)
        if joined is not None:
            env.clear()
            env.update(joined)
        return
    if isinstance(test, nodes.Name) and not outcome and test.name in env:
        # a falsy value ("", None, 0, []) carries no content
        env[test.name] = CLEAN
        return
    if isinstance(test, nodes.Compare) and len(test.ops) == 1:
        _compare(interp, test, env, outcome)
        return
    if isinstance(test, nodes.Call) and outcome:
        _predicate(interp, test, env)


def _compare(interp: Interpreter, test: Any, env: Env, outcome: bool) -> None:
    op, right = test.ops[0]
    left = test.left
    positive = op in ("==", "in", "is") and outcome or op in ("!=", "not in", "is not") and not outcome
    rval = interp.expr(right, dict(env))
    # urlparse(x).netloc / .hostname among constant hosts: x cannot leave them
    if isinstance(left, nodes.Attribute) and left.attrname in ("netloc", "hostname") and var_name(left.expr):
        parsed = env.get(var_name(left.expr) or "")
        if parsed is not None and positive and _named_hosts(rval, op):
            for flag in parsed.flags:
                if flag.startswith("urlof:") and flag[6:] in env:
                    env[flag[6:]] = clear(env[flag[6:]], frozenset({"redirect", "url"}))
        return
    # os.path.commonpath([base, p]) == base: p is under base, component by component
    if positive and op in ("==", "!=") and (_commonpath_of(interp, left, right, env) or _commonpath_of(interp, right, left, env)):
        return
    # base in p.parents (p normalised): p is below base, component by component
    if positive and op in ("in", "not in") and isinstance(right, nodes.Attribute) and right.attrname == "parents":
        name = var_name(right.expr)
        if name and name in env and _normalised(env[name]) and not interp.expr(left, dict(env)).all_taints():
            env[name] = clear(env[name], frozenset({"path"}))
        return
    # x == "const" / x in ALLOWED: x is a value the code chose on the true side
    name = var_name(left)
    if name and positive and name in env and not rval.all_taints():
        env[name] = clear(env[name], frozenset({ALL}))
        return
    # "\n" in x being false: x has no line break
    lval = interp.expr(left, dict(env))
    rname = var_name(right)
    rejected = op == "in" and not outcome or op == "not in" and outcome
    if rname and rejected and rname in env and isinstance(lval.const, str) and lval.const:
        env[rname] = without_chars(env[rname], frozenset({lval.const}))


def _named_hosts(hosts: Val, op: str) -> bool:
    """A host compared with constant, non-empty host names ("" is a relative URL,
    which browsers may still send elsewhere: `/\\evil.example`)."""
    value = const_of(hosts)
    if value is NOCONST or hosts.all_taints():
        return False
    names = [value] if op in ("==", "!=") else value
    try:
        return all(isinstance(h, str) and h for h in names) and bool(names)
    except TypeError:
        return False


def _commonpath_of(interp: Interpreter, call: Any, base_node: Any, env: Env) -> bool:
    """`os.path.commonpath([base, p]) == base`: p (normalised) is under base."""
    if not isinstance(call, nodes.Call) or interp.qual_of(call.func, env) != "os.path.commonpath" or len(call.args) != 1:
        return False
    listed = call.args[0]
    if not isinstance(listed, (nodes.List, nodes.Tuple)) or len(listed.elts) != 2:
        return False
    base_text = base_node.as_string()
    for a, b in (listed.elts, listed.elts[::-1]):
        name = var_name(b)
        if a.as_string() == base_text and name in env and _normalised(env[name]):
            env[name] = clear(env[name], frozenset({"path"}))
            return True
    return False


def _predicate(interp: Interpreter, test: Any, env: Env) -> None:
    func = test.func
    if isinstance(func, nodes.Attribute) and func.attrname in ("startswith", "is_relative_to"):
        # <normalised path>.startswith(base + os.sep) / Path.resolve().is_relative_to(base)
        name = var_name(func.expr)
        if name and name in env and _normalised(env[name]) and test.args:
            if func.attrname == "is_relative_to" or _ends_with_separator(interp, test.args[0], env):
                env[name] = clear(env[name], frozenset({"path"}))
        return
    qual = interp.qual_of(func, env)
    method = func.attrname if isinstance(func, nodes.Attribute) else None
    san = interp.model.sanitizer_for(qual, method)
    if san is None or not san.guard:
        return
    if san.api.startswith("*."):
        checked = func.expr if isinstance(func, nodes.Attribute) else None
    else:
        checked = test.args[0] if test.args else next((k.value for k in test.keywords or [] if k.arg == "url"), None)
    name = var_name(checked) if checked is not None else None
    if name and name in env:
        env[name] = clear(env[name], san.clears)


def _normalised(val: Val) -> bool:
    taints = val.all_taints()
    return bool(taints) and all("~norm" in t.cleared for t in taints)


def _ends_with_separator(interp: Interpreter, base: Any, env: Env) -> bool:
    """A base that ends with a separator: `startswith("/srv/data")` also admits
    "/srv/data-old/..."; `startswith("/srv/data/")` and `base + os.sep` do not."""
    value = interp.expr(base, dict(env))
    if isinstance(value.const, str):
        return value.const.endswith(_SEPARATORS)
    if isinstance(base, nodes.BinOp) and base.op == "+":
        tail = base.right
        if interp.qual_of(tail, env) in ("os.sep", "os.path.sep"):
            return True
        tail_value = interp.expr(tail, dict(env))
        return isinstance(tail_value.const, str) and tail_value.const.endswith(_SEPARATORS)
    if isinstance(base, nodes.Call) and interp.qual_of(base.func, env) == "os.path.join" and base.args:
        last = interp.expr(base.args[-1], dict(env))
        return last.const == ""
    return False


def without_chars(val: Val, chars: frozenset[str]) -> Val:
    """`val`, known to contain none of the strings `chars`: once it has no line break at all it is
    safe for logs and headers."""
    def add(t: Taint) -> Taint:
        t = t.clear(frozenset(f"~no:{c}" for c in chars))
        if all(f"~no:{c}" in t.cleared for c in LINE_BREAKS):
            t = t.clear(frozenset({"log", "header"}))
        return t

    return val.map_taints(add) if val.all_taints() else val


def open_quote(prefix: str) -> str:
    """The quote character a literal opened in `prefix` leaves open at its end ("" if none)."""
    inside = ""
    for ch in prefix:
        if inside:
            if ch == inside:
                inside = ""
        elif ch in QUOTES:
            inside = ch
    return inside


def quoted(val: Val, quote: str) -> Val:
    """`val` placed inside a literal `quote` opened: safe for XPath when it has no such
    quote; for SQL when it has no backslash either."""
    if not quote or not val.all_taints():
        return val

    def inside(t: Taint) -> Taint:
        if f"~no:{quote}" not in t.cleared:
            return t
        return t.clear(frozenset({"xpath", "sql"} if "~no:\\" in t.cleared else {"xpath"}))

    return val.map_taints(inside)


def under_folder(val: Val, prefix: str) -> Val:
    """`val` appended as text after the fixed folder `prefix`: below it when it has no ".."."""
    if not prefix.endswith(("/", "\\")) or not val.all_taints():
        return val
    return val.map_taints(lambda t: t.clear(frozenset({"path"})) if "~no:.." in t.cleared else t)


def clear(val: Val, kinds: frozenset[str]) -> Val:
    """`val`, safe for the sink kinds `kinds` (for every kind: ALL)."""
    if ALL in kinds:
        return Val(const=val.const, qual=val.qual)
    return val.map_taints(lambda t: t.clear(kinds)) if val.all_taints() else val
