"""`prefect deploy --all` on what `convert` writes, against a fresh Prefect server: after
exactly the setup commands MIGRATION.md lists (read out of it, so the doc cannot drift),
every deployment exists with its entrypoint, required parameters, pool and bridge block."""

from __future__ import annotations

import ast
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from batch2flow.convert import convert
from batch2flow.deployment import BRIDGE_BLOCK, WORK_POOL
from batch2flow.writer import apply, plan_writes

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
#: every fixture with a golden prefect.yaml, that is all of them
DEPLOYED = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected_prefect.yaml").is_file())
#: a worker queue and a starter file whose text Prefect would expand as templates
TEMPLATED_RUBY = {
    "app/workers/leaky_worker.rb": (
        "class LeakyWorker\n  include Sidekiq::Job\n  sidekiq_options queue: '{{ $SECRET }}'\n\n"
        "  def perform(id); end\nend\n"
    ),
    "app/services/{{ $SECRET }}.rb": (
        "class Leaky\n  def self.start(id)\n    batch = Sidekiq::Batch.new\n"
        "    batch.jobs { LeakyWorker.perform_async(id) }\n  end\nend\n"
    ),
}
SECRET = "hunter2-do-not-leak"


def _sh_blocks(markdown: str, section: str) -> list[list[str]]:
    """The command lines of each ```sh block in one `## section` of MIGRATION.md: for
    "Deploying", the server's setup first and the deploy commands last."""
    part = markdown.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return [block.strip().splitlines() for block in re.findall(r"```sh\n(.*?)```", part, re.S)]


def _convert(paths: list[str], out: Path) -> dict[str, str]:
    files = convert(paths).files
    apply(out, plan_writes(out, files), force=False)
    return files


class Cli:
    """Runs shell commands against the throwaway API, with this checkout's batch2flow."""

    def __init__(self, api_url: str, home: Path) -> None:
        bin_dir = str(Path(sys.executable).parent)
        self.env = {
            **os.environ,
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": api_url,
            "PREFECT_CLI_PROMPT": "false",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "SECRET": SECRET,
        }
        self.env.pop("BATCH2FLOW_BRIDGE_URL", None)
        self.env.pop("BATCH2FLOW_BRIDGE_BLOCK", None)

    def run(self, lines: list[str], cwd: Path) -> tuple[int, str]:
        """Exit status and output of `lines` run by one bash, stopping at the first failure.
        A run that hangs is killed with every process it started (its own session)."""
        script = "set -euo pipefail\n" + "\n".join(lines) + "\n"
        with subprocess.Popen(["bash", "-c", script], cwd=cwd, env=self.env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True) as process:
            try:
                output, _ = process.communicate(timeout=300)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
                raise AssertionError(f"timed out: {lines}\n{output}") from None
        return process.returncode, output

    def watch(self, line: str, cwd: Path, until: str) -> str:
        """The output of a command that runs until stopped, up to the first line holding
        `until`; then the command is killed with every process of its session."""
        with subprocess.Popen(["bash", "-c", line], cwd=cwd, env=self.env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True) as process:
            timer = threading.Timer(300, os.killpg, (process.pid, signal.SIGKILL))
            timer.start()
            seen: list[str] = []
            try:
                assert process.stdout is not None
                for output in process.stdout:
                    seen.append(output)
                    if until in output:
                        break
            finally:
                timer.cancel()
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
        text = "".join(seen)
        assert until in text, text
        return text


