"""An index that follows the store's change sequence (store/changes.py): a web node's own replica, brought
up to date from whatever sequence it last applied, so that a new node needs only the store's address.

The index records the last sequence it applied in APPLIED, a file in the live index's folder written
(whole, by a rename) after the commit that holds those changes. A crash between the commit and the file
leaves the older number, so the next run applies some changes again, which changes nothing (a statement's
document is replaced by its id); it never leaves a number the index does not hold. Two followers of one
index can only move the number back in the same way: each writes a number it has itself committed, after
starting from a number that was committed. A reindex makes a new folder live without the file, and the
follower then applies the whole sequence again into it.

This follows the sequence only; the `indexed_hash` marks of the store (sync_index) are one index's
bookkeeping and are left alone, since every web node has an index of its own.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from sqlalchemy.exc import SQLAlchemyError

from ..model import utcnow
from ..store import Store
from .writing import BATCH, SEGMENT, IndexBusy, clear_leftovers, live_index, write_statements

APPLIED = "APPLIED"


@dataclass
class Applied:
    """Where an index stands in the store's sequence."""
    seq: int
    at: datetime | None


@dataclass
class Round:
    """What one catch-up did: changes applied, statements written, and where the index stands after it."""
    changes: int
    statements: int
    applied: int
    store: int

    def to_json(self) -> dict:
        return {"changes": self.changes, "statements": self.statements, "applied": self.applied,
                "store": self.store, "lag": max(self.store - self.applied, 0)}


def applied(index_dir: Path) -> Applied:
    """The last sequence the live index applied (0, never, for an index that has not followed the store)."""
    try:
        found = json.loads((live_index(index_dir) / APPLIED).read_text(encoding="utf-8"))
        return Applied(int(found["seq"]), datetime.fromisoformat(found["at"]))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return Applied(0, None)


def _record(folder: Path, seq: int, at: datetime) -> None:
    temp = folder / f"{APPLIED}.{os.getpid()}.{threading.get_ident()}"
    with open(temp, "w", encoding="utf-8") as f:
        json.dump({"seq": seq, "at": at.isoformat()}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, folder / APPLIED)


def catch_up(store: Store, index_dir: Path, progress: Callable[[int, int], None] | None = None,
             stop: threading.Event | None = None) -> Round:
    """Apply every change after the index's recorded sequence, in commits of BATCH changes (SEGMENT, written
    as large unmerged segments, while SEGMENT or more are behind); `progress(applied, of)` counts changes.
    A `stop` set meanwhile ends it after the commit under way.

    A recorded sequence beyond the store's last means the store was replaced (a rebuild, a restore): the
    whole sequence is applied again, which brings every statement of the store up to date but leaves the
    documents of statements it no longer holds; `reindex` clears those.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    clear_leftovers(index_dir)
    start = applied(index_dir).seq
    head = store.last_change()
    if start > head:
        start = 0
    seq, changes, written = start, 0, 0
    while stop is None or not stop.is_set():
        bulk = head - seq >= SEGMENT
        batch = store.changes_after(seq, SEGMENT if bulk else BATCH)
        if not batch:
            break
        # a statement changed twice in the batch is written once, as it is now
        ids = list(dict.fromkeys(c["statement_id"] for c in batch))
        folder, indexed = write_statements(store, index_dir, ids, bulk=bulk)
        seq = batch[-1]["seq"]
        _record(folder, seq, utcnow())
        changes += len(batch)
        written += len(indexed)
        head = max(head, seq)
        if progress:
            progress(seq - start, head - start)
    return Round(changes, written, seq, head)


def follow(store: Store, index_dir: Path, interval: float, stop: threading.Event,
           on_round: Callable[[Round], None] | None = None,
           on_error: Callable[[Exception], None] | None = None,
           progress: Callable[[int, int], None] | None = None) -> None:
    """Catch up, then look for new changes every `interval` seconds until `stop` is set. A store that
    cannot be reached, an index another process holds too long or a disk error is reported to `on_error`
    and tried again at the next interval."""
    while not stop.is_set():
        try:
            done = catch_up(store, index_dir, progress, stop)
        except (SQLAlchemyError, IndexBusy, OSError) as e:
            if on_error:
                on_error(e)
        else:
            if on_round:
                on_round(done)
        stop.wait(interval)
