"""Bringing a data folder written by an older version up to date, in place, when the store opens."""
from __future__ import annotations

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection, Engine

from ..model import CONTENT_HASH_VERSION, content_hash
from .changes import seed
from .tables import aware, revisions, statements, store_meta


def migrate(engine: Engine) -> None:
    _add_missing_columns(engine)
    _rehash(engine)
    with engine.begin() as conn:
        _seed_changes(conn)


def _add_missing_columns(engine: Engine):
    """Columns added after a data folder was created: add them in place, with their defaults."""
    have = {c["name"] for c in inspect(engine).get_columns("statements")}
    with engine.begin() as conn:
        if "turns" not in have:
            conn.execute(text("ALTER TABLE statements ADD COLUMN turns JSON NOT NULL DEFAULT '[]'"))
        if "withdrawn_at" not in have:
            conn.execute(text("ALTER TABLE statements ADD COLUMN withdrawn_at DATETIME"))
        if "date_source" not in have:
            # where an older row's date came from is not known; that an undated row has none is
            conn.execute(text("ALTER TABLE statements ADD COLUMN date_source VARCHAR(16)"))
            conn.execute(text("UPDATE statements SET date_source = 'none' WHERE date IS NULL"))


def _rehash(engine: Engine, batch: int = 500):
    """A store written with an older content-hash formula is hashed again, in one transaction; revisions
    that now hash alike were markup changes, and are merged into one (first seen of the earlier, last
    seen of the later)."""
    with engine.begin() as conn:
        version = conn.execute(select(store_meta.c.value).where(store_meta.c.key == "content_hash")).scalar()
        if version == CONTENT_HASH_VERSION:
            return
        last = ""
        while True:
            rows = conn.execute(select(statements).where(statements.c.id > last).order_by(statements.c.id)
                                .limit(batch)).mappings().all()
            if not rows:
                break
            last = rows[-1]["id"]
            for row in rows:
                _rehash_statement(conn, row)
        values = {"key": "content_hash", "value": CONTENT_HASH_VERSION}
        if version is None:
            conn.execute(store_meta.insert().values(**values))
        else:
            conn.execute(store_meta.update().where(store_meta.c.key == "content_hash").values(**values))


def _rehash_statement(conn, row):
    sid = row["id"]
    kept: list[dict] = []
    for rev in conn.execute(select(revisions).where(revisions.c.statement_id == sid)
                            .order_by(revisions.c.seq)).mappings():
        chash = content_hash(rev["title"], rev["paragraphs"])
        if kept and kept[-1]["content_hash"] == chash:
            kept[-1]["last_seen"] = max(aware(kept[-1]["last_seen"]), aware(rev["last_seen"]))
        else:
            kept.append({**rev, "content_hash": chash, "seq": len(kept) + 1})
    conn.execute(revisions.delete().where(revisions.c.statement_id == sid))
    if kept:
        conn.execute(revisions.insert(), kept)
    chash = content_hash(row["title"], row["paragraphs"])
    # the index holds the same words as before: only its bookkeeping follows the new hash
    indexed = chash if row["indexed_hash"] == row["content_hash"] else None
    conn.execute(statements.update().where(statements.c.id == sid).values(
        content_hash=chash, indexed_hash=indexed, revision_count=max(len(kept), 1)))


def _seed_changes(conn: Connection):
    """A store from before the change sequence gets one change per statement (changes.seed), so that an
    index following the sequence from nothing holds them all; a store that has any change is left alone."""
    seed(conn)
