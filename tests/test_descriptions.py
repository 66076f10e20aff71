"""Batch descriptions: Ruby text with `#{...}` becomes the Python value Ruby would compute,
or no description with the Ruby in a comment; never the raw `#{...}` as the value."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess

import pytest
from ruby_snippets import starter

from batch2flow.codegen.ruby_expr import Scope
from batch2flow.codegen.ruby_text import translate_text
from batch2flow.convert import convert
from batch2flow.runtime import ruby_to_s

RUBY = shutil.which("ruby")
SCOPE = Scope(names={"id": "run_id", "n": "3", "name": "'ann'", "flag": "True", "x": "x"})
#: what a translated description may call, and the values of the names in SCOPE
NAMESPACE = {"__builtins__": {"str": str}, "ruby_to_s": ruby_to_s, "run_id": 42, "x": None}

TRANSLATED = {
    # Ruby -> the text Ruby makes, with id = 42, n = 3, name = "ann", flag = true, x = nil
    "plain": ('"Nightly run"', "Nightly run"),
    "value_only_the_run_knows": ('"Run #{id}"', "Run 42"),
    "nil_is_empty": ('"[#{x}]"', "[]"),
    "integer_digits": ('"#{n} of #{n + 1}"', "3 of 4"),
    "string_as_is": ('"for #{name}!"', "for ann!"),
    "boolean": ('"deep=#{flag}"', "deep=true"),
    "literal_inside": ('"a #{"b"} c"', "a b c"),
    "empty_interpolation": ('"a#{}b"', "ab"),
    "nil_literal": ('"a#{nil}b"', "ab"),
    "only_interpolation": ('"#{id}"', "42"),
    "escaped_interpolation": ('"\\#{id} is #{id}"', "#{id} is 42"),
    "single_quotes_do_not_interpolate": ("'Run #{id}'", "Run #{id}"),
    "quotes_and_backslashes": ('"it\'s \\"#{name}\\" \\\\ #{id}"', 'it\'s "ann" \\ 42'),
    "python_in_the_text": ('"\'); import os #{id} \\\\"', "'); import os 42 \\"),
    "adjacent_literals": ('"a #{id}" \' b\'', "a 42 b"),
    "not_a_string": ("id", "42"),
}


@pytest.mark.parametrize(("ruby", "text"), TRANSLATED.values(), ids=TRANSLATED.keys())
def test_interpolated_text_is_computed_as_ruby_does_fixes(ruby: str, text: str) -> None:
    python, _notes = translate_text(ruby, SCOPE)
    assert python is not None
    tree = ast.parse(python, mode="eval")
    # built from repr'd literals, translated names and the ruby_to_s/str calls only
    calls = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert calls <= {"ruby_to_s", "str"}
    assert eval(compile(tree, "<description>", "eval"), dict(NAMESPACE)) == text


NOT_TRANSLATED = {
    "instance_variable": ('"Payouts for #{@payout_date}"', "`@payout_date` is not translated"),
    "unknown_name": ('"Sync #{kind}"', "`kind` is not a name known here"),
    "method_call": ('"Run #{id.succ}"', "method `succ` is not translated"),
    "two_statements": ('"#{id; n}"', "several statements"),
}


@pytest.mark.parametrize(("ruby", "why"), NOT_TRANSLATED.values(), ids=NOT_TRANSLATED.keys())
def test_untranslatable_interpolation_is_refused_noop(ruby: str, why: str) -> None:
    python, notes = translate_text(ruby, SCOPE)
    assert python is None
    assert why in " ".join(notes)


VALUES = [None, True, False, 0, -7, 12345678901234567890, 2.5, -0.0, 1e15, 1e16, 123456789012345.0,
          1e-4, 1e-5, 1.5e-7, 0.1 + 0.2, 1 / 3, 1e100, "", "plain", 'q"uo\\te', "tab\tnew\nline",
          "\x01\x1b\x7f", "#{x} #$y #@z #a", "é 日本 😀", [], [1, "a", None, True, 2.5, [False]],
          {"k": [1, {"n": None}]}, {}]


@pytest.mark.skipif(RUBY is None, reason="needs a Ruby interpreter")
def test_ruby_to_s_writes_values_as_ruby_does() -> None:
    program = "require 'json'; STDIN.each_line { |l| puts JSON.generate([\"#{JSON.parse(l)[0]}\"]) }"
    lines = "".join(json.dumps([value]) + "\n" for value in VALUES)
    assert RUBY is not None
    out = subprocess.run([RUBY, "-e", program], input=lines, capture_output=True, text=True,
                         encoding="utf-8", check=True).stdout
    ruby = [json.loads(line)[0] for line in out.splitlines()]
    assert [ruby_to_s(value) for value in VALUES] == ruby


# --- in the flow ---------------------------------------------------------------------------

FLOW = """
class Flow
  def self.start(source_id)
    b = Sidekiq::Batch.new
    b.description = {description}
    b.jobs {{ A.perform_async(source_id) }}
  end
end
"""


def flow_source(tmp_path, description: str):
    files = {**starter(""), "app/services/flow.rb": FLOW.format(description=description)}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    conversion = convert([str(tmp_path)], tasks="translated")
    [plan] = conversion.plans
    return conversion.files["flows/flow.py"], plan


def batch_line(source: str) -> str:
    return next(line.strip() for line in source.splitlines() if "run.batch(" in line)


def test_a_translatable_description_is_a_python_value(tmp_path):
    source, plan = flow_source(tmp_path, '"Data pipeline #{source_id}: \'#{}\'"')
    expected = "b1 = run.batch('Data pipeline ' + ruby_to_s(source_id) + \": ''\")  #"
    assert batch_line(source).startswith(expected)
    assert "#{" not in source
    assert plan.diagnostics == ()


def test_an_untranslatable_description_is_none_with_the_ruby_beside_it(tmp_path):
    source, plan = flow_source(tmp_path, '"Data pipeline #{@source.name}"')
    assert batch_line(source) == ('b1 = run.batch(None)  # batch b1, app/services/flow.rb:4; '
                                  'description not translated: "Data pipeline #{@source.name}"')
    [problem] = plan.diagnostics
    assert (problem.code, problem.line) == ("B2F208", 4)
    assert "(`@source` is not translated)" in problem.message
    # the batch counts with the jobs, and it is not converted whole: the job is
    assert (plan.found, plan.converted) == (2, 1)
