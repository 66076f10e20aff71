"""Ruby expressions to Python: exact translations, refusals, and values that survive the trip.

A refusal (None) is always acceptable; a translation that gives another value than Ruby is not.
Expected values are what Ruby gives; `test_strings_match_real_ruby` checks the string corpus
against a Ruby interpreter when one is installed.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batch2flow.codegen.ruby_expr import (
    Scope,
    translate,
    translate_condition,
    translate_items,
    translate_with_notes,
)

SCOPE = Scope(
    names={"n": "n", "ids": "ids", "x": "x", "a": "a", "b": "b", "c": "c", "count": "42",
           "pair": "[1, 2]", "big": "a > 1", "user_id": "params['user_id']"},
    status="status_cb",
    options={"kind": "'full'", "ids": "ids", "limit": "-3"},
)


def ruby_eval(ruby: str, **env: Any) -> Any:
    """Translate and evaluate without builtins other than those a translation may call."""
    python = translate(ruby, SCOPE if not env.pop("_bare", False) else Scope(names={k: k for k in env}))
    assert python is not None, ruby
    builtins = {"len": len, "str": str, "int": int, "any": any, "range": range}
    return eval(python, {"__builtins__": builtins}, env)


# ---- exact translations --------------------------------------------------------------------

TRANSLATES = [
    # literals
    pytest.param("42", "42", id="integer"),
    pytest.param("1_000", "1000", id="integer-underscores"),
    pytest.param("-5", "-5", id="integer-negative"),
    pytest.param("0x1F", "31", id="integer-hex"),
    pytest.param("017", "15", id="integer-octal-leading-zero"),
    pytest.param("0b101", "5", id="integer-binary"),
    pytest.param("2.5", "2.5", id="float"),
    pytest.param("-1.5e3", "-1500.0", id="float-negative-exponent"),
    pytest.param("'abc'", "'abc'", id="string-single"),
    pytest.param('"a\\nb"', "'a\\nb'", id="string-double-escape"),
    pytest.param("'a\\nb'", "'a\\\\nb'", id="string-single-keeps-backslash"),
    pytest.param("'it''s'", "'its'", id="string-adjacent-literals"),
    pytest.param(":done", "'done'", id="symbol"),
    pytest.param(':"a b"', "'a b'", id="symbol-quoted"),
    pytest.param("true", "True", id="true"),
    pytest.param("false", "False", id="false"),
    pytest.param("nil", "None", id="nil"),
    pytest.param("[1, 'a', nil]", "[1, 'a', None]", id="array"),
    pytest.param("[[1], []]", "[[1], []]", id="array-nested"),
    pytest.param("%w[a b]", "['a', 'b']", id="word-array"),
    pytest.param("%i[a b]", "['a', 'b']", id="symbol-array"),
    pytest.param("{a: 1, 'b' => :c, :d => [n]}", "{'a': 1, 'b': 'c', 'd': [n]}", id="hash-string-keys"),
    pytest.param('{"e f": {g: nil}}', "{'e f': {'g': None}}", id="hash-nested"),
    # names
    pytest.param("n", "n", id="name"),
    pytest.param("count", "42", id="name-literal-value"),
    pytest.param("big", "(a > 1)", id="name-parenthesised"),
    pytest.param("user_id", "params['user_id']", id="name-subscript-stays-atom"),
    pytest.param("[n, x]", "[n, x]", id="names-in-array"),
    # callback status and options
    pytest.param("status.failures", "status_cb.failures", id="status-failures"),
    pytest.param("status.total", "status_cb.total", id="status-total"),
    pytest.param("status.pending", "status_cb.pending", id="status-pending"),
    pytest.param("status.failures.zero?", "(status_cb.failures == 0)", id="status-zero"),
    pytest.param("options['kind']", "'full'", id="option-index"),
    pytest.param('options["ids"]', "ids", id="option-double-quoted-key"),
    pytest.param("options.fetch('kind')", "'full'", id="option-fetch"),
    pytest.param("options['limit']", "(-3)", id="option-negative-value"),
    pytest.param("options[:kind]", "None", id="option-symbol-key-is-nil"),
    # operators
    pytest.param("n == 1", "(n == 1)", id="eq"),
    pytest.param("n != 'a'", "(n != 'a')", id="ne"),
    pytest.param("n < 1", "(n < 1)", id="lt"),
    pytest.param("n >= 1.5", "(n >= 1.5)", id="ge"),
    pytest.param("x == nil", "(x is None)", id="eq-nil-is-none"),
    pytest.param("nil != x", "(x is not None)", id="ne-nil"),
    pytest.param("x == true", "(x is True)", id="eq-true-is-identity"),
    pytest.param("n > 0 && x < 2", "((n > 0) and (x < 2))", id="and-booleans"),
    pytest.param("n > 0 and x < 2", "((n > 0) and (x < 2))", id="and-keyword"),
    pytest.param("n > 0 || x.nil?", "((n > 0) or (x is None))", id="or-booleans"),
    pytest.param("!(n > 0)", "(not (n > 0))", id="not-boolean"),
    pytest.param("not n > 0", "(not (n > 0))", id="not-keyword"),
    pytest.param("!x", "(x is None or x is False)", id="not-ruby-truth"),
    pytest.param("a && b", "(b if (a is not None and a is not False) else a)", id="and-ruby-truth"),
    pytest.param("a || 'none'", "(a if (a is not None and a is not False) else 'none')", id="or-default"),
    pytest.param("n > 1 ? 'many' : 'one'", "('many' if (n > 1) else 'one')", id="ternary"),
    pytest.param("-n", "(-n)", id="unary-minus"),
    pytest.param("n - -2", "(n - -2)", id="minus-negative-literal"),
    pytest.param("n + 1", "(n + 1)", id="plus"),
    pytest.param("(n + 1) * 2", "((n + 1) * 2)", id="parentheses-kept"),
    pytest.param("n + 1 * 2", "(n + (1 * 2))", id="precedence-from-tree"),
    pytest.param("'a' + 'b'", "('a' + 'b')", id="string-concat"),
    pytest.param("'ab' * 3", "('ab' * 3)", id="string-repeat"),
    pytest.param("[1] + ids", "([1] + ids)", id="array-concat"),
    pytest.param("2 * x", "(2 * x)", id="times-unknown"),  # Ruby raises where x is not a number
    # predicates and methods
    pytest.param("n.zero?", "(n == 0)", id="zero"),
    pytest.param("n.positive?", "(n > 0)", id="positive"),
    pytest.param("n.negative?", "(n < 0)", id="negative"),
    pytest.param("x.nil?", "(x is None)", id="nil-predicate"),
    pytest.param("ids.empty?", "(len(ids) == 0)", id="empty"),
    pytest.param("ids.any?", "any(_item is not None and _item is not False for _item in ids)",
                 id="any-array"),
    pytest.param("{a: 1}.any?", "(len({'a': 1}) > 0)", id="any-hash"),
    pytest.param("ids.size", "len(ids)", id="size"),
    pytest.param("ids.length", "len(ids)", id="length"),
    pytest.param("ids.count", "len(ids)", id="count"),
    pytest.param("(ids + [1]).size", "len(ids + [1])", id="len-unwraps-argument"),
    pytest.param("count.to_s", "str(42)", id="to-s-integer"),
    pytest.param("status.failures.to_s", "str(status_cb.failures)", id="to-s-status"),
    pytest.param("2.5.to_i", "int(2.5)", id="to-i-float"),
    pytest.param("[1, 2].include?(n)", "(n in [1, 2])", id="include-array-literal"),
    pytest.param("ids.include? n", "(n in ids)", id="include-name"),
    pytest.param("'abc'.include?(x)", "(x in 'abc')", id="include-substring"),
]


@pytest.mark.parametrize(("ruby", "python"), TRANSLATES)
def test_translates(ruby: str, python: str) -> None:
    assert translate(ruby, SCOPE) == python


REFUSES = [
    # not one expression
    pytest.param("", id="empty"),
    pytest.param("1; 2", id="two-statements"),
    pytest.param("n +", id="syntax-error"),
    pytest.param("x = 1", id="assignment"),
    pytest.param("n if x", id="modifier-if"),
    pytest.param("(n; x)", id="parenthesised-statements"),
    # names we do not know
    pytest.param("foo", id="unknown-name"),
    pytest.param("User", id="constant"),
    pytest.param("Foo::Bar", id="constant-path"),
    pytest.param("@ivar", id="instance-variable"),
    pytest.param("$global", id="global"),
    pytest.param("self", id="self"),
    pytest.param("foo(1)", id="bare-call"),
    pytest.param("__import__('os')", id="python-builtin-call"),
    pytest.param("n.abs", id="unknown-method"),
    pytest.param("ids.any? { |i| i > 1 }", id="method-with-block"),
    pytest.param("ids.map(&:to_s)", id="block-argument"),
    pytest.param("n&.zero?", id="safe-navigation"),
    pytest.param("ids[0]", id="index-nil-vs-raise"),
    pytest.param("[*ids]", id="splat"),
    pytest.param("{**h}", id="hash-splat"),
    pytest.param("{1 => 2}", id="hash-integer-key"),
    # literals we do not trust
    pytest.param('"a#{n}"', id="interpolation"),
    pytest.param('"a#@x"', id="interpolation-ivar"),
    pytest.param('"\\xff"', id="binary-byte-escape"),
    pytest.param('"\\M-a"', id="meta-escape"),
    pytest.param('"\\uD800"', id="surrogate-escape"),
    pytest.param("%q(a)", id="percent-q-string"),
    pytest.param("%W[a #{n}]", id="interpolating-word-array"),
    pytest.param("?a", id="character-literal"),
    pytest.param("1r", id="rational"),
    pytest.param("1..2", id="range"),
    # status and options
    pytest.param("status", id="status-object"),
    pytest.param("status.bid", id="status-other-method"),
    pytest.param("status.failures(1)", id="status-with-argument"),
    pytest.param("options", id="options-object"),
    pytest.param("options['unknown']", id="option-unknown"),
    pytest.param("options.fetch(:kind)", id="option-fetch-symbol-raises"),
    pytest.param("options.fetch('kind', 1)", id="option-fetch-default"),
    pytest.param("options[n]", id="option-dynamic-key"),
    # operators whose Python meaning differs
    pytest.param("n / 2", id="division"),
    pytest.param("n % 2", id="modulo"),
    pytest.param("n ** 2", id="power"),
    pytest.param("n <=> 1", id="spaceship"),
    pytest.param("n =~ /a/", id="match"),
    pytest.param("x == :done", id="compare-symbol"),
    pytest.param("%i[a b].include?(x)", id="include-symbol"),
    pytest.param("(n > 1) == 1", id="compare-boolean-number"),
    pytest.param("ids - ids", id="array-difference"),
    pytest.param("ids * ','", id="array-join"),
    pytest.param("'a' * 2.5", id="string-times-float"),
    pytest.param("'a' + 1", id="string-plus-number"),
    pytest.param("true < false", id="order-booleans"),
    pytest.param("-'a'", id="minus-string"),
    # methods whose Python meaning differs
    pytest.param("x.to_s", id="to-s-unknown"),
    pytest.param("nil.to_s", id="to-s-nil"),
    pytest.param("1.5.to_s", id="to-s-float"),
    pytest.param("x.to_i", id="to-i-unknown"),
    pytest.param("'12abc'.to_i", id="to-i-string"),
    pytest.param("'abc'.count", id="string-count-needs-argument"),
    pytest.param("5.size", id="integer-size"),
    pytest.param("'abc'.any?", id="string-any"),
    pytest.param("'a'.zero?", id="zero-of-string"),
    pytest.param("5.nil?", id="is-with-literal"),
]


@pytest.mark.parametrize("ruby", REFUSES)
def test_refuses(ruby: str) -> None:
    assert translate(ruby, SCOPE) is None


def test_status_and_options_need_a_callback() -> None:
    job = Scope(names={"n": "n"})
    assert translate("status.failures", job) is None
    assert translate("options['kind']", job) is None


def test_parameters_renamed() -> None:
    scope = Scope(status="st", status_param="s", options_param="opts", options={"k": "1"})
    assert translate("s.total", scope) == "st.total"
    assert translate("opts['k']", scope) == "1"
    assert translate("status.total", scope) is None


def test_job_parameter_named_like_callback_parameter() -> None:
    assert translate("status.nil?", Scope(names={"status": "job_status"})) == "(job_status is None)"
    ambiguous = Scope(names={"options": "opts"}, status="st", options={"k": "1"})
    assert translate("options['k']", ambiguous) is None


# ---- notes ---------------------------------------------------------------------------------

def test_symbol_option_key_is_translated_to_nil_with_a_note() -> None:
    python, notes = translate_with_notes("options[:kind] == 'full'", SCOPE)
    assert python == "(None == 'full')"
    assert notes == ["`options[:kind]` is nil in Sidekiq: callback options arrive with string keys"]


@pytest.mark.parametrize(("ruby", "words"), [
    pytest.param("options.fetch(:kind)", "raises KeyError", id="fetch-symbol"),
    pytest.param("x == :done", "symbol", id="symbol-compare"),
    pytest.param('"#{x}"', "interpolation", id="interpolation"),
    pytest.param("foo", "`foo`", id="unknown-name"),
    pytest.param("n / 2", "`/`", id="division"),
    pytest.param("1; 2", "single Ruby expression", id="statements"),
])
def test_refusal_says_why(ruby: str, words: str) -> None:
    python, notes = translate_with_notes(ruby, SCOPE)
    assert python is None
    assert words in " ".join(notes)


def test_translation_has_no_notes() -> None:
    assert translate_with_notes("status.failures.zero?", SCOPE) == ("(status_cb.failures == 0)", [])


# ---- scope entries are Python, checked ----------------------------------------------------

@pytest.mark.parametrize(("value", "python"), [
    pytest.param("x) or (y", None, id="unbalanced"),
    pytest.param("x  # comment", "x", id="comment-dropped"),
    pytest.param("import os", None, id="statement"),
    pytest.param("a if b else c", "(a if b else c)", id="wrapped"),
])
def test_scope_values_are_parsed(value: str, python: str | None) -> None:
    assert translate("n", Scope(names={"n": value})) == python


def test_option_values_are_parsed() -> None:
    assert translate("options['k']", Scope(status="st", options={"k": "1; 2"})) is None


# ---- safety: literals come out as the same Python value -----------------------------------

STRINGS = [
    pytest.param("'it\\'s'", "it's", id="escaped-single-quote"),
    pytest.param('"say \\"hi\\""', 'say "hi"', id="escaped-double-quote"),
    pytest.param("'a\\\\b'", "a\\b", id="backslash-single"),
    pytest.param('"C:\\\\dir\\\\"', "C:\\dir\\", id="backslash-trailing"),
    pytest.param("'\\d+'", "\\d+", id="regex-like-single"),
    pytest.param('"a\\nb\\tc\\sd\\e\\0"', "a\nb\tc d\x1b\x00", id="escapes-double"),
    pytest.param('"\\101\\x42\\u0043\\u{44 45}"', "ABCDE", id="numeric-escapes"),
    pytest.param("\"line\\\ncontinued\"", "linecontinued", id="line-continuation"),
    pytest.param("'raw\nnewline'", "raw\nnewline", id="raw-newline"),
    pytest.param("'\"\"\"'", '"""', id="triple-double-quotes"),
    pytest.param("\"'''\"", "'''", id="triple-single-quotes"),
    pytest.param("'é 日本 😀'", "é 日本 😀", id="unicode"),
    pytest.param('"\\u00e9\\u{1F600}"', "é😀", id="unicode-escapes"),
    pytest.param("'#{x}'", "#{x}", id="single-quotes-do-not-interpolate"),
    pytest.param('"\\#{x}"', "#{x}", id="escaped-interpolation"),
    pytest.param("'\"); import os; os.system(\\'x\\') #'", "\"); import os; os.system('x') #",
                 id="injection-single"),
    pytest.param('"\\"); import os; os.system(\'x\') #"', "\"); import os; os.system('x') #",
                 id="injection-double"),
    pytest.param("\"__import__('os').system('x')\"", "__import__('os').system('x')", id="injection-import"),
    pytest.param("'{x}'", "{x}", id="braces"),
    pytest.param("'a' \"b\"", "ab", id="adjacent-mixed-quotes"),
]


