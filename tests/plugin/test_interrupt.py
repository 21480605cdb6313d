"""Teardown runs after Ctrl-C: a deployed stack is removed when the run is interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def test_ctrl_c_tears_the_stacks_down(pytester: pytest.Pytester, small_design: Path) -> None:
    ready = pytester.path / "deployed"
    pytester.makeconftest(
        """
        def pytest_infra_parity_before_teardown(stack, target):
            print("TEARDOWN", stack.name, len(stack.resources), flush=True)

        def pytest_infra_parity_teardown_finished(target, errors):
            queues = target.client("sqs").list_queues().get("QueueUrls", [])
            print("LEFT", len([q for q in queues if "ipp-small" in q]), "ERRORS", len(errors), flush=True)
        """
    )
    pytester.makepyfile(
        f"""
        import pathlib, time

        def test_wait(infra_deploy):
            infra_deploy("small")
            pathlib.Path({str(ready)!r}).write_text("yes")
            time.sleep(60)
        """
    )
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-s", "-p", "no:cacheprovider", "--infra-design-path=designs"],
        cwd=pytester.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    deadline = time.monotonic() + 90
    while not ready.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert ready.exists(), proc.communicate(timeout=30)[0]
    proc.send_signal(signal.SIGINT)
    output = proc.communicate(timeout=90)[0]
    assert "KeyboardInterrupt" in output
    assert "TEARDOWN" in output and " 2" in output.split("TEARDOWN", 1)[1].splitlines()[0]
    assert "LEFT 0 ERRORS 0" in output, output
