"""gov.uk FCDO (hand-made Search API and Content API fixtures, and the two real Content API items of the corpus)
and mid.ru in English and Russian (hand-made pages only: no real one is known)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from archive.model import Turn
from archive.sources import SOURCES, get_source, source_for_url
from archive.sources.base import ExtractError, Page
from archive.sources.sites.uk_fcdo import SEARCH_URL, person_name
from helpers import FIXTURES

MOSCOW = ZoneInfo("Europe/Moscow")
CONTENT = "https://www.gov.uk/api/content"
SEARCH = ("https://www.gov.uk/api/search.json?filter_organisations=foreign-commonwealth-development-office"
          "&order=-public_timestamp&count=4&fields=title,link,public_timestamp,content_store_document_type")
READOUT_PATH = "/government/news/foreign-secretarys-call-with-the-foreign-minister-of-ruritania"
BRIEFINGS_EN = "https://mid.ru/en/press_service/spokesman/briefings/"
NEWS_RU = "https://mid.ru/ru/foreign_policy/news/"
UK, RU_EN, RU_RU = get_source("uk-fcdo"), get_source("ru-mid-en"), get_source("ru-mid-ru")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_new_sources_are_registered():
    assert {"uk-fcdo", "ru-mid-en", "ru-mid-ru"} <= set(SOURCES)
    assert (get_source("ru-mid-en").language, get_source("ru-mid-ru").language) == ("en", "ru")
    assert get_source("ru-mid-ru").start_urls == (
        "https://mid.ru/ru/press_service/spokesman/briefings/", "https://mid.ru/ru/foreign_policy/news/")
    assert get_source("uk-fcdo").start_urls == (SEARCH_URL,)


@pytest.mark.parametrize("url, source_id", [
    ("https://www.gov.uk/api/content/government/news/x", "uk-fcdo"),
    ("https://mid.ru/en/foreign_policy/news/1853001/", "ru-mid-en"),
    ("https://www.mid.ru/ru/press_service/spokesman/briefings/", "ru-mid-ru"),
    ("https://mid.ru/de/foreign_policy/news/1853001/", None),
])
def test_one_host_two_languages(url, source_id):
    found = source_for_url(url)
    assert (found.id if found else None) == source_id


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


# --- mid.ru listings (hand-made from SITE-NOTES.md) -----------------------------------------------------

def test_ru_listings_are_the_two_columns_of_the_language():
    assert RU_EN.is_listing(BRIEFINGS_EN) and RU_EN.is_listing(BRIEFINGS_EN + "?PAGEN_1=3")
    assert RU_EN.is_listing("https://www.mid.ru/en/foreign_policy/news/")
    assert not RU_EN.is_listing(BRIEFINGS_EN + "1853244/")
    assert not RU_EN.is_listing(NEWS_RU)


def test_ru_listing_links_dates_and_next_page():
    listing = RU_EN.parse_listing(Page(url=BRIEFINGS_EN, text=fixture("ru-mid/listing-briefings-en.html")))
    # the Russian item belongs to ru-mid-ru, the item without a link gives nothing
    assert [ln.url for ln in listing.links] == [BRIEFINGS_EN + "1853244/", BRIEFINGS_EN + "1852198/"]
    assert listing.links[0].title == ("Briefing by Foreign Ministry Spokeswoman Maria Zakharova, Moscow, "
                                      "February 8, 2023")
    assert listing.links[0].date == datetime(2023, 2, 8, 17, 24, tzinfo=MOSCOW)
    assert listing.next_pages == [BRIEFINGS_EN + "?PAGEN_1=2"]


def test_ru_next_page_follows_the_pager():
    listing = RU_EN.parse_listing(Page(url=BRIEFINGS_EN + "?PAGEN_1=2",
                                       text=fixture("ru-mid/listing-briefings-en.html")))
    assert listing.next_pages == [BRIEFINGS_EN + "?PAGEN_1=3"]


def test_ru_last_listing_page_has_no_next():
    listing = RU_RU.parse_listing(Page(url=NEWS_RU + "?PAGEN_1=3", text=fixture("ru-mid/listing-news-ru.html")))
    assert [ln.url for ln in listing.links] == [NEWS_RU + "1853100/", NEWS_RU + "1853001/"]
    assert listing.links[1].date == datetime(2023, 2, 6, 9, 0, tzinfo=MOSCOW)
    assert listing.next_pages == []


# --- mid.ru articles -----------------------------------------------------------------------------------

def test_ru_briefing_en():
    url = BRIEFINGS_EN + "1853244/"
    st = RU_EN.parse_article(Page(url=url, text=fixture("ru-mid/briefing-en.html")))
    assert st.source == "ru-mid-en" and st.language == "en" and st.country == "RU" and st.url == url
    assert st.title == "Briefing by Foreign Ministry Spokeswoman Maria Zakharova, Moscow, February 8, 2023"
    assert st.date == datetime(2023, 2, 8, tzinfo=MOSCOW)
    assert st.kind == "press-conference" and st.speakers == ["Maria Zakharova"]
    assert st.tags == ["1541-02-08-2023"]
    assert st.paragraphs == [
        "1. Upcoming consultations on consular matters",
        "Consultations on consular matters will be held in Moscow next week.",
        "The delegations will discuss visas and the protection of citizens abroad (see the next item).",
        "2. An exhibition of archive documents",
        "An exhibition of documents from the ministry's archive opens on Friday.",
        "Answers to media questions:",
        "1. Student exchanges",
        "Question: Will the exchange programme continue this year?",
        "Maria Zakharova: Yes, it will continue.",
        "The details will be published later.",
        "Question (retranslated from Spanish): When will the details be published?",
        "Maria Zakharova: In the spring.",
    ]
    assert st.turns == [Turn("Maria Zakharova", "spokesperson", 0, 5), Turn("Question", "question", 7, 8),
                        Turn("Maria Zakharova", "spokesperson", 8, 10), Turn("Question", "question", 10, 11),
                        Turn("Maria Zakharova", "spokesperson", 11, 12)]


def test_ru_briefing_ru():
    st = RU_RU.parse_article(Page(url="https://mid.ru/ru/press_service/spokesman/briefings/1853245/",
                                  text=fixture("ru-mid/briefing-ru.html")))
    assert st.language == "ru" and st.kind == "press-conference" and st.speakers == ["Мария Захарова"]
    # the registry number sits outside the body, in a span
    assert st.tags == ["1541-02-08-2023"]
    assert st.paragraphs == [
        "О консультациях по консульским вопросам",
        "Консультации по консульским вопросам пройдут в Москве на следующей неделе.",
        "Ответы на вопросы СМИ:",
        "Вопрос: Продолжится ли программа обменов?",
        "М.В.Захарова: Да, продолжится.",
    ]
    assert st.turns == [Turn("Мария Захарова", "spokesperson", 0, 2), Turn("Вопрос", "question", 3, 4),
                        Turn("Мария Захарова", "spokesperson", 4, 5)]


def test_ru_briefing_turns_come_back_on_import():
    st = RU_EN.parse_article(Page(url=BRIEFINGS_EN + "1853244/", text=fixture("ru-mid/briefing-en.html")))
    assert RU_EN.turns_for(st.title, st.paragraphs) == st.turns


def test_ru_briefing_without_answers_is_one_turn():
    title = "Briefing by Foreign Ministry Spokeswoman Maria Zakharova, Moscow, March 1, 2023"
    assert RU_EN.turns_for(title, ["1. Topic", "Text."]) == [Turn("Maria Zakharova", "spokesperson", 0, 2)]


def test_ru_interview_names_its_speaker_and_has_no_turns():
    st = RU_EN.parse_article(Page(url="https://mid.ru/en/foreign_policy/news/1853100/",
                                  text=fixture("ru-mid/interview-en.html")))
    assert st.kind == "interview" and st.speakers == ["Sergey Ryabkov"] and st.turns == []
    assert st.tags == ["1602-07-02-2023"]
    assert st.paragraphs == ["Question: What is on the agenda of the consultations?",
                             "Sergey Ryabkov: Consular matters and student exchanges."]


@pytest.mark.parametrize("source_id, title, kind, speakers", [
    ("ru-mid-en", "Foreign Minister Sergey Lavrov's remarks and answers to media questions at a news conference",
     "press-conference", ["Sergey Lavrov"]),
    ("ru-mid-en", "Foreign Minister Sergey Lavrov's speech at the Example Forum", "speech", ["Sergey Lavrov"]),
    ("ru-mid-en", "Foreign Minister Sergey Lavrov's telephone conversation with the Foreign Minister of Ruritania",
     "readout", []),
    ("ru-mid-en", "Statement by the Foreign Ministry on consular services", "statement", []),
    ("ru-mid-en", "On the opening of an exhibition of archive documents", "statement", []),
    ("ru-mid-ru", "Интервью заместителя Министра иностранных дел Российской Федерации С.А.Рябкова агентству",
     "interview", ["С.А.Рябков"]),
    ("ru-mid-ru", "Брифинг официального представителя МИД России М.В.Захаровой, Москва, 8 февраля 2023 года",
     "press-conference", ["Мария Захарова"]),
    ("ru-mid-ru", "Выступление С.В.Лаврова на форуме", "speech", ["С.В.Лавров"]),
    ("ru-mid-ru", "О телефонном разговоре С.В.Лаврова с Министром иностранных дел Руритании", "readout", []),
    ("ru-mid-ru", "Заявление МИД России", "statement", []),
    # a surname the genitive rule cannot undo is not guessed at
    ("ru-mid-ru", "Интервью заместителя Министра иностранных дел России А.В.Грушко газете", "interview", []),
])
def test_ru_kinds_and_speakers_from_titles(source_id, title, kind, speakers):
    source = get_source(source_id)
    st = source.statement(url="https://mid.ru/x/", title=title, paragraphs=["Text."])
    assert (st.kind, st.speakers) == (kind, speakers)


@pytest.mark.parametrize("parse, html, message", [
    ("parse_listing", "<html><body><p>Access denied</p></body></html>",
     r"ru-mid-en: no listing items \(\.announce__item\)"),
    ("parse_listing", '<div class="announce__item"><span>no link</span></div>',
     r"no a\.announce__link\[href\] in the 1 listing"),
    ("parse_article", '<div class="text article-content"><p>Text.</p></div>',
     r"ru-mid-en: no title \(\.photo-content__title\)"),
    ("parse_article", '<h1 class="photo-content__title">Title</h1><div class="text"><p>Text.</p></div>',
     r"no body \(div\.text\.article-content\)"),
    ("parse_article", '<h1 class="photo-content__title">Title</h1><div class="text article-content">'
     '<p><a href="#1">1. Topic</a></p><p><a href="#top">Back to contents</a></p><p>1541-02-08-2023</p></div>',
     r"no text paragraphs in the body \(div\.text\.article-content\)"),
])
def test_ru_pages_without_what_the_template_promises_are_errors(parse, html, message):
    with pytest.raises(ExtractError, match=message):
        getattr(RU_EN, parse)(Page(url=BRIEFINGS_EN, text=html))
