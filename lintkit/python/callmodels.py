"""Call models of the taint interpreter (`dataflow.py`): what the taint models
say of a call (sanitizers, propagators, normalisers), builtins, and the
methods of lists, dicts and strings with element precision and constant
folding. A call nothing models passes its arguments' taint on."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

from astroid import nodes

from lintkit.python.guards import LINE_BREAKS, QUOTES, without_chars
from lintkit.python.models import ALL
from lintkit.python.redos import catastrophic
from lintkit.python.sinks import is_shell_prefix
from lintkit.python.values import CLEAN, Taint, MAX_STR, NOCONST, Env, Val, as_text, dedupe, const_of, const_val, derived, join_all, var_name, with_taint

if TYPE_CHECKING:
    from lintkit.python.dataflow import Interpreter

# Results of these calls never carry their input's content.
_CLEAN_METHODS = frozenset(
    "startswith endswith isdigit isalpha isalnum isnumeric isdecimal isspace islower isupper istitle isidentifier "
    "count find rfind index rindex __len__ __contains__ keys_count".split()
)
_STR_METHODS = frozenset(
    "lower upper strip lstrip rstrip replace title capitalize casefold swapcase split rsplit splitlines join format "
    "encode decode zfill center ljust rjust partition rpartition removeprefix removesuffix expandtabs".split()
)
_MUTATORS = frozenset("append extend insert add update write writelines put setdefault appendleft extendleft".split())
_CONVERSIONS: dict[str, Callable[[Any], Any]] = {"builtins.int": int, "builtins.float": float, "builtins.bool": bool, "builtins.len": len}
_FOLDABLE_BUILTINS: dict[str, Callable[..., Any]] = {
    "builtins.chr": chr, "builtins.ord": ord, "builtins.hex": hex, "builtins.oct": oct, "builtins.bin": bin,
    "builtins.min": min, "builtins.max": max, "builtins.abs": abs, "builtins.str": str, "builtins.len": len,
}


def builtin_call(node: Any, qual: str | None, args: list[Val], kwargs: dict[str, Val]) -> Val:
    """The value of a call of a builtin (or of any function no model knows)."""
    if qual in _FOLDABLE_BUILTINS and args and not kwargs:
        consts = [const_of(a) for a in args]
        if all(c is not NOCONST for c in consts):
            try:
                out = _FOLDABLE_BUILTINS[qual](*consts)
                if not isinstance(out, (str, bytes)) or len(out) <= MAX_STR:
                    return const_val(out)
            except Exception:
                pass
    if qual in ("builtins.str", "builtins.repr", "builtins.bytes", "builtins.bytearray", "builtins.format"):
        if args and const_of(args[0]) is not NOCONST and qual == "builtins.str":
            return Val(const=str(const_of(args[0])))
        return derived(node, [as_text(a) for a in args])
    if qual in ("builtins.list", "builtins.tuple", "builtins.sorted", "builtins.reversed"):
        if args and args[0].items is not None:
            items = args[0].items
            if qual == "builtins.reversed":
                items = tuple(reversed(items))
            return Val(items=items) if qual != "builtins.sorted" else Val(taints=join_all(items).all_taints())
        return derived(node, args)
    if qual in ("builtins.dict",):
        if not args and kwargs:
            return Val(keys=tuple(kwargs.items()))
        if args and args[0].keys is not None:
            return args[0]
        return derived(node, args + list(kwargs.values()))
    if qual in ("builtins.print", "builtins.isinstance", "builtins.issubclass", "builtins.hasattr", "builtins.getattr", "builtins.range", "builtins.type", "builtins.any", "builtins.all", "builtins.min", "builtins.max", "builtins.sum", "builtins.chr", "builtins.hex", "builtins.oct", "builtins.bin"):
        if qual in ("builtins.min", "builtins.max", "builtins.chr"):
            return derived(node, args)
        return CLEAN
    if qual and qual.startswith("builtins.") and qual[9:] in ("enumerate", "zip", "map", "filter", "iter", "next", "set", "frozenset"):
        return derived(node, args)
    if qual and not qual.startswith("builtins.") and not args and not kwargs:
        return Val(qual=qual + "()")
    if qual and not qual.startswith("builtins."):
        return passed_through(node, qual, args)
    return derived(node, args, f"passed through {short_name(qual)}()" if qual else "")


def passed_through(node: Any, qual: str, args: list[Val]) -> Val:
    """The value of a call nothing knows (`helpers.clean(x)`): its arguments' taint,
    remembering the call, in case another module's summary says more (`Taint.via`)."""
    msg = f"passed through {short_name(qual)}()"
    taints: list[Taint] = []
    for i, a in enumerate(args):
        taints += [replace(t.step(node, msg), via=t.via + ((qual, i),)) for t in a.all_taints()]
    return Val(taints=dedupe(taints)) if taints else CLEAN


