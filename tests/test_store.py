"""The store keeps every text revision, ignores markup-only changes, and refuses empty statements."""
from datetime import datetime, timedelta, timezone

import pytest

from archive.model import Statement, statement_id
from archive.store import Store


def make(**kw):
    base = dict(source="us-state", url="https://www.state.gov/a/", title="Title", paragraphs=["One.", "Two."],
                country="us", ministry="U.S. Department of State", language="en", kind="statement",
                date=datetime(2021, 5, 22, 12, tzinfo=timezone.utc), speakers=["Ned Price"],
                guid="https://www.state.gov/?page_id=1")
    base.update(kw)
    return Statement(**base)


def test_identity_is_guid_then_url():
    assert make().id == statement_id("https://www.state.gov/?page_id=1")
    assert make(guid=None).id == statement_id("https://www.state.gov/a/")
    # the same URL reused by a different statement (a different guid) is a different statement
    assert make(guid="https://www.state.gov/?page_id=2").id != make().id


def test_revisions_are_appended_and_markup_only_changes_are_not(store):
    t0 = datetime(2021, 5, 22, 13, tzinfo=timezone.utc)
    assert store.save(make(), t0).outcome == "new"
    # whitespace and ideographic spaces are markup, not words
    assert store.save(make(paragraphs=["One. ", "\u3000Two."]), t0 + timedelta(hours=1)).outcome == "unchanged"
    assert store.save(make(title="New title"), t0 + timedelta(hours=2)).outcome == "changed"
    assert store.save(make(title="New title", paragraphs=["One.", "Two!"]), t0 + timedelta(hours=3)).outcome == "changed"
    revs = store.revisions(make().id)
    assert [r["seq"] for r in revs] == [1, 2, 3]
    assert revs[0]["title"] == "Title" and revs[0]["last_seen"] == t0 + timedelta(hours=1)
    assert revs[2]["paragraphs"] == ["One.", "Two!"]
    row = store.get(make().id)
    assert row["revision_count"] == 3 and row["title"] == "New title" and row["first_seen"] == t0


def test_empty_statements_are_refused(store):
    with pytest.raises(ValueError, match="empty text"):
        store.save(make(paragraphs=["  ", "\u3000"]))
    assert store.count() == 0


def test_save_many_is_all_or_nothing(store):
    with pytest.raises(ValueError):
        store.save_many([make(), make(guid="g2", url="https://www.state.gov/b/", title="")])
    assert store.count() == 0


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown kind"):
        make(kind="tweet")


def test_paragraph_breaks_are_markup(store):
    t0 = datetime(2021, 5, 22, 13, tzinfo=timezone.utc)
    store.save(make(paragraphs=["United States", "Institutions"]), t0)
    # the State feed wraps the same words in one paragraph an hour later
    assert store.save(make(paragraphs=["United StatesInstitutions"]), t0 + timedelta(hours=1)).outcome == "unchanged"
    assert store.save(make(paragraphs=["United States Institutions"]), t0 + timedelta(hours=2)).outcome == "unchanged"
    assert store.save(make(paragraphs=["United States institutions"]), t0 + timedelta(hours=3)).outcome == "changed"


def test_an_archive_hashed_the_old_way_is_hashed_again(store_url):
    """An archive written before paragraph breaks were markup kept a revision for a re-wrapped paragraph;
    opening it merges that revision into the one before and keeps the index's bookkeeping."""
    from sqlalchemy import text
    url = store_url
    store = Store(url)
    t0 = datetime(2021, 5, 22, 13, tzinfo=timezone.utc)
    store.save(make(paragraphs=["United States", "Institutions"]), t0)
    store.save(make(title="Edited", paragraphs=["United States", "Institutions"]), t0 + timedelta(hours=2))
    sid = make().id
    with store.engine.begin() as conn:
        # what the old formula wrote: distinct hashes, and a third revision for the re-wrap alone
        conn.execute(text("UPDATE revisions SET content_hash = 'old-' || seq"))
        conn.execute(text("INSERT INTO revisions SELECT statement_id, 3, title, :p, 'old-3', :t, :t FROM revisions "
                          "WHERE seq = 2"), {"p": '["United StatesInstitutions"]', "t": t0 + timedelta(hours=3)})
        conn.execute(text("UPDATE statements SET content_hash = 'old-3', indexed_hash = 'old-3', revision_count = 3, "
                          "paragraphs = '[\"United StatesInstitutions\"]'"))
        conn.execute(text("DELETE FROM store_meta WHERE key = 'content_hash'"))
    store.close()

    again = Store(url)
    revs = again.revisions(sid)
    assert [(r["seq"], r["title"]) for r in revs] == [(1, "Title"), (2, "Edited")]
    assert revs[1]["first_seen"] == t0 + timedelta(hours=2) and revs[1]["last_seen"] == t0 + timedelta(hours=3)
    row = again.get(sid)
    assert row["revision_count"] == 2 and row["content_hash"] == revs[1]["content_hash"] == row["indexed_hash"]
    assert again.unindexed_ids() == []
    again.close()


def test_date_source_is_kept_and_an_older_store_gets_the_column(store_url):
    url = store_url
    store = Store(url)
    store.save(make())
    store.save(make(url="https://www.state.gov/b/", guid="b", date=None))
    store.save(make(url="https://www.state.gov/c/", guid="c", date_source="title"))
    assert {r["guid"]: r["date_source"] for r in store.iter_statements()} == {
        "https://www.state.gov/?page_id=1": "page", "b": "none", "c": "title"}
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE statements DROP COLUMN date_source")
        # as a store written before the schema version was recorded
        conn.exec_driver_sql("DELETE FROM store_meta WHERE key = 'schema'")
    store.close()
    # a store written before date sources were recorded: undated rows say so, the others are not known
    reopened = Store(url)
    got = {r["guid"]: r["date_source"] for r in reopened.iter_statements()}
    assert got == {"https://www.state.gov/?page_id=1": None, "b": "none", "c": None}
    reopened.close()
    with pytest.raises(ValueError, match="date source"):
        make(date=None, date_source="page")
