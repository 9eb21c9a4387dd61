"""Shell command helpers: splitting and the pattern detectors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lintkit.aws import shell
from lintkit.aws.buildspec import typographic_characters


# --- splitting ----------------------------------------------------------------------


def test_split_operators_and_quotes() -> None:
    cmds = shell.split("""A=1 sudo -E make test && echo "a && b" | tee log; rm -rf x || true # done""")
    assert [c.argv for c in cmds] == [["make", "test"], ["echo", "a && b"], ["tee", "log"], ["rm", "-rf", "x"], ["true"]]
    assert [c.op_before for c in cmds] == ["", "&&", "|", ";", "||"]
    assert cmds[-1].comment_start > 0


def test_split_keeps_substitutions_and_redirections_in_words() -> None:
    (cmd,) = shell.split("docker push \"$(cat uri.txt)\" 2>&1")
    assert [w.text for w in cmd.words] == ["docker", "push", "$(cat uri.txt)", "2>&1"]


def test_word_offsets_point_into_the_text() -> None:
    text = "  curl -sk 'https://x'"
    (cmd,) = shell.split(text)
    assert [(text[w.start : w.end]) for w in cmd.words] == ["curl", "-sk", "'https://x'"]


def test_all_commands_descends_into_substitutions_and_bash_c() -> None:
    text = "X=$(aws ecr get-login) && bash -c 'curl -k https://a'"
    names = sorted(cmd.name for _, cmd in shell.all_commands(text) if cmd.name)
    assert names == ["aws", "bash", "curl"]
    inner = [(base, cmd) for base, cmd in shell.all_commands(text) if cmd.name == "curl"][0]
    base, cmd = inner
    assert text[base + cmd.words[1].start : base + cmd.words[1].end] == "-k"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab $(){}'\"`|&;#\\\n-=k", max_size=60))
def test_split_never_raises_and_offsets_stay_in_range(text: str) -> None:
    for base, cmd in shell.all_commands(text):
        for word in cmd.words:
            assert 0 <= base + word.start <= base + word.end <= len(text)
    for detector in (shell.pipe_to_shell, shell.tls_disabled, shell.error_masked, shell.terraform_auto_approve):
        for hit in detector(text):
            assert 0 <= hit.start <= hit.end <= len(text)


# --- detectors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("curl -sSL https://raw.githubusercontent.com/o/r/main/install.sh | bash", True),
        ("wget -qO- http://get.example.com | sudo sh", True),
        ("curl -s https://github.com/o/r/raw/develop/i.sh | UV_INSTALL_DIR=/usr/local/bin sh", True),
        ("bash <(curl -s http://x/install.sh)", True),
        ('sh -c "$(curl -fsSL https://gitlab.com/o/r/-/raw/master/install.sh)"', True),
        ("curl -LsSf https://astral.sh/uv/install.sh | UV_INSTALL_DIR=/usr/local/bin sh", False),
        ("curl -fsSL http://x/key.gpg | gpg --dearmor -o k.gpg", False),
        ("curl -s https://raw.githubusercontent.com/o/r/v1.2.3/install.sh | bash", False),
        ("curl -s https://raw.githubusercontent.com/o/r/0123456789abcdef0123456789abcdef01234567/install.sh | bash", False),
        ("curl -s $INSTALLER_URL | bash", False),
        ("curl -s http://x/api | jq .version", False),
    ],
)
def test_pipe_to_shell(text: str, found: bool) -> None:
    assert bool(shell.pipe_to_shell(text)) is found


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("curl -k https://x", "-k"),
        ("curl -sSLk https://x", "-sSLk"),
        ("curl --insecure https://x", "--insecure"),
        ("wget --no-check-certificate https://x", "--no-check-certificate"),
        ("aws s3 cp s3://b/k . --no-verify-ssl", "--no-verify-ssl"),
        ("pip3 install --trusted-host pypi.internal x", "--trusted-host"),
        ("export GIT_SSL_NO_VERIFY=1", "GIT_SSL_NO_VERIFY=1"),
        ("NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci", "NODE_TLS_REJECT_UNAUTHORIZED=0"),
        ("git -c http.sslVerify=false clone https://x", "http.sslVerify=false"),
    ],
)
def test_tls_disabled_points_at_the_flag(text: str, flagged: str) -> None:
    hits = shell.tls_disabled(text)
    assert [text[h.start : h.end] for h in hits] == [flagged]


@pytest.mark.parametrize("text", ["curl -o out -L https://x", "kubectl get pods -k", "ssh-keygen -k", "git config http.sslVerify true"])
def test_tls_not_disabled(text: str) -> None:
    assert shell.tls_disabled(text) == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("npm test || true", "npm test"),
        ("npm run lint:ci || echo lint failed", "npm run lint:ci"),
        ("python -m pytest -q || exit 0", "python -m pytest -q"),
        ("terraform apply -auto-approve || :", "terraform apply -auto-approve"),
        ("aws cloudformation deploy --stack-name s || true", "aws cloudformation deploy --stack-name s"),
        ("./gradlew -Pci=1 integrationTest || echo failed", "./gradlew -Pci=1 integrationTest"),
        ("kubectl create secret generic app --from-env-file=.env || true", "kubectl create secret"),
    ],
)
def test_error_masked(text: str, masked: str) -> None:
    (hit,) = shell.error_masked(text)
    assert text[hit.start : hit.end].startswith(masked)


