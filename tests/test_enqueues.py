"""Enqueue forms, fan-out loops and conditions inside jobs blocks."""

from __future__ import annotations

import pytest
from conftest import only_workflow
from ruby_snippets import starter


def jobs_block(inner: str) -> str:
    return f"b = Sidekiq::Batch.new\nb.jobs do\n{inner}\nend"


ENQUEUES = {
    "perform_async": ("A.perform_async(1)", "perform_async"),
    "perform_in": ("A.perform_in(5.minutes, 1)", "perform_in"),
    "perform_at": ("A.perform_at(1.hour.from_now, 1)", "perform_at"),
    "set_perform_async": ("A.set(queue: :low).perform_async(1)", "perform_async"),
    "perform_later": ("A.perform_later(1)", "perform_later"),
    "set_wait_perform_later": ("A.set(wait: 5.minutes).perform_later(1)", "perform_later"),
    "client_push": ("Sidekiq::Client.push('class' => A, 'args' => [1])", "push"),
    "client_push_string": ("Sidekiq::Client.push('class' => 'A', 'args' => [1])", "push"),
    "send_literal": ("A.send(:perform_async, 1)", "perform_async"),
}


@pytest.mark.parametrize(("code", "via"), ENQUEUES.values(), ids=ENQUEUES.keys())
def test_enqueue_forms_fixes(ruby_tree, code, via):
    workflow = only_workflow(ruby_tree(starter(jobs_block(code))))
    [job] = workflow.jobs
    assert (job.worker, job.via, job.fan_out, job.batch) == ("A", via, False, "b1")


NOT_ENQUEUES = {
    "perform_now": "A.perform_now(1)",
    "inline_perform": "A.new.perform(1)",
    "other_method": "A.schedule(1)",
}


@pytest.mark.parametrize("code", NOT_ENQUEUES.values(), ids=NOT_ENQUEUES.keys())
def test_enqueue_forms_noop(ruby_tree, code):
    assert only_workflow(ruby_tree(starter(jobs_block(code)))).jobs == ()


FAN_OUTS = {
    "each": "users.each { |u| A.perform_async(u.id) }",
    "find_each": "User.find_each do |u|\n  A.perform_async(u.id)\nend",
    "find_in_batches": "User.find_in_batches { |group| A.perform_async(group.map(&:id)) }",
    "each_slice": "ids.each_slice(100) { |slice| A.perform_async(slice) }",
    "times": "3.times { |i| A.perform_async(i) }",
    "map": "ids.map { |id| A.perform_async(id) }",
    "each_with_index": "ids.each_with_index { |id, i| A.perform_async(id, i) }",
    "perform_bulk": "A.perform_bulk(ids.map { |id| [id] })",
    "push_bulk": "Sidekiq::Client.push_bulk('class' => A, 'args' => ids.map { |i| [i] })",
    "for_loop": "for id in ids\n  A.perform_async(id)\nend",
}


@pytest.mark.parametrize("code", FAN_OUTS.values(), ids=FAN_OUTS.keys())
def test_fan_out_fixes(ruby_tree, code):
    [job] = only_workflow(ruby_tree(starter(jobs_block(code)))).jobs
    assert job.worker == "A" and job.fan_out


@pytest.mark.parametrize("code", ["A.perform_async(ids)", "ids.first.tap { A.perform_async }"])
def test_fan_out_noop(ruby_tree, code):
    [job] = only_workflow(ruby_tree(starter(jobs_block(code)))).jobs
    assert not job.fan_out


