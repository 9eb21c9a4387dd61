"""Appspecs and buildspecs that are not finished files yet.

Two shapes are common in real repositories and neither is what CodeDeploy or
CodeBuild will read:

- templates, whose values a script, Terraform or a pipeline fills in later:
  a `.tpl` name, a buildspec named `*template*` with a whole value left to
  fill in (`<ACCOUNT_ID>`, `{{ region }}`), and, in appspecs, which expand no
  variables, values that are placeholders
  (`<CONTAINER_PORT>`, `${CONTAINER_PORT}`, `{{ port }}`, `[Your task
  definition arn]`), values that describe their own key (`destination:
  destination-file-location`, `timeout: timeout-in-seconds`) and deliberately
  blank values (`TaskDefinition: ""`). In a buildspec not named as a template, a value such as
  `<your-api-key>` is one unfinished value in a finished file (the secrets
  rules know placeholders): it does not make the buildspec a template;
- buildspec fragments a generator merges into a whole buildspec: only a
  `batch:` section and no `version`.

Each gets one notice instead of one error per unfinished value; lint the
rendered file instead. An appspec template's structure (keys, hook names) is
the rendered file's structure, so it is still checked; a buildspec template
or fragment is not linted. `<TASK_DEFINITION>` alone does not make a template:
CodePipeline's CodeDeployToECS action fills it in, so it is how a finished
ECS appspec looks.
"""

from __future__ import annotations

import re

from lintkit.api import Context
from lintkit.documents import Document, Mapping, Node, Scalar, Sequence

_TPL = re.compile(r"\.tpl$", re.IGNORECASE)
_TEMPLATE_WORD = re.compile(r"template", re.IGNORECASE)
# A placeholder token somewhere in a value.
_TOKEN = re.compile(r"<[A-Za-z][\w .:/-]*>|\$\{[^}\n]+\}|\{\{(?!\s*resolve:)[^}]*\}\}|%\{|%[A-Z][A-Z0-9_]+%|@@\w+@@|\[Your [^\]]*\]|#\{[^}\n]+\}")
# Placeholders CodePipeline fills in itself.
_PIPELINE_FILLED = frozenset({"<TASK_DEFINITION>"})
_KEBAB = re.compile(r"[a-z]+(?:-[a-z]+)+")


def notice(doc: Document, ctx: Context) -> None:
    """Kind hook: say once why the file is not linted."""
    reason = partial_reason(doc, ctx.kind)
    if reason:
        what = "only its keys and hook names are checked" if ctx.kind == "appspec" else "it is not linted"
        ctx.notify(f"{reason}; {what} (lint the rendered file)", kind="template")


def partial_reason(doc: Document, kind: str) -> str:
    """Why `doc` is a template or a fragment rather than a finished file ('' when it is finished)."""
    cache = doc.__dict__.setdefault("_lintkit_partial", {})
    if kind not in cache:
        cache[kind] = _reason(doc, kind)
    return str(cache[kind])


def _reason(doc: Document, kind: str) -> str:
    root = doc.root
    if not isinstance(root, Mapping) or "#" in doc.path:
        return ""  # an embedded document is part of a finished template
    name = doc.path.rsplit("/", 1)[-1]
    if _TPL.search(name):
        return f"'{name}' is named as a template"
    if kind == "buildspec" and root.keys() == ["batch"]:
        return "a buildspec fragment (only 'batch:', no 'version') that a generator merges into a buildspec"
    found = _appspec_placeholder(root) if kind == "appspec" else None
    if found is None and _TEMPLATE_WORD.search(name) and kind == "buildspec":
        # `buildspec-template.yml` with values to fill in; a buildspec that
        # merely builds templates (`buildspec_cfn_templates.yml`) is finished.
        found = next((v for _, v in _keyed_scalars(root) if _TOKEN.fullmatch(v.text.strip()) and not v.text.strip().startswith("${")), None)
    if found is None:
        return ""
    what = "a blank value" if not found.text.strip() else f"the placeholder '{found.text.strip()[:40]}'"
    return f"a template: {what} at line {found.line} is filled in later"


def _appspec_placeholder(root: Mapping) -> Scalar | None:
    """Appspecs expand no variables, so any placeholder token counts."""
    for key, value in _keyed_scalars(root):
        text = value.text.strip()
        if text in _PIPELINE_FILLED:
            continue
        if _TOKEN.search(text) or _describes(key, text):
            return value
        if value.style in ("'", '"') and not text and key not in ("pattern", "except"):
            return value  # an explicitly blank value, filled in by a script
    return None


def _describes(key: str, text: str) -> bool:
    """`destination: destination-file-location`, `timeout: timeout-in-seconds`:
    the value is the key's own description."""
    return bool(_KEBAB.fullmatch(text)) and text.split("-", 1)[0] == key.lower()


def _keyed_scalars(root: Mapping) -> list[tuple[str, Scalar]]:
    """(nearest key, scalar) for every string value below `root`."""
    out: list[tuple[str, Scalar]] = []
    stack: list[tuple[str, Node]] = [("", root)]
    while stack:
        key, node = stack.pop()
        if isinstance(node, Mapping):
            stack.extend(reversed([(k, v) for k, _, v in node.items()]))
        elif isinstance(node, Sequence):
            stack.extend(reversed([(key, item) for item in node.items]))
        elif isinstance(node, Scalar) and node.yaml_type == "str" and isinstance(node.value, str):
            out.append((key, node))
    return out

