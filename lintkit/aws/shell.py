"""Shell command analysis for CI/CD command strings (buildspec `commands`).

Not a shell parser: a small, quote-aware splitter that is good enough to find
the patterns CI rules care about (`curl | sh`, `curl -k`, `|| true`, ...) and
to say *where* in the command they are. Every function works on character
offsets into the command text; `Scalar.span_of` (lintkit.documents) maps them
to the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator


# --- splitting -------------------------------------------------------------------

_OPERATORS = ("&&", "||", ";;", "|&", "|", ";", "&", "\n")


@dataclass(frozen=True)
class Word:
    text: str  # the word with quotes removed (variables kept as written)
    start: int  # offset of the word's first character in the command text
    end: int  # exclusive
    quoted: bool = False  # any part of the word was quoted


@dataclass
class Simple:
    """One simple command: words between control operators."""

    words: list[Word] = field(default_factory=list)
    start: int = 0
    end: int = 0
    op_before: str = ""  # the control operator that precedes it ("" at the start)
    op_after: str = ""  # the control operator that follows it
    comment_start: int = -1  # offset where a trailing `#` comment starts, -1 if none

    @property
    def argv(self) -> list[str]:
        """The words after leading `VAR=value` assignments and `sudo`/`env`/`time` wrappers."""
        return [w.text for w in self.command_words()]

    def command_words(self) -> list[Word]:
        words = list(self.words)
        i = 0
        while i < len(words):
            text = words[i].text
            if _ASSIGNMENT.match(text) and not words[i].text.startswith("="):
                i += 1
                continue
            if text in _WRAPPERS:
                i += 1
                # skip wrapper options such as `sudo -E`, `timeout 10m`
                while i < len(words) and (words[i].text.startswith("-") or (text == "timeout" and _DURATION.match(words[i].text))):
                    i += 1
                continue
            break
        return words[i:]

    @property
    def name(self) -> str:
        argv = self.argv
        return argv[0].rsplit("/", 1)[-1] if argv else ""

    def start_word(self) -> int:
        """Offset of the command name (after assignments and wrappers)."""
        words = self.command_words()
        return words[0].start if words else self.start

    def end_word(self) -> int:
        return self.words[-1].end if self.words else self.end


_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def is_assignment(word: str) -> bool:
    """`NAME=value` (a shell variable assignment)."""
    return bool(_ASSIGNMENT.match(word))
_WRAPPERS = {"sudo", "env", "time", "nohup", "exec", "command", "timeout", "xargs", "eval", "then", "do", "else", "!", "{", "("}
_DURATION = re.compile(r"^\d+[smhd]?$")


def split(text: str) -> list[Simple]:
    """Split a command line (or a multi-line script) into simple commands.

    Quotes, `$(...)`, backticks and `${...}` are kept inside words; a `#` that
    starts a word starts a comment up to the end of the line.
    """
    commands: list[Simple] = []
    current = Simple(start=0)
    i, n = 0, len(text)
    word_start = -1
    buf: list[str] = []
    quoted = False

    def flush_word(end: int) -> None:
        nonlocal word_start, buf, quoted
        if word_start >= 0:
            current.words.append(Word("".join(buf), word_start, end, quoted))
        word_start, buf, quoted = -1, [], False

    def finish(op: str, at: int) -> None:
        nonlocal current
        flush_word(at)
        current.end = at
        current.op_after = op
        if current.words or current.comment_start >= 0:
            commands.append(current)
        elif commands and op and not commands[-1].op_after:
            commands[-1].op_after = op
        current = Simple(start=at + len(op), op_before=op)

    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            if text[i + 1] == "\n":  # line continuation
                flush_word(i)
                i += 2
                continue
            if word_start < 0:
                word_start = i
            buf.append(text[i + 1])
            i += 2
            continue
        if ch in "'\"`":
            close = _find_close(text, i, ch)
            if word_start < 0:
                word_start = i
            buf.append(text[i + 1 : close] if ch != "`" else text[i : close + 1])
            quoted = True
            i = close + 1
            continue
        if ch == "$" and i + 1 < n and text[i + 1] in "({":
            close = _find_paren(text, i + 1)
            if word_start < 0:
                word_start = i
            buf.append(text[i : close + 1])
            i = close + 1
            continue
        if ch == "#" and word_start < 0:
            nl = text.find("\n", i)
            current.comment_start = i
            i = n if nl < 0 else nl
            continue
        op = _operator_at(text, i)
        if op:
            finish(op, i)
            i += len(op)
            continue
        if ch in " \t\r":
            flush_word(i)
            i += 1
            continue
        if ch in "<>" and word_start < 0:
            # redirections are words of their own (`>`, `2>&1`, `>>file`)
            word_start = i
        if word_start < 0:
            word_start = i
        buf.append(ch)
        i += 1
    finish("", n)
    return commands


def _operator_at(text: str, i: int) -> str:
    for op in _OPERATORS:
        if text.startswith(op, i):
            if op in ("&", "|&") and (text[i - 1 : i] in (">", "<") or text[i + 1 : i + 2] == ">"):
                return ""  # `2>&1`, `&>file`
            return op
    return ""


def _find_close(text: str, i: int, quote: str) -> int:
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and quote != "'":
            j += 2
            continue
        if text[j] == quote:
            return j
        j += 1
    return len(text) - 1


def _find_paren(text: str, i: int) -> int:
    """Offset of the bracket closing the one at `i` (quote-aware)."""
    opener = text[i]
    closer = ")" if opener == "(" else "}"
    depth = 0
    j = i
    while j < len(text):
        ch = text[j]
        if ch in "'\"`" and opener == "(":
            j = _find_close(text, j, ch) + 1
            continue
        if ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return len(text) - 1


def pipelines(commands: list[Simple]) -> Iterator[list[Simple]]:
    """Group simple commands joined by `|` into pipelines."""
    group: list[Simple] = []
    for cmd in commands:
        if group and cmd.op_before not in ("|", "|&"):
            yield group
            group = []
        group.append(cmd)
    if group:
        yield group


# Nesting levels of `$(...)`, backticks and `sh -c` followed: each level is
# scanned once, so the work stays linear in the text times this bound.
MAX_NESTING = 8


def substitutions(text: str) -> Iterator[tuple[int, str]]:
    """(offset of the inner text, inner text) of every outermost `$(...)` and
    backtick substitution (the ones nested inside are found in the inner text)."""
    i = 0
    while i < len(text):
        if text.startswith("$(", i) and not text.startswith("$((", i):
            close = _find_paren(text, i + 1)
            yield i + 2, text[i + 2 : close]
            i = max(close, i + 1) + 1
            continue
        if text[i] == "`":
            close = text.find("`", i + 1)
            if close > i:
                yield i + 1, text[i + 1 : close]
                i = close + 1
                continue
        i += 1


def all_commands(text: str, base: int = 0, depth: int = 0) -> Iterator[tuple[int, Simple]]:
    """Every simple command, including those inside `$(...)`/backticks and
    `bash -c '...'`, as (offset of the text it was split from, command)."""
    if depth > MAX_NESTING:
        return
    for cmd in split(text):
        yield base, cmd
        for word in cmd.words:
            raw = text[word.start : word.end]
            for inner_off, inner in substitutions(raw):
                yield from all_commands(inner, base + word.start + inner_off, depth + 1)
        argv = cmd.command_words()
        if argv and argv[0].text in ("sh", "bash", "zsh") and len(argv) > 2 and argv[1].text == "-c":
            script = argv[2]
            raw = text[script.start : script.end]
            if raw[:1] in "'\"" and raw[-1:] == raw[:1]:
                yield from all_commands(raw[1:-1], base + script.start + 1, depth + 1)


# --- detectors -----------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    message: str


_FETCHERS = {"curl", "wget", "iwr", "Invoke-WebRequest", "irm", "Invoke-RestMethod"}
_SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "python", "python3", "perl", "ruby", "node", "iex", "Invoke-Expression", "pwsh", "powershell"}
# A file in a source repository at a ref: raw.githubusercontent.com/o/r/REF/…,
# github.com/o/r/raw/REF/…, gitlab.com/o/r/-/raw/REF/…, bitbucket.org/o/r/raw/REF/…
_REPO_FILE = re.compile(
    r"^https?://(?:raw\.githubusercontent\.com/(?P<o1>[^/]+)/(?P<r1>[^/]+)/(?:refs/heads/)?(?P<ref1>[^/]+)/"
    r"|(?P<host>github\.com|gitlab\.com|bitbucket\.org)/(?P<o2>[^/]+)/(?P<r2>[^/]+)/(?:-/)?raw/(?:refs/heads/)?(?P<ref2>[^/]+)/)"
)
# A ref that names one fixed revision: a commit id or a version tag.
_FIXED_REF = re.compile(r"^(?:[0-9a-f]{40}|v?\d+(?:\.\d+)+(?:[-+.][\w.]+)?)$")
_VERIFIERS = {"sha256sum", "sha512sum", "sha1sum", "md5sum", "b2sum", "shasum", "gpg", "gpg2", "cosign", "minisign", "openssl", "sigstore"}


def unverified_source(url: str) -> str:
    """Why a script from `url` is worth verifying: it comes over plain HTTP, or
    from a branch of a source repository, whose content whoever can push there
    changes ('' otherwise: an HTTPS download from a vendor's installer address,
    a pinned tag or commit, or a URL in a variable we cannot read)."""
    url = url.strip("'\"")
    if url.startswith("http://"):
        return f"over plain HTTP from {url.split('/')[2]}"
    match = _REPO_FILE.match(url)
    if match is None:
        return ""
    ref = match.group("ref1") or match.group("ref2")
    if _FIXED_REF.match(ref) or ref.startswith("$"):
        return ""
    host = match.group("host") or "github.com"
    owner, repo = match.group("o1") or match.group("o2"), match.group("r1") or match.group("r2")
    return f"from the '{ref}' branch of {host}/{owner}/{repo}"


def _url_of(cmd: Simple) -> str:
    return next((word for word in cmd.argv[1:] if "://" in word), "")


def pipe_to_shell(text: str) -> list[Hit]:
    """`curl URL | sh`, `bash <(curl URL)` and `sh -c "$(curl URL)"` where the
    script comes from a branch or over plain HTTP (`unverified_source`)."""
    hits: list[Hit] = []
    for base, cmd_list in _pipeline_sets(text):
        for group in pipelines(cmd_list):
            fetch = next((c for c in group if c.name in _FETCHERS), None)
            if fetch is None:
                continue
            after = group[group.index(fetch) + 1 :]
            shell = next((c for c in after if c.name in _SHELLS), None)
            reason = unverified_source(_url_of(fetch))
            if shell is not None and reason:
                hits.append(Hit(base + fetch.start_word(), base + shell.end_word(),
                                f"'{fetch.name} ... | {shell.name}' runs a script downloaded {reason} without verifying it"))
    for match in re.finditer(r"\b(?:ba|z)?sh\s+(?:-c\s+)?[\"']?(?:<\(|\$\()\s*(curl|wget)\b[^)]*\)", text):
        url = re.search(r"\S+://[^\s)\"']+", match.group(0))
        reason = unverified_source(url.group(0)) if url else ""
        if reason:
            hits.append(Hit(match.start(), match.end(), f"a script downloaded with {match.group(1)} {reason} is run by the shell without verifying it"))
    return hits


def downloaded_then_run(text: str, later: str = "") -> list[Hit]:
    """`curl -o x.sh URL && bash x.sh`, `wget URL; chmod +x f; ./f`: a script
    saved from a branch or over plain HTTP and run (here or in `later`, the
    rest of the phase) with no checksum or signature check in between."""
    hits: list[Hit] = []
    cmds = split(text)
    rest_of_phase = split(later)
    for index, cmd in enumerate(cmds):
        if cmd.name not in ("curl", "wget"):
            continue
        url = _url_of(cmd)
        reason = unverified_source(url)
        saved = _saved_as(cmd, url) if reason else ""
        if not saved:
            continue
        for follow in cmds[index + 1 :] + rest_of_phase:
            if follow.name in _VERIFIERS:
                break
            if _runs(follow, saved):
                hits.append(Hit(cmd.start_word(), cmd.end_word(),
                                f"'{cmd.name}' saves a script downloaded {reason} as '{saved}', which '{describe(follow, 2)}' runs without verifying it"))
                break
    return hits


def _saved_as(cmd: Simple, url: str) -> str:
    """The file name a curl/wget download is written to ('' for stdout)."""
    argv = cmd.argv
    flags = ("-o", "--output") if cmd.name == "curl" else ("-O", "--output-document")
    for i, arg in enumerate(argv[1:], 1):
        if arg in flags and i + 1 < len(argv):
            return argv[i + 1].rsplit("/", 1)[-1]
        for flag in flags:
            if arg.startswith(flag + "=") or flag == flags[0] and arg.startswith(flag) and len(arg) > len(flag) and not arg.startswith("--"):
                return arg[len(flag):].lstrip("=").rsplit("/", 1)[-1]
    remote_name = cmd.name == "wget" or any(a in ("-O", "--remote-name") or re.match(r"^-[a-zA-Z]*O[a-zA-Z]*$", a) for a in argv[1:])
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name if remote_name and name and "://" not in name else ""


def _runs(cmd: Simple, saved: str) -> bool:
    argv = cmd.argv
    if not argv:
        return False
    if argv[0].rsplit("/", 1)[-1] == saved and "/" in argv[0]:
        return True  # ./install.sh
    interpreter = cmd.name in _SHELLS or cmd.name in ("source", ".")
    return interpreter and any(arg.rsplit("/", 1)[-1] == saved for arg in argv[1:] if not arg.startswith("-"))


def _pipeline_sets(text: str, base: int = 0, depth: int = 0) -> Iterator[tuple[int, list[Simple]]]:
    # top-level commands and, per substitution (nested ones too), their own command lists
    yield base, split(text)
    if depth < MAX_NESTING:
        for off, inner in substitutions(text):
            yield from _pipeline_sets(inner, base + off, depth + 1)


_TLS_ENV = re.compile(
    r"\b(?:GIT_SSL_NO_VERIFY=(?:[\"']?(?:true|1|yes)\b)|NODE_TLS_REJECT_UNAUTHORIZED=[\"']?0\b|PYTHONHTTPSVERIFY=[\"']?0\b|"
    r"CURL_CA_BUNDLE=[\"']{2}(?=\s|$)|REQUESTS_CA_BUNDLE=[\"']{2}(?=\s|$))",
    re.IGNORECASE,
)


def tls_disabled(text: str) -> list[Hit]:
    """Commands that turn TLS certificate verification off."""
    hits: list[Hit] = []
    for base, cmd in all_commands(text):
        words = cmd.command_words()
        if not words:
            continue
        name = cmd.name
        args = words[1:]
        texts = [w.text for w in args]
        if name == "curl":
            for w in args:
                if w.text == "--insecure" or (re.match(r"^-[A-Za-z]*k[A-Za-z]*$", w.text) and not w.text.startswith("--")):
                    hits.append(Hit(base + w.start, base + w.end, f"'curl {w.text}' turns off TLS certificate verification"))
        elif name == "wget":
            for w in args:
                if w.text == "--no-check-certificate":
                    hits.append(Hit(base + w.start, base + w.end, "'wget --no-check-certificate' turns off TLS certificate verification"))
        elif name in ("pip", "pip3") or (name.startswith("python") and texts[:2] == ["-m", "pip"]):
            for w in args:
                if w.text.startswith("--trusted-host"):
                    hits.append(Hit(base + w.start, base + w.end, "'pip --trusted-host' accepts that host without TLS verification"))
        elif name in ("npm", "yarn", "pnpm") and "strict-ssl" in texts and any(t.lower() == "false" for t in texts):
            hits.append(Hit(base + words[0].start, base + words[-1].end, f"'{name} config set strict-ssl false' turns off TLS certificate verification"))
        elif name == "git":
            inline = [w for w in args if re.match(r"(?i)^http\.(?:[^=\s]*\.)?sslverify=(?:false|0|no)$", w.text)]
            for w in inline:
                hits.append(Hit(base + w.start, base + w.end, "git http.sslVerify is turned off"))
            if not inline and "config" in texts and any(re.match(r"(?i)^http\.(?:[^=\s]*\.)?sslverify$", t) for t in texts) and texts[-1].lower() in ("false", "0", "no"):
                hits.append(Hit(base + words[0].start, base + words[-1].end, "git http.sslVerify is turned off"))
        if name == "aws" or name.endswith("aws"):
            for w in args:
                if w.text == "--no-verify-ssl":
                    hits.append(Hit(base + w.start, base + w.end, "'aws --no-verify-ssl' turns off TLS certificate verification"))
        for w in cmd.words:
            if _TLS_ENV.match(w.text):
                hits.append(Hit(base + w.start, base + w.end, f"'{w.text}' turns off TLS certificate verification"))
    return _dedupe(hits)


def _dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[int, int]] = set()
    out = []
    for hit in sorted(hits, key=lambda h: (h.start, h.end)):
        if (hit.start, hit.end) not in seen:
            seen.add((hit.start, hit.end))
            out.append(hit)
    return out


# --- masked errors ------------------------------------------------------------------------

_CLEANUP = {
    "rm", "rmdir", "unlink", "pkill", "kill", "killall", "umount", "mkdir", "ln", "cp", "mv", "chmod", "chown",
    "which", "command", "type", "grep", "test", "[", "[[", "diff", "cat", "ls", "find", "cd", "source", ".",
}
_DOCKER_CLEANUP = {"rmi", "rm", "stop", "kill", "prune", "network", "volume", "logout"}
# Tools whose failure must fail the build: tests, linters, scanners, deployers.
_RISKY_TOOLS = {
    "pytest", "py.test", "tox", "nox", "nosetests", "jest", "mocha", "karma", "phpunit", "rspec", "cucumber", "behave",
    "ctest", "vitest", "playwright", "cypress", "newman",
    "eslint", "tslint", "flake8", "pylint", "pycodestyle", "mypy", "ruff", "black", "isort", "rubocop", "shellcheck",
    "hadolint", "golint", "golangci-lint", "cfn-lint", "cfn_nag", "cfn_nag_scan", "tflint", "tfsec", "checkov", "bandit",
    "safety", "trivy", "grype", "snyk", "semgrep", "sonar-scanner", "dependency-check", "dependency-check.sh", "lintkit",
    "terraform", "tofu", "terragrunt", "kubectl", "helm", "cdk", "sam", "serverless", "sls", "pulumi",
    "ansible-playbook", "copilot", "eb",
}
# Runners whose subcommand says what runs (`npm test`, `make lint`, `go test`).
_RUNNERS = {
    "npm", "yarn", "pnpm", "npx", "make", "gradle", "gradlew", "mvn", "mvnw", "go", "cargo", "dotnet", "python", "python3",
    "poetry", "pipenv", "bundle", "rake", "composer", "ant", "sbt", "lerna", "nx", "turbo", "hatch", "uv",
}
_RISKY_WORD = re.compile(r"(?i)test|lint|check|verify|scan|audit|deploy|e2e|integ")
_AWS_DEPLOY = re.compile(
    r"\baws\s+(?:cloudformation\s+(?:deploy|create-stack|update-stack|execute-change-set)|ecs\s+update-service|"
    r"lambda\s+update-function-code|s3\s+sync|elasticbeanstalk\s+update-environment|deploy\s+create-deployment)\b"
)


def _is_cleanup(cmd: Simple) -> bool:
    name = cmd.name
    argv = cmd.argv
    if name in _CLEANUP:
        return True
    if name in ("docker", "docker-compose", "podman") and len(argv) > 1:
        return argv[1] in _DOCKER_CLEANUP or any(a in ("rm", "rmi", "prune", "down") for a in argv[1:3])
    if name == "aws" and len(argv) > 2 and (argv[2].startswith(("delete", "remove", "describe", "get", "list", "wait")) or argv[1:3] == ["s3", "rm"]):
        return True
    return False


def _is_risky(cmd: Simple, text: str) -> bool:
    """A test, lint, scan or deploy command (judged by the command and its subcommand, not its arguments)."""
    words = cmd.command_words()
    if not words or _is_cleanup(cmd):
        return False
    name = cmd.name
    argv = cmd.argv
    if name in _RISKY_TOOLS:
        return True
    if name.startswith(("test", "lint", "deploy", "run-test", "run_test", "run-tests", "run_tests")) or name.endswith(("test.sh", "tests.sh", "lint.sh", "deploy.sh")):
        return True
    if name in _RUNNERS or name.startswith(("gradlew", "mvnw")):
        if name in ("python", "python3"):
            return argv[1:2] == ["-m"] and len(argv) > 2 and (argv[2] in _RISKY_TOOLS or argv[2] in ("pytest", "unittest"))
        targets = [a for a in argv[1:] if not a.startswith("-") and "=" not in a and "/" not in a]
        # build tools take many tasks/targets; package runners a subcommand and a script name
        if not (name in ("make", "gradle", "gradlew", "mvn", "mvnw", "ant", "sbt") or name.startswith(("gradlew", "mvnw"))):
            targets = targets[:2]
        return any(_RISKY_WORD.search(a) for a in targets)
    segment = text[words[0].start : words[-1].end]
    return bool(_AWS_DEPLOY.search(segment))


_CAPTURE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=[\"']?\$\?")


def _masks(cmd: Simple) -> str:
    """Why the command after `||` masks a failure ('' when it does not)."""
    words = cmd.command_words() or cmd.words
    if not words:
        return ""
    argv = [w.text for w in words]
    raw0 = cmd.words[0].text if cmd.words else ""
    if _CAPTURE.match(raw0):
        return ""  # `|| RC=$?`: the exit code is kept and checked later
    if argv[0] in ("true", ":"):
        return f"|| {argv[0]}"
    if argv[0] == "exit" and (len(argv) == 1 or argv[1] == "0"):
        return "|| exit 0"
    if argv[0] in ("echo", "printf") and cmd.op_after not in ("&&",):
        return f"|| {argv[0]} ..."
    return ""


def _fails_later(cmds: list[Simple], index: int) -> bool:
    """`|| { echo "tests failed"; exit 1; }`: the handler still fails the build."""
    for cmd in cmds[index:]:
        if cmd is not cmds[index] and cmd.op_before in ("\n", "||", ""):
            break
        argv = [a for a in cmd.argv if a not in ("}", ")")]
        if argv[:1] == ["exit"] and argv[1:2] != ["0"] or argv[:1] == ["false"]:
            return True
    return False


def error_masked(text: str, later: str = "") -> list[Hit]:
    """`risky || true`, `|| echo`, `|| exit 0` (`set +e` is `set_plus_e`'s).

    Not reported: an idempotent step (`kubectl create namespace x || true`)
    when a later command of the same tool (in `text` or in `later`, the rest
    of the phase) would fail on a real error; and a failure the author marks
    as deliberately non-gating, in the handler's message or a comment."""
    hits: list[Hit] = []
    cmds = split(text)
    for index, cmd in enumerate(cmds):
        if cmd.op_before != "||" or index == 0:
            continue
        how = _masks(cmd)
        if not how or _fails_later(cmds, index):
            continue
        # the masked command(s): walk back over the `&&`/`||`/`|` chain
        j = index - 1
        chain = [cmds[j]]
        while j > 0 and cmds[j].op_before in ("&&", "||", "|"):
            j -= 1
            chain.append(cmds[j])
        if not any(_is_risky(c, text) for c in chain):
            continue
        if all(_is_cleanup(c) for c in chain):
            continue
        target = next(c for c in chain if _is_risky(c, text))
        if _idempotent(target) and _used_later(target.name, cmds[index + 1 :], later):
            continue
        if _NON_GATING.search(text[cmd.start : cmd.end]) or _NON_GATING.search(_comments_before(text, chain[-1].start)):
            continue
        start = target.start_word()
        hits.append(Hit(start, cmd.end_word(), f"'{how}' hides the failure of '{describe(target)}'"))
    return hits


# Subcommands that fail when their work is already done (`create`, `add`): `|| true` keeps them idempotent.
_IDEMPOTENT_VERB = re.compile(r"^(?:create(?:-[a-z-]+)?|add|mb|mkdir|new|register|bootstrap)$")
# An author saying the failure is not meant to fail the build.
_NON_GATING = re.compile(
    r"(?i)non[- ]?gating|not gat(?:e|ing)|do not gate|don'?t gate|(?:do not|don'?t) (?:want to )?fail|allowed to fail|non[- ]?blocking|"
    r"best[- ]effort|informational|report[- ]only"
)


def _idempotent(cmd: Simple) -> bool:
    verbs = [a for a in cmd.argv[1:4] if not a.startswith("-")]
    return any(_IDEMPOTENT_VERB.match(v) for v in verbs)


def _used_later(tool: str, rest: list[Simple], later: str) -> bool:
    return any(c.name == tool for c in rest) or any(c.name == tool for c in split(later))


def _comments_before(text: str, start: int) -> str:
    """The comment lines directly above offset `start` (in a block scalar)."""
    lines = text[:start].split("\n")[:-1]
    out: list[str] = []
    for line in reversed(lines):
        if not line.strip().startswith("#"):
            break
        out.append(line)
    return "\n".join(out)


def describe(cmd: Simple, words: int = 3) -> str:
    """A short human name for a command: its first few words."""
    argv = cmd.argv
    shown = " ".join(a if len(a) <= 40 else a[:37] + "..." for a in argv[:words])
    return shown + (" ..." if len(argv) > words else "")


def set_plus_e(text: str) -> list[Hit]:
    """Every `set +e` (the caller decides whether risky commands follow)."""
    return [
        Hit(cmd.start_word(), cmd.end_word(), "'set +e' makes the build ignore failing commands")
        for cmd in split(text)
        if cmd.argv[:1] == ["set"] and any(re.match(r"^\+[a-z]*e", a) for a in cmd.argv[1:])
    ]


def set_minus_e(text: str) -> bool:
    return any(cmd.argv[:1] == ["set"] and any(re.match(r"^-[a-z]*e", a) for a in cmd.argv[1:]) for cmd in split(text))


def has_risky(text: str) -> bool:
    """Any test, lint, scan or deploy command in `text`."""
    return any(_is_risky(cmd, text) for cmd in split(text))


# --- other command patterns -------------------------------------------------------------


def ecr_get_login(text: str) -> list[Hit]:
    hits = []
    for match in re.finditer(r"\baws\s+(?:--\S+\s+(?:\S+\s+)?)*ecr\s+get-login(?![-\w])", text):
        hits.append(Hit(match.start(), match.end(), "'aws ecr get-login' was removed in AWS CLI v2"))
    return hits


@dataclass(frozen=True)
class Push:
    """One `docker push IMAGE`: where the image word is, its repository, and
    its tag ('' when it has none, so 'latest'; None when a variable may hold it)."""

    start: int
    end: int
    image: str
    repository: str
    tag: str | None

    @property
    def mutable(self) -> bool:
        return self.tag == "" or (self.tag or "").strip("\"'").lower() == "latest"


def docker_pushes(text: str) -> list[Push]:
    """Every `docker`/`podman push` of one image (not `--all-tags`, not by digest)."""
    pushes = []
    for base, cmd in all_commands(text):
        words = cmd.command_words()
        argv = [w.text for w in words]
        if len(argv) < 3 or argv[0] not in ("docker", "podman") or argv[1] != "push":
            continue
        if any(a in ("-a", "--all-tags") for a in argv[2:]):
            continue
        image_words = [w for w in words[2:] if not w.text.startswith("-")]
        if not image_words:
            continue
        image = image_words[0]
        name = image.text
        if "@sha256:" in name or "@$" in name or "$(" in name or "`" in name:
            continue
        head, _, last = name.rpartition("/")
        if ":" in last:
            repo, tag = name.rsplit(":", 1)
            pushes.append(Push(base + image.start, base + image.end, name, _repo_key(repo), tag))
        elif _VAR_ONLY.match(name) and not _REPO_VAR.search(name):
            pushes.append(Push(base + image.start, base + image.end, name, _repo_key(name), None))  # `$IMAGE` may carry its tag
        else:
            pushes.append(Push(base + image.start, base + image.end, name, _repo_key(name), ""))
    return pushes


def _repo_key(repo: str) -> str:
    """`${REPO}` and `$REPO` name the same repository."""
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", r"$\1", repo.strip("\"'"))


