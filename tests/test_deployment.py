"""`prefect.yaml`: valid for Prefect's own models, every field reaching the file, every
string coming back as written; and the Sidekiq Enterprise cron schedules it carries."""

from __future__ import annotations

import os
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from batch2flow.analysis.schedules import schedules_from_files
from batch2flow.deployment import PLACEHOLDER, DeploymentSpec, literal, render_prefect_yaml, to_yaml
from batch2flow.parsing import parse
from batch2flow.ruby.indexer import build_index
from batch2flow.scanner import SourceFile

NIGHTLY = DeploymentSpec(
    name="nightly_report",
    entrypoint="flows/nightly_report.py:nightly_report",
    description="Nightly report",
    parameters={},
    tags=("batch2flow", "sidekiq"),
    work_queue_name="critical",
    cron="0 3 * * *",
)
CLEANUP = DeploymentSpec("cleanup", "flows/cleanup.py:cleanup", "Cleanup", {}, (), None, None)

NASTY = [
    'say "hi"', "it's", "key: value", "# not a comment", "a\nb\r\nc", "tab\tend", "back\\slash",
    "{ {not a placeholder}}", "{% raw %}", "café ☕ 😀", "\u2028\u0085\x00\x7f", "- item",
    "[1, 2]", "{a: b}", "&anchor *alias !tag", "null", "yes", "~", "@at `tick`", "  padded  ", "",
]


def _load(text: str) -> dict[str, Any]:
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


def _deployments(*specs: DeploymentSpec, **options: str) -> list[dict[str, Any]]:
    return list(_load(render_prefect_yaml("billing", list(specs), **options))["deployments"])


def _validate_with_prefect(text: str) -> None:
    """What `prefect deploy` does with the file: its own pydantic models, then each cron
    schedule built the way its `_schedules` module builds it."""
    from prefect.cli.deploy._models import PrefectYamlModel, RawScheduleConfig
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.client.schemas.schedules import CronSchedule

    raw = _load(text)
    model = PrefectYamlModel.model_validate(raw)
    assert len(model.deployments) == len(raw["deployments"])
    for deployment in raw["deployments"]:
        for schedule in deployment["schedules"]:
            config = RawScheduleConfig.model_validate(schedule)  # extra="forbid": no stray keys
            assert config.cron is not None
            DeploymentScheduleCreate(schedule=CronSchedule(cron=config.cron, timezone=config.timezone))


# --- the file's shape ----------------------------------------------------------------------------


def test_project_and_actions() -> None:
    doc = _load(render_prefect_yaml("billing", [NIGHTLY]))
    assert doc["name"] == "billing"
    # no version to be wrong, and no path: `prefect deploy` records the folder it runs in
    assert "prefect-version" not in doc
    assert doc["build"] is None and doc["push"] is None and doc["pull"] is None


def test_one_deployment_per_spec_with_every_field() -> None:
    nightly, cleanup = _deployments(NIGHTLY, CLEANUP)
    assert nightly == {
        "name": "nightly_report",
        "version": None,
        "tags": ["batch2flow", "sidekiq"],
        "description": "Nightly report",
        "entrypoint": "flows/nightly_report.py:nightly_report",
        "parameters": {},
        "enforce_parameter_schema": True,
        "work_pool": {"name": "batch2flow", "work_queue_name": "critical",
                      "job_variables": {"env": {"BATCH2FLOW_BRIDGE_BLOCK": "batch2flow-bridge"}}},
        "schedules": [{"cron": "0 3 * * *", "timezone": "UTC", "parameters": {}}],
    }
    assert cleanup["schedules"] == []
    assert cleanup["work_pool"]["work_queue_name"] is None


def test_no_workflows_gives_an_empty_deployment_list() -> None:
    text = render_prefect_yaml("billing", [])
    assert _load(text)["deployments"] == []
    _validate_with_prefect(text)


def test_prefect_accepts_the_file() -> None:
    _validate_with_prefect(render_prefect_yaml("billing", [NIGHTLY, CLEANUP], work_pool="k8s"))


def test_prefect_rejects_a_broken_cron_so_the_check_is_real() -> None:
    with pytest.raises(ValueError, match="cron"):
        _validate_with_prefect(render_prefect_yaml("billing", [replace(NIGHTLY, cron="every night")]))


# --- every input reaches the output ---------------------------------------------------------------

CHANGED = {
    "name": "other", "entrypoint": "flows/other.py:other", "description": "Other",
    "parameters": {"date": "2024-01-01"}, "tags": ("x",), "work_queue_name": None, "cron": None,
}


