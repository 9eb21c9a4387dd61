"""Server-side templates (Jinja2, Django) rendered with untrusted values.

A render call of the models (`[[render]]`: flask.render_template,
django.shortcuts.render, ...) names a template file and passes a context. The
template is read as a project file (`Project.read_text`, from the `templates/`
folder nearest the module) only when a context value is tainted, and scanned, not parsed: the places where a context variable
is written out unescaped (`{{ v|safe }}`, `{{ v }}` inside
`{% autoescape false %}` / `{% autoescape off %}`, or in a template Flask does
not autoescape) are sinks at their exact line and column in the template, with
the templates it extends or includes followed a few levels deep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# {% tag args %}, {{ expression }}, {# comment #} (Jinja's whitespace control '-' allowed)
_TAG = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}|\{\{-?(.*?)-?\}\}|\{#.*?#\}", re.S)
_ROOT = re.compile(r"\s*([A-Za-z_]\w*)")
_QUOTED = re.compile(r"""["']([^"']+)["']""")
_FOR = re.compile(r"\s*([\w\s,]+?)\s+in\s+([A-Za-z_]\w*)")
_ESCAPING = frozenset({"e", "escape", "force_escape", "urlencode", "length", "count", "int", "float", "tojson", "escapejs"})
_RAW = frozenset({"safe", "safeseq"})
AUTOESCAPED = (".html", ".htm", ".xml", ".xhtml", ".svg")  # Flask's select_jinja_autoescape
NOT_HTML = (".txt", ".text", ".md", ".csv", ".json", ".yaml", ".yml", ".eml", ".ini", ".sql")  # mails, exports
MAX_DEPTH = 3


@dataclass(frozen=True)
class Site:
    """A context variable written out unescaped."""

    variable: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    why: str  # "the |safe filter", "autoescaping off"


def unescaped(text: str, path: str, autoescape: bool) -> tuple[list[Site], list[str]]:
    """The unescaped output sites of a template and the templates it extends or includes."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    escaping = [autoescape]
    loops: dict[str, str] = {}  # loop variable -> the context variable it iterates
    sites: list[Site] = []
    refs: list[str] = []
    for m in _TAG.finditer(text):
        tag = m.group(1)
        if tag is not None:
            args = m.group(2)
            if tag == "autoescape":
                escaping.append(args.strip().split(" ")[0].lower() not in ("false", "off"))
            elif tag == "endautoescape" and len(escaping) > 1:
                escaping.pop()
            elif tag in ("extends", "include"):
                refs += _QUOTED.findall(args)[:1]
            elif tag == "for" and (loop := _FOR.match(args)):
                for name in loop.group(1).replace(",", " ").split():
                    loops[name] = loops.get(loop.group(2), loop.group(2))
            continue
        expression = m.group(3)
        if expression is None:
            continue
        head, *filters = expression.split("|")
        names = {f.strip().split("(")[0].split(":")[0].strip() for f in filters}
        root = _ROOT.match(head)
        if root is None or names & _ESCAPING:
            continue
        why = "the |safe filter" if names & _RAW else "autoescaping off" if not escaping[-1] else ""
        if why:
            variable = root.group(1)
            begin = m.start(3) + len(expression) - len(expression.lstrip())
            end = m.end(3) - (len(expression) - len(expression.rstrip()))
            line, column = _position(starts, begin)
            end_line, end_column = _position(starts, end)
            sites.append(Site(loops.get(variable, variable), path, line, column, end_line, end_column, why))
    return sites, refs


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    lo, hi = 0, len(starts) - 1
    while lo < hi:  # the last line start at or before offset
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1, offset - starts[lo] + 1


def template_paths(name: str, near: str) -> list[str]:
    """Where template `name` may be, nearest the rendering module first: a
    `templates/` folder beside it or in a folder above (Flask's default, Django's
    app and project folders)."""
    folders = near.replace("\\", "/").split("/")[:-1]
    return [("/".join(folders[:k] + ["templates", name.lstrip("/")])) for k in range(len(folders), -1, -1)]


def template_sites(project: Any, name: str, near: str, autoescape: str) -> list[Site]:
    """Unescaped sites of template `name` and of what it extends or includes."""
    found: list[Site] = []
    seen: set[str] = set()
    todo = [(name, 0)]
    while todo:
        current, depth = todo.pop(0)
        if depth > MAX_DEPTH:
            continue
        path, text = next(((p, t) for p in template_paths(current, near) if (t := project.read_text(p)) is not None), (None, None))
        if path is None or text is None or path in seen:
            continue
        seen.add(path)
        if current.lower().endswith(NOT_HTML):
            continue  # plain text for a mail or a file, not a page
        on = autoescape == "on" or autoescape == "extension" and current.lower().endswith(AUTOESCAPED)
        sites, refs = unescaped(text, path, on)
        found += sites
        todo += [(ref, depth + 1) for ref in refs]
    return found