@pytest.mark.parametrize(("ruby", "value"), STRINGS)
def test_strings_keep_their_value(ruby: str, value: str) -> None:
    assert ruby_eval(ruby) == value


@pytest.mark.parametrize(("ruby", "value"), [
    pytest.param("[\"a'b\", 'c\"d', 1, -2.5, nil, true]", ["a'b", 'c"d', 1, -2.5, None, True], id="array"),
    pytest.param("{\"k'\" => 'v\\\\', 'x\"': [:s]}", {"k'": "v\\", 'x"': ["s"]}, id="hash"),
    pytest.param("%w[it's \"q\" é]", ["it's", '"q"', "é"], id="word-array"),
])
def test_containers_keep_their_value(ruby: str, value: object) -> None:
    assert ruby_eval(ruby) == value


RUBY = shutil.which("ruby")


@pytest.mark.skipif(RUBY is None, reason="no Ruby interpreter")
def test_strings_match_real_ruby() -> None:
    """The hand-written values of STRINGS are what Ruby itself reads."""
    program = "require 'json'; STDIN.each_line { |l| puts JSON.generate([eval(JSON.parse(l))]) }"
    sources = "".join(json.dumps(case.values[0]) + "\n" for case in STRINGS)
    assert RUBY is not None
    out = subprocess.run([RUBY, "-e", program], input=sources, capture_output=True, text=True,
                         encoding="utf-8", check=True).stdout
    ruby_values = [json.loads(line)[0] for line in out.splitlines()]
    assert ruby_values == [case.values[1] for case in STRINGS]


