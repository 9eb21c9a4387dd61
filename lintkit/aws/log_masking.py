"""Secrets in build commands that CodeBuild's log masking misses (BSP008, BSP025).

CodeBuild masks, in the build log, the exact values of the variables it
resolved from `env: secrets-manager` and `env: parameter-store`. Two things
escape it:

- a masked value printed in another form: encoded (`echo $TOKEN | base64`),
  cut (`${TOKEN:0:8}`) or picked apart (`echo $CREDS | jq -r .password`);
- a secret the commands fetch themselves (`aws secretsmanager
  get-secret-value`, `aws ssm get-parameter --with-decryption`): CodeBuild
  never learns its value, so it is masked nowhere, and on a command line
  (`mysql -p$DB_PASSWORD`) it is also visible to every process in the build.

`echo $TOKEN`, `printenv` and `set -x` print only exact values of declared
secrets, which CodeBuild masks: they are not reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lintkit import secrets
from lintkit.api import Context
from lintkit.aws import shell
from lintkit.aws.buildspec import command_items, root_of, secret_vars
from lintkit.documents import Document, Scalar

_PRINTERS = {"echo", "printf", "Write-Host", "Write-Output"}
# Programs whose output is the input in another form (encoded, reversed, picked apart).
_TRANSFORMERS = {"base64", "base32", "xxd", "od", "hexdump", "rev", "tr", "sed", "awk", "cut", "fold", "jq", "python", "python3", "openssl"}
# `${VAR:0:4}`, `${VAR#p}`, `${VAR%s}`, `${VAR/a/b}`, `${VAR^^}`, `${VAR,,}`: a variant of the value.
_PARTIAL = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[-=?+]?|[#%/^,])[^}]*\}")
_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_FETCH = re.compile(
    r"\baws\s+(?:--?\S+\s+(?:[^-\s]\S*\s+)?)*(?:secretsmanager\s+get-secret-value\b|ssm\s+get-parameters?(?:-by-path)?\b[^\n)`]*--with-decryption)"
)
# Shell builtins: their arguments never reach a process's command line.
_BUILTINS = {"export", "local", "declare", "readonly", "typeset", "read", "unset", "test", "[", "[[", ":", "true", "false", "cd", "set", "shift", "eval"}


@dataclass(frozen=True)
class _Fetched:
    how: str  # "aws secretsmanager get-secret-value"
    into: str  # the variable it was fetched into
    scalar: Scalar
    start: int
    end: int


def transformed_secret_printed(doc: Document, ctx: Context) -> None:
    """BSP008: a declared secret printed in a form CodeBuild cannot mask."""
    root = root_of(doc)
    if root is None:
        return
    declared = secret_vars(root)
    if not declared:
        return
    for _, scalar in command_items(root):
        text = scalar.text
        for base, cmd in shell.all_commands(text):
            words = cmd.command_words()
            if not words or cmd.name not in _PRINTERS or _redirected(cmd):
                continue
            for word in words[1:]:
                partial = next((m for m in _PARTIAL.finditer(word.text) if m.group(1) in declared), None)
                if partial is not None:
                    var = partial.group(1)
                    ctx.report("BSP008", scalar.span_of(base + words[0].start, base + words[-1].end),
                               f"'{cmd.name}' prints part of {declared[var]} variable '{var}' ({partial.group(0)}); "
                               "CodeBuild masks only the exact value", fix=_FIX_PRINT)
                    break
        for group in shell.pipelines(shell.split(text)):
            printer, last = group[0], group[-1]
            if len(group) < 2 or printer.name not in _PRINTERS or last.name not in _TRANSFORMERS or _redirected(last):
                continue
            var = next((v for w in printer.command_words()[1:] for v in _VAR.findall(w.text) if v in declared), None)
            if var is not None:
                shown = " | ".join(shell.describe(c, 2) for c in group)
                ctx.report("BSP008", scalar.span_of(printer.start_word(), last.end_word()),
                           f"'{shown}' prints {declared[var]} variable '{var}' transformed by {last.name}; "
                           "CodeBuild masks only the exact value", fix=_FIX_PRINT)


_FIX_PRINT = "Do not print secrets in any form; pass them on stdin to the command that needs them"


def fetched_secret_exposed(doc: Document, ctx: Context) -> None:
    """BSP025: a secret fetched by the commands themselves, then put on a command line or printed."""
    root = root_of(doc)
    if root is None:
        return
    fetched: dict[str, _Fetched] = {}
    reported: set[str] = set()
    for _, scalar in command_items(root):
        text = scalar.text
        for base, cmd in shell.all_commands(text):
            _track(cmd, text, base, scalar, fetched)
            found = _exposure(cmd, text, base, fetched)
            if found is None:
                continue
            var, how, start, end = found
            if var in reported:
                continue
            reported.add(var)
            origin = fetched.get(var)
            what = f"the secret fetched with '{how}'"
            if origin is not None:
                what += f" into '{origin.into}'" + (f" (as '{var}')" if var != origin.into else "")
            if cmd.name in _PRINTERS:
                where = "printed to the build log in clear"
            else:
                where = f"passed on the command line of '{cmd.name}', where every process in the build (and a set -x trace) can read it"
            ctx.report(
                "BSP025", scalar.span_of(start, end),
                f"{what} is {where}; CodeBuild masks only the values of env: secrets-manager and parameter-store variables",
                related=[(origin.scalar.span_of(origin.start, origin.end), "fetched here")] if origin is not None else [],
                fix="Declare it under env: secrets-manager (or parameter-store) and pass it on stdin or in a file",
            )


def _track(cmd: shell.Simple, text: str, base: int, scalar: Scalar, fetched: dict[str, _Fetched]) -> None:
    """Variables assigned a fetched secret (`X=$(aws secretsmanager …)`), or
    a value derived from one (`PASS=$(echo $CREDS | jq -r .password)`)."""
    words = cmd.words
    assignments = [w for w in words if shell.is_assignment(w.text)]
    if words and words[0].text in ("export", "declare", "local", "readonly"):
        assignments += [w for w in words[1:] if shell.is_assignment(w.text)]
    for word in assignments:
        name, value = word.text.split("=", 1)
        raw = text[word.start : word.end]
        fetch = _FETCH.search(raw)
        if fetch is not None:
            fetched[name] = _Fetched(_fetch_command(fetch.group(0)), name, scalar, base + word.start, base + word.end)
        else:
            source = next((fetched[v] for v in _VAR.findall(value) if v in fetched), None)
            if source is not None:
                fetched[name] = source


def _exposure(cmd: shell.Simple, text: str, base: int, fetched: dict[str, _Fetched]) -> tuple[str, str, int, int] | None:
    """(variable, how it was fetched, start, end) of a fetched secret on this
    command's command line or printed by it; None when the command keeps it off both."""
    words = cmd.command_words()
    if not words or cmd.name in _BUILTINS or cmd.name in _PRINTERS and (_redirected(cmd) or cmd.op_after in ("|", "|&")):
        return None
    for word in words[1:]:
        if word.text.startswith(("<", ">")) or re.match(r"^\d?>", word.text):
            continue
        raw = text[word.start : word.end]
        inline = _FETCH.search(raw)
        if inline is not None:
            return "", _fetch_command(inline.group(0)), base + word.start, base + word.end
        # A value Secrets Manager or Parameter Store holds is not always a secret
        # (an endpoint, a user name): the variable's name says which.
        var = next((v for v in _VAR.findall(word.text) if v in fetched and secrets.looks_like_secret_name(v)), None)
        if var is not None:
            return var, fetched[var].how, base + word.start, base + word.end
    return None


def _fetch_command(text: str) -> str:
    return "aws secretsmanager get-secret-value" if "secretsmanager" in text else "aws ssm get-parameter --with-decryption"


def _redirected(cmd: shell.Simple) -> bool:
    """Output written to a file, not the log."""
    return any(w.text.startswith((">", "1>", "&>")) or w.text in ("tee",) for w in cmd.words)

