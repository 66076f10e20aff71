"""The flow template, o2a style: every plan renders to Python that compiles, every field
that reaches the template shows in the output, Ruby text comes through as the same value
and never as code, and the `names` filters keep their promises."""

from __future__ import annotations

import ast
import inspect
import keyword
from dataclasses import fields, replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch2flow import diagnostics as diag
from batch2flow.codegen.names import indent_lines, to_comment, to_docstring, to_python, to_var
from batch2flow.codegen.plan import CallbackBlock, Comment, ConditionStub, FlowPlan, Guard, Line, TaskPlan
from batch2flow.codegen.render import render_flow

# --- a small factory ----------------------------------------------------------------------


def task_plan(**changes) -> TaskPlan:
    base = TaskPlan(
        function="billing_charge_worker",
        worker="Billing::ChargeWorker",
        params=("account_id", "amount=OMITTED"),
        args_list="[account_id, amount]",
        tags=("sidekiq", "queue:billing"),
        retries=3,
        queue="billing",
        orchestration=False,
        source="app/workers/billing/charge_worker.rb:3",
        worker_expr="'Billing::ChargeWorker'",
    )
    return replace(base, **changes)


def stub_plan(**changes) -> ConditionStub:
    base = ConditionStub("condition_j2", ("status",), "status.failures.zero? && big?", "app/x.rb:9")
    return replace(base, **changes)


def flow_plan(**changes) -> FlowPlan:
    charge = "charge = b1.add(billing_charge_worker.submit(account_id, amount=None))"
    base = FlowPlan(
        workflow="billing_run",
        function="billing_run",
        params=("account_id",),
        description="Sidekiq workflow started by BillingRun.start (app/services/billing_run.rb:4)",
        starter="BillingRun.start",
        entry="app/services/billing_run.rb:4",
        tasks=(task_plan(),),
        body=(
            Line("run = WorkflowRun()", "every job of this run"),
            Comment("BillingRun.start (app/services/billing_run.rb:4)"),
            Line("b1 = run.batch('charges')", "batch b1, app/services/billing_run.rb:5"),
            Guard("condition_j2(None)", (Line(charge, "app/services/billing_run.rb:7"),), "if big?"),
            Line("return run.futures()"),
        ),
        stubs=(stub_plan(),),
        diagnostics=(),
        found=3,
        converted=2,
        variables=(("j1", "charge"),),
        task_names=(("j1", "Billing::ChargeWorker"),),
    )
    return replace(base, **changes)


def render_tree(plan: FlowPlan) -> tuple[str, ast.Module]:
    text = render_flow(plan)
    compile(text, "x", "exec")
    return text, ast.parse(text)


def function_named(tree: ast.Module, name: str) -> ast.FunctionDef:
    found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    assert len(found) == 1, [getattr(n, "name", None) for n in tree.body]
    return found[0]


def decorator_keyword(function: ast.FunctionDef, decorator: str, keyword_name: str):
    call = function.decorator_list[0]
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == decorator
    value = next(k.value for k in call.keywords if k.arg == keyword_name)
    return ast.literal_eval(value)


def returned_call(function: ast.FunctionDef, callee: str) -> list:
    returned = function.body[-1]
    assert isinstance(returned, ast.Return) and isinstance(returned.value, ast.Call)
    assert isinstance(returned.value.func, ast.Name) and returned.value.func.id == callee
    return [ast.literal_eval(arg) for arg in returned.value.args]


def docstring_text(source: str, node: ast.FunctionDef) -> str:
    """The docstring's value with the template's `indent(4)` undone: a triple-quoted
    docstring gets four spaces before each non-empty line after the first, and only that."""
    raw = ast.get_docstring(node, clean=False)
    assert raw is not None
    literal = ast.get_source_segment(source, node.body[0])
    assert literal is not None
    if not literal.startswith('"""'):
        return raw  # a one-line repr: nothing was indented
    lines = raw.split("\n")
    for line in lines[1:]:
        assert not line or line.startswith("    "), f"line not indented by the template: {line!r}"
    return "\n".join([lines[0], *(line[4:] for line in lines[1:])])


# --- the output always compiles -----------------------------------------------------------