@pytest.fixture(scope="module")
def server(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """The session's throwaway API, set up with the commands seed_pipeline's MIGRATION.md lists."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url and url.startswith("http://127.0.0.1"), url
    out = tmp_path_factory.mktemp("setup")
    migration = _convert([str(FIXTURES / "seed_pipeline")], out)["MIGRATION.md"]
    blocks = _sh_blocks(migration, "Deploying")
    setup, deploy = blocks[0], blocks[-1]
    cli = Cli(url, tmp_path_factory.mktemp("prefect_home"))
    # a fresh server: without the setup, the deployment has no pool to go to
    status, output = cli.run(deploy[:1], out)
    assert status != 0, output
    assert f"work pool {WORK_POOL!r} which does not exist" in " ".join(output.split()), output
    status, output = cli.run(setup, out)
    assert status == 0, output
    yield cli


def _deploy(cli: Cli, out: Path, files: dict[str, str]) -> None:
    deploy = _sh_blocks(files["MIGRATION.md"], "Deploying")[-1]
    assert deploy == ["prefect deploy --all", f"prefect worker start --pool {WORK_POOL}"]
    status, output = cli.run(deploy[:1], out)
    assert status == 0, output


def _deployments(names: list[tuple[str, str]]) -> list[Any]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return [client.read_deployment_by_name(f"{flow}/{name}") for flow, name in names]


def _runs_started() -> list[Any]:
    """The flow runs a worker of the pool started (other tests' flows run in-process)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(limit=200)
    return [r for r in runs if r.work_pool_name == WORK_POOL and r.deployment_id and r.infrastructure_pid]


def _yaml_deployments(files: dict[str, str]) -> list[dict[str, Any]]:
    import yaml

    loaded = yaml.safe_load(files["prefect.yaml"])
    assert isinstance(loaded, dict)
    return list(loaded["deployments"])


def _flow(files: dict[str, str], entrypoint: str) -> tuple[str, list[str]]:
    """The flow's Prefect name and its parameters, read from the generated module."""
    path, function = entrypoint.split(":")
    for node in ast.parse(files[path]).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            (decorator,) = node.decorator_list
            assert isinstance(decorator, ast.Call)
            (name,) = [k.value for k in decorator.keywords if k.arg == "name"]
            return ast.literal_eval(name), [a.arg for a in node.args.args]
    raise AssertionError(f"no flow function {entrypoint}")


@pytest.mark.parametrize("fixture", DEPLOYED)
def test_the_fixture_deploys_as_generated(server: Cli, fixture: str, tmp_path: Path) -> None:
    files = _convert([str(FIXTURES / fixture)], tmp_path)
    # the setup each MIGRATION.md lists is the one the server was given
    assert _sh_blocks(files["MIGRATION.md"], "Deploying")[0][0] == \
        f"prefect work-pool create {WORK_POOL} --type process"
    assert str(tmp_path) not in files["prefect.yaml"] and str(ROOT) not in files["prefect.yaml"]
    _deploy(server, tmp_path, files)
    specs = _yaml_deployments(files)
    flows = [_flow(files, spec["entrypoint"]) for spec in specs]
    deployments = _deployments([(flow, spec["name"]) for (flow, _), spec in zip(flows, specs, strict=True)])
    for spec, (_, params), deployment in zip(specs, flows, deployments, strict=True):
        assert deployment.entrypoint == spec["entrypoint"]
        assert deployment.work_pool_name == WORK_POOL
        assert deployment.work_queue_name == (spec["work_pool"]["work_queue_name"] or "default")
        assert deployment.enforce_parameter_schema is True
        assert deployment.parameters == {}
        assert deployment.job_variables == {"env": {"BATCH2FLOW_BRIDGE_BLOCK": BRIDGE_BLOCK}}
        # the folder `prefect deploy` ran in, recorded by Prefect, not by the generator
        assert deployment.pull_steps == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(tmp_path.resolve())}}
        ]
        schema = deployment.parameter_openapi_schema
        assert list(schema["properties"]) == params
        assert schema.get("required", []) == params


