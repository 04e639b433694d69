"""Queries that must not break search, against real statements: every real title with a colon found as a
phrase, and a seeded fuzzer whose queries all answer within the time bound or with a one-line QueryError."""
from __future__ import annotations

import gzip
import json
import random
import re
import time

import pytest

from archive.model import statement_id
from archive.search.query import MAX_PHRASE_WORDS, SearchQuery
from archive.search.searcher import TIME_LIMIT, QueryError, Searcher
from helpers import cli_json

# the bound plus what a loaded test machine may add around it (the clock is checked between steps)
SLACK = 0.5
_QUOTE_MARKS = re.compile("[\"“”„«»「」＂]")


def _records(corpus) -> list[dict]:
    return [json.loads(line) for f in sorted((corpus / "statements").glob("*.jsonl.gz"))
            for line in gzip.open(f, "rt", encoding="utf-8")]


@pytest.fixture(scope="module")
def real_index(corpus, tmp_path_factory):
    """The whole corpus (2,906 statements) imported through the command line."""
    data = tmp_path_factory.mktemp("search-inputs") / "data"
    files = sorted((corpus / "statements").glob("*.jsonl.gz"))
    assert cli_json(data, "import", *map(str, files), timeout=900)["indexed"] == 2906
    searcher = Searcher(data / "index")
    yield searcher
    searcher.close()


@pytest.mark.corpus
def test_every_real_title_is_found_as_a_phrase(corpus, real_index):
    """Quoted as a reader would paste it: colons, inner quotation marks and 78 words included."""
    records = _records(corpus)
    assert sum(":" in r["title"] for r in records) == 55
    assert sum(bool(_QUOTE_MARKS.search(r["title"])) for r in records) >= 12
    missed = []
    for rec in records:
        # a title holding ASCII quotes is pasted between curly ones, which only a closing curly mark ends
        phrase = f"“{rec['title']}”" if '"' in rec["title"] else f'"{rec["title"]}"'
        try:
            ids = {h.id for h in real_index.search(SearchQuery(phrase, limit=50)).hits}
        except QueryError as e:
            missed.append(f"{rec['title']}: {e}")
            continue
        if statement_id(rec.get("guid") or rec["url"]) not in ids:
            missed.append(f"{rec['title']}: not found")
    assert missed == []


@pytest.mark.corpus
def test_a_colon_inside_quotes_is_text_and_outside_names_a_field(real_index):
    assert real_index.search(SearchQuery('"Chair’s Statement: Roadmap for Global Food Security"')).total >= 1
    with pytest.raises(QueryError, match="unknown field 'Statement'"):
        real_index.search(SearchQuery("Chair’s Statement: Roadmap"))
    with pytest.raises(QueryError, match="phrase too long"):
        real_index.search(SearchQuery('"' + " ".join(["a"] * (MAX_PHRASE_WORDS + 1)) + '"'))


@pytest.mark.corpus
def test_a_long_phrase_of_one_repeated_word_answers_fast(real_index):
    started = time.monotonic()
    real_index.search(SearchQuery('"' + " ".join(["the"] * 64) + '"'), facets=True)
    assert time.monotonic() - started < 1.0


_COMMON = ["the", "of", "and", "to", "in", "a", "on", "for", "is", "that", "we", "with", "的", "и"]
_ODD = ["台湾", "制裁", "заявление", "外交部", "ＡＢＣ", "\x00", "é", "~", "^2", "*", "?", "\\", "[a TO z]", "{",
        "}", "<", ">", "!", "&&", "||", ":", "-", "+", "'", "’", "（", "）"]
_FIELDS = ["title", "text", "speaker", "country", "source", "kind", "language", "date", "foo"]


class QueryFuzzer:
    """Queries of every shape a user or a bot can type: real words, stop words repeated in long phrases,
    boolean operators, fields, dates, scripts, syntax characters, lengths past the caps."""

    def __init__(self, seed: int, words: list[str]):
        self.rng = random.Random(seed)
        self.words = words

    def term(self) -> str:
        r = self.rng.random()
        if r < 0.3:
            return self.rng.choice(_COMMON)
        if r < 0.85:
            return self.rng.choice(self.words)
        return "".join(self.rng.choice(_ODD) for _ in range(self.rng.randint(1, 3)))

    def phrase(self) -> str:
        n = self.rng.choice([2, 3, 5, 10, 30, 60, 123])
        if self.rng.random() < 0.4:
            return '"' + " ".join([self.rng.choice(_COMMON)] * n) + '"'
        return '"' + " ".join(self.term() for _ in range(n)) + '"'

    def query(self) -> str:
        rng = self.rng
        parts = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            if r < 0.45:
                parts.append(self.term())
            elif r < 0.65:
                parts.append(self.phrase())
            elif r < 0.75:
                parts.append(rng.choice(["AND ", "OR ", "NOT ", "-", "+"]) + self.term())
            elif r < 0.85:
                parts.append(rng.choice(_FIELDS) + ":" + self.term())
            elif r < 0.9:
                parts.append("(" + " OR ".join(self.term() for _ in range(rng.randint(2, 8))) + ")")
            else:
                parts.append(rng.choice(["date:2021", "date:2021-05..2022-01", "date:..2019", "date:2024-13"]))
        return " ".join(parts)[:rng.choice([80, 200, 500, 600])]


@pytest.mark.corpus
def test_fuzzed_queries_answer_within_the_bound_or_with_a_user_error(corpus, real_index):
    words = sorted({w for r in _records(corpus) for w in re.findall(r"\w+", r["title"])})
    fuzzer = QueryFuzzer(20261206, words)
    slowest, answered, refused = 0.0, 0, 0
    for _ in range(3000):
        q = fuzzer.query()
        started = time.monotonic()
        try:
            real_index.search(SearchQuery(q, limit=fuzzer.rng.choice([10, 20, 100]),
                              sort=fuzzer.rng.choice(["relevance", "date", "-date"])), facets=fuzzer.rng.random() < 0.5)
            answered += 1
        except QueryError as e:
            assert "\n" not in str(e)
            refused += 1
        took = time.monotonic() - started
        assert took < TIME_LIMIT + SLACK, f"{took:.2f} s for {q!r}"
        slowest = max(slowest, took)
    assert answered > 1000 and refused > 100
