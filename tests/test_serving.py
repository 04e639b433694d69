"""The app keeps answering while the index changes under it, and refuses hostile input with a 400."""
from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import briefing
from whoosh.reading import ReaderClosed

from archive.datadir import open_datadir
from archive.index.writing import BATCH, CURRENT, MERGE_FANOUT, live_index, sync_index
from archive.model import Statement
from archive.search.query import SearchQuery
from archive.store import Store
from archive.web import MAX_BODY_BYTES, create_app
from archive.web.backend import EXTENSION

UTC = timezone.utc


@pytest.fixture
def archive(tmp_path):
    dd = open_datadir(tmp_path / "data", create=True)
    store = Store(dd.db_url)
    app = create_app(dd.root, {"TESTING": True, "SEARCH_REFRESH_SECONDS": 0})
    yield dd, store, app
    app.extensions[EXTENSION].close()
    store.close()


def total(client, **params) -> int:
    r = client.get("/api/search", query_string={"limit": 1, **params})
    assert r.status_code == 200, r.text
    return r.get_json()["total"]


def test_small_commits_with_merges_count_each_statement_once(archive):
    dd, store, app = archive
    client = app.test_client()
    rng = random.Random(3)
    revision = {}
    # a watch's rounds: one to three statements a commit, some of them edits of statements already
    # indexed, so that replaced documents sit in segments the tiers merge
    for commit in range(MERGE_FANOUT ** 2 + 10):
        for i in {rng.randrange(150) for _ in range(rng.randint(1, 3))}:
            revision[i] = revision.get(i, -1) + 1
            store.save(briefing(i, revision[i]))
        sync_index(store, dd.index_dir)
        assert total(client) == store.count(), f"after commit {commit}"
    ids = sorted(store.statement_ids())
    hits = client.get("/api/search", query_string={"limit": 1000, "sort": "date"}).get_json()["hits"]
    assert sorted(h["id"] for h in hits) == ids
    # each statement once, with the text of its latest revision
    for i, rev in rng.sample(sorted(revision.items()), 20):
        found = client.get("/api/search", query_string={"q": f'"harbour {i}" "revision {rev}"'}).get_json()
        assert found["total"] == 1, (i, rev)


def test_a_request_keeps_its_searcher_until_it_is_done(archive):
    dd, store, app = archive
    store.save(briefing(1))
    sync_index(store, dd.index_dir)
    client = app.test_client()
    backend = app.extensions[EXTENSION]
    assert total(client) == 1
    with app.app_context(), backend.searching() as held:
        store.save(briefing(2))
        sync_index(store, dd.index_dir)
        assert total(client) == 2   # the next request opened and published a new searcher
        assert held.search(SearchQuery("maritime")).total == 1   # the one in use was neither changed nor closed
    with pytest.raises(ReaderClosed):
        held.search(SearchQuery("maritime"))
    assert total(client) == 2


def test_a_refresh_that_fails_leaves_the_old_searcher_serving(archive):
    dd, store, app = archive
    store.save(briefing(1))
    sync_index(store, dd.index_dir)
    client = app.test_client()
    assert total(client) == 1
    # the index points at a folder that cannot be opened: every check fails, and searches go on
    (dd.index_dir / CURRENT).write_text("gen-missing\n")
    for _ in range(3):
        assert total(client) == 1
        assert client.get("/").status_code == 200
    (dd.index_dir / CURRENT).unlink()
    assert live_index(dd.index_dir) == dd.index_dir
    store.save(briefing(2))
    sync_index(store, dd.index_dir)
    assert total(client) == 2


# hostile input ------------------------------------------------------------------------------------------


@pytest.fixture
def client(archive):
    dd, store, app = archive
    for i in range(3):
        store.save(briefing(i))
    sync_index(store, dd.index_dir)
    return app.test_client()


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,                    # nested deeper than the parser goes
    b'{"q": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",   # the same inside a value
    b'{"q": {"text": "maritime"}}',                     # an object where text belongs
    b'{"q": ["maritime"]}',
    b'{"q": true}',
    b'["maritime"]',
    b'"maritime"',
    b"not json",
    b'{"q": "\xff\xfe"}',                               # not UTF-8
    b'{"q": "maritime"',                                # cut short
    b'{"q": "\\ud800 maritime"}',                       # a lone surrogate, escaped
    b'{"q": "\xed\xa0\x80 maritime"}',                   # the same as bytes (json.loads lets them through)
    b'{"\\udc00": ["maritime"]}',                        # in a name the error message would echo
])
def test_cite_refuses_malformed_bodies_with_one_line(client, body):
    r = client.post("/api/cite", data=body, content_type="application/json")
    assert r.status_code == 400 and r.is_json
    message = r.get_json()["error"]
    assert message and "\n" not in message and "Traceback" not in message


def test_cite_refuses_a_huge_body_unread(client):
    r = client.post("/api/cite", data=json.dumps({"q": "x" * MAX_BODY_BYTES}), content_type="application/json")
    assert r.status_code == 413 and r.is_json and r.get_json()["error"]


def test_cite_takes_a_proper_body(client):
    r = client.post("/api/cite", json={"q": "Paragraph about harbour 1.", "country": "US", "speaker": None})
    assert r.status_code == 200, r.text
    assert r.get_json()["matches"][0]["title"] == "Briefing 1 on maritime security"


