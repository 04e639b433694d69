"""A search's matches for other programs: CSV and JSON Lines exports, an Atom feed, OpenSearch discovery."""
from __future__ import annotations

import csv
import io
import json
import re
from contextlib import closing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from html import unescape
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for

from ..search.query import SearchQuery
from ..search.searcher import Hit
from . import compare, views
from .links import http_url, with_query
from .spreadsheet import cell

bp = Blueprint("feeds", __name__)

CSV_COLUMNS = ("id", "date", "title", "ministry", "country", "source", "kind", "language", "speaker", "url")
FEED_SIZE = 50
ATOM = "http://www.w3.org/2005/Atom"
# once, here: register_namespace deletes the entry before it adds it again, so two requests registering
# at the same moment made one of them fail with a KeyError
ET.register_namespace("", ATOM)
# XML 1.0 forbids most control characters, and a scraped page may still carry one
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MARK = re.compile(r"</?mark>")


def _exported(suffix: str, mimetype: str, lines: Callable[[list[Hit]], str], header: str = "") -> Response:
    pages = views.all_hits(request.args)

    def body() -> Iterator[str]:
        with closing(pages):
            yield header
            for hits in pages:
                yield lines(hits)
    return Response(stream_with_context(body()), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="policy-archive-search.{suffix}"'})


def _csv_lines(hits: list[Hit]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([cell(getattr(h, c)) for c in CSV_COLUMNS] for h in hits)
    return out.getvalue()


@bp.get("/export.csv")
def export_csv():
    return _exported("csv", "text/csv", _csv_lines, header=",".join(CSV_COLUMNS) + "\r\n")


COMPARE_COLUMNS = ("country", "ministry", "lane_count", "rank", "id", "date", "title", "speaker", "language",
                   "snippet", "statement_url", "url", "same_text")


@bp.get("/compare.csv")
def compare_csv():
    # one row per hit the compare view shows, each with its lane: the lanes are few and their hits fewer
    found = compare.Comparison(request.args).found
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COMPARE_COLUMNS)
    for lane in found["lanes"]:
        for rank, hit in enumerate(lane["hits"], 1):
            row = {**hit, "ministry": hit["ministry"] or lane["ministry"], "lane_count": lane["count"], "rank": rank,
                   "snippet": plain_snippet(hit["snippet"]),
                   # the host's root: the path url_for gave already holds any prefix the archive is served under
                   "statement_url": request.host_url.rstrip("/") + hit["statement_url"]}
            writer.writerow([cell(str(row[c]) if row[c] is not None else "") for c in COMPARE_COLUMNS])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="policy-archive-compare.csv"'})


@bp.get("/export.jsonl")
def export_jsonl():
    return _exported("jsonl", "application/x-ndjson",
                     lambda hits: "".join(json.dumps(h.to_json(), ensure_ascii=False) + "\n" for h in hits))


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _rfc3339(iso: str) -> str:
    # a statement dated only by day, or without an offset, is given midnight and UTC: Atom needs an instant
    when = datetime.fromisoformat(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.isoformat()


def plain_snippet(snippet: str) -> str:
    """The snippet as plain text: search builds it from escaped text and <mark> tags, nothing else."""
    return unescape(_MARK.sub("", snippet))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _xml_text(text)
    return el


@dataclass(frozen=True)
class Entry:
    page: str
    title: str
    updated: str
    author: str
    summary: str
    related: str | None = None


def atom(self_url: str, title: str, alternate: str, entries: list[Entry]) -> Response:
    """An Atom feed of entries already newest first; the feed is as recent as its first entry."""
    root = ET.Element(f"{{{ATOM}}}feed")
    _sub(root, "id", self_url)
    _sub(root, "title", title)
    _sub(root, "updated", entries[0].updated if entries else datetime.now(timezone.utc).isoformat())
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=alternate)
    _sub(root, "generator", "Policy Archive")
    for e in entries:
        entry = _sub(root, "entry")
        _sub(entry, "id", e.page)
        _sub(entry, "title", e.title)
        _sub(entry, "updated", e.updated)
        _sub(_sub(entry, "author"), "name", e.author)
        _sub(entry, "link", rel="alternate", type="text/html", href=e.page)
        if e.related:
            _sub(entry, "link", rel="related", href=e.related, title="Official page")
        _sub(entry, "summary", e.summary, type="text")
    return Response(ET.tostring(root, encoding="unicode", xml_declaration=True),
                    mimetype="application/atom+xml")


@bp.get("/feed.atom")
def feed():
    query = replace(SearchQuery.from_args(request.args), sort="-date", limit=FEED_SIZE, offset=0)
    results = views.run(query)
    args = request.args.to_dict()
    for paging in ("sort", "page", "offset", "limit"):
        args.pop(paging, None)
    host = request.host_url.rstrip("/")
    # Atom needs an updated instant for each entry; an undated statement has no honest one
    entries = [Entry(page=url_for("pages.statement", sid=h.id, _external=True), title=h.title,
                     updated=_rfc3339(h.date), author=h.ministry or h.source, summary=plain_snippet(h.snippet),
                     related=http_url(h.url))
               for h in results.hits if h.date]
    return atom(host + with_query(url_for("feeds.feed"), args),
                f"Policy Archive: {query.text}" if query.text else "Policy Archive: newest statements",
                host + with_query(url_for("pages.search_page"), {**args, "sort": "-date"}), entries)


@bp.get("/changes.atom")
def changes_feed():
    found = views.recent_changes(request.args)
    host = request.host_url.rstrip("/")
    # one entry per edit, not per statement: a statement edited twice is two pieces of news
    entries = [Entry(page=host + c["diff_url"], title=c["title"], updated=c["first_seen"].isoformat(),
                     author=c["ministry"], summary=f"Text revision {c['seq']} of this statement")
               for c in found["changes"]]
    entries += [Entry(page=url_for("pages.statement", sid=w["id"], _external=True), title=w["title"],
                      updated=w["withdrawn_at"].isoformat(), author=w["ministry"], related=http_url(w["url"]),
                      summary="Taken down: the official page answers “not found”; the archive keeps its text")
                for w in found["withdrawn"]]
    entries.sort(key=lambda e: e.updated, reverse=True)
    return atom(host + url_for("feeds.changes_feed"), "Policy Archive: statements edited or taken down after publication",
                host + url_for("pages.changes"), entries)


@bp.get("/opensearch.xml")
def opensearch():
    return Response(render_template("opensearch.xml"), mimetype="application/opensearchdescription+xml")
