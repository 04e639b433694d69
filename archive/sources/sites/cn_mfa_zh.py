"""China, Ministry of Foreign Affairs, Chinese pages (www.fmprc.gov.cn = www.mfa.gov.cn).

Two templates are read, each selector list trying the old one first; both VERIFIED on the 2,050 real
articles of ../shared/corpus (tests/test_cn_mfa_corpus.py):

- old template (until 2022-01, also served at the 2021+ URLs): listing `div.rebox_news ul li` →
  `<a href="./t1839549.shtml">TITLE</a>(YYYY-MM-DD)`, pages `default.shtml`, `default_1.shtml`, … counted by
  the inline script `var currentPage = N` / `var countPage = M`; article `#News_Body_Title`, `#News_Body_Time`
  (`YYYY-MM-DD`, with ` HH:MM` at the new URLs), `#News_Body_Txt_A`.
- current template (2022-01-14 –): article `.news-title h1` (else meta ArticleTitle, else `<title>` before
  "_"; a literal "<br>" may sit in the title), `.news-title p.time` (`YYYY-MM-DD HH:MM`; else meta PubDate, else
  the date in the URL), `.news-main`; the spokesperson also in meta Keywords ("发言人;汪文斌"). Its listing is
  UNVERIFIED, written from SITE-NOTES.md: `div.newsBd ul.list1 li a`, dated by a sibling `<span>` or by the
  link (`./YYYYMM/tYYYYMMDD_N.shtml`), pages `index.shtml`, `index_1.shtml`, … counted by the TRS paging call
  `createPageHTML(countPage, currentPage, "index", "shtml")` (assumed).
- every page of www.mfa.gov.cn starts `<body>` with the WAF's cookie script; that script without an article is
  a challenge page (`challenged`), never parsed.

Press conferences and remarks are split into turns: "问：" (a question), "答：" or a spokesperson's name (the
answer), an outlet ("路透社记者：", "环球时报记者提问：") asking, "追问：" / "彭博社记者追问：" (a follow-up),
"会后有记者问及…：" (after the conference, past a line of asterisks, which is no paragraph), "主持人：". A question
turn carries the outlet its label names, with its canonical name ("路透社" is Reuters: `..outlets`).
`FmprcSource` holds what the English site (cn_mfa_en) shares with this one.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Sequence
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from ...model import Statement, Turn, VersionLink, normalize_text
from ..base import ExtractError, Link, Listing, Page, Source
from ..dates import parse_date, parse_month_day
from ..htmltext import paragraphs, soup, text_of
from ..turns import Labeller, split_turns, with_outlets
from .cn_mfa_names import LANGUAGE_NAMES, SPOKESPEOPLE, VERSIONS

# Checked in order: a spokesperson "answering a question" about a statement is still a Q&A (remarks),
# and a statement about someone's speech is a statement.
KIND_RULES: tuple[tuple[str, re.Pattern], ...] = tuple((kind, re.compile(rx)) for kind, rx in (
    ("press-conference", r"例行记者会"),
    ("remarks", r"答记者问"),
    ("statement", r"声明|谈话|表明立场"),
    ("readout", r"会见|会谈|通电话|拜会"),
    ("speech", r"讲话|致辞|演讲"),
    ("interview", r"采访"),
))
# "2019年2月1日外交部发言人耿爽主持例行记者会", "外交部发言人耿爽就…答记者问": the name is what sits between
# the title and the verb; "外交部发言人就…" names nobody.
_SPOKESPERSON = re.compile(r"外交部发言人(?!就|答|谈|发表|主持)([\u4e00-\u9fff]{2,3}?)(?=主持|就|答|发表|表明|谈|在|\d|：)")

_LISTING_FILE = re.compile(r"(?:^|/)(?:default|index)(?:_\d+)?\.s?html$")
_URL_DAY = re.compile(r"/t(\d{4})(\d{2})(\d{2})_\d+\.s?html$")
_OLD_PAGING = (re.compile(r"\bvar\s+currentPage\s*=\s*(\d+)"), re.compile(r"\bvar\s+countPage\s*=\s*(\d+)"))
_TRS_PAGING = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
_LIST_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
# the CMS's name of an uploaded file: "W0", the upload day, a running number
_UPLOAD_STAMP = re.compile(r"(?:^|/)W0(\d{4})(\d{2})(\d{2})\d{6,}\.\w+$")
# The English site lives under these paths of the same hosts; everything else there is Chinese.
ENGLISH_PATHS = ("/eng/", "/mfa_eng/")

# An image and its caption share a block ("<p><img><br>图为…</p>") or the caption is the centred line after
# the image; either way it is short. Speech headings are centred too (and bold), so only a plain line right
# after an image counts.
_IMAGE_BLOCKS = ["p", "td", "figure", "center", "div", "li"]
_CAPTION_MAX = 100
_CAPTION = re.compile(r"^(?:图为|图：|（图|\(图|（摄影|摄影：)")

# Transcripts: a paragraph opens a turn with a short label and a colon ("问：", "路透社记者：", "汪文斌：").
# At a press conference everyone but the spokesperson and a host is the press, so any other label is an
# outlet; only names that end like one count, because answers also open with a phrase and a colon ("我想强调
# 三点：").
# Several outlets may ask together ("路透社、彭博社记者："); an aside is bracketed ("（记者：我只是问一下）").
_ZH_LABEL = re.compile(r"[（(]?([^\s，。；？！：:“”‘’（）()]{1,40})[：:]")
_ZH_OUTLET = re.compile(r"(?:记者|社|台|视|报|网|闻|刊|》|[A-Z]{2,})$")
# "路透社记者提问：", "彭博社记者追问：", "追问二：", "会后有记者问及…：", "记者澄清：": the journalist holds the floor;
# who asked is what comes before the verb, when it ends like an outlet ("请问蓬佩奥先生：" is an answer).
_ZH_ASKING = re.compile(r"^(?:会后)?有?(?P<who>.*?)(?P<act>提问|追问[一二三四五六七八九十]?|问及.*|问|解释|澄清|补充)$")
# the WAF's cookie script, which real pages start <body> with and a challenge page consists of
_WAF_SCRIPT = re.compile(r"document\.cookie\s*=\s*[\"'](?:HOY_TR|HBB_HC)=|/_ws_sbu/sbu_hc\.js")
# A follow-up question is asked by whoever asked the question before it.
FOLLOW_UP = object()
QUESTION = "question"
SPOKESPERSON = "spokesperson"


def _centred(el: Tag) -> bool:
    return (el.get("align") or "").lower() == "center" or "center" in (el.get("style") or "").replace(" ", "")


def _drop_images_and_captions(body: Tag) -> None:
    for img in body.find_all("img"):
        if img.decomposed:
            continue
        block = img.find_parent(_IMAGE_BLOCKS)
        if block is None or block is body or not any(p is body for p in block.parents) \
                or len(text_of(block)) > _CAPTION_MAX:
            img.decompose()
            continue
        follower = block.find_next_sibling()
        block.decompose()
        if follower is not None and follower.name == "p" and _centred(follower) \
                and not follower.find(["img", "strong", "b"]) and 0 < len(text_of(follower)) <= _CAPTION_MAX:
            follower.decompose()
    for p in body.find_all("p"):
        if _CAPTION.match(text_of(p)):
            p.decompose()


def _text_paragraphs(body: Tag) -> list[str]:
    _drop_images_and_captions(body)
    return paragraphs(body)


def _asker_of_follow_ups(label: Labeller) -> Labeller:
    last = QUESTION

    def resolved(p: str):
        nonlocal last
        found = label(p)
        if found and found[1] == "question":
            if found[0] is FOLLOW_UP:
                found = (last, "question")
            last = found[0]
        return found
    return resolved


class FmprcSource(Source):
    """What the Chinese and English sites share: hosts, the two templates' machinery, transcripts.

    A language says where its pages live (`english`), its selectors (old template first), how its titles
    read (`kind_rules`, `spokespeople`) and how its transcripts label a turn (the `*_labels` and `outlet`).
    """
    ministry = "Ministry of Foreign Affairs of the People's Republic of China"
    country = "CN"
    hosts = ("www.fmprc.gov.cn", "www.mfa.gov.cn", "fmprc.gov.cn", "mfa.gov.cn")
    timezone = ZoneInfo("Asia/Shanghai")
    english = False
    title_selectors: tuple[str, ...] = ()
    date_selectors: tuple[str, ...] = ()
    body_selectors: tuple[str, ...] = ()
    listing_selectors: tuple[str, ...] = ()
    kind_rules: tuple[tuple[str, re.Pattern], ...] = ()
    # the spokesperson's Q&A: press conferences and remarks "answering a question"
    dialogue_kinds = ("press-conference", "remarks")
    label_pattern: re.Pattern
    # the spokespeople as this language names them; a page may be answered by one its title does not name
    known_spokespeople: frozenset[str] = frozenset()
    # what a line break in a title becomes (the current template prints "&lt;br&gt;" in some titles)
    title_break = " "
    question_labels: frozenset[str] = frozenset()
    answer_labels: frozenset[str] = frozenset()
    follow_up_labels: frozenset[str] = frozenset()
    moderator_labels: frozenset[str] = frozenset()
    versions = VERSIONS

    def owns(self, url: str) -> bool:
        return super().owns(url) and urlsplit(url).path.startswith(ENGLISH_PATHS) == self.english

    def is_listing(self, url: str) -> bool:
        path = urlsplit(url).path
        return self.owns(url) and (path.endswith("/") or bool(_LISTING_FILE.search(path)))

    def kind_for(self, title: str) -> str:
        return next((kind for kind, rx in self.kind_rules if rx.search(title)), "other")

    def spokespeople(self, title: str) -> list[str]:
        raise NotImplementedError

    def outlet(self, label: str) -> str | None:
        """The news outlet a question label names, or None when the label is not an outlet."""
        raise NotImplementedError

    def asker(self, label: str):
        """Who asks when a paragraph opens with `label`: an outlet, QUESTION (unnamed), FOLLOW_UP, or None."""
        if label in self.question_labels:
            return QUESTION
        if label in self.follow_up_labels:
            return FOLLOW_UP
        return self.outlet(label)

    def spokesperson(self, label: str) -> str | None:
        """The known spokesperson a label names, as this language spells them ("Hua chunying" is Hua Chunying)."""
        return next((n for n in self.known_spokespeople if n.casefold() == label.casefold()), None)

    def challenged(self, page: Page) -> bool:
        # every page of the site starts with the WAF's script; a challenge is that script without an article
        return bool(_WAF_SCRIPT.search(page.text)) and not any(
            soup(page.text).select_one(sel) for sel in (*self.body_selectors, *self.listing_selectors))

    def paragraphs_from_html(self, html: str) -> list[str]:
        return _text_paragraphs(soup(html))

    def statement(self, **fields) -> Statement:
        fields.setdefault("speakers", self.spokespeople(fields.get("title", "")))
        return super().statement(**fields)

    def turns_for(self, title: str, paragraphs: list[str], speakers: Sequence[str] = ()) -> list[Turn]:
        """Q&A turns of a press conference or remarks; `speakers` may name the spokesperson the title does not."""
        if self.kind_for(normalize_text(title)) not in self.dialogue_kinds:
            return []
        turns = split_turns(paragraphs, _asker_of_follow_ups(self._labeller([*self.spokespeople(title), *speakers])))
        return with_outlets(turns, unnamed={QUESTION})

    def _labeller(self, names: list[str]) -> Labeller:
        def label(p: str) -> tuple[str, str] | None:
            m = self.label_pattern.match(p)
            if not m:
                return None
            who = m[1]
            if who in names:
                return who, "spokesperson"
            if known := self.spokesperson(who):
                return known, "spokesperson"
            if who in self.answer_labels:
                return (names[0] if names else SPOKESPERSON), "spokesperson"
            if who in self.moderator_labels:
                return who, "moderator"
            asker = self.asker(who)
            return (asker, "question") if asker else None
        return label

    def parse_listing(self, page: Page) -> Listing:
        doc = soup(page.text)
        items = next((found for sel in self.listing_selectors if (found := doc.select(sel))), [])
        links = [link for item in items if (link := self._link(item, page.url))]
        if not links:
            raise ExtractError(f"{self.id}: no listing items ({', '.join(self.listing_selectors)}) on {page.url}")
        return Listing(links=links, next_pages=self._next_page(page))

    def _link(self, item: Tag, base: str) -> Link | None:
        a = item if item.name == "a" and item.get("href") else item.find("a", href=True)
        if a is None:
            return None
        url = urljoin(base, a["href"].strip())
        after = " ".join(s.get_text(" ") if isinstance(s, Tag) else str(s) for s in a.next_siblings)
        m = _LIST_DATE.search(after)
        return Link(url=url, title=text_of(a), date=parse_date(m[0], self.timezone) if m else self._url_day(url))

    def _url_day(self, url: str) -> datetime | None:
        m = _URL_DAY.search(urlsplit(url).path)
        return parse_date("-".join(m.groups()), self.timezone) if m else None

    def _next_page(self, page: Page) -> list[str]:
        current, count = (rx.search(page.text) for rx in _OLD_PAGING)
        if current and count:
            n, total, name, ext = int(current[1]), int(count[1]), "default", "shtml"
        elif m := _TRS_PAGING.search(page.text):
            total, n, name, ext = int(m[1]), int(m[2]), m[3], m[4]
        else:
            return []
        return [urljoin(page.url, f"{name}_{n + 1}.{ext}")] if n + 1 < total else []

    def parse_article(self, page: Page) -> Statement:
        doc = soup(page.text)
        title = self._title(doc)
        if not title:
            raise ExtractError(f"{self.id}: no title ({', '.join(self.title_selectors)}, meta ArticleTitle, "
                               f"<title> with '_') on {page.url}")
        sel, body = next(((sel, found) for sel in self.body_selectors if (found := doc.select_one(sel)) is not None),
                         (None, None))
        if body is None:
            raise ExtractError(f"{self.id}: no body ({', '.join(self.body_selectors)}) on {page.url}")
        # before the text is taken, which drops the body's images and with them their upload stamps
        date, date_source = self._date(doc, page.url, title, body)
        text = _text_paragraphs(body)
        if not text:
            raise ExtractError(f"{self.id}: no text paragraphs in the body ({sel}) on {page.url}")
        return self.statement(url=page.url, title=title, paragraphs=text, date=date, date_source=date_source,
                              speakers=self._speakers(doc, title, text), fetched_at=page.fetched_at,
                              versions=self._versions(doc, page.url))

    def _versions(self, doc: BeautifulSoup, base: str) -> list[VersionLink]:
        """The other languages' versions the current template's language switch links (`div.lan_btn`)."""
        return [VersionLink(LANGUAGE_NAMES[desc], urljoin(base, a["href"].strip()))
                for a in doc.select("div.lan_btn a[href]")
                if (img := a.find("img")) and (desc := img.get("data-desc")) in LANGUAGE_NAMES
                and LANGUAGE_NAMES[desc] != self.language and a["href"].strip()]

    def _title(self, doc: BeautifulSoup) -> str:
        return re.sub(r"\s*<br\s*/?>\s*", self.title_break, self._raw_title(doc), flags=re.I).strip()

    def _raw_title(self, doc: BeautifulSoup) -> str:
        for sel in self.title_selectors:
            if title := text_of(doc.select_one(sel)):
                return title
        if meta := _meta(doc, "ArticleTitle"):
            return meta
        head = text_of(doc.title)
        return normalize_text(head.split("_", 1)[0]) if "_" in head else ""

    def _speakers(self, doc: BeautifulSoup, title: str, text: list[str]) -> list[str]:
        """The spokesperson: named in the title, else in the Keywords meta ("发言人;汪文斌"), else the first known
        spokesperson who answers in the text ("外交部发言人就…答记者问" names nobody)."""
        if named := self.spokespeople(title):
            return named
        keywords = re.split(r"[;；,，\s]+", _meta(doc, "Keywords"))
        labels = (m[1] for p in text if (m := self.label_pattern.match(p)))
        return next(([known] for word in (*keywords, *labels) if (known := self.spokesperson(word))), [])

    def _date(self, doc: BeautifulSoup, url: str, title: str, body: Tag) -> tuple[datetime | None, str]:
        """The date and where it came from: the page (its date line, its PubDate meta, its URL), else the title
        (the old English template leaves #News_Body_Time empty: "... Press Conference on May 11, 2018" is the
        only date such a page carries); "none" when neither has one (a listing may still give it).

        Fourteen English titles of September 2018 print no year ("... on September 10"); their photos' upload
        stamps give it (parse_month_day), and a title without a year on a page without photos stays undated."""
        for text in (*(text_of(doc.select_one(sel)) for sel in self.date_selectors), _meta(doc, "PubDate")):
            if date := parse_date(text, self.timezone):
                return date, "page"
        if date := self._url_day(url):
            return date, "page"
        if date := parse_date(title, self.timezone) or parse_month_day(title, _upload_days(body), self.timezone):
            return date, "title"
        return None, "none"


class CnMfaZh(FmprcSource):
    id = "cn-mfa-zh"
    language = "zh"
    start_urls = ("https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/default.shtml",
                  "https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/index.shtml")
    description = "Spokesperson's remarks and regular press conferences (Chinese; 发言人表态, 例行记者会)"
    verified = ("old and current template: 2,050 real articles and 67 listings in the corpus; current listing "
                "unverified")
    title_selectors = ("#News_Body_Title", ".news-title h1")
    date_selectors = ("#News_Body_Time", ".news-title p.time")
    body_selectors = ("#News_Body_Txt_A", ".news-main")
    listing_selectors = ("div.rebox_news ul li", "div.newsBd ul.list1 li")
    kind_rules = KIND_RULES
    label_pattern = _ZH_LABEL
    question_labels = frozenset({"问", "记者"})
    answer_labels = frozenset({"答"})
    follow_up_labels = frozenset({"追问"})
    moderator_labels = frozenset({"主持人"})
    known_spokespeople = frozenset(SPOKESPEOPLE)
    title_break = ""

    def spokespeople(self, title: str) -> list[str]:
        return spokespeople(title)

    def outlet(self, label: str) -> str | None:
        return label.removesuffix("记者") if _ZH_OUTLET.search(label) else None

    def asker(self, label: str):
        m = _ZH_ASKING.match(label)
        if m is None or label in self.question_labels | self.follow_up_labels:
            return super().asker(label)
        who = m["who"].removesuffix("记者")
        if who and not (m["who"].endswith("记者") or _ZH_OUTLET.search(who)):
            return None
        if m["act"].startswith("追问"):
            # "彭博社记者追问" names the asker; a bare "追问" is the last asker's
            return who or FOLLOW_UP
        return who or QUESTION


def spokespeople(title: str) -> list[str]:
    m = _SPOKESPERSON.search(title)
    return [m[1]] if m else []


def _upload_days(body: Tag) -> list[date]:
    """The days the body's images were uploaded, as the site's CMS (TRS) names uploaded files:
    "W020180910808183162908.jpg" is a file of 2018-09-10."""
    days = []
    for img in body.find_all("img"):
        m = _UPLOAD_STAMP.search(img.get("src") or "")
        if m:
            try:
                days.append(date(int(m[1]), int(m[2]), int(m[3])))
            except ValueError:
                continue
    return days


def _meta(doc: BeautifulSoup, name: str) -> str:
    tag = doc.find("meta", attrs={"name": name})
    return normalize_text(tag.get("content") or "") if tag else ""


SOURCES = [CnMfaZh()]
