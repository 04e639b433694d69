"""The compare view (/compare, /api/compare, /compare.csv) through the real Flask app over a small archive of
four ministries on missile deployments, and over real US State, Singapore and China MFA statements from
../shared/corpus."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone
from html import unescape
from pathlib import Path

import pytest
from helpers import (BEIJING, CHINA_WEEK, CHINA_WEEK_EN, CORPUS, EASTERN, UTC, build_archive, corpus_statement,
                     present, web_client)

from archive.datadir import open_datadir
from archive.index.writing import sync_index
from archive.ingest.jsonl import read_file
from archive.model import Statement
from archive.store import Store

MOSCOW = timezone(timedelta(hours=3))
TOKYO = timezone(timedelta(hours=9))
MINISTRIES = {"CN": "Ministry of Foreign Affairs of the People's Republic of China",
              "RU": "Ministry of Foreign Affairs of the Russian Federation",
              "US": "Department of State", "JP": "Ministry of Foreign Affairs of Japan", "FR": "Ministère"}


def st(n: int, country: str, when: datetime, text: str, speaker: str = "Spokesperson") -> Statement:
    return Statement(source=f"{country.lower()}-mfa", url=f"https://{country.lower()}.example/{n}", country=country,
                     ministry=MINISTRIES[country], language="en", kind="press-conference",
                     title=f"{country} briefing {n}", speakers=[speaker],
                     paragraphs=[f"Opening remarks {n}.", text, "Other business."], date=when,
                     fetched_at=datetime(2024, 6, 1, tzinfo=UTC))


NANSEI = "Missile units were deployed on the Nansei islands."
# Beijing speaks first (twice on 2 March, once on 10 April), then Moscow, Washington (six times: one more
# than a lane shows) and Tokyo; Paris speaks of something else. All within 40 days: marked day by day
STATEMENTS = [
    st(1, "CN", datetime(2024, 3, 2, 15, 0, tzinfo=BEIJING), NANSEI),
    st(2, "CN", datetime(2024, 3, 2, 16, 0, tzinfo=BEIJING), NANSEI),
    st(3, "CN", datetime(2024, 4, 10, 15, 0, tzinfo=BEIJING), NANSEI),
    st(4, "RU", datetime(2024, 3, 5, 12, 0, tzinfo=MOSCOW), NANSEI),
    st(5, "RU", datetime(2024, 3, 20, 12, 0, tzinfo=MOSCOW), NANSEI),
    *[st(10 + i, "US", datetime(2024, 3, 10 + i, 14, 0, tzinfo=EASTERN), NANSEI) for i in range(5)],
    # late at night in Washington, 16 March in UTC: marked on the 15th, as the ministry dated it
    st(15, "US", datetime(2024, 3, 15, 23, 30, tzinfo=EASTERN), NANSEI),
    st(20, "JP", datetime(2024, 3, 15, 11, 0, tzinfo=TOKYO), NANSEI),
    st(30, "FR", datetime(2024, 3, 1, 11, 0, tzinfo=UTC), "Wine exports grew."),
    # a treaty spoken of a year apart: marked month by month
    st(40, "CN", datetime(2023, 1, 5, 15, 0, tzinfo=BEIJING), "The treaty was signed."),
    st(41, "US", datetime(2024, 2, 1, 10, 0, tzinfo=EASTERN), "The treaty was signed."),
]
ORDER = ["CN", "RU", "US", "JP"]
COUNTS = {"CN": 3, "RU": 2, "US": 6, "JP": 1}
DAYS = {"CN": 2, "RU": 2, "US": 6, "JP": 1}


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory) -> Path:
    return build_archive(tmp_path_factory.mktemp("compare"), STATEMENTS)


def lanes_of(html: str) -> dict[str, str]:
    """A compare page's lanes: country → the lane's HTML."""
    return {m[1]: m[2] for m in re.finditer(r'<section class="lane" aria-labelledby="lane-([A-Z]{2})">(.*?)</section>',
                                            html, re.S)}


def marks_of(html: str) -> dict[str, list[str]]:
    """The timeline's rows: country → the hrefs of its marks."""
    svg = re.search(r"<svg.*?</svg>", html, re.S).group()
    return {m[1]: [unescape(h) for h in re.findall(r'<a href="([^"]+)">', m[2])]
            for m in re.finditer(r'<text class="label"[^>]*>([A-Z]{2})</text>(.*?)</g>', svg, re.S)}


