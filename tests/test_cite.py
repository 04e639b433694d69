"""Citation lookup: each label on hand-written quotes, repeated formulas, the page, the API and the CLI."""
from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers import archive_store, cli, cli_json
from helpers import build_archive, web_client

from archive.cite.lookup import CANDIDATES, CiteError, align, lookup, marked_cuts, quotes, words
from archive.datadir import open_datadir
from archive.model import Statement
from archive.search.query import SearchQuery
from archive.search.searcher import Searcher
from archive.store import Store

UTC = timezone.utc
SOURCE = ("China firmly opposes any form of unilateral sanctions and long-arm jurisdiction that have no basis "
          "in international law, and we urge the relevant parties to stop their wrong practices at once.")
FORMULA = "The United States remains committed to a peaceful resolution of the dispute through dialogue."


def _st(i: int, paragraphs: list[str], day: int, speaker: str = "Wang Wenbin, Foreign Ministry Spokesperson") -> Statement:
    return Statement(source="cn-mfa", url=f"https://cn-mfa.example/{i}", country="CN", ministry="Ministry of Foreign "
                     "Affairs of the People's Republic of China", language="en", kind="press-conference",
                     title=f"Regular press conference {i}", speakers=[speaker], paragraphs=paragraphs,
                     date=datetime(2024, 3, day, 15, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, tzinfo=UTC))


STATEMENTS = [
    _st(1, ["Good afternoon.", SOURCE, "Next question, please."], 5),
    _st(2, ["On the weather forecast for the coming weekend there is nothing to add."], 6),
    *[Statement(source="us-state", url=f"https://us-state.example/{i}", country="US",
                ministry="U.S. Department of State", language="en", kind="statement", title=f"Statement {i}",
                speakers=["Office of the Spokesperson"], paragraphs=["Opening remarks.", FORMULA],
                date=datetime(2024, 4, 10 - i, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, tzinfo=UTC))
      for i in range(3)],
]


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory) -> Path:
    return build_archive(tmp_path_factory.mktemp("cite-data"), STATEMENTS)


@pytest.fixture(scope="module")
def look(archive_dir):
    dd = open_datadir(archive_dir, create=False)
    searcher, store = Searcher(dd.index_dir), Store(dd.db_url)
    yield lambda text, **kw: lookup(text, searcher, store, SearchQuery(**kw))
    searcher.close()
    store.close()


def test_quotes_and_words():
    assert quotes('He said “we oppose unilateral sanctions firmly” and «nothing else to add here»') == [
        "we oppose unilateral sanctions firmly", "nothing else to add here"]
    assert quotes('a "short" word') == ['a "short" word']
    # quotations that are short parts of one sentence: the sentence is looked up too, first
    assert quotes("本届慕尼黑安全会议以“倡导国际合作，维护多边主义”为主题") == [
        "本届慕尼黑安全会议以“倡导国际合作，维护多边主义”为主题", "倡导国际合作，维护多边主义"]
    assert quotes('He said the talks were "constructive, frank and useful" and would continue.') == [
        'He said the talks were "constructive, frank and useful" and would continue.', "constructive, frank and useful"]
    assert quotes('He said: "we will continue to talk." They left. Then "nothing else to add here"') == [
        "we will continue to talk.", "nothing else to add here"]
    assert words("“Long-arm” jurisdiction… DON’T we’re") == ["long", "arm", "jurisdiction", "dont", "were"]
    # a Chinese character is a word, also right after Latin letters or digits; CJK punctuation is none
    assert words("自2019年以来，IMF多次下调《报告》。") == ["自", "2019", "年", "以", "来", "imf", "多", "次", "下", "调", "报", "告"]
    # a term in quotation marks (“一带一路”, two words' worth) is not the quote; a sentence is
    assert quotes("中方愿在“一带一路”框架下合作") == ["中方愿在“一带一路”框架下合作"]
    assert quotes("他说，“中方对此表示强烈不满。”") == ["中方对此表示强烈不满。"]


