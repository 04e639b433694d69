"""gov.uk FCDO: hand-made Search API and Content API fixtures, and the two real Content API items of the corpus."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from helpers import fixture

from archive.sources import get_source, source_for_url
from archive.sources.base import ExtractError, Page
from archive.sources.sites.uk_fcdo import SEARCH_URL, person_name

CONTENT = "https://www.gov.uk/api/content"
SEARCH = ("https://www.gov.uk/api/search.json?filter_organisations=foreign-commonwealth-development-office"
          "&order=-public_timestamp&count=4&fields=title,link,public_timestamp,content_store_document_type")
READOUT_PATH = "/government/news/foreign-secretarys-call-with-the-foreign-minister-of-ruritania"
UK = get_source("uk-fcdo")


# --- gov.uk: Search API listing (hand-made from the documentation) -------------------------------------

def test_uk_only_the_search_api_is_a_listing():
    assert UK.is_listing(SEARCH_URL) and UK.is_listing(SEARCH)
    assert not UK.is_listing(CONTENT + READOUT_PATH)
    assert not UK.is_listing("https://example.org/api/search.json")


def test_uk_start_url_asks_for_news_and_speeches_of_fcdo_and_fco():
    assert "filter_organisations=foreign-commonwealth-development-office&filter_organisations=foreign-commonwealth" \
           "-office" in SEARCH_URL
    assert "filter_content_store_document_type=speech&" in SEARCH_URL and "order=-public_timestamp" in SEARCH_URL


def test_uk_search_results_link_to_the_content_api():
    listing = UK.parse_listing(Page(url=SEARCH, text=fixture("uk-fcdo/search.json")))
    # travel advice and a result off gov.uk are left out
    assert [ln.url for ln in listing.links] == [
        CONTENT + READOUT_PATH, CONTENT + "/government/speeches/foreign-secretarys-speech-at-the-example-forum"]
    assert listing.links[0].title == "Foreign Secretary's call with the Foreign Minister of Ruritania"
    assert listing.links[0].date == datetime(2024, 3, 5, 17, 30, tzinfo=timezone.utc)
    assert listing.statements == []
    assert listing.next_pages == [SEARCH + "&start=4"]


def test_uk_next_page_replaces_start():
    listing = UK.parse_listing(Page(url=SEARCH + "&start=4", text=fixture("uk-fcdo/search.json")))
    assert listing.next_pages == [SEARCH + "&start=8"]


def test_uk_last_search_page_has_no_next():
    listing = UK.parse_listing(Page(url=SEARCH + "&start=8", text=fixture("uk-fcdo/search-last.json")))
    assert [ln.title for ln in listing.links] == ["Written ministerial statement on consular services"]
    assert listing.next_pages == []


def test_uk_empty_search_page_is_the_end_not_an_error():
    listing = UK.parse_listing(Page(url=SEARCH + "&start=12", text='{"results": [], "total": 9, "start": 12}'))
    assert listing.links == [] and listing.next_pages == []


@pytest.mark.parametrize("text, message", [
    ("<html>Service unavailable</html>", r"uk-fcdo: not JSON"),
    ("[]", r"JSON is not an object"),
    ('{"error": "Invalid parameter"}', r"no `results` list"),
])
def test_uk_search_answers_that_are_not_results(text, message):
    with pytest.raises(ExtractError, match=message):
        UK.parse_listing(Page(url=SEARCH, text=text))


# --- gov.uk: Content API articles --------------------------------------------------------------------

def content_item(**changes) -> dict:
    item = json.loads(fixture("uk-fcdo/press-release.json"))
    item.update(changes)
    return item


def article(item: dict):
    return UK.parse_article(Page(url=CONTENT + item.get("base_path", READOUT_PATH), text=json.dumps(item),
                                 content_type="application/json"))


def test_uk_article_is_kept_under_its_public_url():
    st = article(content_item())
    assert st.url == "https://www.gov.uk" + READOUT_PATH
    assert st.source == "uk-fcdo" and st.country == "GB" and st.language == "en"
    assert st.ministry == "Foreign, Commonwealth & Development Office"
    assert st.title == "Foreign Secretary's call with the Foreign Minister of Ruritania"
    assert st.paragraphs == ["The Foreign Secretary spoke to the Foreign Minister of Ruritania today.",
                             "They discussed consular cooperation and a programme of student exchanges.",
                             "Media enquiries: press@example.org"]
    # first publication, not the later update
    assert st.date == datetime(2024, 3, 5, 17, 30, tzinfo=timezone.utc)
    assert st.kind == "readout" and st.speakers == []
    assert st.tags == ["Foreign, Commonwealth & Development Office", "Ruritania"]


@pytest.mark.parametrize("document_type, title, kind", [
    ("speech", "Foreign Secretary's speech at the Example Forum", "speech"),
    ("oral_statement", "Oral statement to Parliament on consular services", "speech"),
    ("written_statement", "Written ministerial statement on consular services", "statement"),
    ("authored_article", "Article by the Foreign Secretary on student exchanges", "statement"),
    ("news_story", "UK and Ruritania agree a student exchange programme", "statement"),
    ("world_news_story", "Embassy celebrates the King's Birthday", "statement"),
    ("government_response", "Government response to the committee report", "statement"),
    ("press_release", "Readout of the Foreign Secretary's meeting with the Ruritanian Foreign Minister", "readout"),
    ("news_story", "Minister meets with student exchange alumni", "readout"),
    ("speech", "Minister's speech at talks with Ruritania", "speech"),
    ("guidance", "Consular guidance", "other"),
])
def test_uk_kind_from_document_type_then_title(document_type, title, kind):
    assert article(content_item(document_type=document_type, title=title)).kind == kind


def test_uk_import_kind_goes_by_title():
    assert UK.kind_for("Foreign Secretary's call with the Foreign Minister of Ruritania") == "readout"
    assert UK.kind_for("UK statement at the UN Security Council") == "other"


def test_uk_speakers_are_names_without_honours():
    item = content_item(document_type="speech")
    item["links"]["speaker"] = [{"title": "The Rt Hon Jane Example MP"}, {"title": "Lord Example of Somewhere"}]
    item["details"]["speaker_without_profile"] = "His Majesty The King"
    assert article(item).speakers == ["Jane Example", "Lord Example of Somewhere", "His Majesty The King"]


@pytest.mark.parametrize("title, name", [
    ("The Rt Hon Boris Johnson MP", "Boris Johnson"),
    ("Rt Hon David Lammy MP", "David Lammy"),
    ("Dame Karen Pierce DCMG", "Dame Karen Pierce"),
    ("Lord Ahmad of Wimbledon", "Lord Ahmad of Wimbledon"),
    ("Stephen Doughty", "Stephen Doughty"),
])
def test_uk_person_name(title, name):
    assert person_name(title) == name


def test_uk_article_keeps_its_own_locale():
    assert article(content_item(locale="cy")).language == "cy"


@pytest.mark.parametrize("change, message", [
    ({"title": ""}, r"uk-fcdo: no `title`"),
    ({"details": {}, "document_type": "redirect"}, r"no `details.body`.*'redirect'"),
    ({"details": {"body": "<div class=\"govspeak\"><p> </p><hr></div>"}}, r"no text paragraphs in `details.body`"),
])
def test_uk_article_without_text_is_an_error(change, message):
    with pytest.raises(ExtractError, match=message):
        article(content_item(**change))


# --- gov.uk: the two real Content API items ----------------------------------------------------------

GOVUK_ITEMS = {
    "ar": "raw/www.gov.uk/api/content/government/speeches/"
          "this-resolution-marks-the-beginning-of-the-end-of-the-libyan-chemical-weapons-programme.ar.json",
    "en": "raw/www.gov.uk/api/content/government/news/christmas-2016-prime-ministers-message-from-azerbaijan.json",
}


@pytest.mark.corpus
@pytest.mark.parametrize("locale", sorted(GOVUK_ITEMS))
def test_uk_real_content_items(corpus, locale):
    path = corpus / GOVUK_ITEMS[locale]
    url = "https://www.gov.uk/" + GOVUK_ITEMS[locale].removeprefix("raw/www.gov.uk/").removesuffix(".json")
    page = Page(url=url, text=path.read_text(encoding="utf-8"), content_type="application/json")
    assert source_for_url(url) is UK and not UK.is_listing(url)
    data = json.loads(page.text)
    st = UK.parse_article(page)
    assert st.language == locale == data["locale"]
    assert st.title == data["title"] and st.paragraphs and all(p.strip() for p in st.paragraphs)
    assert st.date == datetime.fromisoformat(data["first_published_at"])
    assert st.url == "https://www.gov.uk" + data["base_path"]
    assert not st.problems()


@pytest.mark.corpus
def test_uk_real_arabic_speech(corpus):
    path = GOVUK_ITEMS["ar"]
    st = UK.parse_article(Page(url="https://www.gov.uk/" + path.removeprefix("raw/www.gov.uk/").removesuffix(".json"),
                               text=(corpus / path).read_text(encoding="utf-8")))
    assert st.kind == "speech" and st.speakers == ["Boris Johnson"]
    assert st.tags == ["Foreign & Commonwealth Office", "UK Mission to the United Nations, New York"]
    assert st.paragraphs[0].startswith("تعليقا على تبنّي قرار") and len(st.paragraphs) == 7


@pytest.mark.corpus
def test_uk_real_world_news_story(corpus):
    path = GOVUK_ITEMS["en"]
    st = UK.parse_article(Page(url="https://www.gov.uk/" + path.removeprefix("raw/www.gov.uk/").removesuffix(".json"),
                               text=(corpus / path).read_text(encoding="utf-8")))
    assert st.kind == "statement" and st.speakers == []
    assert st.tags == ["British High Commission Singapore", "Azerbaijan"]
    assert st.paragraphs[0] == "Prime Minister Theresa May said:"

