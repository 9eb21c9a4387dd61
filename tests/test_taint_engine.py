"""Taint engine: flows, local sources (opt-in, low severity), summaries, SARIF codeFlows."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lintkit.config import Config

from lintkit.python.sinks import fixes_host
from lintkit.python.parse import parse_module
from lintkit.python.taint import summarize
from lintkit.report import render
from tests.helpers import FIXTURES, run_paths

FLASK_CMDI = """\
import os
from flask import Flask, request
app = Flask(__name__)

@app.route("/x")
def x():
    host = request.args["host"]
    cmd = "ping " + host
    os.system(cmd)
    return "ok"
"""


def _run(tmp_path: Path, files: dict[str, str]):
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return run_paths([tmp_path], root=tmp_path)


def test_flow_goes_from_source_to_sink(tmp_path: Path) -> None:
    result = _run(tmp_path, {"app.py": FLASK_CMDI})
    [finding] = [f for f in result.findings if f.code == "PIV013"]
    assert (finding.line, finding.column) == (9, 5)
    steps = [(s.line, s.message) for s in finding.flow]
    assert steps[0] == (7, "untrusted data from flask.request.args")
    assert (7, "'host' is assigned tainted data") in steps
    assert (8, "concatenated") in steps
    assert steps[-1] == (9, "reaches os.system()")
    assert finding.message == "untrusted input (flask.request.args) reaches an OS command in os.system()"
    assert dict(finding.properties) == {"threat": "remote"}


def test_sarif_has_code_flows_and_primary_cwe(tmp_path: Path) -> None:
    result = _run(tmp_path, {"app.py": FLASK_CMDI})
    sarif = json.loads(render("sarif", result))
    run = sarif["runs"][0]
    [res] = [r for r in run["results"] if r["ruleId"] == "PIV013"]
    locations = res["codeFlows"][0]["threadFlows"][0]["locations"]
    lines = [loc["location"]["physicalLocation"]["region"]["startLine"] for loc in locations]
    assert lines == [7, 7, 8, 8, 9]
    assert locations[-1]["location"]["message"]["text"].startswith("reaches os.system()")
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    cwe_tags = [t for t in rules["PIV013"]["properties"]["tags"] if t.startswith("external/cwe/")]
    assert cwe_tags[0] == "external/cwe/cwe-78"


def _local_config(tmp_path: Path, rules: tuple) -> Config:
    # Every taint rule, whether or not it is on by default.
    return Config(root=str(tmp_path), respect_gitignore=False, rules=rules, select=("PIV",))


def test_local_sources_are_off_by_default(tmp_path: Path) -> None:
    text = "import os, sys\nos.system('tar czf x.tgz ' + sys.argv[1])\n"
    result = _run(tmp_path, {"tool.py": text})
    assert [f.code for f in result.findings if f.code.startswith("PIV")] == []


def test_local_sources_opt_in_per_rule_is_low_severity(tmp_path: Path) -> None:
    text = "import os, sys\nos.system('tar czf x.tgz ' + sys.argv[1])\nopen(sys.argv[2])\n"
    (tmp_path / "tool.py").write_text(text, encoding="utf-8")
    cfg = _local_config(tmp_path, (("PIV013", (("local-sources", True),)),))
    result = run_paths([tmp_path], root=tmp_path, config=cfg)
    [finding] = [f for f in result.findings if f.code.startswith("PIV")]
    assert (finding.code, finding.line) == ("PIV013", 2)  # PIV014 did not opt in
    assert finding.severity.value == "low"
    assert dict(finding.properties) == {"threat": "local"}


def test_local_sources_family_switch_and_per_rule_override(tmp_path: Path) -> None:
    text = "import os, sys\nos.system('tar czf x.tgz ' + sys.argv[1])\nopen(sys.argv[2])\n"
    (tmp_path / "tool.py").write_text(text, encoding="utf-8")
    cfg = _local_config(tmp_path, (("PIV", (("local-sources", True),)),))
    result = run_paths([tmp_path], root=tmp_path, config=cfg)
    assert sorted((f.code, f.line) for f in result.findings if f.code.startswith("PIV")) == [("PIV013", 2), ("PIV014", 3)]
    cfg = _local_config(tmp_path, (("PIV", (("local-sources", True),)), ("PIV014", (("local-sources", False),))))
    result = run_paths([tmp_path], root=tmp_path, config=cfg)
    assert [(f.code, f.line) for f in result.findings if f.code.startswith("PIV")] == [("PIV013", 2)]


def test_remote_flow_survives_a_local_flow_to_the_same_sink(tmp_path: Path) -> None:
    text = (
        "import os\nfrom flask import Flask, request\napp = Flask(__name__)\n"
        "@app.route('/x')\ndef x():\n"
        "    os.system(os.environ['TOOL'] + ' ' + request.args['f'])\n    return 'ok'\n"
    )
    result = _run(tmp_path, {"app.py": text})
    [finding] = [f for f in result.findings if f.code == "PIV013"]
    assert finding.line == 6 and dict(finding.properties) == {"threat": "remote"}


def test_cli_fixture_local_lines_with_opt_in(tmp_path: Path) -> None:
    """fixtures/python_taint/cli_local.py: its `# local:` lines, and only those, with the option on."""
    source = FIXTURES / "python_taint" / "cli_local.py"
    text = source.read_text(encoding="utf-8")
    expected = {
        (m.group(1), n) for n, line in enumerate(text.splitlines(), 1) if (m := re.search(r"# local: (PIV\d+)", line))
    }
    assert len(expected) == 3
    (tmp_path / "cli_local.py").write_text(text, encoding="utf-8")
    cfg = _local_config(tmp_path, (("PIV", (("local-sources", True),)),))
    result = run_paths([tmp_path], root=tmp_path, config=cfg)
    found = {(f.code, f.line) for f in result.findings if f.code.startswith("PIV")}
    assert found == expected
    assert all(f.severity.value == "low" for f in result.findings if f.code.startswith("PIV"))


DJANGO_VIEWS = """\
from django.http import HttpResponse


