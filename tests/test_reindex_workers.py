"""A reindex whose segments are written by worker processes holds the same statements, answers and
scores as one index written in a single process."""
import random
from datetime import datetime, timezone

from archive.index import writing
from archive.index.writing import rebuild_index, sync_index
from archive.model import Statement
from archive.search.query import SearchQuery
from archive.search.searcher import Searcher

WORDS = "the of security council sanctions ceasefire trade climate finance talks 单边制裁 外交部 カタカナ".split()


def _statement(i: int) -> Statement:
    rng = random.Random(i)
    return Statement(
        source="cn-mfa", url=f"https://example.org/{i}", title=" ".join(rng.choices(WORDS, k=5)),
        paragraphs=[" ".join(rng.choices(WORDS, k=rng.randint(3, 40))) for _ in range(rng.randint(1, 3))],
        country="CN", ministry="M", language="en", kind="statement",
        date=datetime(2020, 1, 1 + i % 28, tzinfo=timezone.utc), speakers=[])

QUERIES = ["security", '"security council"', '"the ceasefire trade"', "制裁", '"单边制裁 外交部"', "talks -climate",
           "title:finance", ""]


def test_segments_written_by_workers_equal_one_process(store, tmp_path, monkeypatch):
    for i in range(90):
        store.save(_statement(i))
    assert sync_index(store, tmp_path / "one") == 90
    seen = []
    monkeypatch.setattr(writing, "SEGMENT", 25)  # four parts, two workers
    assert rebuild_index(store, tmp_path / "many", progress=lambda done, of: seen.append((done, of))) == 90
    assert seen[-1] == (90, 90) and len(seen) == 4
    one, many = Searcher(tmp_path / "one"), Searcher(tmp_path / "many")
    try:
        assert len(many._searcher.reader().leaf_readers()) == 4
        for text in QUERIES:
            a, b = (s.search(SearchQuery(text, limit=100)) for s in (one, many))
            assert a.total == b.total > 0, text
            # document numbers differ between the two indexes; scores and what they score do not
            assert sorted((h.id, round(h.score, 6)) for h in a.hits) == sorted(
                (h.id, round(h.score, 6)) for h in b.hits), text
        assert many.search(SearchQuery("secrity")).suggestion == "security"
    finally:
        one.close()
        many.close()
