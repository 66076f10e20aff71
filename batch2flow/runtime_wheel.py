"""`batch2flow runtime-wheel`: what the generated flows import, as a wheel of its own.

A Prefect worker's image needs `batch2flow.runtime` and Prefect, not the converter
(tree-sitter, libcst, jinja2, click). The wheel `batch2flow_runtime` holds
`batch2flow/__init__.py` and `batch2flow/runtime/*.py` and requires Prefect only. It is
built here with the standard library, so the same sources always give the same bytes:
entries sorted, one timestamp, one mode, one host system.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import batch2flow

DISTRIBUTION = "batch2flow_runtime"
#: as pyproject.toml's `prefect` extra pins it; its fastapi pin is for Prefect's server, not a worker
REQUIRES = ("prefect>=3.4,<4",)
#: as pyproject.toml's requires-python (tomllib, to read it, is not in Python 3.10)
REQUIRES_PYTHON = ">=3.10"
#: what a runtime module may import besides the standard library: Prefect, and pydantic,
#: which Prefect itself depends on (the bridge block's SecretStr), so it is on every worker
ALLOWED = frozenset({"prefect", "pydantic"})
#: zip entries carry this time: the wheel's bytes depend on the sources only
EPOCH = (1980, 1, 1, 0, 0, 0)
UNIX = 3  # zip "made by" system; zipfile would say 0 on Windows
PACKAGE = Path(batch2flow.__file__).parent
WHEEL = b"Wheel-Version: 1.0\nGenerator: batch2flow\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


@dataclass(frozen=True)
class ForeignImport:
    #: the runtime module that imports it
    file: Path
    #: 1-based line of the import statement
    line: int
    #: what it imports, fully qualified
    module: str

    def __str__(self) -> str:
        return (f"{self.file}:{self.line}: the runtime imports {self.module}, which a worker image "
                "does not have (only the standard library, Prefect and batch2flow.runtime)")


class RuntimeWheelError(Exception):
    """The wheel cannot be built or written; the message says where and why."""


class RuntimeNotSelfContained(RuntimeWheelError):
    """A runtime module imports something the wheel would not bring."""


class WheelInTheWay(RuntimeWheelError):
    """A different file already has the wheel's name."""


def foreign_imports(runtime_dir: Path = PACKAGE / "runtime") -> list[ForeignImport]:
    """Every import in the runtime's modules, at any depth (in functions and under
    TYPE_CHECKING too), of a module that is neither the standard library, nor Prefect,
    nor `batch2flow.__version__` or `batch2flow.runtime`."""
    found: list[ForeignImport] = []
    for path in sorted(runtime_dir.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found += [ForeignImport(path, node.lineno, name) for name in _imported(node)
                          if not _allowed(name)]
    return found


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import statement brings in; `from batch2flow import codegen` and
    relative imports (resolved against batch2flow.runtime) count as what they reach."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # every runtime module lives in batch2flow.runtime
        parent = {1: "batch2flow.runtime", 2: "batch2flow"}.get(node.level, "(beyond batch2flow)")
        base = f"{parent}.{base}" if base else parent
    if base != "batch2flow":  # only the package itself is checked by name: a submodule is a name too
        return [base]
    return [base if alias.name == "__version__" else f"{base}.{alias.name}" for alias in node.names]


def _allowed(module: str) -> bool:
    top = module.split(".", 1)[0]
    if top == "batch2flow":
        return module in ("batch2flow", "batch2flow.runtime") or module.startswith("batch2flow.runtime.")
    return top in sys.stdlib_module_names or top in ALLOWED


def package_version(package: Path = PACKAGE) -> str:
    """`__version__` as `package/__init__.py` sets it, read without importing it."""
    for node in ast.parse((package / "__init__.py").read_bytes()).body:
        if (isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["__version__"]
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    raise RuntimeWheelError(f"{package / '__init__.py'}: sets no __version__ string")


def wheel_name(package: Path = PACKAGE) -> str:
    return f"{DISTRIBUTION}-{package_version(package)}-py3-none-any.whl"


def runtime_wheel_bytes(package: Path = PACKAGE) -> bytes:
    """The wheel's bytes; RuntimeNotSelfContained when a runtime module imports more."""
    foreign = foreign_imports(package / "runtime")
    if foreign:
        raise RuntimeNotSelfContained("\n".join(map(str, foreign)))
    members = {"batch2flow/__init__.py": (package / "__init__.py").read_bytes()}
    for path in sorted((package / "runtime").glob("*.py")):
        members[f"batch2flow/runtime/{path.name}"] = path.read_bytes()
    version = package_version(package)
    info = f"{DISTRIBUTION}-{version}.dist-info"
    members[f"{info}/METADATA"] = _metadata(version).encode()
    members[f"{info}/WHEEL"] = WHEEL
    members[f"{info}/top_level.txt"] = b"batch2flow\n"
    members[f"{info}/RECORD"] = _record(members, f"{info}/RECORD").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in members.items():  # sorted, but the dist-info last and RECORD last of all
            entry = zipfile.ZipInfo(name, EPOCH)
            entry.create_system = UNIX
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return out.getvalue()


def build_runtime_wheel(out_dir: Path, *, force: bool = False, package: Path = PACKAGE) -> Path:
    """Write the wheel into `out_dir`; WheelInTheWay when a file of its name holds other
    bytes (unless `force`). A file with the same bytes is left as it is."""
    data = runtime_wheel_bytes(package)
    path = out_dir / wheel_name(package)
    if path.is_file() and path.read_bytes() == data:
        return path
    if path.exists() and not force:
        raise WheelInTheWay(f"{path} exists and is another file; pass --force to replace it")
    out_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _metadata(version: str) -> str:
    lines = ["Metadata-Version: 2.1", "Name: batch2flow-runtime", f"Version: {version}",
             "Summary: What flows generated by batch2flow import on a Prefect worker: the Sidekiq "
             "bridge client and the batch semantics",
             f"Requires-Python: {REQUIRES_PYTHON}", *(f"Requires-Dist: {r}" for r in REQUIRES)]
    return "\n".join(lines) + "\n"


def _record(members: dict[str, bytes], record: str) -> str:
    rows = []
    for name, data in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append(f"{name},sha256={digest},{len(data)}")
    rows.append(f"{record},,")
    return "\n".join(rows) + "\n"
