"""Phrases found through word pairs equal Whoosh's own phrase matching, and an index without pairs (an
older layout) gives the same through positions. Only pairs of common words are indexed, so phrases take
three paths: all pairs indexed, some, none; each is compared.

Texts mix English words of every frequency band, repeated words, Chinese (jieba words with sub-words
sharing a position), kana pairs and several paragraphs (positions run on across them, for Whoosh and
pairs alike); phrases of two to four words are cut from the analysed texts, some across a paragraph
boundary, some shuffled so that they mostly match nothing.
"""
import random
from datetime import datetime, timezone

import pytest
from whoosh import index as whoosh_index
from whoosh.query import Phrase

from archive.index.analysis import analyse_for_index, pair_term, word_pairs
from archive.index.schema import PAIR_FIELDS, make_schema
from archive.index.writing import sync_index
from archive.model import Statement
from archive.search.engine import Engine
from archive.search.postings import Postings
from archive.search.searcher import Searcher
from archive.store import Store

SEED = 4242
ENGLISH = "the of security council sanctions the ceasefire trade of climate finance talks minister".split()
CHINESE = ["单边制裁", "外交部", "发言人", "中华人民共和国", "南海", "合作", "安全", "制裁"]
KANA = ["カタカナ", "ひらがな", "サミット"]
# the test index's common terms, some of each script; the other words pair with nothing
COMMON = frozenset(["the", "of", "secur", "council", "sanction", "minist", "外交部", "制裁", "单边", "南海", "カタ"])


def _paragraph(rng: random.Random) -> str:
    words = rng.choices(ENGLISH, k=rng.randint(3, 40))
    for _ in range(rng.randint(0, 3)):
        at = rng.randrange(len(words) + 1)
        # Chinese words run together, as written; kana stands apart
        words.insert(at, "".join(rng.choices(CHINESE, k=rng.randint(1, 3))) if rng.random() < 0.7
                     else rng.choice(KANA))
    return " ".join(words)


def _statement(i: int) -> Statement:
    rng = random.Random(SEED + i)
    return Statement(
        source="cn-mfa", url=f"https://example.org/{i}", title=_paragraph(rng)[:80],
        paragraphs=[_paragraph(rng) for _ in range(rng.randint(1, 4))], country="CN", ministry="M",
        language="en", kind="statement", date=datetime(2020, 1, 1, tzinfo=timezone.utc), speakers=[])


def _brute_pairs(terms: dict[str, list[int]], common: frozenset[str]) -> dict[str, tuple[int, int]]:
    at: dict[int, set[str]] = {}
    for term, positions in terms.items():
        for p in positions:
            if term in common:
                at.setdefault(p, set()).add(term)
    return {pair_term(a, b): (len(terms[a]), len(terms[b])) for p in at for a in at[p] for b in at.get(p + 1, ())}


def test_word_pairs_are_the_terms_at_consecutive_positions():
    rng = random.Random(SEED)
    for _ in range(300):
        text = "\n\n".join(_paragraph(rng) for _ in range(rng.randint(1, 3)))
        terms = analyse_for_index(text, {})
        for common in (COMMON, frozenset(terms), frozenset()):
            assert word_pairs(terms, common) == _brute_pairs(terms, common)
    assert word_pairs({}, COMMON) == {}


def _index(root, pairs: bool):
    store = Store(f"sqlite:///{root / 'a.sqlite'}")
    for i in range(160):
        store.save(_statement(i))
    schema = make_schema()
    for name in PAIR_FIELDS.values():
        if pairs:
            schema[name].common = COMMON
        else:
            # the layout before pairs: the same schema without their fields
            schema.remove(name)
    (root / "index").mkdir()
    whoosh_index.create_in(str(root / "index"), schema)
    sync_index(store, root / "index")
    return Searcher(root / "index")


@pytest.fixture(scope="module")
def searchers(tmp_path_factory):
    found = {pairs: _index(tmp_path_factory.mktemp(f"pairs{pairs}"), pairs) for pairs in (True, False)}
    yield found
    for s in found.values():
        s.close()


def _phrases(searcher, count: int) -> list[Phrase]:
    rng = random.Random(SEED)
    reader = searcher._searcher.reader()
    analysed = []
    for d in reader.all_doc_ids():
        stored = reader.stored_fields(d)
        for field in ("title", "text"):
            terms = analyse_for_index(stored[field], {})
            # one word per position, sub-words sometimes in its place
            at: dict[int, list[str]] = {}
            for term, positions in terms.items():
                for p in positions:
                    at.setdefault(p, []).append(term)
            analysed.append((field, [rng.choice(at[p]) for p in sorted(at)]))
    phrases = []
    while len(phrases) < count:
        field, words = rng.choice(analysed)
        n = rng.choice([2, 2, 3, 4])
        if len(words) < n:
            continue
        at = rng.randrange(len(words) - n + 1)
        cut = words[at:at + n]
        if rng.random() < 0.25:
            rng.shuffle(cut)
        phrases.append(Phrase(field, cut))
    return phrases


def _paired(q: Phrase) -> int:
    """How many of the phrase's adjacent pairs the test index holds."""
    return sum(a in COMMON and b in COMMON for a, b in zip(q.words, q.words[1:]))


def test_phrases_equal_whoosh_with_pairs_and_without(searchers):
    with_pairs, without = searchers[True], searchers[False]
    # the index keeps the common terms it was built with, not whatever the code's list holds now
    assert with_pairs._searcher.schema["text_pairs"].common == COMMON
    assert "text_pairs" not in without._searcher.schema
    phrases = _phrases(with_pairs, 400)
    paths = {"all": sum(_paired(q) == len(q.words) - 1 for q in phrases), "none": sum(_paired(q) == 0 for q in phrases)}
    paths["some"] = len(phrases) - paths["all"] - paths["none"]
    assert min(paths.values()) >= 40, paths
    matched = 0
    for q in phrases:
        for searcher in (with_pairs, without):
            whoosh = {hit.docnum: hit.score for hit in searcher._searcher.search(q, limit=None)}
            found = Engine(searcher._searcher).evaluate(q, float("inf"), True)
            assert found.docs.tolist() == sorted(whoosh), q
            for doc, score in zip(found.docs.tolist(), found.scores.tolist()):
                assert score == pytest.approx(whoosh[doc], abs=1e-6), q
        matched += bool(whoosh)
    assert 150 < matched < 400  # most cut phrases match, shuffled ones mostly not


def test_a_two_word_phrase_reads_only_its_pair(searchers, monkeypatch):
    searcher = searchers[True]
    q = next(q for q in _phrases(searcher, 400) if len(q.words) == 2 and _paired(q) == 1)

    def refuse(*args):
        raise AssertionError("a word's postings read for a two-word phrase")
    for name in ("term", "positions", "prepare_positions"):
        monkeypatch.setattr(Postings, name, refuse)
    for scored in (False, True):
        assert len(Engine(searcher._searcher).evaluate(q, float("inf"), scored).docs)
