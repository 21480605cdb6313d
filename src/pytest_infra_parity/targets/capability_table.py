"""The per-target capability table (``docs/capabilities.md``), generated from the targets' own declarations.

Each capability of :mod:`.protocol` (its name and docstring), each built-in target class's
``capabilities``, ``read_only_by_default`` and ``serves``, and one table, :data:`ROWS`, of what the plugin
does without the capability (emulate it, run it locally, deploy with its own applier...) and with it
(measure the real thing, or skip what only makes sense locally, with the reason). A capability added to
``ALL_CAPABILITIES`` without a row fails the test suite; so does a row citing a module that does not exist.
"""

from __future__ import annotations

import ast
import inspect
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pytest_infra_parity.targets import protocol
from pytest_infra_parity.targets.protocol import (
    ALL_CAPABILITIES,
    EVALUATES_ALARMS,
    EXECUTES_LAMBDA,
    PERSISTENT,
    REAL_CLOUDFORMATION,
    RUNS_APPCONFIG_DEPLOYMENTS,
    RUNS_CODEDEPLOY,
    RUNS_CONTAINERS,
    SERVES_HTTP_API,
)

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
"""``src/pytest_infra_parity``: the folder the modules of :data:`ROWS` are relative to."""
SOURCE_LINK = "../src/pytest_infra_parity/"
"""How ``docs/capabilities.md`` links to a module of the package."""


@dataclass(frozen=True)
class Behaviour:
    """What the plugin does on a target with (or without) one capability."""

    verdict: str
    """The table cell: ``real``, ``emulated``, ``local runtime``, ``plugin's applier``..."""
    text: str
    """One or two sentences (Markdown); module paths in backquotes are the ones of ``modules``."""
    modules: tuple[str, ...] = ()
    """Package modules (relative to ``src/pytest_infra_parity``) that do it: linked, and checked to exist."""
    docs: tuple[str, ...] = ()
    """Pages of ``docs/`` with the details."""


@dataclass(frozen=True)
class Row:
    """One capability: what happens without it and with it."""

    absent: Behaviour
    present: Behaviour


