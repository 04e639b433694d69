"""/health and /api/health (and `policy-archive health`): whether this node reaches the store, and how far its
index is behind the store's change sequence."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from sqlalchemy.exc import SQLAlchemyError

from ..store import Store
from ..index.follow import applied
from .backend import ArchiveUnavailable, Follower, backend, one_line


def report() -> tuple[dict, int]:
    """This web node's report, and the HTTP status."""
    b = backend()
    return node_report(b.store, b.datadir.index_dir, b.follower)


def node_report(open_store: Callable[[], Store], index_dir: Path, follower: Follower | None = None) -> tuple[dict, int]:
    """What the page, its twin and the command show, and the HTTP status: 503 when the store cannot be reached.

    `lag` is how many changes of the store's sequence the index has not applied; None for an index that does
    not follow the sequence (an embedded archive, indexed as it is crawled) or while the store is unreachable.
    """
    store = {"reachable": True, "error": None, "sequence": None}
    try:
        store["sequence"] = open_store().last_change()
    except (ArchiveUnavailable, SQLAlchemyError) as e:
        store.update(reachable=False, error=one_line(e))
    at = applied(index_dir)
    following = follower is not None or at.at is not None
    lag = max(store["sequence"] - at.seq, 0) if following and store["reachable"] else None
    index = {"following": following, "follower_running": follower is not None, "applied": at.seq,
             "applied_at": at.at.isoformat() if at.at else None, "lag": lag, "follower_error": follower.error if follower else None}
    ok = store["reachable"] and index["follower_error"] is None
    return {"status": "ok" if ok else "failing", "store": store, "index": index}, 200 if store["reachable"] else 503
