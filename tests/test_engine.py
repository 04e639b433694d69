"""The posting-array engine against Whoosh's own searcher and the set path it replaced.

An index of several segments with replaced (deleted) statements, words drawn with a fixed seed from a
skewed vocabulary so that terms come in frequency bands; several hundred distinct random queries. For
each: the engine's matches equal the exact set `matches.matching` gives (itself checked against the
stored texts in test_search_exact.py); every score equals Whoosh's BM25F score within 1e-6; the page is
the full ranking (score, then document number, as Whoosh's collector orders ties), page after page.
"""
import random
import time
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
import whoosh
from whoosh.codec.whoosh3 import W3Codec

from archive.index import writing as index_module
from archive.index.writing import sync_index
from archive.model import Statement
from archive.search import postings as postings_module
from archive.search.engine import Engine
from archive.search.matches import matching
from archive.search.postings import CODEC_VERSION, CodecMismatch, Postings, check_codec
from archive.search.query import SearchQuery
from archive.search.searcher import Searcher, parse_query
from archive.store import Store

UTC = timezone.utc
SEED = 1212
# real words that stem apart; drawn with Zipf-like weights, so the first are in most documents
VOCABULARY = """security council sanctions ceasefire trade climate finance taiwan ukraine russia minister
talks agreement border maritime energy nuclear health vaccine refugees embassy visit dialogue summit
cooperation investment tariffs export ports shipping fisheries drought floods election parliament court
justice corruption treaty alliance defence navy coast guard satellite cyber data privacy internet
students scholarship culture museum festival tourism airline railway highway bridge harbour grain wheat
rice sugar coffee copper cobalt lithium oil pipeline solar wind hydrogen forest river glacier desert
island reef whale turtle""".split()
WEIGHTS = [1 / (rank + 1) ** 0.9 for rank in range(len(VOCABULARY))]
N = 360


def _words(rng: random.Random, n: int) -> list[str]:
    return rng.choices(VOCABULARY, WEIGHTS, k=n)


def _statement(i: int, revision: int = 0) -> Statement:
    rng = random.Random(SEED * 1000 + i * 10 + revision)
    # lengths from a few words to a few hundred: BM25's length normalisation matters
    paragraphs = [" ".join(_words(rng, rng.choice([3, 8, 20, 60, 150]))) + "." for _ in range(rng.randint(1, 4))]
    return Statement(
        source=rng.choice(["us-state", "sg-mfa", "cn-mfa"]), url=f"https://example.org/{i}",
        title=" ".join(_words(rng, rng.randint(2, 6))).capitalize(), paragraphs=paragraphs,
        country=rng.choice(["US", "SG", "CN"]), ministry="M", language="en", kind=rng.choice(["remarks", "statement"]),
        date=None if i % 13 == 0 else datetime(2016, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 3000)),
        speakers=[f"Speaker {i % 5}"])


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine")
    store = Store(f"sqlite:///{root / 'a.sqlite'}")
    old_batch = index_module.BATCH
    index_module.BATCH = 70
    try:
        for start in range(0, N, 90):  # four commits: several segments
            for i in range(start, start + 90):
                store.save(_statement(i))
            sync_index(store, root / "index")
        for i in range(0, N, 5):  # replaced statements leave deleted documents behind
            store.save(_statement(i, revision=1))
        sync_index(store, root / "index")
    finally:
        index_module.BATCH = old_batch
    s = Searcher(root / "index")
    reader = s._searcher.reader()
    assert len(reader.leaf_readers()) > 1 and reader.has_deletions()
    yield s
    s.close()


