"""The store: statements, their append-only text revisions, and crawl state per URL (with what each listing
gave and the pages a crawl still owes).

SQLAlchemy Core keeps the SQL portable (SQLite now, PostgreSQL later); nothing here knows about HTML,
HTTP or the index.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import (JSON, bindparam, Column, DateTime, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        and_, create_engine, event, func, select)
from sqlalchemy.engine import Engine

from .model import CONTENT_HASH_VERSION, Statement, content_hash, utcnow

metadata = MetaData()

statements = Table(
    "statements", metadata,
    Column("id", String(32), primary_key=True),
    Column("source", String(64), nullable=False, index=True),
    Column("guid", Text),
    Column("url", Text, nullable=False, index=True),
    Column("country", String(2), nullable=False),
    Column("ministry", Text, nullable=False),
    Column("language", String(35), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("title", Text, nullable=False),
    # ISO 8601 with its offset as published; the offset is what a reader of the original page saw
    Column("date", String(32), index=True),
    Column("speakers", JSON, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("paragraphs", JSON, nullable=False),
    # transcript turns: [{"speaker", "role", "start", "end"}] over `paragraphs`; empty for other texts
    Column("turns", JSON, nullable=False, default=[]),
    Column("content_hash", String(64), nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("revision_count", Integer, nullable=False),
    # equals content_hash once the index holds this version; a mismatch is work left for the indexer
    Column("indexed_hash", String(64)),
    # when its official page was first found answering 404 or 410; None while it is published
    Column("withdrawn_at", DateTime(timezone=True)),
)

revisions = Table(
    "revisions", metadata,
    Column("statement_id", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("paragraphs", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

# facts about the store itself: which content-hash formula its rows were written with
store_meta = Table(
    "store_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

crawl_state = Table(
    "crawl_state", metadata,
    Column("url", Text, primary_key=True),
    Column("source", String(64), nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("status", Integer),
    Column("content_hash", String(64)),
    Column("fetched_at", DateTime(timezone=True)),
)

# What a listing page gave the last time it was read whole: a 304 means "the same links", so a crawl that
# wants more than the last one (an older --since, more pages) walks on from here without refetching.
listing_memory = Table(
    "listing_memory", metadata,
    Column("url", Text, primary_key=True),
    Column("source", String(64), nullable=False),
    Column("links", JSON, nullable=False),        # [[url, title, date ISO or None]], as the page listed them
    Column("next_pages", JSON, nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=False),
)

# Pages a crawl saw and has not yet read: articles linked from a listing and not stored, listing pages
# that failed. A row is written before the page is fetched and deleted only once it is stored, so neither a
# failure nor a killed process loses it; every crawl of the source tries again what is due.
owed = Table(
    "owed", metadata,
    Column("url", Text, primary_key=True),
    Column("source", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),   # "article" or "listing"
    Column("title", Text),
    Column("date", String(32)),                    # an article's date as its listing gave it (some pages have none)
    Column("since", String(32)),                   # a listing's: the window of the crawl that wanted it
    Column("depth", Integer, nullable=False, default=0),  # a listing's place in its series (for --max-pages)
    Column("attempts", Integer, nullable=False, default=0),
    Column("gone", Integer, nullable=False, default=0),    # how many of those attempts answered 404 or 410
    Column("next_try", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    # set when a page that never was stored kept answering 404/410: no longer tried, still reported
    Column("given_up_at", DateTime(timezone=True)),
)


@dataclass
class SaveResult:
    id: str
    outcome: str  # "new", "changed" or "unchanged"


def _aware(dt: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we write is UTC
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


# captures ------------------------------------------------------------------------------------------
# Where each captured response lies in the WARC files, so a capture is shown or downloaded without
# scanning files. Filled as the crawler writes a record and as `import` or `rebuild` read one.

captures = Table(
    "captures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, index=True),
    # relative to the data directory, so the folder can be moved whole
    Column("warc_file", Text, nullable=False),
    Column("offset", Integer, nullable=False),
    Column("length", Integer, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("captured_at", DateTime(timezone=True), nullable=False, index=True),
    Column("status", Integer, nullable=False),
    Column("content_type", Text),
    UniqueConstraint("warc_file", "offset", name="one_row_per_record"),
)


def _capture_dict(row) -> dict:
    return {**row, "captured_at": _aware(row["captured_at"])}


class CaptureStore:
    """The captures table; mixed into Store."""

    def add_captures(self, rows: list[dict]) -> int:
        """Record captures (url, warc_file, offset, length, record_id, captured_at, status, content_type);
        a record already listed is left as it is. Returns how many were new."""
        if not rows:
            return 0
        with self.engine.begin() as conn:
            have = set(conn.execute(select(captures.c.warc_file, captures.c.offset).where(
                captures.c.warc_file.in_({r["warc_file"] for r in rows}))).all())
            fresh = [r for r in rows if (r["warc_file"], r["offset"]) not in have]
            if fresh:
                conn.execute(captures.insert(), fresh)
        return len(fresh)

    def capture(self, capture_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(captures).where(captures.c.id == capture_id)).mappings().first()
        return _capture_dict(row) if row else None

    def statement_captures(self, sid: str) -> list[dict]:
        """The captures a statement was read from, newest first: its own page's, and the listing or feed
        responses it was seen in (a statement's seen times are the capture times of the responses that
        carried it, so those match exactly)."""
        with self.engine.connect() as conn:
            st = conn.execute(select(statements.c.url, statements.c.fetched_at, statements.c.first_seen)
                              .where(statements.c.id == sid)).first()
            if st is None:
                return []
            seen = {st.fetched_at, st.first_seen}
            for first, last in conn.execute(select(revisions.c.first_seen, revisions.c.last_seen)
                                            .where(revisions.c.statement_id == sid)):
                seen.update((first, last))
            rows = conn.execute(select(captures).where(
                (captures.c.url == st.url) | captures.c.captured_at.in_(seen))
                .order_by(captures.c.captured_at.desc(), captures.c.id.desc())).mappings().all()
        return [_capture_dict(r) for r in rows]

    # for `rebuild`, which compares the archive it made with the one it replaces

    def statement_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(statements.c.id)).scalars())

    def revision_total(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(revisions)).scalar_one()

    def detach(self) -> None:
        """Close for good, with everything in the main file (no -wal beside it), so the file can be moved."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        self.engine.dispose()