@pytest.mark.parametrize("quote, label", [
    (SOURCE, "verbatim"),
    ("the spokesman said \u201cCHINA firmly opposes any form of unilateral sanctions, and long-arm jurisdiction that "
     "have no basis in international law\u201d", "verbatim"),
    ('"China firmly opposes ... unilateral sanctions and long-arm jurisdiction that have no basis in international '
     'law"', "near"),
    ('"China firmly opposes any form of unilateral sanctions and [U.S.] long-arm jurisdiction that have no basis in '
     'international law"', "near"),
    ('"China strongly opposes any form of unilateral sanctions and long-arm jurisdiction that have no basis in '
     'international law"', "near"),
    ('"China firmly opposes any form of unilateral sanctions, which it says are illegal and must be lifted by the '
     'Western powers immediately"', "partial"),
    ('"Beijing welcomes every form of multilateral trade and short-term cooperation that has a basis in law"',
     "not-found"),
])
def test_labels(look, quote, label):
    answer = look(quote)
    assert answer["quotes"][0]["match"] == label
    if label == "not-found":
        assert answer["matches"] == []
        assert answer["notes"]
        return
    top = answer["matches"][0]
    assert top["url"] == "https://cn-mfa.example/1" and top["paragraph"] == 2 and top["passage"] == SOURCE
    assert top["score"] == 1.0 if label == "verbatim" else 0 < top["score"] <= 1.0
    assert {op["op"] for op in top["diff"]} <= {"equal", "cut", "added", "changed"}


@pytest.mark.parametrize("quote, paragraph", [
    # real quotes of statements not in an archive against the closest paragraph it gave (bench/citation_eval.py):
    # a few changes, but the words in common are common words or a short formula
    ("But when it comes to the intra-Afghan talks,",
     "But really this is a three-pronged strategy when it comes to how we seek to help the world."),
    ("DPM Wong welcomed the US’ commitment to continue deepening its",
     "DPM Wong and Minister Maliki welcomed the US’ commitment to maintaining its presence in the region."),
    ("Both Ministers will have a series of bilateral meetings with UN officials, foreign counterparts and US "
     "interlocutors based in New York.", "He will attend the IAMM, and have a series of bilateral meetings with his "
     "counterparts and with US interlocutors based in New York."),
    # the same list in another order
    ("The Ministers discussed cooperation in trade, digital economy, green economy, food security and "
     "people-to-people exchanges.", "The Ministers discussed cooperation in food security, green economy, trade, "
     "digital economy and people-to-people exchanges."),
    ("Indonesia’s Chairmanship theme “ASEAN Matters: Epicentrum of Growth”",
     "Singapore supports the theme “ASEAN Matters: Epicentrum of Growth”."),
    # a word changed and words cut where the quote does not say so: another sentence of the same formula
    ("The Ministers reaffirmed their shared commitment to the people of the region, and they",
     "The Ministers reaffirmed their shared commitment not only to the people of the region but also to its partners."),
    # one changed word, a number or a name: the same formula about another meeting or another country (real
    # sentences of Singapore MFA statements not in an archive, against the paragraph it gave as their source)
    ("This was Prime Minister Lee’s sixth Leaders’ Retreat with President Joko Widodo,",
     "Prime Minister Lee Hsien Loong met Indonesian President Joko Widodo in Bintan, Indonesia, on 25 January 2022 "
     "for the Singapore-Indonesia Leaders’ Retreat. This was Prime Minister Lee’s fifth Leaders’ Retreat with "
     "President Joko Widodo and the first since the start of the COVID-19 pandemic."),
    ("Your victory re-affirms the French people’s trust in your",
     "Congratulations on your re-election as the Prime Minister of Canada. Your victory re-affirms the Canadian "
     "peoples trust in your leadership, as you lead Canadas recovery from the COVID-19 pandemic."),
])
def test_similar_wording_is_no_source(quote, paragraph):
    assert align(words(quote), paragraph, 1).label == "not-found"


