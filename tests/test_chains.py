"""A workflow of many steps, each opened by the previous step's callback: what `convert`
makes of it grows with the number of steps, not with its square."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from types import ModuleType

from batch2flow.codegen.planner import plan_flow
from batch2flow.codegen.readback import check_flow, read_flow
from batch2flow.codegen.render import render_flow
from batch2flow.convert import convert
from batch2flow.graph import build_graph


def _bench() -> ModuleType:
    """benchmarks/chain_bench.py, which writes the chain the benchmark measures."""
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "chain_bench.py"
    spec = importlib.util.spec_from_file_location("chain_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(root: Path, steps: int, per_item: bool = False) -> str:
    _bench().generate(root, steps, per_item)
    return str(root)


def _wait_entries(source: str) -> int:
    """The futures and lists of them a flow names as waits: each `b.succeeded()` and
    `b.finished()`, and each job variable or named list in a `wait_for=` or a named list."""
    count = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            count += node.func.attr in ("succeeded", "finished")
        elif isinstance(node, ast.List):
            count += sum(isinstance(e, (ast.Name, ast.Starred)) and not isinstance(
                getattr(e, "value", None), ast.Call) for e in node.elts)
    return count


def _waits_of_chain(root: Path, steps: int) -> int:
    files = convert([_tree(root, steps, per_item=True)], tasks="translated").files
    return _wait_entries(files["flows/chain_pipeline.py"])


def test_the_waits_of_a_chain_grow_with_its_length_not_its_square(tmp_path: Path) -> None:
    # a step that enqueues a job per item may enqueue none, so each step waits for every
    # step before it: listed in each, 20 more steps would add some 600 entries
    short, long = _waits_of_chain(tmp_path / "short", 20), _waits_of_chain(tmp_path / "long", 40)
    assert short >= 20
    assert long - short <= 6 * 20, (short, long)


def test_a_named_wait_list_is_read_back_as_what_it_holds(tmp_path: Path) -> None:
    graph = build_graph([_tree(tmp_path, 6, per_item=True)])
    [workflow] = graph.workflows
    plan = plan_flow(workflow, {w.name: w for w in graph.workers}, {workflow.name: workflow.params})
    source = render_flow(plan)
    check_flow(source, workflow, dict(plan.variables), dict(plan.task_names))
    # step 3 waits for its own batch and the list the callback it is nested in made
    assert "wait_for=[*b4.succeeded(), *after_success_b3]" in source
    assert read_flow(source).waits_for["step3"] == {"step2", "step1", "step0"}
    broken, count = re.subn(r"(after_success_b3 = )\[\*b3.succeeded\(\), ", r"\1[", source)
    assert count == 1, "the breakage did not apply: the test is out of date"
    assert read_flow(broken).waits_for["step3"] == {"step2", "step0"}


def test_a_chain_longer_than_python_nests_blocks_converts(tmp_path: Path) -> None:
    # the translated flow would nest a callback block a level deeper each step, past the
    # 100 levels Python parses; the default flows run the Ruby and nest nothing
    conversion = convert([_tree(tmp_path, 120)])
    flow = conversion.files["flows/chain_pipeline.py"]
    compile(flow, "chain_pipeline.py", "exec")
    for step in (0, 1, 119):
        assert f'plan.jobs("Chain::Step{step}Worker"' in flow or f'"Chain::Step{step}Worker",' in flow
