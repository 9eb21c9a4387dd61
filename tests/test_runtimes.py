"""The CodeBuild image table (rules/models/codebuild-images.toml) and how
runtime-versions values are matched against it."""

from __future__ import annotations

import pytest

from lintkit.aws import runtimes


@pytest.mark.parametrize(
    ("runtime", "version", "image"),
    [
        ("nodejs", "20", "aws/codebuild/standard:7.0"),
        ("nodejs", "20.x", "aws/codebuild/standard:7.0"),
        ("nodejs", "latest", "aws/codebuild/standard:8.0"),
        ("python", "3.10", "aws/codebuild/amazonlinux2-x86_64-standard:5.0"),  # an alias
        ("python", "3.x", None),
        ("java", "corretto21", None),
        ("dotnet", "8", "aws/codebuild/standard:8.0"),
        ("nodejs", "20", "my-registry.example.com/builder:1"),  # a custom image: nothing to check against
    ],
)
def test_offered(runtime: str, version: str, image: str | None) -> None:
    assert runtimes.problem(runtime, version, image) == ""


@pytest.mark.parametrize(
    ("runtime", "version", "image", "why"),
    [
        ("nodejs", "20", "aws/codebuild/standard:8.0", "build image aws/codebuild/standard:8.0 does not offer nodejs 20 (it offers: 24, 22)"),
        ("nodejs", "10", None, "no current CodeBuild image offers nodejs 10 (they offer: 18, 20, 22, 24)"),
        ("java", "openjdk8", None, "no current CodeBuild image offers java openjdk8"),
        ("node", "18", None, "CodeBuild has no runtime named 'node' (did you mean 'nodejs'?), so the install phase fails"),
        ("rust", "1.94", "aws/codebuild/standard:7.0", "build image aws/codebuild/standard:7.0 does not offer rust 1.94 (it offers: none)"),
    ],
)
def test_not_offered(runtime: str, version: str, image: str | None, why: str) -> None:
    assert runtimes.problem(runtime, version, image).startswith(why)


def test_every_current_image_offers_the_main_runtimes() -> None:
    table = runtimes.images()
    assert {"aws/codebuild/standard:7.0", "aws/codebuild/standard:8.0", "aws/codebuild/amazonlinux-x86_64-standard:5.0"} <= table.current
    for image in table.current:
        assert {"nodejs", "python", "java"} <= set(table.offers[image]), image
