"""Statement texts that must not break the web: a NUL in a cited statement, revisions too long or too
repetitive to compare word by word."""
from __future__ import annotations

import random
import time
from datetime import datetime, timezone

import pytest

from archive.model import Statement
from archive.revisions import TOO_LONG, paragraph_diff, revision_diff, word_diff
from helpers import archive_store, build_archive, web_client

UTC = timezone.utc
QUOTE = "The ministry firmly rejects the groundless accusations made in the report published yesterday."


def _statement(n: int, paragraphs: list[str], day: int = 1) -> Statement:
    return Statement(source="us-state", url=f"https://us-state.example/{n}", country="US",
                     ministry="Department of State", language="en", kind="statement", title=f"Statement {n}",
                     paragraphs=paragraphs,
                     date=datetime(2024, 3, 1, tzinfo=UTC), fetched_at=datetime(2024, 7, day, tzinfo=UTC))


def _repetitive(words: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(["the", "people", "of", "and", "government"]) for _ in range(words))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("text-inputs")
    nul = _statement(1, ["Opening \x00 remarks with a NUL.", "Before\x00after.", QUOTE])
    long_text = _statement(2, [_repetitive(20000, 1)])
    build_archive(root, [nul, long_text])
    store = archive_store(root)
    store.save(_statement(2, [_repetitive(20000, 2)], day=2))
    store.close()
    with web_client(root) as web:
        yield web, nul, long_text


def test_a_nul_in_a_statement_does_not_break_cite(client):
    web, nul, _ = client
    r = web.get("/api/cite", query_string={"q": f"“{QUOTE}”"})
    assert r.status_code == 200
    top = r.get_json()["matches"][0]
    assert top["id"] == nul.id and top["paragraph"] == 3 and top["match"] == "verbatim"


def test_a_long_repetitive_revision_diff_answers_fast(client):
    web, _, long_text = client
    started = time.monotonic()
    r = web.get(f"/api/statements/{long_text.id}/revisions?from=1&to=2")
    assert r.status_code == 200 and time.monotonic() - started < 2.0
    assert r.get_json()["diff"]["paragraphs"]
    page = web.get(f"/statements/{long_text.id}/revisions?from=1&to=2")
    assert page.status_code == 200


@pytest.mark.parametrize("words", [5000, 20000, 1_500_000])
def test_the_diff_of_any_length_stays_bounded(words):
    old, new = _repetitive(words, 1), _repetitive(words, 2)
    started = time.monotonic()
    diff = revision_diff({"title": "t", "paragraphs": [old]}, {"title": "t", "paragraphs": [new]})
    assert time.monotonic() - started < 3.0
    # nothing is lost: each side's words are all there, in order
    ops = diff["paragraphs"][0]
    assert " ".join(o["text"] for o in ops if o["op"] != "insert").split() == old.split()
    assert " ".join(o["text"] for o in ops if o["op"] != "delete").split() == new.split()
    if words > 5000:
        assert diff["note"] == TOO_LONG


def test_an_edit_inside_a_long_repetitive_paragraph_is_word_by_word_and_fast():
    old = _repetitive(20000, 3).split()
    # edits 1,500 words apart: the stretch between them is compared word by word (1,500² pairs, in budget)
    new = old[:9000] + ["not"] + old[9000:10500] + ["never"] + old[10501:]
    started = time.monotonic()
    diff = revision_diff({"title": "t", "paragraphs": [" ".join(old)]}, {"title": "t", "paragraphs": [" ".join(new)]})
    assert time.monotonic() - started < 1.0 and "note" not in diff
    changed = [o for o in diff["paragraphs"][0] if o["op"] != "equal"]
    assert {"op": "insert", "text": "not"} in changed and {"op": "insert", "text": "never"} in changed
    assert sum(len(o["text"].split()) for o in changed) <= 6


def test_many_paragraphs_with_a_local_edit_are_compared_word_by_word():
    old = [f"Paragraph {i} of a very long transcript." for i in range(100_000)]
    new = old[:50_000] + ["Paragraph 50000 of a much longer transcript."] + old[50_001:]
    started = time.monotonic()
    diff = revision_diff({"title": "t", "paragraphs": old}, {"title": "t", "paragraphs": new})
    assert time.monotonic() - started < 3.0 and "note" not in diff
    assert diff["paragraphs"][50_000] == [
        {"op": "equal", "text": "Paragraph 50000 of a"}, {"op": "delete", "text": "very long"},
        {"op": "insert", "text": "much longer"}, {"op": "equal", "text": "transcript."}]


def test_a_small_edit_is_still_word_by_word():
    assert word_diff("we will not accept this", "we will never accept this") == [
        {"op": "equal", "text": "we will"}, {"op": "delete", "text": "not"}, {"op": "insert", "text": "never"},
        {"op": "equal", "text": "accept this"}]
    assert paragraph_diff(["a b", "c d"], ["a b", "x", "c d"]) == [
        [{"op": "equal", "text": "a b"}], [{"op": "insert", "text": "x"}], [{"op": "equal", "text": "c d"}]]
