"""Valid Ruby whose names and numbers are not valid Python as they stand: repeated
parameters (`_, _`; `row_id` and `rowId` meet as `row_id`), parameters named like a Python
builtin, keyword or soft keyword, and integers of thousands of digits. Every generated
module compiles, names each parameter once with a name that hides nothing the module
uses, and the values still reach the bridge (or the flow's defaults) unchanged."""

from __future__ import annotations

import ast
import builtins
import keyword
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES
from fake_bridge import FakeBridge

from batch2flow.codegen.names import PYTHON_BUILTINS, number_literal, param_names, to_python
from batch2flow.convert import TASK_MODES, convert
from batch2flow.rehearse import import_flows
from batch2flow.ruby.literals import exact_int

#: 1 followed by 4,999 twos, computed without a decimal conversion Python would refuse
BIG = 10**4999 + 2 * (10**4999 - 1) // 9
BIG_RUBY = "1" + "2" * 4999

WORKERS = """
class UnderWorker
  include Sidekiq::Job
  def perform(_, _); end
end

class CaseWorker
  include Sidekiq::Job
  def perform(row_id, rowId); end
end

class LenWorker
  include Sidekiq::Job
  def perform(len); end
end

class BuiltinWorker
  include Sidekiq::Job
  def perform(list, print, match, keywords, type:); end
end

class BigWorker
  include Sidekiq::Job
  def perform(x)
    EchoWorker.perform_async(x)
  end
end

class EchoWorker
  include Sidekiq::Job
  def perform(y); end
end
"""

#: the starter's job arguments, without the huge literals (for a run)
CALLS = """
      UnderWorker.perform_async(len, row_id)
      CaseWorker.perform_async(row_id, rowId)
      LenWorker.perform_async(len)
      BuiltinWorker.perform_async(list, len, match, rowId)
"""

TREE = WORKERS + f"""
class Starter
  def self.start(len, row_id, rowId, list, huge = {BIG_RUBY}, far = 1.0e400, match = 'm', _ = 4)
    batch = Sidekiq::Batch.new
    batch.jobs do{CALLS}      BigWorker.perform_async({BIG_RUBY})
      BigWorker.perform_async(-{BIG_RUBY})
    end
  end
end
"""

#: what a generated module binds itself, besides its task, handler and flow functions
MODULE_NAMES = {"flow", "task", "run", "plan", "annotations", "OMITTED", "WorkflowRun", "NO_CACHE",
                "run_job", "orchestration_step", "not_ported", "ruby_value", "ruby_job", "ruby_starter",
                "ruby_callback", "cancel_not_started", "PlanRun", "Plan", "bulk_rows"}
FORBIDDEN = set(keyword.kwlist) | set(keyword.softkwlist) | PYTHON_BUILTINS | MODULE_NAMES


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "app.rb").write_text(TREE, encoding="utf-8")
    return folder


def _tree_without_big_jobs(folder: Path) -> Path:
    """The same starter, its huge job arguments left out: Python's json (the bridge client's)
    refuses an integer of more than 4300 digits, Ruby's does not."""
    (folder / "app.rb").write_text(TREE.replace(f"      BigWorker.perform_async({BIG_RUBY})\n", "")
                                   .replace(f"      BigWorker.perform_async(-{BIG_RUBY})\n", ""),
                                   encoding="utf-8")
    return folder


def _functions(source: str) -> list[ast.FunctionDef]:
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)]


def _params(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)]


@pytest.mark.parametrize("tasks", TASK_MODES)
def test_every_parameter_is_a_distinct_name_that_hides_nothing(tree: Path, tasks: str) -> None:
    source = convert([str(tree)], tasks=tasks).files["flows/starter.py"]
    compile(source, "starter.py", "exec")
    functions = _functions(source)
    for function in functions:
        params = _params(function)
        if params == ["run", "plan"]:
            continue  # a Ruby flow's handler: its two parameters are the module's own
        assert len(params) == len(set(params)), (function.name, params)
        assert not FORBIDDEN & set(params), (function.name, params)
    flow = next(f for f in functions if f.name == "starter")
    # one per Ruby parameter, in order, each named after it
    assert _params(flow) == ["len_", "row_id", "row_id_2", "list_", "huge", "far", "match_", "value"]


def test_the_ruby_flow_passes_ruff_with_its_defaults(tree: Path, tmp_path: Path) -> None:
    ruff = shutil.which("ruff")
    assert ruff is not None, "ruff is a test dependency (pyproject.toml [test])"
    source = convert([str(tree)], tasks="ruby").files["flows/starter.py"]
    (tmp_path / "starter.py").write_text(source, encoding="utf-8")
    for command in (["check", "--isolated", "starter.py"], ["format", "--isolated", "--check", "starter.py"]):
        done = subprocess.run([ruff, *command], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("tasks", ["ruby", "translated"])
def test_huge_literals_keep_their_values(tree: Path, tasks: str) -> None:
    # read, not imported: hypothesis harvests the literals of every imported module, and a
    # test that prints an integer it drew fails on one of 5000 digits
    source = convert([str(tree)], tasks=tasks).files["flows/starter.py"]
    (flow,) = [f for f in _functions(source) if f.name == "starter"]
    # Prefect sends a flow run's parameters as JSON, which cannot carry a number of more than
    # 4300 digits or an infinite one: those defaults are not kept, a run gives the value;
    # the defaults after them are
    assert [ast.literal_eval(default) for default in flow.args.defaults] == ["m", 4]
    if tasks == "translated":
        calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
                 and ast.unparse(node.func) == "big_worker.submit"]
        assert [eval(compile(ast.Expression(call.args[0]), "<arg>", "eval")) for call in calls] == [BIG, -BIG]