SHAPES = {
    "base": flow_plan(),
    "orchestration task": flow_plan(tasks=(task_plan(orchestration=True),)),
    "orchestration task doing more": flow_plan(tasks=(task_plan(
        orchestration=True,
        not_run="app/x.rb:9\n    Run.update!(state: 'running')\n\napp/x.rb:10\n    log"),)),
    "stub task": flow_plan(tasks=(task_plan(ruby_perform="  def perform(id)\n    charge!(id)\n  end"),)),
    "placeholder task": flow_plan(tasks=(task_plan(
        function="dynamic_worker_j5", worker="dynamic worker (app/x.rb:3)", params=("*args",),
        args_list="list(args)", source="", queue=None,
        worker_expr="ruby_value(\"options['worker'].constantize\", 'app/x.rb:3')"),)),
    "no tasks, stubs or params": flow_plan(tasks=(), stubs=(), params=(), body=(Line("return []"),)),
    "stub without params": flow_plan(stubs=(stub_plan(params=()),)),
    "empty guard": flow_plan(body=(Guard("False", ()), Line("return []"))),
    "nested guards": flow_plan(body=(
        Guard("a", (Guard("b", (Comment("deep"), Line("x = 1", "c"))),), "outer"),
        Line("return [x]"),
    )),
    "empty source": flow_plan(tasks=(task_plan(source=""), task_plan(function="t2", source="",
                                                                     orchestration=True))),
}


@pytest.mark.parametrize("plan", SHAPES.values(), ids=SHAPES.keys())
def test_output_compiles_and_parses(plan):
    text, tree = render_tree(plan)
    assert function_named(tree, plan.function).decorator_list
    for task in plan.tasks:
        function_named(tree, task.function)
    for stub in plan.stubs:
        function_named(tree, stub.function)
    assert text.endswith("\n")


def test_module_layout_is_docstring_imports_tasks_stubs_flow():
    _, tree = render_tree(flow_plan())
    kinds = [type(node).__name__ for node in tree.body]
    assert kinds == ["Expr", "ImportFrom", "ImportFrom", "ImportFrom", "ImportFrom", "FunctionDef",
                     "FunctionDef", "FunctionDef"]
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == [
        "billing_charge_worker", "condition_j2", "billing_run"]


def test_task_carries_name_tags_retries_and_queue():
    text, tree = render_tree(flow_plan())
    function = function_named(tree, "billing_charge_worker")
    assert decorator_keyword(function, "task", "name") == "Billing::ChargeWorker"
    assert decorator_keyword(function, "task", "tags") == ["sidekiq", "queue:billing"]
    # Sidekiq owns the job's retries; Prefect adds none on top
    assert decorator_keyword(function, "task", "retries") == 0
    assert "    # Sidekiq retries a failed job itself (3 retries); the task waits until\n" in text
    assert "cache_policy=NO_CACHE," in text  # every job runs, same arguments or not
    assert "from prefect.cache_policies import NONE as NO_CACHE\n" in text
    assert "return run_job('Billing::ChargeWorker', [account_id, amount], queue='billing')" in text


def test_guard_nests_its_body_and_comments_stay_comments():
    text, tree = render_tree(flow_plan())
    flow = function_named(tree, "billing_run")
    guard = next(node for node in flow.body if isinstance(node, ast.If))
    assert ast.unparse(guard.test) == "condition_j2(None)"
    assert [ast.unparse(n) for n in guard.body] == [
        "charge = b1.add(billing_charge_worker.submit(account_id, amount=None))"]
    assert "    if condition_j2(None):  # if big?\n" in text
    assert "    # BillingRun.start (app/services/billing_run.rb:4)\n" in text


# --- every field that reaches the template changes the output -------------------------------

