"""`batch2flow rehearse PATH --sidekiq`, as a user runs it on the bundled example: Redis,
Sidekiq and the generated bridge start on loopback, every job and callback runs in Ruby,
and the trace of ../shared/contracts.md says when. With `--fail`, that worker's jobs die
and nothing after them runs; the exit status says a flow run failed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ruby_services import require_tools

SEED = Path(__file__).parent.parent / "fixtures" / "seed_pipeline"


def test_a_failing_step_stops_the_chain_in_ruby_and_the_run_exits_1(tmp_path: Path) -> None:
    require_tools()
    trace = tmp_path / "trace.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "batch2flow", "rehearse", str(SEED), "--sidekiq", "--param", "source_id=7",
         "--param", 'run_date="2026-12-01"', "--fail", "Flow3TaskWorker", "--trace", str(trace)],
        capture_output=True, text=True, timeout=240)
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    assert {e["flow"] for e in events} == {"data_pipeline"}
    ended = {e["worker"]: e["event"] for e in events if e["event"] != "start"}
    # the starter and the kickoff ran in Ruby, step 1 and its callbacks too
    for name in ("DataPipeline.start", "KickoffWorker", "Flow1Task1Worker", "Flow1Task2Worker",
                 "Flow2TaskWorker", "DataPipeline::Callbacks#flow1_task1_done",
                 "DataPipeline::Callbacks#step1_done"):
        assert ended.get(name) == "end", (name, ended)
    assert ended["Flow3TaskWorker"] == "fail"
    # nothing of step 3 or after, and the overall :success never fired
    assert not {"Flow4Task1Worker", "DataPipeline::Callbacks#step2_done", "PipelineFinishedWorker",
                "DataPipeline::Callbacks#on_success"} & {e["worker"] for e in events}
    at = {(e["worker"], e["event"]): e["t"] for e in events}
    assert at[("KickoffWorker", "end")] < at[("Flow1Task1Worker", "start")]
    assert at[("DataPipeline::Callbacks#step1_done", "end")] < at[("Flow3TaskWorker", "start")]
    assert ("  never started  Flow4Task1Worker: waits for Flow3TaskWorker "
            "(app/services/data_pipeline/callbacks.rb:27), which failed\n") in done.stdout


def test_a_flow_the_app_starts_itself_is_left_out_and_said_so(tmp_path: Path) -> None:
    """tests/flow_app's ReportsController#create starts its workflow with
    Batch2flow.start_flow: no rehearsal has the plan it records, so its flow is not run
    (it would fail for want of one), and the output says why; the others run."""
    require_tools()
    trace = tmp_path / "trace.jsonl"
    app = Path(__file__).parent / "flow_app"
    done = subprocess.run(
        [sys.executable, "-m", "batch2flow", "rehearse", str(app), "--sidekiq", "--param", "id=7",
         "--trace", str(trace)], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "reports_controller_create not rehearsed: ReportsController#create" in done.stdout
    flows = {json.loads(line)["flow"] for line in trace.read_text().splitlines()}
    # archive is a step only report starts: it runs inside report's flow run, not alone
    assert flows == {"report"}
    workers = {json.loads(line)["worker"] for line in trace.read_text().splitlines()}
    assert {"ArchiveJob", "Archive#archived"} <= workers