@pytest.mark.parametrize(
    "text",
    [
        "docker rmi old || true",
        "rm -rf build || true",
        "pkill -f server || true",
        "npm test || RC=$?",
        'npm test || TEST_RC="$?"',
        "npm install || true",
        "pip install -r requirements.txt || echo retry later",
        "npm test || exit 1",
        "aws cloudformation delete-stack --stack-name s || true",
        'npm test || { echo "tests failed"; exit 1; }',
        "npm test || echo failed && false",
        "./gradlew -Pci=1 integrationTest || echo non-gating",
        "# the suite is flaky: report only\nnpm run e2e || true",
        "kubectl create namespace preview || true\nkubectl apply -n preview -f k8s/",
    ],
)
def test_error_not_masked(text: str) -> None:
    assert shell.error_masked(text) == []


def test_idempotent_step_caught_later_in_the_phase() -> None:
    step = "helm repo add charts https://charts.example.com || true"
    assert shell.error_masked(step) != []
    assert shell.error_masked(step, later="helm upgrade --install app charts/app") == []


def test_set_plus_e_and_risky() -> None:
    assert [h.message for h in shell.set_plus_e("set +e")] == ["'set +e' makes the build ignore failing commands"]
    assert shell.set_plus_e("set -e") == []
    assert shell.has_risky("cd app\nnpm test") is True
    assert shell.has_risky("cd app\nnpm ci") is False


def test_ecr_get_login_and_its_successor() -> None:
    text = "$(aws ecr get-login --no-include-email)"
    (hit,) = shell.ecr_get_login(text)
    assert text[hit.start : hit.end] == "aws ecr get-login"
    assert shell.ecr_get_login("aws ecr get-login-password | docker login -u AWS --password-stdin r") == []
    assert len(shell.ecr_get_login("eval $(aws --region us-east-1 ecr get-login)")) == 1


@pytest.mark.parametrize(
    ("text", "image"),
    [
        ("docker push $REPO_URI:latest", "$REPO_URI:latest"),
        ("docker push registry.example.com:5000/app", "registry.example.com:5000/app"),
        ("docker push $REPOSITORY_URI", "$REPOSITORY_URI"),
    ],
)
def test_mutable_pushes(text: str, image: str) -> None:
    (push,) = shell.docker_pushes(text)
    assert push.mutable and text[push.start : push.end] == image


@pytest.mark.parametrize(
    "text",
    [
        "docker push $REPO_URI:$IMAGE_TAG",
        "docker push registry.example.com:5000/app:1.2.3",
        "docker push $IMAGE",
        "docker push --all-tags $REPO",
        "docker push app@sha256:abc",
    ],
)
def test_immutable_pushes(text: str) -> None:
    assert not any(push.mutable for push in shell.docker_pushes(text))


def test_pushes_name_their_repository() -> None:
    pushes = shell.docker_pushes("docker push ${REPO_URI}:latest && docker push $REPO_URI:$TAG")
    assert [(p.repository, p.mutable) for p in pushes] == [("$REPO_URI", True), ("$REPO_URI", False)]


def test_terraform_auto_approve() -> None:
    assert len(shell.terraform_auto_approve("terraform apply -auto-approve")) == 1
    assert len(shell.terraform_auto_approve("terraform -chdir=infra apply --auto-approve -var x=1")) == 1
    assert shell.terraform_auto_approve("terraform apply -auto-approve tfplan") == []
    assert shell.terraform_auto_approve("terraform apply tfplan") == []


def test_describe_is_short() -> None:
    (cmd,) = shell.split("aws cloudformation deploy --stack-name x --template-file t.yml")
    assert shell.describe(cmd) == "aws cloudformation deploy ..."


# --- typographic characters ---------------------------------------------------------------


def test_typographic_characters_in_commands_only() -> None:
    assert typographic_characters("docker login \u2013u ci") == [(13, "\u2013")]
    assert typographic_characters("echo \u201cBuild started\u201d") == []  # only printed
    assert typographic_characters("make  # see the \u201cREADME\u201d") == []  # a comment
    text = "printf '{\"name\":\u201dweb\u201d}' > imagedefinitions.json"
    assert [ch for _, ch in typographic_characters(text)] == ["\u201d", "\u201d"]
    assert typographic_characters("echo \u2018x\u2019 | tee out.json") != []
    assert typographic_characters("ls\u00a0-la") == [(2, "\u00a0")]


@pytest.mark.parametrize(
    ("text", "saved"),
    [
        ("curl -fsSL -o get.sh https://raw.githubusercontent.com/o/r/main/get.sh && bash get.sh", "get.sh"),
        ("curl -sSLO https://github.com/o/r/raw/master/tool.sh\n./tool.sh", "tool.sh"),
        ("wget http://x.example.com/a/setup.sh; chmod +x setup.sh; ./setup.sh", "setup.sh"),
        ("wget -O boot.sh http://x.example.com/b; . boot.sh", "boot.sh"),
    ],
)
def test_downloaded_then_run(text: str, saved: str) -> None:
    (hit,) = shell.downloaded_then_run(text)
    assert f"as '{saved}'" in hit.message


@pytest.mark.parametrize(
    "text",
    [
        "curl -fsSLo get.sh https://raw.githubusercontent.com/o/r/main/get.sh && sha256sum -c get.sh.sha256 && bash get.sh",
        "curl -fsSLo get.sh https://raw.githubusercontent.com/o/r/v3.1.0/get.sh && bash get.sh",
        "curl -fsSLo get.sh https://get.example.com/install.sh && bash get.sh",
        "curl -fsSLo data.json http://x.example.com/data.json && jq . data.json",
    ],
)
def test_downloaded_but_not_run_unverified(text: str) -> None:
    assert shell.downloaded_then_run(text) == []


def test_downloaded_here_run_later_in_the_phase() -> None:
    text = "wget http://x.example.com/setup.sh"
    assert shell.downloaded_then_run(text) == []
    assert len(shell.downloaded_then_run(text, later="chmod +x setup.sh\n./setup.sh")) == 1