def article(request, slug):
    return HttpResponse("<h1>" + slug + "</h1>")


def technical_error(request, message):
    return HttpResponse("<p>" + message + "</p>")
"""


def _django_lines(result) -> list[tuple[str, int]]:
    return sorted((f.path, f.line) for f in result.findings if f.code == "PIV003")


def test_django_views_module_without_urlconf_treats_uncalled_functions_as_views(tmp_path: Path) -> None:
    result = _run(tmp_path, {"shop/views.py": DJANGO_VIEWS})
    assert _django_lines(result) == [("shop/views.py", 5), ("shop/views.py", 9)]


def test_django_urlconf_decides_which_functions_are_views(tmp_path: Path) -> None:
    urls = "from django.urls import path\nfrom shop import views\n\nurlpatterns = [path('a/<slug>/', views.article)]\n"
    result = _run(tmp_path, {"src/shop/views.py": DJANGO_VIEWS, "src/shop/urls.py": urls})
    # technical_error is routed nowhere: its message comes from code
    assert _django_lines(result) == [("src/shop/views.py", 5)]
    urls = "from django.urls import re_path\nfrom .views import technical_error\n\nurlpatterns = [re_path('^e/(.+)$', technical_error)]\n"
    result = _run(tmp_path, {"src/shop/urls.py": urls})
    assert _django_lines(result) == [("src/shop/views.py", 9)]
    urls = "from django.conf.urls import url\n\nurlpatterns = [url(r'^a/(.+)$', 'shop.views.article')]\n"
    result = _run(tmp_path, {"src/shop/urls.py": urls})
    assert _django_lines(result) == [("src/shop/views.py", 5)]


def test_summary_records_returns_and_hand_overs() -> None:
    """A summary says what comes back out of each function, and which untrusted
    values the module hands to functions it does not define (through a local
    helper too), with the flow so far and the unknown calls on the way."""
    text = (
        "import shlex\nfrom flask import Flask, request\nimport tools\napp = Flask(__name__)\n"
        "def q(v):\n    return shlex.quote(v)\n"
        "def p(a, b):\n    return b.strip()\n"
        "def relay(cmd):\n    tools.run(cmd)\n"
        "@app.route('/r')\ndef r():\n    relay(tools.tidy(request.args['c']))\n    return 'ok'\n"
    )
    summary = summarize(parse_module(text, "helpers/util.py"), "helpers/util.py")
    funcs = summary["functions"]
    assert funcs["q"]["returns"] == {"0": ["command"]}
    assert funcs["p"]["returns"] == {"1": []}
    assert funcs["relay"]["params"] == ["cmd"]
    calls = {(c["callee"], c["arg"], c["source"]): c for c in summary["calls"]}
    assert sorted(calls) == [("tools.run", 0, "remote"), ("tools.tidy", 0, "remote")]
    run = calls[("tools.run", 0, "remote")]
    assert [(s[0], s[4]) for s in run["steps"]] == [(13, "untrusted data from flask.request.args"), (13, "passed through tidy()"),
                                                   (13, "passed to relay()"), (9, "parameter 'cmd'"), (10, "passed to run()")]
    assert run["via"] == [["tools.tidy", 0]]
    json.dumps(summary)  # must travel to workers and the cache


def test_helper_escape_is_configurable(tmp_path: Path) -> None:
    text = (
        "from flask import Flask, request\nfrom mylib import clean\napp = Flask(__name__)\n"
        "@app.route('/')\ndef i():\n    return '<b>' + clean(request.args['n']) + '</b>'\n"
    )
    result = _run(tmp_path, {"app.py": text})
    assert [f.line for f in result.findings if f.code == "PIV003"] == [6]
    cfg = Config(root=str(tmp_path), respect_gitignore=False, rules=(("PIV003", (("sanitizers", ["mylib.clean"]),)),))
    result = run_paths([tmp_path], root=tmp_path, config=cfg)
    assert [f.line for f in result.findings if f.code == "PIV003"] == []


def test_fixed_host_prefixes() -> None:
    assert fixes_host("https://api.example.com/")
    assert fixes_host("/profile?tab=")
    assert not fixes_host("/")
    assert not fixes_host("https://")
    assert not fixes_host("//evil.example/")


def test_relative_imports_name_the_projects_module_not_a_stdlib_namesake() -> None:
    """`from .shlex import quote` is pkg.shlex.quote (a project helper), not the
    shlex.quote sanitizer: at module level and inside a function alike."""
    text = (
        "from .shlex import quote\n"
        "def f(v):\n    return quote(v)\n"
        "def g(v):\n    from .shlex import quote as q\n    return q(v)\n"
        "def h(v):\n    import shlex\n    return shlex.quote(v)\n"
    )
    funcs = summarize(parse_module(text, "pkg/cmd.py"), "pkg/cmd.py")["functions"]
    assert (funcs["f"]["returns"], funcs["g"]["returns"], funcs["h"]["returns"]) == ({"0": []}, {"0": []}, {"0": ["command"]})


def test_cross_file_flow_names_each_file_in_every_format(tmp_path: Path) -> None:
    """Reported at the sink in the helper; the flow starts in the route's file and every
    step carries its own file in text, JSON and SARIF."""
    files = {
        "app.py": "from flask import Flask, request\nfrom tools import ping\napp = Flask(__name__)\n\n"
                  "@app.route('/a')\ndef a():\n    ping(request.args['h'])\n    return 'ok'\n\n"
                  "@app.route('/b')\ndef b():\n    ping(request.form['h'])\n    return 'ok'\n",
        "tools.py": "import os\n\ndef ping(host):\n    os.system('ping ' + host)\n",
    }
    result = _run(tmp_path, files)
    [finding] = [f for f in result.findings if f.code == "PIV013"]
    assert (finding.path, finding.line, finding.column) == ("tools.py", 4, 5)
    assert [[(s.path, s.line) for s in steps] for steps in finding.flows] == [
        [("app.py", 7), ("app.py", 7), ("tools.py", 3), ("tools.py", 4), ("tools.py", 4)],
        [("app.py", 12), ("app.py", 12), ("tools.py", 3), ("tools.py", 4), ("tools.py", 4)],
    ]
    text = render("text", result)
    assert "app.py:7:10: untrusted data from flask.request.args" in text and "app.py:12:10: untrusted data from flask.request.form" in text
    data = json.loads(render("json", result))
    [found] = [f for f in data["findings"] if f["code"] == "PIV013"]
    assert [s["path"] for s in found["flow"]][:2] == ["app.py", "app.py"]
    assert [s["path"] for s in found["more_flows"][0]][:2] == ["app.py", "app.py"]
    sarif = json.loads(render("sarif", result))
    [res] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "PIV013"]
    uris = [[loc["location"]["physicalLocation"]["artifactLocation"]["uri"] for loc in flow["threadFlows"][0]["locations"]]
            for flow in res["codeFlows"]]
    assert uris == [["app.py", "app.py", "tools.py", "tools.py", "tools.py"]] * 2


SERVICE_EVENT = (
    "import requests\n"
    "def handler(event, context):\n"
    "    requests.put(event['ResponseURL'], data='{}', timeout=5)\n"
)


def test_lambda_event_without_http_fields_is_a_local_source(tmp_path: Path) -> None:
    """A handler whose module reads no HTTP request field gets its event from AWS
    or an operator: reported only with local-sources, at low severity."""
    (tmp_path / "app.py").write_text(SERVICE_EVENT, encoding="utf-8")
    assert [f.code for f in run_paths([tmp_path], root=tmp_path, config=_local_config(tmp_path, ())).findings] == []
    cfg = _local_config(tmp_path, (("PIV016", (("local-sources", True),)),))
    [finding] = run_paths([tmp_path], root=tmp_path, config=cfg).findings
    assert (finding.code, finding.line, finding.severity.value) == ("PIV016", 3, "low")


def test_lambda_event_with_http_fields_is_remote(tmp_path: Path) -> None:
    text = SERVICE_EVENT + "def route(event, context):\n    return event['queryStringParameters']\n"
    (tmp_path / "app.py").write_text(text, encoding="utf-8")
    [finding] = run_paths([tmp_path], root=tmp_path, config=_local_config(tmp_path, ())).findings
    assert (finding.code, finding.line, finding.severity.value) == ("PIV016", 3, "high")


def test_a_descriptor_describes_the_code_below_its_folder(tmp_path: Path) -> None:
    """Two applications side by side, both `Handler: app.handler`: only the one whose
    own template declares an API gets remote input."""
    code = "import os\ndef handler(payload, context):\n    os.system('convert ' + payload['key'])\n"
    function = "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"
    api = "      Events:\n        Get:\n          Type: Api\n          Properties:\n            Path: /x\n            Method: get\n"
    for folder, template in (("web", function + api), ("jobs", function)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "template.yaml").write_text(template, encoding="utf-8")
        (tmp_path / folder / "app.py").write_text(code, encoding="utf-8")
    findings = run_paths([tmp_path], root=tmp_path, config=_local_config(tmp_path, ())).findings
    assert [(f.path, f.code, f.line) for f in findings] == [("web/app.py", "PIV013", 3)]