@pytest.mark.parametrize("quote", [
    # two cuts, silent or marked
    "The Ministers reaffirmed their shared commitment to the people of the region but also to its partners.",
    "The Ministers reaffirmed their shared commitment … to the people of the region but … to its partners.",
    # two changed words
    "The Ministers reaffirmed their common commitment not only to the people of this region but also to its partners.",
    # a changed word and a cut the quote marks
    "The Ministers reaffirmed their shared commitment … to the people of this region but also to its partners.",
])
def test_cuts_or_changed_words_are_near_and_a_cut_beside_a_change_only_where_marked(quote):
    paragraph = "The Ministers reaffirmed their shared commitment not only to the people of the region but also to its partners."
    assert align(words(quote), paragraph, 1, marked=marked_cuts(quote)).label == "near"
    if "…" in quote and "this" in quote:
        assert align(words(quote), paragraph, 1).label == "not-found"


@pytest.mark.parametrize("quote", [
    # a sentence's first word, in capitals or not; the same letters spaced otherwise; a quote in capitals
    "This U.S. has an enduring commitment not only to the people of Afghanistan but, of course, to American citizens",
    "the US has an enduring commitment not only to the people of Afghanistan but, of course, to American citizens",
    "THE U.S. HAS AN ENDURING COMMITMENT NOT ONLY TO THE PEOPLE OF AFGHANISTAN AND, OF COURSE, TO AMERICAN CITIZENS",
])
def test_a_changed_word_is_near_unless_it_is_a_name_or_a_number(quote):
    paragraph = ("MR PRICE: Sure. The U.S. has an enduring commitment not only to the people of Afghanistan but, of "
                 "course, to American citizens.")
    assert align(words(quote), paragraph, 1).label == "near"
    # the same quote about another country
    other = quote.replace("Afghanistan", "Iraq").replace("AFGHANISTAN", "IRAQ")
    assert align(words(other), paragraph, 1).label != "near"


def test_diff_names_the_changes(look):
    top = look('"China strongly opposes any form of unilateral sanctions and long-arm jurisdiction"')["matches"][0]
    assert {"op": "changed", "text": "firmly", "quote": "strongly"} in top["diff"]
    cut = look('"China firmly opposes … unilateral sanctions and long-arm jurisdiction"')["matches"][0]
    assert {"op": "cut", "text": "any form of"} in cut["diff"]


def test_repeated_formula_is_listed_earliest_first(look):
    answer = look(FORMULA)
    assert answer["quotes"][0]["repeated"] is True
    assert [m["date"][:10] for m in answer["matches"]] == ["2024-04-08", "2024-04-09", "2024-04-10"]
    assert any("3 statements" in n for n in answer["notes"])


def test_filters_narrow_and_bad_input_is_clear(look):
    assert look(SOURCE, country="US")["matches"] == []
    assert look(SOURCE, date_from=datetime(2024, 3, 5).date())["matches"]
    with pytest.raises(CiteError, match="paste a quote"):
        look("   ")
    long = look(SOURCE + " filler" * 400)
    assert any("first 2,000 characters" in n for n in long["notes"])


@pytest.fixture(scope="module")
def client(archive_dir):
    with web_client(archive_dir) as client:
        yield client


