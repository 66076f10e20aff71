"""A flow run driven by the plans Ruby recorded: Ruby computes, Prefect orchestrates.

The generated flow gives the shape: for each piece of Ruby (the starter, a job's
`perform`, a callback method) one handler that takes the plan rows of the call sites its
graph knows and submits them (`run.submit`) or registers them (`run.on`). `PlanRun`
does what Sidekiq did between those pieces: it runs each job as a Prefect task, hands its
plan to the job's handler once it succeeded, keeps every batch's jobs (`BatchBook`), and
runs a callback, in Ruby with the status it observed, when its batch is done.

Handlers run on a small thread pool, each in a copy of the flow run's context, so a long
callback blocks only itself; nothing here polls.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from batch2flow.runtime.batch_book import SUCCEEDED, UNKNOWN, BatchBook, CallbackEntry, JobEntry
from batch2flow.runtime.plans import Plan, PlannedCallback, PlannedJob

Handler = Callable[["PlanRun", Plan], None]
#: handlers running at once; submitting is all they do between Ruby calls
HANDLER_THREADS = 8


class PlanRun:
    """Every job, callback and batch of one flow run."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._book = BatchBook()
        self._futures: list[Any] = []
        self._active = 0
        self._errors: list[BaseException] = []
        self._context = contextvars.copy_context()
        self._pool = ThreadPoolExecutor(HANDLER_THREADS, thread_name_prefix="batch2flow plan")

    def start(self, ruby_task: Any, target: str, args: list[object], then: Handler,
              kwargs: dict[str, object] | None = None) -> None:
        """Run the starter in Ruby (`ruby_task` runs a call) with these positional and
        keyword arguments, then hand its plan to `then`."""
        from batch2flow.runtime.ruby_calls import starter_key

        future = ruby_task.submit(target, args, starter_key(), kwargs or None)
        self._track(future, self._handler_of(then))

    def start_recorded(self, recorded: object, owner: str, then: Handler) -> None:
        """Go on from a plan the app's Ruby recorded itself (`Batch2flow.start_flow` in a
        controller action, a rake task or a script: a starter the bridge cannot call) and
        passed as the flow's `plan` parameter. Its rows get this flow run's keys, so a
        retried run meets the same jobs."""
        from batch2flow.runtime.errors import MalformedPlan
        from batch2flow.runtime.plan_reading import read_plan
        from batch2flow.runtime.ruby_calls import starter_key

        # the Ruby that starts a workflow builds its batch: a plan without one is a run
        # started by hand (`{}` typed into the UI), which would otherwise do nothing at all
        if not isinstance(recorded, dict) or not recorded.get("batches"):
            raise MalformedPlan(f"no recorded plan: {owner} runs in the app, which starts this "
                                "flow with Batch2flow.start_flow and passes the plan it recorded")
        self._handle(read_plan(recorded, owner, starter_key()), then)

    def submit(self, task: Any, job: PlannedJob, then: Handler | None = None) -> None:
        """Run a job Ruby planned; hand its plan to `then` (none: it may plan nothing)."""
        with self._lock:
            self._refuse_after_error()
            batch = self._book.batches.get(job.bid) if job.bid is not None else None
            future = task.submit(job, batch.row.parent_bid if batch is not None else None)
            entry = JobEntry(future, job.bid)
            if batch is not None:
                batch.jobs.append(entry)
        self._track(future, self._handler_of(then), entry)

    def on(self, callback: PlannedCallback, ruby_task: Any, then: Handler | None = None) -> None:
        """Run the callback in Ruby (`ruby_task`) once its batch is done, then `then`."""
        with self._lock:
            self._refuse_after_error()
            self._book.batches[callback.bid].callbacks.append(CallbackEntry(callback, (ruby_task, then)))
        self._fire_ready()

    def futures(self) -> list[Any]:
        """Every future of the run once nothing is left to do; raise a handler's error."""
        with self._lock:
            while self._active:
                self._lock.wait()
            errors = list(self._errors)
        self._pool.shutdown()
        if errors:
            raise errors[0]
        return list(self._futures)

    def _handle(self, plan: Plan, then: Handler | None) -> None:
        with self._lock:
            for row in plan.batches:
                self._book.enter(row)
            # every batch the plan adds to stays open until its rows are submitted
            named = {row.bid for row in plan.batches} | {row.bid for row in plan.enqueues if row.bid}
            entries = [self._book.batches[bid] for bid in sorted(named) if bid in self._book.batches]
            for entry in entries:
                entry.open_plans += 1
        try:
            if then is not None:
                then(self, plan)
            plan.check_claimed()
        finally:
            with self._lock:
                for entry in entries:
                    entry.open_plans -= 1

    def _track(self, future: Any, after: Callable[[Plan], None], entry: JobEntry | None = None,
               callback: CallbackEntry | None = None) -> None:
        with self._lock:
            self._futures.append(future)
            self._active += 1
        context = self._context.copy()
        future.add_done_callback(lambda done: self._pool.submit(context.run, self._ended, done, after,
                                                                entry, callback))

    def _ended(self, future: Any, after: Callable[[Plan], None], entry: JobEntry | None,
               callback: CallbackEntry | None) -> None:
        from batch2flow.runtime.outcomes import outcome

        try:
            future.wait()
            result, jid = outcome(future.state)
            if result == SUCCEEDED:
                # the job counts as running in its batch until what it planned is submitted
                after(future.state.result())
        except BaseException as error:  # re-raised by futures() in the flow's own thread
            result, jid = UNKNOWN, None
            with self._lock:
                self._errors.append(error)
        finally:
            with self._lock:
                if entry is not None:
                    entry.outcome, entry.jid = result, jid
                if callback is not None:
                    callback.returned = True
                self._active -= 1
                self._lock.notify_all()
            self._fire_ready()

    def _fire_ready(self) -> None:
        """Fire each callback whose batch is done; skip those whose event cannot come."""
        with self._lock:
            ready: list[tuple[str, CallbackEntry]] = []
            decided = True
            while decided:  # a child's callback skipped can make its parent complete
                waiting = [(bid, cb) for bid, batch in self._book.batches.items()
                           for cb in batch.callbacks if cb.stage == "waiting"]
                fired = [(bid, cb) for bid, cb in waiting if self._decide(bid, cb)]
                ready.extend(fired)
                decided = any(cb.stage != "waiting" for _, cb in waiting)
            for bid, cb in ready:
                ruby_task, then = cb.handler
                status = self._book.status(bid)
                queue = self._book.batches[bid].row.callback_queue
                future = ruby_task.submit(cb.callback, status, queue)
                self._track(future, self._handler_of(then), callback=cb)

    def _handler_of(self, then: Handler | None) -> Callable[[Plan], None]:
        def handle(plan: Plan) -> None:
            self._handle(plan, then)

        return handle

    def _decide(self, bid: str, cb: CallbackEntry) -> bool:
        event = cb.callback.event
        if self._errors:
            cb.stage = "skipped"  # the run failed: nothing new starts
            return False
        if event == "death" and self._book.died(bid):
            cb.stage = "fired"
            return True
        if not self._book.complete(bid):
            return False
        fires = event == "complete" or (event == "success" and not self._book.died(bid))
        cb.stage = "fired" if fires else "skipped"
        return fires

    def _refuse_after_error(self) -> None:
        if self._errors:
            raise RuntimeError("the flow run failed earlier; nothing more is enqueued") from self._errors[0]