FLOW_CHANGES = {
    "workflow": "refund_run",
    "function": "refund_run_flow",
    "params": ("account_id", "day=None"),
    "description": "another description",
    "starter": "RefundRun.start",
    "entry": "app/services/refund_run.rb:9",
    "tasks": (task_plan(), task_plan(function="refund_worker", worker="Billing::RefundWorker")),
    "body": (Line("return []"),),
    "stubs": (),
    "starts_workflows": True,
    "defaults": (("account_id", 5),),
}
#: bookkeeping for the CLI summary, MIGRATION.md and the libcst read-back: never rendered
FLOW_NOT_RENDERED = {
    "diagnostics": (diag.make(diag.UNTRANSLATED_CONDITION, "app/x.rb", 9, 5, "condition `big?`"),),
    "found": 30,
    "converted": 0,
    "variables": (("j1", "other"),),
    "task_names": (("j1", "Other"),),
}
TASK_CHANGES = {
    "function": "charge_worker_2",
    "worker": "Billing::ChargeWorkerV2",
    "params": ("*args",),
    "args_list": "list(args)",
    "tags": ("sidekiq", "queue:critical"),
    "retries": 0,
    "queue": "critical",
    "orchestration": True,
    "source": "app/workers/other.rb:1",
    "worker_expr": "ruby_value('klass', 'app/x.rb:1')",
    "ruby_perform": "def perform\nend",
    "not_run": "app/workers/kick.rb:9\n    Run.update!(state: 'running')",
}
STUB_CHANGES = {"function": "condition_j9", "params": (), "ruby": "other?", "where": "app/y.rb:1"}


def test_every_field_is_either_rendered_or_listed_as_bookkeeping():
    assert set(FLOW_CHANGES) | set(FLOW_NOT_RENDERED) == {f.name for f in fields(FlowPlan)}
    assert set(TASK_CHANGES) == {f.name for f in fields(TaskPlan)}
    assert set(STUB_CHANGES) == {f.name for f in fields(ConditionStub)}


@pytest.mark.parametrize(("field", "value"), FLOW_CHANGES.items(), ids=FLOW_CHANGES.keys())
def test_flow_plan_field_changes_the_output(field, value):
    base = flow_plan()
    assert getattr(base, field) != value
    assert render_flow(flow_plan(**{field: value})) != render_flow(base)


@pytest.mark.parametrize(("field", "value"), FLOW_NOT_RENDERED.items(), ids=FLOW_NOT_RENDERED.keys())
def test_flow_plan_bookkeeping_field_is_not_rendered(field, value):
    base = flow_plan()
    assert getattr(base, field) != value
    assert render_flow(flow_plan(**{field: value})) == render_flow(base)


@pytest.mark.parametrize(("field", "value"), TASK_CHANGES.items(), ids=TASK_CHANGES.keys())
def test_task_plan_field_changes_the_output(field, value):
    base = task_plan()
    assert getattr(base, field) != value
    changed = flow_plan(tasks=(task_plan(**{field: value}),))
    assert render_flow(changed) != render_flow(flow_plan())


@pytest.mark.parametrize(("mode", "task"), [
    ("orchestration", task_plan(orchestration=True)),
    ("stub", task_plan(ruby_perform="def perform\nend")),
])
@pytest.mark.parametrize(("field", "value"), [("args_list", "list(args)"), ("queue", "critical")])
def test_bridge_only_fields_do_not_reach_tasks_that_send_nothing_to_the_bridge(mode, task, field, value):
    """An orchestration step or a task to port sends no job, so no arguments and no queue."""
    before = render_flow(flow_plan(tasks=(task,)))
    assert render_flow(flow_plan(tasks=(replace(task, **{field: value}),))) == before


@pytest.mark.parametrize(("field", "value"), STUB_CHANGES.items(), ids=STUB_CHANGES.keys())
def test_condition_stub_field_changes_the_output(field, value):
    assert render_flow(flow_plan(stubs=(stub_plan(**{field: value}),))) != render_flow(flow_plan())


STATEMENTS = [
    Line("x = 1", "note"), Line("x = 2", "note"), Line("x = 1", "other note"), Line("x = 1"),
    Comment("a"), Comment("b"),
    Guard("a", (Line("x = 1"),)), Guard("b", (Line("x = 1"),)), Guard("a", (Line("y = 1"),)),
    Guard("a", (Line("x = 1"),), "why"), Guard("a", ()),
]


def test_each_statement_field_changes_the_output():
    """Line.code/.comment, Comment.text, Guard.test/.body/.comment: each variant renders apart."""
    outputs = {render_flow(flow_plan(body=(statement, Line("return []")))) for statement in STATEMENTS}
    assert len(outputs) == len(STATEMENTS)


# --- Ruby text comes through as the same value, never as code ----------------------------

