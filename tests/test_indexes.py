"""The speed structures must answer exactly what the slow paths answered:
the indexed tree walk, the catalogue lookup; and the run-wide summary
indexes answer exactly what the importing module would import."""

from __future__ import annotations

from pathlib import Path

import pytest
from astroid import nodes

from lintkit.dependencies import Deps, RunFacts, _RecordingTable, derived
from lintkit.python.leak_index import ModuleSummaries, SummaryIndex
from lintkit.python.modules import ModuleFiles
from lintkit.python.parse import parse_module
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


FILES = [
    "good/app.py", "good/libuser.py", "bad/app.py", "bad/libuser.py", "main.py",  # two folders, one module name
    "src/pkg/__init__.py", "src/pkg/a.py", "src/pkg/b.py", "tests/test_a.py",  # src layout, tests beside it
    "lib.py", "lib/__init__.py",  # a package and a module of one name
    "app/__init__.py", "app/sub/__init__.py", "app/sub/m.py", "app/sub/util.py", "util.py", "app/sub/only.py",
]


@pytest.mark.parametrize(
    ("importer", "name", "found"),
    [
        ("good/app.py", "libuser", "good/libuser.py"),  # the importer's own folder
        ("bad/app.py", "libuser", "bad/libuser.py"),
        ("main.py", "libuser", None),  # two candidates elsewhere: ambiguous, nothing
        ("src/pkg/a.py", "pkg.b", "src/pkg/b.py"),  # the import root above the package
        ("src/pkg/a.py", "src.pkg.b", "src/pkg/b.py"),  # the run-relative name (a relative import)
        ("tests/test_a.py", "pkg.b", "src/pkg/b.py"),  # the one file with those trailing parts
        ("tests/test_a.py", "pkg", "src/pkg/__init__.py"),
        ("main.py", "lib", "lib/__init__.py"),  # the package wins, as in Python
        ("app/sub/m.py", "util", "util.py"),  # absolute import: the import root first...
        ("app/sub/m.py", "only", "app/sub/only.py"),  # ...then the importer's folder
        ("app/sub/m.py", "app.sub.util", "app/sub/util.py"),
        ("main.py", "nothing.here", None),
    ],
)
def test_module_files_follow_the_importers_package_and_directory(importer: str, name: str, found: str | None) -> None:
    assert ModuleFiles(FILES).find(name, importer) == found


TAINT_TABLE = {
    "good/app.py": {"functions": {"view": {"n": "good view"}}},
    "good/libuser.py": {"functions": {"lookup": {"n": "good lookup"}, "Repo.get": {"n": "good Repo.get"}}},
    "bad/libuser.py": {"functions": {"lookup": {"n": "bad lookup"}, "Repo.get": {"n": "bad Repo.get"}}},
    "src/pkg/a.py": {"functions": {"f": {"n": "src a.f"}, "C.m": {"n": "src a.C.m"}}, "urlviews": ["pkg.views.home"]},
    "pkg/a.py": {"functions": {"f": {"n": "root a.f"}}},
    "pkg/views.py": {"functions": {"home": {"n": "home"}}, "urlviews": ["pkg.views.home", "pkg.views.about"]},
}


@pytest.mark.parametrize(
    ("qual", "asking", "found"),
    [
        ("libuser.lookup", "good/app.py", "good lookup"),
        ("libuser.lookup", "bad/app.py", "bad lookup"),
        ("libuser.lookup", "main.py", None),  # ambiguous
        ("libuser.Repo.get", "good/app.py", "good Repo.get"),
        ("pkg.a.f", "x.py", "root a.f"),  # the root's pkg/a.py, not src/pkg/a.py
        ("pkg.a.f", "src/pkg/b.py", "src a.f"),  # from inside src/pkg: its own package
        ("pkg.a.f", "pkg/a.py", None),  # a module never sees its own summaries
        ("pkg.a.C.m", "src/pkg/b.py", "src a.C.m"),
        ("pkg.views.home", "app.py", "home"),
        ("pkg.views.nothing", "app.py", None),
    ],
)
def test_project_index_finds_the_function_the_asker_imports(qual: str, asking: str, found: str | None) -> None:
    summary = ProjectIndex(TAINT_TABLE).function(qual, asking)
    assert (summary or {}).get("n") == found