def method_call(node: Any, func: Any, method: str, recv: Val, args: list[Val], kwargs: dict[str, Val], env: Env) -> Val:
    """The value of `recv.method(...)`; a method that changes a container or a
    store held in a variable updates that variable in `env`."""
    name = var_name(func.expr)
    if method == "setFeature" and name and len(args) == 2 and (args[0].qual or "").endswith(("feature_external_ges", "feature_external_pes")):
        if args[1].const is True:
            env[name] = replace(recv, flags=recv.flags | {"xxe"})
        elif args[1].const is False:
            env[name] = replace(recv, flags=recv.flags - {"xxe"})
        return CLEAN
    # list/dict models with element precision
    if recv.items is not None and name:
        items = list(recv.items)
        if method == "append" and len(args) == 1:
            env[name] = Val(items=tuple(items + [args[0]]), shell_list=recv.shell_list or is_shell_prefix(items + [args[0]]))
            return CLEAN
        if method == "extend" and len(args) == 1 and args[0].items is not None:
            env[name] = Val(items=tuple(items + list(args[0].items)), shell_list=recv.shell_list or is_shell_prefix(items + list(args[0].items)))
            return CLEAN
        if method == "insert" and len(args) == 2 and args[0].is_const and isinstance(args[0].const, int):
            items.insert(args[0].const, args[1])
            env[name] = Val(items=tuple(items))
            return CLEAN
        if method == "pop":
            idx = args[0].const if args and args[0].is_const else (-1 if not args else None)
            if isinstance(idx, int) and items and -len(items) <= idx < len(items):
                out = items.pop(idx)
                env[name] = Val(items=tuple(items))
                return out
        if method == "remove" and args and args[0].is_const:
            for i, v in enumerate(items):
                if v.is_const and v.const == args[0].const:
                    del items[i]
                    env[name] = Val(items=tuple(items))
                    break
            return CLEAN
        if method == "reverse":
            env[name] = Val(items=tuple(reversed(items)))
            return CLEAN
        if method in ("copy",):
            return recv
        if method in ("index", "count"):
            return CLEAN
    # configparser's two-level store: set(section, option, value) / get(section, option)
    if method == "set" and name and len(args) == 3 and args[0].is_const and args[1].is_const and _is_config_parser(recv):
        d = dict(recv.keys or ())
        d[(args[0].const, args[1].const)] = args[2]
        env[name] = replace(recv, keys=tuple(d.items()))
        return CLEAN
    if method == "get" and recv.keys is not None and _is_config_parser(recv) and len(args) >= 2 and args[0].is_const and args[1].is_const:
        d = dict(recv.keys)
        return d.get((args[0].const, args[1].const), CLEAN)
    if recv.keys is not None and name:
        d = dict(recv.keys)
        if method == "get" and args and args[0].is_const:
            if args[0].const in d:
                return d[args[0].const]
            return args[1] if len(args) > 1 else CLEAN
        if method in ("setdefault",) and args and args[0].is_const:
            d.setdefault(args[0].const, args[1] if len(args) > 1 else CLEAN)
            env[name] = Val(keys=tuple(d.items()))
            return d[args[0].const]
        if method == "update" and len(args) == 1 and args[0].keys is not None:
            d.update(dict(args[0].keys))
            env[name] = Val(keys=tuple(d.items()))
            return CLEAN
        if method == "pop" and args and args[0].is_const:
            out = d.pop(args[0].const, args[1] if len(args) > 1 else CLEAN)
            env[name] = Val(keys=tuple(d.items()))
            return out
        if method == "keys":
            return Val(items=tuple(Val(const=k) for k in d))
        if method == "values":
            return Val(items=tuple(d.values()))
        if method == "items":
            return Val(items=tuple(Val(items=(Val(const=k), v)) for k, v in d.items()))
        if method == "copy":
            return recv
    # constant folding of str methods
    rc = const_of(recv)
    if rc is not NOCONST and isinstance(rc, (str, bytes)) and method in _STR_METHODS | _CLEAN_METHODS:
        cargs = [const_of(a) for a in args]
        if all(c is not NOCONST for c in cargs) and not kwargs:
            try:
                return const_val(getattr(rc, method)(*cargs))
            except Exception:
                pass
    if method in _CLEAN_METHODS:
        return CLEAN
    # mutation: tainted data stored into the receiver
    if method in _MUTATORS and name and any(a.all_taints() for a in args):
        taints = tuple(t for a in args for t in a.all_taints())
        env[name] = with_taint(recv, tuple(t.step(node, f"stored into '{name}'") for t in taints))
        return CLEAN
    if method == "join" and args:
        if rc is not NOCONST and args[0].items is not None:
            parts = [const_of(v) for v in args[0].items]
            if all(isinstance(p, str) for p in parts) and isinstance(rc, str):
                return Val(const=rc.join(parts))
        return derived(node, [recv] + args, "joined")
    if method == "format":
        return derived(node, [recv] + args + list(kwargs.values()), "formatted with str.format")
    if method == "replace" and len(args) == 2 and isinstance(args[0].const, str) and isinstance(args[1].const, str):
        return replaced(derived(node, [recv], ""), args[0].const, args[1].const)
    if method in _STR_METHODS:
        return derived(node, [recv] + (args if method == "replace" else []), "")
    if method == "get" and recv.qual is None:
        return derived(node, [recv], "")
    parts = [recv] + args  # keyword arguments of unknown calls are options or lookups, not the result
    if recv.qual and not any(p.all_taints() for p in parts):
        return Val(qual=f"{recv.qual}.{method}()")  # e.g. configparser.ConfigParser(): keep the type
    if recv.qual and not recv.all_taints():  # helpers.clean(x): a function of another module
        return passed_through(node, f"{recv.qual}.{method}", args)
    return derived(node, parts, "")


