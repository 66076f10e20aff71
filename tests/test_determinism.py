"""Same input, byte-identical output: every fixture, every output, across hash seeds.

Set and dict orders can change with PYTHONHASHSEED, which is fixed per process, so each
seed gets its own subprocess (`determinism_run.py`), running `graph` in every format and
`convert` on every fixture; the files and printed bytes must be the same under each seed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from goldens import fixture_dirs

RUN = Path(__file__).with_name("determinism_run.py")
SEEDS = ("1", "2", "12345")


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def run_under_seed(folder: Path, seed: str, fixtures: list[Path]) -> dict[str, bytes]:
    folder.mkdir()
    subprocess.run([sys.executable, str(RUN), *map(str, fixtures)], cwd=folder, check=True,
                   env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, timeout=300)
    return outputs(folder)


def test_every_output_of_every_fixture_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    fixtures = fixture_dirs()
    runs = {seed: run_under_seed(tmp_path / seed, seed, fixtures) for seed in SEEDS}
    first = runs[SEEDS[0]]
    # the run really produced everything: 3 graph formats and a convert per fixture, and flows
    for fixture in fixtures:
        for command in ("graph.text", "graph.json", "graph.mermaid", "convert"):
            assert first[f"{fixture.name}/{command}.stdout"], (fixture.name, command)
        assert any(name.startswith(f"{fixture.name}/convert/flows/") for name in first)
        assert f"{fixture.name}/convert/MIGRATION.md" in first
    for seed, found in runs.items():
        assert found.keys() == first.keys(), seed
        differing = sorted(name for name in first if found[name] != first[name])
        assert not differing, f"PYTHONHASHSEED={seed} differs from {SEEDS[0]} in {differing}"
