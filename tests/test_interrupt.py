"""An interrupted run (SIGTERM, Ctrl-C) leaves no report file, partial or whole."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_run_leaves_no_report(tmp_path: Path, sig: int) -> None:
    # Enough files that the run is still going when the signal arrives.
    for i in range(400):
        d = tmp_path / f"svc{i}"
        d.mkdir()
        (d / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands:\n" + "      - make\n" * 300)
    out = tmp_path / "reports" / "lintkit.json"
    with subprocess.Popen(
        [sys.executable, "-m", "lintkit", "check", str(tmp_path), "--format", "json", "--output", str(out), "--jobs", "1", "--no-cache"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        time.sleep(1.5)
        proc.send_signal(sig)
        try:
            _, stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
    assert proc.returncode != 0
    assert not out.exists()
    assert not list(out.parent.glob("*")) if out.parent.exists() else True
    assert b"Traceback" not in stderr
