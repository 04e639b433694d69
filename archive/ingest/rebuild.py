"""Rebuild the store and the index from the captures alone.

The new store and index are written beside the old ones and swapped in only when complete: a failure or
Ctrl-C on the way leaves the old archive as it was, and the swap itself (a few renames) runs with
Ctrl-C and SIGTERM held back.
"""
from __future__ import annotations

import shutil
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..datadir import DataDir
from ..fetch.warc import SUFFIXES
from ..index.writing import rebuild_index
from ..store import Store
from .reports import FileReport
from .warcs import Ingest

NEW_SUFFIX = ".rebuild"
OLD_SUFFIX = ".old"
_SQLITE_SIDECARS = ("", "-wal", "-shm", "-journal")


class RebuildRefused(Exception):
    """The rebuilt archive would lose statements the old one has; nothing was swapped."""


@dataclass
class RebuildResult:
    reports: list[FileReport]
    statements: int
    revisions: int
    indexed: int
    dropped: int   # statements of the old archive that no capture holds (imported from JSON Lines, say)

    def to_json(self) -> dict:
        return {"files": [r.to_json() for r in self.reports], "statements": self.statements,
                "revisions": self.revisions, "indexed": self.indexed, "dropped": self.dropped}


def capture_files(captures_dir: Path) -> list[Path]:
    return sorted(p for p in captures_dir.iterdir()
                  if p.is_file() and p.name.endswith(SUFFIXES) and not p.name.startswith("."))


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _db_files(db: Path, suffix: str = "") -> list[Path]:
    return [db.with_name(db.name + suffix + side) for side in _SQLITE_SIDECARS]


def rebuild(dd: DataDir, *, force: bool = False,
            on_progress: Callable[[list[FileReport]], None] | None = None,
            on_indexing: Callable[[int, int], None] | None = None) -> RebuildResult:
    new_db = dd.db_path.with_name(dd.db_path.name + NEW_SUFFIX)
    new_index = dd.index_dir.with_name(dd.index_dir.name + NEW_SUFFIX)
    for leftover in [*_db_files(new_db), new_index]:  # from a rebuild that was stopped
        _remove(leftover)
    files = capture_files(dd.captures_dir) if dd.captures_dir.is_dir() else []
    store = Store(f"sqlite:///{new_db}")
    try:
        reports = Ingest(store, dd.root, on_progress).run(
            [(p.relative_to(dd.root).as_posix(), p) for p in files])
        new_ids = store.statement_ids()
        dropped = _dropped(dd, new_ids)
        if dropped and not force:
            raise RebuildRefused(
                f"{dropped:,} statement{'s' if dropped != 1 else ''} of the archive {'are' if dropped != 1 else 'is'} "
                f"in no capture (imported from JSON Lines?) and would be lost; the archive is unchanged "
                f"(use --force to rebuild without them)")
        indexed = rebuild_index(store, new_index, progress=on_indexing)
        result = RebuildResult(reports, len(new_ids), store.revision_total(), indexed, dropped)
        store.detach()
        _swap(dd, new_db, new_index)
        return result
    except BaseException:
        store.close()
        for leftover in [*_db_files(new_db), new_index]:
            _remove(leftover)
        raise


def _dropped(dd: DataDir, kept: set[str]) -> int:
    """How many statements of the archive being replaced the rebuilt one lacks."""
    if not dd.db_path.exists():
        return 0
    old = Store(dd.db_url)
    try:
        return len(old.statement_ids() - kept)
    finally:
        old.close()


def _swap(dd: DataDir, new_db: Path, new_index: Path) -> None:
    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        old_index = dd.index_dir.with_name(dd.index_dir.name + OLD_SUFFIX)
        for stale in [*_db_files(dd.db_path, OLD_SUFFIX), old_index]:
            _remove(stale)
        # the old database's -wal and -shm go with it: left beside the new file, SQLite would apply them to it
        for current, aside in zip(_db_files(dd.db_path), _db_files(dd.db_path, OLD_SUFFIX)):
            if current.exists():
                current.rename(aside)
        if dd.index_dir.exists():
            dd.index_dir.rename(old_index)
        new_db.rename(dd.db_path)
        new_index.rename(dd.index_dir)
        for aside in [*_db_files(dd.db_path, OLD_SUFFIX), old_index]:
            _remove(aside)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
