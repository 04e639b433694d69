"""Place and country names across languages: a search for Taiwan finds 台湾 and Тайвань too, says so, and
`exact=1` searches only the word as typed."""
from helpers import cli, cli_json, web_client

from archive.search.expansion import expand
from archive.search.names import PLACES
from archive.search.query import SearchQuery

TAIWAN = {"term": "Taiwan", "names": ["台湾", "Тайвань"], "kind": "place"}


def _search(client, **args) -> dict:
    response = client.get("/api/search", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _found(found: dict) -> set[str]:
    return {hit["language"] + ":" + hit["title"] for hit in found["hits"]}


def test_a_place_is_searched_in_every_language(names_archive):
    with web_client(names_archive) as client:
        found = _search(client, q="Taiwan")
        assert {h["language"] for h in found["hits"]} == {"en", "zh", "ru"}
        assert found["expansions"] == [TAIWAN]
        # the total is exactly the statements any one spelling finds, each once
        each = [_search(client, q=name, exact=1) for name in ("Taiwan", "台湾", "Тайвань")]
        assert [e["expansions"] for e in each] == [[], [], []]
        assert found["total"] == len(set().union(*map(_found, each))) == 3 == sum(e["total"] for e in each)


def test_exact_searches_only_the_word_as_typed(names_archive):
    with web_client(names_archive) as client:
        found = _search(client, q="Taiwan", exact=1)
        assert _found(found) == {"en:Statement on Taiwan"}
        assert found["expansions"] == []


def test_a_name_in_another_language_finds_english(names_archive):
    with web_client(names_archive) as client:
        found = _search(client, q="台湾")
        assert "en:Statement on Taiwan" in _found(found) and found["total"] == 3
        assert found["expansions"] == [{"term": "台湾", "names": ["Taiwan", "Тайвань"], "kind": "place"}]


def test_other_words_are_untouched(names_archive):
    with web_client(names_archive) as client:
        found = _search(client, q="sanctions")
        assert found["expansions"] == []
        assert found["total"] == _search(client, q="sanctions", exact=1)["total"] == 2


def test_the_page_shows_the_names_and_a_way_back(names_archive):
    with web_client(names_archive) as client:
        page = client.get("/", query_string={"q": "Taiwan"}).get_data(as_text=True)
        assert "Also searched (place names)" in page
        assert "<li>台湾 <span" in page and "<li>Тайвань <span" in page
        assert "search only Taiwan</a>" in page and "exact=1" in page
        exact = client.get("/", query_string={"q": "Taiwan", "exact": "1"}).get_data(as_text=True)
        assert "Also searched" not in exact and "1 statement<" in exact


def test_only_whole_names_as_bare_words_are_expanded():
    for q in ("title:Taiwan", '"Taiwan Strait"', "Taiwanese", "-Taiwan", "NOT Taiwan", "台湾问题", "sanctions"):
        assert expand(q, [PLACES]) == (q, []), q
    assert expand('"South Korea" missile', [PLACES])[0].startswith('("South Korea" OR 韩国 OR')
    assert expand("(Japan OR Philippines)", [PLACES])[0].startswith("((Japan OR 日本 OR Япония) OR (Philippines OR")


def test_exact_round_trips_through_the_query_string():
    query = SearchQuery.from_args({"q": "Taiwan", "exact": "1"})
    assert query.exact and SearchQuery.from_args(query.to_args()) == query
    assert not SearchQuery.from_args({"q": "Taiwan"}).to_args().get("exact")


def test_the_command_line_says_what_it_also_searched(names_archive):
    found = cli_json(names_archive, "search", "Taiwan")
    assert found["total"] == 3 and found["expansions"] == [TAIWAN]
    exact = cli_json(names_archive, "search", "Taiwan", "--exact")
    assert exact["total"] == 1 and "expansions" not in exact
    assert "also searched for Taiwan: 台湾 · Тайвань" in cli(names_archive, "search", "Taiwan").stdout


def test_a_chip_drops_one_name_and_the_totals_say_by_language(names_archive):
    with web_client(names_archive) as client:
        found = _search(client, q="Taiwan")
        assert found["languages"] == {"en": 1, "ru": 1, "zh": 1} and sum(found["languages"].values()) == found["total"]
        page = client.get("/", query_string={"q": "Taiwan"}).get_data(as_text=True)
        assert "1 in English · 1 in Russian · 1 in Chinese" in page
        assert 'href="/?q=Taiwan&amp;drop=%E5%8F%B0%E6%B9%BE" aria-label="Stop searching 台湾 for Taiwan">remove</a>' in page
        dropped = _search(client, q="Taiwan", drop="台湾")
        assert dropped["expansions"] == [{**TAIWAN, "names": ["Тайвань"]}] and dropped["dropped"] == ["台湾"]
        assert dropped["languages"] == {"en": 1, "ru": 1} and dropped["total"] == 2
        page = client.get("/", query_string={"q": "Taiwan", "drop": "台湾"}).get_data(as_text=True)
        assert "Not searched: 台湾" in page and "<li>台湾 <span" not in page
        # every name dropped: the word as typed
        alone = _search(client, q="Taiwan", drop="台湾|Тайвань")
        assert alone["expansions"] == [] and alone["total"] == 1
