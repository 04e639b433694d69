"""Russia, Ministry of Foreign Affairs (mid.ru): the spokesperson's briefings and the ministry's news, in English
and in Russian (one source per language: the two texts are separate publications).

UNVERIFIED: no real mid.ru page is in the corpus. Written from SITE-NOTES.md (the 2022– template) and tested
only on hand-made fixtures (tests/fixtures/ru-mid/):

- listing `.announce__item` → `a.announce__link`, `.announce__date` (dd.mm.yyyy), `.announce__time` (hh:mm);
  further pages `?PAGEN_1=N`, followed only when the page links to the next number (a Bitrix site answers a
  page past the end with the last page again, so guessing N+1 would never stop). `.announce__meta-tags` are
  not read: a Link has no tags.
- article: title `.photo-content__title`, date `.photo-content__date` (dd.mm.yyyy), body
  `div.text.article-content`. A briefing opens with a table of contents of in-page links (`href="#N"`) and
  has "Back to contents" links after each topic: both go, the topic headings stay. Its "Answers to media
  questions:" section is split into turns. The registry number ("1541-02-08-2023") is kept as a tag.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from ...model import Statement, Turn, normalize_text
from ..base import ExtractError, Link, Listing, Page, Source
from ..dates import parse_date
from ..htmltext import paragraphs, soup, text_of
from ..turns import split_turns

SECTIONS = ("/{lang}/press_service/spokesman/briefings/", "/{lang}/foreign_policy/news/")
ITEM_SELECTOR = ".announce__item"
LINK_SELECTOR = "a.announce__link[href]"
TITLE_SELECTOR = ".photo-content__title"
DATE_SELECTOR = ".photo-content__date"
BODY_SELECTOR = "div.text.article-content"
PAGE_PARAM = "PAGEN_1"

# Checked in order, first match wins; anything else is a ministry statement (the news column is press
# releases). A news conference is a press conference even when the title calls it "remarks and answers".
KIND_RULES: tuple[tuple[str, re.Pattern], ...] = tuple((kind, re.compile(rx, re.IGNORECASE)) for kind, rx in (
    ("press-conference", r"\bbriefing\b|\b(?:news|press) conference\b|брифинг|пресс-конференци"),
    ("interview", r"\binterview\b|интервью"),
    ("speech", r"\bspeech\b|\baddress\b|выступлени"),
    ("remarks", r"\bremarks\b|\banswers? to (?:media )?questions\b|\bcomment\b|ответы? на вопросы|комментари"),
    ("readout", r"\b(?:talks|meeting|(?:telephone )?conversation|call) with\b|\bmeets\b|встреч|переговор"
                r"|телефонн\w+ разговор"),
    ("statement", r"\bstatement\b|заявлени|\bpress release\b|сообщение для СМИ"),
))
# only these are someone speaking; a readout or a statement names people who are not its speakers
_SPOKEN = {"press-conference", "interview", "speech", "remarks"}

# "Spokeswoman Maria Zakharova, Moscow", "Deputy Foreign Minister Sergey Ryabkov's interview"
_EN_SPEAKER = re.compile(r"\b(?:Spokes(?:woman|man|person)|Minister|Ambassador|Representative|Director)\s+"
                         r"([A-Z][\w-]+)\s+([A-Z][\w-]+)(?=['’]s\b|,|\s+(?:at|to|with|on|in)\b|$)")
# Russian titles name people by initials and a surname in the genitive ("М.В.Захаровой", "С.А.Рябкова");
# only the regular -ов/-ев/-ин/-ын surnames are turned back into the nominative, others are not guessed at.
_RU_SPEAKER = re.compile(r"((?:[А-ЯЁ]\.\s?){2})([А-ЯЁ][а-яё-]*?(?:ов|ев|ин|ын))(ой|а)\b")
# the spokesperson as readers know her; titles give only initials
_RU_FULL_NAMES = {"Захарова": "Мария Захарова"}

_QUESTION = re.compile(r"^(Question|Вопрос)\b[^:]{0,80}:")
_ANSWERS = re.compile(r"^(?:From )?answers to (?:media )?questions\W*$|^(?:Из )?ответ(?:ы|ов) на вопросы(?: СМИ)?\W*$",
                      re.IGNORECASE)
# what is left of the table of contents and its return links once the links themselves are gone
_NAVIGATION = re.compile(r"^(?:Back to (?:the )?(?:table of )?contents|Назад к оглавлению|(?:Table of )?contents"
                         r"|Содержание|Оглавление)\W*$", re.IGNORECASE)
_REGISTRY = re.compile(r"\d{1,5}-\d{2}-\d{2}-\d{4}")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_BLOCKS = ["p", "li", "div", "h1", "h2", "h3", "h4", "h5", "h6", "td"]


class RuMid(Source):
    ministry = "Ministry of Foreign Affairs of the Russian Federation"
    country = "RU"
    hosts = ("mid.ru", "www.mid.ru")
    timezone = ZoneInfo("Europe/Moscow")

    def __init__(self, language: str):
        self.language = language
        self.id = f"ru-mid-{language}"
        self.sections = tuple(path.format(lang=language) for path in SECTIONS)
        self.start_urls = tuple("https://mid.ru" + path for path in self.sections)
        self.description = f"Spokesperson's briefings and ministry news from mid.ru ({language})"
        self.verified = "unverified: no mid.ru page in the corpus; written from SITE-NOTES"

    def owns(self, url: str) -> bool:
        # both languages live on one host; the first path segment says which source a page is for
        return super().owns(url) and urlsplit(url).path.startswith(f"/{self.language}/")

    def is_listing(self, url: str) -> bool:
        return self.owns(url) and urlsplit(url).path in self.sections

    def kind_for(self, title: str) -> str:
        return next((kind for kind, rx in KIND_RULES if rx.search(title)), "statement")

    def parse_listing(self, page: Page) -> Listing:
        doc = soup(page.text)
        items = doc.select(ITEM_SELECTOR)
        if not items:
            raise ExtractError(f"{self.id}: no listing items ({ITEM_SELECTOR}) on {page.url}")
        links = [link for item in items if (link := self._link(item, page.url))]
        if not links:
            raise ExtractError(f"{self.id}: no {LINK_SELECTOR} in the {len(items)} listing items on {page.url}")
        return Listing(links=links, next_pages=self._next_page(doc, page.url))

    def _link(self, item: Tag, base: str) -> Link | None:
        a = item.select_one(LINK_SELECTOR)
        if a is None or not self.owns(url := urljoin(base, a["href"].strip())):
            return None
        date = parse_date(text_of(item.select_one(".announce__date")), self.timezone)
        if date and (m := _TIME.search(text_of(item.select_one(".announce__time")))):
            date = date.replace(hour=int(m[1]), minute=int(m[2]))
        return Link(url=url, title=text_of(a), date=date)

    def _next_page(self, doc: BeautifulSoup, url: str) -> list[str]:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        wanted = str(int(dict(query).get(PAGE_PARAM) or 1) + 1)
        if not any(dict(parse_qsl(urlsplit(a["href"]).query)).get(PAGE_PARAM) == wanted
                   for a in doc.find_all("a", href=True)):
            return []
        query = [(k, v) for k, v in query if k != PAGE_PARAM] + [(PAGE_PARAM, wanted)]
        return [parts._replace(query=urlencode(query)).geturl()]

    def parse_article(self, page: Page) -> Statement:
        doc = soup(page.text)
        title = text_of(doc.select_one(TITLE_SELECTOR))
        if not title:
            raise ExtractError(f"{self.id}: no title ({TITLE_SELECTOR}) on {page.url}")
        body = doc.select_one(BODY_SELECTOR)
        if body is None:
            raise ExtractError(f"{self.id}: no body ({BODY_SELECTOR}) on {page.url}")
        registry = list(dict.fromkeys(s.strip() for s in doc.find_all(string=True) if _REGISTRY.fullmatch(s.strip())))
        _drop_in_page_links(body)
        text = [p for p in paragraphs(body) if not _NAVIGATION.match(p) and not _REGISTRY.fullmatch(p)]
        if not text:
            raise ExtractError(f"{self.id}: no text paragraphs in the body ({BODY_SELECTOR}) on {page.url}")
        return self.statement(url=page.url, title=title, paragraphs=text, tags=registry,
                              date=parse_date(text_of(doc.select_one(DATE_SELECTOR)), self.timezone),
                              fetched_at=page.fetched_at)

    def statement(self, **fields) -> Statement:
        kind = fields.setdefault("kind", self.kind_for(fields.get("title", "")))
        speaker = self.speaker_of(fields.get("title", "")) if kind in _SPOKEN else None
        fields.setdefault("speakers", [speaker[0]] if speaker else [])
        return super().statement(**fields)

    def turns_for(self, title: str, paragraphs: list[str], speakers=()) -> list[Turn]:
        speaker = self.speaker_of(title) if self.kind_for(title) == "press-conference" else None
        return briefing_turns([normalize_text(p) for p in paragraphs], *speaker) if speaker else []

    def speaker_of(self, title: str) -> tuple[str, re.Pattern] | None:
        """The speaker a title names, and the label that opens their turns in a transcript."""
        title = normalize_text(title)
        if self.language == "ru":
            return _ru_speaker(title)
        if m := _EN_SPEAKER.search(title):
            return f"{m[1]} {m[2]}", re.compile(rf"^(?:{re.escape(m[1])}\s+)?{re.escape(m[2])}\s*:")
        return None


def _ru_speaker(title: str) -> tuple[str, re.Pattern] | None:
    if not (m := _RU_SPEAKER.search(title)):
        return None
    # a woman's genitive -овой is the nominative -ова; a man's genitive -ова is the nominative -ов
    surname = m[2] + ("а" if m[3] == "ой" else "")
    name = _RU_FULL_NAMES.get(surname, m[1].replace(" ", "") + surname)
    return name, re.compile(rf"^(?:(?:[А-ЯЁ]\.\s?){{0,2}}{re.escape(surname)}|{re.escape(name)})\s*:")


def briefing_turns(paras: list[str], speaker: str, label: re.Pattern) -> list[Turn]:
    """The topics are the spokesperson's one turn; the answers section alternates questions and answers."""
    answers = next((i for i, p in enumerate(paras) if _ANSWERS.match(p)), len(paras))
    turns = [Turn(speaker, "spokesperson", 0, answers)] if answers else []

    def labeller(p: str) -> tuple[str, str] | None:
        if m := _QUESTION.match(p):
            return m[1], "question"
        return (speaker, "spokesperson") if label.match(p) else None

    turns += [Turn(t.speaker, t.role, t.start + answers, t.end + answers)
              for t in split_turns(paras[answers:], labeller)]
    return turns


def _drop_in_page_links(body: Tag) -> None:
    """A link that is a whole block (a contents entry, "Back to contents") goes with its block; an in-page
    link inside a sentence keeps its words."""
    for a in body.select('a[href^="#"]'):
        if a.decomposed:
            continue
        block = a.find_parent(_BLOCKS)
        if block is not None and block is not body and any(p is body for p in block.parents) \
                and text_of(block) == text_of(a):
            block.decompose()
        else:
            a.unwrap()


SOURCES = [RuMid("en"), RuMid("ru")]