def test_project_index_owners_and_views() -> None:
    index = ProjectIndex(TAINT_TABLE)
    assert index.is_owner("libuser.Repo", "good/app.py") and index.is_owner("pkg.a.C", "src/pkg/b.py")
    assert not index.is_owner("pkg.a.C", "x.py")  # the root's pkg/a.py has no class C
    assert not index.is_owner("libuser.Repo", "good/libuser.py") and not index.is_owner("libuser", "good/app.py")
    assert index.url_views("x.py") == {"pkg.views.home", "pkg.views.about"}
    assert index.url_views("pkg/views.py") == {"pkg.views.home"}  # still routed to by src/pkg/a.py


def test_module_summaries_resolve_imports_from_the_asker() -> None:
    table = {
        "good/app.py": {"module": "good.app", "functions": {}},
        "good/util.py": {"module": "good.util", "functions": {"f": {"n": "good"}}},
        "bad/util.py": {"module": "bad.util", "functions": {"f": {"n": "bad"}}},
        "empty.py": {"module": "empty", "functions": {}},
    }
    index = ModuleSummaries(table)
    assert index.local("good/app.py") == table["good/app.py"]  # no functions, but the run's own summary
    assert index.local("nowhere.py") is None
    assert index.imported(["util", "empty", "missing"], "good/app.py") == [("util", table["good/util.py"])]
    assert index.imported(["util"], "main.py") == []  # two modules named util: ambiguous
    assert index.imported(["util"], "good/util.py") == []  # never its own


def test_recorded_questions_hold_until_their_answer_changes() -> None:
    tables = {"taint": dict(TAINT_TABLE)}
    facts = RunFacts.build(frozenset(tables["taint"]), tables)
    deps = Deps()
    recording = _RecordingTable("taint", tables["taint"], facts.summary_digests["taint"], deps)
    index = derived(recording, ProjectIndex)
    assert index.function("pkg.views.home", "app.py") == {"n": "home"}
    assert index.is_owner("libuser.Repo", "good/app.py") is True
    frozen = facts.freeze(deps, ".")
    assert not deps.whole_tables and len(frozen["derived"]["taint:taint-index"]) == 2
    assert facts.holds(frozen, ".")
    unrelated = dict(TAINT_TABLE, **{"pkg/new.py": {"functions": {"n": {}}}})
    assert RunFacts.build(frozenset(unrelated), {"taint": unrelated}).holds(frozen, ".")
    changed = dict(TAINT_TABLE, **{"pkg/views.py": {"functions": {"home": {"n": "home, now a sink"}}}})
    assert not RunFacts.build(frozenset(changed), {"taint": changed}).holds(frozen, ".")
    # a new module the asker now imports instead changes the answer too
    closer = dict(TAINT_TABLE, **{"pkg/views/__init__.py": {"functions": {"home": {"n": "another home"}}}})
    assert not RunFacts.build(frozenset(closer), {"taint": closer}).holds(frozen, ".")


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


def test_summary_index_looks_up_this_module_its_classes_and_its_imports() -> None:
    module = parse_module("class C:\n    def m(self):\n        self.close_it(1)\n", "pkg/mod.py")
    scope = next(module.nodes_of_class(nodes.FunctionDef))
    local = {"functions": {"helper": {"n": 1}, "C.close_it": {"n": 2}}}
    index = SummaryIndex("pkg.mod", local, [("util", {"functions": {"f": {"n": 3}}})])
    assert index.lookup("pkg.mod.helper", scope) == ({"n": 1}, 0)  # a module-level function
    assert index.lookup("helper", scope) == ({"n": 1}, 0)  # as written (a nested function)
    assert index.lookup("self.close_it", scope) == ({"n": 2}, 1)
    assert index.lookup("util.f", scope) == ({"n": 3}, 0)
    assert index.lookup("other.util.f", scope) is None  # not a module this one imports
    assert index.lookup("pkg.mod.C.close_it", scope) is None and index.lookup(None, scope) is None


def test_the_context_hands_analyses_the_runs_indexes() -> None:
    """`ctx.project.index(name)`: project facts without importing the cache, built once per table."""
    from lintkit.api import Project

    project = Project(root=ROOT, summaries={"taint": dict(TAINT_TABLE), "leaks": {}})
    taint = project.index("taint-index")
    assert isinstance(taint, ProjectIndex) and project.index("taint-index") is taint
    assert taint.function("libuser.lookup", "bad/app.py") == {"n": "bad lookup"}
    assert isinstance(project.index("leak-modules"), ModuleSummaries)
    assert isinstance(Project(root=ROOT).index("taint-index"), ProjectIndex)  # no summaries: an empty index
