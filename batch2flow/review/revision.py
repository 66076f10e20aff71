"""Reading the Ruby of one revision into a `Graph`, without touching the user's checkout.

The files are copied into a temporary folder, at the same paths relative to the
repository root, and the whole folder is scanned: so every span and diagnostic of
either revision names its file relative to the repository (what GitHub annotations
and a reviewer expect), and the two graphs name the same file the same way.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from batch2flow.graph import build_graph
from batch2flow.ir import Graph
from batch2flow.review.git import Repository, run_git
from batch2flow.scanner import DEFAULT_MAX_BYTES

#: git's mode of a regular file (executable or not); links and submodules are skipped
#: at every revision alike, so a review never reports a difference the tree lacks
_REGULAR = (b"100644", b"100755")


def read_graph(repo: Repository, commit: str | None, max_bytes: int = DEFAULT_MAX_BYTES) -> Graph:
    """The graph of `commit` (a full sha), or of the work tree when None."""
    with tempfile.TemporaryDirectory(prefix="batch2flow-review-") as folder:
        tree = Path(folder)
        if commit is None:
            _copy_work_tree(repo, tree)
        else:
            _write_commit(repo, commit, tree)
        return build_graph([str(tree)], max_bytes)


def _copy_work_tree(repo: Repository, tree: Path) -> None:
    """Tracked and untracked (not ignored) Ruby files under the paths, as they are on disk."""
    listed = run_git(repo.root, "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                     "--", *repo.paths)
    for name in sorted(set(listed.decode("utf-8", "surrogateescape").split("\0"))):
        source = repo.root / name
        # a tracked file deleted in the work tree is still listed by --cached
        if name.endswith(".rb") and source.is_file() and not source.is_symlink():
            target = tree / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _write_commit(repo: Repository, commit: str, tree: Path) -> None:
    listing = run_git(repo.root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *repo.paths)
    wanted: list[tuple[str, bytes]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, _kind, sha = meta.split(b" ")
        if mode in _REGULAR and path.endswith(b".rb"):
            wanted.append((path.decode("utf-8", "surrogateescape"), sha))
    contents = _blobs(repo, [sha for _, sha in wanted])
    for name, sha in wanted:
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(contents[sha])


def _blobs(repo: Repository, shas: list[bytes]) -> dict[bytes, bytes]:
    """Every blob's bytes, read in one `cat-file --batch` call."""
    if not shas:
        return {}
    unique = sorted(set(shas))
    out = run_git(repo.root, "cat-file", "--batch", stdin=b"\n".join(unique) + b"\n")
    found: dict[bytes, bytes] = {}
    at = 0
    for sha in unique:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split(b" ")[2])
        found[sha] = out[header_end + 1: header_end + 1 + size]
        # each blob is followed by one newline
        at = header_end + 1 + size + 1
    return found
