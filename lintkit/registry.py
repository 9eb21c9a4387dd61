"""Rules: metadata from `rules/` files, checks from Python modules, packs.

A *rule* is its metadata (one TOML file per rule, the single source for
`lintkit rules`, `lintkit explain`, SARIF descriptors and the docs). A *check*
is a function marked with `@check(kinds, codes)`; one check may report several
related rules. A *pack* bundles metadata and check modules: lintkit's own
built-in pack, and third-party packs found through the `lintkit.rules`
entry-point group.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from lintkit.findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ENTRY_POINT_GROUP = "lintkit.rules"
DOCS_BASE = "https://github.com/lintkit/lintkit/blob/main/docs/rules/"

# File kinds a check can ask for. "config" is every CI/CD document kind.
CONFIG_KINDS = ("buildspec", "appspec", "pipeline", "cloudformation")
ALL_KINDS = CONFIG_KINDS + ("python",)

# Rules tagged with any of these flag credentials (no excerpts, no snippets).
SECRET_TAGS = frozenset({"secret", "secrets", "credential", "credentials"})

# Families and the half of lintkit they belong to.
FAMILY_DOMAIN = {
    "GEN": "aws",
    "BSP": "aws",
    "APS": "aws",
    "PIP": "aws",
    "CDG": "aws",
    "CBP": "aws",
    "SAM": "aws",
    "CAR": "aws",
    "CRD": "aws",
    "PRL": "python",
    "PIV": "python",
    "PSC": "python",
    "LNT": "any",
}

# Built-in check modules, per file kind they serve: imported only when a file
# of that kind is checked, so a run over YAML never imports astroid.
BUILTIN_MODULES: dict[str, tuple[str, ...]] = {
    "config": ("lintkit.aws.general", "lintkit.aws.credentials"),
    "buildspec": ("lintkit.aws.buildspec",),
    "appspec": ("lintkit.aws.appspec",),
    "pipeline": ("lintkit.aws.pipeline",),
    "cloudformation": ("lintkit.aws.cloudformation",),
    "python": ("lintkit.python.leaks", "lintkit.python.taint", "lintkit.python.security"),
    # files that do not parse (or cannot be analyzed): checks of the text alone
    "text": ("lintkit.aws.credentials",),
}

# Python analyses that contribute cross-file facts: each module defines
# `summarize(module, relpath) -> dict` (JSON-serializable) and reads the merged
# result as `ctx.project.summaries[<name>][<relpath>]`.
PYTHON_SUMMARIZERS: dict[str, str] = {
    "leaks": "lintkit.python.leaks",
    "taint": "lintkit.python.taint",
}

# Indexes built once per run over a whole summaries table (`cache.derived`).
# The result cache records the questions a file asked of them and re-asks
# them to validate a hit, importing the builder from here (never from a name
# stored in the cache).
DERIVED_INDEXES: dict[str, str] = {
    "taint-index": "lintkit.python.taint_index:ProjectIndex",
    "leak-modules": "lintkit.python.leak_index:ModuleSummaries",
}


@dataclass(frozen=True)
class Example:
    verdict: str  # "bad" | "good"
    filename: str
    text: str


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    fix: str
    tags: tuple[str, ...] = ()
    cwe: tuple[int, ...] = ()
    precision: str = "high"
    examples: tuple[Example, ...] = ()
    pack: str = "lintkit"
    help_uri: str = ""
    aliases: tuple[str, ...] = ()
    domain_override: str = ""  # `domain = "any"` in the metadata (GEN001 parses Python too)

    @property
    def family(self) -> str:
        return "".join(ch for ch in self.code if ch.isalpha())

    @property
    def domain(self) -> str:
        return self.domain_override or FAMILY_DOMAIN.get(self.family, "any")

    @property
    def is_security(self) -> bool:
        return bool(self.cwe) or "security" in self.tags

    @property
    def flags_secrets(self) -> bool:
        """Its findings point at credentials: reports must not repeat them."""
        return bool(SECRET_TAGS & {t.lower() for t in self.tags}) or self.family == "CRD"


@dataclass(frozen=True)
class Check:
    func: Callable[..., Any]
    kinds: tuple[str, ...]
    codes: tuple[str, ...]

    @property
    def qualname(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


def check(kinds: str | Iterable[str], codes: str | Iterable[str]) -> Callable[[Callable], Callable]:
    """Mark a function as a check: `func(target, ctx)`, reporting through
    `ctx.report(code, node, message)` any of `codes`."""

    kind_tuple = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    code_tuple = (codes,) if isinstance(codes, str) else tuple(codes)

    def mark(func: Callable) -> Callable:
        func.__lintkit_check__ = Check(func, kind_tuple, code_tuple)  # type: ignore[attr-defined]
        return func

    return mark


@dataclass(frozen=True)
class RulePack:
    """What a third-party entry point returns (or is)."""

    name: str
    rules_dir: Path
    modules: dict[str, tuple[str, ...]] = field(default_factory=dict)


class RuleError(Exception):
    """Rule metadata or a pack is malformed."""


def load_rule_file(path: Path, pack: str = "lintkit") -> Rule:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: {exc}") from exc
    return rule_from_data(data, path, pack)


def rule_from_data(data: dict[str, Any], path: Path, pack: str = "lintkit") -> Rule:
    try:
        examples = tuple(
            Example(verdict=verdict, filename=str(ex["filename"]), text=str(ex["text"]))
            for verdict in ("bad", "good")
            for ex in data.get(verdict, [])
        )
        cwe = data.get("cwe", [])
        rule = Rule(
            code=str(data["code"]),
            name=str(data["name"]),
            severity=Severity.parse(data["severity"]),
            summary=str(data["summary"]).strip(),
            rationale=str(data.get("rationale", "")).strip(),
            fix=str(data.get("fix", "")).strip(),
            tags=tuple(data.get("tags", [])),
            cwe=tuple(int(c) for c in (cwe if isinstance(cwe, list) else [cwe])),
            precision=str(data.get("precision", "high")),
            examples=examples,
            pack=pack,
            help_uri=str(data.get("help_uri", "")) or DOCS_BASE + f"{data['code']}.md",
            aliases=tuple(data.get("aliases", [])),
            domain_override=str(data.get("domain", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"{path}: bad rule metadata: {exc}") from exc
    if path.stem != rule.code:
        raise RuleError(f"{path}: file name must be the rule code {rule.code}")
    return rule


INDEX_NAME = "index.json"


def rule_files(rules_dir: Path) -> list[Path]:
    """Every rule TOML under `rules_dir` (not the models), in a stable order.
    os.walk, not Path.rglob: this runs on every start-up."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(rules_dir):
        dirnames[:] = [d for d in dirnames if d != "models"]
        found.extend(os.path.join(dirpath, name) for name in filenames if name.endswith(".toml"))
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
    here = Path(__file__).resolve().parent
    for candidate in (here / "_rules", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise RuleError("lintkit's rules/ directory is missing from the installation")


class Registry:
    """All rules and checks of a run. Built once; read-only afterwards."""

    def __init__(self, packs: list[RulePack]) -> None:
        self.rules: dict[str, Rule] = {}
        self._by_name: dict[str, str] = {}
        self._modules: dict[str, list[str]] = {}
        self._checks: dict[str, list[Check]] | None = None
        self._loaded_kinds: dict[str, list[Check]] = {}
        self.packs = packs
        for pack in packs:
            self._add_pack(pack)

    def _add_pack(self, pack: RulePack) -> None:
        for path, data in rule_data(pack.rules_dir):
            rule = rule_from_data(data, path, pack.name)
            if rule.code in self.rules:
                raise RuleError(f"rule {rule.code} defined twice ({pack.name})")
            self.rules[rule.code] = rule
            for alias in (rule.name, *rule.aliases):
                self._by_name[alias] = rule.code
        for kind, modules in pack.modules.items():
            self._modules.setdefault(kind, []).extend(modules)

    # -- lookups ---------------------------------------------------------------

    def resolve(self, selector: str) -> set[str]:
        """Codes matched by a code, a name, a family prefix, a domain or ALL."""
        sel = selector.strip()
        upper = sel.upper()
        if upper == "ALL":
            return set(self.rules)
        if upper in self.rules:
            return {upper}
        if sel in self._by_name:
            return {self._by_name[sel]}
        if sel.lower() in ("aws", "python"):
            return {c for c, r in self.rules.items() if r.domain in (sel.lower(), "any")}
        matched = {c for c in self.rules if c.startswith(upper)} if upper.isalnum() else set()
        return matched

    def code_for(self, code_or_name: str) -> str | None:
        if code_or_name.upper() in self.rules:
            return code_or_name.upper()
        return self._by_name.get(code_or_name)

    def checks_for(self, kind: str) -> list[Check]:
        """The checks that serve `kind`, importing their modules on first use."""
        if kind in self._loaded_kinds:
            return self._loaded_kinds[kind]
        module_names = list(self._modules.get(kind, []))
        if kind in CONFIG_KINDS:
            module_names += self._modules.get("config", [])
        checks: list[Check] = []
        for name in dict.fromkeys(module_names):
            module = importlib.import_module(name)
            for value in vars(module).values():
                found = getattr(value, "__lintkit_check__", None)
                if isinstance(found, Check) and (kind in found.kinds or ("config" in found.kinds and kind in CONFIG_KINDS)):
                    checks.append(found)
        checks = list({c.qualname: c for c in checks}.values())
        checks.sort(key=lambda c: c.qualname)
        self._loaded_kinds[kind] = checks
        return checks

    def sorted_rules(self) -> list[Rule]:
        return sorted(self.rules.values(), key=lambda r: r.code)


def discover_packs(include_plugins: bool = True) -> list[RulePack]:
    """lintkit's own pack, then every installed `lintkit.rules` entry point."""
    packs = [RulePack("lintkit", builtin_rules_dir(), dict(BUILTIN_MODULES))]
    if not include_plugins or not _any_pack_declared():
        return packs
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            loaded = ep.load()
            pack = loaded() if callable(loaded) else loaded
        except Exception as exc:  # a broken plugin must say so, not vanish
            raise RuleError(f"rule pack {ep.name!r} failed to load: {exc}") from exc
        if not isinstance(pack, RulePack):
            raise RuleError(f"rule pack {ep.name!r} did not return a lintkit.registry.RulePack")
        packs.append(pack)
    return packs


def _any_pack_declared() -> bool:
    """A cheap look at every distribution's entry_points.txt on sys.path:
    importlib.metadata's full scan costs a tenth of a second on every run, and
    almost every installation has no third-party pack at all."""
    marker = f"[{ENTRY_POINT_GROUP}]"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(entry or ".", name, "entry_points.txt"), encoding="utf-8", errors="replace") as handle:
                        if marker in handle.read():
                            return True
                except OSError:
                    continue
    return False


def build_registry(include_plugins: bool = True) -> Registry:
    return Registry(discover_packs(include_plugins))


if __name__ == "__main__":  # python -m lintkit.registry --write-index
    if sys.argv[1:] == ["--write-index"]:
        print(f"wrote {write_index(builtin_rules_dir())}")
    else:
        print("usage: python -m lintkit.registry --write-index", file=sys.stderr)
        raise SystemExit(2)
