"""A realistic negative on real statements: a sentence of a State Department statement that is not in the
archive, the same formula as a briefing in it said another way ("an enduring commitment to the people of
Afghanistan, and we" where the briefing has "an enduring commitment not only to the people of Afghanistan
but"). Half of it was given `near` before a near quote had to be cut or changed, not both; the briefing is
similar wording, not its source."""
from __future__ import annotations

import pytest
from helpers import build_archive, web_client

from archive.cite.lookup import words
from archive.ingest.jsonl import read_file

pytestmark = pytest.mark.corpus

# "Assistance for Afghanistan to Respond to June 22 Earthquake" (2022-06-28), held out of the archive
HELD_OUT = "f684865ded331ed0"
# "Department Press Briefing – July 21, 2022", paragraph 117: "… the United States has an enduring commitment not
# only to the people of Afghanistan but, of course, to American citizens, …"
BRIEFING, PARAGRAPH = "5047d33457ea1df2", 117
HALF = "The United States has an enduring commitment to the people of Afghanistan, and we"


def _cite(client, q: str) -> dict:
    r = client.get("/api/cite", query_string={"q": q})
    assert r.status_code == 200
    return r.get_json()


def test_another_sentence_of_the_same_formula_is_similar_wording_not_a_source(corpus, tmp_path):
    statements = read_file(corpus / "statements" / "us-state-press-2021-2022.jsonl.gz")
    held = next(st for st in statements if st.id == HELD_OUT)
    # the archive: every other statement saying "enduring commitment" (the briefing among them)
    loaded = [st for st in statements if "enduring commitment" in st.text and st.id != HELD_OUT]
    assert BRIEFING in [st.id for st in loaded]
    # the quote is the first half of the held-out sentence, and shares no 8 words in a row with the archive
    assert any(" ".join(words(p)).startswith(" ".join(words(HALF)) + " welcome") for p in held.paragraphs)
    archive_text = [" ".join(words(p)) for st in loaded for p in st.paragraphs]
    w = words(HALF)
    assert not any(" ".join(w[i:i + 8]) in text for i in range(len(w) - 7) for text in archive_text)
    with web_client(build_archive(tmp_path, loaded)) as client:
        answer = _cite(client, f"“{HALF}”")
        assert (answer["quotes"][0]["match"], answer["matches"]) == ("not-found", [])
        assert (BRIEFING, PARAGRAPH) in [(s["id"], s["paragraph"]) for s in answer["similar"]]
        # the briefing's own words, cut for length or with a word changed, are still its quote
        for quote, edit in [
            ("the United States has an enduring commitment … to the people of Afghanistan but, of course, to "
             "American citizens", {"op": "cut", "text": "not only"}),
            ("the United States has a lasting commitment not only to the people of Afghanistan but, of course, to "
             "American citizens", {"op": "changed", "text": "an enduring", "quote": "a lasting"}),
        ]:
            top = _cite(client, f"“{quote}”")["matches"][0]
            assert (top["id"], top["paragraph"], top["match"]) == (BRIEFING, PARAGRAPH, "near")
            assert edit in top["diff"]
