"""A job enqueued by a job that sits under a Ruby condition sits under the same `if` in
the flow: it reads that job's future, which is bound only when the condition held."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from batch2flow.codegen.bound_names import unbound_reads
from batch2flow.convert import convert
from batch2flow.rehearse import run_flows

WORKERS = """
class AWorker
  include Sidekiq::Job

  def perform(id)
    BWorker.perform_async(id)
  end
end

class BWorker
  include Sidekiq::Job

  def perform(id); end
end

class CWorker
  include Sidekiq::Job

  def perform(id); end
end
"""

#: A's condition reads the starter's `id`; read again in A's perform, where `id` is 5, it
#: held while the starter's did not (`id` is nil in a rehearsal)
TRANSLATED = WORKERS + """
class Starter
  def self.start(id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      AWorker.perform_async(5) if id == 5
    end
  end
end
"""

#: conditions the converter cannot translate, in the starter and in a callback
UNTRANSLATED = WORKERS + """
class Starter
  def self.start(id)
    batch = Sidekiq::Batch.new
    batch.on(:success, 'Steps#done', 'id' => id)
    batch.jobs do
      AWorker.perform_async(id) if Feature.enabled?(:x)
      CWorker.perform_async(id)
    end
  end
end

class Steps
  def done(status, options)
    AWorker.perform_async(options['id']) if status.total > 0 && Rollout.on?(options['id'])
    CWorker.perform_async(1)
  end
end
"""


def _flow(tmp_path: Path, ruby: str) -> tuple[object, str]:
    (tmp_path / "app.rb").write_text(ruby, encoding="utf-8")
    conversion = convert([str(tmp_path)], tasks="translated")
    [source] = [text for name, text in conversion.files.items() if name.startswith("flows/")]
    return conversion, source


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("ruby", [TRANSLATED, UNTRANSLATED], ids=["translated", "untranslated"])
def test_a_job_enqueued_under_a_condition_runs_without_unbound_names(tmp_path: Path, ruby: str) -> None:
    conversion, source = _flow(tmp_path, ruby)
    assert unbound_reads(source) == []
    folder = tmp_path / "flows"
    folder.mkdir()
    report = run_flows(conversion, folder, set(), None, 0.005)  # type: ignore[arg-type]
    assert [o.state for o in report.outcomes] == ["Completed"], report.outcomes


def test_the_enqueued_job_shares_its_enqueuers_if(tmp_path: Path) -> None:
    _, source = _flow(tmp_path, TRANSLATED)
    assert textwrap.dedent("""\
        if (id == 5):  # id == 5
            a = b1.add(a_worker.submit(5))  # app.rb:26
            b = run.add(b_worker.submit(5, wait_for=[a]))  # app.rb:6
    """) in textwrap.dedent(source[source.index("    if (id == 5)"):])
    # the condition is read once, where the Ruby wrote it: never again in A's perform
    assert "(5 == 5)" not in source


def test_an_untranslated_condition_is_one_stub_called_once_for_the_jobs_it_guards(tmp_path: Path) -> None:
    _, source = _flow(tmp_path, UNTRANSLATED)
    # one stub per Ruby `if`, not one more for each job its job enqueues
    assert source.count("def condition_") == 2
    assert source.count("if condition_") == 2


UNBOUND = {
    "read after an if": ("if c():\n    a = f()\ng(a)\n", ["4: a"]),
    "read in another if": ("if c():\n    a = f()\nif c():\n    g(a)\n", ["5: a"]),
    "callback defined before the bind": ("@cb()\ndef block():\n    g(a)\na = f()\n", ["4: a"]),
    "bound in one branch": ("if c():\n    a = f()\nelse:\n    pass\ng(a)\n", ["6: a"]),
}

BOUND = {
    "read inside the if": "if c():\n    a = f()\n    g(a)\n",
    "bound in both branches": "if c():\n    a = f()\nelse:\n    a = h()\ng(a)\n",
    "callback defined after the bind": "a = f()\n@cb()\ndef block():\n    g(a)\n",
    "comprehension variable": "rows = f()\nx = [g(*row) for row in rows]\n",
    "module names and parameters": "a = task.submit(param, len([]))\n",
}


@pytest.mark.parametrize(("body", "expected"), UNBOUND.values(), ids=UNBOUND.keys())
def test_unbound_reads_are_found(body: str, expected: list[str]) -> None:
    # line numbers count the `def flow(param):` line
    assert unbound_reads("def flow(param):\n" + textwrap.indent(body, "    ")) == expected


@pytest.mark.parametrize("body", BOUND.values(), ids=BOUND.keys())
def test_bound_reads_pass(body: str) -> None:
    assert unbound_reads("def flow(param):\n" + textwrap.indent(body, "    ")) == []
