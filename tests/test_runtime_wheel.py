"""`batch2flow runtime-wheel`: the runtime the flows import, as a wheel needing Prefect only.
Checked as pip and a worker would meet it: the same bytes each time, a RECORD that matches,
and, installed into a fresh venv, flows that import with the converter's libraries gone.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import batch2flow
from batch2flow import runtime_wheel
from batch2flow.cli import main
from batch2flow.convert import convert
from batch2flow.runtime_wheel import (
    ForeignImport,
    RuntimeNotSelfContained,
    build_runtime_wheel,
    foreign_imports,
    runtime_wheel_bytes,
    wheel_name,
)

PACKAGE = Path(batch2flow.__file__).parent
RUNTIME = PACKAGE / "runtime"
REPO = PACKAGE.parent
SEED = REPO / "fixtures" / "seed_pipeline"


def test_the_same_sources_give_the_same_bytes(tmp_path: Path) -> None:
    first = build_runtime_wheel(tmp_path / "one")
    second = build_runtime_wheel(tmp_path / "two")
    assert first.name == second.name == f"batch2flow_runtime-{batch2flow.__version__}-py3-none-any.whl"
    assert first.read_bytes() == second.read_bytes()
    entries = zipfile.ZipFile(first).infolist()
    assert {(e.date_time, e.external_attr >> 16, e.compress_type) for e in entries} == {
        ((1980, 1, 1, 0, 0, 0), 0o644, zipfile.ZIP_DEFLATED)}


def test_the_wheel_holds_the_runtime_and_a_record_that_matches_it() -> None:
    wheel = zipfile.ZipFile(io.BytesIO(runtime_wheel_bytes()))
    info = f"batch2flow_runtime-{batch2flow.__version__}.dist-info"
    names = wheel.namelist()
    assert sorted(names) == sorted([
        "batch2flow/__init__.py", *(f"batch2flow/runtime/{p.name}" for p in RUNTIME.glob("*.py")),
        f"{info}/METADATA", f"{info}/WHEEL", f"{info}/top_level.txt", f"{info}/RECORD"])
    rows = list(csv.reader(io.StringIO(wheel.read(f"{info}/RECORD").decode())))
    assert [row[0] for row in rows] == names
    for name, digest, size in rows:
        if name.endswith("RECORD"):
            assert (digest, size) == ("", "")
            continue
        data = wheel.read(name)
        encoded = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert digest == f"sha256={encoded}"
        assert int(size) == len(data)
    metadata = wheel.read(f"{info}/METADATA").decode().splitlines()
    assert "Name: batch2flow-runtime" in metadata and "Requires-Dist: prefect>=3.4,<4" in metadata
    requires = [line for line in metadata if line.startswith("Requires-Dist")]
    assert requires == ["Requires-Dist: prefect>=3.4,<4"]
    assert "Requires-Python: >=3.10" in metadata
    assert wheel.read("batch2flow/__init__.py") == (PACKAGE / "__init__.py").read_bytes()


def test_the_requirements_are_the_projects_own() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == runtime_wheel.REQUIRES_PYTHON
    prefect = [r for r in project["optional-dependencies"]["prefect"] if r.startswith("prefect")]
    assert list(runtime_wheel.REQUIRES) == prefect


#: run in the venv: the converter's libraries and modules cannot be imported at all
WORKER = r"""
import importlib, importlib.util, pathlib, sys
BLOCKED = ("tree_sitter", "tree_sitter_ruby", "libcst", "jinja2", "click")
class Blocker:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        converter = top == "batch2flow" and name not in ("batch2flow", "batch2flow.runtime") \
            and not name.startswith("batch2flow.runtime.")
        if top in BLOCKED or converter:
            raise ImportError(f"{name} is not on a worker image")
        return None
sys.meta_path.insert(0, Blocker())
for name in (*BLOCKED, "batch2flow.codegen"):  # installed here, so they must fail by the blocker
    try:
        importlib.import_module(name)
    except ImportError:
        continue
    raise SystemExit(f"{name} imported despite the blocker")
import batch2flow.runtime
print(batch2flow.runtime.__file__)
# the checkout's editable install is seen through the system's site-packages: the venv's must come first
own, system = (min(i for i, p in enumerate(sys.path) if p.startswith(prefix) and p.endswith("site-packages"))
               for prefix in (sys.prefix, sys.base_prefix))
assert own < system, sys.path
for module in sorted(p.stem for p in pathlib.Path(batch2flow.runtime.__file__).parent.glob("*.py")):
    importlib.import_module(f"batch2flow.runtime.{module}")