def test_api_cite(client):
    got = client.get("/api/cite", query_string={"q": SOURCE}).get_json()
    assert got["matches"][0]["match"] == "verbatim"
    assert set(got["matches"][0]) >= {"id", "url", "title", "date", "speaker", "source", "paragraph", "passage",
                                      "match", "score", "diff"}
    posted = client.post("/api/cite", json={"q": SOURCE, "country": "US"}).get_json()
    assert posted["matches"] == []
    bad = client.get("/api/cite", query_string={"q": ""})
    assert bad.status_code == 400 and "paste a quote" in bad.get_json()["error"]
    # each match cited as the page cites it, in the format asked for (a format it does not know: a 400)
    ris = client.get("/api/cite", query_string={"q": SOURCE, "format": "ris"}).get_json()["matches"][0]
    assert ris["citation"].startswith("TY  - ELEC") and ris["archived_url"].endswith(f"#p{ris['paragraph']}")
    assert client.get("/api/cite", query_string={"q": SOURCE, "format": "harvard"}).status_code == 400
    # any style of the CSL repository by its id; apa is the alias of csl:apa
    apa = client.get("/api/cite", query_string={"q": SOURCE, "format": "csl:apa"}).get_json()["matches"][0]
    assert apa["citation"].startswith("Wang Wenbin. (2024, March 5). Regular press conference 1. Ministry of Foreign "
                                      "Affairs of the People's Republic of China. https://cn-mfa.example/1 (Archived copy")
    assert apa["citation"] == client.get("/api/cite", query_string={"q": SOURCE}).get_json()["matches"][0]["citation"]
    unknown = client.get("/api/cite", query_string={"q": SOURCE, "format": "csl:no-such-style"})
    assert unknown.status_code == 400 and "\n" not in unknown.get_json()["error"]
    assert "unknown citation style 'no-such-style'" in unknown.get_json()["error"]


def test_cite_page_shows_differences_and_a_citation(client):
    html = client.get("/cite", query_string={"q": '"China strongly opposes any form of unilateral sanctions and '
                                                  'long-arm jurisdiction"', "format": "bibtex"}).get_data(True)
    assert "<del" in html and "firmly</del>" in html and "strongly</ins>" in html
    assert "@misc{wang2024_" in html
    assert client.get("/cite").status_code == 200
    # a blank box is the empty form again, not an error page
    assert client.get("/cite", query_string={"q": " "}).status_code == 200


def test_cite_page_offers_common_csl_styles(client):
    html = client.get("/cite", query_string={"q": SOURCE, "format": "csl:harvard-cite-them-right"}).text
    assert "<strong>csl:harvard-cite-them-right</strong>" in html and ">csl:ieee</a>" in html
    assert "Available at: https://cn-mfa.example/1" in html


def test_statement_cite_api_and_page(client, archive_dir):
    sid = archive_store(archive_dir).iter_statements().__next__()["id"]
    r = client.get(f"/api/statements/{sid}/cite", query_string={"format": "ris", "paragraph": "1"})
    assert r.status_code == 200 and r.mimetype == "text/plain" and "#p1" in r.get_data(True)
    r = client.get(f"/api/statements/{sid}/cite", query_string={"format": "csl-json"})
    assert r.mimetype == "application/json" and r.get_json()[0]["type"] == "webpage"
    assert client.get(f"/api/statements/{sid}/cite", query_string={"format": "harvard"}).status_code == 400
    r = client.get(f"/api/statements/{sid}/cite", query_string={"format": "csl:modern-language-association",
                                                                 "paragraph": "1"})
    assert r.status_code == 200 and r.mimetype == "text/plain"
    assert r.get_data(True).startswith("U.S. Department of State. “Statement 1.” U.S. Department of State, 9 Apr. 2024")
    assert r.get_data(True).endswith("\nIn text: (U.S. Department of State, “Statement 1,” par. 1)")
    r = client.get(f"/api/statements/{sid}/cite", query_string={"format": "csl:no-such-style"})
    assert r.status_code == 400 and "\n" not in r.get_json()["error"]
    assert client.get(f"/api/statements/{sid}/cite", query_string={"paragraph": "99"}).status_code == 400
    assert client.get(f"/api/statements/{sid}/cite", query_string={"paragraph": "x"}).status_code == 400
    page = client.get(f"/statements/{sid}/cite?paragraph=1").get_data(True)
    assert page.count("<textarea readonly") == 6 and "#p1" in page
    assert f'href="/api/statements/{sid}/cite?format=csl:harvard-cite-them-right&amp;paragraph=1"' in page
    statement = client.get(f"/statements/{sid}").get_data(True)
    for tag in ("citation_title", "citation_author", "citation_publication_date", "citation_public_url",
                "citation_language", "citation_publisher", "DC.title", "DC.creator", "DC.date", "DC.identifier",
                "DC.language", "DC.publisher"):
        assert f'<meta name="{tag}"' in statement
    assert f"/statements/{sid}/cite?paragraph=1" in statement


