"""The result cache: identical findings with and without it, invalidation when
a file, a dependency, the configuration or the enabled rules change, and a
corrupt or foreign cache ignored rather than trusted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lintkit.cache import FORMAT, _user_secret
from lintkit.results import code_digest, settings_digest
from lintkit.config import Config
from tests.helpers import FIXTURES, registry, run_paths
from tests.test_parallel import canonical, cold_and_warm, stable_code

FAMILIES = sorted(p for p in FIXTURES.iterdir() if p.is_dir())

APP = """from flask import Flask, request

import helpers.db

app = Flask(__name__)


@app.route("/g")
def lookup():
    return str(len(helpers.db.find_user(request.args["name"])))
"""
DB_UNSAFE = """import sqlite3


def find_user(name):
    con = sqlite3.connect("users.db")
    try:
        return con.execute("SELECT * FROM users WHERE name = '" + name + "'").fetchall()
    finally:
        con.close()
"""
DB_SAFE = DB_UNSAFE.replace("\"SELECT * FROM users WHERE name = '\" + name + \"'\"", '"SELECT * FROM users WHERE name = ?", (name,)')
APP_CONSTANT = APP.replace('request.args["name"]', '"admin"')


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"v{FORMAT}/*/*/*.json"))


def hits(result) -> set[str]:
    return {f.path for f in result.files if f.seconds == 0.0}


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_cached_results_are_identical(family: Path, tmp_path: Path) -> None:
    fresh = run_paths([family], root=family)
    cold, warm = cold_and_warm([family], family, None, tmp_path / "c")
    assert canonical(cold) == canonical(fresh)
    assert canonical(warm) == canonical(fresh)
    assert hits(warm) == {f.path for f in warm.files}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_changed_file_is_the_only_one_rechecked(tmp_path: Path) -> None:
    family = FIXTURES / "buildspec"
    project = tmp_path / "p"
    originals = {p.relative_to(family).as_posix(): p.read_text(encoding="utf-8") for p in family.rglob("*.yml")}
    rel = sorted(originals)[0]

    def scenario():
        write(project, originals)
        run_paths([project], root=project, cache_dir=tmp_path / "c")
        write(project, {rel: originals[rel] + "\n# edited\n"})
        return run_paths([project], root=project, cache_dir=tmp_path / "c")

    again = stable_code(scenario)
    assert {f.path for f in again.files} - hits(again) == {rel}
    assert canonical(again) == canonical(run_paths([project], root=project))


def test_cross_file_summary_change_invalidates_the_callee(tmp_path: Path) -> None:
    """The SQL injection is reported at the sink in helpers/db.py with the flow from
    app.py: when app.py stops passing request data, db.py's cached result goes."""
    project = tmp_path / "p"
    cache = tmp_path / "c"

    def scenario():
        shutil.rmtree(cache, ignore_errors=True)
        write(project, {"app.py": APP, "helpers/__init__.py": "", "helpers/db.py": DB_UNSAFE})
        first = run_paths([project], root=project, cache_dir=cache)
        write(project, {"app.py": APP_CONSTANT})  # db.py itself is unchanged
        second = run_paths([project], root=project, cache_dir=cache)
        write(project, {"app.py": APP})  # back again
        return first, second, run_paths([project], root=project, cache_dir=cache)

    first, second, third = stable_code(scenario)
    [finding] = [f for f in first.findings if f.code == "PIV017"]
    assert (finding.path, finding.line) == ("helpers/db.py", 7)
    assert [(s.path, s.line) for s in finding.flow] == [("app.py", 10), ("app.py", 10), ("helpers/db.py", 4), ("helpers/db.py", 7),
                                                        ("helpers/db.py", 7), ("helpers/db.py", 7)]
    assert [f for f in second.findings if f.code == "PIV017"] == []
    write(project, {"app.py": APP_CONSTANT})
    assert canonical(second) == canonical(run_paths([project], root=project))
    write(project, {"app.py": APP})
    assert canonical(third) == canonical(first)
    # app.py's first entry (keyed by its old bytes) holds again; db.py's entry was
    # replaced by the second run's, whose answer from app.py's summary no longer
    # holds; __init__.py asked nothing whose answer changed.
    assert hits(third) == {"app.py", "helpers/__init__.py"}


