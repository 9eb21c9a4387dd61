#!/usr/bin/env bash
# Validate lintkit's SARIF with the Microsoft SARIF Multitool, GitHub rules included.
#
#   scripts/validate_sarif.sh [REPORT.sarif]
#
# Without an argument it writes a sample report for fixtures/demo first. The
# Multitool (npm @microsoft/sarif-multitool, a self-contained .NET binary) is
# installed once into a git-ignored cache. Its exit code is always 0, so this
# script counts the error-level results in its output log and fails on any.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${SARIF_MULTITOOL_VERSION:-5.7.0}"
CACHE="${LINTKIT_TOOL_CACHE:-.cache}/sarif-multitool-$VERSION"
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) PLATFORM=linux ;;
    Darwin-*) PLATFORM=darwin ;;
    *) echo "validate_sarif: no Multitool binary for $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac
TOOL="$CACHE/node_modules/@microsoft/sarif-multitool-$PLATFORM/Sarif.Multitool"
if [ ! -x "$TOOL" ]; then
    echo "validate_sarif: installing @microsoft/sarif-multitool@$VERSION into $CACHE" >&2
    mkdir -p "$CACHE"
    npm install --prefix "$CACHE" --no-audit --no-fund --loglevel=error "@microsoft/sarif-multitool@$VERSION" >&2
fi

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
REPORT="${1:-}"
if [ -z "$REPORT" ]; then
    REPORT="$OUT/lintkit.sarif"
    # Exit code 1 only means "findings": the demo has some on purpose.
    "$PY" -m lintkit check fixtures/demo --format sarif --output "$REPORT" || [ $? -eq 1 ]
fi

"$TOOL" validate "$REPORT" -o "$OUT/validation.sarif" --log ForceOverwrite \
    --rule-kind "Sarif;Gh" --level "Error;Warning;Note" >"$OUT/console.txt" 2>&1 || true

"$PY" - "$OUT/validation.sarif" "$OUT/console.txt" <<'PYEOF'
import json
import sys
from collections import Counter

console = open(sys.argv[2], encoding="utf-8", errors="replace").read()
try:
    log = json.load(open(sys.argv[1], encoding="utf-8"))
except (OSError, ValueError) as exc:
    print(console)
    print(f"validate_sarif: the Multitool wrote no readable log ({exc})")
    sys.exit(1)
levels = Counter(res.get("level", "warning") for run in log.get("runs", []) for res in run.get("results", []))
# The console lines name the rule, the JSON pointer and the full message.
for line in console.splitlines():
    if any(f": {level} " in line for level in ("error", "warning", "note")):
        print(line)
print(f"validate_sarif: {levels['error']} error(s), {levels['warning']} warning(s), {levels['note']} note(s)")
sys.exit(1 if levels["error"] else 0)
PYEOF
