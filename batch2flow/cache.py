"""An on-disk cache of whole results, keyed by everything the result is made from.

A key is the hash of the tool's version, the options, and every scanned file's path and
content (with what scanning said of it): a changed, added or removed file, or another
version, is another key, so an entry is never stale, only unused. Entries are written to a
temporary file and renamed into place, so a reader sees a whole entry or none; one that
cannot be read back (cut short, or from another Python) is ignored and written again.

The folder is `$BATCH2FLOW_CACHE_DIR`, else `$XDG_CACHE_HOME/batch2flow`, else
`~/.cache/batch2flow`; `BATCH2FLOW_NO_CACHE=1` turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

#: entries kept (a tree's result, its metadata index and a printout per format): the
#: oldest beyond these are removed when one is written
MAX_ENTRIES = 32
_SUFFIX = ".pickle"


def default_folder() -> Path | None:
    """Where the cache lives, or None when it is turned off."""
    if os.environ.get("BATCH2FLOW_NO_CACHE", "") not in ("", "0"):
        return None
    if os.environ.get("BATCH2FLOW_CACHE_DIR"):
        return Path(os.environ["BATCH2FLOW_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "batch2flow")


def key(parts: Iterable[str]) -> str:
    joined = bytearray()
    for part in parts:
        data = part.encode("utf-8", errors="surrogatepass")
        joined += len(data).to_bytes(8, "little")  # so no two lists of parts hash alike
        joined += data
    return hashlib.sha256(joined).hexdigest()


def content_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", errors="surrogatepass"), digest_size=16).hexdigest()


def load(folder: Path, entry: str) -> object | None:
    """The entry's value, or None when there is none or it cannot be read back."""
    try:
        data = (folder / f"{entry}{_SUFFIX}").read_bytes()
    except OSError:
        return None
    try:
        value: object = pickle.loads(data)  # noqa: S301 (the user's own cache folder)
    except Exception:  # a torn or foreign entry: as if there were none
        return None
    return value


def store(folder: Path, entry: str, value: object) -> None:
    """Write the entry whole or not at all; a cache that cannot be written is no error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=_SUFFIX)
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, folder / f"{entry}{_SUFFIX}")
        except BaseException:
            os.unlink(temporary)
            raise
        _prune(folder)
    except (OSError, pickle.PicklingError):
        return


def _prune(folder: Path) -> None:
    entries = sorted((p for p in folder.glob(f"*{_SUFFIX}") if not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        old.unlink(missing_ok=True)
