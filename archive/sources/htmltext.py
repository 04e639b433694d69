"""HTML to ordered paragraphs of plain text: the one place that decides what a paragraph is."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from ..model import normalize_text

BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "dd", "dt",
          "section", "article", "figure", "table", "ul", "ol", "header", "footer"}
DROP = {"script", "style", "noscript", "iframe", "form", "button", "svg", "template", "object", "embed",
        "figcaption", "nav"}
# Separators ("# # #", "* * *", a lone dash) carry no words, so they are not paragraphs.
_WORDLESS = re.compile(r"^\W*$")


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def paragraphs(fragment: str | Tag) -> list[str]:
    """Split into paragraphs at block elements and <br>; drop scripts, forms, captions and separators."""
    node = soup(fragment) if isinstance(fragment, str) else fragment
    out: list[str] = []
    buf: list[str] = []

    def flush():
        text = normalize_text("".join(buf))
        if not _WORDLESS.match(text):
            out.append(text)
        buf.clear()

    def walk(el):
        for child in el.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # skip comments, CDATA, doctype
                    buf.append(str(child))
            elif isinstance(child, Tag):
                name = child.name.lower()
                if name in DROP:
                    continue
                if name == "br":
                    flush()
                elif name in BLOCKS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(node)
    flush()
    return out


def text_of(el: Tag | None) -> str:
    return normalize_text(el.get_text(" ")) if el is not None else ""