RUBY_TEXTS = {
    "double quotes": 'say "hi" and ""',
    "single quotes": "it's 'quoted'",
    "backslashes": "C:\\new\\table \\n \\x41 \\u00e9 \\",
    "newlines": "line one\nline two\n  indented\n\n",
    "crlf": "one\r\ntwo\rthree",
    "tab": "a\tb",
    "triple double quotes": 'a """ b',
    "triple single quotes": "a ''' b",
    "ends in a quote": 'ends with "',
    "starts with quotes": '"""',
    "unicode": "café, 日本語, 🎉",
    "python injection": '"); import os; os.system("x") #',
    "docstring escape": '"""\nimport os\nos.system("x")\n"""',
    "dunder import": "__import__('os').system('x')",
    "jinja expression": "{{ 7*7 }}",
    "jinja raw": "{% raw %}",
    "jinja block": "{% endraw %}{# x #}{% for x in y %}",
    "empty": "",
}

TEMPLATE_IMPORTS = {
    ("__future__", ("annotations",)),
    ("prefect", ("flow", "task")),
    ("prefect.cache_policies", ("NONE",)),
    ("batch2flow.runtime", ("OMITTED", "WorkflowRun", "bulk_rows", "not_ported", "orchestration_step",
                            "ruby_condition", "ruby_items", "ruby_raises",
                            "ruby_to_s", "ruby_value", "run_job", "start_workflow")),
}


def assert_no_injected_code(tree: ast.Module) -> None:
    imports = set()
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Import), ast.unparse(node)
        if isinstance(node, ast.ImportFrom):
            imports.add((node.module, tuple(alias.name for alias in node.names)))
        if isinstance(node, ast.Call):
            called = ast.unparse(node.func)
            assert called not in {"__import__", "os.system", "eval", "exec"}, ast.unparse(node)
            assert not called.startswith("__import__"), ast.unparse(node)
        if isinstance(node, ast.Name):
            assert node.id not in {"os", "__import__"}, ast.unparse(node)
    assert imports == TEMPLATE_IMPORTS


def check_worker(text, plan):
    _, tree = render_tree(plan)
    function = function_named(tree, plan.tasks[0].function)
    assert decorator_keyword(function, "task", "name") == text
    assert text in docstring_text(render_flow(plan), function)
    return tree


def check_description(text, plan):
    _, tree = render_tree(plan)
    assert decorator_keyword(function_named(tree, plan.function), "flow", "description") == text
    return tree


def check_module_docstring(text, plan):
    _, tree = render_tree(plan)
    raw = ast.get_docstring(tree, clean=False)
    assert raw is not None and text in raw  # the module docstring is not indented
    assert inspect.cleandoc(raw) == ast.get_docstring(tree)
    return tree


def check_stub(text, plan, position):
    source, tree = render_tree(plan)
    function = function_named(tree, plan.stubs[0].function)
    assert returned_call(function, "ruby_condition")[position] == text
    # the Ruby condition is shown as an indented block (every line of it), the place as is
    shown = indent_lines(text, 4, first=True) if position == 0 else text
    assert shown in docstring_text(source, function)
    return tree


def check_ruby_perform(text, plan):
    source, tree = render_tree(plan)
    function = function_named(tree, plan.tasks[0].function)
    assert returned_call(function, "not_ported")[1] == plan.tasks[0].source
    assert f":\n\n{text}\n\nUntil then" in docstring_text(source, function)
    return tree


def check_not_run(text, plan):
    source, tree = render_tree(plan)
    function = function_named(tree, plan.tasks[0].function)
    assert returned_call(function, "orchestration_step") == [plan.tasks[0].worker]
    listed = indent_lines(text, 4, first=True)
    assert f"does NOT run (B2F206):\n\n{listed}\n\nUntil that Ruby" in docstring_text(source, function)
    return tree


def check_source(text, plan):
    source, tree = render_tree(plan)
    function = function_named(tree, plan.tasks[0].function)
    if plan.tasks[0].ruby_perform is not None:
        assert returned_call(function, "not_ported")[1] == text
    assert text in docstring_text(source, function)
    return tree


