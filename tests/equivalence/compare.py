"""Compare what the Ruby oracle observed, what the graph predicts and what the flows did,
and print disagreements as a table a person can act on."""

from __future__ import annotations

from dataclasses import dataclass

from equivalence.graph_says import Prediction


@dataclass(frozen=True)
class Mismatch:
    case: str
    worker: str
    oracle: str
    graph: str
    flow: str


def compare_runs(case: str, oracle_runs: set[str], prediction: Prediction,
                 flow_runs: set[str], named: set[str]) -> list[Mismatch]:
    """Which workers run, over every worker some side names (one side's extra worker is
    a mismatch): the oracle and the flows must each fall within what the graph allows
    (certain workers always, undecided ones either way), and agree with each other on
    every worker the graph is certain about in this run. `named`: every worker the graph
    names; where it says a job of a worker it cannot name may run, a worker only Ruby
    ran and the graph never names may be that one."""
    found = []
    for worker in sorted(oracle_runs | prediction.runs | prediction.may_run | flow_runs):
        graph = ("runs" if worker in prediction.runs
                 else "may run" if worker in prediction.may_run else "does not run")
        oracle = "runs" if worker in oracle_runs else "does not run"
        flow = "runs" if worker in flow_runs else "does not run"
        if graph == "may run" or (prediction.unnamed and worker not in named and worker in oracle_runs):
            continue
        if oracle != graph or flow != graph:
            found.append(Mismatch(case, worker, oracle, graph, flow))
    return found


def compare_open(case: str, oracle_runs: set[str], prediction: Prediction,
                 flow_runs: set[str]) -> list[Mismatch]:
    """Workers the graph leaves open, where the flows translate every condition: Ruby and
    the flow each decided the branch, and must have decided it alike."""
    return [Mismatch(case, worker, _ran(worker in oracle_runs), "may run", _ran(worker in flow_runs))
            for worker in sorted(prediction.may_run)
            if (worker in oracle_runs) != (worker in flow_runs)]


def _ran(ran: bool) -> str:
    return "runs" if ran else "does not run"


def compare_order(case: str, ran: set[str], oracle_pairs: set[tuple[str, str]],
                  graph_pairs: set[tuple[str, str]], flow_violations: set[tuple[str, str]]) -> list[Mismatch]:
    """Happens-before among workers that ran: the oracle's causality and the graph's
    reachability must be the same pairs, and the flows must not start a job before one
    the graph orders it after has ended."""
    found = []
    # a worker after itself (a workflow restarting, a job re-enqueueing itself) is a loop
    # the graph draws, not an order between two jobs
    for first, then in sorted((oracle_pairs | graph_pairs) & {(a, b) for a in ran for b in ran if a != b}):
        in_oracle, in_graph = (first, then) in oracle_pairs, (first, then) in graph_pairs
        if in_oracle != in_graph:
            found.append(Mismatch(case, f"{first} -> {then}", _said(in_oracle), _said(in_graph), ""))
    for first, then in sorted(flow_violations):
        found.append(Mismatch(case, f"{first} -> {then}", "", "after", "started before it ended"))
    return found


def _said(ordered: bool) -> str:
    return "after" if ordered else "not ordered"


def table(mismatches: list[Mismatch]) -> str:
    header = ("case", "worker", "oracle says", "graph says", "flow says")
    rows = [header] + [(m.case, m.worker, m.oracle, m.graph, m.flow) for m in mismatches]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)