def single_quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def double_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("#", "\\#") + '"'


# a carriage return is left out: Ruby reads CRLF inside a literal as LF, so the translator
# refuses raw carriage returns
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters=["\r"]))


@given(TEXT)
def test_any_single_quoted_string_round_trips(text: str) -> None:
    assert ruby_eval(single_quoted(text)) == text


@given(TEXT)
def test_any_double_quoted_string_round_trips(text: str) -> None:
    assert ruby_eval(double_quoted(text)) == text


@given(st.lists(st.one_of(st.integers(), TEXT)))
def test_any_array_of_integers_and_strings_round_trips(items: list[int | str]) -> None:
    ruby = "[" + ", ".join(str(i) if isinstance(i, int) else single_quoted(i) for i in items) + "]"
    assert ruby_eval(ruby) == items


@given(st.dictionaries(TEXT, st.integers()))
def test_any_hash_with_string_keys_round_trips(entries: dict[str, int]) -> None:
    ruby = "{" + ", ".join(f"{double_quoted(k)} => {v}" for k, v in entries.items()) + "}"
    assert ruby_eval(ruby) == entries


# ---- semantics: what Ruby would give -------------------------------------------------------

@dataclass(frozen=True)
class FakeStatus:
    total: int
    failures: int
    pending: int


