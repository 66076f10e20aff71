"""Where a batch library already defines `Sidekiq::Batch` (Sidekiq Pro, or the
sidekiq-batch gem), the bridge leaves it as it was outside the code it runs, and records
instead of calling it inside: `BatchPatch` prepends itself to the library's class.

Sidekiq Pro is not free to install, so the library here is a class with Pro's API whose
every call leaves a trace: a test of how the patch meets another class, run in a real
Ruby with the generated bridge and Debian's Sidekiq.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ruby_services import require_tools

from batch2flow import writer
from batch2flow.codegen.bridge_files import build_bridge

APP = Path(__file__).parent / "bridge_app"

PRO_LIKE_THEN_BRIDGE = r"""
require "json"
require "sidekiq"
TRACE = []
module Sidekiq
  # Pro's API, loaded before the bridge as an initializer would load Pro
  class Batch
    class Status
      def initialize(bid) = @bid = bid
      def pro? = true
    end
    attr_reader :bid
    attr_accessor :description, :callback_queue
    def initialize(bid = nil)
      @bid = bid || "pro-bid"
      TRACE << ["new", bid]
    end
    def on(event, target, options = {}) = TRACE << ["on", event.to_s, target.to_s, options]
    def jobs
      TRACE << ["jobs"]
      yield
    end
  end
end
require File.join(ENV.fetch("BRIDGE_DIR"), "batch2flow_bridge")
Batch2flow::Bridge.install!

def build
  batch = Sidekiq::Batch.new
  batch.description = "nightly"
  batch.on(:success, "PipelineCallbacks#done", "id" => 7)
  batch.jobs { nil }
  batch.bid
end

outside = build
recorder = Batch2flow::Bridge::Recorder.new("call-key")
inside = recorder.active { build }
again = build
puts JSON.generate({
  "outside" => outside, "inside" => inside, "again" => again, "trace" => TRACE,
  "plan" => recorder.plan, "status_is_pros" => Sidekiq::Batch::Status.new("x").respond_to?(:pro?),
})
"""


def test_a_batch_library_works_as_before_outside_and_is_recorded_inside(tmp_path: Path) -> None:
    require_tools()
    bridge_dir = tmp_path / "bridge"
    writer.apply(bridge_dir, writer.plan_writes(bridge_dir, build_bridge([str(APP)]).files), force=False)
    done = subprocess.run(["ruby", "-e", PRO_LIKE_THEN_BRIDGE], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "BRIDGE_DIR": str(bridge_dir),
                               "BATCH2FLOW_APP_ROOT": str(tmp_path)}, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    # outside a recorded call, before and after one: the library's own batch, every call its own
    real_calls = [["new", None], ["on", "success", "PipelineCallbacks#done", {"id": 7}], ["jobs"]]
    assert seen["trace"] == real_calls * 2
    assert seen["outside"] == seen["again"] == "pro-bid"
    # inside: the library is not called; the recorder holds the batch and its callback
    assert seen["inside"] != "pro-bid"
    (batch,) = seen["plan"]["batches"]
    assert (batch["bid"], batch["description"], batch["reopened"]) == (seen["inside"], "nightly", False)
    (callback,) = seen["plan"]["callbacks"]
    assert (callback["bid"], callback["event"], callback["target"], callback["options"]) == (
        seen["inside"], "success", "PipelineCallbacks#done", {"id": 7})
    # the library's Status stays its own
    assert seen["status_is_pros"] is True