def _random_queries(searcher, count: int) -> list[str]:
    """Distinct queries of every shape the parser gives, from words of every frequency band and word
    pairs and triples that occur in the texts (so phrases find something, and sometimes nothing)."""
    rng = random.Random(SEED)
    reader = searcher._searcher.reader()
    texts = [reader.stored_fields(d)["text"].rstrip(".").split() for d in reader.all_doc_ids()]
    common, middle, rare = VOCABULARY[:8], VOCABULARY[8:40], VOCABULARY[40:]

    def word():
        return rng.choice(rng.choice([common, middle, rare]))

    def phrase():
        words = rng.choice([t for t in texts if len(t) > 4])
        at = rng.randrange(len(words) - 3)
        return '"' + " ".join(words[at:at + rng.choice([2, 2, 3])]).lower() + '"'

    shapes = [
        lambda: word(),
        lambda: phrase(),
        lambda: f"{word()} {word()}",
        lambda: f"{word()} {word()} {word()}",
        lambda: f"{word()} OR {word()}",
        lambda: f"({word()} OR {word()}) AND {word()}",
        lambda: f"{word()} NOT {word()}",
        lambda: f"{word()} -{word()} -{word()}",
        lambda: f"{word()} AND NOT {phrase()}",
        lambda: f"{phrase()} OR {word()}",
        lambda: f"NOT {word()}",
        lambda: f"{word()} date:{rng.randint(2016, 2024)}",
        lambda: f"({word()} OR {word()}) date:{rng.randint(2016, 2020)}..{rng.randint(2021, 2024)}",
        lambda: f"{word()} -date:{rng.randint(2016, 2024)}",
        lambda: f"{word()} date:..{rng.randint(2016, 2024)}-{rng.randint(1, 12):02d}",
        lambda: f"{word()} date:{rng.randint(2016, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}..",
        lambda: f"title:{word()} {word()}",
        lambda: f"country:{rng.choice(['us', 'sg', 'cn'])} {word()}",
        lambda: f"{word()} ANDMAYBE {word()}",
        lambda: f"+{word()} {word()} -{word()}",
    ]
    queries: dict[str, None] = {}
    while len(queries) < count:
        queries[rng.choice(shapes)()] = None
    return list(queries)


QUERIES = 400


def test_matches_and_scores_equal_whoosh_on_random_queries(searcher):
    engine = Engine(searcher._searcher)
    whoosh_searcher = searcher._searcher
    leaf = searcher._leaf
    checked = scored = 0
    for q in _random_queries(searcher, QUERIES):
        query = parse_query(searcher._parser, q)
        found = engine.evaluate(query, time.monotonic() + 60, scored=True)
        assert found is not None, q
        exact = matching(query, searcher._every, leaf, time.monotonic() + 60)
        assert found.docs.tolist() == sorted(exact), q
        assert len(found.scores) == len(found.docs)
        # Whoosh's own scores for the same documents (its walk may also let through documents it should
        # not, over deleted ones: test_search_exact.py; never fewer)
        theirs = {hit.docnum: hit.score for hit in whoosh_searcher.search(query, limit=None)}
        assert set(found.docs.tolist()) <= set(theirs), q
        for doc, score in zip(found.docs.tolist(), found.scores.tolist()):
            assert abs(score - theirs[doc]) <= 1e-6, (q, doc, score, theirs[doc])
        # the page is the full ranking: Whoosh's order of these documents, ties by document number
        ranking = sorted(found.docs.tolist(), key=lambda d: (-theirs[d], d))
        for n in (1, 3, 10, len(ranking)):
            docs, scores = Engine.top(found, n)
            assert _same_ranking(docs.tolist(), ranking[:n], theirs), (q, n)
        checked += 1
        scored += len(found.docs)
    assert checked == QUERIES and scored > 10_000


def _same_ranking(ours: list[int], expected: list[int], scores: dict[int, float]) -> bool:
    """Equal lists; where scores tie only to within rounding (different summation order), either order."""
    if ours == expected:
        return True
    key = lambda d: (-round(scores[d], 9), d)  # noqa: E731
    return len(ours) == len(expected) and sorted(ours, key=key) == sorted(expected, key=key) == ours


def test_search_pages_are_the_ranking_with_filters(searcher):
    rng = random.Random(SEED + 1)
    for q in _random_queries(searcher, 60)[::3]:
        country = rng.choice([None, "US", "SG"])
        start = rng.choice([None, date(2018, 1, 1)])
        full = searcher.search(SearchQuery(q, country=country, date_from=start, limit=1000))
        pages = [h for off in range(0, min(full.total, 60), 7)
                 for h in searcher.search(SearchQuery(q, country=country, date_from=start, limit=7, offset=off)).hits]
        assert [h.id for h in pages] == [h.id for h in full.hits[:len(pages)]], q
        assert len(full.hits) == full.total
        assert [h.score for h in full.hits] == sorted((h.score for h in full.hits), reverse=True)


def test_deleted_documents_never_match(searcher):
    engine = Engine(searcher._searcher)
    reader = searcher._searcher.reader()
    deleted = {d for d in range(reader.doc_count_all()) if reader.is_deleted(d)}
    assert deleted
    for word in VOCABULARY[:20]:
        docs = set(engine.postings.term("text", _stem(searcher, word)).docs.tolist())
        assert docs and not docs & deleted


