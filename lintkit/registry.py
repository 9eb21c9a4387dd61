"""Rules: one TOML declaration each, checks named there, packs.

A *rule* is one TOML file (the single source for `lintkit rules`, `lintkit
explain`, SARIF descriptors, the docs and the pylint plugin). It declares
everything that is a fact about the rule: code, name, severity, the file kinds
it reads and the check function for each (`check = "module:function"`), typed
options, whether it is on by default, its pylint message id, CodeGuru detector
ids and, for taint rules, the sink kinds it reports. Several rules may name one
check function, which then runs when any of them is enabled.

A *pack* is a directory of such TOMLs plus the modules they name: lintkit's own
built-in pack, and third-party packs found through the `lintkit.rules`
entry-point group of the installed environment (never the scanned tree).
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from lintkit import rules_dir
from lintkit.findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ENTRY_POINT_GROUP = "lintkit.rules"

# File kinds a check can read. "text" is the raw text of a file lintkit
# cannot parse or analyze (credentials are still found in it). "any" marks
# rules lintkit reports itself (parse errors, unused suppressions): they have
# no check.
CONFIG_KINDS = ("buildspec", "appspec", "pipeline", "cloudformation")
FILE_KINDS = CONFIG_KINDS + ("python", "text")
ENGINE_KIND = "any"

# Python analyses that contribute cross-file facts: before the per-file pass
# each parsed module gets `summarize(module, relpath) -> dict` (JSON-serializable,
# cached) from each of them, and checks read the merged table as
# `ctx.project.summaries[<name>][<relpath>]`. Names only: a run whose summaries
# all come from the cache never imports the analyses (nor astroid).
PYTHON_SUMMARIZERS: dict[str, str] = {
    "leaks": "lintkit.python.leaks:summarize",
    "taint": "lintkit.python.taint:summarize",
}


def summarizers() -> dict[str, Callable[..., Any]]:
    """{name: summarize function} of PYTHON_SUMMARIZERS, imported."""
    return {name: _import(ref) for name, ref in PYTHON_SUMMARIZERS.items()}

# Indexes built once per run over a whole summaries table (`cache.derived`).
# The result cache records the questions a file asked of them and re-asks
# them to validate a hit, importing the builder from here (never from a name
# stored in the cache).
DERIVED_INDEXES: dict[str, str] = {
    "taint-index": "lintkit.python.taint_index:ProjectIndex",
    "leak-modules": "lintkit.python.leak_index:ModuleSummaries",
}

_CODE = re.compile(r"[A-Z]{2,5}[0-9]{3}")
_NAME = re.compile(r"[a-z0-9.]+(?:-[a-z0-9.]+)*")
_REF = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
_PYLINT_ID = re.compile(r"[CRWEF][0-9]{4}")
_BANDIT_ID = re.compile(r"B[0-9]{3}")
_OPTION_KEY = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_RULE_KEYS = {
    "code", "name", "severity", "kinds", "check", "default", "pylint", "codeguru", "bandit", "sinks", "options",
    "tags", "cwe", "summary", "rationale", "fix", "bad", "good", "help_uri", "aliases",
}


class RuleError(Exception):
    """Rule metadata, a pack or a rule option in the configuration is invalid."""


@dataclass(frozen=True)
class Example:
    verdict: str  # "bad" | "good"
    filename: str
    text: str


@dataclass(frozen=True)
class Option:
    """A typed rule option: `[options.<key>]` in the rule's TOML."""

    key: str
    type: str  # "bool" | "int" | "string" | "regex" | "list"
    default: Any
    doc: str

    def coerce(self, value: Any, where: str) -> Any:
        ok = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "string": isinstance(value, str),
            "regex": isinstance(value, str),
            "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
        }[self.type]
        if not ok:
            raise RuleError(f"{where}: option '{self.key}' must be {_TYPE_WORDS[self.type]}, not {value!r}")
        if self.type == "regex":
            import regex

            try:
                regex.compile(value)
            except regex.error as exc:
                raise RuleError(f"{where}: option '{self.key}' is not a valid regular expression: {exc}") from None
        return tuple(value) if self.type == "list" else value


