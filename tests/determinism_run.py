"""Run the CLI on fixtures, in this one process, and keep every byte it produced.

`python tests/determinism_run.py FIXTURE...` writes, under the current directory, per
fixture: what `batch2flow graph FIXTURE --format text|json|mermaid` printed (stdout,
stderr, exit code) and the tree `batch2flow convert FIXTURE -o NAME/convert` wrote, with
what it printed. `test_determinism.py` runs it under several PYTHONHASHSEEDs: the hash
seed is fixed per process, so one process per seed sees every set and dict order that
seed gives, at a fraction of the cost of a process per command.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner, Result

from batch2flow.cli import main as cli

FORMATS = ("text", "json", "mermaid")


def keep(folder: Path, name: str, result: Result) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.stdout").write_bytes(result.stdout_bytes)
    (folder / f"{name}.stderr").write_bytes(result.stderr_bytes or b"")
    (folder / f"{name}.exit").write_text(f"{result.exit_code}\n", encoding="utf-8")


def main(fixtures: list[str]) -> int:
    runner = CliRunner()
    for fixture in fixtures:
        name = Path(fixture).name
        for output_format in FORMATS:
            keep(Path(name), f"graph.{output_format}",
                 runner.invoke(cli, ["graph", fixture, "--format", output_format]))
        # a relative output folder, so the paths convert prints are the same in every run
        keep(Path(name), "convert", runner.invoke(cli, ["convert", fixture, "-o", f"{name}/convert"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
