"""JSON-Schema validation of a document, translated into findings' terms.

`problems()` validates a document against one of lintkit's schemas
(`rules/schemas/<name>.schema.json`) and turns each validator error into a
`Problem`: the node to point at (the key for an unknown or empty key, the value
otherwise), a readable message, and the instance path, so a rule decides only
which code owns that part of the file. One translator serves the buildspec and
appspec rules.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lintkit.api import data_path
from lintkit.documents import Mapping, Node, node_at_path


@dataclass(frozen=True)
class Problem:
    kind: str  # "unknown-key", "required", "empty", "type", "enum", or the validator's keyword
    path: tuple[Any, ...]  # the instance path; for unknown and required keys it ends with the key
    node: Node
    message: str
    error: Any  # the jsonschema error (validator, schema, instance, ...)


@lru_cache(maxsize=4)
def schema(name: str) -> dict[str, Any]:
    """`buildspec`, `appspec-server` or `appspec-ecs-lambda` from rules/schemas/."""
    return json.loads(data_path("schemas", f"{name}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _validator(name: str) -> Any:
    import jsonschema  # lazy: only buildspec and appspec runs pay for it

    return jsonschema.Draft202012Validator(schema(name))


def problems(name: str, root: Mapping, instance: Any, document: str, nouns: dict[tuple[Any, ...], str] | None = None) -> list[Problem]:
    """Every schema error of `instance` (the plain data of `root`), in path
    order, once per place. `document` names the root in messages ("the
    buildspec"); `nouns` names the keys of some mappings ("phase" for
    `phases`) in unknown-key messages."""
    errors = sorted(_validator(name).iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    out: list[Problem] = []
    seen: set[tuple[int, int, str]] = set()
    for error in errors:
        for problem in _translate(root, error, document, nouns or {}):
            where = (problem.node.line, problem.node.column, problem.message)
            if where not in seen:
                seen.add(where)
                out.append(problem)
    return out


def path_label(path: tuple[Any, ...] | list[Any], document: str) -> str:
    """`'hooks.AfterInstall[0].location'`; the document's name for the root."""
    if not path:
        return document
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return f"'{out}'"


def key_of(root: Node, path: tuple[Any, ...] | list[Any]) -> Node | None:
    """The key node that names the value at `path` (None for list items and the root)."""
    if not path or not isinstance(path[-1], str):
        return None
    parent = node_at_path(root, list(path[:-1]))
    return parent.key_node(path[-1]) if isinstance(parent, Mapping) else None


def _translate(root: Mapping, error: Any, document: str, nouns: dict[tuple[Any, ...], str]) -> list[Problem]:
    path = tuple(error.absolute_path)
    node = node_at_path(root, list(path))
    where = path_label(path, document)
    validator = error.validator
    if validator == "additionalProperties" and isinstance(node, Mapping):
        allowed = list(error.schema.get("properties", {}))
        return [
            Problem("unknown-key", (*path, key), key_node, _unknown_key(key, allowed, path, nouns), error)
            for key, key_node, _ in node.items()
            if key not in allowed
        ]
    if validator == "required" and isinstance(node, Mapping):
        anchor = key_of(root, path) or (node.pairs[0][0] if node.pairs else node)
        return [
            Problem("required", (*path, name), anchor, f"{where} requires '{name}'", error)
            for name in error.validator_value
            if name not in node
        ]
    if validator == "type":
        expected: list[str] = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected if t != "null")
        message = f"{where} must be {wanted}, not {_kind(error.instance)}"
        if error.instance is None:  # an empty value has no span of its own: point at its key
            return [Problem("empty", path, key_of(root, path) or node, message, error)]
        return [Problem("type", path, node, message, error)]
    options = _options(error)
    if options:
        return [Problem("enum", path, node, f"{where} must be one of {', '.join(options)}; got {_show(error.instance)}", error)]
    if validator in ("minItems", "minLength", "minProperties") and not error.instance:
        return [Problem("empty", path, node, f"{where} is empty", error)]
    return [Problem(validator, path, node, f"{where}: {error.message}", error)]


def _unknown_key(key: str, allowed: list[str], path: tuple[Any, ...], nouns: dict[tuple[Any, ...], str]) -> str:
    same_case = {a.lower(): a for a in allowed}
    if key.lower() in same_case:
        return f"'{key}' must be written '{same_case[key.lower()]}' (keys are case-sensitive)"
    noun = nouns.get(path) or ("top-level key" if not path else "")
    message = f"unknown {noun} '{key}'" if noun else f"unknown key '{key}' in {path_label(path, '')}"
    normal = {a.replace("-", "_").lower(): a for a in allowed}
    close = difflib.get_close_matches(key.replace("-", "_").lower(), list(normal), n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean '{normal[close[0]]}'?"
    return f"{message} (expected one of: {', '.join(allowed)})"


def _options(error: Any) -> list[str]:
    """The allowed values of an enum, or of the enums inside an anyOf (case variants once)."""
    if error.validator == "enum":
        values = error.validator_value
    elif error.validator in ("anyOf", "oneOf"):
        values = [v for sub in error.context or () if sub.validator == "enum" for v in sub.validator_value]
    else:
        return []
    shown: dict[str, str] = {}
    for value in values:
        shown.setdefault(str(value).lower(), str(value))
    return list(shown.values())


_TYPE_NAMES = {
    "object": "a mapping", "array": "a list", "string": "a string", "boolean": "true/false",
    "number": "a number", "integer": "an integer", "null": "empty",
}


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    names: dict[type, str] = {str: "a string", list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)) or value is None:
        return _kind(value)
    return f"'{value}'"
