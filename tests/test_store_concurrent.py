"""Two processes saving the same statements at the same moments (two crawlers that reached the same pages):
each statement is stored once, its texts are revisions 1 and 2 in the order they were committed, and the
crawl state, owed pages and captures hold one row per key."""
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest

from archive.store import Store

N = 150
# one saver: the same N statements, URLs, owed articles and capture records as the other, with its own text
SAVER = """
import sys, time
from datetime import datetime, timezone
from archive.model import Statement
from archive.store import Store

url, text, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
store = Store(url)
at = datetime(2026, 12, 6, 12, tzinfo=timezone.utc)
time.sleep(max(0.0, start - time.time()))
for i in range({n}):
    page = f"https://www.example.org/{{i}}"
    store.owe_articles("us-state", [(page, "Title", None)], at)
    store.add_captures([{{"url": page, "warc_file": "captures/a.warc.gz", "offset": 1000 * i, "length": 999,
                         "record_id": f"<urn:{{i}}>", "captured_at": at, "status": 200, "content_type": None}}])
    st = Statement(source="us-state", url=page, title=f"Statement {{i}}", paragraphs=[text], country="US",
                   ministry="U.S. Department of State", language="en", kind="statement", fetched_at=at)
    store.save(st, at)
    store.set_crawl_state(page, "us-state", status=200, content_hash=st.content_hash, fetched_at=at)
store.close()
""".format(n=N)


@pytest.mark.parametrize("store_url", ["postgresql", "sqlite"], indirect=True, ids=["pg", "sqlite"])
def test_two_processes_saving_the_same_pages_store_each_once(store_url):
    Store(store_url).close()  # the schema, before both start
    start = time.time() + 4
    procs = [subprocess.Popen([sys.executable, "-c", SAVER, store_url, text, str(start)], stderr=subprocess.PIPE,
                              text=True) for text in ("The first text.", "The second text.")]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors

    store = Store(store_url)
    try:
        rows = list(store.iter_statements())
        assert len(rows) == N and len({r["url"] for r in rows}) == N
        for r in rows:
            revs = store.revisions(r["id"])
            # both texts, one revision each, numbered in commit order; the row shows the later one
            assert [v["seq"] for v in revs] == [1, 2] and r["revision_count"] == 2
            assert {v["paragraphs"][0] for v in revs} == {"The first text.", "The second text."}
            assert r["paragraphs"] == revs[1]["paragraphs"]
            assert store.crawl_state(r["url"])["status"] == 200
        # every page was stored, so none is owed; each capture record is listed once
        assert store.owed_counts("us-state") == (0, 0)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*), count(DISTINCT url) FROM captures").one() == (N, N)
    finally:
        store.close()
    assert all(r["first_seen"] == datetime(2026, 12, 6, 12, tzinfo=timezone.utc) for r in rows)
