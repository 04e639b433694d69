"""What a crawl keeps in the store, on each engine: crawl state and its validators, what listings gave, the
pages owed, captures, take-downs and the days statements were published on."""
from datetime import datetime, timedelta, timezone

from archive.model import Statement

T0 = datetime(2024, 1, 5, 10, tzinfo=timezone.utc)
BEIJING = timezone(timedelta(hours=8))
LISTING = "https://www.example.org/news/"
NEXT = "https://www.example.org/news/page-2"
A1, A2, A3 = (f"https://www.example.org/news/article-{i}" for i in (1, 2, 3))


def statement(url: str, date: datetime | None = None) -> Statement:
    return Statement(source="us-state", url=url, country="US", ministry="U.S. Department of State", language="en",
                     kind="statement", title=f"On {url}", paragraphs=["Words."], date=date)


def test_a_304_keeps_the_validators_and_an_article_read_is_rechecked_later(store):
    store.set_crawl_state(A1, "us-state", status=200, etag='"a"', last_modified="Fri, 05 Jan 2024", fetched_at=T0)
    store.set_crawl_state(A1, "us-state", status=304, fetched_at=T0 + timedelta(hours=1))
    state = store.crawl_state(A1)
    assert (state["status"], state["etag"], state["last_modified"]) == (304, '"a"', "Fri, 05 Jan 2024")
    assert state["fetched_at"] == T0 + timedelta(hours=1)
    store.set_crawl_state(A1, "us-state", status=200, etag='"b"', content_hash="h1", fetched_at=T0 + timedelta(hours=2))
    store.set_crawl_state(A2, "us-state", status=200, content_hash="h2", fetched_at=T0)
    assert store.crawl_state(A1)["etag"] == '"b"' and store.known_urls("us-state") == {A1, A2}
    # the longest unchecked first, and only those read before the cut
    assert store.recheck_urls("us-state", 10, before=T0 + timedelta(days=1)) == [A2, A1]
    assert store.recheck_urls("us-state", 10, before=T0 + timedelta(hours=1)) == [A2]


def test_a_listing_read_whole_owes_its_articles_and_failures_are_counted(store):
    store.owe_articles("us-state", [(A1, "First title", "2024-01-01")], T0)
    store.read_listing(LISTING, "us-state", links=[(A1, "First", "2024-01-01"), (A2, "Second", None)],
                       next_pages=[NEXT], owe=[(A1, "First again", None), (A2, "Second", None)],
                       etag='"l"', last_modified=None, fetched_at=T0)
    memory = store.listing_memory(LISTING)
    assert memory["links"] == [[A1, "First", "2024-01-01"], [A2, "Second", None]]
    assert memory["next_pages"] == [NEXT] and memory["read_at"] == T0
    # read again: its memory is what it gave this time; an article owed already keeps its row
    store.read_listing(LISTING, "us-state", links=[(A3, "Third", None)], next_pages=[], owe=[(A3, "Third", None)],
                       etag='"m"', last_modified=None, fetched_at=T0 + timedelta(hours=1))
    assert store.listing_memory(LISTING)["links"] == [[A3, "Third", None]]
    assert store.owed_entry(A1)["title"] == "First title" and store.crawl_state(LISTING)["etag"] == '"m"'

    # a listing page that failed is owed with the widest window and the shallowest depth that wanted it
    store.owe_listing(NEXT, "us-state", depth=3, since="2024-01-01", at=T0)
    store.owe_listing(NEXT, "us-state", depth=2, since="2023-06-01", at=T0)
    store.owe_listing(NEXT, "us-state", depth=4, since="2023-12-01", at=T0)
    page = store.owed_entry(NEXT)
    assert (page["kind"], page["depth"], page["since"]) == ("listing", 2, "2023-06-01")

    store.owed_failed(A2, error="HTTP 404", gone=True, next_try=T0, give_up=True, at=T0)
    store.owed_failed(A3, error="HTTP 503", gone=False, next_try=T0 + timedelta(days=1), give_up=False, at=T0)
    assert store.owed_counts("us-state") == (3, 1)
    assert store.owed_entry(A3)["attempts"] == 1 and store.owed_entry(A3)["next_try"] == T0 + timedelta(days=1)
    # listings first, then the oldest articles; not the one given up, nor the one not yet due
    assert [o["url"] for o in store.owed_due("us-state", T0 + timedelta(hours=1))] == [NEXT, A1]
    # an article stored is owed no more
    store.set_crawl_state(A1, "us-state", status=200, content_hash="h", fetched_at=T0)
    assert store.owed_entry(A1) is None and store.owed_counts("us-state") == (2, 1)


def test_captures_are_listed_once_and_a_page_taken_down_is_marked_until_it_returns(store):
    st = statement(A1)
    store.save(st, T0)
    record = {"url": A1, "warc_file": "captures/a.warc.gz", "offset": 0, "length": 100, "record_id": "<urn:1>",
              "captured_at": T0, "status": 200, "content_type": "text/html"}
    assert store.add_captures([record]) == 1
    assert store.add_captures([record, {**record, "offset": 100, "captured_at": T0 + timedelta(days=1)}]) == 1
    assert [(c["offset"], c["captured_at"]) for c in store.statement_captures(st.id)] == [
        (100, T0 + timedelta(days=1)), (0, T0)]

    gone_at = T0 + timedelta(days=2)
    store.set_crawl_state(A1, "us-state", status=200, content_hash=st.content_hash, fetched_at=T0)
    assert store.withdraw(A1, "us-state", 404, gone_at) == [st.id]
    assert store.withdraw(A1, "us-state", 404, gone_at + timedelta(days=1)) == []
    assert store.withdrawn_among([st.id, "other"]) == {st.id: gone_at}
    assert [(w["id"], w["withdrawn_at"]) for w in store.recent_withdrawals()] == [(st.id, gone_at)]
    assert store.crawl_state(A1)["status"] == 404
    store.save(st, gone_at + timedelta(days=3))
    assert store.withdrawn_among([st.id]) == {} and store.get(st.id)["withdrawn_at"] is None


def test_a_day_holds_the_statements_dated_on_it_as_published(store):
    store.save(statement(A1, datetime(2024, 1, 2, 9, 30, tzinfo=BEIJING)), T0)
    store.save(statement(A2, datetime(2024, 1, 2, 23, 59, tzinfo=timezone(timedelta(hours=-5)))), T0)
    store.save(statement(A3, datetime(2024, 1, 4, 0, 0, tzinfo=BEIJING)), T0)
    assert {s["url"] for s in store.statements_of_day("2024-01-02")} == {A1, A2}
    assert store.statements_of_day("2024-01-03") == []
    assert store.days_around("2024-01-03") == ("2024-01-02", "2024-01-04")
    assert store.days_around("2024-01-02") == (None, "2024-01-04")
