"""A statement's versions in other languages: the translations table.

The store only records links; which statements are versions of one another is the sources' knowledge
(sources/versions.py), applied by the save step (ingest/versions.py) through `VersionLinks`, inside the
transaction that saves the statements (Store.save_many's `link`), so a statement is never stored without
the links its page or its source's rule gave it.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .changes import Pending, record
from .conflicts import insert_new
from .tables import aware, on_day, statements, translations

# what pairing reads of a stored statement
PAIRING_FIELDS = ("id", "source", "url", "language", "kind", "date", "speakers")
_PAIRING = select(*(statements.c[k] for k in PAIRING_FIELDS))


class VersionLinks:
    """What linking reads and writes, within one transaction (`conn`): it sees the statements that
    transaction has saved, and its links commit or roll back with them, as do the changes they make to
    what cite answers (`pending`, which the transaction records)."""

    def __init__(self, conn: Connection, pending: Pending):
        self.conn = conn
        self.pending = pending

    def statement(self, sid: str) -> dict | None:
        """The pairing fields of the statement `sid`."""
        row = self.conn.execute(_PAIRING.where(statements.c.id == sid)).mappings().first()
        return dict(row) if row else None

    def statements_at(self, url: str) -> list[dict]:
        """The statements stored from the page at `url` (the pairing fields)."""
        return [dict(r) for r in self.conn.execute(_PAIRING.where(statements.c.url == url)).mappings()]

    def published_on(self, day: str, sources: list[str]) -> list[dict]:
        """Statements of `sources` dated on `day` (ISO date, as the date was published), the pairing fields."""
        return [dict(r) for r in self.conn.execute(
            _PAIRING.where(statements.c.source.in_(sources), on_day(day))).mappings()]

    def add_version(self, sid: str, language: str, url: str, method: str, at: datetime,
                    other_id: str | None = None) -> bool:
        """Record that `sid` has a version in `language` at `url` (stored as `other_id`, or not yet); a link
        already known keeps how it was first found and only learns the other id. Whether anything changed."""
        if insert_new(self.conn, translations, {"statement_id": sid, "url": url, "language": language,
                                                "other_id": other_id, "method": method, "found_at": at}):
            self.pending.add(sid, "linked")
            return True
        key = (translations.c.statement_id == sid) & (translations.c.url == url)
        row = self.conn.execute(select(translations.c.other_id).where(key)).first()
        if other_id and row.other_id != other_id:
            self.conn.execute(translations.update().where(key).values(other_id=other_id))
            self.pending.add(sid, "linked")
            return True
        return False

    def versions_awaiting(self, url: str) -> list[dict]:
        """Links to the page at `url` whose statement was not stored when they were found."""
        return [dict(r) for r in self.conn.execute(select(translations).where(
            translations.c.url == url, translations.c.other_id.is_(None))).mappings()]


class TranslationStore:
    """The translations table; mixed into Store (which gives `engine`)."""

    @contextmanager
    def linking(self) -> Iterator[VersionLinks]:
        """Links made over statements already stored (`link-versions`), in one transaction."""
        with self.engine.begin() as conn:
            pending = Pending()
            yield VersionLinks(conn, pending)
            record(conn, pending.items)

    def translations(self, sid: str) -> list[dict]:
        """The other-language versions of `sid`: language, id (None when not stored), url, method, title."""
        query = (select(translations.c.language, translations.c.other_id.label("id"), translations.c.url,
                        translations.c.method, translations.c.found_at, statements.c.title)
                 .select_from(translations.outerjoin(statements, statements.c.id == translations.c.other_id))
                 .where(translations.c.statement_id == sid)
                 .order_by(translations.c.language, translations.c.url))
        with self.engine.connect() as conn:
            return [{**r, "found_at": aware(r["found_at"])} for r in conn.execute(query).mappings()]