PLACEMENTS = {
    "TaskPlan.worker": (lambda t: flow_plan(tasks=(task_plan(worker=t),)), check_worker),
    "TaskPlan.worker (orchestration)": (
        lambda t: flow_plan(tasks=(task_plan(worker=t, orchestration=True),)), check_worker),
    "TaskPlan.worker (stub)": (
        lambda t: flow_plan(tasks=(task_plan(worker=t, ruby_perform="def perform\nend"),)), check_worker),
    "FlowPlan.description": (lambda t: flow_plan(description=t), check_description),
    "FlowPlan.starter": (lambda t: flow_plan(starter=t), check_module_docstring),
    "FlowPlan.entry": (lambda t: flow_plan(entry=t), check_module_docstring),
    "ConditionStub.ruby": (lambda t: flow_plan(stubs=(stub_plan(ruby=t),)),
                           lambda t, p: check_stub(t, p, 0)),
    "ConditionStub.where": (lambda t: flow_plan(stubs=(stub_plan(where=t),)),
                            lambda t, p: check_stub(t, p, 1)),
    "TaskPlan.ruby_perform": (lambda t: flow_plan(tasks=(task_plan(ruby_perform=t),)), check_ruby_perform),
    "TaskPlan.not_run": (lambda t: flow_plan(tasks=(task_plan(orchestration=True, not_run=t),)),
                         check_not_run),
    "TaskPlan.source (bridge)": (lambda t: flow_plan(tasks=(task_plan(source=t),)), check_source),
    "TaskPlan.source (stub)": (
        lambda t: flow_plan(tasks=(task_plan(source=t, ruby_perform="def perform\nend"),)), check_source),
}


@pytest.mark.parametrize("text", RUBY_TEXTS.values(), ids=RUBY_TEXTS.keys())
@pytest.mark.parametrize("placement", PLACEMENTS.keys())
def test_ruby_text_comes_through_as_the_same_value_and_never_as_code(placement, text):
    build, check = PLACEMENTS[placement]
    tree = check(text, build(text))
    assert_no_injected_code(tree)


@pytest.mark.parametrize("text", RUBY_TEXTS.values(), ids=RUBY_TEXTS.keys())
def test_ruby_text_in_comments_stays_in_the_comment(text):
    plan = flow_plan(body=(Comment(text), Line("x = 1", text), Guard("x", (Line("pass"),), text),
                           Line("return []")))
    _, tree = render_tree(plan)
    flow = function_named(tree, plan.function)
    assert [ast.unparse(n) for n in flow.body] == ["x = 1", "if x:\n    pass", "return []"]
    assert_no_injected_code(tree)


def test_a_callback_block_is_a_nested_function_the_run_starts():
    block = CallbackBlock("on_success_b2", ("on_complete_b3", "on_death_b4"), (Line("x = 1"),),
                          "Steps#'done'", "b2", "success")
    plan = flow_plan(body=(block, CallbackBlock("on_complete_b5", (), ()), Line("return []")))
    _, tree = render_tree(plan)
    flow = function_named(tree, plan.function)
    first, empty = flow.body[0], flow.body[1]
    assert isinstance(first, ast.FunctionDef) and isinstance(empty, ast.FunctionDef)
    assert [ast.unparse(d) for d in first.decorator_list] == [
        "run.callback(after=['on_complete_b3', 'on_death_b4'], target=\"Steps#'done'\", batch=b2, "
        "on='success')"]
    assert [ast.unparse(n) for n in first.body] == ["x = 1"]
    assert [ast.unparse(d) for d in empty.decorator_list] == ["run.callback()"]
    assert [ast.unparse(n) for n in empty.body] == ["pass"]


# the lines `str.splitlines` (and so jinja's `indent`) breaks at, besides "\n" and "\r"
LINE_SEPARATORS = {"vertical tab": "\x0b", "form feed": "\x0c", "file separator": "\x1c",
                   "group separator": "\x1d", "record separator": "\x1e", "next line": "\x85",
                   "line separator": "\u2028", "paragraph separator": "\u2029"}


@pytest.mark.parametrize("separator", LINE_SEPARATORS.values(), ids=LINE_SEPARATORS.keys())
@pytest.mark.parametrize("placement", ["TaskPlan.ruby_perform", "ConditionStub.ruby"])
def test_line_separators_in_ruby_survive_the_docstring(placement, separator):
    text = f"def perform\n  page_one{separator}page_two\nend"
    build, check = PLACEMENTS[placement]
    check(text, build(text))