ROWS: dict[str, Row] = {
    EVALUATES_ALARMS: Row(
        absent=Behaviour(
            "emulated", "CloudWatch alarm evaluation is emulated on the plugin's virtual clock (M out of N "
            "datapoints, missing-data treatment, metric math); the canary and scaling emulations read the alarms "
            "from the target and write the states they reach back to it with `SetAlarmState`.",
            ("sim/alarms.py", "sim/metric_math.py", "sim/canary_target.py", "sim/scaling_alarms.py"),
            ("canary.md", "scaling.md")),
        present=Behaviour(
            "real", "CloudWatch evaluates the alarms. The plugin watches them where it drives the real control "
            "plane: CodeDeploy rollouts and scale-to-zero, polled on the wall clock.",
            ("sim/canary_wallclock.py", "sim/scaling_wallclock.py"))),
    RUNS_CODEDEPLOY: Row(
        absent=Behaviour(
            "emulated", "CodeDeploy Lambda deployments (canary, linear, all-at-once, custom configurations, "
            "rollback on an alarm) run on the virtual clock; each traffic shift and the final or rolled-back "
            "version is written to the alias on the target (`UpdateAlias`), and put back at the end.",
            ("sim/codedeploy.py", "sim/canary_controller.py", "sim/canary_target.py"), ("canary.md",)),
        present=Behaviour(
            "real", "The rollout steps create a real CodeDeploy deployment (AppSpec with the alias and versions) "
            "and poll it on the wall clock until it succeeds, stops or fails.",
            ("sim/canary_wallclock.py", "load/canary_run_step.py"), ("canary.md",))),
    RUNS_APPCONFIG_DEPLOYMENTS: Row(
        absent=Behaviour(
            "emulated", "AppConfig environments and deployment strategies are kept as emulated resources (SSM "
            "parameters under `/infra-parity/emulated/`); a flag rollout runs the strategy (linear, exponential, "
            "bake time, alarm monitors) on the virtual clock from the template; nothing is written to the target.",
            ("sim/appconfig.py", "sim/canary_flags.py"), ("canary.md",)),
        present=Behaviour(
            "real", "The resources are real AppConfig resources. The flag rollout step is still emulated from the "
            "template on every target: it does not start an AppConfig deployment.",
            ("sim/canary_flags.py",), ("canary.md",))),
    EXECUTES_LAMBDA: Row(
        absent=Behaviour(
            "local runtime", "The plugin runs the deployed handlers itself in warm worker processes: Python, and "
            "Node.js when `node` is on `PATH` (Node 20 here); other runtimes are an error naming the function. "
            "It also serves the Lambda Invoke and AppConfig Data APIs, and local PostgreSQL/Redis stand-ins.",
            ("runtime/lambda_runtime.py", "runtime/worker.py", "runtime/dataplane.py", "runtime/standins.py"),
            ("load.md",)),
        present=Behaviour(
            "real", "Lambda runs the code. With nothing to run locally, the `infra_runtime` fixture and `Given "
            "local stand-ins serve ...` are unsupported: they skip with the reason.",
            ("fixtures/load.py", "bdd/steps_load.py"), ("load.md",))),
    RUNS_CONTAINERS: Row(
        absent=Behaviour(
            "emulated", "ECS services on Fargate (task start-up, draining), ALB target groups (registration, "
            "health checks, routing) and Application Auto Scaling run on the virtual clock, from the configuration "
            "read back from the target; the desired count and alarm states reached are written back, then restored.",
            ("sim/ecs.py", "sim/alb.py", "sim/autoscaling.py"), ("scaling.md",)),
        present=Behaviour(
            "real", "On `aws` the scale-to-zero steps wait real minutes, poll `DescribeServices` and send real "
            "HTTP requests to the load balancer (each wait bounded by the criterion it checks).",
            ("sim/scaling_wallclock.py", "fixtures/scaling.py"), ("scaling.md",))),
    SERVES_HTTP_API: Row(
        absent=Behaviour(
            "local gateway", "Each HTTP API (API Gateway v2) of the stack is served on 127.0.0.1 by the local "
            "gateway: routes, payload format 2.0, JWT authorizers, throttling, `AWS/ApiGateway` metrics. It comes "
            "with the local runtime (a target without `executes_lambda`).",
            ("runtime/gateway.py", "runtime/gateway_config.py", "runtime/jwt.py"), ("load.md",)),
        present=Behaviour(
            "real", "Locust and the steps use the API's real `ApiEndpoint`. `Then the API answered <status> ...` "
            "is unsupported there (its counts come from the local gateway): it skips with the reason.",
            ("load/scenario.py", "bdd/steps_load.py"), ("load.md",))),
    REAL_CLOUDFORMATION: Row(
        absent=Behaviour(
            "plugin's applier", "The plugin deploys the template itself, one provisioner per resource type, and "
            "reads every resource back; a type or property it does not support is refused before anything is "
            "created (the list and the moto gaps it works around are in applier.md).",
            ("deploy/applier.py", "deploy/provisioners/__init__.py"), ("applier.md",)),
        present=Behaviour(
            "real", "Designs are deployed as CloudFormation stacks (code folders zipped and uploaded), with "
            "drift detection. Killing a design's deployment mid-way is unsupported there: the step fails, naming "
            "`infra_kill_deployment(command=...)` to kill your own deployment command instead.",
            ("deploy/cloudformation.py", "fixtures/chaos.py"), ("chaos.md",))),
    PERSISTENT: Row(
        absent=Behaviour(
            "not needed", "The target lives with the session (moto's server stops at the end): a killed run "
            "leaves nothing behind, there is nothing to sweep.",
            ("targets/moto.py",)),
        present=Behaviour(
            "sweep", "Resources outlive the session: the applier keeps a ledger of what it creates on the target "
            "and CloudFormation stacks carry the tag `infra-parity:run`, so `infra-parity sweep` deletes what a "
            "killed run left (a teardown that fails prints the command).",
            ("deploy/ledger.py", "deploy/sweep.py", "session_plugin.py"), ("how-to/nightly-aws.md",))),
}
"""What the plugin does without and with each capability of ``ALL_CAPABILITIES`` (checked against the code)."""

