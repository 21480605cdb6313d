"""``infra-parity localstack start|status|stop`` around a fake LocalStack process group."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.cli import main
from pytest_infra_parity.targets.localstack_host import group_members, start_host
from pytest_infra_parity.targets.localstack_paths import read_records
from tests.targets.fake_localstack import serve
from tests.targets.test_host import _fake_venv, _options


def test_status_and_stop_find_what_start_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    options = _options(tmp_path, "ok")
    monkeypatch.setenv("INFRA_PARITY_CACHE_DIR", str(options.cache))
    record, _ = start_host(options, venv=_fake_venv(tmp_path))
    assert main(["localstack", "status"]) == 0
    out = capsys.readouterr().out
    assert f"localstack: {record.endpoint} via host (cli): running" in out and record.log in out
    assert main(["localstack", "stop", "--port", str(options.port)]) == 0
    assert f"localstack: stopped {record.endpoint} (host)" in capsys.readouterr().out
    assert group_members(record.pid) == [] and read_records(options.cache) == []
    assert main(["localstack", "status"]) == 1
    assert "localstack: none recorded" in capsys.readouterr().out
    assert main(["localstack", "stop"]) == 0  # nothing to stop is not an error
    assert "nothing recorded to stop" in capsys.readouterr().out


def test_status_reports_a_stale_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    options = _options(tmp_path, "ok")
    monkeypatch.setenv("INFRA_PARITY_CACHE_DIR", str(options.cache))
    record, _ = start_host(options, venv=_fake_venv(tmp_path))
    from pytest_infra_parity.targets.localstack_host import stop_host

    stop_host(record)  # killed behind the record's back
    assert main(["localstack", "status"]) == 1
    assert "NOT running (stale record" in capsys.readouterr().out
    assert main(["localstack", "stop"]) == 0 and read_records(options.cache) == []


def test_start_uses_a_localstack_that_already_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INFRA_PARITY_CACHE_DIR", str(tmp_path))
    with serve() as fake:
        port = fake.url.rsplit(":", 1)[1]
        assert main(["localstack", "start", "--port", port]) == 0
    assert f"localstack: already running at http://127.0.0.1:{port} (not started by infra-parity)" in \
        capsys.readouterr().out
    assert read_records(tmp_path) == []


def test_start_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INFRA_PARITY_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("INFRA_PARITY_LOCALSTACK_PYTHON", "/nonexistent/python")
    from tests.targets.test_host import _free_port

    assert main(["localstack", "start", "--port", str(_free_port()), "--via", "host"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("infra-parity: error: INFRA_PARITY_LOCALSTACK_PYTHON=/nonexistent/python does not run")