class Store(CaptureStore):
    def __init__(self, url: str):
        self.engine: Engine = create_engine(url)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)
        _add_missing_columns(self.engine)
        _rehash(self.engine)

    def close(self):
        self.engine.dispose()

    # statements -------------------------------------------------------------------------------------

    def save(self, st: Statement, seen_at: datetime | None = None) -> SaveResult:
        """Insert or update one statement in one transaction; a new title or text appends a revision."""
        with self.engine.begin() as conn:
            return self._save(conn, st, seen_at)

    def save_many(self, items: list[Statement], seen_at: datetime | None = None) -> list[SaveResult]:
        """All or nothing: one transaction for the lot (an import file lands whole or not at all)."""
        with self.engine.begin() as conn:
            return [self._save(conn, st, seen_at) for st in items]

    def import_many(self, items: list[Statement], seen_at: datetime | None = None) -> list[SaveResult]:
        """All or nothing, for an imported file, in the file's order.

        A file says which texts a statement had, not when they were seen, so the import can only present
        them again: a text the statement already had before this import (any of its revisions) appends
        nothing and moves no time, and importing a file again changes nothing. A text it never had is
        appended, seen at `seen_at` (now), and so is every later text of the same statement in this file,
        which then goes on past what was recorded (A, B, A on a statement holding A gives A, B, A).
        """
        seen_at = seen_at or utcnow()
        with self.engine.begin() as conn:
            known = self._known_texts(conn, list({st.id for st in items}))
            extended: set[str] = set()
            out = []
            for st in items:
                if st.id not in extended and st.content_hash in known.get(st.id, ()):
                    out.append(self._restate(conn, st))
                    continue
                out.append(self._save(conn, st, seen_at))
                extended.add(st.id)
            return out

    def _restate(self, conn, st: Statement) -> SaveResult:
        """A text already recorded, presented again: only a correction of the latest one's metadata (a
        speaker, a kind) is taken, and the index follows it."""
        problems = st.problems()
        if problems:
            raise ValueError(f"refusing to store {st.url}: {', '.join(problems)}")
        old = conn.execute(select(statements).where(statements.c.id == st.id)).mappings().first()
        if old["content_hash"] == st.content_hash:
            row = self._row(st)
            if any(old[k] != v for k, v in row.items()):
                conn.execute(statements.update().where(statements.c.id == st.id).values(**row, indexed_hash=None))
        return SaveResult(st.id, "unchanged")

    @staticmethod
    def _row(st: Statement) -> dict:
        """A statement's columns that come from its text and metadata, not from when it was seen."""
        return {
            "source": st.source, "guid": st.guid, "url": st.url, "country": st.country,
            "ministry": st.ministry, "language": st.language, "kind": st.kind, "title": st.title,
            "date": st.date.isoformat() if st.date else None, "speakers": st.speakers, "tags": st.tags,
            "paragraphs": st.paragraphs, "turns": [t.to_json() for t in st.turns], "content_hash": st.content_hash,
        }

    @staticmethod
    def _known_texts(conn, ids: list[str], batch: int = 500) -> dict[str, set[str]]:
        """Statement id → the content hashes of all its revisions, for the ids that are stored."""
        known: dict[str, set[str]] = {}
        for i in range(0, len(ids), batch):
            for sid, chash in conn.execute(select(revisions.c.statement_id, revisions.c.content_hash)
                                           .where(revisions.c.statement_id.in_(ids[i:i + batch]))):
                known.setdefault(sid, set()).add(chash)
        return known

    def _save(self, conn, st: Statement, seen_at: datetime | None) -> SaveResult:
        problems = st.problems()
        if problems:
            raise ValueError(f"refusing to store {st.url}: {', '.join(problems)}")
        seen_at = seen_at or st.fetched_at or utcnow()
        sid, chash = st.id, st.content_hash
        row = {
            **self._row(st), "fetched_at": seen_at,
            # read again from the site, so published again (a page that came back after a 404)
            "withdrawn_at": None,
        }
        old = conn.execute(select(statements).where(statements.c.id == sid)).mappings().first()
        if old is None:
            conn.execute(statements.insert().values(id=sid, first_seen=seen_at, revision_count=1, **row))
            conn.execute(revisions.insert().values(
                statement_id=sid, seq=1, title=st.title, paragraphs=st.paragraphs, content_hash=chash,
                first_seen=seen_at, last_seen=seen_at))
            return SaveResult(sid, "new")
        last = conn.execute(select(revisions).where(revisions.c.statement_id == sid)
                            .order_by(revisions.c.seq.desc()).limit(1)).first()
        if last.content_hash == chash:
            conn.execute(revisions.update().where(and_(revisions.c.statement_id == sid,
                                                       revisions.c.seq == last.seq))
                         .values(last_seen=max(_aware(last.last_seen), seen_at)))
            # metadata (speaker, kind, date) may be corrected without a text revision; the index must follow
            stale = any(old[k] != v for k, v in row.items() if k != "fetched_at")
            extra = {"indexed_hash": None} if stale else {}
            conn.execute(statements.update().where(statements.c.id == sid).values(**row, **extra))
            return SaveResult(sid, "unchanged")
        conn.execute(revisions.insert().values(
            statement_id=sid, seq=last.seq + 1, title=st.title, paragraphs=st.paragraphs,
            content_hash=chash, first_seen=seen_at, last_seen=seen_at))
        conn.execute(statements.update().where(statements.c.id == sid)
                     .values(revision_count=old["revision_count"] + 1, **row))
        return SaveResult(sid, "changed")

    def get(self, sid: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(statements).where(statements.c.id == sid)).mappings().first()
        return _statement_dict(row) if row else None

    def revisions(self, sid: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(revisions).where(revisions.c.statement_id == sid)
                                .order_by(revisions.c.seq)).mappings().all()
        return [{**r, "first_seen": _aware(r["first_seen"]), "last_seen": _aware(r["last_seen"])} for r in rows]

    def recent_changes(self, limit: int = 50) -> list[dict]:
        """The newest text revisions after the first, across the archive: edits made after publication."""
        query = (select(revisions.c.statement_id.label("id"), revisions.c.seq, revisions.c.title,
                        statements.c.ministry, revisions.c.first_seen)
                 .join(statements, statements.c.id == revisions.c.statement_id)
                 .where(revisions.c.seq > 1)
                 .order_by(revisions.c.first_seen.desc(), revisions.c.statement_id, revisions.c.seq.desc())
                 .limit(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [{**r, "first_seen": _aware(r["first_seen"])} for r in rows]

    def iter_statements(self, batch: int = 500) -> Iterator[dict]:
        """All statements in id order, fetched in batches so memory stays flat at any archive size."""
        last = ""
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(select(statements).where(statements.c.id > last)
                                    .order_by(statements.c.id).limit(batch)).mappings().all()
            if not rows:
                return
            for r in rows:
                yield _statement_dict(r)
            last = rows[-1]["id"]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(statements)).scalar_one()

    def unindexed_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(statements.c.id).where(
                (statements.c.indexed_hash.is_(None)) | (statements.c.indexed_hash != statements.c.content_hash)
            )).scalars())

    def get_many(self, ids: list[str]) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(statements).where(statements.c.id.in_(ids))).mappings().all()
        return [_statement_dict(r) for r in rows]

    def mark_indexed(self, pairs: list[tuple[str, str]]):
        if not pairs:
            return
        with self.engine.begin() as conn:
            conn.execute(statements.update().where(statements.c.id == bindparam("sid"))
                         .values(indexed_hash=bindparam("chash")),
                         [{"sid": sid, "chash": chash} for sid, chash in pairs])

    def clear_indexed(self):
        with self.engine.begin() as conn:
            conn.execute(statements.update().values(indexed_hash=None))

    def same_day(self, date_prefix: str, exclude: str, limit: int = 10) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(statements.c.id, statements.c.title, statements.c.ministry,
                                       statements.c.date, statements.c.source)
                                .where(statements.c.date.like(date_prefix + "%"), statements.c.id != exclude)
                                .order_by(statements.c.date).limit(limit)).mappings().all()
        return [dict(r) for r in rows]

    def withdraw(self, url: str, source: str, status: int, at: datetime) -> list[str]:
        """The article page at `url` answered `status` (404, 410) at `at`: statements of `source` there not yet
        marked withdrawn are marked so (their ids are returned), and a page read before stays one to check
        again later."""
        where = and_(statements.c.url == url, statements.c.source == source, statements.c.withdrawn_at.is_(None))
        with self.engine.begin() as conn:
            ids = list(conn.execute(select(statements.c.id).where(where)).scalars())
            if ids:
                conn.execute(statements.update().where(where).values(withdrawn_at=at))
        held = self.crawl_state(url)
        if held and held["content_hash"]:
            self.set_crawl_state(url, source, status=status, content_hash=held["content_hash"], fetched_at=at)
        return ids

    def recent_withdrawals(self, limit: int = 50) -> list[dict]:
        """Statements whose page was taken down, the most recently found first."""
        query = (select(statements.c.id, statements.c.title, statements.c.ministry, statements.c.url,
                        statements.c.withdrawn_at)
                 .where(statements.c.withdrawn_at.is_not(None))
                 .order_by(statements.c.withdrawn_at.desc(), statements.c.id).limit(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [{**r, "withdrawn_at": _aware(r["withdrawn_at"])} for r in rows]

    def withdrawn_among(self, ids: list[str]) -> dict[str, datetime]:
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(statements.c.id, statements.c.withdrawn_at).where(
                statements.c.id.in_(ids), statements.c.withdrawn_at.is_not(None))).all()
        return {sid: _aware(at) for sid, at in rows}

    # crawl state -----------------------------------------------------------------------------------

    def recheck_urls(self, source: str, limit: int, before: datetime) -> list[str]:
        """Article pages of `source` last fetched before `before`, to fetch again for edits and take-downs,
        the longest unchecked first.

        Only pages read as articles carry a content hash; listings and feeds are walked by every crawl anyway.
        """
        with self.engine.connect() as conn:
            return list(conn.execute(select(crawl_state.c.url).where(
                crawl_state.c.source == source, crawl_state.c.content_hash.is_not(None),
                crawl_state.c.fetched_at < before)
                .order_by(crawl_state.c.fetched_at, crawl_state.c.url).limit(limit)).scalars())

    def crawl_state(self, url: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(crawl_state).where(crawl_state.c.url == url)).mappings().first()
        return dict(row) if row else None

    def known_urls(self, source: str) -> set[str]:
        """Pages a crawl need not fetch as new: read before, or articles held and since taken down (which
        rechecks visit)."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(crawl_state.c.url).where(
                crawl_state.c.source == source,
                (crawl_state.c.status == 200) | crawl_state.c.content_hash.is_not(None))).scalars())

    def set_crawl_state(self, url: str, source: str, *, status: int, etag: str | None = None,
                        last_modified: str | None = None, content_hash: str | None = None,
                        fetched_at: datetime | None = None):
        """Record a fetch of `url`; an article stored (`content_hash`) is no longer owed."""
        with self.engine.begin() as conn:
            _set_crawl_state(conn, url, source, status=status, etag=etag, last_modified=last_modified,
                             content_hash=content_hash, fetched_at=fetched_at)
            if content_hash is not None:
                conn.execute(owed.delete().where(owed.c.url == url))

    # what listings gave, and what is owed ----------------------------------------------------------

    def read_listing(self, url: str, source: str, *, links: list[tuple[str, str, str | None]],
                     next_pages: list[str], owe: list[tuple[str, str, str | None]], etag: str | None,
                     last_modified: str | None, fetched_at: datetime):
        """A listing read whole, in one transaction: what it links to, the articles it makes owed (url,
        title, date; those already owed keep their attempts), and its validators. The validators may be
        recorded at once because a 304 later means "these links", and the owed rows keep every article
        not yet stored."""
        with self.engine.begin() as conn:
            conn.execute(listing_memory.delete().where(listing_memory.c.url == url))
            conn.execute(listing_memory.insert().values(url=url, source=source, links=[list(ln) for ln in links],
                                                        next_pages=next_pages, read_at=fetched_at))
            _owe_articles(conn, source, owe, utcnow())
            conn.execute(owed.delete().where(owed.c.url == url))
            _set_crawl_state(conn, url, source, status=200, etag=etag, last_modified=last_modified,
                             fetched_at=fetched_at)

    def listing_memory(self, url: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(listing_memory).where(listing_memory.c.url == url)).mappings().first()
        return dict(row) if row else None

    def owe_articles(self, source: str, items: list[tuple[str, str, str | None]], at: datetime):
        """Articles (url, title, date) seen and not stored become owed; those owed already stay as they are."""
        with self.engine.begin() as conn:
            _owe_articles(conn, source, items, at)

    def owe_listing(self, url: str, source: str, *, depth: int, since: str, at: datetime):
        """A listing page that could not be read: owed, with the window and depth the crawl wanted it at
        (the widest of them when several crawls did)."""
        with self.engine.begin() as conn:
            row = conn.execute(select(owed.c.since, owed.c.depth).where(owed.c.url == url)).first()
            if row is None:
                conn.execute(owed.insert().values(url=url, source=source, kind="listing", since=since, depth=depth,
                                                  attempts=0, gone=0, next_try=at, first_seen=at))
            else:
                conn.execute(owed.update().where(owed.c.url == url).values(since=min(row.since, since),
                                                                           depth=min(row.depth, depth)))

    def owed_due(self, source: str, now: datetime) -> list[dict]:
        """Owed pages of `source` to try again now (not given up), listings first, the oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(owed).where(owed.c.source == source, owed.c.given_up_at.is_(None),
                                                   owed.c.next_try <= now)
                                .order_by(owed.c.kind.desc(), owed.c.first_seen, owed.c.url)).mappings().all()
        return [_owed_dict(r) for r in rows]

    def owed_entry(self, url: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(owed).where(owed.c.url == url)).mappings().first()
        return _owed_dict(row) if row else None

    def owed_counts(self, source: str) -> tuple[int, int]:
        """(still owed, given up) for `source`."""
        counted = select(func.count()).select_from(owed).where(owed.c.source == source)
        with self.engine.connect() as conn:
            return (conn.execute(counted.where(owed.c.given_up_at.is_(None))).scalar_one(),
                    conn.execute(counted.where(owed.c.given_up_at.is_not(None))).scalar_one())

    def owed_failed(self, url: str, *, error: str, gone: bool, next_try: datetime, give_up: bool, at: datetime):
        """One more failed attempt at an owed page; `give_up` stops further tries (the row stays, reported)."""
        with self.engine.begin() as conn:
            conn.execute(owed.update().where(owed.c.url == url).values(
                attempts=owed.c.attempts + 1, gone=owed.c.gone + (1 if gone else 0), next_try=next_try,
                last_error=error, given_up_at=at if give_up else None))