TARGET_NOTES: dict[tuple[str, str], str] = {
    ("localstack", EVALUATES_ALARMS): "LocalStack evaluates simple alarms after about a minute and metric-math "
                                      "alarms never, so the capability is not declared",
    ("localstack", RUNS_CODEDEPLOY): "HTTP 501 on the free plan; moto with `--infra-fallback=moto`",
    ("localstack", RUNS_APPCONFIG_DEPLOYMENTS): "HTTP 501 on the free plan; moto with `--infra-fallback=moto`",
    ("localstack", EXECUTES_LAMBDA): "offline, functions fail to start: the runtime download fails",
    ("localstack", RUNS_CONTAINERS): "ECS and ELBv2 answer 501 on the free plan",
    ("localstack", SERVES_HTTP_API): "API Gateway v2 answers 501 on the free plan",
    ("localstack", REAL_CLOUDFORMATION): "its CloudFormation drops properties: a KMS bucket comes out AES256",
    ("aws", RUNS_APPCONFIG_DEPLOYMENTS): "the flag rollout step emulates anyway",
    ("moto", EXECUTES_LAMBDA): "moto runs Lambda code only with Docker",
}
"""Measured facts about one target and one capability, shown in its cell (details: docs/targets.md)."""


def builtin_target_classes() -> dict[str, type]:
    """The classes behind :data:`pytest_infra_parity.targets.BUILTIN`, imported lazily (no boto3, no moto)."""
    from pytest_infra_parity.targets.aws import AwsTarget
    from pytest_infra_parity.targets.localstack import LocalStackTarget
    from pytest_infra_parity.targets.moto import MotoTarget

    return {"moto": MotoTarget, "localstack": LocalStackTarget, "aws": AwsTarget}


def capability_docs() -> dict[str, str]:
    """Each capability's docstring in :mod:`.protocol` (the string right after its assignment)."""
    tree = ast.parse(inspect.getsource(protocol))
    found: dict[str, str] = {}
    body = tree.body
    for node, following in itertools.pairwise(body):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)):
            continue
        value = node.value.value
        if (value in ALL_CAPABILITIES and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant) and isinstance(following.value.value, str)):
            found[str(value)] = _markdown(following.value.value)
    return found


def missing_rows() -> list[str]:
    """Capabilities of ``ALL_CAPABILITIES`` that :data:`ROWS` does not describe."""
    return [c for c in ALL_CAPABILITIES if c not in ROWS]


def cited_modules() -> list[str]:
    """Every module path :data:`ROWS` cites."""
    return sorted({m for row in ROWS.values() for b in (row.absent, row.present) for m in b.modules})


def _markdown(docstring: str) -> str:
    """A docstring on one line, reStructuredText's double backquotes made Markdown's single ones."""
    return " ".join(docstring.split()).replace("``", "`")


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def cell(target: str, declared: frozenset[str], capability: str) -> str:
    """The table cell of one target and one capability: the verdict, and the target's note if any."""
    row = ROWS[capability]
    verdict = row.present.verdict if capability in declared else row.absent.verdict
    note = TARGET_NOTES.get((target, capability))
    return _escape(f"**{verdict}**" + (f" ({note})" if note else ""))


def _links(behaviour: Behaviour) -> str:
    modules = [f"[{m}]({SOURCE_LINK}{m})" for m in behaviour.modules]
    pages = [f"[{d}]({d})" for d in behaviour.docs]
    return ", ".join(modules + pages)