@pytest.mark.parametrize("separator", LINE_SEPARATORS.values(), ids=LINE_SEPARATORS.keys())
@pytest.mark.parametrize("placement", ["FlowPlan.description", "FlowPlan.starter", "FlowPlan.entry"])
def test_line_separators_survive_where_the_template_does_not_indent(placement, separator):
    text = f"page_one{separator}page_two"
    build, check = PLACEMENTS[placement]
    check(text, build(text))


@pytest.mark.parametrize("build", [
    lambda: flow_plan(tasks=(task_plan(ruby_perform="def perform\n  x = '\x00'\nend"),)),
    lambda: flow_plan(stubs=(stub_plan(ruby="name == '\x00'"),)),
    lambda: flow_plan(body=(Comment("target '\x00'"), Line("return []"))),
], ids=["TaskPlan.ruby_perform", "ConditionStub.ruby", "Comment.text"])
def test_nul_in_ruby_text_still_renders(build):
    render_tree(build())


#: any text at all: NUL and the line separators above included
safe_text = st.text(st.characters(codec="utf-8"))


@given(description=st.text(), starter=safe_text, ruby=safe_text, perform=safe_text, worker=safe_text)
def test_any_text_renders_to_the_same_values(description, starter, ruby, perform, worker):
    plan = flow_plan(description=description, starter=starter, stubs=(stub_plan(ruby=ruby, where=worker),),
                     tasks=(task_plan(worker=worker, ruby_perform=perform, source=worker),))
    check_description(description, plan)
    check_module_docstring(starter, plan)
    check_stub(ruby, plan, 0)
    check_stub(worker, plan, 1)
    check_ruby_perform(perform, plan)
    tree = check_worker(worker, plan)
    assert_no_injected_code(tree)


# --- the filters --------------------------------------------------------------------------

python_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text() | st.integers(), inner, max_size=4),
    max_leaves=20,
)


@given(python_values)
def test_to_python_round_trips_through_literal_eval(value):
    literal = to_python(value)
    assert ast.literal_eval(literal) == value
    assert len(ast.parse(f"x = {literal}").body) == 1


def test_to_python_turns_tuples_into_lists_and_refuses_other_objects():
    assert ast.literal_eval(to_python(("a", 1))) == ["a", 1]
    with pytest.raises(TypeError):
        to_python(object())


@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00")))
def test_to_docstring_is_a_literal_of_the_text(text):
    literal = to_docstring(text)
    assert ast.literal_eval(literal) == text
    tree = ast.parse(f"def f():\n    {literal}\n")
    assert ast.get_docstring(tree.body[0], clean=False) == text


def test_to_docstring_of_a_nul_is_a_literal():
    assert ast.literal_eval(to_docstring("a\x00b")) == "a\x00b"


@pytest.mark.parametrize("text", ["plain", "two\nlines", 'a """ b', "back\\slash", 'ends "', "cr\r"])
def test_to_docstring_uses_triple_quotes_only_when_safe(text):
    literal = to_docstring(text)
    assert literal.startswith('"""') == (text in {"plain", "two\nlines"})
    assert ast.literal_eval(literal) == text


@given(st.text())
def test_to_var_is_an_identifier_and_not_a_keyword(name):
    var = to_var(name)
    assert var.isidentifier()
    assert not keyword.iskeyword(var) and not keyword.issoftkeyword(var)


@pytest.mark.parametrize(("ruby", "python"), [
    ("Billing::ChargeWorker", "billing_charge_worker"),
    ("HTMLParser", "html_parser"),
    ("class", "class_"),
    ("match", "match_"),
    ("flow", "flow_"),
    ("3rd", "_3rd"),
    ("", "value"),
    ("日本語", "value"),
])
def test_to_var_examples(ruby, python):
    assert to_var(ruby) == python


@given(st.text())
def test_to_comment_never_holds_a_line_break(text):
    comment = to_comment(text)
    assert "\n" not in comment and "\r" not in comment
    assert len(comment.splitlines()) <= 1


@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00")))
def test_to_comment_stays_a_comment(text):
    tree = ast.parse(f"x = 1  # {to_comment(text)}\n")
    assert [ast.unparse(n) for n in tree.body] == ["x = 1"]