def test_cross_file_summary_change_invalidates_the_caller(tmp_path: Path) -> None:
    """A helper that starts returning request data changes its caller's result."""
    project = tmp_path / "p"
    cache = tmp_path / "c"
    route = "from flask import Flask\nfrom helpers.text import pick\napp = Flask(__name__)\n\n@app.route('/x')\ndef x():\n    import os\n    os.system(pick())\n    return 'ok'\n"
    constant = "def pick():\n    return 'uptime'\n"
    tainted = "from flask import request\n\ndef pick():\n    return request.args['cmd']\n"

    def scenario():
        shutil.rmtree(cache, ignore_errors=True)
        write(project, {"app.py": route, "helpers/__init__.py": "", "helpers/text.py": constant})
        first = run_paths([project], root=project, cache_dir=cache)
        write(project, {"helpers/text.py": tainted})  # app.py itself is unchanged
        return first, run_paths([project], root=project, cache_dir=cache)

    first, second = stable_code(scenario)
    assert [f for f in first.findings if f.code == "PIV013"] == []
    assert [(f.path, f.line) for f in second.findings if f.code == "PIV013"] == [("app.py", 8)]
    assert canonical(second) == canonical(run_paths([project], root=project))


def test_a_summary_change_no_caller_sees_rechecks_only_that_file(tmp_path: Path) -> None:
    project = tmp_path / "p"
    cache = tmp_path / "c"
    added = DB_UNSAFE + "\n\ndef unused_helper(path):\n    return open(path).read()\n"

    def scenario():
        shutil.rmtree(cache, ignore_errors=True)
        write(project, {"app.py": APP, "helpers/__init__.py": "", "helpers/db.py": DB_UNSAFE})
        run_paths([project], root=project, cache_dir=cache)
        write(project, {"helpers/db.py": added})  # a new function: db.py's summaries change
        return run_paths([project], root=project, cache_dir=cache)

    again = stable_code(scenario)
    assert {f.path for f in again.files} - hits(again) == {"helpers/db.py"}
    assert canonical(again) == canonical(run_paths([project], root=project))


def test_configuration_and_rules_are_part_of_the_key(tmp_path: Path) -> None:
    family = FIXTURES / "buildspec"
    cache = tmp_path / "c"
    everything = run_paths([family], root=family, cache_dir=cache)
    only_gen = Config(root=str(family), respect_gitignore=False, select=("GEN",))
    narrowed = run_paths([family], root=family, config=only_gen, cache_dir=cache)
    assert canonical(narrowed) == canonical(run_paths([family], root=family, config=only_gen))
    assert {f.code[:3] for f in narrowed.findings} <= {"GEN", "LNT"}
    assert {f.code[:3] for f in everything.findings} - {"GEN", "LNT"}
    code = code_digest(registry())
    base = Config()
    assert settings_digest(code, {"A"}, base) != settings_digest(code, {"A", "B"}, base)
    assert settings_digest(code, {"A"}, base) != settings_digest(code, {"A"}, Config(max_file_size=10))
    # Any setting that can change a result counts, including ones added later.
    assert settings_digest(code, {"A"}, base) != settings_digest(code, {"A"}, Config(only="python"))
    assert settings_digest(code, {"A"}, base) != settings_digest(code, {"A"}, Config(rules=(("PRL001", (("strict", True),)),)))
    # Where the checkout lives does not matter (CI checks out to varying directories).
    assert settings_digest(code, {"A"}, base) == settings_digest(code, {"A"}, Config(root="/elsewhere", source="/x/pyproject.toml"))


def sign(payload: str) -> str:
    """An entry as lintkit writes it: the MAC under this user's key, then the JSON."""
    import hashlib

    key = _user_secret()
    assert key is not None
    return hashlib.blake2b(payload.encode(), key=key, digest_size=20).hexdigest() + "\n" + payload


