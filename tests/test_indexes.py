"""The speed structures must answer exactly what the slow paths answered:
the indexed tree walk, the run-wide summary indexes, the catalogue lookup."""

from __future__ import annotations

from pathlib import Path

import pytest
from astroid import nodes

from lintkit.dependencies import Deps, RunFacts, _RecordingTable, derived
from lintkit.python.leak_index import ModuleSummaries
from lintkit.python.parse import module_name_for, parse_module
from lintkit.python.resources import load_catalogue
from lintkit.python.taint_index import ProjectIndex
from lintkit.python.walk import bindings, nodes_of, teardown

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for p in sorted((ROOT / "lintkit" / "python").glob("*.py")) if p.name != "__init__.py"][:8] + sorted((ROOT / "fixtures").glob("python_*/*.py"))[:8]
QUERIES = [
    nodes.Call,
    nodes.Name,
    (nodes.FunctionDef, nodes.AsyncFunctionDef),
    (nodes.Import, nodes.ImportFrom),
    (nodes.Assign, nodes.AnnAssign, nodes.Keyword, nodes.Dict, nodes.Arguments, nodes.Compare),
    nodes.NodeNG,
]


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_nodes_of_is_nodes_of_class_for_every_subtree(path: Path) -> None:
    module = parse_module(path.read_text(encoding="utf-8"), path.name)
    subtrees = [module, *module.nodes_of_class((nodes.FunctionDef, nodes.ClassDef, nodes.If, nodes.Try, nodes.Call))]
    assert len(subtrees) > 1
    for node in subtrees:
        for classes in QUERIES:
            assert nodes_of(node, classes) == list(node.nodes_of_class(classes))


def test_bindings_match_lookup_and_teardown_empties_the_tree() -> None:
    module = parse_module("import os as o\nx = 1\ndef f(x):\n    return o.path, x, y\n", "m.py")
    names = list(module.nodes_of_class(nodes.Name))
    assert [tuple(bindings(n)) for n in names] == [tuple(n.lookup(n.name)[1]) for n in names]
    assert not bindings(names[-1])  # `y` is bound nowhere
    every = nodes_of(module, nodes.NodeNG)
    teardown(module)
    assert all(not n.__dict__ for n in every)


TAINT_TABLE = {
    "src/pkg/a.py": {"functions": {"f": {"n": "a.f"}, "C.m": {"n": "a.C.m"}}, "urlviews": ["pkg.views.home"]},
    "pkg/a.py": {"functions": {"f": {"n": "short a.f"}}},
    "other/pkg/a.py": {"functions": {"g": {"n": "other a.g"}}},
    "pkg/views.py": {"functions": {"home": {"n": "home"}}, "urlviews": ["pkg.views.home", "pkg.views.about"]},
    "lib.py": {"functions": {"h": {"n": "lib.py h"}}},  # two modules named `lib`:
    "lib/__init__.py": {"functions": {"h": {"n": "lib/__init__.py h"}}},  # the deeper one wins
    "vendor/lib.py": {"functions": {"h": {"n": "vendor lib h"}}},
}


def slow_function(table: dict, qual: str, asking: str):
    """The per-module index the taint analysis used to build, then one lookup."""
    index, exact = {}, set()
    for relpath, data in sorted(table.items(), key=lambda kv: kv[0].count("/")):
        if relpath == asking:
            continue
        parts = module_name_for(relpath).split(".")
        for start in range(len(parts)):
            mod = ".".join(parts[start:])
            for fname, summ in data.get("functions", {}).items():
                key = f"{mod}.{fname}"
                if start == 0 or key not in exact:
                    index.setdefault(key, summ) if start else index.__setitem__(key, summ)
                if start == 0:
                    exact.add(key)
    return index.get(qual), index


@pytest.mark.parametrize("asking", [*TAINT_TABLE, "elsewhere.py"])
def test_project_index_answers_as_the_per_module_index_did(asking: str) -> None:
    index = ProjectIndex(TAINT_TABLE)
    _, everything = slow_function(TAINT_TABLE, "", asking)
    quals = {*everything, "pkg.a.f", "a.f", "pkg.a.g", "a.C", "lib.h", "nothing.here"}
    for qual in sorted(quals):
        assert index.function(qual, asking) == slow_function(TAINT_TABLE, qual, asking)[0], qual
    owners = {k.rsplit(".", i)[0] for k in everything for i in range(1, k.count(".") + 1)}
    for qual in sorted(owners | {"pkg.a.C", "a.C", "zzz"}):
        assert index.is_owner(qual, asking) == (qual in owners), qual
    others = {v for r, d in TAINT_TABLE.items() if r != asking for v in d.get("urlviews", [])}
    assert index.url_views(asking) == frozenset(others)


