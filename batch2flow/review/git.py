"""Running git read-only against the repository that holds the user's paths.

Nothing here writes to the repository: only plumbing that reads objects or lists
files (`rev-parse`, `ls-tree`, `ls-files`, `cat-file`), with optional locks off so
that not even the index's stat cache is refreshed while the user works.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


class ReviewError(Exception):
    """A problem the user can fix (not a git repository, an unknown revision): exit 2."""


@dataclass(frozen=True)
class Repository:
    #: the work tree's top folder
    root: Path
    #: the user's paths, relative to `root` (posix, `.` for the whole tree)
    paths: tuple[str, ...]


def run_git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """git's stdout; a failure becomes a ReviewError carrying git's own message."""
    # literal pathspecs: a folder called `app[1]` is a path, not a glob
    command = ["git", "--literal-pathspecs", "-C", str(root), *args]
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise ReviewError("git is not installed (or not on PATH)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReviewError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def find_repository(paths: list[str]) -> Repository:
    """The repository holding every path (which need not exist in the work tree)."""
    roots: set[Path] = set()
    relative: list[str] = []
    for given in paths or ["."]:
        path = Path(os.path.abspath(given))
        start = _existing_folder(path)
        try:
            top = run_git(start, "rev-parse", "--show-toplevel").decode().strip()
        except ReviewError:
            raise ReviewError(f"{given} is not inside a git repository") from None
        root = Path(os.path.realpath(top))
        real = Path(os.path.realpath(path))
        if real != root and root not in real.parents:
            raise ReviewError(f"{given} is outside the git repository at {root}")
        roots.add(root)
        relative.append(real.relative_to(root).as_posix() if real != root else ".")
    if len(roots) > 1:
        named = ", ".join(map(str, sorted(roots)))
        raise ReviewError(f"the paths are in different git repositories: {named}")
    return Repository(roots.pop(), tuple(relative))


def _existing_folder(path: Path) -> Path:
    # a path deleted in the work tree may still exist at the base: ask git from the
    # nearest folder that is there
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return candidate
    return path


def resolve(repo: Repository, rev: str) -> tuple[str, str]:
    """The commit `rev` names, in full and abbreviated; a clear error when it names none."""
    if rev.startswith("-"):
        # git would read it as an option
        raise ReviewError(f"unknown revision {rev!r}")
    try:
        full = run_git(repo.root, "rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}")
    except ReviewError:
        raise ReviewError(f"unknown revision {rev!r} in {repo.root}") from None
    sha = full.decode().strip()
    short = run_git(repo.root, "rev-parse", "--short", sha).decode().strip()
    return sha, short