def test_a_run_without_the_required_parameters_is_refused(server: Cli, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import PrefectHTTPStatusError

    files = _convert([str(FIXTURES / "seed_pipeline")], tmp_path)
    _deploy(server, tmp_path, files)
    (deployment,) = _deployments([("data_pipeline", "data_pipeline")])
    with get_client(sync_client=True) as client:
        with pytest.raises(PrefectHTTPStatusError, match="409|422"):
            client.create_flow_run_from_deployment(deployment.id)
        with pytest.raises(PrefectHTTPStatusError, match="409|422"):
            client.create_flow_run_from_deployment(deployment.id, parameters={"source_id": 7})
        run = client.create_flow_run_from_deployment(
            deployment.id, parameters={"source_id": 7, "run_date": "2024-05-01"})
        client.delete_flow_run(run.id)  # no worker is to run it
    assert run.parameters == {"source_id": 7, "run_date": "2024-05-01"}


def test_the_worker_environment_finds_the_bridge_the_setup_saved(server: Cli, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from batch2flow.runtime.config import load_config

    files = _convert([str(FIXTURES / "seed_pipeline")], tmp_path)
    setup = _sh_blocks(files["MIGRATION.md"], "Deploying")[0]
    (url,) = [line.split("=", 1)[1] for line in setup if line.startswith("export BATCH2FLOW_BRIDGE_URL=")]
    (spec,) = _yaml_deployments(files)
    monkeypatch.delenv("BATCH2FLOW_BRIDGE_URL", raising=False)
    for name, value in spec["work_pool"]["job_variables"]["env"].items():
        monkeypatch.setenv(name, value)
    assert load_config().url == url
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_BLOCK", "no-such-block")
    with pytest.raises(Exception, match="no-such-block"):
        load_config()


def test_ruby_text_reaches_prefect_as_written_not_expanded(server: Cli, tmp_path: Path) -> None:
    tree = tmp_path / "ruby"
    for name, text in TEMPLATED_RUBY.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    files = _convert([str(tree)], out)
    (spec,) = _yaml_deployments(files)
    assert "{{ $SECRET }}" not in files["prefect.yaml"]
    assert spec["work_pool"]["work_queue_name"] == "{ { $SECRET }}"
    assert "{ { $SECRET }}.rb" in spec["description"]
    _deploy(server, out, files)
    (deployment,) = _deployments([(_flow(files, spec["entrypoint"])[0], spec["name"])])
    assert SECRET not in repr(deployment)
    assert deployment.work_queue_name == "{ { $SECRET }}"
    assert deployment.description == spec["description"]


def test_ruby_defaults_are_the_deployments_defaults(server: Cli, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import PrefectHTTPStatusError

    tree = tmp_path / "ruby"
    (tree / "app").mkdir(parents=True)
    (tree / "app/w.rb").write_text(TEMPLATED_RUBY["app/workers/leaky_worker.rb"], encoding="utf-8")
    (tree / "app/s.rb").write_text(
        "class Importer\n  def self.start(account_id, limit = 100, dry_run: false)\n"
        "    b = Sidekiq::Batch.new\n    b.jobs { LeakyWorker.perform_async(account_id) }\n"
        "  end\nend\n", encoding="utf-8")
    out = tmp_path / "out"
    files = _convert([str(tree)], out)
    _deploy(server, out, files)
    (deployment,) = _deployments([("importer", "importer")])
    schema = deployment.parameter_openapi_schema
    assert schema["required"] == ["account_id"]
    assert schema["properties"]["limit"]["type"] == "integer"
    assert schema["properties"]["limit"]["default"] == 100
    assert schema["properties"]["dry_run"]["default"] is False
    with get_client(sync_client=True) as client:
        with pytest.raises(PrefectHTTPStatusError, match="409|422"):
            client.create_flow_run_from_deployment(deployment.id, parameters={"limit": 5})
        with pytest.raises(PrefectHTTPStatusError, match="409|422"):
            client.create_flow_run_from_deployment(deployment.id, parameters={"account_id": 1, "limit": "x"})
        run = client.create_flow_run_from_deployment(deployment.id, parameters={"account_id": 1})
        client.delete_flow_run(run.id)  # no worker is to run it
    assert run.parameters == {"account_id": 1}


def test_a_periodic_job_deploys_with_its_schedule(server: Cli, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client

    tree = tmp_path / "ruby"
    (tree / "app/workers").mkdir(parents=True)
    (tree / "config/initializers").mkdir(parents=True)
    (tree / "app/workers/w.rb").write_text(TEMPLATED_RUBY["app/workers/leaky_worker.rb"], encoding="utf-8")
    (tree / "app/workers/nightly_worker.rb").write_text(
        "class NightlyWorker\n  include Sidekiq::Job\n\n  def perform\n    b = Sidekiq::Batch.new\n"
        "    b.jobs { LeakyWorker.perform_async(1) }\n  end\nend\n", encoding="utf-8")
    (tree / "config/initializers/sidekiq.rb").write_text(
        "Sidekiq.configure_server do |config|\n  config.periodic do |mgr|\n"
        "    mgr.register('0 3 * * *', 'NightlyWorker')\n  end\nend\n", encoding="utf-8")
    out = tmp_path / "out"
    files = _convert([str(tree)], out)
    (spec,) = _yaml_deployments(files)
    assert spec["schedules"] == [{"cron": "0 3 * * *", "timezone": "UTC", "parameters": {}}]
    _deploy(server, out, files)
    (deployment,) = _deployments([(_flow(files, spec["entrypoint"])[0], spec["name"])])
    with get_client(sync_client=True) as client:
        (schedule,) = client.read_deployment_schedules(deployment.id)
    assert schedule.schedule.cron == "0 3 * * *" and schedule.active
    assert schedule.parameters == {}
    assert deployment.parameter_openapi_schema.get("required", []) == []



def test_a_worker_runs_the_deployment_from_its_folder_with_the_saved_bridge(
        server: Cli, tmp_path: Path) -> None:
    """The last command MIGRATION.md lists: the worker finds the flow where `prefect deploy`
    ran, and the flow run reads the bridge from the block the setup saved (its URL is
    MIGRATION.md's example, so the starter cannot be called: that is where this stops)."""
    from prefect.client.orchestration import get_client

    files = _convert([str(FIXTURES / "seed_pipeline")], tmp_path)
    _deploy(server, tmp_path, files)
    (deployment,) = _deployments([("data_pipeline", "data_pipeline")])
    with get_client(sync_client=True) as client:
        run = client.create_flow_run_from_deployment(
            deployment.id, parameters={"source_id": 7, "run_date": "2024-05-01"})
    worker = _sh_blocks(files["MIGRATION.md"], "Deploying")[-1][1]
    try:
        output = server.watch(worker, Path("/"), until="POST https://bridge.internal:8443/v1/calls")
    finally:
        pids = {int(r.infrastructure_pid.rsplit(":", 1)[-1]) for r in _runs_started()}
        for pid in pids - {os.getpgid(0)}:  # a flow run's process has a session of its own
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    assert [run.id] == [r.id for r in _runs_started()], "the worker ran another test's run"
    assert "Beginning flow run" in output, output
    # the starter's call went to the URL of the saved block, and failed as a bridge error
    assert "Task run 'ruby starter" in output and "cannot reach the bridge" in output, output