def _is_config_parser(recv: Val) -> bool:
    return (recv.qual or "").startswith("configparser.")


def replaced(val: Val, sub: str, repl: str) -> Val:
    """`val.replace(sub, repl)`: replacing every occurrence of one character by text
    without it is complete for that character (one character cannot reappear from the
    rest); longer substrings prove nothing ("....//".replace("../", "") is "../"), and
    what `repl` brings undoes what was known of its characters."""
    if repl:
        gone = frozenset(f"~no:{c}" for c in repl)
        gone |= frozenset({"log", "header"}) if LINE_BREAKS & set(repl) else frozenset()
        gone |= frozenset({"xpath", "sql"}) if set(QUOTES) & set(repl) or "\\" in repl else frozenset()
        val = val.map_taints(lambda t: replace(t, cleared=t.cleared - gone))
    if len(sub) == 1 and sub not in repl:
        return without_chars(val, frozenset({sub}))
    return val


def model_call(interp: Interpreter, node: Any, qual: str | None, method: str | None, recv: Val | None,
               args: list[Val], kwargs: dict[str, Val]) -> Val | None:
    """The value of a call the taint models (or the project's `sanitizers`
    option) describe: a sanitizer, a propagator, a normaliser, an XML parser,
    a parsed URL. None for any other call."""
    func = node.func
    name = func.attrname if isinstance(func, nodes.Attribute) else (func.name if isinstance(func, nodes.Name) else None)
    extra = interp.extra_sanitizers.get(qual or "") or interp.extra_sanitizers.get(name or "")
    san = interp.model.sanitizer_for(qual, method if recv is not None else None)
    if extra is not None or (san is not None and not san.guard):
        clears = extra if extra is not None else san.clears  # type: ignore[union-attr]
        first = args[0] if args else (next(iter(kwargs.values())) if kwargs else CLEAN)
        if san is not None and extra is None and san.api.startswith("*.") and recv is not None and not args:
            first = recv  # querydict.urlencode(safe="/"): the receiver is what is encoded
        c = const_of(first)
        if ALL in clears:
            if c is not NOCONST and qual in ("builtins.int", "builtins.float", "builtins.bool", "builtins.len"):
                try:
                    return Val(const=_CONVERSIONS[qual](c))
                except Exception:
                    return CLEAN
            return CLEAN
        return first.map_taints(lambda t: t.step(node, f"passed through {name or qual}()").clear(clears))
    prop = interp.model.propagators.get(qual or "")
    if prop is not None:  # only these arguments reach the result (translate_url(url, lang): the url)
        picked = [args[i] for i in prop[0] if i < len(args)] + [kwargs[k] for k in prop[1] if k in kwargs]
        return derived(node, picked, f"passed through {short_name(qual)}()")
    if interp.model.is_normalizer(qual, method):
        base = recv if (method and recv is not None and not args) else (args[0] if args else CLEAN)
        return base.map_taints(lambda t: t.step(node, f"normalised by {name}()").clear(frozenset({"~norm"})))
    typ = interp.model.returns.get(qual or "")
    if typ is not None:  # logging.getLogger(...) is a logging.Logger; what it was made from stays in it
        flags = frozenset({"redos"}) if qual == "re.compile" and args and catastrophic(args[0].const) else frozenset()
        return Val(qual=typ, taints=derived(node, args + list(kwargs.values())).taints, flags=flags)
    if qual and qual.endswith("XMLParser"):
        resolving = kwargs.get("resolve_entities")
        flags = frozenset({"xxe"}) if resolving is not None and resolving.const is True else frozenset()
        return Val(qual=qual + "()", flags=flags)
    if qual in ("urllib.parse.urlparse", "urllib.parse.urlsplit", "urlparse.urlparse", "urlparse.urlsplit") and node.args:
        src_name = var_name(node.args[0])
        out = derived(node, args, "parsed as a URL")
        return replace(out, flags=frozenset({f"urlof:{src_name}"})) if src_name else out
    return None


def short_name(qual: str | None) -> str:
    """`pkg.mod.func` -> `func`, for flow messages."""
    return (qual or "").rsplit(".", 1)[-1]