CLEAN, FAILED, RUNNING = FakeStatus(10, 0, 0), FakeStatus(10, 2, 0), FakeStatus(10, 0, 3)


@pytest.mark.parametrize(("ruby", "status", "expected"), [
    pytest.param("status.failures.zero?", CLEAN, True, id="zero-clean"),
    pytest.param("status.failures.zero?", FAILED, False, id="zero-failed"),
    pytest.param("status.failures > 0 && status.pending == 0", FAILED, True, id="failed-and-done"),
    pytest.param("status.failures > 0 && status.pending == 0", RUNNING, False, id="running"),
    pytest.param("!status.failures.zero? || status.total < 5", CLEAN, False, id="not-or"),
    pytest.param("not status.pending.positive?", RUNNING, False, id="not-keyword"),
    pytest.param("status.total - status.failures >= 9", FAILED, False, id="arithmetic"),
    pytest.param("status.failures.zero? ? 'ok' : 'failed'", FAILED, "failed", id="ternary"),
    pytest.param("[0, 1].include?(status.failures)", CLEAN, True, id="include"),
    pytest.param("options[:kind].nil? && options['kind'] == 'full'", CLEAN, True, id="symbol-key-is-nil"),
])
def test_status_conditions(ruby: str, status: FakeStatus, expected: object) -> None:
    assert ruby_eval(ruby, status_cb=status, ids=[]) == expected