spec = importlib.util.spec_from_file_location("data_pipeline", sys.argv[1])
flow_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(flow_module)
print(flow_module.data_pipeline.name)
"""


def test_installed_in_a_venv_the_flows_import_without_the_converter(tmp_path: Path) -> None:
    wheel = build_runtime_wheel(tmp_path / "dist")
    venv = tmp_path / "venv"
    # the system's site-packages give Prefect without a download; the venv's own come first
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)]
    installed = subprocess.run(install, capture_output=True, text=True, check=False)
    assert installed.returncode == 0, installed.stderr
    flow = tmp_path / "data_pipeline.py"
    flow.write_text(convert([str(SEED)], tasks="ruby").files["flows/data_pipeline.py"], encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run([str(python), "-c", WORKER, str(flow)], cwd=work, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    runtime_file, flow_name = done.stdout.split()
    assert Path(runtime_file).is_relative_to(venv), runtime_file  # the wheel's copy, not this checkout
    assert not Path(runtime_file).is_relative_to(REPO), runtime_file
    assert flow_name == "data_pipeline"


def test_a_runtime_module_importing_more_is_refused_naming_its_line(tmp_path: Path) -> None:
    package = tmp_path / "batch2flow"
    shutil.copytree(RUNTIME, package / "runtime", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PACKAGE / "__init__.py", package)
    (package / "runtime" / "parsing_too.py").write_text("import tree_sitter\n", encoding="utf-8")
    with pytest.raises(RuntimeNotSelfContained) as refused:
        build_runtime_wheel(tmp_path / "dist", package=package)
    assert str(refused.value).startswith(f"{package / 'runtime' / 'parsing_too.py'}:1: ")
    assert "tree_sitter" in str(refused.value)
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize("source, module", [
    ("from batch2flow.codegen import names", "batch2flow.codegen"),
    ("from batch2flow import codegen", "batch2flow.codegen"),
    ("from ..codegen import names", "batch2flow.codegen"),
    ("from .. import cli", "batch2flow.cli"),
    ("import batch2flow.analysis", "batch2flow.analysis"),
    ("def later():\n    import libcst", "libcst"),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import jinja2", "jinja2"),
], ids=["from-submodule", "from-package", "relative-module", "relative-name", "import", "in-function",
        "type-checking"])
def test_converter_imports_are_found_wherever_they_hide(tmp_path: Path, source: str, module: str) -> None:
    (tmp_path / "sneaky.py").write_text(source + "\n", encoding="utf-8")
    found = foreign_imports(tmp_path)
    assert [(f.module, f.line) for f in found] == [(module, source.count("\n") + 1)]


@pytest.mark.parametrize("source", [
    "from batch2flow import __version__", "from batch2flow.runtime import bridge", "from . import bridge",
    "from .bridge import BridgeError", "import batch2flow.runtime.keys", "from prefect import flow",
    "from pydantic import SecretStr", "import http.client", "from __future__ import annotations",
], ids=lambda source: source.split(" ")[1])
def test_the_runtime_and_the_standard_library_are_allowed(tmp_path: Path, source: str) -> None:
    (tmp_path / "fine.py").write_text(source + "\n", encoding="utf-8")
    assert foreign_imports(tmp_path) == []


def test_the_runtime_as_it_is_is_self_contained() -> None:
    assert foreign_imports(RUNTIME) == []


def test_the_command_writes_once_and_never_replaces_another_file_unasked(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["runtime-wheel", "-o", str(tmp_path)])
    assert first.exit_code == 0, first.output
    path = tmp_path / wheel_name()
    assert path.read_bytes() == runtime_wheel_bytes()
    assert first.output.splitlines()[0] == f"wrote {path}" and "pip install" in first.output
    again = runner.invoke(main, ["runtime-wheel", "-o", str(tmp_path)])
    assert again.exit_code == 0 and again.output == f"unchanged {path}\n"
    path.write_bytes(b"someone else's")
    refused = runner.invoke(main, ["runtime-wheel", "-o", str(tmp_path)])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert path.read_bytes() == b"someone else's"
    forced = runner.invoke(main, ["runtime-wheel", "-o", str(tmp_path), "--force"])
    assert forced.exit_code == 0 and path.read_bytes() == runtime_wheel_bytes()


def test_the_command_names_the_import_that_stops_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = ForeignImport(RUNTIME / "bridge.py", 7, "tree_sitter")
    monkeypatch.setattr(runtime_wheel, "foreign_imports", lambda runtime_dir: [bad])
    result = CliRunner().invoke(main, ["runtime-wheel", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{RUNTIME / 'bridge.py'}:7: the runtime imports tree_sitter" in result.output
    assert list(tmp_path.iterdir()) == []
