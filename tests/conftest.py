from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_bridge import FakeBridge

from batch2flow.diagnostics import Diagnostic
from batch2flow.graph import build_graph
from batch2flow.ir import Graph, Workflow
from batch2flow.runtime import bridge as bridge_module

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def _no_result_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads or writes the result cache, least of all in the home folder, unless
    it turns the cache on itself (test_cache.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BATCH2FLOW_NO_CACHE", "1")
        patch.setenv("BATCH2FLOW_CACHE_DIR", str(tmp_path_factory.mktemp("result-cache")))
        yield


#: modules whose background threads (Prefect's event stream stays open between flow runs)
#: draw from the global `random`: a websocket keepalive ping every 20 s. Hypothesis fails a
#: test whose global random state changed while it drew an example ("Do not use the
#: `random` module inside strategies"), so such a ping landing mid-draw fails an unrelated
#: test now and then. They get a generator of their own instead.
BACKGROUND_RANDOM_USERS = (
    "websockets.asyncio.connection", "websockets.sync.connection", "websockets.legacy.protocol",
    "websockets.client", "websockets.legacy.client", "prefect._internal._observation_delivery",
    "prefect.utilities.math",
)
_BACKGROUND_RANDOM = random.Random()


def isolate_background_random() -> None:
    """Point the loaded `BACKGROUND_RANDOM_USERS` at a private generator (cheap: each test)."""
    for name in BACKGROUND_RANDOM_USERS:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "random", None) is random:
            module.random = _BACKGROUND_RANDOM  # type: ignore[attr-defined]


def pytest_runtest_setup(item: pytest.Item) -> None:
    isolate_background_random()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked long_equivalence run only when asked for by name (-m long_equivalence)."""
    if "long_equivalence" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="opt in with -m long_equivalence")
    for item in items:
        if "long_equivalence" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def ruby_tree(tmp_path: Path) -> Callable[[dict[str, str]], Graph]:
    """Write `{path: ruby}` under a temporary app folder and read it into a graph."""

    def build(files: dict[str, str]) -> Graph:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return build_graph([str(tmp_path)])

    return build


def analysis_diagnostics(graph: Graph) -> tuple[Diagnostic, ...]:
    """The diagnostics of the analysis itself, without the lint rules' findings (B2F3xx),
    which `graph` reports too."""
    return tuple(d for d in graph.diagnostics if not d.code.startswith("B2F3"))


def only_workflow(graph: Graph) -> Workflow:
    assert len(graph.workflows) == 1, [w.name for w in graph.workflows]
    return graph.workflows[0]


def workflow_named(graph: Graph, name: str) -> Workflow:
    for workflow in graph.workflows:
        if workflow.name == name:
            return workflow
    raise AssertionError(f"no workflow {name}; found {[w.name for w in graph.workflows]}")


@pytest.fixture(scope="session")
def prefect_harness():
    """One throwaway Prefect API for the whole session, set up as `rehearse` sets it up:
    it takes seconds to start."""
    from batch2flow.rehearse import throwaway_prefect_api

    with throwaway_prefect_api():
        # loaded now, so that the flows' threads never start on the global generator
        for name in ("websockets.asyncio.connection", "websockets.client", "prefect.utilities.math",
                     "prefect._internal._observation_delivery"):
            importlib.import_module(name)
        isolate_background_random()
        yield


@pytest.fixture
def bridge(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBridge]:
    """A fake Sidekiq bridge on loopback that the generated flows talk to, polled quickly."""
    monkeypatch.setattr(bridge_module, "POLL_INITIAL_SECONDS", 0.005)
    monkeypatch.setattr(bridge_module, "POLL_MAX_SECONDS", 0.01)
    monkeypatch.delenv("BATCH2FLOW_BRIDGE_BLOCK", raising=False)
    with FakeBridge(token="t0ken") as fake:
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", fake.url)
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_TOKEN", "t0ken")
        yield fake