def test_cache_is_capped_and_reported(searcher):
    postings = Postings(searcher._searcher.reader(), cache_bytes=20_000)
    for word in VOCABULARY:
        assert len(postings.term("text", _stem(searcher, word)).docs)
        info = postings.cache_info()
        assert info["bytes"] <= 20_000 and info["cap"] == 20_000
    assert 0 < info["entries"] < len(VOCABULARY)


def test_engine_stops_at_the_deadline(searcher):
    from whoosh.collectors import TimeLimit
    engine = Engine(searcher._searcher)
    with pytest.raises(TimeLimit):
        engine.evaluate(parse_query(searcher._parser, "security OR trade"), time.monotonic() - 1, scored=True)


# the codec this reads ----------------------------------------------------------------------------

def test_whoosh_is_the_version_whose_posting_blocks_postings_py_reads():
    # postings.py decodes Whoosh 2.7.5's W3 posting blocks (pickled, zlib'd tuples of delta ids, float32
    # weights and pickled position lists) itself: another release may change them silently. Read the
    # new release's codec/whoosh3.py, adjust postings.py, then move the pin and CODEC_VERSION together.
    assert version("whoosh-reloaded") == "2.7.5", "whoosh-reloaded changed: see postings.py before upgrading"
    assert tuple(whoosh.__version__[:3]) == CODEC_VERSION == (2, 7, 5)
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    assert '"whoosh-reloaded==2.7.5"' in pyproject


def test_segments_are_written_with_the_w3_codec_and_read_alike(searcher):
    reader = searcher._searcher.reader()
    check_codec(reader)
    postings = Postings(reader)
    for leaf, base in reader.leaf_readers():
        assert type(leaf.codec()) is W3Codec
        # W3Codec's defaults: 128 postings a block, zlib level 3; posting lists of one are inlined
        assert (leaf.codec()._blocklimit, leaf.codec()._compression) == (128, 3)
    for word in (_stem(searcher, w) for w in ("security", "council", "turtle")):
        ours = postings.term("text", word)
        assert len(ours.docs)
        # a few postings decode from the pickled values; most of them decode all, kept for the next
        every = _split(postings, word.encode(), np.arange(len(ours.docs)))
        assert _split(Postings(reader), word.encode(), np.arange(0, len(ours.docs), 3)) == every[::3]
        mine_positions = dict(zip(ours.docs.tolist(), every))
        for leaf, base in reader.leaf_readers():
            if ("text", word) not in leaf:
                continue
            m = leaf.postings("text", word)
            while m.is_active():
                doc = base + m.id()
                if not leaf.is_deleted(m.id()):
                    at = np.searchsorted(ours.docs, doc)
                    assert ours.docs[at] == doc and ours.weights[at] == m.weight()
                    assert mine_positions[doc] == list(m.value_as("positions"))
                m.next()


def _stem(searcher, word: str) -> str:
    (term,) = [t.text for t in searcher._schema["text"].analyzer(word)]
    return term


def _split(postings: Postings, word: bytes, idx: np.ndarray) -> list[list[int]]:
    counts, flat = postings.positions("text", word, idx)
    return [a.tolist() for a in np.split(flat, np.cumsum(counts)[:-1])]


def test_a_foreign_codec_is_refused_loudly_and_searches_go_through_whoosh(searcher, monkeypatch):
    queries = _random_queries(searcher, 40)[::4]
    fast = [searcher.search(SearchQuery(q, limit=1000)) for q in queries]
    monkeypatch.setattr(postings_module, "CODEC_VERSION", (2, 7, 4))
    with pytest.raises(CodecMismatch):
        Postings(searcher._searcher.reader())
    slow = Searcher(searcher.index_dir)
    try:
        assert slow._engine() is None
        for q, res in zip(queries, fast):
            theirs = slow.search(SearchQuery(q, limit=15))
            assert theirs.total == res.total, q
            # the same scores; not always the same page: Whoosh's collector walk can miss better hits
            # (`(agreement OR talks) date:2017..2024` here), which the engine's full ranking does not
            scores = {h.id: h.score for h in res.hits}
            assert all(scores[h.id] == pytest.approx(h.score, abs=1e-4) for h in theirs.hits), q
    finally:
        slow.close()


def test_a_phrase_with_slop_is_left_to_whoosh(searcher):
    query = parse_query(searcher._parser, '"security council"~3')
    assert Engine(searcher._searcher).evaluate(query, time.monotonic() + 60, scored=True) is None
    exact = matching(query, searcher._every, searcher._leaf, time.monotonic() + 60)
    assert searcher.search(SearchQuery('"security council"~3')).total == len(exact) > 0