def truthy(value: object) -> bool:
    """Ruby's truth test."""
    return value is not None and value is not False


VALUES = [True, False, None, 0, "", [], 1, "a"]


@pytest.mark.parametrize(("ruby", "ruby_semantics"), [
    pytest.param("!x", lambda x: not truthy(x), id="not"),
    pytest.param("x ? 'yes' : 'no'", lambda x: "yes" if truthy(x) else "no", id="ternary"),
    pytest.param("x || 'default'", lambda x: x if truthy(x) else "default", id="or"),
    pytest.param("x && 'set'", lambda x: "set" if truthy(x) else x, id="and"),
    pytest.param("x.nil?", lambda x: x is None, id="nil-predicate"),
    pytest.param("x == true", lambda x: x is True, id="eq-true"),
    pytest.param("x != false", lambda x: x is not False, id="ne-false"),
])
@pytest.mark.parametrize("x", VALUES, ids=repr)
def test_ruby_truth(ruby: str, ruby_semantics: Any, x: object) -> None:
    assert ruby_eval(ruby, x=x) == ruby_semantics(x)


@pytest.mark.parametrize("x", VALUES, ids=repr)
def test_condition_uses_ruby_truth(x: object) -> None:
    python = translate_condition("x", SCOPE)
    assert python is not None
    assert eval(python, {}, {"x": x}) is truthy(x)


