"""The store: statements, their append-only text revisions, and crawl state per URL (with what each listing
gave and the pages a crawl still owes).

SQLAlchemy Core keeps the SQL portable: the same code runs on the embedded SQLite file and on a shared
PostgreSQL server (engines.py); nothing here knows about HTML, HTTP or the index.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterator

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.engine import Engine

from ..model import Statement, utcnow
from .changes import ChangeLog, Pending, record
from .conflicts import insert_missing, insert_new, upsert
from .engines import is_sqlite, open_engine
from .migrations import set_up
from .sametext import SameTextStore, sign
from .tables import (DAY_END, aware, captures, crawl_state, listing_memory, on_day, owed, revisions,
                     statements)
from .versions import TranslationStore, VersionLinks

# links the statements a transaction saved to their other-language versions, within that transaction
Linker = Callable[[VersionLinks], object]


@dataclass
class SaveResult:
    id: str
    outcome: str  # "new", "changed" or "unchanged"


def _capture_dict(row) -> dict:
    return {**row, "captured_at": aware(row["captured_at"])}


class CaptureStore:
    """The captures table; mixed into Store."""

    def add_captures(self, rows: list[dict]) -> int:
        """Record captures (url, warc_file, offset, length, record_id, captured_at, status, content_type);
        a record already listed is left as it is. Returns how many were new."""
        with self.engine.begin() as conn:
            return insert_missing(conn, captures, rows, captures.c.id)

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
        """Close for good; a SQLite file is left with everything in it (no -wal beside it), so it can be moved."""
        if is_sqlite(self.engine):
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        self.engine.dispose()


class Store(CaptureStore, TranslationStore, SameTextStore, ChangeLog):
    def __init__(self, url: str):
        self.engine: Engine = open_engine(url)
        set_up(self.engine)

    def close(self):
        self.engine.dispose()

    # statements -------------------------------------------------------------------------------------

    def save(self, st: Statement, seen_at: datetime | None = None) -> SaveResult:
        """Insert or update one statement in one transaction; a new title or text appends a revision."""
        with self.engine.begin() as conn:
            pending = Pending()
            out = self._save(conn, st, seen_at, pending)
            record(conn, pending.items)
            return out

    def save_many(self, items: list[Statement], seen_at: datetime | None = None,
                  link: Linker | None = None) -> list[SaveResult]:
        """All or nothing: one transaction for the lot (an import file lands whole or not at all), which
        `link` completes with the statements' links to their other-language versions (a failure there stores
        none of them)."""
        with self.engine.begin() as conn:
            pending = Pending()
            out = [self._save(conn, st, seen_at, pending) for st in items]
            if link:
                link(VersionLinks(conn, pending))
            record(conn, pending.items)
            return out

    def import_many(self, items: list[Statement], seen_at: datetime | None = None,
                    link: Linker | None = None) -> list[SaveResult]:
        """All or nothing, for an imported file, in the file's order, linked by `link` as in `save_many`.

        A file says which texts a statement had, not when they were seen, so the import can only present
        them again: a text the statement already had before this import (any of its revisions) appends
        nothing and moves no time, and importing a file again changes nothing. A text it never had is
        appended, seen at `seen_at` (now), and so is every later text of the same statement in this file,
        which then goes on past what was recorded (A, B, A on a statement holding A gives A, B, A).
        """
        seen_at = seen_at or utcnow()
        with self.engine.begin() as conn:
            pending = Pending()
            known = self._known_texts(conn, list({st.id for st in items}))
            extended: set[str] = set()
            out = []
            for st in items:
                if st.id not in extended and st.content_hash in known.get(st.id, ()):
                    out.append(self._restate(conn, st, pending))
                    continue
                out.append(self._save(conn, st, seen_at, pending))
                extended.add(st.id)
            if link:
                link(VersionLinks(conn, pending))
            record(conn, pending.items)
            return out

    def _restate(self, conn, st: Statement, pending: Pending) -> SaveResult:
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
                pending.add(st.id, "metadata")
        return SaveResult(st.id, "unchanged")

    @staticmethod
    def _row(st: Statement) -> dict:
        """A statement's columns that come from its text and metadata, not from when it was seen (the id is
        the key, written on insert)."""
        row = st.to_dict()
        del row["id"]
        return row

    @staticmethod
    def _known_texts(conn, ids: list[str], batch: int = 500) -> dict[str, set[str]]:
        """Statement id → the content hashes of all its revisions, for the ids that are stored."""
        known: dict[str, set[str]] = {}
        for i in range(0, len(ids), batch):
            for sid, chash in conn.execute(select(revisions.c.statement_id, revisions.c.content_hash)
                                           .where(revisions.c.statement_id.in_(ids[i:i + batch]))):
                known.setdefault(sid, set()).add(chash)
        return known

    def _save(self, conn, st: Statement, seen_at: datetime | None, pending: Pending) -> SaveResult:
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
        # the row stays locked to the end of the transaction: another process saving the same statement
        # meanwhile waits, then sees this one's revision (PostgreSQL; SQLite has one writer at a time anyway)
        current = select(statements).where(statements.c.id == sid).with_for_update()
        old = conn.execute(current).mappings().first()
        if old is None:
            if insert_new(conn, statements, {"id": sid, "first_seen": seen_at, "revision_count": 1, **row}):
                conn.execute(revisions.insert().values(
                    statement_id=sid, seq=1, title=st.title, paragraphs=st.paragraphs, content_hash=chash,
                    first_seen=seen_at, last_seen=seen_at))
                sign(conn, sid, st.paragraphs, st.language)
                pending.add(sid, "new")
                return SaveResult(sid, "new")
            # another process stored it first and has committed: this save is a later sighting of it
            old = conn.execute(current).mappings().first()
        last = conn.execute(select(revisions).where(revisions.c.statement_id == sid)
                            .order_by(revisions.c.seq.desc()).limit(1)).first()
        if last.content_hash == chash:
            conn.execute(revisions.update().where(and_(revisions.c.statement_id == sid,
                                                       revisions.c.seq == last.seq))
                         .values(last_seen=max(aware(last.last_seen), seen_at)))
            # metadata (speaker, kind, date) may be corrected without a text revision; the index must follow
            stale = any(old[k] != v for k, v in row.items() if k != "fetched_at")
            extra = {"indexed_hash": None} if stale else {}
            conn.execute(statements.update().where(statements.c.id == sid).values(**row, **extra))
            if stale:
                pending.add(sid, "metadata")
            return SaveResult(sid, "unchanged")
        conn.execute(revisions.insert().values(
            statement_id=sid, seq=last.seq + 1, title=st.title, paragraphs=st.paragraphs,
            content_hash=chash, first_seen=seen_at, last_seen=seen_at))
        conn.execute(statements.update().where(statements.c.id == sid)
                     .values(revision_count=old["revision_count"] + 1, **row))
        sign(conn, sid, st.paragraphs, st.language)
        pending.add(sid, "changed")
        return SaveResult(sid, "changed")

    def get(self, sid: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(statements).where(statements.c.id == sid)).mappings().first()
        return _statement_dict(row) if row else None

    def revisions(self, sid: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(revisions).where(revisions.c.statement_id == sid)
                                .order_by(revisions.c.seq)).mappings().all()
        return [{**r, "first_seen": aware(r["first_seen"]), "last_seen": aware(r["last_seen"])} for r in rows]

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
        return [{**r, "first_seen": aware(r["first_seen"])} for r in rows]

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

    def same_day(self, day: str, exclude: str, limit: int = 10) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(statements.c.id, statements.c.title, statements.c.ministry,
                                       statements.c.date, statements.c.source)
                                .where(on_day(day), statements.c.id != exclude)
                                .order_by(statements.c.date).limit(limit)).mappings().all()
        return [dict(r) for r in rows]

    def statements_of_day(self, day: str) -> list[dict]:
        """Every statement published on `day` (YYYY-MM-DD, the calendar date as the ministry wrote it), by
        country, ministry, time and language."""
        columns = [statements.c[k] for k in ("id", "title", "country", "ministry", "source", "language", "kind",
                                             "speakers", "date", "url")]
        with self.engine.connect() as conn:
            rows = conn.execute(select(*columns).where(on_day(day))
                                .order_by(statements.c.country, statements.c.ministry, statements.c.date,
                                          statements.c.language, statements.c.id)).mappings().all()
        return [dict(r) for r in rows]

    def days_around(self, day: str) -> tuple[str | None, str | None]:
        """The nearest days before and after `day` (YYYY-MM-DD) with any statement, None where there is none."""
        with self.engine.connect() as conn:
            before = conn.execute(select(func.max(statements.c.date)).where(statements.c.date < day)).scalar()
            after = conn.execute(select(func.min(statements.c.date))
                                 .where(statements.c.date > day + DAY_END)).scalar()
        return (before[:10] if before else None), (after[:10] if after else None)

    def withdraw(self, url: str, source: str, status: int, at: datetime) -> list[str]:
        """The article page at `url` answered `status` (404, 410) at `at`: statements of `source` there not yet
        marked withdrawn are marked so (their ids are returned), and a page read before stays one to check
        again later."""
        where = and_(statements.c.url == url, statements.c.source == source, statements.c.withdrawn_at.is_(None))
        with self.engine.begin() as conn:
            ids = list(conn.execute(select(statements.c.id).where(where)).scalars())
            if ids:
                conn.execute(statements.update().where(where).values(withdrawn_at=at))
                record(conn, [(sid, "withdrawn") for sid in ids])
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
        return [{**r, "withdrawn_at": aware(r["withdrawn_at"])} for r in rows]

    def withdrawn_among(self, ids: list[str]) -> dict[str, datetime]:
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(statements.c.id, statements.c.withdrawn_at).where(
                statements.c.id.in_(ids), statements.c.withdrawn_at.is_not(None))).all()
        return {sid: aware(at) for sid, at in rows}

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
        return {**row, "fetched_at": aware(row["fetched_at"])} if row else None

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
            upsert(conn, listing_memory, {"url": url}, {"source": source, "links": [list(ln) for ln in links],
                                                        "next_pages": next_pages, "read_at": fetched_at})
            _owe_articles(conn, source, owe, utcnow())
            conn.execute(owed.delete().where(owed.c.url == url))
            _set_crawl_state(conn, url, source, status=200, etag=etag, last_modified=last_modified,
                             fetched_at=fetched_at)

    def listing_memory(self, url: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(listing_memory).where(listing_memory.c.url == url)).mappings().first()
        return {**row, "read_at": aware(row["read_at"])} if row else None

    def owe_articles(self, source: str, items: list[tuple[str, str, str | None]], at: datetime):
        """Articles (url, title, date) seen and not stored become owed; those owed already stay as they are."""
        with self.engine.begin() as conn:
            _owe_articles(conn, source, items, at)

    def owe_listing(self, url: str, source: str, *, depth: int, since: str, at: datetime):
        """A listing page that could not be read: owed, with the window and depth the crawl wanted it at
        (the widest of them when several crawls did)."""
        with self.engine.begin() as conn:
            if insert_new(conn, owed, {"url": url, "source": source, "kind": "listing", "since": since,
                                       "depth": depth, "attempts": 0, "gone": 0, "next_try": at, "first_seen": at}):
                return
            row = conn.execute(select(owed.c.since, owed.c.depth).where(owed.c.url == url).with_for_update()).first()
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
    upsert(conn, crawl_state, {"url": url}, values)


def _owe_articles(conn, source: str, items: list[tuple[str, str, str | None]], at: datetime):
    wanted = {url: (title, date) for url, title, date in items}
    insert_missing(conn, owed, [{"url": url, "source": source, "kind": "article", "title": title, "date": date,
                                 "depth": 0, "attempts": 0, "gone": 0, "next_try": at, "first_seen": at}
                                for url, (title, date) in wanted.items()], owed.c.url)


def _owed_dict(row) -> dict:
    return {**row, "next_try": aware(row["next_try"]), "first_seen": aware(row["first_seen"]),
            "given_up_at": aware(row["given_up_at"])}


def _statement_dict(row) -> dict:
    d = dict(row)
    for k in ("first_seen", "fetched_at", "withdrawn_at"):
        d[k] = aware(d[k])
    return d