def _summary(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    return _markdown(doc.split("\n\n")[0])


def _table(targets: Mapping[str, type], docs: Mapping[str, str]) -> list[str]:
    names = list(targets)
    out = ["| Capability | " + " | ".join(f"`{n}`" for n in names) + " |",
           "|---|" + "---|" * len(names)]
    for capability in ALL_CAPABILITIES:
        meaning = _escape(docs.get(capability, ""))
        cells = [cell(n, frozenset(getattr(targets[n], "capabilities", frozenset())), capability) for n in names]
        out.append(f"| `{capability}`: {meaning} | " + " | ".join(cells) + " |")
    return out


def _details() -> list[str]:
    out = ["## What each capability changes", ""]
    for capability in ALL_CAPABILITIES:
        row = ROWS[capability]
        out += [f"### `{capability}`", ""]
        for label, behaviour in (("Without it", row.absent), ("With it", row.present)):
            links = _links(behaviour)
            out.append(f"- **{label}** ({behaviour.verdict}): {behaviour.text}" + (f" See {links}." if links else ""))
        out.append("")
    return out


def _localstack_services() -> str:
    from pytest_infra_parity.targets.localstack_capabilities import DEFAULT_SERVICES
    from pytest_infra_parity.targets.localstack_routing import KEEP_WITH_FALLBACK

    kept = "; ".join(f"`{s}` follows {', '.join(f'`{f}`' for f in followed)} to moto"
                     for s, followed in KEEP_WITH_FALLBACK.items())
    return ("serves only what it really answers: at start it reads `/_localstack/health` and probes each of "
            f"{', '.join(f'`{s}`' for s in DEFAULT_SERVICES)}; with `--infra-fallback=moto` every service it does "
            f"not serve goes to the embedded moto server ({kept}), without it a design needing one is refused "
            "before anything is created and the pytest header lists which service went where")


def _target_notes(targets: Mapping[str, type]) -> list[str]:
    out = ["## The targets", ""]
    for name, cls in targets.items():
        declared = sorted(getattr(cls, "capabilities", frozenset()))
        facts = [f"declares {', '.join(f'`{c}`' for c in declared) if declared else 'no capability'}"]
        if getattr(cls, "read_only_by_default", False):
            facts.append("read-only by default: steps that create, change or delete resources skip with the "
                         "reason unless `--infra-allow-destructive` is given")
        if callable(getattr(cls, "serves", None)):
            facts.append(_localstack_services() if name == "localstack" else
                         "serves only some services (`serves(service)`): a design needing another is refused")
        out += [f"- **`{name}`** (`{cls.__module__}.{cls.__qualname__}`): {_summary(cls)} It "
                + "; ".join(facts) + ".", ""]
    return out


def render(targets: Mapping[str, type] | None = None) -> str:
    """``docs/capabilities.md``: the table, what each capability changes, and the targets."""
    missing = missing_rows()
    if missing:
        raise ValueError(f"capabilities without a row in capability_table.ROWS: {', '.join(missing)}")
    chosen = dict(targets) if targets is not None else builtin_target_classes()
    out = ["# Capabilities of the targets", "",
           "<!-- generated by `python -m pytest_infra_parity.catalogue docs`: do not edit by hand -->", "",
           "Each target declares capabilities (`pytest_infra_parity.targets.protocol`). Where a target has one, the",
           "plugin measures the real thing; where it does not, the plugin emulates it on its virtual clock, runs it",
           "locally, or skips the step with the reason. **real**: the target does it; other words name what the",
           "plugin does instead (below). Measured details per target, LocalStack's services and the fallback: see",
           "[targets.md](targets.md).", ""]
    out += [*_table(chosen, capability_docs()), "", *_details(), *_target_notes(chosen)]
    out += ["A target added by a plugin (`pytest_infra_parity_make_target`, see",
            "[how-to/add-a-target.md](how-to/add-a-target.md)) gets the same treatment from the capabilities it",
            "declares. Markers: `@pytest.mark.infra_capability(\"evaluates_alarms\")` skips a test on a target",
            "without it, with the reason."]
    return "\n".join(out).rstrip() + "\n"