@pytest.mark.parametrize(("ruby", "expected"), [
    pytest.param("[nil, false].any?", False, id="any-nil-false"),
    pytest.param("[0].any?", True, id="any-zero"),
    pytest.param("[].any?", False, id="any-empty"),
    pytest.param("{a: nil}.any?", True, id="any-hash-nil-value"),
    pytest.param("''.empty?", True, id="empty-string"),
    pytest.param("'日本'.length", 2, id="length-characters"),
    pytest.param("1 == 1.0", True, id="int-float-equal"),
    pytest.param("'b' > 'a'", True, id="string-order"),
    pytest.param("-7 - 2 * 3", -13, id="arithmetic"),
    pytest.param("-2.9.to_i", -2, id="to-i-truncates"),
    pytest.param("0 ? 1 : 2", 1, id="zero-is-true"),
])
def test_values(ruby: str, expected: object) -> None:
    assert ruby_eval(ruby) == expected


# ---- precedence -----------------------------------------------------------------------------

def ruby_and(a: object, b: object) -> object:
    return b if truthy(a) else a


def ruby_or(a: object, b: object) -> object:
    return a if truthy(a) else b


LOGIC = [True, False, None, 0]


@pytest.mark.parametrize(("a", "b", "c"), list(itertools.product(LOGIC, repeat=3)), ids=repr)
def test_precedence(a: object, b: object, c: object) -> None:
    env = {"a": a, "b": b, "c": c, "_bare": True}
    assert ruby_eval("!(a && b) || c", **env) == ruby_or(not truthy(ruby_and(a, b)), c)
    assert ruby_eval("a && !b", **env) == ruby_and(a, not truthy(b))
    assert ruby_eval("not a && b", **env) == (not truthy(ruby_and(a, b)))
    assert ruby_eval("a || b && c", **env) == ruby_or(a, ruby_and(b, c))
    assert ruby_eval("a or b and c", **env) == ruby_and(ruby_or(a, b), c)


@pytest.mark.parametrize("x", [-2, 0, 3, 1.5])
def test_unary_minus_precedence(x: float) -> None:
    assert ruby_eval("-x > 0", x=x, _bare=True) is (-x > 0)
    assert ruby_eval("-x * 2 + 1", x=x, _bare=True) == -x * 2 + 1


def test_long_chain_of_unknown_values_is_refused_not_exploded() -> None:
    names = [f"v{i}" for i in range(40)]
    assert translate(" && ".join(names), Scope(names={n: n for n in names})) is None


def test_deep_nesting_is_refused() -> None:
    assert translate("[" * 2000 + "]" * 2000, SCOPE) is None


# ---- loop collections -------------------------------------------------------------------------

@pytest.mark.parametrize(("ruby", "method", "python"), [
    pytest.param("n", "times", "range(n)", id="times"),
    pytest.param("status.total", "times", "range(status_cb.total)", id="times-status"),
    pytest.param("n + 1", "times", "range(n + 1)", id="times-expression"),
    pytest.param("ids", "each", "ids", id="each"),
    pytest.param("[1, 2]", "map", "[1, 2]", id="map-literal"),
    pytest.param("options['ids']", "find_each", "ids", id="find-each"),
    pytest.param("ids", "each_with_index", "ids", id="each-with-index"),
    pytest.param("(1..2)", "each", "range(1, 3)", id="range-inclusive"),
    pytest.param("(1...3)", "each", "range(1, 3)", id="range-exclusive"),
    pytest.param("(-3..-1)", "map", "range(-3, 0)", id="range-negative"),
])
def test_items(ruby: str, method: str, python: str) -> None:
    assert translate_items(ruby, method, SCOPE) == python


@pytest.mark.parametrize(("ruby", "method"), [
    pytest.param("n", "upto", id="upto"),
    pytest.param("ids", "each_slice", id="each-slice"),
    pytest.param("ids", "find_in_batches", id="find-in-batches"),
    pytest.param("{a: 1}", "each", id="each-over-hash-yields-pairs"),
    pytest.param("'abc'", "each", id="each-over-string"),
    pytest.param("2.5", "times", id="times-float"),
    pytest.param("User.all", "find_each", id="relation"),
    pytest.param("n", "each_pair", id="unknown-loop"),
    pytest.param("('a'..'c')", "each", id="range-of-strings"),
    pytest.param("(0..n)", "each", id="range-to-a-value-not-known-to-be-an-integer"),
    pytest.param("(1..)", "each", id="endless-range"),
])
def test_items_refused(ruby: str, method: str) -> None:
    assert translate_items(ruby, method, SCOPE) is None