def test_project_index_prefers_full_names() -> None:
    index = ProjectIndex(TAINT_TABLE)
    assert index.function("pkg.a.f", "x.py") == {"n": "short a.f"}  # pkg/a.py's full name beats src/pkg/a.py's suffix
    assert index.function("pkg.a.f", "pkg/a.py") == {"n": "a.f"}  # ...which is all that is left when pkg/a.py asks


def test_module_summaries_answer_in_table_order() -> None:
    table = {
        "x/util.py": {"module": "x.util", "functions": {"f": {}}},
        "util.py": {"module": "util", "functions": {"g": {}}},
        "y/util.py": {"module": "y.util"},
        "app.py": {"module": "app", "functions": {}},
    }
    index = ModuleSummaries(table)
    assert index.local("util") == table["util.py"]
    assert index.local("y.util") is None  # no functions: not a module summary the analysis can use
    assert index.matching({"util"}, "app") == [table["x/util.py"], table["util.py"], table["y/util.py"]]
    assert index.matching({"util", "x.util"}, "x.util") == [table["util.py"], table["y/util.py"]]


def test_recorded_questions_hold_until_their_answer_changes() -> None:
    tables = {"taint": dict(TAINT_TABLE)}
    facts = RunFacts.build(frozenset(tables["taint"]), tables)
    deps = Deps()
    recording = _RecordingTable("taint", tables["taint"], facts.summary_digests["taint"], deps)
    index = derived(recording, ProjectIndex)
    assert index.function("pkg.views.home", "app.py") == {"n": "home"}
    assert index.is_owner("pkg.views", "app.py") is True
    frozen = facts.freeze(deps, ".")
    assert not deps.whole_tables and len(frozen["derived"]["taint:taint-index"]) == 2
    assert facts.holds(frozen, ".")
    unrelated = dict(TAINT_TABLE, **{"pkg/new.py": {"functions": {"n": {}}}})
    assert RunFacts.build(frozenset(unrelated), {"taint": unrelated}).holds(frozen, ".")
    changed = dict(TAINT_TABLE, **{"pkg/views.py": {"functions": {"home": {"n": "home, now a sink"}}}})
    assert not RunFacts.build(frozenset(changed), {"taint": changed}).holds(frozen, ".")


def test_catalogue_lookup_matches_the_first_pattern_in_catalogue_order() -> None:
    cat = load_catalogue()

    def slow(qname, method, receiver):
        for kind in cat.kinds:
            for pattern in kind.acquire:
                if qname and pattern == qname:
                    return kind
                if method and receiver and pattern == f"{receiver}.{method}":
                    return kind
        if method:
            for kind in cat.kinds:
                if f"*.{method}" in kind.acquire:
                    return kind
        return None

    patterns = sorted({p for k in cat.kinds for p in k.acquire})
    assert len(patterns) > 20
    for pattern in patterns:
        head, _, last = pattern.rpartition(".")
        for qname, method, receiver in [(pattern, None, None), (None, last, head), ("x.y", last, None), (pattern, last, head), (None, last, None)]:
            assert cat.kind_for(qname, method, receiver) == slow(qname, method, receiver), (qname, method, receiver)


def test_summary_index_lookup_matches_the_linear_scan() -> None:
    from lintkit.python.leaks import SummaryIndex

    others = [
        {"module": "c1.django.utils.text", "functions": {"f": {"n": 1}}},
        {"module": "django.utils.text", "functions": {"f": {"n": 2}, "g": {"n": 3}}},
        {"module": "text", "functions": {"h": {"n": 4}}},
        {"module": "other.utils", "functions": {"f": {"n": 5}}},
        {"module": "utils", "functions": {"u": {"n": 6}}},
    ]
    index = SummaryIndex({}, others)

    def slow(qname: str):
        head, _, func = qname.rpartition(".")
        for summary in others:
            mod = summary["module"]
            if mod == head or mod.endswith("." + head) or head.endswith("." + mod):
                fn = summary["functions"].get(func)
                if fn:
                    return fn, 0
        return None

    heads = {s["module"] for s in others} | {"utils.text", "text", "utils", "x.utils", "a.b.utils.text", "ext", "django"}
    for head in sorted(heads):
        for func in ("f", "g", "h", "u", "missing"):
            assert index.lookup(None, f"{head}.{func}", None) == slow(f"{head}.{func}"), (head, func)