def test_one_lane_per_ministry_with_the_searchs_exact_counts_who_spoke_first_on_top(client):
    data = client.get("/api/compare?q=Nansei").get_json()
    assert [lane["country"] for lane in data["lanes"]] == ORDER
    assert data["total"] == sum(COUNTS.values())
    for lane in data["lanes"]:
        search = client.get(f"/api/search?q=Nansei&country={lane['country']}&facets=0").get_json()
        assert lane["count"] == search["total"] == COUNTS[lane["country"]]
        assert lane["ministry"] == MINISTRIES[lane["country"]]
        assert len(lane["hits"]) == min(5, lane["count"])
    cn, us = data["lanes"][0], data["lanes"][2]
    assert (cn["first"]["title"], cn["latest"]["title"]) == ("CN briefing 1", "CN briefing 3")
    assert (us["first"]["title"], us["latest"]["title"]) == ("US briefing 10", "US briefing 15")
    # each hit links the paragraph its snippet is from, as the search page does
    hit = cn["hits"][0]
    assert hit["paragraph"] == 2 and "<mark>Nansei</mark>" in hit["snippet"]
    assert hit["statement_url"] == f"/statements/{hit['id']}?q=Nansei#p2"
    assert us["search_url"] == "/?q=Nansei&country=US"

    html = client.get("/compare?q=Nansei").text
    lanes = lanes_of(html)
    assert list(lanes) == ORDER
    assert "6 statements" in lanes["US"] and '<a href="/?q=Nansei&amp;country=US">All 6 statements from US</a>' in html
    assert "All 3 statements" not in lanes["CN"]  # every one of them is shown
    assert f'href="/statements/{hit["id"]}?q=Nansei#p2">paragraph 2</a>' in lanes["CN"]
    assert "<script" not in html


def test_countries_picks_the_lanes_and_an_empty_one_says_so(client):
    data = client.get("/api/compare?q=Nansei&countries=jp,FR,CN").get_json()
    assert [(lane["country"], lane["count"]) for lane in data["lanes"]] == [("CN", 3), ("JP", 1), ("FR", 0)]
    assert data["lanes"][2]["hits"] == [] and data["lanes"][2]["first"] is None
    lanes = lanes_of(client.get("/compare?q=Nansei&countries=jp,FR,CN").text)
    assert "No statement from FR matches." in lanes["FR"]
    # a search narrowed to a country compares that country alone
    assert [lane["country"] for lane in client.get("/api/compare?q=Nansei&country=ru").get_json()["lanes"]] == ["RU"]


def test_the_timeline_has_a_mark_per_day_of_each_lane_and_a_mark_narrows_every_lane(client):
    data = client.get("/api/compare?q=Nansei").get_json()
    timeline = data["timeline"]
    assert timeline["scale"] == "day" and (timeline["from"], timeline["to"]) == ("2024-03-02", "2024-04-10")
    assert {row["country"]: len(row["marks"]) for row in timeline["rows"]} == DAYS
    cn = timeline["rows"][0]["marks"]
    assert [(m["period"], m["count"]) for m in cn] == [("2024-03-02", 2), ("2024-04-10", 1)]
    assert cn[0]["statements"] == ["CN briefing 1", "CN briefing 2"]
    assert [m["period"] for m in timeline["rows"][2]["marks"]] == [f"2024-03-{d}" for d in range(10, 16)]

    html = client.get("/compare?q=Nansei").text
    assert {c: len(hrefs) for c, hrefs in marks_of(html).items()} == DAYS
    assert ('<title>Ministry of Foreign Affairs of the People&#39;s Republic of China (CN), 2 March 2024: '
            '2 statements — CN briefing 1; CN briefing 2</title>') in html
    assert 'role="group" aria-labelledby="lanes-title"' in html and ">2 Mar 2024</text>" in html

    narrowed = marks_of(html)["CN"][1]
    assert narrowed == cn[1]["url"] == "/compare?q=Nansei&from=2024-04-10&to=2024-04-10&countries=CN%2CRU%2CUS%2CJP"
    within = client.get(narrowed.replace("/compare", "/api/compare")).get_json()
    # every lane stays, narrowed to that day: only Beijing spoke then
    assert [(lane["country"], lane["count"]) for lane in within["lanes"]] == [("CN", 1), ("RU", 0), ("US", 0), ("JP", 0)]
    assert within["period"]["widen_url"] == "/compare?q=Nansei&countries=CN%2CRU%2CUS%2CJP"
    page = client.get(narrowed).text
    assert "No statement from RU matches in this period." in page and ">Every date</a>" in page


