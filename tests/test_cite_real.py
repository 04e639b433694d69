"""Citation lookup on real statements, through the real web app, as a journalist would check it: a sentence of a
statement that is not in the archive is no one's quote, an edited or half quote is still found, a sentence
quoting a title is found whole, and similar wording stays apart from sources."""
from __future__ import annotations

import pytest
from helpers import build_archive, cli, cli_json

from archive.cite.lookup import words
from archive.ingest.jsonl import read_file

# the first statements of the Singapore file (newest first) are the archive; the ones after it are not
LOADED = 400
HELD_OUT = "638b2d7632285457"
# from HELD_OUT: the same boilerplate as loaded statements, no 8 words of it in a row in any of them
UNSEEN = ("They expressed a common desire to make progress in areas of common interest such as in innovation, "
          "climate change, renewable energy and the green economy.")
GAZA = "9bd9e5701fae5878"
# paragraph 10 of GAZA, quoting a resolution's title
NESTED = ("Singapore also co-sponsored the ESS resolution entitled “Protection of Civilians and Upholding Legal and "
          "Humanitarian Obligations” that the General Assembly adopted with an overwhelming majority of 153 votes "
          "in favour on 12 December.")


@pytest.fixture(scope="module")
def statements(corpus):
    return read_file(corpus / "statements" / "sg-mfa-2021-2024.jsonl.gz")


@pytest.fixture(scope="module")
def archive_dir(statements, tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("cite-real"), statements[:LOADED])


def _cite(client, q: str) -> dict:
    r = client.get("/api/cite", query_string={"q": q})
    assert r.status_code == 200
    return r.get_json()


def test_a_sentence_of_a_statement_not_in_the_archive_is_not_found(client, statements):
    loaded = " ".join(" ".join(words(p)) for st in statements[:LOADED] for p in st.paragraphs)
    w = words(UNSEEN)
    assert HELD_OUT in [st.id for st in statements[LOADED:]]
    assert not any(" ".join(w[i:i + 8]) in loaded for i in range(len(w) - 7))
    answer = _cite(client, f"“{UNSEEN}”")
    assert answer["quotes"][0]["match"] == "not-found" and answer["matches"] == []
    # offered, if at all, as similar wording: no label, no diff
    assert all(set(s) == {"quote", "id", "url", "title", "date", "paragraph", "passage", "score"}
               for s in answer["similar"])


def test_a_real_quote_with_two_changed_words_is_near(client):
    answer = _cite(client, "“Singapore also supports the call made in this resolution for all parties to comply with "
                           "their duties under international law”")
    top = answer["matches"][0]
    assert (top["id"], top["paragraph"], top["match"]) == (GAZA, 12, "near")
    assert {"op": "changed", "text": "the", "quote": "this"} in top["diff"]


def test_half_a_sentence_is_found_in_its_paragraph(client):
    top = _cite(client, "“We recognise that Israel has the right to defend its citizens”")["matches"][0]
    assert (top["id"], top["paragraph"], top["match"]) == (GAZA, 12, "verbatim")


def test_a_sentence_quoting_a_title_is_found_whole(client):
    answer = _cite(client, NESTED)
    whole, title = answer["quotes"]
    assert (whole["part"], whole["match"], title["part"]) == ("whole", "verbatim", "quoted")
    top = answer["matches"][0]
    assert (top["quote"], top["id"], top["paragraph"], top["match"]) == (0, GAZA, 10, "verbatim")


def test_partial_shows_the_part_the_statement_holds(client):
    answer = _cite(client, "“Singapore supports the call made in this resolution for an immediate humanitarian "
                           "ceasefire, which the great powers have so far refused to back”")
    top = answer["matches"][0]
    assert (top["id"], top["match"]) == (GAZA, "partial")
    assert [op["op"] for op in top["diff"]] == ["equal", "added"]
    assert top["span"] == "singapore supports the call made in this resolution for an immediate humanitarian ceasefire"


# the wording of several loaded statements about other countries, in no one of them
SIMILAR = ("“The Ministers agreed to deepen cooperation in areas such as the green economy and people-to-people "
           "exchanges between Singapore and Peru.”")


def test_the_api_keeps_similar_wording_apart_from_matches(client):
    answer = _cite(client, SIMILAR)
    assert answer["quotes"][0]["match"] == "not-found" and answer["matches"] == []
    assert answer["similar"], "real wording this close is offered as similar"
    assert {s["quote"] for s in answer["similar"]} == {0}
    page = client.get("/cite", query_string={"q": answer["query"]}).get_data(True)
    assert page.index("not-found") < page.index("Similar wording (not a source)")


def test_the_cli_prints_similar_wording_under_its_own_heading(archive_dir):
    out = cli(archive_dir, "cite", SIMILAR).stdout
    assert out.index(": not-found") < out.index("Similar wording (not a source):")
    answer = cli_json(archive_dir, "cite", SIMILAR)
    assert answer["matches"] == [] and answer["similar"]


def test_the_official_wording_of_a_real_quote_with_two_changed_words(client):
    quote = ("“Singapore also supports the call made in this resolution for all parties to comply with their duties "
             "under international law”")
    top = _cite(client, quote)["matches"][0]
    paragraph = top["passage"]
    assert paragraph[top["span_start"]:top["span_end"]] == ("Singapore also supports the call made in the resolution "
                                                             "for all parties to comply with their obligations under "
                                                             "international law")
    assert [(s["op"], s["text"], s.get("news")) for s in top["wording"] if s["op"] == "changed"] == [
        ("changed", "the", "this"), ("changed", "obligations", "duties")]
    assert "".join(s["text"] for s in top["wording"]) == paragraph
    page = client.get("/cite", query_string={"q": quote}).get_data(True)
    assert ('<del title="the official text says">obligations</del> <span class="op">→</span> '
            '<ins title="the news says">duties</ins>') in page
    assert "</mark>, including international humanitarian law," in page
