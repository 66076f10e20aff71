"""The Sidekiq oracle: Ruby run under real Sidekiq with a Pro Batch reimplementation.

First the oracle itself, on small Ruby written here (`--source`), against the
documented Batch semantics; then every fixture starter, which must load and run.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
from oracle.run_oracle import ORACLE_RB, OracleError, OracleRun, StandIns, observe, parse_report

from batch2flow.graph import build_graph

FIXTURES = Path(__file__).parent.parent / "fixtures"

# deliberately broken files of fixtures/bad_input (see fixtures/README.md)
BROKEN_ON_PURPOSE = {
    "app/workers/imports/bulk_import_worker.rb",
    "lib/latin1.rb",
    "app/models/legacy_import.rb",
}


def run_ruby(tmp_path: Path, ruby: str, starter: str, fail: tuple[str, ...] = (), *,
             arguments: dict[str, object] | None = None, stand_ins: StandIns = "truthy") -> OracleRun:
    source = tmp_path / "workflow.rb"
    source.write_text(textwrap.dedent(ruby), encoding="utf-8")
    run = observe(None, starter, fail, source=source, arguments=arguments, stand_ins=stand_ins)
    assert run.load_errors == ()
    return run


def jobs_for(*names: str) -> str:
    """Ruby for trivial job classes."""
    return "\n".join(f"class {name}; include Sidekiq::Job; def perform(*args); end; end" for name in names)


def test_batch_jobs_are_independent_and_the_callback_job_follows_both(tmp_path: Path) -> None:
    run = run_ruby(
        tmp_path,
        jobs_for("AWorker", "BWorker", "DoneWorker")
        + """
        class Done
          def on_success(_status, _options) = DoneWorker.perform_async
        end

        class Flow
          def self.start
            batch = Sidekiq::Batch.new
            batch.on(:success, Done)
            batch.jobs do
              AWorker.perform_async(1)
              BWorker.perform_async(2)
            end
          end
        end
        """,
        "Flow.start",
    )
    pairs = run.ordered_pairs()
    assert {("AWorker", "DoneWorker"), ("BWorker", "DoneWorker")} <= pairs
    assert ("AWorker", "BWorker") not in pairs
    assert ("BWorker", "AWorker") not in pairs
    assert [(cb.event, cb.target) for cb in run.callbacks] == [("success", "Done#on_success")]
    assert not run.truncated


CHILD_BATCH = (
    jobs_for("ChildWorker", "AddedWorker", "OutsideWorker", "FinalWorker")
    + """
    class Callbacks
      # the child succeeded: add a job to the parent, and enqueue one outside it
      def child_done(status, _options)
        Sidekiq::Batch.new(status.parent_bid).jobs { AddedWorker.perform_async }
        OutsideWorker.perform_async
      end

      def on_success(_status, _options) = FinalWorker.perform_async
    end

    class Flow
      def self.start
        parent = Sidekiq::Batch.new
        parent.on(:success, Callbacks)
        parent.jobs do
          child = Sidekiq::Batch.new
          child.on(:success, 'Callbacks#child_done')
          child.jobs { ChildWorker.perform_async }
        end
      end
    end
    """
)


def test_parent_callback_waits_for_child_jobs_and_jobs_added_by_reopening_it(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, CHILD_BATCH, "Flow.start")
    pairs = run.ordered_pairs()
    assert ("ChildWorker", "FinalWorker") in pairs
    assert ("AddedWorker", "FinalWorker") in pairs
    assert ("ChildWorker", "AddedWorker") in pairs
    assert [(b.bid, b.parent) for b in run.batches] == [("b-1", None), ("b-2", "b-1")]
    assert run.jobs_of("AddedWorker")[0].batch == "b-1"


def test_parent_callback_does_not_wait_for_a_job_the_child_callback_enqueued_outside(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, CHILD_BATCH, "Flow.start")
    pairs = run.ordered_pairs()
    assert ("ChildWorker", "OutsideWorker") in pairs
    assert ("OutsideWorker", "FinalWorker") not in pairs
    assert run.jobs_of("OutsideWorker")[0].batch is None


COMPLETE_AND_SUCCESS = (
    jobs_for("GoodWorker", "CompleteWorker", "SuccessWorker")
    + """
    class BadWorker
      include Sidekiq::Job
      def perform = raise('boom')
    end

    class Callbacks
      def on_complete(status, _options) = CompleteWorker.perform_async(status.failures)
      def on_success(_status, _options) = SuccessWorker.perform_async
    end

    class Flow
      def self.start
        batch = Sidekiq::Batch.new
        batch.on(:complete, Callbacks)
        batch.on(:success, Callbacks)
        batch.jobs do
          GoodWorker.perform_async
          BadWorker.perform_async
        end
      end
    end
    """
)


def test_complete_fires_despite_a_failing_job_and_success_does_not(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, COMPLETE_AND_SUCCESS, "Flow.start")
    assert [job.error for job in run.died()] == ["RuntimeError: boom"]
    assert {("GoodWorker", "CompleteWorker"), ("BadWorker", "CompleteWorker")} <= run.ordered_pairs()
    assert "SuccessWorker" not in run.workers_run()
    assert run.callbacks_of("success") == []


def test_success_fires_after_complete_when_nothing_failed(tmp_path: Path) -> None:
    ruby = COMPLETE_AND_SUCCESS.replace("def perform = raise('boom')", "def perform = nil")
    run = run_ruby(tmp_path, ruby, "Flow.start")
    assert run.died() == []
    assert [cb.event for cb in run.callbacks] == ["complete", "success"]
    assert {"CompleteWorker", "SuccessWorker"} <= run.workers_run()


def test_a_worker_given_to_fail_dies_without_running(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, COMPLETE_AND_SUCCESS, "Flow.start", fail=("GoodWorker",))
    assert {job.worker for job in run.died()} == {"GoodWorker", "BadWorker"}
    assert run.jobs_of("GoodWorker")[0].error == "Oracle::InjectedFailure: --fail GoodWorker"


DEATH = (
    jobs_for("AlertWorker")
    + """
    class BadWorker
      include Sidekiq::Job
      def perform(_n) = raise('boom')
    end

    class Alerts
      def on_death(status, _options) = AlertWorker.perform_async(status.bid)
    end

    class Flow
      def self.start
        outer = Sidekiq::Batch.new
        outer.on(:death, Alerts)
        outer.jobs do
          inner = Sidekiq::Batch.new
          inner.on(:death, 'Alerts#on_death')
          inner.jobs do
            BadWorker.perform_async(1)
            BadWorker.perform_async(2)
          end
        end
      end
    end
    """
)


def test_death_fires_once_per_batch_for_the_first_dead_job(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, DEATH, "Flow.start")
    assert len(run.died()) == 2
    first_dead = run.died()[0].id
    deaths = run.callbacks_of("death")
    assert sorted(cb.batch for cb in deaths) == ["b-1", "b-2"]
    assert all(cb.after == {first_dead} for cb in deaths)
    assert len(run.jobs_of("AlertWorker")) == 2


def test_death_does_not_fire_when_no_job_died(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, DEATH.replace("raise('boom')", "nil"), "Flow.start")
    assert run.callbacks_of("death") == []
    assert "AlertWorker" not in run.workers_run()


OPTIONS = (
    jobs_for("OkWorker", "JobWorker")
    + """
    class Check
      # Pro stores options as JSON: symbol keys and symbol values come back as strings
      def hashed(_status, options)
        raise 'symbol key survived' unless options[:x].nil?
        raise "string key lost: #{options.inspect}" unless options['x'] == 1 && options['y'] == 'sym'
        OkWorker.perform_async('hashed')
      end

      def scalar(_status, options)
        raise "scalar lost: #{options.inspect}" unless options == 7
        OkWorker.perform_async('scalar')
      end

      def on_success(_status, options)
        raise "no options should be {}: #{options.inspect}" unless options == {}
        OkWorker.perform_async('none')
      end
    end

    class Flow
      def self.start
        batch = Sidekiq::Batch.new
        batch.on(:success, 'Check#hashed', x: 1, 'y' => :sym)
        batch.on('success', 'Check#scalar', 7)
        batch.on(:success, Check)
        batch.jobs { JobWorker.perform_async }
      end
    end
    """
)


def test_callback_options_make_a_json_round_trip(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, OPTIONS, "Flow.start")
    assert [cb.error for cb in run.callbacks] == [None, None, None]
    assert len(run.jobs_of("OkWorker")) == 3


def test_an_unknown_event_raises(tmp_path: Path) -> None:
    misspelt = OPTIONS.replace("batch.on(:success, Check)", "batch.on(:sucess, Check)")
    run = run_ruby(tmp_path, misspelt, "Flow.start")
    assert run.starter_error == "ArgumentError: Invalid event name: sucess"


NAMESPACED_TARGETS = (
    jobs_for("JobWorker", "DoneWorker")
    + """
    module Billing
      class Callback
        def done(_status, _options) = DoneWorker.perform_async
        def on_success(_status, _options) = DoneWorker.perform_async
      end

      class Flow
        def self.start
          batch = Sidekiq::Batch.new
          batch.on(:success, Callback)
          batch.on(:success, 'Callback#done')
          batch.jobs { JobWorker.perform_async }
        end
      end
    end
    """
)


def test_a_string_callback_target_is_looked_up_from_the_top_level(tmp_path: Path) -> None:
    """The constant `Callback` is found lexically; the string 'Callback#done' is
    constantized from the top level, where there is no Callback: NameError."""
    run = run_ruby(tmp_path, NAMESPACED_TARGETS, "Billing::Flow.start")
    errors = {cb.target: cb.error for cb in run.callbacks}
    assert errors["Billing::Callback#on_success"] is None
    assert (errors["Callback#done"] or "").startswith("NameError: uninitialized constant Callback")
    assert len(run.jobs_of("DoneWorker")) == 1


JOBS_IN_PERFORM = (
    jobs_for("ItemWorker", "DoneWorker")
    + """
    class ListWorker
      include Sidekiq::Job
      def perform
        raise 'batch is not this job batch' unless batch.bid == bid
        batch.jobs do
          ItemWorker.perform_async(1)
          ItemWorker.perform_async(2)
        end
      end
    end

    class LoneWorker
      include Sidekiq::Job
      def perform = (raise 'a job outside any batch has a batch' unless batch.nil? && bid.nil?)
    end

    class Done
      def on_success(_status, _options) = DoneWorker.perform_async
    end

    class Flow
      def self.start
        LoneWorker.perform_async
        batch = Sidekiq::Batch.new
        batch.on(:success, Done)
        batch.jobs { ListWorker.perform_async }
      end
    end
    """
)


def test_jobs_a_job_adds_to_its_own_batch_belong_to_it_and_precede_the_callback(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, JOBS_IN_PERFORM, "Flow.start")
    assert run.died() == []
    assert {job.batch for job in run.jobs_of("ItemWorker")} == {run.jobs_of("ListWorker")[0].batch}
    assert {("ItemWorker", "DoneWorker"), ("ListWorker", "DoneWorker")} <= run.ordered_pairs()


def test_jobs_a_job_adds_to_its_own_batch_are_not_after_it(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, JOBS_IN_PERFORM, "Flow.start")
    assert ("ListWorker", "ItemWorker") not in run.ordered_pairs()


def test_an_empty_jobs_block_completes_when_it_ends(tmp_path: Path) -> None:
    ruby = (
        jobs_for("AfterWorker")
        + """
    class Cb
      def on_complete(_status, _options) = AfterWorker.perform_async
    end

    def start_empty
      batch = Sidekiq::Batch.new
      batch.on(:complete, Cb)
      batch.jobs { }
    end
    """
    )
    run = run_ruby(tmp_path, ruby, "start_empty")
    assert run.workers_run() == {"AfterWorker"}


EMPTY_IN_A_CALLBACK = (
    jobs_for("FirstWorker", "AfterWorker")
    + """
    class Cb
      def on_success(_status, _options)
        empty = Sidekiq::Batch.new
        empty.on(:complete, 'Cb#after')
        empty.jobs { }
      end

      def after(_status, _options) = AfterWorker.perform_async
    end

    def start_first
      batch = Sidekiq::Batch.new
      batch.on(:success, Cb)
      batch.jobs { FirstWorker.perform_async }
    end

    def start_empty_beside
      batch = Sidekiq::Batch.new
      batch.jobs { FirstWorker.perform_async }
      empty = Sidekiq::Batch.new
      empty.on(:complete, 'Cb#after')
      empty.jobs { }
    end
    """
)


def test_an_empty_batch_made_in_a_callback_fires_after_what_that_callback_waited_for(tmp_path: Path) -> None:
    # its jobs block ended inside the callback, so its own callback can only come later
    run = run_ruby(tmp_path, EMPTY_IN_A_CALLBACK, "start_first")
    assert ("FirstWorker", "AfterWorker") in run.ordered_pairs()


def test_an_empty_batch_the_starter_makes_fires_after_no_job(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, EMPTY_IN_A_CALLBACK, "start_empty_beside")
    assert run.workers_run() == {"FirstWorker", "AfterWorker"}
    assert ("FirstWorker", "AfterWorker") not in run.ordered_pairs()


RESTART = (
    jobs_for("FetchWorker")
    + """
    class Again
      def on_complete(_status, _options) = PollWorker.perform_in(60)
    end

    class PollWorker
      include Sidekiq::Job
      def perform
        batch = Sidekiq::Batch.new
        batch.on(:complete, Again)
        batch.jobs { FetchWorker.perform_async }
      end
    end
    """
)


def test_a_workflow_restarting_itself_is_truncated(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, RESTART, "PollWorker#perform")
    assert run.truncated
    assert sum(job.state != "pending" for job in run.jobs) == 300
    assert len(run.callbacks) <= 300


def test_a_workflow_that_ends_is_not_truncated(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, RESTART.replace("PollWorker.perform_in(60)", "nil"), "PollWorker#perform")
    assert not run.truncated
    assert [job.worker for job in run.jobs] == ["FetchWorker"]


BRANCHES = (
    jobs_for("FinalWorker", "OtherWorker", "FlagWorker", "FastWorker", "EnabledWorker", "PresentWorker",
             "ListWorker")
    + """
    class Flow
      # Feature is defined nowhere: a stand-in class
      def self.start(stage, flag, items, mode: 'slow')
        batch = Sidekiq::Batch.new
        batch.jobs do
          stage == 'final' ? FinalWorker.perform_async : OtherWorker.perform_async
          FlagWorker.perform_async if flag
          FastWorker.perform_async if mode == 'fast'
          EnabledWorker.perform_async if Feature.enabled?(:dunning)
          PresentWorker.perform_async if Feature.find(1).present?
          ListWorker.perform_async if items.include?('a') && !items.empty?
        end
      end
    end
    """
)


def test_arguments_reach_the_starter_by_name(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, BRANCHES, "Flow.start",
                   arguments={"stage": "final", "flag": False, "items": ["a"], "mode": "fast"})
    assert {"FinalWorker", "FastWorker", "ListWorker"} <= run.workers_run()
    assert not {"OtherWorker", "FlagWorker"} & run.workers_run()


def test_parameters_not_given_are_truthy_stand_ins(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, BRANCHES, "Flow.start", arguments={"items": []})
    # a stand-in equals nothing but itself, and every call on one answers a truthy stand-in
    assert {"OtherWorker", "FlagWorker", "EnabledWorker", "PresentWorker"} <= run.workers_run()
    # an optional keyword not given keeps its default
    assert not {"FinalWorker", "FastWorker", "ListWorker"} & run.workers_run()


def test_a_falsy_run_takes_the_other_branch_of_every_unknown(tmp_path: Path) -> None:
    run = run_ruby(tmp_path, BRANCHES, "Flow.start", arguments={"items": ["a"]}, stand_ins="falsy")
    assert run.starter_error is None
    # stage and flag are nil, the stand-in predicates answer false, items was given
    assert run.workers_run() == {"OtherWorker", "ListWorker"}


def test_an_unknown_stand_in_mode_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "workflow.rb"
    source.write_text(BRANCHES, encoding="utf-8")
    with pytest.raises(OracleError, match="stand_ins must be one of truthy, falsy"):
        observe(None, "Flow.start", source=source, stand_ins="maybe")


def fixture_starters() -> list[tuple[str, str]]:
    return [
        (folder.name, workflow.starter)
        for folder in sorted(path for path in FIXTURES.iterdir() if path.is_dir())
        for workflow in build_graph([str(folder)]).workflows
    ]


@pytest.mark.parametrize(("fixture", "starter"), fixture_starters(), ids=lambda value: str(value))
def test_every_fixture_starter_loads_and_runs(fixture: str, starter: str) -> None:
    run = observe(FIXTURES / fixture, starter)
    if fixture == "bad_input":
        assert {error.split(":")[0] for error in run.load_errors} <= BROKEN_ON_PURPOSE
        return
    assert run.load_errors == ()
    assert run.starter_error is None
    assert run.jobs, "the starter pushed no job"
    # no --fail was given: a death here is a stand-in that cannot run the fixture's code
    assert [(job.worker, job.error) for job in run.died()] == []


def test_bad_input_starters_fail_the_way_ruby_would() -> None:
    broken = observe(FIXTURES / "bad_input", "Imports::BulkImportWorker#perform")
    misspelt = observe(FIXTURES / "bad_input", "Reports::ExportLedgerWorker#perform")
    assert broken.starter_error == "NameError: uninitialized constant Imports::BulkImportWorker"
    assert misspelt.starter_error == "ArgumentError: Invalid event name: sucess"


def seed_run(*fail: str) -> OracleRun:
    return observe(FIXTURES / "seed_pipeline", "DataPipeline.start", fail)


def test_seed_pipeline_orders_its_tasks() -> None:
    pairs = seed_run().ordered_pairs()
    assert ("Flow1Task1Worker", "Flow1Task2Worker") in pairs
    for task in ("Flow1Task1Worker", "Flow1Task2Worker", "Flow2TaskWorker"):
        assert (task, "Flow3TaskWorker") in pairs
    assert ("Flow3TaskWorker", "Flow4Task1Worker") in pairs
    assert ("Flow4Task1Worker", "Flow4Task2Worker") in pairs
    tasks = {"Flow1Task1Worker", "Flow1Task2Worker", "Flow2TaskWorker", "Flow3TaskWorker"}
    for task in tasks | {"Flow4Task1Worker", "Flow4Task2Worker", "KickoffWorker"}:
        assert (task, "PipelineFinishedWorker") in pairs


def test_seed_pipeline_keeps_flow2_independent() -> None:
    pairs = seed_run().ordered_pairs()
    for task in ("Flow1Task1Worker", "Flow1Task2Worker"):
        assert (task, "Flow2TaskWorker") not in pairs
        assert ("Flow2TaskWorker", task) not in pairs
    # jobs a perform adds are not after it; step 1's callbacks do not wait for KickoffWorker
    assert ("KickoffWorker", "Flow1Worker") not in pairs
    assert ("KickoffWorker", "Flow3TaskWorker") not in pairs


def test_seed_pipeline_stops_at_a_dead_task() -> None:
    run = seed_run("Flow2TaskWorker")
    assert "Flow1Task2Worker" in run.workers_run()
    assert run.workers_run().isdisjoint({"Flow3TaskWorker", "PipelineFinishedWorker"})


def test_a_served_run_reports_what_a_one_shot_run_reports() -> None:
    # the one-shot command line is how a person looks at one run; the tests use the server
    command = ["ruby", str(ORACLE_RB), "--root", str(FIXTURES / "seed_pipeline"), "--starter",
               "DataPipeline.start", "--fail", "Flow2TaskWorker"]
    one_shot = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout
    served = observe(FIXTURES / "seed_pipeline", "DataPipeline.start", {"Flow2TaskWorker"})

    assert parse_report(one_shot) == served
    assert [job.worker for job in served.died()] == ["Flow2TaskWorker"]


def test_no_class_outlives_its_run(tmp_path: Path) -> None:
    first = """
    class Flow
      def self.start = Sidekiq::Batch.new.jobs { AWorker.perform_async }
    end
    """ + jobs_for("AWorker")
    second = """
    class Flow
      def self.other = nil
    end
    """
    assert [job.worker for job in run_ruby(tmp_path, first, "Flow.start").jobs] == ["AWorker"]
    later = run_ruby(tmp_path, second, "Flow.start")
    assert later.jobs == ()
    assert later.starter_error is not None and "start" in later.starter_error


def test_a_run_that_kills_its_process_is_an_error_and_the_next_run_goes_on(tmp_path: Path) -> None:
    exits = "class Flow\n  def self.start = Process.kill('KILL', Process.pid)\nend\n"
    with pytest.raises(OracleError, match="oracle failed"):
        run_ruby(tmp_path, exits, "Flow.start")
    assert run_ruby(tmp_path, "class Flow\n  def self.start = nil\nend\n", "Flow.start").jobs == ()
