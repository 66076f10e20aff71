"""A Ruby starter's literal defaults become the flow's defaults, typed by the literal; every
other parameter stays required, so a deployment run cannot leave it `nil`."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch2flow.codegen.plan import FlowPlan
from batch2flow.convert import convert
from batch2flow.parsing import parse
from batch2flow.ruby.literals import NoLiteral, literal_default
from batch2flow.scanner import SourceFile

WORKER = "class ImportWorker\n  include Sidekiq::Job\n  def perform(id); end\nend\n"


def _default(ruby: str) -> object:
    parsed = parse(SourceFile("x.rb", f"def m(x = {ruby})\nend\n"))[0]
    (method,) = parsed.tree.root_node.named_children
    (param,) = method.child_by_field_name("parameters").named_children
    return literal_default(param.child_by_field_name("value"))


KEPT = {"1": 1, "-2": -2, "1_000": 1000, "1.5": 1.5, "-0.25": -0.25, "'x y'": "x y",
        '"plain"': "plain", "nil": None, "true": True, "false": False}
NOT_KEPT = ["Date.today", ":sym", "[]", "{}", '"a#{b}"', '"a\\nb"', "'a\\\\b'", "0x10", "LIMIT",
            "1..2", "ENV['X']", "1r", "2i"]


@pytest.mark.parametrize(("ruby", "value"), KEPT.items(), ids=KEPT.keys())
def test_literal_defaults_fixes(ruby: str, value: object) -> None:
    kept = _default(ruby)
    assert kept == value and type(kept) is type(value)


@pytest.mark.parametrize("ruby", NOT_KEPT)
def test_literal_defaults_noop(ruby: str) -> None:
    with pytest.raises(NoLiteral):
        _default(ruby)


def _flow(tmp_path: Path, params: str) -> tuple[FlowPlan, object]:
    (tmp_path / "app").mkdir()
    (tmp_path / "app/w.rb").write_text(WORKER, encoding="utf-8")
    (tmp_path / "app/s.rb").write_text(
        f"class Importer\n  def self.start({params})\n    b = Sidekiq::Batch.new\n"
        "    b.jobs { ImportWorker.perform_async(account_id) }\n  end\nend\n", encoding="utf-8")
    conversion = convert([str(tmp_path)])
    (plan,) = conversion.plans
    namespace: dict[str, object] = {}
    exec(compile(conversion.files["flows/importer.py"], "importer.py", "exec"), namespace)
    return plan, namespace[plan.function]


def _schema(flow: object) -> dict[str, object]:
    from prefect.utilities.callables import parameter_schema

    schema: dict[str, object] = parameter_schema(flow).model_dump()
    return schema


def test_literal_defaults_become_typed_flow_defaults(tmp_path: Path) -> None:
    plan, flow = _flow(tmp_path, "account_id, limit = 100, ratio = 0.5, label = 'x', dry_run: false, "
                                 "note: nil")
    assert plan.signature == ("account_id", "limit: int = 100", "ratio: float = 0.5", "label: str = 'x'",
                              "dry_run: bool = False", "note=None")
    schema = _schema(flow)
    assert schema["required"] == ["account_id"]
    properties = schema["properties"]
    assert isinstance(properties, dict)
    assert {name: (p.get("type"), p.get("default")) for name, p in properties.items()} == {
        "account_id": (None, None), "limit": ("integer", 100), "ratio": ("number", 0.5),
        "label": ("string", "x"), "dry_run": ("boolean", False), "note": (None, None),
    }


def test_string_defaults_come_through_as_written(tmp_path: Path) -> None:
    plan, flow = _flow(tmp_path, """account_id, label = 'say "hi" {{ $X }} #{no}'""")
    assert dict(plan.defaults) == {"label": 'say "hi" {{ $X }} #{no}'}
    properties = _schema(flow)["properties"]
    assert isinstance(properties, dict)
    assert properties["label"]["default"] == 'say "hi" {{ $X }} #{no}'


def test_parameters_without_a_literal_default_stay_required(tmp_path: Path) -> None:
    # Python has no default before a required parameter, and `Date.today` is no literal
    plan, flow = _flow(tmp_path, "limit = 100, account_id, day = Date.today")
    assert plan.signature == ("limit", "account_id", "day")
    assert _schema(flow)["required"] == ["limit", "account_id", "day"]