def _set_crawl_state(conn, url: str, source: str, *, status: int, etag: str | None, last_modified: str | None,
                     content_hash: str | None = None, fetched_at: datetime | None = None):
    values = {"source": source, "status": status, "fetched_at": fetched_at or utcnow()}
    if status != 304:
        # a 304 confirms the validators we sent; anything else replaces them
        values.update(etag=etag, last_modified=last_modified, content_hash=content_hash)
    exists = conn.execute(select(crawl_state.c.url).where(crawl_state.c.url == url)).first()
    if exists:
        conn.execute(crawl_state.update().where(crawl_state.c.url == url).values(**values))
    else:
        conn.execute(crawl_state.insert().values(url=url, **values))


def _owe_articles(conn, source: str, items: list[tuple[str, str, str | None]], at: datetime):
    wanted = {url: (title, date) for url, title, date in items}
    have = set(conn.execute(select(owed.c.url).where(owed.c.url.in_(list(wanted)))).scalars())
    fresh = [{"url": url, "source": source, "kind": "article", "title": title, "date": date, "depth": 0,
              "attempts": 0, "gone": 0, "next_try": at, "first_seen": at}
             for url, (title, date) in wanted.items() if url not in have]
    if fresh:
        conn.execute(owed.insert(), fresh)


def _owed_dict(row) -> dict:
    return {**row, "next_try": _aware(row["next_try"]), "first_seen": _aware(row["first_seen"]),
            "given_up_at": _aware(row["given_up_at"])}


def _add_missing_columns(engine: Engine):
    """Columns added after a data folder was created: add them in place, with their defaults."""
    from sqlalchemy import inspect, text
    have = {c["name"] for c in inspect(engine).get_columns("statements")}
    with engine.begin() as conn:
        if "turns" not in have:
            conn.execute(text("ALTER TABLE statements ADD COLUMN turns JSON NOT NULL DEFAULT '[]'"))
        if "withdrawn_at" not in have:
            conn.execute(text("ALTER TABLE statements ADD COLUMN withdrawn_at DATETIME"))


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
            kept[-1]["last_seen"] = max(_aware(kept[-1]["last_seen"]), _aware(rev["last_seen"]))
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


def _statement_dict(row) -> dict:
    d = dict(row)
    for k in ("first_seen", "fetched_at", "withdrawn_at"):
        d[k] = _aware(d[k])
    return d


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    # WAL lets the web server read while a crawl writes; busy_timeout rides out the writer's commits
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()