def test_absolute_urls_come_from_the_base_url_never_the_host_header(archive, client):
    dd, store, app = archive
    app.config["BASE_URL"] = "https://archive.example.org/pa"
    sid = sorted(store.statement_ids())[0]
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "gopher"}
    bodies = [client.get(path, headers=evil).text for path in (
        "/feed.atom", "/changes.atom", "/opensearch.xml", f"/api/statements/{sid}/cite?format=apa",
        f"/api/statements/{sid}/cite?format=csl-json", f"/statements/{sid}/cite", f"/statements/{sid}",
        "/cite?q=Paragraph+about+harbour+1.")]
    assert all("evil.example" not in b and "gopher" not in b for b in bodies)
    feed, _, opensearch, apa, *_ = bodies
    assert "https://archive.example.org/pa/statements/" in feed
    assert 'template="https://archive.example.org/pa/?q={searchTerms}"' in opensearch
    assert f"https://archive.example.org/pa/statements/{sid}" in apa


def test_statements_saved_during_a_reindex_are_in_the_index_it_makes_live(archive):
    from archive.index.writing import rebuild_index
    dd, store, app = archive
    for i in range(30):
        store.save(briefing(i))
    sync_index(store, dd.index_dir)
    client = app.test_client()
    assert total(client) == 30
    old_live = live_index(dd.index_dir)

    def meanwhile(done, of):
        # a watch round while the new index is being built: it indexes into the old one and marks the store
        if store.count() == 30:
            store.save(briefing(30))
            store.save(briefing(4, revision=1))
            store.save(Statement(**{**briefing(5).__dict__, "speakers": ["Deputy Spokesperson"],
                                    "fetched_at": datetime(2024, 7, 2, tzinfo=UTC)}))
            assert sync_index(store, dd.index_dir) == 3
            assert total(client) == 31   # the old index, still live

    assert rebuild_index(store, dd.index_dir, progress=meanwhile) == 31
    first = live_index(dd.index_dir)
    assert first != old_live == dd.index_dir
    # the index that lived in the index folder itself is gone, its folder keeps only the pointer and the new index
    assert [p.name for p in dd.index_dir.iterdir()] in ([CURRENT, first.name], [first.name, CURRENT])
    assert store.unindexed_ids() == []
    assert total(client) == 31
    assert total(client, q='"harbour 4" "revision 1"') == 1 and total(client, q='"harbour 4" "revision 0"') == 0
    assert total(client, speaker="Deputy Spokesperson") == 1
    assert rebuild_index(store, dd.index_dir) == 31
    assert live_index(dd.index_dir) != first and not first.exists()
    assert total(client) == 31


def test_a_streamed_export_reads_one_state_of_the_index(archive):
    from archive.web.views import EXPORT_PAGE
    dd, store, app = archive
    store.save_many([briefing(i) for i in range(EXPORT_PAGE + 100)])
    sync_index(store, dd.index_dir)
    before = set(store.statement_ids())
    client = app.test_client()
    r = client.get("/export.jsonl", query_string={"sort": "-date"}, buffered=False)
    chunks = iter(r.response)
    read = [next(chunks), next(chunks)]   # the header, then the first page
    # newer statements arrive between two pages: on a new searcher they would shift the second page
    store.save_many([briefing(i) for i in range(EXPORT_PAGE + 100, EXPORT_PAGE + 120)])
    sync_index(store, dd.index_dir)
    assert total(client) == EXPORT_PAGE + 120
    read += list(chunks)
    r.close()
    ids = [json.loads(line)["id"] for line in b"".join(read).decode().splitlines()]
    assert len(ids) == len(before) and set(ids) == before


def test_a_searcher_keeps_reading_segments_a_merge_removed(archive):
    from archive.search.searcher import Searcher
    dd, store, app = archive
    for i in range(MERGE_FANOUT):
        store.save(briefing(i))
        sync_index(store, dd.index_dir)
    searcher = Searcher(dd.index_dir)
    files = set(p.name for p in dd.index_dir.iterdir())
    store.save(briefing(MERGE_FANOUT))
    sync_index(store, dd.index_dir)
    # the commit merged the eight one-statement segments into one and removed their files
    assert len(files - set(p.name for p in dd.index_dir.iterdir())) > 3 * MERGE_FANOUT
    # sorting by date and counting facets read columns the searcher had not read before the merge
    found = searcher.search(SearchQuery("", sort="-date", limit=50), facets=True)
    assert found.total == len(found.hits) == MERGE_FANOUT
    assert found.facets["year"] == [("2024", MERGE_FANOUT)]
    assert searcher.search(SearchQuery("harbour", sort="date", limit=50)).total == MERGE_FANOUT
    searcher.close()


def test_a_searcher_never_reads_the_table_of_contents_again(archive):
    """A request on an open searcher uses the schema it opened with. Reading the index's table of contents
    from disk again (whoosh's `FileIndex.schema`) raced with `watch`'s commits, which delete the one it had
    just found: `POST /api/cite` answered 500 (FileNotFoundError: _MAIN_85.toc) under load."""
    from archive.search.searcher import Searcher
    dd, store, app = archive
    for i in range(3):
        store.save(briefing(i))
    sync_index(store, dd.index_dir)
    searcher = Searcher(dd.index_dir)
    tocs = sorted(searcher.location.glob("_MAIN_*.toc"))
    # the moment of the race: the table of contents found is gone before it is read
    for toc in tocs:
        toc.rename(toc.with_suffix(".gone"))
    try:
        assert searcher.candidates(["harbour"], SearchQuery(), 5)
        assert searcher.search(SearchQuery("harbour", speaker="Spokesperson")).total == 3
    finally:
        for toc in tocs:
            toc.with_suffix(".gone").rename(toc)
        searcher.close()