@pytest.mark.parametrize("field", [f.name for f in fields(DeploymentSpec)])
def test_each_spec_field_changes_the_output(field: str) -> None:
    changed = replace(NIGHTLY, **{field: CHANGED[field]})
    assert render_prefect_yaml("billing", [changed]) != render_prefect_yaml("billing", [NIGHTLY])
    _validate_with_prefect(render_prefect_yaml("billing", [changed]))


def test_project_work_pool_and_bridge_block_change_the_output() -> None:
    base = render_prefect_yaml("billing", [NIGHTLY])
    assert render_prefect_yaml("other", [NIGHTLY]) != base
    assert _deployments(NIGHTLY, work_pool="k8s")[0]["work_pool"]["name"] == "k8s"
    (deployment,) = _deployments(NIGHTLY, bridge_block="other")
    assert deployment["work_pool"]["job_variables"] == {"env": {"BATCH2FLOW_BRIDGE_BLOCK": "other"}}


# --- strings come back as written ------------------------------------------------------------------


@pytest.mark.parametrize("text", NASTY, ids=repr)
def test_nasty_strings_round_trip_in_every_field(text: str) -> None:
    spec = DeploymentSpec(text, text, text, {text: text, "list": [text, 1, 2.5e20, True]},
                          (text,), text, text)
    rendered = render_prefect_yaml(text, [spec], work_pool=text)
    assert rendered.isascii()
    doc = _load(rendered)
    assert doc["name"] == text
    (deployment,) = doc["deployments"]
    assert deployment["name"] == deployment["description"] == deployment["entrypoint"] == text
    assert deployment["parameters"] == {text: text, "list": [text, 1, 2.5e20, True]}
    assert deployment["tags"] == [text]
    assert deployment["work_pool"]["name"] == deployment["work_pool"]["work_queue_name"] == text
    assert deployment["schedules"][0]["cron"] == text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_description_round_trips(text: str) -> None:
    (deployment,) = _deployments(replace(NIGHTLY, description=text))
    assert deployment["description"] == (text if not PLACEHOLDER.search(text) else literal(text))


# --- Prefect expands `{{ ... }}` on deploy: text from Ruby must not be a template --------------

TEMPLATES = ["{{ $SECRET }}", "{{prefect.variables.token}}", "x {{ prefect.blocks.secret.k }} y",
             "{{ build-image.image }}", "{{{ $A }}}", "{{ $A }}{{ $B }}"]


def test_the_placeholder_pattern_is_prefects() -> None:
    from prefect.utilities.templating import PLACEHOLDER_CAPTURE_REGEX

    assert PLACEHOLDER.pattern == PLACEHOLDER_CAPTURE_REGEX.pattern


