"""The store's change sequence: one numbered row for every write that changes what search or cite answers
(a statement new or changed, its metadata corrected, a link to a version in another language, a page taken
down), written in the transaction that makes the change. An index that records the last number it applied
is brought up to date by applying the rows after it (index/follow.py), in as many copies as there are
web nodes.

Numbers must become visible in the order they are given, or a follower reading `seq > last` could pass
over a row that commits later with a smaller number. On PostgreSQL an identity column alone does not
promise that (two transactions take 7 and 8, and 8 commits first), so the transaction that records changes
first takes `LOCK TABLE changes IN EXCLUSIVE MODE`: the lock is held to its commit, so the next writer
draws its numbers only after this one's are visible. Readers are not blocked (EXCLUSIVE lets plain
SELECTs through). The rows are written at the end of a transaction, just before its commit, so writers
queue for that moment only and not for a whole import. On SQLite one writer at a time holds the database
anyway.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, String, Table, func, select
from sqlalchemy.engine import Connection

from ..model import utcnow
from .tables import aware, metadata, statements

changes = Table(
    "changes", metadata,
    # AUTOINCREMENT on SQLite: a number is never given twice, even after the highest row is gone
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("statement_id", String(32), nullable=False),
    # new, changed, metadata, linked, withdrawn or seeded: for people reading the log; a follower applies
    # them all alike (the statement as stored now, or its removal when it is gone)
    Column("kind", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)


class Pending:
    """The changes a transaction has made so far, written by `record` when it is about to commit."""

    def __init__(self):
        self.items: list[tuple[str, str]] = []

    def add(self, sid: str, kind: str) -> None:
        self.items.append((sid, kind))


def record(conn: Connection, items: list[tuple[str, str]], at: datetime | None = None) -> None:
    """Number `items` ((statement id, kind)) in `conn`'s transaction, in order; call it last before the
    commit (see the module's docstring for the lock)."""
    if not items:
        return
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE changes IN EXCLUSIVE MODE")
    at = at or utcnow()
    conn.execute(changes.insert(), [{"statement_id": sid, "kind": kind, "at": at} for sid, kind in items])


def seed(conn: Connection) -> int:
    """An archive stored before the sequence existed: one change per statement, so that a follower starting
    from nothing indexes every one. Only when no change was ever recorded; how many rows were written."""
    if conn.execute(select(changes.c.seq).limit(1)).first() is not None:
        return 0
    ids = list(conn.execute(select(statements.c.id).order_by(statements.c.id)).scalars())
    record(conn, [(sid, "seeded") for sid in ids])
    return len(ids)


class ChangeLog:
    """Reading the sequence; mixed into Store (which gives `engine`)."""

    def last_change(self) -> int:
        """The highest sequence number given, 0 for a store with none."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.coalesce(func.max(changes.c.seq), 0))).scalar_one()

    def changes_after(self, seq: int, limit: int) -> list[dict]:
        """Up to `limit` changes numbered above `seq`, in order: seq, statement_id, kind, at."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(changes).where(changes.c.seq > seq).order_by(changes.c.seq)
                                .limit(limit)).mappings().all()
        return [{**r, "at": aware(r["at"])} for r in rows]