_TYPE_WORDS = {"bool": "true or false", "int": "an integer", "string": "a string", "regex": "a regular expression string", "list": "a list of strings"}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    fix: str
    kinds: tuple[str, ...]
    checks: tuple[tuple[str, str], ...] = ()  # (kind, "module:function")
    default: bool = True
    pylint: str = ""
    codeguru: tuple[str, ...] = ()
    bandit: tuple[str, ...] = ()  # bandit test ids this rule implements: `# nosec B324` suppresses it
    sinks: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    tags: tuple[str, ...] = ()
    cwe: tuple[int, ...] = ()
    examples: tuple[Example, ...] = ()
    pack: str = "lintkit"
    help_uri: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        return "".join(ch for ch in self.code if ch.isalpha())

    @property
    def domain(self) -> str:
        """"python" for rules on Python source, "aws" for rules on CI/CD
        definitions (even when they also read CDK Python code), "any" for rules
        lintkit reports itself."""
        if ENGINE_KIND in self.kinds:
            return "any"
        return "aws" if any(k in CONFIG_KINDS for k in self.kinds) else "python"

    @property
    def is_security(self) -> bool:
        return bool(self.cwe) or "security" in self.tags

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


def rule_from_data(data: dict[str, Any], path: Path, pack: str = "lintkit") -> Rule:
    where = str(path)
    unknown = sorted(set(data) - _RULE_KEYS)
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {', '.join(unknown)}")
    try:
        code, name = str(data["code"]), str(data["name"])
        if not _CODE.fullmatch(code) or not _NAME.fullmatch(name):
            raise ValueError(f"code {code!r} / name {name!r} malformed")
        kinds, checks = _kinds_and_checks(data)
        examples = tuple(
            Example(verdict=verdict, filename=str(ex["filename"]), text=str(ex["text"]))
            for verdict in ("bad", "good")
            for ex in data.get(verdict, [])
        )
        cwe = data.get("cwe", [])
        rule = Rule(
            code=code,
            name=name,
            severity=Severity.parse(data["severity"]),
            summary=str(data["summary"]).strip(),
            rationale=str(data.get("rationale", "")).strip(),
            fix=str(data.get("fix", "")).strip(),
            kinds=kinds,
            checks=checks,
            default=_bool(data.get("default", True), "default"),
            pylint=str(data.get("pylint", "")),
            codeguru=_strings(data.get("codeguru", []), "codeguru"),
            bandit=_strings(data.get("bandit", []), "bandit"),
            sinks=_strings(data.get("sinks", []), "sinks"),
            options=tuple(_option(k, v) for k, v in sorted(data.get("options", {}).items())),
            tags=_strings(data.get("tags", []), "tags"),
            cwe=tuple(int(c) for c in (cwe if isinstance(cwe, list) else [cwe])),
            examples=examples,
            pack=pack,
            help_uri=str(data.get("help_uri", "")),
            aliases=_strings(data.get("aliases", []), "aliases"),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RuleError(f"{where}: bad rule metadata: {exc}") from exc
    if path.stem != rule.code:
        raise RuleError(f"{where}: file name must be the rule code {rule.code}")
    if any(not _BANDIT_ID.fullmatch(b) for b in rule.bandit):
        raise RuleError(f"{where}: bandit ids must look like B324")
    if rule.pylint and not _PYLINT_ID.fullmatch(rule.pylint):
        raise RuleError(f"{where}: pylint id {rule.pylint!r} must look like W9101")
    if "python" in rule.kinds and not rule.pylint:
        raise RuleError(f"{where}: a rule with a Python check needs a stable pylint message id (pylint = \"W9xxx\")")
    return rule


def _kinds_and_checks(data: dict[str, Any]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """`kinds = [...]` with `check = "module:function"`, or `check = {kind =
    "module:function", ...}` when each kind has its own implementation; rules
    lintkit reports itself say `kinds = ["any"]` and name no check."""
    check = data.get("check")
    if isinstance(check, dict):
        if "kinds" in data:
            raise ValueError("give either `kinds` with one `check`, or a `check` table per kind")
        pairs = tuple(sorted((str(k), str(v)) for k, v in check.items()))
    else:
        kinds = _strings(data.get("kinds", []), "kinds")
        if kinds == (ENGINE_KIND,):
            if check is not None:
                raise ValueError('rules of kind "any" are reported by lintkit itself and name no check')
            return kinds, ()
        if not isinstance(check, str):
            raise ValueError("`check` (\"module:function\") is required")
        pairs = tuple((k, check) for k in kinds)
    if not pairs:
        raise ValueError("no file kinds")
    for kind, ref in pairs:
        if kind not in FILE_KINDS:
            raise ValueError(f"unknown kind {kind!r} (expected one of {', '.join(FILE_KINDS)} or \"any\")")
        if not _REF.fullmatch(ref):
            raise ValueError(f"check {ref!r} must be \"package.module:function\"")
    return tuple(k for k, _ in pairs), pairs


def _option(key: str, spec: Any) -> Option:
    if not _OPTION_KEY.fullmatch(key):
        raise ValueError(f"option key {key!r} must be kebab-case")
    if not isinstance(spec, dict) or set(spec) - {"type", "default", "doc"} or "type" not in spec:
        raise ValueError(f"option {key!r} needs a table with type, default and doc")
    if spec["type"] not in _TYPE_WORDS:
        raise ValueError(f"option {key!r}: unknown type {spec['type']!r}")
    option = Option(key, spec["type"], None, str(spec.get("doc", "")))
    try:
        default = option.coerce(spec.get("default"), "default")
    except RuleError as exc:
        raise ValueError(str(exc)) from None
    return Option(key, option.type, default, option.doc)


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"`{key}` must be a list of strings")
    return tuple(value)


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"`{key}` must be true or false")
    return value