def test_a_long_span_is_marked_by_month(client):
    timeline = client.get("/api/compare?q=treaty").get_json()["timeline"]
    assert timeline["scale"] == "month" and (timeline["from"], timeline["to"]) == ("2023-01-01", "2024-02-29")
    assert [(row["country"], [m["period"] for m in row["marks"]]) for row in timeline["rows"]] == [
        ("CN", ["2023-01"]), ("US", ["2024-02"])]
    assert timeline["rows"][0]["marks"][0]["url"].endswith("from=2023-01-01&to=2023-01-31&countries=CN%2CUS")


def test_the_csv_has_a_row_per_hit_with_its_lane(client):
    r = client.get("/compare.csv?q=Nansei&countries=CN,US,FR")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert 'filename="policy-archive-compare.csv"' in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(row["country"], row["rank"]) for row in rows] == [("CN", str(i)) for i in (1, 2, 3)] + [
        ("US", str(i)) for i in range(1, 6)]
    assert {row["lane_count"] for row in rows if row["country"] == "US"} == {"6"}
    assert rows[0]["snippet"].startswith(NANSEI) and rows[0]["statement_url"].startswith("http://localhost/statements/")


def test_search_and_compare_link_each_other_with_the_same_filters(client):
    html = client.get("/?q=Nansei&from=2024-03-01&language=en&page=2").text
    assert '<a href="/compare?q=Nansei&amp;from=2024-03-01&amp;language=en">Compare the ministries</a>' in html
    page = client.get("/compare?q=Nansei&from=2024-03-01&language=en").text
    assert '<a href="/?q=Nansei&amp;from=2024-03-01&amp;language=en">Back to the search</a>' in page
    # the filters the form has no input for ride along
    assert '<input type="hidden" name="language" value="en">' in page
    assert '<link rel="alternate" type="application/json" href="/api/compare?q=Nansei&amp;from=2024-03-01&amp;language=en">' in page


@pytest.mark.parametrize("args", ["countries=C1", "countries=CHN", "countries=CN,,RU", "from=2024-02-30",
                                  "to=yesterday", "from=2024-05-01&to=2024-04-01"])
def test_bad_parameters_are_a_400_with_a_one_line_message(client, args):
    data = client.get(f"/api/compare?q=Nansei&{args}")
    page = client.get(f"/compare?q=Nansei&{args}")
    sheet = client.get(f"/compare.csv?q=Nansei&{args}")
    assert data.status_code == page.status_code == sheet.status_code == 400
    message = data.get_json()["error"]
    assert "\n" not in message and message in unescape(page.text)


# the real corpus -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_archive(corpus, tmp_path_factory) -> Path:
    """Every US State and Singapore statement of the corpus, and a week of China MFA conferences."""
    dd = open_datadir(tmp_path_factory.mktemp("compare-real"), create=True)
    store = Store(dd.db_url)
    for path in sorted((CORPUS / "statements").glob("*.jsonl.gz")):
        for found in read_file(path):
            store.save(found)
    present(store, *(corpus_statement(url) for url in [*CHINA_WEEK, CHINA_WEEK_EN]))
    sync_index(store, dd.index_dir)
    store.close()
    return dd.root


def test_taiwan_in_the_real_corpus_has_lanes_for_the_us_singapore_and_china(real_archive):
    with web_client(real_archive) as client:
        data = client.get("/api/compare?q=Taiwan").get_json()
        html = client.get("/compare?q=Taiwan").text
    lanes = {lane["country"]: lane for lane in data["lanes"]}
    assert {"US", "SG", "CN"} <= set(lanes)
    assert all(lanes[c]["count"] and lanes[c]["hits"] for c in ("US", "SG", "CN"))
    # the China MFA's week is January 2020, before any of the others' statements
    assert data["lanes"][0]["country"] == "CN" and data["timeline"]["scale"] == "month"
    assert set(marks_of(html)) == set(lanes)
