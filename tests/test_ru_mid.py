"""mid.ru in English and Russian (hand-made pages only: no real one is known)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from helpers import fixture

from archive.model import Turn
from archive.sources import get_source
from archive.sources.base import ExtractError, Page

MOSCOW = ZoneInfo("Europe/Moscow")
BRIEFINGS_EN = "https://mid.ru/en/press_service/spokesman/briefings/"
NEWS_RU = "https://mid.ru/ru/foreign_policy/news/"
RU_EN, RU_RU = get_source("ru-mid-en"), get_source("ru-mid-ru")


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