@pytest.mark.usefixtures("prefect_harness")
def test_renamed_parameters_carry_the_right_values_to_the_bridge(tmp_path: Path, bridge: FakeBridge) -> None:
    (tmp_path / "ruby").mkdir()
    ruby = _tree_without_big_jobs(tmp_path / "ruby")
    conversion = convert([str(ruby)], tasks="translated")
    assert "BigWorker" not in conversion.files["flows/starter.py"]
    flow = import_flows(conversion, tmp_path)["starter"].starter
    # positional: the Ruby parameters in order, whatever their Python names
    state = flow(1, 2, 3, [4], 5, 6.0, return_state=True)
    assert state.name == "Completed", state.message
    sent: dict[str, list[object]] = {}
    for request in bridge.requests:
        if request.method == "POST" and isinstance(request.body, dict):
            sent.setdefault(request.body["class"], []).append(request.body["args"])
    assert sent["UnderWorker"] == [[1, 2]]
    assert sent["CaseWorker"] == [[2, 3]]
    assert sent["LenWorker"] == [[1]]
    assert sent["BuiltinWorker"] == [[[4], 1, "m", 3]]


# --- the pieces ----------------------------------------------------------------------------


def _short(value: object) -> str:
    """A test id: a huge integer as its size (its decimal text is refused past 4300 digits)."""
    if isinstance(value, int) and abs(value).bit_length() > 64:
        return f"{'-' if value < 0 else ''}int{abs(value).bit_length()}bits"
    return str(value)[:12]


@pytest.mark.parametrize(("ruby", "python"), [
    (["_", "_"], ("value", "value_2")),
    (["row_id", "rowId", "RowID"], ("row_id", "row_id_2", "row_id_3")),
    (["len", "len_"], ("len_", "len_2")),
    (["list", "len", "match", "case", "type", "_", "class", "object"],
     ("list_", "len_", "match_", "case_", "type_", "value", "class_", "object_")),
    # builtins the flows never call keep their names: a deployment's parameter stays `id`
    (["id", "print", "format"], ("id", "print", "format")),
    (["run", "flow", "task"], ("run_", "flow_", "task_")),
], ids=repr)
def test_param_names(ruby: list[str], python: tuple[str, ...]) -> None:
    assert param_names(ruby) == python


@pytest.mark.parametrize("tasks", ["ruby", "translated"])
def test_every_builtin_the_generated_flows_read_is_one_no_parameter_takes(tasks: str) -> None:
    read: set[str] = set()
    for fixture in sorted(FIXTURES.iterdir()):
        if not (fixture / "NOTES.md").is_file():
            continue
        for name, text in convert([str(fixture)], tasks=tasks).files.items():
            if name.endswith(".py"):
                read |= _builtins_read(ast.parse(text))
    assert read <= PYTHON_BUILTINS


def _builtins_read(module: ast.Module) -> set[str]:
    """Builtins a module reads: names it reads that it binds nowhere itself."""
    nodes = list(ast.walk(module))
    bound = {n.arg for n in nodes if isinstance(n, ast.arg)}
    bound |= {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    bound |= {(a.asname or a.name).split(".")[0] for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom))
              for a in n.names}
    read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return (read - bound) & set(dir(builtins))


@pytest.mark.parametrize("value", [BIG, -BIG, 10**4300, -(10**4300), 10**4300 - 1, 7, -3, 2.5,
                                   float("inf"), float("-inf")], ids=lambda v: _short(v))
def test_number_literals_compile_to_the_same_value(value: int | float) -> None:
    written = number_literal(value)
    assert eval(compile(written, "<literal>", "eval")) == value
    assert to_python([value]) == f"[{written}]"


def test_nan_is_written_as_a_nan() -> None:
    value = eval(compile(number_literal(float("nan")), "<literal>", "eval"))
    assert value != value


@pytest.mark.parametrize(("digits", "value"), [
    ("0", 0), ("7", 7), ("-12", -12), ("9" * 4300, 10**4300 - 1), ("1" + "0" * 8000, 10**8000),
    ("-" + "3" * 4301, -(10**4301 - 1) // 3), (BIG_RUBY, BIG), ("ff" * 3000, 256**3000 - 1),
], ids=lambda v: _short(v))
def test_exact_int_reads_any_length(digits: str, value: int) -> None:
    assert exact_int(digits, 16 if "f" in digits else 10) == value


STARTS = """
class W
  include Sidekiq::Job
  def perform(a); end
end

class Other
  def self.start(rowId, len)
    b = Sidekiq::Batch.new
    b.jobs { W.perform_async(rowId) }
  end
end

class Starter
  def self.start(id)
    Other.start(id, 2)
    b = Sidekiq::Batch.new
    b.jobs { W.perform_async(id) }
  end
end
"""


def test_a_started_workflow_gets_its_parameters_by_its_own_python_names(tmp_path: Path) -> None:
    (tmp_path / "app.rb").write_text(STARTS, encoding="utf-8")
    files = convert([str(tmp_path)], tasks="translated").files
    (other,) = [f for f in _functions(files["flows/other.py"]) if f.name == "other"]
    (call,) = [node for node in ast.walk(ast.parse(files["flows/starter.py"])) if isinstance(node, ast.Call)
               and ast.unparse(node.func) == "start_other_workflow.submit"]
    parameters = call.args[1]
    assert isinstance(parameters, ast.Dict)
    # the deployment is run with these keys: the other flow's own parameters
    assert [ast.literal_eval(key) for key in parameters.keys if key] == _params(other) == ["row_id", "len_"]
