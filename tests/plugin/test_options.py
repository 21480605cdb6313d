"""Every option, ini key and error path of target selection, through pytester."""

from __future__ import annotations

import socket

import pytest

TRIVIAL = "def test_nothing():\n    pass\n"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_default_target_is_embedded_moto(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["infra-parity: target moto (embedded server*account 123456789012*"])


def test_unknown_target_is_one_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest("--infra-target=nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown target 'nope'; built-in targets: moto, localstack, aws*"])
    assert "Traceback" not in result.stderr.str()


def test_aws_without_allowlist_refuses_to_start(pytester: pytest.Pytester, aws_on_moto: str) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest("--infra-target=aws")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--infra-target=aws needs --infra-allowed-account*"])


def test_aws_refuses_an_account_not_listed(pytester: pytest.Pytester, aws_on_moto: str) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest("--infra-target=aws", "--infra-allowed-account=111122223333")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*refusing to run against account 123456789012*not in --infra-allowed-account (111122223333)*"]
    )


def test_aws_header_shows_account_profile_and_region(pytester: pytest.Pytester, aws_on_moto: str) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest(
        "--infra-target=aws", "--infra-allowed-account=111122223333", "--infra-allowed-account=123456789012"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "infra-parity: target aws account 123456789012 (arn:aws:*), profile default chain, region eu-west-3, "
        f"endpoint override {aws_on_moto} (region from environment AWS_DEFAULT_REGION)*"
    ])


def test_aws_with_unknown_profile_is_a_clear_error(pytester: pytest.Pytester, aws_on_moto: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(pytester.path / "no-such-config"))
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest("--infra-target=aws", "--infra-profile=ghost",
                                "--infra-allowed-account=123456789012")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*the AWS profile 'ghost' is not configured*"])


def test_ini_keys_configure_the_target(pytester: pytest.Pytester, aws_on_moto: str) -> None:
    pytester.makeini("[pytest]\ninfra_target = aws\ninfra_region = ap-southeast-2\n"
                     "infra_allowed_account =\n    123456789012\n")
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*target aws account 123456789012*region ap-southeast-2*(region from ini infra_region)*"])


def test_option_region_wins_over_environment(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    pytester.makepyfile(TRIVIAL)
    pytester.runpytest("--infra-region=sa-east-1").stdout.fnmatch_lines(["*region sa-east-1*(region from option)*"])
    pytester.runpytest().stdout.fnmatch_lines(["*region eu-central-1*(region from environment AWS_REGION)*"])


def test_unreachable_localstack_is_one_clear_error(pytester: pytest.Pytester) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest("--infra-target=localstack", f"--infra-endpoint={endpoint}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*LocalStack is not reachable at {endpoint}*"])
    assert "Traceback" not in result.stderr.str()


def test_localstack_endpoint_from_environment(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("LOCALSTACK_ENDPOINT", endpoint)
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest("--infra-target=localstack")
    result.stderr.fnmatch_lines([f"*LocalStack is not reachable at {endpoint}*"])


def test_localstack_answering_something_else_is_refused(pytester: pytest.Pytester, moto_endpoint: str) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest("--infra-target=localstack", f"--infra-endpoint={moto_endpoint}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*answered HTTP 404 for /_localstack/health: it is not LocalStack*"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--infra-allowed-account=12345"], "*'12345' is not a 12-digit AWS account id*"),
        (["--infra-endpoint=localhost:4566"], "*--infra-endpoint must be an http(s) URL*"),
        (["--infra-localstack=maybe"], "*--infra-localstack must be one of existing, start*"),
        (["--infra-design-path=does/not/exist"], "*--infra-design-path: */does/not/exist is not a folder*"),
    ],
)
def test_wrong_option_values_are_usage_errors(pytester: pytest.Pytester, args: list[str], message: str) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_a_plugin_can_provide_its_own_target(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        from pytest_infra_parity.targets.moto import MotoTarget

        class LabTarget(MotoTarget):
            name = "lab"
            capabilities = frozenset({"evaluates_alarms"})

            def describe(self):
                return "the lab"

        def pytest_infra_parity_make_target(settings, config):
            return LabTarget(settings.region) if settings.target == "lab" else None
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_uses_lab(infra_target, infra_client):
            assert infra_target.name == "lab"
            assert infra_client("sts").get_caller_identity()["Account"] == "123456789012"

        @pytest.mark.infra_capability("runs_containers")
        def test_needs_containers():
            pass

        @pytest.mark.infra_target("aws")
        def test_only_on_aws():
            pass
        """
    )
    result = pytester.runpytest("--infra-target=lab", "-rs")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines([
        "infra-parity: target the lab*",
        "*target lab lacks capability runs_containers*",
        "*runs only on target(s) aws; this run uses lab*",
    ])


def test_each_xdist_worker_gets_its_own_moto_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_where(infra_target, infra_settings, tmp_path_factory):
            out = tmp_path_factory.getbasetemp().parent.parent / "endpoints.txt"
            with open(out, "a") as fh:
                fh.write(f"{infra_target.endpoint_url} {infra_settings.run_id}\\n")
        """
    )
    result = pytester.runpytest("-n", "2", "--dist=each")
    result.assert_outcomes(passed=2)
    lines = (pytester.path.parent / "endpoints.txt").read_text().split("\n")
    endpoints = {line.split()[0] for line in lines if line}
    runs = {line.split()[1] for line in lines if line}
    assert len(endpoints) == 2 and all(e.startswith("http://127.0.0.1:") for e in endpoints)
    assert {r.rsplit("-", 1)[-1] for r in runs} == {"gw0", "gw1"}


def test_stale_aws_profile_does_not_break_runs_that_do_not_use_aws(pytester: pytest.Pytester,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "long-gone")
    broken = pytester.path / "aws-config"
    broken.write_text("[profile x\nregion = \n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(broken))
    pytester.makepyfile(TRIVIAL)
    pytester.runpytest().assert_outcomes(passed=1)
    result = pytester.runpytest("--infra-target=aws", "--infra-allowed-account=123456789012")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*cannot read the AWS configuration ({broken})*"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_misspelled_marker_arguments_fail_instead_of_skipping(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.infra_target("locastack")
        def test_typo_target():
            pass

        @pytest.mark.infra_capability("evaluate_alarms")
        def test_typo_capability():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*infra_target marker names unknown target(s) locastack*",
                                 "*infra_capability marker names unknown capability(ies) evaluate_alarms*"])
