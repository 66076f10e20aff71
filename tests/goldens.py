"""Golden outputs of every fixture: what `graph --format json|mermaid` prints for it.

Regenerate after a deliberate change with `python tests/goldens.py`, then read the
diff (`git diff fixtures/`) by eye before committing it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from batch2flow.convert import convert
from batch2flow.graph import build_graph
from batch2flow.ir import Graph
from batch2flow.render.json_format import render_json
from batch2flow.render.mermaid import render_mermaid

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RENDERERS: dict[str, Callable[[Graph], str]] = {
    "expected_graph.json": render_json,
    "expected_graph.md": render_mermaid,
}


def fixture_dirs() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def render_all(fixture: Path) -> dict[str, str]:
    """Golden file name (relative to the fixture) -> its content."""
    # relative paths in the output come from scanning with the fixture as the root
    graph = build_graph([str(fixture)])
    outputs = {name: render(graph) for name, render in RENDERERS.items()}
    converted = convert([str(fixture)]).files
    for path, text in converted.items():
        if path.startswith("flows/"):
            outputs[f"expected_{path}"] = text
    outputs["expected_prefect.yaml"] = converted["prefect.yaml"]
    return outputs


def main() -> int:
    for fixture in fixture_dirs():
        for name, text in render_all(fixture).items():
            (fixture / name).parent.mkdir(exist_ok=True)
            (fixture / name).write_text(text, encoding="utf-8")
            print(f"wrote {(fixture / name).relative_to(FIXTURES.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
