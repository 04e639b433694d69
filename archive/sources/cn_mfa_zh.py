"""China, Ministry of Foreign Affairs, Chinese pages (www.fmprc.gov.cn = www.mfa.gov.cn).

Two templates are read, each selector list trying the old one first:

- old template (until 2021), VERIFIED on real pages (raw server listings of 2020-12, browser-saved articles
  of 2019–20): listing `div.rebox_news ul li` → `<a href="./t1839549.shtml">TITLE</a>(YYYY-MM-DD)`, pages
  `default.shtml`, `default_1.shtml`, … counted by the inline script `var currentPage = N` /
  `var countPage = M`; article `#News_Body_Title`, `#News_Body_Time`, `#News_Body_Txt_A`.
- current template (2021–), UNVERIFIED against a live page: written from SITE-NOTES.md, tested only on
  hand-made fixtures. Listing `div.newsBd ul.list1 li a`, dated by a sibling `<span>` or by the link
  (`./YYYYMM/tYYYYMMDD_N.shtml`), pages `index.shtml`, `index_1.shtml`, … counted by the TRS paging call
  `createPageHTML(countPage, currentPage, "index", "shtml")` (assumed: the usual TRS publisher script);
  article `.news-title h1` (else meta ArticleTitle, else `<title>` before "_"), `.news-title p.time` (else
  meta PubDate, else the date in the URL), `.news-main`.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from ..model import Statement, normalize_text
from .base import ExtractError, Link, Listing, Page, Source
from .dates import parse_date
from .htmltext import paragraphs, soup, text_of

TITLE_SELECTORS = ("#News_Body_Title", ".news-title h1")
DATE_SELECTORS = ("#News_Body_Time", ".news-title p.time")
BODY_SELECTORS = ("#News_Body_Txt_A", ".news-main")
LISTING_SELECTORS = ("div.rebox_news ul li", "div.newsBd ul.list1 li")

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

# An image and its caption share a block ("<p><img><br>图为…</p>") or the caption is the centred line after
# the image; either way it is short. Speech headings are centred too (and bold), so only a plain line right
# after an image counts.
_IMAGE_BLOCKS = ["p", "td", "figure", "center", "div", "li"]
_CAPTION_MAX = 100
_CAPTION = re.compile(r"^(?:图为|图：|（图|\(图|（摄影|摄影：)")


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


class CnMfaZh(Source):
    id = "cn-mfa-zh"
    ministry = "Ministry of Foreign Affairs of the People's Republic of China"
    country = "CN"
    language = "zh"
    hosts = ("www.fmprc.gov.cn", "www.mfa.gov.cn", "fmprc.gov.cn", "mfa.gov.cn")
    start_urls = ("https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/default.shtml",
                  "https://www.mfa.gov.cn/web/fyrbt_673021/jzhsl_673025/index.shtml")
    timezone = ZoneInfo("Asia/Shanghai")
    description = "Spokesperson's remarks and regular press conferences (Chinese; 发言人表态, 例行记者会)"

    def is_listing(self, url: str) -> bool:
        path = urlsplit(url).path
        return self.owns(url) and (path.endswith("/") or bool(_LISTING_FILE.search(path)))

    def kind_for(self, title: str) -> str:
        return next((kind for kind, rx in KIND_RULES if rx.search(title)), "other")

    def paragraphs_from_html(self, html: str) -> list[str]:
        return _text_paragraphs(soup(html))

    def statement(self, **fields) -> Statement:
        fields.setdefault("speakers", spokespeople(fields.get("title", "")))
        return super().statement(**fields)

    def parse_listing(self, page: Page) -> Listing:
        doc = soup(page.text)
        items = next((found for sel in LISTING_SELECTORS if (found := doc.select(sel))), [])
        links = [link for li in items if (link := self._link(li, page.url))]
        if not links:
            raise ExtractError(f"{self.id}: no listing items ({', '.join(LISTING_SELECTORS)}) on {page.url}")
        return Listing(links=links, next_pages=self._next_page(page))

    def _link(self, li: Tag, base: str) -> Link | None:
        a = li.find("a", href=True)
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
            raise ExtractError(f"{self.id}: no title ({', '.join(TITLE_SELECTORS)}, meta ArticleTitle, "
                               f"<title> with '_') on {page.url}")
        sel, body = next(((sel, found) for sel in BODY_SELECTORS if (found := doc.select_one(sel)) is not None),
                         (None, None))
        if body is None:
            raise ExtractError(f"{self.id}: no body ({', '.join(BODY_SELECTORS)}) on {page.url}")
        text = _text_paragraphs(body)
        if not text:
            raise ExtractError(f"{self.id}: no text paragraphs in the body ({sel}) on {page.url}")
        return self.statement(url=page.url, title=title, paragraphs=text, date=self._date(doc, page.url),
                              fetched_at=page.fetched_at)

    def _title(self, doc: BeautifulSoup) -> str:
        for sel in TITLE_SELECTORS:
            if title := text_of(doc.select_one(sel)):
                return title
        if meta := _meta(doc, "ArticleTitle"):
            return meta
        head = text_of(doc.title)
        return normalize_text(head.split("_", 1)[0]) if "_" in head else ""

    def _date(self, doc: BeautifulSoup, url: str) -> datetime | None:
        for text in (*(text_of(doc.select_one(sel)) for sel in DATE_SELECTORS), _meta(doc, "PubDate")):
            if date := parse_date(text, self.timezone):
                return date
        return self._url_day(url)


def spokespeople(title: str) -> list[str]:
    m = _SPOKESPERSON.search(title)
    return [m[1]] if m else []


def _meta(doc: BeautifulSoup, name: str) -> str:
    tag = doc.find("meta", attrs={"name": name})
    return normalize_text(tag.get("content") or "") if tag else ""


SOURCES = [CnMfaZh()]