def test_cli(archive_dir):
    answer = cli_json(archive_dir, "cite", f"“{SOURCE}”", "--format", "mla")
    assert answer["matches"][0]["match"] == "verbatim"
    # MLA sets titles in title case
    assert answer["matches"][0]["citation"].startswith("Wang Wenbin. “Regular Press Conference 1.”")
    note = cli(archive_dir, "cite", f"“{SOURCE}”", "--format", "csl:chicago-note-bibliography", "--json")
    assert note.returncode == 0, note.stderr
    assert json.loads(note.stdout)["matches"][0]["citation"].startswith("Note: Wang Wenbin, “Regular Press Conference 1,”")
    unknown = cli(archive_dir, "cite", SOURCE, "--format", "csl:no-such-style")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr.count("\n") == 1 and "unknown citation style 'no-such-style'" in unknown.stderr
    none = cli(archive_dir, "cite", "an invented sentence about purple elephants on the moon")
    assert none.returncode == 0 and "not-found" in none.stdout
    empty = cli(archive_dir, "cite", "")
    assert empty.returncode == 1 and "paste a quote" in empty.stderr


def test_real_corpus_quote_is_found_verbatim(corpus, tmp_path):
    path = next((corpus / "statements").glob("*.jsonl.gz"))
    with gzip.open(path, "rt") as f:
        rows = [json.loads(next(f)) for _ in range(50)]
    assert cli(tmp_path, "import", str(path)).returncode == 0
    text = max((r["text"] for r in rows), key=len)
    sentence = " ".join(text.split()[10:30])
    answer = cli_json(tmp_path, "cite", sentence)
    assert answer["matches"][0]["match"] == "verbatim"


