"""Words across languages: the lexicon mined from the archive's own aligned conferences (the China MFA's of
August 2019, in Chinese and English) pairs words that translate each other, far above chance; a search for an
English word then finds the Chinese conferences too and says so, while `exact=1` or a removed chip does not;
the totals by language add up to the total."""
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from helpers import NAMES_ARCHIVE, Server, build_archive, cli, cli_json, web_client

from archive.datadir import DataDir
from archive.ingest.mine_lexicon import MIN_JOINT, MIN_LIFT, MIN_LLR
from archive.search.expansion import expand
from archive.search.lexicon import Lexicon
from archive.search.searcher import Searcher

CHROMIUM = Path("/usr/bin/chromium")



def _search(client, **args) -> dict:
    response = client.get("/api/search", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _languages(found: dict) -> set[str]:
    return {hit["language"] for hit in found["hits"]}


def _first(found: list[dict]) -> dict:
    assert found, "no translation"
    return found[0]


def _missile(found: dict) -> list[str]:
    """The other spellings a search for missile also looked for: 导弹 first, and what else this month pairs
    with it as strongly (陆基 "land-based", 中短程 "intermediate-range", of the INF Treaty)."""
    [expansion] = found["expansions"]
    assert expansion["term"] == "missile" and expansion["kind"] == "lexicon" and expansion["names"][0] == "导弹"
    return expansion["names"]


@pytest.mark.corpus
def test_the_lexicon_pairs_translations_far_above_chance(august_2019):
    lexicon = Lexicon.load(DataDir(august_2019).lexicon_path)
    for word, expected in (("missile", "导弹"), ("导弹", "missile"), ("tariffs", "关税"), ("treaty", "条约"),
                           ("制裁", "sanctions")):
        best = _first(lexicon.translations(word))
        assert best["word"] == expected, word
        assert best["joint"] >= MIN_JOINT and best["llr"] >= MIN_LLR and best["lift"] >= MIN_LIFT, best
    # words in most turns pair with everything a little and with nothing far above chance
    for word in ("the", "的", "China"):
        assert lexicon.translations(word) == [], word
    shown = cli_json(august_2019, "lexicon", "show", "导弹")
    assert shown == {"word": "导弹", "translations": lexicon.translations("导弹")}


@pytest.mark.corpus
@pytest.mark.slow
def test_build_says_what_it_mined(august_2019):
    summary = cli_json(august_2019, "lexicon", "build", "-q")
    assert summary["conferences"] == 12 and summary["units"] > 12 * 10
    assert summary["words"]["en"] > 100 and summary["words"]["zh"] > 100
    assert summary["path"] == str(DataDir(august_2019).lexicon_path)
    text = cli(august_2019, "lexicon", "build")
    assert text.returncode == 0 and "from 12 conferences" in text.stdout
    assert "Examples:" in cli(None, "lexicon", "build", "--help").stdout
    shown = cli(august_2019, "lexicon", "show", "missile")
    assert shown.returncode == 0 and shown.stdout.startswith("missile → 导弹  (together in ")


@pytest.mark.corpus
def test_an_english_word_finds_the_chinese_conferences(august_2019):
    with web_client(august_2019) as client:
        found = _search(client, q="missile")
        names = _missile(found)
        assert _languages(found) == {"en", "zh"}
        # exactly the statements one spelling or the others find: the English ones and the Chinese ones
        english, chinese = (_search(client, q=q, exact=1) for q in ("missile", " OR ".join(names)))
        assert _languages(english) == {"en"} and _languages(chinese) == {"zh"}
        assert found["total"] == english["total"] + chinese["total"]
        assert found["languages"] == {"en": english["total"], "zh": chinese["total"]}
        assert sum(found["languages"].values()) == found["total"]
        # a Chinese hit is there for 导弹, which the snippet marks
        assert any("<mark>导弹</mark>" in hit["snippet"] for hit in found["hits"] if hit["language"] == "zh")


@pytest.mark.corpus
def test_exact_searches_only_the_english_word(august_2019):
    with web_client(august_2019) as client:
        found = _search(client, q="missile", exact=1)
        assert found["expansions"] == [] and _languages(found) == {"en"}
        assert found["languages"] == {"en": found["total"]}
        page = client.get("/", query_string={"q": "missile", "exact": "1"}).get_data(as_text=True)
        assert "Also searched" not in page


def _query_string(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


@pytest.mark.corpus
def test_each_chip_drops_its_spelling(august_2019):
    with web_client(august_2019) as client:
        url = "/?q=missile"
        names = _missile(_search(client, q="missile"))
        for n, name in enumerate(names):
            page = client.get(url).get_data(as_text=True)
            assert "Also searched (words from the archive's bilingual transcripts)" in page
            chip = re.search(rf'<li>{name} <span class="for">for missile</span> <a href="([^"]+)"', page)
            assert chip, page
            url = unescape(chip[1])
            # the page's JSON twin reads the same query string: the spelling is dropped and said to be
            twin = _search(client, **_query_string(url))
            assert twin["dropped"] == names[:n + 1]
            assert [e["names"] for e in twin["expansions"]] == ([names[n + 1:]] if names[n + 1:] else [])
            assert twin["total"] == _search(client, q=" OR ".join(["missile", *names[n + 1:]]), exact=1)["total"]
        page = client.get(url).get_data(as_text=True)
        assert "Also searched" not in page and "Not searched: 导弹 (" in page
        assert _languages(_search(client, **_query_string(url))) == {"en"}
        # and back: a dropped spelling's link searches it again
        again = re.search(r'Not searched: 导弹 \(<a href="([^"]+)"', page)
        restored = _search(client, **_query_string(unescape(again[1])))
        assert restored["expansions"][0]["names"] == ["导弹"] and "导弹" not in restored["dropped"]


@pytest.mark.corpus
@pytest.mark.slow
def test_the_page_and_the_command_line_give_the_totals_by_language(august_2019):
    with web_client(august_2019) as client:
        found = _search(client, q="missile")
        page = client.get("/", query_string={"q": "missile"}).get_data(as_text=True)
    en, zh = found["languages"]["en"], found["languages"]["zh"]
    assert f"{en} in English · {zh} in Chinese" in page or f"{zh} in Chinese · {en} in English" in page
    line = cli(august_2019, "search", "missile").stdout.splitlines()[0]
    assert line.startswith(f"{found['total']} statements: ") and f"{zh} in Chinese" in line
    assert cli_json(august_2019, "search", "missile")["languages"] == found["languages"]
    drops = [arg for name in _missile(found) for arg in ("--drop", name)]
    dropped = cli_json(august_2019, "search", "missile", *drops)
    assert dropped["languages"] == {"en": en} and dropped["dropped"] == _missile(found)


@pytest.mark.corpus
def test_only_bare_words_are_expanded(august_2019):
    finder = Lexicon.load(DataDir(august_2019).lexicon_path).finder()
    for q in ('"missile"', "-missile", "NOT missile", "title:missile", "missiles(", "导弹试验"):
        assert expand(q, [finder]) == (q, []), q
    # a word as typed, any inflection, each word of several
    expanded, made = expand("Missiles treaty", [finder])
    assert expanded.startswith("(Missiles OR 导弹") and ") (treaty OR 条约" in expanded
    assert [e["term"] for e in made] == ["Missiles", "treaty"]


@pytest.mark.corpus
@pytest.mark.slow
def test_a_rebuilt_lexicon_reaches_a_running_search(august_2019):
    searcher = Searcher(DataDir(august_2019).index_dir)
    try:
        assert not searcher.stale()
        assert cli(august_2019, "lexicon", "build", "-q").returncode == 0
        # the web backend opens a new searcher when this one is stale
        assert searcher.stale()
    finally:
        searcher.close()


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")
def test_the_chips_on_a_phone_by_keyboard(august_2019):
    sync_api = pytest.importorskip("playwright.sync_api")
    server = Server(august_2019)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless",
                                                                             "--disable-gpu", "--no-first-run"])
            page = browser.new_page(viewport={"width": 375, "height": 740})
            page.goto(server.url + "/?q=missile")
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            assert "in Chinese" in page.inner_text("main")
            # Tab reaches the chip's link, and Enter follows it: the search without 导弹
            for _ in range(40):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.getAttribute('aria-label')") == \
                        "Stop searching 导弹 for missile":
                    break
            else:
                pytest.fail("the chip's link is not reached by Tab")
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r"drop="))
            assert "Not searched: 导弹" in page.inner_text("main")
            browser.close()
    finally:
        server.stop()


def test_an_archive_without_bilingual_conferences_gets_an_empty_lexicon(tmp_path):
    root = build_archive(tmp_path / "data", NAMES_ARCHIVE)
    missing = cli(root, "lexicon", "show", "sanctions")
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.strip().count("\n") == 0 and "lexicon build" in missing.stderr
    built = cli(root, "lexicon", "build")
    assert built.returncode == 0 and "from 0 conferences" in built.stdout and "lexicon is empty" in built.stderr
    assert cli_json(root, "lexicon", "show", "sanctions") == {"word": "sanctions", "translations": []}
    # searches go on as before: place names only
    found = cli_json(root, "search", "Taiwan sanctions")
    assert [e["kind"] for e in found["expansions"]] == ["place"]