# --- reading a pack's rule files (with a pre-parsed index) -------------------------

INDEX_NAME = "index.json"


def rule_files(rules_dir: Path) -> list[Path]:
    """Every rule TOML under `rules_dir` (not the models), in a stable order.
    os.walk, not Path.rglob: this runs on every start-up."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(rules_dir):
        dirnames[:] = [d for d in dirnames if d != "models"]
        found.extend(os.path.join(dirpath, name) for name in filenames if _CODE.fullmatch(name[:-5]) and name.endswith(".toml"))
    return [Path(p) for p in sorted(found)]


def _digest(rules_dir: Path, files: list[Path]) -> tuple[str, list[bytes]]:
    contents = []
    h = hashlib.sha256()
    base = len(str(rules_dir)) + 1
    for path in files:
        with open(path, "rb") as handle:
            content = handle.read()
        contents.append(content)
        h.update(str(path)[base:].replace(os.sep, "/").encode() + b"\0" + content + b"\0")
    return h.hexdigest(), contents


def rule_data(rules_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(path, parsed TOML) for every rule file. A pack may ship `index.json`,
    the same data pre-parsed (`python -m lintkit.registry --write-index`); it is
    used only while its digest matches the TOML files, so it can never be stale."""
    files = rule_files(rules_dir)
    try:
        digest, contents = _digest(rules_dir, files)
    except OSError as exc:
        raise RuleError(f"{rules_dir}: {exc}") from exc
    index = rules_dir / INDEX_NAME
    if index.is_file():
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
            if data.get("digest") == digest and len(data.get("rules", [])) == len(files):
                return [(p, d) for p, d in zip(files, data["rules"])]
        except (OSError, ValueError, AttributeError):
            pass  # an unreadable index only costs the parse below
    parsed = []
    for path, content in zip(files, contents):
        try:
            parsed.append((path, tomllib.loads(content.decode("utf-8"))))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RuleError(f"{path}: {exc}") from exc
    return parsed


