"""A statement's captures, and one of them shown as captured (a web archive's replay, made safe).

The captured HTML is the ministry's, so it goes through nh3 with an allow-list of text tags: no script,
style, form, frame, image or other element that loads or runs anything, no attribute but a few harmless
ones, and every link made absolute to the official site so it stays a plain link, never a resource.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import nh3
from flask import abort, url_for
from lxml import etree
from markupsafe import Markup

from ..captures import CaptureMissing, read_capture
from ..fetch.decode import ResponseTooLarge, ContentDecodingError
from . import views
from .backend import backend

# what a reader needs to read a page: text, structure, tables, links; nothing that fetches or runs
TAGS = {"a", "abbr", "article", "aside", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
        "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "i", "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "pre",
        "q", "s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "time", "tr", "u", "ul"}
# dropped with everything inside: code, styling, page furniture that is no text, and controls
DROPPED = {"script", "style", "noscript", "template", "title", "head", "iframe", "frame", "frameset", "object",
           "embed", "applet", "svg", "math", "canvas", "form", "select", "textarea", "button", "audio", "video"}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
              "*": {"lang", "dir"}}
MAX_TEXT_CHARS = 500_000
_NS = {"content": "http://purl.org/rss/1.0/modules/content/", "atom": "http://www.w3.org/2005/Atom"}


def sanitize(html: str, base_url: str) -> Markup:
    """The captured HTML, safe to show inside our page (and under its CSP)."""
    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute != "href":
            return value
        target = urljoin(base_url, value.strip())
        return target if urlsplit(target).scheme in ("http", "https") else None

    cleaned = nh3.clean(html, tags=TAGS, clean_content_tags=DROPPED, attributes=ATTRIBUTES,
                        attribute_filter=absolute, url_schemes={"http", "https"},
                        link_rel="noopener noreferrer nofollow")
    return Markup(cleaned)  # noqa: S704 - nh3 output, by the allow-lists above


@dataclass
class FeedItem:
    title: str
    link: str
    published: str
    content: Markup


def feed_item(xml: bytes, st: dict) -> FeedItem | None:
    """The statement's item in a captured RSS or Atom feed, matched by guid or link."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    wanted = {v for v in (st.get("guid"), st.get("url")) if v}
    for item in root.iterfind(".//item"):
        if {item.findtext("guid", "").strip(), item.findtext("link", "").strip()} & wanted:
            body = item.findtext("content:encoded", None, _NS) or item.findtext("description", "")
            return FeedItem(item.findtext("title", ""), item.findtext("link", ""), item.findtext("pubDate", ""),
                            sanitize(body, st["url"]))
    for entry in root.iterfind(".//atom:entry", _NS):
        link = entry.find("atom:link", _NS)
        href = link.get("href", "") if link is not None else ""
        if {entry.findtext("atom:id", "", _NS).strip(), href} & wanted:
            body = entry.findtext("atom:content", None, _NS) or entry.findtext("atom:summary", "", _NS)
            return FeedItem(entry.findtext("atom:title", "", _NS), href, entry.findtext("atom:updated", "", _NS),
                            sanitize(body, st["url"]))
    return None


CAPTURE_FIELDS = ("id", "url", "captured_at", "status", "content_type", "warc_file", "offset", "length",
                  "record_id")


def captures(sid: str) -> dict:
    """A statement's captures, newest first, each with its replay page and its raw record."""
    st = views.statement(sid)
    rows = backend().store().statement_captures(sid)
    return {"id": sid, "url": st["url"], "captures": [
        {**{k: r[k] for k in CAPTURE_FIELDS},
         "page": url_for("pages.capture", sid=sid, capture=r["id"]),
         "warc": url_for("pages.capture_warc", sid=sid, capture=r["id"])} for r in rows]}


def chosen(sid: str, args: Mapping[str, str]) -> tuple[dict, dict, list[dict]]:
    """(statement, the capture asked for or else the newest that answered 200, all of its captures)."""
    st = views.statement(sid)
    rows = backend().store().statement_captures(sid)
    if not rows:
        abort(404, description="This statement has no capture in the archive (it was imported, not crawled).")
    raw = args.get("capture", "").strip()
    if raw:
        row = next((r for r in rows if str(r["id"]) == raw), None)
        if row is None:
            abort(404, description=f"Capture “{raw[:20]}” is not one of this statement's captures.")
    else:
        row = next((r for r in rows if r["status"] == 200), rows[0])
    return st, row, rows


def record(sid: str, args: Mapping[str, str]) -> tuple[dict, bytes]:
    """The raw WARC record of a capture, for download."""
    _, row, _ = chosen(sid, args)
    try:
        raw, _ = read_capture(backend().datadir.root, row)
    except CaptureMissing as e:
        abort(410, description=str(e))
    return row, raw


def replay(sid: str, args: Mapping[str, str]) -> dict:
    """What the capture page shows: the banner's facts and the captured content, made safe."""
    st, row, rows = chosen(sid, args)
    try:
        _, response = read_capture(backend().datadir.root, row)
        body = response.body()
        text = response.text()
    except CaptureMissing as e:
        abort(410, description=str(e))
    except (ResponseTooLarge, ContentDecodingError) as e:
        abort(422, description=f"The captured body cannot be decoded: {e}")
    kind = (row["content_type"] or "").split(";")[0].strip().lower()
    shown = {"st": st, "capture": row, "captures": rows, "kind": "text", "item": None, "html": None, "text": None}
    if row["url"] != st["url"] and ("xml" in kind or "rss" in kind or "atom" in kind):
        shown["item"] = feed_item(body, st)
        shown["kind"] = "feed-item" if shown["item"] else "text"
    elif "html" in kind or (not kind and "<html" in text[:2000].lower()):
        shown.update(kind="html", html=sanitize(text, row["url"]))
    if shown["kind"] == "text":
        shown["text"] = text[:MAX_TEXT_CHARS]
        shown["truncated"] = len(text) > MAX_TEXT_CHARS
    return shown
