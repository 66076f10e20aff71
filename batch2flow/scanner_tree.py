"""Which files below the scanned paths are Ruby: the folder walk of the scanner.

The walk never leaves the scanned paths. A symbolic link is followed only when what it
leads to lies inside one of them (the real path, every link resolved), so a link to a
shared folder of the same tree is read, while one to `/`, to `/dev/zero` or to another
project is reported and left alone. A path the user names is followed if it is itself a
link (they asked for it), and its target then bounds the walk. Nothing is opened here
but the first line of a file without an extension (a `bin/` script?), and only when it
is a regular file; FIFOs, devices and sockets are left to `scanner` to report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from batch2flow import diagnostics as diag
from batch2flow.diagnostics import Diagnostic
from batch2flow.scanner_names import printable
from batch2flow.scanner_read import NotRegular, read_regular

#: folders a Rails tree keeps but which never hold the app's own workflows
SKIPPED_DIRS = frozenset({"vendor", "node_modules", "tmp", "log", ".git", ".bundle", "coverage"})


@dataclass(frozen=True)
class Candidate:
    #: where the file is on disk (as os functions take it)
    path: str
    #: relative to the argument it was found under, before `scanner_names.printable`
    display: str
    #: the real path, every link resolved: two candidates with one are one file
    real: str


def roots_of(paths: list[str]) -> tuple[str, ...]:
    """The real paths the walk stays inside: the arguments, links resolved."""
    return tuple(os.path.realpath(path) for path in paths)


def inside(real: str, roots: tuple[str, ...]) -> bool:
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def ruby_files(root: str, roots: tuple[str, ...]) -> tuple[list[Candidate], list[Diagnostic]]:
    """The Ruby files below `root` (see `is_ruby_name`), folders depth first in name order,
    and a diagnostic for each link out of `roots` and each folder that cannot be listed."""
    if not os.path.isdir(root):
        return [Candidate(root, root, os.path.realpath(root))], []
    found: list[Candidate] = []
    problems: list[Diagnostic] = []
    visited: set[str] = set()
    # a stack, not recursion: a tree thousands of folders deep is still walked; each folder
    # with its real path, so that only links need resolving (an entry that is no link is
    # its folder's real path and its name)
    stack = [(root, "", os.path.realpath(root))]
    while stack:
        folder, prefix, real = stack.pop()
        if real in visited:  # a link back up the tree, or two links to one folder
            continue
        visited.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            problems.append(_skipped(diag.NOT_REGULAR, prefix.rstrip("/") or root,
                                     f"folder cannot be listed ({error.strerror}); skipped"))
            continue
        subfolders = []
        base = real if real.endswith(os.sep) else real + os.sep
        for entry in entries:
            found_kind = _entry_kind(entry, roots, prefix + entry.name, base)
            if isinstance(found_kind, Diagnostic):
                problems.append(found_kind)
            if not isinstance(found_kind, tuple):
                continue
            kind, entry_real = found_kind
            if kind == "folder" and entry.name not in SKIPPED_DIRS:
                subfolders.append((entry.path, prefix + entry.name + "/", entry_real))
            elif kind == "file" and is_ruby(entry.path, entry.name):
                found.append(Candidate(entry.path, prefix + entry.name, entry_real))
        stack.extend(reversed(subfolders))
    return found, problems


def _entry_kind(entry: os.DirEntry[str], roots: tuple[str, ...], display: str, base: str
                ) -> tuple[str, str] | Diagnostic | None:
    """("folder" or "file" (any other thing the scanner reports when it opens it), its real
    path), None for what is skipped without a word, or the diagnostic of a link out of the
    roots. `base`: the real path of the entry's folder, ending in a separator."""
    if not entry.is_symlink():
        return "folder" if entry.is_dir(follow_symlinks=False) else "file", base + entry.name
    real = os.path.realpath(entry.path)
    is_folder = os.path.isdir(real)
    if inside(real, roots):
        return "folder" if is_folder else "file", real
    if is_folder or is_ruby_name(entry.name):
        what = "folder" if is_folder else "file"
        return _skipped(diag.LINK_OUTSIDE, display,
                        f"symbolic link to a {what} outside the scanned folders; not followed")
    return None


def _skipped(code: diag.Code, display: str, message: str) -> Diagnostic:
    return diag.make(code, printable(display), 1, 1, message)


def is_ruby_name(name: str) -> bool:
    return name.endswith((".rb", ".rake")) or name == "Rakefile"


def is_ruby(path: str, name: str) -> bool:
    """`.rb` and `.rake` files, `Rakefile`, and files without an extension that start with
    a Ruby shebang (`bin/`, `script/`): where apps build batches from a task or a script."""
    if is_ruby_name(name):
        return True
    if "." in name:
        return False
    try:
        first = read_regular(path, 200)[1].split(b"\n", 1)[0]
    except (OSError, NotRegular):
        return False
    return first.startswith(b"#!") and b"ruby" in first