def payload_of(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n", 1)[1]


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "",
        lambda text: text[: len(text) // 2],  # a torn write
        lambda text: "\x00\xff garbage",
        lambda text: json.dumps({"format": FORMAT + 1, "key": json.loads(text)["key"]}),  # another version
        lambda text: text.replace('"key":"', '"key":"0', 1),  # an entry copied from another key
        lambda text: json.dumps({**json.loads(text), "result": {"path": 3}}) if "result" in text else text,
        lambda text: json.dumps({**json.loads(text), "deps": "nonsense"}) if "deps" in text else text,
        lambda text: json.dumps({**json.loads(text), "summary": ["not", "a", "dict"]}) if "summary" in text else text,
    ],
    ids=["empty", "torn", "binary", "other-format", "other-key", "bad-result", "bad-deps", "bad-summary"],
)
def test_corrupt_or_foreign_cache_is_ignored(damage, tmp_path: Path) -> None:
    """Damaged entries, even correctly signed ones, are misses."""
    family = FIXTURES / "python_taint"
    cache = tmp_path / "c"
    fresh = run_paths([family], root=family)
    run_paths([family], root=family, cache_dir=cache)
    stored = entries(cache)
    assert stored
    for path in stored:
        path.write_text(sign(damage(payload_of(path))), encoding="utf-8", errors="replace")
    assert canonical(run_paths([family], root=family, cache_dir=cache)) == canonical(fresh)


def test_writes_are_atomic_and_leave_no_temporaries(tmp_path: Path) -> None:
    family = FIXTURES / "appspec"
    cache = tmp_path / "c"
    run_paths([family], root=family, cache_dir=cache)
    assert entries(cache)
    assert not list(cache.rglob("*.tmp"))
    assert (cache / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f597d28d172789f06886806bc55")
    for path in entries(cache):
        data = json.loads(payload_of(path))  # complete JSON, never pickle
        assert data["format"] == FORMAT and path.stem == data["key"]
        assert "text" not in data["result"] if "result" in data else True


def test_unwritable_cache_directory_still_checks(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    family = FIXTURES / "general"
    result = run_paths([family], root=family, cache_dir=blocker / "cache")
    assert canonical(result) == canonical(run_paths([family], root=family))


def test_filesystem_answers_are_revalidated(tmp_path: Path) -> None:
    """appspec hooks name scripts; whether they exist is read from disk, so a
    cached appspec result depends on those files."""
    project = tmp_path / "p"
    appspec = "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\nfile_exists_behavior: OVERWRITE\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n      timeout: 60\n"
    write(project, {"appspec.yml": appspec, "scripts/stop.sh": "#!/bin/sh\nexit 0\n"})
    cache = tmp_path / "c"
    missing = run_paths([project], root=project, cache_dir=cache)
    assert "APS008" in {f.code for f in missing.findings}
    write(project, {"scripts/start.sh": "#!/bin/sh\nexit 0\n"})
    present = run_paths([project], root=project, cache_dir=cache)
    assert canonical(present) == canonical(run_paths([project], root=project))
    assert "APS008" not in {f.code for f in present.findings}


def test_a_read_descriptor_change_invalidates_the_handler(tmp_path: Path) -> None:
    """Which function is a Lambda handler comes from template.yaml (Project.read_text):
    renaming the handler there re-checks the unchanged Python file."""
    project = tmp_path / "p"
    cache = tmp_path / "c"
    template = (
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.{}\n"
        "      Events:\n        Run:\n          Type: Api\n          Properties:\n            Path: /run\n            Method: post\n"
    )
    app = "import os\n\ndef first(req, ctx):\n    os.system(req['cmd'])\n\ndef second(req, ctx):\n    os.system(req['cmd'])\n"

    def scenario():
        shutil.rmtree(cache, ignore_errors=True)
        write(project, {"template.yaml": template.format("first"), "app.py": app})
        first = run_paths([project], root=project, cache_dir=cache)
        write(project, {"template.yaml": template.format("second")})  # app.py itself is unchanged
        return first, run_paths([project], root=project, cache_dir=cache)

    first, second = stable_code(scenario)
    assert [(f.path, f.line) for f in first.findings if f.code == "PIV013"] == [("app.py", 4)]
    assert [(f.path, f.line) for f in second.findings if f.code == "PIV013"] == [("app.py", 7)]
    assert "app.py" not in hits(second)
