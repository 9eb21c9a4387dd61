"""Barrier guards: what a branch condition proves about a value (`dataflow.py`).

On the branch where `x == "const"` or `x in ALLOWED` holds, `x` is one known
value; where a parsed URL's host was compared to known hosts, the URL cannot
leave them; a normalised path that passed `startswith(base)` stays under
base; a value without quotes, or wrapped in them, is one string literal.
Each fact clears the sink kinds it protects (`Taint.cleared`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from astroid import nodes

from lintkit.python.models import ALL
from lintkit.python.values import CLEAN, Env, Taint, Val, join_env, var_name

if TYPE_CHECKING:
    from lintkit.python.dataflow import Interpreter

QUOTE_CHARS = frozenset({"'", '"'})


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
        op, right = test.ops[0]
        left = test.left
        name = var_name(left)
        rval = interp.expr(right, dict(env))
        # urlparse(x).netloc / .hostname checked against known hosts: x cannot leave them
        if isinstance(left, nodes.Attribute) and left.attrname in ("netloc", "hostname") and var_name(left.expr):
            parsed = env.get(var_name(left.expr) or "")
            positive = op in ("==", "in") and outcome or op in ("!=", "not in") and not outcome
            if parsed is not None and positive and not rval.all_taints():
                for flag in parsed.flags:
                    if flag.startswith("urlof:") and flag[6:] in env:
                        env[flag[6:]] = clear(env[flag[6:]], frozenset({"redirect", "url"}))
            return
        # x == "const" / x in ALLOWED: x is a known-safe value on the true side
        positive = op in ("==", "in", "is") and outcome or op in ("!=", "not in", "is not") and not outcome
        if name and positive and name in env and not rval.all_taints():
            env[name] = clear(env[name], frozenset({ALL}))
            return
        # "'" in x  being false: x has no quote, safe inside a quoted literal
        lname = var_name(right)
        lval = interp.expr(left, dict(env))
        negative = op == "in" and not outcome or op == "not in" and outcome
        if lname and negative and lname in env and lval.is_const:
            rejected = rejected_substring_kinds(lval.const)
            if rejected:
                env[lname] = clear(env[lname], rejected)
        # Q not in x[1:-1]: with a quote at both ends, x is one plain string literal
        if negative and lval.is_const and lval.const in QUOTE_CHARS and isinstance(right, nodes.Subscript):
            inner = var_name(right.value)
            if inner and inner in env:
                env[inner] = literal_fact(env[inner], "~nq")
        return
    if isinstance(test, nodes.Call) and outcome:
        func = test.func
        # <normalised path>.startswith(base): path traversal barrier
        if isinstance(func, nodes.Attribute) and func.attrname in ("startswith", "endswith"):
            name = var_name(func.expr)
            if name and name in env:
                v = env[name]
                arg = interp.expr(test.args[0], dict(env)) if test.args else CLEAN
                if arg.is_const and arg.const in QUOTE_CHARS:
                    env[name] = literal_fact(v, "~sq" if func.attrname == "startswith" else "~eq")
                elif func.attrname == "startswith" and all("~norm" in t.cleared for t in v.all_taints()):
                    env[name] = clear(v, frozenset({"path"}))
            return
        qual = interp.qual_of(func, env)
        san = interp.model.sanitizer_for(qual, None, None)
        checked = test.args[0] if test.args else next((k.value for k in test.keywords or [] if k.arg == "url"), None)
        if san is not None and san.guard and checked is not None:
            name = var_name(checked)
            if name and name in env:
                env[name] = clear(env[name], san.clears)


def literal_fact(val: Val, fact: str) -> Val:
    """Record one of: starts with a quote, ends with one, none inside. All
    three make the value a single string literal: harmless to eval/exec."""
    def add(t: Taint) -> Taint:
        t = t.clear(frozenset({fact}))
        if {"~sq", "~eq", "~nq"} <= t.cleared:
            t = t.clear(frozenset({"code"}))
        return t

    return val.map_taints(add) if val.all_taints() else val


def clear(val: Val, kinds: frozenset[str]) -> Val:
    """`val`, safe for the sink kinds `kinds` (for every kind: ALL)."""
    if ALL in kinds:
        return Val(const=val.const, qual=val.qual)
    return val.map_taints(lambda t: t.clear(kinds)) if val.all_taints() else val


def rejected_substring_kinds(sub: Any) -> frozenset[str]:
    """Sink kinds a value is safe for once it is known not to contain `sub`."""
    if not isinstance(sub, str) or not sub:
        return frozenset()
    if sub in QUOTE_CHARS:
        return frozenset({"xpath", "sql", "ldap"})  # cannot leave a quoted literal
    if sub in ("..", "../", "..\\"):
        return frozenset({"path"})
    if sub in ("\n", "\r"):
        return frozenset({"log", "header"})
    return frozenset()
