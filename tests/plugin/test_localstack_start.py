"""``--infra-localstack=start``: the session starts LocalStack and stops what it started, also on failure."""

from __future__ import annotations

import socket

import pytest

from pytest_infra_parity.targets.localstack_host import port_is_free
from pytest_infra_parity.targets.localstack_paths import read_records
from tests.targets.test_host_integration import REAL_CACHE, _installed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_start_without_a_usable_python_is_one_clear_error(pytester: pytest.Pytester,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRA_PARITY_LOCALSTACK_VIA", "host")
    monkeypatch.setenv("INFRA_PARITY_LOCALSTACK_PYTHON", "/nonexistent/python3.13")
    monkeypatch.setenv("INFRA_PARITY_CACHE_DIR", str(pytester.path / "cache"))
    pytester.makepyfile("def test_nothing():\n    pass\n")
    port = _free_port()
    result = pytester.runpytest("--infra-target=localstack", "--infra-localstack=start",
                                f"--infra-endpoint=http://127.0.0.1:{port}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*INFRA_PARITY_LOCALSTACK_PYTHON=/nonexistent/python3.13 does not run*"])
    assert "Traceback" not in result.stderr.str()


def test_a_remote_endpoint_cannot_be_started(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--infra-target=localstack", "--infra-localstack=start",
                                "--infra-endpoint=http://192.0.2.1:4566")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*only a loopback endpoint (127.0.0.1 or localhost) can be started here*"])


def test_the_session_starts_localstack_and_stops_it(pytester: pytest.Pytester,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _installed()
    monkeypatch.setenv("INFRA_PARITY_CACHE_DIR", str(REAL_CACHE))
    monkeypatch.setenv("INFRA_PARITY_LOCALSTACK_VIA", "host")
    monkeypatch.setenv("INFRA_PARITY_PROBE_TIMEOUT", "3")
    monkeypatch.setenv("INFRA_PARITY_LOCALSTACK_SERVICES", "sts,s3,sqs")  # detection at start: these only
    port = _free_port()
    pytester.makepyfile("""
        def test_started(infra_target, infra_client):
            assert infra_target.started.via == "host"
            infra_client("s3").create_bucket(Bucket="ipp-started-by-pytest")
            assert infra_target.serves("s3").where == "localstack"
            assert set(infra_target.routes()) == {"sts", "s3", "sqs"}
            assert infra_target.serves("kms").where == "localstack"  # detected on first use
    """)
    result = pytester.runpytest_subprocess("--infra-target=localstack", "--infra-localstack=start",
                                           f"--infra-endpoint=http://127.0.0.1:{port}", "--infra-fallback=moto")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"infra-parity: target localstack 2026.3.0 at http://127.0.0.1:{port} "
                                 "(started here with host, ready in * s)*"])
    assert port_is_free(port)
    assert port not in [r.port for r in read_records(REAL_CACHE)]
    assert not (REAL_CACHE / "localstack" / "instances" / str(port) / "s3").exists()


def test_a_start_that_fails_after_the_process_began_leaves_nothing(pytester: pytest.Pytester,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _installed()
    monkeypatch.setenv("INFRA_PARITY_CACHE_DIR", str(REAL_CACHE))
    monkeypatch.setenv("INFRA_PARITY_LOCALSTACK_VIA", "host")
    monkeypatch.setenv("INFRA_PARITY_LOCALSTACK_TIMEOUT", "0.05")  # never ready in time
    port = _free_port()
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("--infra-target=localstack", "--infra-localstack=start",
                                           f"--infra-endpoint=http://127.0.0.1:{port}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*LocalStack did not become ready at http://127.0.0.1:* within 0.05 s*",
                                 "*LocalStack's log: *localstack.log*"])
    assert port_is_free(port)
    assert port not in [r.port for r in read_records(REAL_CACHE)]