CONDITIONS = {
    "if": ("if user.admin?\n  A.perform_async\nend", "user.admin?"),
    "unless": ("unless user.admin?\n  A.perform_async\nend", "!(user.admin?)"),
    "modifier_if": ("A.perform_async if force", "force"),
    "modifier_unless": ("A.perform_async unless dry_run", "!(dry_run)"),
    "else": ("if x\n  B.perform_async\nelse\n  A.perform_async\nend", "!(x)"),
    "elsif": ("if x\n  B.perform_async\nelsif y\n  A.perform_async\nend", "!(x) && y"),
    "case": ("case kind\nwhen :full, :delta\n  A.perform_async\nend", "[:full, :delta].include?(kind)"),
    "case_else": ("case kind\nwhen :full\n  B.perform_async\nelse\n  A.perform_async\nend",
                  "!([:full].include?(kind))"),
    "ternary": ("x ? A.perform_async : B.perform_async", "x"),
    "and": ("ready? && A.perform_async", "ready?"),
    "early_return": ("return if skip?\nA.perform_async", "!(skip?)"),
    "early_return_block": ("if skip?\n  return\nend\nA.perform_async", "!(skip?)"),
    # conditions are joined with `&&`: a looser one keeps its parentheses
    "nested_or": ("if x || y\n  A.perform_async if z\nend", "(x || y) && z"),
    "nested_or_keyword": ("if x or y\n  A.perform_async unless z\nend", "(x or y) && !(z)"),
    "nested_and": ("if x && y\n  A.perform_async if z\nend", "x && y && z"),
    "nested_comparison": ("if x == 1\n  A.perform_async if z\nend", "x == 1 && z"),
    # an `||` under another condition stays one operand of the `&&` that joins them
    "or_under_a_condition": ("return unless a || b\nA.perform_async if c", "(a || b) && c"),
    "or_over_a_condition": ("if c\n  A.perform_async if a or b\nend", "c && (a or b)"),
    "and_under_a_condition": ("return unless a && b\nA.perform_async if c || d", "a && b && (c || d)"),
    "grouped_or_under_a_condition": ("return unless !(a || b)\nA.perform_async if c", "!(a || b) && c"),
    "or_in_a_string_under_a_condition": ("return unless x == '||'\nA.perform_async if c", "x == '||' && c"),
}


@pytest.mark.parametrize(("code", "condition"), CONDITIONS.values(), ids=CONDITIONS.keys())
def test_conditions_fixes(ruby_tree, code, condition):
    workflow = only_workflow(ruby_tree(starter(jobs_block(code))))
    [job] = [j for j in workflow.jobs if j.worker == "A"]
    assert job.condition == condition


@pytest.mark.parametrize("code", ["A.perform_async", "x = 1 if y\nA.perform_async",
                                  "log('x') unless quiet\nA.perform_async"])
def test_conditions_noop(ruby_tree, code):
    [job] = only_workflow(ruby_tree(starter(jobs_block(code)))).jobs
    assert job.condition is None


def test_early_return_stops_reading(ruby_tree):
    workflow = only_workflow(ruby_tree(starter(jobs_block("A.perform_async\nreturn\nB.perform_async"))))
    assert [j.worker for j in workflow.jobs] == ["A"]


def test_condition_reaches_callback_edge(ruby_tree):
    body = "b = Sidekiq::Batch.new\nb.on(:success, 'Cb#done')\nb.jobs { A.perform_async }"
    callbacks = ("class Cb\n  def done(status, options)\n    return if status.failures > 0\n"
                 "    B.perform_async\n  end\nend\n")
    workflow = only_workflow(ruby_tree(starter(body, callbacks)))
    [edge] = [e for e in workflow.edges if e.target == "j2"]
    assert edge.condition == "!(status.failures > 0)"


@pytest.mark.parametrize(("code", "delay"), [("A.perform_in(5.minutes, 1)", "5.minutes"),
                                             ("A.perform_at(run_at, 1)", "run_at"),
                                             ("A.perform_async(1)", None)])
def test_scheduled_enqueue_keeps_delay_apart_from_args(ruby_tree, code, delay):
    [job] = only_workflow(ruby_tree(starter(jobs_block(code)))).jobs
    assert (job.args, job.delay) == (("1",), delay)


def _flow_source(tmp_path, files: dict[str, str]) -> str:
    from batch2flow.convert import convert

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    files = convert([str(tmp_path)], tasks="translated").files
    [source] = [text for name, text in files.items() if name.startswith("flows/")]
    return source


def _spawning_flow(tmp_path, enqueue: str, spawn: str) -> list[str]:
    files = {
        "app/services/flow.rb": f"class Flow\n  def call(flag)\n    b = Sidekiq::Batch.new\n"
                                f"    b.jobs do\n      {enqueue}\n    end\n  end\nend\n",
        "app/workers.rb": f"class A\n  include Sidekiq::Job\n  def perform(*args)\n    {spawn}\n  end\nend\n"
                          "class B\n  include Sidekiq::Job\n  def perform(*args); end\nend\n",
    }
    return [line.split("#")[0].strip() for line in _flow_source(tmp_path, files).splitlines()
            if line.strip().startswith("if ")]