def write_index(rules_dir: Path) -> Path:
    files = rule_files(rules_dir)
    digest, contents = _digest(rules_dir, files)
    data = {"digest": digest, "rules": [tomllib.loads(c.decode("utf-8")) for c in contents]}
    target = rules_dir / INDEX_NAME
    target.write_text(json.dumps(data, indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def builtin_rules_dir() -> Path:
    """`rules/` in a checkout; `lintkit/_rules` in an installed wheel."""
    found = rules_dir()
    if found is None:
        raise RuleError("lintkit's rules/ directory is missing from the installation")
    return found


# --- the registry ----------------------------------------------------------------


@dataclass(frozen=True)
class RulePack:
    """What a third-party `lintkit.rules` entry point returns (or is): a name
    and the directory of its rule TOMLs. The TOMLs name the pack's checks."""

    name: str
    rules_dir: Path


@dataclass(frozen=True)
class Check:
    """One check function serving one file kind, and the rules it reports."""

    ref: str  # "package.module:function"
    kind: str
    codes: tuple[str, ...]
    func: Callable[..., Any] = field(compare=False, repr=False)

    @property
    def qualname(self) -> str:
        return self.ref.replace(":", ".")


@dataclass(frozen=True)
class Hooks:
    """What runs for every file of a kind whatever rules are selected
    (`rules/kinds.toml`): functions that register suppressions or lint
    embedded documents, reporting nothing of their own."""

    kind: str
    funcs: tuple[tuple[str, Callable[..., Any]], ...]


class Registry:
    """All rules of a run. Built once; read-only afterwards (checks are
    imported on first use, per file kind, so a YAML-only run never imports
    astroid)."""

    def __init__(self, packs: list[RulePack]) -> None:
        self.rules: dict[str, Rule] = {}
        self._by_name: dict[str, str] = {}
        self._checks: dict[str, list[Check]] = {}
        self._hooks: dict[str, list[tuple[str, Callable[..., Any]]]] = {}
        self.packs = packs
        self._precision: dict[str, Any] | None = None
        self._bandit: dict[str, frozenset[str]] | None = None
        for pack in packs:
            self._add_pack(pack)
        self._validate()

    def _add_pack(self, pack: RulePack) -> None:
        for path, data in rule_data(pack.rules_dir):
            rule = rule_from_data(data, path, pack.name)
            if rule.code in self.rules:
                raise RuleError(f"rule {rule.code} defined twice ({self.rules[rule.code].pack}, {pack.name})")
            self.rules[rule.code] = rule
            for alias in (rule.name, *rule.aliases):
                if alias in self._by_name:
                    raise RuleError(f"rule name {alias!r} used by both {self._by_name[alias]} and {rule.code}")
                self._by_name[alias] = rule.code

    def _validate(self) -> None:
        seen: dict[str, str] = {}
        for rule in self.rules.values():
            if rule.pylint:
                if rule.pylint in seen:
                    raise RuleError(f"pylint id {rule.pylint} used by both {seen[rule.pylint]} and {rule.code}")
                seen[rule.pylint] = rule.code

    # -- lookups ---------------------------------------------------------------

    def resolve(self, selector: str) -> set[str]:
        """Codes matched by a code, a name, a family prefix, a domain
        ("aws", "python"), "default" (the rules on by default) or "ALL"."""
        sel = selector.strip()
        upper = sel.upper()
        if upper == "ALL":
            return set(self.rules)
        if upper == "DEFAULT":
            return {c for c, r in self.rules.items() if r.default}
        if upper in self.rules:
            return {upper}
        if sel in self._by_name:
            return {self._by_name[sel]}
        if sel.lower() in ("aws", "python"):
            return {c for c, r in self.rules.items() if r.domain in (sel.lower(), "any")}
        return {c for c in self.rules if c.startswith(upper)} if upper.isalnum() else set()

    def code_for(self, code_or_name: str) -> str | None:
        if code_or_name.upper() in self.rules:
            return code_or_name.upper()
        return self._by_name.get(code_or_name)

    def precision(self, code: str) -> dict[str, Any] | None:
        """The rule's precision measured on real code, if it was measured."""
        if self._precision is None:
            self._precision = measured_precision()
        entry = self._precision.get(code)
        return entry if isinstance(entry, dict) else None

    def sorted_rules(self) -> list[Rule]:
        return sorted(self.rules.values(), key=lambda r: r.code)

    def kinds_for(self, codes: Iterable[str]) -> frozenset[str]:
        """The file kinds some enabled rule reads."""
        return frozenset(k for c in codes if c in self.rules for k in self.rules[c].kinds)

    def bandit_equivalents(self) -> dict[str, frozenset[str]]:
        """bandit test id -> the rules implementing it (for `# nosec`)."""
        if self._bandit is None:
            found: dict[str, set[str]] = {}
            for rule in self.rules.values():
                for test in rule.bandit:
                    found.setdefault(test, set()).add(rule.code)
            self._bandit = {test: frozenset(codes) for test, codes in found.items()}
        return self._bandit

    def codes_for_sink(self, sink: str) -> tuple[str, ...]:
        return tuple(r.code for r in self.sorted_rules() if sink in r.sinks)

    def checks_for(self, kind: str) -> list[Check]:
        """The checks that read `kind`, importing their modules on first use."""
        if kind not in self._checks:
            codes_by_ref: dict[str, list[str]] = {}
            for rule in self.sorted_rules():
                for k, ref in rule.checks:
                    if k == kind:
                        codes_by_ref.setdefault(ref, []).append(rule.code)
            self._checks[kind] = [Check(ref, kind, tuple(codes), _import(ref)) for ref, codes in sorted(codes_by_ref.items())]
        return self._checks[kind]

    def hooks_for(self, kind: str) -> list[tuple[str, Callable[..., Any]]]:
        if kind not in self._hooks:
            refs = _kind_table().get(kind, {}).get("hooks", [])
            self._hooks[kind] = [(ref, _import(ref)) for ref in refs]
        return self._hooks[kind]

    # -- options -----------------------------------------------------------------

    def resolve_options(self, tables: Iterable[tuple[str, Iterable[tuple[str, Any]]]], source: str = "") -> dict[str, dict[str, Any]]:
        """Every rule's options: its declared defaults, overridden by the
        configuration's `[rules.CODE]` tables (a family or a rule name works too).
        Unknown rules, unknown keys and values of the wrong type are errors."""
        where = source or "configuration"
        resolved = {code: {o.key: o.default for o in rule.options} for code, rule in self.rules.items()}
        # Family tables first, so a rule's own table wins.
        ordered = sorted(((sel, dict(opts)) for sel, opts in tables), key=lambda t: self.code_for(t[0]) is not None)
        for selector, options in ordered:
            code = self.code_for(selector)
            codes = {code} if code else self.resolve(selector) if selector.isalpha() else set()
            if not codes:
                raise RuleError(f"{where}: [rules.{selector}]: no rule matches '{selector}' (see `lintkit rules`)")
            for key, value in options.items():
                declaring = [c for c in sorted(codes) if self.rules[c].option(key)]
                if not declaring:
                    known = sorted({o.key for c in codes for o in self.rules[c].options})
                    hint = difflib.get_close_matches(key.replace("_", "-"), known, n=1)
                    raise RuleError(
                        f"{where}: [rules.{selector}]: unknown option '{key}'"
                        + (f"; did you mean '{hint[0]}'?" if hint else f"; options: {', '.join(known) or 'none'}")
                    )
                for code in declaring:
                    option = self.rules[code].option(key)
                    assert option is not None
                    resolved[code][key] = option.coerce(value, f"{where}: [rules.{selector}]")
        return resolved


def derived_builder(name: str) -> Any:
    """The class behind a derived index name (only the registry's own)."""
    module, _, attr = DERIVED_INDEXES[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def _import(ref: str) -> Callable[..., Any]:
    module_name, _, func_name = ref.partition(":")
    try:
        func: Callable[..., Any] = getattr(importlib.import_module(module_name), func_name)
    except (ImportError, AttributeError) as exc:
        raise RuleError(f"check {ref} cannot be imported: {exc}") from exc
    if not callable(func):
        raise RuleError(f"check {ref} is not callable")
    return func


def _kind_table() -> dict[str, Any]:
    path = builtin_rules_dir() / "kinds.toml"
    try:
        table: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: {exc}") from exc
    return table


# --- packs -------------------------------------------------------------------------


def discover_packs(include_plugins: bool = True) -> list[RulePack]:
    """lintkit's own pack, then every `lintkit.rules` entry point installed in
    this environment's site directories. Only those: a `*.dist-info` in the
    current directory or the scanned tree must never run code."""
    packs = [RulePack("lintkit", builtin_rules_dir())]
    if not include_plugins:
        return packs
    site_dirs = installed_site_dirs()
    if not _any_pack_declared(site_dirs):
        return packs
    from importlib.metadata import distributions

    eps = sorted(
        (ep for dist in distributions(path=site_dirs) for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP),
        key=lambda e: e.name,
    )
    for ep in eps:
        try:
            loaded = ep.load()
            pack = loaded() if callable(loaded) else loaded
        except (Exception, SystemExit) as exc:  # a broken plugin must say so, not vanish or end the run
            raise RuleError(f"rule pack {ep.name!r} failed to load: {type(exc).__name__}: {exc}") from None
        if not isinstance(pack, RulePack):
            raise RuleError(f"rule pack {ep.name!r} did not return a lintkit.registry.RulePack")
        packs.append(pack)
    return packs


def installed_site_dirs() -> list[str]:
    """The environment's site-packages directories (never '' or the current
    directory, which `python -m` puts first on sys.path)."""
    import site
    import sysconfig

    dirs = [sysconfig.get_paths().get(k, "") for k in ("purelib", "platlib")]
    dirs += list(getattr(site, "getsitepackages", lambda: [])())
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    cwd = os.path.realpath(os.getcwd())
    out: list[str] = []
    for d in dirs:
        if d and os.path.isdir(d) and os.path.realpath(d) != cwd and d not in out:
            out.append(d)
    return out


def _any_pack_declared(site_dirs: list[str]) -> bool:
    """A cheap look at every distribution's entry_points.txt: importlib.metadata's
    full scan costs a tenth of a second, and most installations have no pack."""
    marker = f"[{ENTRY_POINT_GROUP}]"
    for entry in site_dirs:
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(entry, name, "entry_points.txt"), encoding="utf-8", errors="replace") as handle:
                        if marker in handle.read():
                            return True
                except OSError:
                    continue
    return False


def build_registry(include_plugins: bool = True) -> Registry:
    return Registry(discover_packs(include_plugins))


def precision_class(measured: dict[str, Any] | None) -> str:
    """CodeQL's precision words (SARIF `properties.precision`) from a measured share of true findings."""
    if not measured or not measured.get("labelled"):
        return ""
    share = float(measured.get("precision", 0.0))
    return "very-high" if share >= 0.9 else "high" if share >= 0.8 else "medium" if share >= 0.5 else "low"


def measured_precision() -> dict[str, dict[str, Any]]:
    """Per-rule precision measured on real code by the triage harness
    (`bench/triage`, written to rules/precision.json); empty when absent."""
    path = builtin_rules_dir() / "precision.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


if __name__ == "__main__":  # python -m lintkit.registry --write-index
    if sys.argv[1:] == ["--write-index"]:
        print(f"wrote {write_index(builtin_rules_dir())}")
    else:
        print("usage: python -m lintkit.registry --write-index", file=sys.stderr)
        raise SystemExit(2)