_VAR_ONLY = re.compile(r"^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$")
_REPO_VAR = re.compile(r"(?i)(?:REPO|REPOSITORY|REGISTRY)(?:_?(?:URI|URL|NAME))?\}?$")


def terraform_auto_approve(text: str) -> list[Hit]:
    hits = []
    for base, cmd in all_commands(text):
        words = cmd.command_words()
        argv = [w.text for w in words]
        if len(argv) < 2 or argv[0].rsplit("/", 1)[-1] not in ("terraform", "tofu", "terragrunt"):
            continue
        try:
            idx = argv.index("apply")
        except ValueError:
            continue
        rest = words[idx + 1 :]
        auto = next((w for w in rest if re.match(r"^--?auto-approve(=true)?$", w.text)), None)
        if auto is None:
            continue
        positional = [w for w in rest if not w.text.startswith("-") and not _follows_value_flag(rest, w)]
        if positional:
            continue  # a saved plan file was reviewed
        hits.append(Hit(base + words[0].start, base + auto.end, "'terraform apply -auto-approve' applies an unreviewed plan"))
    return hits


def _follows_value_flag(words: list[Word], word: Word) -> bool:
    idx = words.index(word)
    if idx == 0:
        return False
    prev = words[idx - 1].text
    return prev in ("-var", "-var-file", "-target", "-parallelism", "-chdir", "-lock-timeout", "-state", "-backup", "-state-out", "-replace")
