"""The per-function control-flow graph: normal and exceptional edges, finally
copies, loops, match, with, nested scopes, and the budget."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import astroid
import pytest

from lintkit.python.cfg import ENTRY, EXIT, RAISE, BudgetExceeded, build_cfg, scopes, solve
from tests.helpers import run_paths


def graph(src: str, name: str = "f"):
    module = astroid.parse(textwrap.dedent(src))
    func = next(s for s in scopes(module) if getattr(s, "name", "") == name)
    return build_cfg(func)


def reach(cfg, start: int, exceptional: bool = True) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        node = cfg.nodes[todo.pop()]
        nxt = [t for t, _ in node.succ] + (node.exc if exceptional else [])
        for t in nxt:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def nodes_at(cfg, line: int, kind: str | None = None) -> list[int]:
    return [n.id for n in cfg.nodes if n.line == line and (kind is None or n.kind == kind) and n.id > RAISE]


def test_straight_line_call_has_exceptional_edge_to_raise_exit() -> None:
    cfg = graph(
        """
        def f(p):
            x = 1
            g(p)
        """
    )
    (assign,) = nodes_at(cfg, 3)
    (call,) = nodes_at(cfg, 4)
    assert cfg.nodes[assign].exc == []  # a constant assignment cannot raise
    assert cfg.nodes[call].exc == [RAISE]
    assert (EXIT, None) in cfg.nodes[call].succ


def test_return_inside_try_runs_a_copy_of_finally_before_exit() -> None:
    cfg = graph(
        """
        def f(p):
            h = open(p)
            try:
                return h.read()
            finally:
                h.close()
        """
    )
    ret = nodes_at(cfg, 5, "return")[0]
    closes = nodes_at(cfg, 7)
    # one copy for the return path, one for the exception path
    assert len(closes) == 2
    assert EXIT in reach(cfg, ret) and any(c in reach(cfg, ret) for c in closes)
    assert all(EXIT not in [t for t, _ in cfg.nodes[ret].succ] for _ in [0])
    # the exception copy of the finally body re-raises
    exc_copy = [c for c in closes if RAISE in [t for t, _ in cfg.nodes[c].succ]]
    assert len(exc_copy) == 1


def test_except_dispatch_and_uncaught_propagation() -> None:
    cfg = graph(
        """
        def f(p):
            try:
                g(p)
            except ValueError:
                h()
            k()
        """
    )
    (call,) = nodes_at(cfg, 4)
    dispatch = cfg.nodes[call].exc[0]
    assert dispatch not in (RAISE, EXIT)
    targets = [t for t, _ in cfg.nodes[dispatch].succ]
    assert (RAISE, "uncaught") in cfg.nodes[dispatch].succ  # ValueError does not catch everything
    assert any(cfg.nodes[t].kind == "handler" for t in targets)


def test_catch_all_handler_does_not_propagate() -> None:
    cfg = graph(
        """
        def f(p):
            try:
                g(p)
            except Exception:
                pass
        """
    )
    (call,) = nodes_at(cfg, 4)
    dispatch = cfg.nodes[call].exc[0]
    assert RAISE not in [t for t, _ in cfg.nodes[dispatch].succ]


def test_break_and_continue_through_finally() -> None:
    cfg = graph(
        """
        def f(items):
            for x in items:
                try:
                    if x:
                        break
                    continue
                finally:
                    cleanup(x)
            done()
        """
    )
    cleanup_copies = nodes_at(cfg, 9)
    # nothing in the try body can raise and it never falls through: a break copy and a continue copy
    assert len(cleanup_copies) == 2
    (done,) = nodes_at(cfg, 10)
    step = nodes_at(cfg, 3, "for_step")[0]
    assert any(done in reach(cfg, c, exceptional=False) for c in cleanup_copies)
    assert any(step in [t for t, _ in cfg.nodes[c].succ] for c in cleanup_copies)


def test_while_true_exits_only_by_break() -> None:
    cfg = graph(
        """
        def f(q):
            while True:
                if q.pop():
                    break
            after()
        """
    )
    (after,) = nodes_at(cfg, 6)
    assert after in reach(cfg, ENTRY, exceptional=False)
    cfg2 = graph(
        """
        def f(q):
            while True:
                q.pop()
            after()
        """
    )
    assert nodes_at(cfg2, 5) == [] or nodes_at(cfg2, 5)[0] not in reach(cfg2, ENTRY)
    assert EXIT not in reach(cfg2, ENTRY, exceptional=False)


def test_loop_else_runs_only_when_exhausted() -> None:
    cfg = graph(
        """
        def f(items):
            for x in items:
                if x:
                    break
            else:
                missing()
            end()
        """
    )
    step = nodes_at(cfg, 3, "for_step")[0]
    (missing,) = nodes_at(cfg, 7)
    assert (missing, "exhausted") in cfg.nodes[step].succ


def test_a_non_empty_literal_loop_runs_its_body_at_least_once() -> None:
    cfg = graph(
        """
        def f(fd, items):
            for target in (0, 1, 2):
                use(fd, target)
            for n in range(3):
                use(fd, n)
            for item in items:
                use(fd, item)
            done()
        """
    )
    (done,) = nodes_at(cfg, 9)
    paths_skipping = {n.id for n in cfg.nodes if n.kind == "for_step" and any(lbl == "exhausted" for _, lbl in n.succ)}
    first_steps = [n for n in cfg.nodes if n.kind == "for_step" and n.line in (3, 5) and not any(lbl == "exhausted" for _, lbl in n.succ)]
    assert len(first_steps) == 2  # one entry step per literal loop, which can only iterate
    assert all(cfg.nodes[ENTRY].succ[0][0] != s.id for s in first_steps)
    assert any(cfg.nodes[p].line == 7 for p in paths_skipping)  # `items` may be empty
    assert done in reach(cfg, ENTRY)


def test_match_with_wildcard_has_no_fallthrough() -> None:
    cfg = graph(
        """
        def f(cmd):
            match cmd:
                case "a":
                    a()
                case _:
                    b()
        """
    )
    cases = [n for n in cfg.nodes if n.kind == "case"]
    assert len(cases) == 2
    assert "nomatch" in [label for _, label in cases[0].succ]
    assert "nomatch" not in [label for _, label in cases[1].succ]


def test_with_body_exception_goes_through_exit() -> None:
    cfg = graph(
        """
        def f(p):
            with open(p) as h:
                h.read()
        """
    )
    (read,) = nodes_at(cfg, 4)
    handler = cfg.nodes[read].exc[0]
    kinds = {cfg.nodes[n].kind for n in reach(cfg, handler)}
    assert "with_exit" in kinds and RAISE in reach(cfg, handler)


def test_async_with_and_await() -> None:
    cfg = graph(
        """
        async def f(c):
            async with c.lock() as l:
                await l.send()
        """
    )
    (send,) = nodes_at(cfg, 4)
    assert cfg.nodes[send].exc  # await may raise
    assert any(n.kind == "with_exit" for n in cfg.nodes)


def test_nested_functions_and_comprehensions_are_not_inlined() -> None:
    module = astroid.parse(
        textwrap.dedent(
            """
            def outer(ps):
                def inner():
                    return open(ps[0])
                data = [len(p) for p in ps]
                return inner
            """
        )
    )
    names = [getattr(s, "name", "") for s in scopes(module)]
    assert names == ["", "outer", "inner"] or names[1:] == ["outer", "inner"]
    cfg = build_cfg(scopes(module)[1])
    lines = sorted(n.line for n in cfg.nodes if n.id > RAISE)
    assert lines == [3, 5, 6]  # the def, the comprehension statement, the return


def test_solver_reaches_fixpoint_on_loops() -> None:
    cfg = graph(
        """
        def f(items):
            n = 0
            for x in items:
                n = g(n)
            return n
        """
    )
    states = solve(
        cfg,
        frozenset({"start"}),
        lambda node, s: s | {f"seen{node.line}"} if node.line else s,
        lambda node, label, s: s,
        lambda node, s: s,
        lambda a, b: a | b,
        frozenset(),
    )
    assert "seen5" in states[EXIT] and "start" in states[RAISE]


def test_finally_copies_stay_linear_in_nesting() -> None:
    depth = 14
    src = "def f(x):\n" + "".join("    " * (i + 1) + "try:\n" for i in range(depth))
    src += "    " * (depth + 1) + "g(x)\n"
    for i in reversed(range(depth)):
        src += "    " * (i + 1) + "finally:\n" + "    " * (i + 2) + f"if x: return h({i})\n"
    cfg = build_cfg(astroid.parse(src).body[0])
    assert len(cfg.nodes) < 40 * depth  # one copy per continuation and try, not one per path


def test_budget_exceeded_raises() -> None:
    src = "def f(x):\n" + "".join(f"    if x > {i}:\n        g({i})\n" for i in range(3000))
    with pytest.raises(BudgetExceeded):
        build_cfg(astroid.parse(src).body[0], budget=4000)


def test_pathological_function_is_skipped_with_a_limit_notification(tmp_path: Path) -> None:
    lines = ["def huge(x):", "    h = open(x)"]
    for i in range(3000):
        lines.append(f"    if x > {i}:")
        lines.append(f"        g({i})")
    lines.append("")
    lines.append("def small(p):")
    lines.append("    f = open(p)")
    lines.append("    return f.read()")
    (tmp_path / "huge.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    result = run_paths([tmp_path], root=tmp_path)
    assert time.perf_counter() - started < 60
    limits = [n for n in result.notifications if n.kind == "limit" and n.rule == "PRL001"]
    assert len(limits) == 1 and "huge" in limits[0].message
    small_line = lines.index("    f = open(p)") + 1
    assert [(f.code, f.line) for f in result.findings if f.code == "PRL001"] == [("PRL001", small_line)]


# -- what PRL001 findings carry (built on the graph above) ------------------------------


def _leak_findings(tmp_path: Path, source: str, **options) -> list:
    from lintkit.config import Config

    (tmp_path / "mod.py").write_text(textwrap.dedent(source), encoding="utf-8")
    rules = (("PRL001", tuple(options.items())),) if options else ()
    cfg = Config(root=str(tmp_path), respect_gitignore=False, select=("PRL001",), rules=rules)
    return run_paths([tmp_path], root=tmp_path, config=cfg).findings


def test_exception_path_finding_has_raise_point_close_and_fix(tmp_path: Path) -> None:
    source = """
        def read(path):
            handle = open(path)
            data = handle.read()
            handle.close()
            return data
        """
    assert _leak_findings(tmp_path, source) == []  # the strict profile's case
    (finding,) = _leak_findings(tmp_path, source, strict=True)
    assert (finding.line, finding.column) == (3, 14)
    assert finding.message == (
        "'handle' (file) opened at line 3 is not closed when an exception is raised between acquire and close (e.g. at line 4)"
    )
    assert [(r.line, r.message) for r in finding.related] == [
        (4, "an exception raised here skips the close"),
        (5, "closed here only on the normal path"),
    ]
    assert finding.props() == {"kind": "file", "leak": "exception"}
    assert "finally" in finding.fix


def test_never_closed_and_some_paths_are_told_apart(tmp_path: Path) -> None:
    findings = _leak_findings(
        tmp_path,
        """
        import socket

        def never(host):
            sock = socket.create_connection((host, 80), timeout=3)
            return sock.recv(10)

        def sometimes(path, quick):
            handle = open(path)
            if quick:
                return None
            handle.close()
        """,
    )
    by_line = {f.line: f for f in findings}
    assert sorted(by_line) == [5, 9]
    assert by_line[5].props()["leak"] == "never-closed"
    assert by_line[5].message == "'sock' (socket) opened at line 5 is never closed"
    assert [(r.line, r.message) for r in by_line[5].related] == [(6, "'sock' is still open when the function returns here")]
    assert by_line[9].props()["leak"] == "some-paths"
    assert [r.line for r in by_line[9].related] == [11, 12]


def test_exception_paths_by_default_for_locks_and_context_manager_bodies(tmp_path: Path) -> None:
    findings = _leak_findings(
        tmp_path,
        """
        import threading
        from contextlib import contextmanager

        LOCK = threading.Lock()

        def update(work):
            LOCK.acquire()
            work()
            LOCK.release()

        @contextmanager
        def opened(path):
            handle = open(path)
            yield handle
            handle.close()
        """,
    )
    by_line = {f.line: f for f in findings}
    assert sorted(by_line) == [8, 14]
    assert by_line[8].message == "'LOCK' (lock) acquired at line 8 is not released when an exception is raised between acquire and release (e.g. at line 9)"
    assert by_line[14].message == (
        "'handle' (file) opened at line 14 is not closed when the body of the `with` using this context manager raises (at the yield on line 15)"
    )
    assert [(r.line, r.message) for r in by_line[14].related] == [
        (15, "an exception from the `with` body is raised here and skips the close"),
        (16, "closed here only on the normal path"),
    ]


def test_paths_that_end_the_process_or_reap_it(tmp_path: Path) -> None:
    findings = _leak_findings(
        tmp_path,
        """
        import os
        import subprocess
        import sys
        import time

        def respawn(argv):
            subprocess.Popen(argv)
            os._exit(0)

        def daemon(argv):
            subprocess.Popen(argv, start_new_session=True)

        def bail(path):
            handle = open(path)
            if not handle.readable():
                sys.exit("unreadable")
            handle.close()

        def wait_polling(argv):
            proc = subprocess.Popen(argv)
            while proc.poll() is None:
                time.sleep(1)
            return proc.returncode

        def give_up_polling(argv, patience):
            proc = subprocess.Popen(argv)
            status = proc.poll()
            while status is None:
                if patience < 0:
                    return None
                patience -= 1
                status = proc.poll()
            return status

        def forgotten(argv):
            subprocess.Popen(argv)
        """,
    )
    assert [(f.line, f.props()["leak"]) for f in findings] == [(27, "some-paths"), (37, "never-closed")]
    assert findings[0].message == "'proc' (process) started at line 27 is not waited for on every path"
    assert [(r.line, r.message) for r in findings[0].related] == [
        (31, "'proc' is not waited for yet when the function returns here"),
        (29, "waited for here only on some paths"),
    ]


def test_one_liners_only_in_the_strict_profile(tmp_path: Path) -> None:
    source = """
        def read(path):
            return open(path).read()
        """
    assert _leak_findings(tmp_path, source) == []
    (finding,) = _leak_findings(tmp_path, source, strict=True)
    assert finding.line == 3 and "dropped right away" in finding.message


def test_assert_false_never_falls_through() -> None:
    cfg = graph(
        """
        def f(p):
            if p:
                assert False, "unreachable"
            g(p)
            assert p
        """
    )
    (never,) = nodes_at(cfg, 4)
    assert cfg.nodes[never].succ == [] and cfg.nodes[never].exc == [RAISE]
    (maybe,) = nodes_at(cfg, 6)  # a real test may pass
    assert cfg.nodes[maybe].exc == [RAISE] and (EXIT, None) in cfg.nodes[maybe].succ