ZH_SOURCE = "答：中方坚决反对任何形式的单边制裁和长臂管辖，敦促有关方面立即停止错误做法。"
MUNICH = "本届慕尼黑安全会议以“倡导国际合作，维护多边主义”为主题"
LONG_QUOTE = "And he’s been in detention, he’s been away from his family for far too long."


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """A long briefing holding the quote once, among 40 short statements that each repeat one of its rarer
    words: ranked by BM25 over the whole statement, the briefing is not among the first 30 candidates."""
    filler = [f"QUESTION: On topic {i}, can you say more about the schedule for the meeting next week?"
              for i in range(80)]
    briefing = _st(50, filler[:40] + [f"MR PRICE: {LONG_QUOTE} We call for his release."] + filler[40:], 20,
                   speaker="Ned Price, Department Spokesperson")
    short = [_st(100 + i, [f"{w.capitalize()} {w} {w}: a note on {w}."], 1 + i % 28)
             for i, w in enumerate(["detention", "family", "away", "long"] * 10)]
    # a formula in more statements than the lookup retrieves, indexed newest first
    weekly = [Statement(source="us-state", url=f"https://us-state.example/weekly/{i}", country="US",
                        ministry="U.S. Department of State", language="en", kind="statement", title=f"Weekly {i}",
                        speakers=[], paragraphs=[FORMULA], date=datetime(2020, 1, 1, tzinfo=UTC) + timedelta(weeks=i),
                        fetched_at=datetime(2024, 7, 1, tzinfo=UTC)) for i in reversed(range(CANDIDATES + 5))]
    chinese = Statement(source="cn-mfa-zh", url="https://cn-mfa.example/zh/1", country="CN", ministry="中华人民共和国外交部",
                        language="zh", kind="press-conference", title="外交部发言人耿爽主持例行记者会", speakers=["耿爽"],
                        paragraphs=["问：请介绍有关情况。", ZH_SOURCE], date=datetime(2019, 2, 1, tzinfo=UTC),
                        fetched_at=datetime(2024, 7, 1, tzinfo=UTC))
    # the theme's words in an older statement too: found by them alone, the sentence would be found there
    munich = [Statement(source="cn-mfa-zh", url=f"https://cn-mfa.example/zh/{i}", country="CN", ministry="中华人民共和国外交部",
                        language="zh", kind="press-conference", title=title, speakers=["汪文斌"], paragraphs=[text],
                        date=datetime(year, 2, 1, tzinfo=UTC), fetched_at=datetime(2024, 7, 1, tzinfo=UTC))
              for i, year, title, text in [(2, 2018, "王毅谈多边主义", "中方一贯倡导国际合作，维护多边主义，反对单边主义。"),
                                           (3, 2021, "王毅出席慕尼黑安全会议", MUNICH + "。")]]
    root = build_archive(tmp_path_factory.mktemp("crowded"), [briefing, *short, *weekly, chinese, *munich])
    dd = open_datadir(root, create=False)
    searcher, store = Searcher(dd.index_dir), Store(dd.db_url)
    yield lambda text, **kw: lookup(text, searcher, store, SearchQuery(**kw))
    searcher.close()
    store.close()


def test_a_quote_in_one_paragraph_of_a_long_transcript_is_found(crowded):
    top = crowded(f"“{LONG_QUOTE}”")["matches"][0]
    assert (top["title"], top["paragraph"], top["match"]) == ("Regular press conference 50", 41, "verbatim")
    # apostrophes are punctuation: news copy in capitals drops them
    assert crowded('"AND HES BEEN IN DETENTION, HES BEEN AWAY FROM HIS FAMILY"')["matches"][0]["match"] == "verbatim"
    # a phrase for a word is one changed word
    changed = crowded("As well as he’s been in detention, he’s been away from his family for far too long")
    assert changed["matches"][0]["match"] == "near"
    assert {"op": "changed", "text": "and", "quote": "as well as"} in changed["matches"][0]["diff"]


def test_a_formula_repeated_beyond_the_retrieval_cap_lists_the_earliest(crowded):
    answer = crowded(FORMULA)
    assert [m["title"] for m in answer["matches"][:3]] == ["Weekly 0", "Weekly 1", "Weekly 2"]
    assert any("the same words appear in at least" in n for n in answer["notes"]), answer["notes"]


def test_a_chinese_quote_is_found(crowded):
    answer = crowded("发言人说「中方坚决反对任何形式的单边制裁和长臂管辖」。")
    assert answer["quotes"][0]["text"] == "中方坚决反对任何形式的单边制裁和长臂管辖"
    top = answer["matches"][0]
    assert (top["title"], top["paragraph"], top["match"]) == ("外交部发言人耿爽主持例行记者会", 2, "verbatim")


def test_a_sentence_quoting_a_theme_is_found_whole(crowded):
    answer = crowded(MUNICH)
    assert [(q["part"], q["match"]) for q in answer["quotes"]] == [("whole", "verbatim"), ("quoted", "verbatim")]
    assert any("looked up whole" in n for n in answer["notes"])
    whole = next(m for m in answer["matches"] if m["quote"] == 0)
    assert (whole["title"], whole["paragraph"]) == ("王毅出席慕尼黑安全会议", 1)
    assert {m["title"] for m in answer["matches"] if m["quote"] == 1} == {"王毅谈多边主义", "王毅出席慕尼黑安全会议"}