@pytest.mark.parametrize("text", TEMPLATES, ids=repr)
def test_placeholders_in_ruby_text_are_broken(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.utilities.templating import apply_values, find_placeholders

    monkeypatch.setenv("SECRET", "hunter2")
    spec = replace(NIGHTLY, description=text, work_queue_name=text, parameters={text: [text]},
                   tags=(text,), cron=text)
    (deployment,) = _deployments(spec)
    assert not find_placeholders(deployment)
    assert apply_values(deployment, {"build-image": {"image": "leak"}}) == deployment
    assert "hunter2" not in repr(apply_values(deployment, dict(os.environ)))
    assert deployment["description"] == literal(text) != text
    assert deployment["description"].replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("text", ["{ $SECRET }", "{{ two words }}", "{{}}", "}} {{", "{{ a/b }}"],
                         ids=repr)
def test_text_prefect_would_not_expand_is_kept(text: str) -> None:
    from prefect.utilities.templating import find_placeholders

    assert not find_placeholders(text)
    (deployment,) = _deployments(replace(NIGHTLY, description=text, work_queue_name=text))
    assert deployment["description"] == deployment["work_pool"]["work_queue_name"] == text


ROUND_TRIP_VALUES = [0, -3, 1.5, 1e-7, 1e300, None, True, False, [], {}, {"a": [1, {"b": None}]}]


@pytest.mark.parametrize("value", ROUND_TRIP_VALUES, ids=repr)
def test_values_round_trip(value: object) -> None:
    assert yaml.safe_load(f"v: {to_yaml(value)}")["v"] == value


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object(), {1: "x"}])
def test_values_without_a_yaml_form_are_refused(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        to_yaml(value)


# --- Sidekiq Enterprise periodic jobs ---------------------------------------------------------------

WORKERS = """
class NightlyReportWorker
  include Sidekiq::Job
end

module Billing
  class InvoiceWorker
    include Sidekiq::Job
  end
end
"""


def _schedules(initializer: str) -> dict[str, str]:
    sources = {"app/workers.rb": WORKERS, "config/initializers/sidekiq.rb": initializer}
    parsed = [parse(SourceFile(path, text))[0] for path, text in sources.items()]
    return schedules_from_files(parsed, build_index(parsed))


def _periodic(*lines: str, outer: str = "") -> str:
    body = "\n".join(f"    {line}" for line in lines)
    block = f"Sidekiq.configure_server do |config|\n  config.periodic do |mgr|\n{body}\n  end\nend\n"
    return f"{outer}\n{block}end\n" if outer else block


REGISTERS = {
    "string class name": (
        _periodic('mgr.register("0 3 * * *", "NightlyReportWorker", retry: 2)'),
        {"NightlyReportWorker": "0 3 * * *"},
    ),
    "constant, no parentheses": (
        _periodic("mgr.register '*/5 * * * *', Billing::InvoiceWorker"),
        {"Billing::InvoiceWorker": "*/5 * * * *"},
    ),
    "brace blocks and another parameter name": (
        "Sidekiq.configure_server { |c| c.periodic { |m| m.register('0 1 * * 1', ::NightlyReportWorker) } }",
        {"NightlyReportWorker": "0 1 * * 1"},
    ),
    "constant resolved from the module it is written in": (
        _periodic('mgr.register("0 2 * * *", InvoiceWorker)', outer="module Billing"),
        {"Billing::InvoiceWorker": "0 2 * * *"},
    ),
    "string resolved from the top level, as Sidekiq does": (
        _periodic('mgr.register("0 2 * * *", "InvoiceWorker")', outer="module Billing"),
        {"InvoiceWorker": "0 2 * * *"},
    ),
    "several, the first one of a worker kept": (
        _periodic('mgr.register("0 3 * * *", "NightlyReportWorker")',
                  'mgr.register("0 9 * * *", Billing::InvoiceWorker)',
                  'mgr.register("0 4 * * *", "NightlyReportWorker")'),
        {"NightlyReportWorker": "0 3 * * *", "Billing::InvoiceWorker": "0 9 * * *"},
    ),
    "unknown class kept as written": (
        _periodic('mgr.register("0 3 * * *", "Elsewhere::Worker")'),
        {"Elsewhere::Worker": "0 3 * * *"},
    ),
}

DOES_NOT_REGISTER = {
    "register outside a periodic block": 'Mime::Type.register "text/csv", :csv\n',
    "another receiver inside the block": _periodic('registry.register("0 3 * * *", "NightlyReportWorker")'),
    "cron from a variable": _periodic('mgr.register(NIGHTLY_CRON, "NightlyReportWorker")'),
    "cron with interpolation": _periodic('mgr.register("0 #{hour} * * *", "NightlyReportWorker")'),
    "worker from a variable": _periodic('mgr.register("0 3 * * *", worker_class)'),
    "commented out": _periodic('# mgr.register("0 3 * * *", "NightlyReportWorker")'),
    "only one argument": _periodic('mgr.register("0 3 * * *")'),
}


@pytest.mark.parametrize(("ruby", "expected"), REGISTERS.values(), ids=REGISTERS.keys())
def test_periodic_registration_fixes(ruby: str, expected: dict[str, str]) -> None:
    assert _schedules(ruby) == expected


@pytest.mark.parametrize("ruby", DOES_NOT_REGISTER.values(), ids=DOES_NOT_REGISTER.keys())
def test_periodic_registration_noop(ruby: str) -> None:
    assert _schedules(ruby) == {}


# --- no place on the converting machine ----------------------------------------------------------


def test_files_given_by_absolute_path_leave_no_folder_in_prefect_yaml(tmp_path: Path) -> None:
    from batch2flow.convert import convert

    (tmp_path / "w.rb").write_text(
        "class ImportWorker\n  include Sidekiq::Job\n  def perform(id); end\nend\n", encoding="utf-8")
    (tmp_path / "s.rb").write_text(
        "class Importer\n  def self.start(id)\n    b = Sidekiq::Batch.new\n"
        "    b.jobs { ImportWorker.perform_async(id) }\n  end\nend\n", encoding="utf-8")
    by_path = convert([str(tmp_path / "s.rb"), str(tmp_path / "w.rb")]).files
    by_folder = convert([str(tmp_path)]).files
    assert str(tmp_path) in by_path["flows/importer.py"]  # where a reader finds the Ruby
    assert str(tmp_path) not in by_path["prefect.yaml"]
    (deployment,) = _load(by_path["prefect.yaml"])["deployments"]
    assert deployment["description"] == "Sidekiq workflow started by Importer.start (s.rb:3)"
    (deployment,) = _load(by_folder["prefect.yaml"])["deployments"]
    assert deployment["description"] == "Sidekiq workflow started by Importer.start (s.rb:3)"