def test_what_a_conditional_job_sets_off_is_guarded_by_its_condition_fixes(tmp_path):
    # the perform cannot read `flag`: B sits inside A's `if flag`, under a stub of its own
    flag = "(flag is not None and flag is not False)"
    assert _spawning_flow(tmp_path, "A.perform_async(1) if flag", "B.perform_async if args.empty?") == [
        f"if {flag}:", "if condition_j2():"]
    # with no condition of its own, B goes under A's very guard
    assert _spawning_flow(tmp_path, "A.perform_async(1) if flag", "B.perform_async") == [f"if {flag}:"]


def test_what_an_unconditional_job_sets_off_keeps_its_own_condition_noop(tmp_path):
    assert _spawning_flow(tmp_path, "A.perform_async(1)", "B.perform_async if args.empty?") == [
        "if condition_j2():"]


@pytest.mark.parametrize(("code", "args"), [
    ("Sidekiq::Client.push('class' => A, 'args' => [1, x])", ("1", "x")),
    ("Sidekiq::Client.push('class' => A, 'args' => [])", ()),
], ids=["two", "none"])
def test_client_push_args_are_the_job_arguments_fixes(ruby_tree, code, args):
    [job] = only_workflow(ruby_tree(starter(jobs_block(code)))).jobs
    assert job.args == args


def test_client_push_bulk_args_stay_the_rows_noop(ruby_tree):
    code = "Sidekiq::Client.push_bulk('class' => A, 'args' => [[1], [2]])"
    [job] = only_workflow(ruby_tree(starter(jobs_block(code)))).jobs
    assert job.args == ("[[1], [2]]",)


def _nested_callback_flow(tmp_path, guard: str) -> str:
    callbacks = (
        "class Cb\n  def outer(status, options)\n"
        f"    return unless {guard}\n"
        "    inner = Sidekiq::Batch.new\n    inner.on(:complete, 'Cb#inner')\n"
        "    inner.jobs { B.perform_async }\n  end\n\n"
        "  def inner(status, options)\n    C.perform_async if status.failures.zero?\n  end\nend\n"
    )
    body = "b = Sidekiq::Batch.new\nb.on(:complete, 'Cb#outer', 'k' => 1)\nb.jobs { A.perform_async }"
    return _flow_source(tmp_path, starter(body, callbacks))


def test_a_callback_registered_under_an_or_reads_only_its_own_condition_fixes(tmp_path):
    # the guard of `outer` is grouped in what `inner`'s job sits under, and still stripped
    source = _nested_callback_flow(tmp_path, "status.failures > 0 || options['k'] == 1")
    assert "def condition_" not in source
    assert "== 0):  # status.failures.zero?" in source


def test_a_callback_registered_under_one_test_reads_only_its_own_condition_noop(tmp_path):
    source = _nested_callback_flow(tmp_path, "status.failures > 0")
    assert "def condition_" not in source
    assert "== 0):  # status.failures.zero?" in source


def test_a_call_over_several_lines_is_where_ruby_says_it_is(ruby_tree):
    """Ruby's backtrace names the line of the method name (the bridge's recorder reports
    that line, and the flow matches it): the graph keeps the same line for the job, the
    callback and the batch, not the line their expression starts on."""
    graph = ruby_tree({"app/workers/w.rb": (
        "class W\n  include Sidekiq::Worker\n  def perform(*a); end\nend\n"
        "class Starter\n  def self.start\n"
        "    batch = Sidekiq::Batch\n      .new\n"                                  # 7-8
        "    batch\n      .on(:success, 'Starter#done')\n"                         # 9-10
        "    batch.jobs do\n"
        "      W\n        .set(queue: 'x')\n        .perform_async(3)\n"           # 12-14
        "      W.perform_async(\n        1\n      )\n"                             # 15-17
        "    end\n  end\n  def done(s, o); end\nend\n")})
    workflow = only_workflow(graph)
    assert [job.span.line for job in workflow.jobs] == [14, 15]
    assert [cb.span.line for cb in workflow.callbacks] == [10]
    assert [batch.span.line for batch in workflow.batches] == [8]
