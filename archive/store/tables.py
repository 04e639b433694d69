"""The store's tables: statements, revisions, translations, crawl state, listing memory, owed pages and captures."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        and_)

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
    # ISO 8601 with its offset as published; the offset is what a reader of the original page saw. Days are
    # ranges of it (on_day), so it sorts byte by byte on PostgreSQL too, whatever the database's locale
    Column("date", String(32).with_variant(String(32, collation="C"), "postgresql"), index=True),
    # model.DATE_SOURCES; NULL in rows stored before it was recorded
    Column("date_source", String(16)),
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


# A statement's versions in other languages, one row per direction: a page may name a version not yet
# stored (other_id None until it is), and either version may be stored first.
translations = Table(
    "translations", metadata,
    Column("statement_id", String(32), primary_key=True),
    Column("url", Text, primary_key=True),            # the other version's page
    Column("language", String(35), nullable=False),
    Column("other_id", String(32), index=True),
    Column("method", String(32), nullable=False),     # how the link was found (sources/versions.py)
    Column("found_at", DateTime(timezone=True), nullable=False),
)


# facts about the store itself: its schema version (migrations.py) and which content-hash formula its rows
# were written with
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


# captures ------------------------------------------------------------------------------------------
# Where each captured response lies in the WARC files, so a capture is shown or downloaded without
# scanning files. Filled as the crawler writes a record and as `import` or `rebuild` read one.
captures = Table(
    "captures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, index=True),
    # relative to the data directory, so the folder can be moved whole
    Column("warc_file", Text, nullable=False),
    # a WARC file may pass 2 GiB: PostgreSQL's INTEGER would not hold the offsets beyond
    Column("offset", BigInteger, nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("captured_at", DateTime(timezone=True), nullable=False, index=True),
    Column("status", Integer, nullable=False),
    Column("content_type", Text),
    UniqueConstraint("warc_file", "offset", name="one_row_per_record"),
)


# a stored date is YYYY-MM-DD, maybe followed by a time and offset ("T09:30:00+08:00"), whose characters all
# sort below "~": one day's dates are a range of the date index, where LIKE 'day%' would scan the table
DAY_END = "~"


def on_day(day: str):
    """The condition that a statement's date, as published, falls on `day` (YYYY-MM-DD)."""
    return and_(statements.c.date >= day, statements.c.date < day + DAY_END)


def aware(dt: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we write is UTC
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


# same texts ----------------------------------------------------------------------------------------
# A statement's text as a sample of its shingle hashes (store/sametext.py), and the statements whose samples
# meet the threshold, one row per direction. Written with the text, in its transaction.
from sqlalchemy import BigInteger, Float  # noqa: E402  (this section's own column types)

text_signatures = Table(
    "text_signatures", metadata,
    Column("statement_id", String(32), primary_key=True),
    Column("language", String(8), nullable=False),    # the primary subtag: texts are compared within one
    Column("size", Integer, nullable=False),          # how many shingles the sample holds
)

text_shingles = Table(
    "text_shingles", metadata,
    Column("shingle", BigInteger, primary_key=True),
    Column("statement_id", String(32), primary_key=True, index=True),
    # on SQLite the rows are the primary key's b-tree, not a third one beside its two indexes
    sqlite_with_rowid=False,
)

same_texts = Table(
    "same_texts", metadata,
    Column("statement_id", String(32), primary_key=True),
    Column("other_id", String(32), primary_key=True, index=True),
    Column("similarity", Float, nullable=False),      # Jaccard index, or containment (sametext.similarity)
)
