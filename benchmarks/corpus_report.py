"""How batch2flow reads real trees: one row per tree, printed as a Markdown table.

    python benchmarks/corpus_report.py DIR [DIR...]

For each tree: its Ruby files; the files that build a batch; the workflows, jobs and
callbacks `batch2flow graph` found; the places the generated flows could not translate
(markers: `ruby_value`, `ruby_items`, `ruby_condition`; stubs: `not_ported` and the
condition stubs); diagnostics by code; the exit status and seconds of `graph`; and
last, the files that build a batch but belong to no workflow: with the reason B2F109 gives,
or, where no diagnostic says why, as what the reader missed without a word.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from batch2flow.convert import convert
from batch2flow.scanner import SKIPPED_DIRS

#: what building a batch looks like in Ruby, whatever the gem (`Sidekiq::Batch.new`,
#: `Batch.new` inside `module Sidekiq`)
BUILDS_A_BATCH = re.compile(rb"\b(?:Sidekiq::)?Batch\.new\b")
MARKERS = re.compile(r"\b(ruby_value|ruby_items|ruby_condition)\(")
STUBS = re.compile(r"\bnot_ported\(|NOT TRANSLATED")


@dataclass
class TreeReport:
    tree: str
    ruby_files: int = 0
    batch_files: list[str] = field(default_factory=list)
    workflows: int = 0
    jobs: int = 0
    callbacks: int = 0
    markers: int = 0
    stubs: int = 0
    diagnostics: Counter[str] = field(default_factory=Counter)
    exit_status: int = 0
    seconds: float = 0.0
    #: files that build a batch (the regex says) in no workflow and with no B2F109 saying why
    unread: list[str] = field(default_factory=list)
    #: (file, B2F109 message): files the tool says no workflow reaches, and why
    explained: list[tuple[str, str]] = field(default_factory=list)
    crashed: str | None = None


def ruby_files(tree: Path) -> list[Path]:
    """Every file of the tree Ruby would run, counted here on its own (not by asking the
    scanner, whose reach is what the report measures): `.rb`, `.rake`, `Rakefile`, and
    files without an extension that start with a Ruby shebang."""
    found = []
    for path in sorted(tree.rglob("*")):
        if any(part in SKIPPED_DIRS for part in path.relative_to(tree).parts) or not path.is_file():
            continue
        ruby = path.suffix in (".rb", ".rake") or path.name == "Rakefile"
        if ruby or (not path.suffix and _ruby_script(path)):
            found.append(path)
    return found


def _ruby_script(path: Path) -> bool:
    with path.open("rb") as file:
        first = file.readline(200)
    return first.startswith(b"#!") and b"ruby" in first


def report(tree: Path) -> TreeReport:
    found = TreeReport(tree.name)
    files = ruby_files(tree)
    found.ruby_files = len(files)
    builds = [f for f in files if BUILDS_A_BATCH.search(f.read_bytes())]
    found.batch_files = sorted(f.relative_to(tree).as_posix() for f in builds)
    started = time.perf_counter()
    graph = subprocess.run([sys.executable, "-m", "batch2flow", "graph", str(tree), "--format", "json"],
                           capture_output=True, text=True, check=False)
    found.seconds = time.perf_counter() - started
    found.exit_status = graph.returncode
    try:
        document = json.loads(graph.stdout)
    except json.JSONDecodeError:
        found.crashed = (graph.stderr.strip().splitlines() or ["no output"])[-1]
        return found
    workflows = document["workflows"]
    found.workflows = len(workflows)
    found.jobs = sum(len(w["jobs"]) for w in workflows)
    found.callbacks = sum(len(w.get("callbacks", [])) for w in workflows)
    found.diagnostics = Counter(d["code"] for d in document["diagnostics"])
    # a file is read when a workflow holds a node there: a batch, a job, a callback or a
    # start (a callbacks file that reopens the parent has no batch of its own)
    read = {node["file"] for w in workflows for key in ("batches", "jobs", "callbacks", "starts")
            for node in w.get(key, [])} | {w["entry"]["file"] for w in workflows}
    explained = {d["file"]: d["message"] for d in document["diagnostics"] if d["code"] == "B2F109"}
    found.unread = [f for f in found.batch_files if f not in read and f not in explained]
    found.explained = sorted(explained.items())
    try:
        flows = [text for path, text in convert([str(tree)]).files.items() if path.endswith(".py")]
    except Exception as error:  # a crash is a finding of the report, not the end of it
        found.crashed = f"convert: {type(error).__name__}: {error}"
        return found
    found.markers = sum(len(MARKERS.findall(text)) for text in flows)
    found.stubs = sum(len(STUBS.findall(text)) for text in flows)
    return found


def table(reports: list[TreeReport]) -> str:
    header = ["tree", "Ruby files", "batch files", "workflows", "jobs", "callbacks", "markers", "stubs",
              "diagnostics", "exit", "seconds"]
    rows = [header, ["---"] * len(header)]
    for r in reports:
        codes = " ".join(f"{code}×{n}" for code, n in sorted(r.diagnostics.items())) or "-"
        rows.append([r.tree, str(r.ruby_files), str(len(r.batch_files)), str(r.workflows), str(r.jobs),
                     str(r.callbacks), str(r.markers), str(r.stubs), codes,
                     str(r.exit_status) + (" (crashed)" if r.crashed else ""), f"{r.seconds:.2f}"])
    totals = ["total", *(str(sum(int(row[i]) for row in rows[2:])) for i in range(1, 8)), "", "",
              f"{sum(r.seconds for r in reports):.2f}"]
    lines = ["| " + " | ".join(row) + " |" for row in [*rows, totals]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    args = parser.parse_args()
    reports = [report(tree) for tree in args.trees]
    print(table(reports))
    for r in reports:
        if r.crashed:
            print(f"\n{r.tree}: crashed: {r.crashed}")
        if r.unread:
            print(f"\n{r.tree}: builds a batch in no workflow, and no diagnostic says why "
                  "(the regex also matches comments and strings):")
            print("\n".join(f"  {path}" for path in r.unread))
        if r.explained:
            print(f"\n{r.tree}: builds a batch in no workflow (B2F109):")
            print("\n".join(f"  {path}: {message}" for path, message in r.explained))


if __name__ == "__main__":
    main()
