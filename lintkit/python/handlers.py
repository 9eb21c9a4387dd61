"""Functions that deployment descriptors name as request handlers, whatever their
parameters are called:

- AWS SAM / CloudFormation `Handler: app.lambda_handler` (the module path is
  relative to `CodeUri`) and the Serverless Framework `handler: src/users.get`:
  the function gets the Lambda event, from an HTTP client when the function's own
  block declares HTTP events (`Type: Api`/`HttpApi`, `FunctionUrlConfig`, Serverless
  `http`/`httpApi`);
- OpenAPI `operationId: api.users.search` (with `x-openapi-router-controller`
  for bare ids), which connexion routes to: the function gets the request's
  parameters as arguments.

The descriptors are project files (`Project.read_text`: the result cache
re-validates them); only the few whose name says what they are are read, and a
handler matches a module whose dotted name ends with the handler's module path.
"""

from __future__ import annotations

import re
from typing import Any

_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_DESCRIPTOR = re.compile(r"(?:^|/)(?:template|serverless|openapi|swagger|api|spec)[^/]*\.(?:ya?ml|json)$|\.template$", re.I)
_LAMBDA = re.compile(r"""^\s*["']?[Hh]andler["']?\s*:\s*["']?([\w./-]+\.\w+)["']?\s*,?\s*$""", re.M)
_HTTP_EVENTS = re.compile(r"""(?:\bType["']?\s*:\s*["']?(?:Api|HttpApi)\b|\bFunctionUrlConfig\b|^\s*-\s*(?:http|httpApi)\s*:)""", re.M)
_OPERATION = re.compile(r"""["']?operationId["']?\s*:\s*["']?([\w.]+)["']?""")
_CONTROLLER = re.compile(r"""["']?x-openapi-router-controller["']?\s*:\s*["']?([\w.]+)["']?""")


def handler_names(project: Any, modname: str, relpath: str) -> dict[str, str]:
    """{function of module `modname` (the file `relpath`): "lambda" | "lambda-http" |
    "connexion"} named by the deployment descriptors of the folders above it (a
    descriptor describes the code below its own folder: a repository of many
    applications has many `app.lambda_handler`s)."""
    found: dict[str, str] = {}
    for rel in sorted(project.files):
        if not rel.endswith(_SUFFIXES) or not _DESCRIPTOR.search(rel):
            continue
        folder = rel.rpartition("/")[0]
        if folder and not relpath.startswith(folder + "/"):
            continue
        text = project.read_text(rel)
        if not text:
            continue
        lines = text.splitlines()
        for match in _LAMBDA.finditer(text):
            kind = "lambda-http" if _HTTP_EVENTS.search(_function_block(lines, text.count("\n", 0, match.start()))) else "lambda"
            _add(found, modname, match.group(1).replace("/", "."), kind)
        controllers = _CONTROLLER.findall(text)
        for operation in _OPERATION.findall(text):
            targets = [operation] if "." in operation else [f"{c}.{operation}" for c in controllers]
            for target in targets:
                _add(found, modname, target, "connexion")
    return found


def _function_block(lines: list[str], row: int) -> str:
    """The lines of the block that holds the `Handler:` line `row`: from the nearest line
    above it indented less (SAM's `Properties:`, a Serverless function's name) to the
    next line indented no more than that one. Its events are in it."""
    indent = _indent(lines[row])
    top = next((r for r in range(row - 1, -1, -1) if lines[r].strip() and _indent(lines[r]) < indent), -1)
    if top < 0:
        return "\n".join(lines)
    end = next((r for r in range(row + 1, len(lines)) if lines[r].strip() and _indent(lines[r]) <= _indent(lines[top])), len(lines))
    return "\n".join(lines[top:end])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _add(found: dict[str, str], modname: str, target: str, framework: str) -> None:
    module, _, function = target.rpartition(".")
    if module and (modname == module or modname.endswith("." + module)):
        found[function] = framework
