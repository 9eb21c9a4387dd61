"""Synthesize the CDK fixture app (fixtures/cdk) into fixtures/cdk/synth/.

The synthesized templates are fixtures too: tests/test_cdk_synth.py checks
that lintkit's CloudFormation rules on them and its CDK checks on the Python
source report the same rule codes, stack by stack. Needs the network once
(PyPI and npm) to fill bench/.cache/cdk/; synthesis itself is offline (the
stacks are environment-agnostic, no AWS account is used).

    python bench/cdk_synth.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "fixtures" / "cdk"
OUT = APP / "synth"
CACHE = REPO / "bench" / ".cache" / "cdk"
PYPI_PINS = ("aws-cdk-lib==2.275.0", "constructs==10.8.1")
NPM_PIN = "aws-cdk@2.1149.0"


def _tools() -> tuple[Path, Path]:
    venv = CACHE / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PYPI_PINS], check=True)
    cli = CACHE / "node_modules" / ".bin" / "cdk"
    if not cli.exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), NPM_PIN], check=True)
    return python, cli


def main() -> int:
    python, cli = _tools()
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "app"
        shutil.copytree(APP, app, ignore=shutil.ignore_patterns("synth", "findings.snap", "__pycache__"))
        (app / "cdk.json").write_text(f'{{"app": "{python} app.py"}}\n', encoding="utf-8")
        env = {**os.environ, "CDK_DISABLE_VERSION_CHECK": "1", "CDK_DISABLE_CLI_TELEMETRY": "1"}
        subprocess.run([str(cli), "synth", "--quiet", "--no-notices", "--no-version-reporting"], cwd=app, env=env, check=True)
        OUT.mkdir(exist_ok=True)
        for old in OUT.glob("*.template.json"):
            old.unlink()
        for template in sorted((app / "cdk.out").glob("*.template.json")):
            shutil.copy(template, OUT / template.name)
            print(f"fixtures/cdk/synth/{template.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
