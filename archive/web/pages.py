"""The HTML pages: search and statement, rendered from the same data as their /api twins."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory, url_for
from markupsafe import Markup, escape

from .. import citation
from ..search import MAX_TERMS, plain_quotes
from . import data, replay, timeline

bp = Blueprint("pages", __name__)

FORM_FIELDS = ("q", "country", "source", "from", "to", "sort", "kind", "language", "speaker", "year")
FILTERS = (("country", "Country"), ("source", "Source"), ("from", "From"), ("to", "To"), ("kind", "Kind"),
           ("language", "Language"), ("speaker", "Speaker"), ("year", "Year"))
# the facets a reader can narrow by, in the sidebar's order; "month" feeds the timeline instead
FACETS = (("country", "Country"), ("source", "Source"), ("speaker", "Speaker"), ("kind", "Kind"),
          ("language", "Language"), ("year", "Year"))
FACET_VALUES = 8
# the export links drop paging: an export is every match
EXPORT_DROPS = ("page", "offset", "limit")
_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


@bp.get("/")
def search():
    # the form shows what the reader typed, even when it is the value we refuse
    form = {k: request.args.get(k, "").strip() for k in FORM_FIELDS}
    form["country"] = form["country"].upper()
    common = {"form": form, "facets": data.backend().facets(),
            # the twin reads the same query string, so the page's own arguments address it
            "json_url": with_query(url_for("api.search"), request.args.to_dict())}
    try:
        params, results = data.search(request.args, facets=True)
    except data.BadSearch as e:
        return render_template("search.html", error=str(e), **common), 400
    last = max(1, math.ceil(results.total / params.limit))
    active = [{"label": label, "value": form[key], "remove": narrowed(**{key: None})}
              for key, label in FILTERS if form[key]]
    found = results.facets
    sidebar = [{"key": key, "label": label, "values": found[key][:FACET_VALUES]}
               for key, label in FACETS if found.get(key)]
    everything = {k: v for k, v in request.args.to_dict().items() if k not in EXPORT_DROPS}
    exports = {name: with_query(url_for(endpoint), everything) for name, endpoint in (
        ("CSV", "feeds.export_csv"), ("JSON Lines", "feeds.export_jsonl"), ("Atom feed", "feeds.feed"))}
    return render_template("search.html", params=params, results=results, last_page=last,
                           page_links=page_numbers(params.page, last), active=active, sidebar=sidebar,
                           bars=timeline.bars(found.get("month") or []), exports=exports,
                           chart_size=(timeline.WIDTH, timeline.HEIGHT),
                           suggestion=results.suggestion, **common)


@bp.get("/statements/<sid>")
def statement(sid: str):
    st = data.statement(sid)
    return render_template("statement.html", st=st, turns=data.turn_starts(st), q=request.args.get("q", "").strip(),
                           captured=bool(data.backend().store().statement_captures(sid)),
                           json_url=url_for("api.statement", sid=sid))


@bp.get("/statements/<sid>/capture")
def capture(sid: str):
    shown = replay.replay(sid, request.args)
    return render_template("capture.html", **shown, json_url=url_for("api.captures", sid=sid))


@bp.get("/statements/<sid>/capture.warc")
def capture_warc(sid: str):
    import gzip
    row, raw = replay.record(sid, request.args)
    # the record as WARC readers take it: one gzip member each in our files, served uncompressed
    body = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    return Response(body, mimetype="application/warc",
                    headers={"Content-Disposition": f'attachment; filename="{sid}-capture-{row["id"]}.warc"'})


@bp.get("/statements/<sid>/revisions")
def revisions(sid: str):
    json_url = with_query(url_for("api.revisions", sid=sid), request.args.to_dict())
    try:
        found = data.revision_diff(sid, request.args)
    except data.BadSearch as e:
        return render_template("error.html", title="Bad request", message=str(e)), 400
    return render_template("revisions.html", found=found, json_url=json_url)


@bp.get("/changes")
def changes():
    try:
        found = data.recent_changes(request.args)
    except data.BadSearch as e:
        return render_template("error.html", title="Bad request", message=str(e)), 400
    return render_template("changes.html", changes=found["changes"], withdrawn=found["withdrawn"],
                           json_url=url_for("api.changes"),
                           atom_url=url_for("feeds.changes_feed"))


@bp.get("/statements/<sid>/cite")
def cite_statement(sid: str):
    try:
        st, paragraph = data.citation_of(sid, request.args, request.url_root)
    except data.BadSearch as e:
        return render_template("error.html", title="Bad request", message=str(e)), 400
    return render_template("statement_cite.html", st=st, paragraph=paragraph,
                           citations=all_citations(st, paragraph),
                           json_url=url_for("api.cite_statement", sid=sid, format="csl-json", paragraph=paragraph))


@bp.get("/cite")
def cite():
    form = {k: request.args.get(k, "").strip() for k in ("q", "country", "source", "speaker", "from", "to")}
    fmt = request.args.get("format", "apa")
    fmt = fmt if fmt in citation.FORMATS else "apa"
    common = {"form": form, "fmt": fmt, "formats": citation.FORMATS,
              "json_url": with_query(url_for("api.cite"), request.args.to_dict())}
    if not form["q"]:
        return render_template("cite.html", answer=None, **common)
    try:
        answer = data.lookup(request.args)
    except data.BadSearch as e:
        return render_template("cite.html", error=str(e), answer=None, **common), 400
    for m in answer["matches"]:
        m["citation"] = citation.cite(data.backend().store().get(m["id"]), fmt, request.url_root, m["paragraph"])
    return render_template("cite.html", answer=answer, **common)


def all_citations(st: dict, paragraph: int | None) -> list[tuple[str, str]]:
    return [(fmt, citation.cite(st, fmt, request.url_root, paragraph)) for fmt in citation.FORMATS]


@bp.get("/help")
def help_page():
    return render_template("help.html", syntax=data.SYNTAX, limits=data.LIMITS,
                           json_url=url_for("api.help_page"))


@bp.get("/style.css")
def style():
    return send_from_directory(current_app.template_folder, "style.css", max_age=3600)


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """Pages to link: the first, the last and a few around the current one; None marks a gap."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    out: list[int | None] = []
    for prev, n in zip([0, *shown], shown):
        if n - prev > 1:
            out.append(None)
        out.append(n)
    return out


def with_query(path: str, args: dict) -> str:
    # not url_for(**args): it reads _external, _scheme and _anchor as its own options, and a visitor's
    # ?_scheme=x would then fail the page
    query = urlencode({k: v for k, v in args.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


@bp.app_template_global()
def url_with(**changes) -> str:
    """This page's URL with some arguments changed; None or "" drops one."""
    return with_query(url_for(request.endpoint, **request.view_args), {**request.args.to_dict(), **changes})


@bp.app_template_global()
def narrowed(**changes) -> str:
    """This search with some filters changed, from its first page: the old page may not exist any more."""
    return url_with(**changes, page=None, offset=None)


@bp.app_template_global()
def page_url(n: int) -> str:
    return url_with(page=n if n > 1 else None, offset=None)


@bp.app_template_filter()
def published(iso: str | None) -> str:
    """A date as the ministry published it: its own local time and offset, never converted."""
    if not iso:
        return "undated"
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    day = f"{when.day} {when:%B %Y}"
    if len(iso) == 10 or (when.hour, when.minute) == (0, 0):
        return day
    return f"{day}, {when:%H:%M}" + (f" {when.tzname()}" if when.tzinfo else "")


@bp.app_template_filter()
def citation_meta(st: dict) -> dict:
    """Authors as reference managers read them ("Family, Given" or the ministry) and the printed date."""
    w = citation.work(st, request.url_root)
    names = [w.authors] if isinstance(w.authors, str) else [p.inverted for p in w.authors]
    return {"authors": names, "date": w.issued.isoformat() if w.issued else ""}


@bp.app_template_filter()
def utc(when: datetime | None, seconds: bool = False) -> str:
    # seconds tell apart captures of one page made a minute apart
    return when.astimezone(timezone.utc).strftime(f"%Y-%m-%d %H:%M{':%S' if seconds else ''} UTC") if when else ""


@bp.app_template_filter()
def http_url(url: str) -> str | None:
    """The URL if it is safe in an href; a scraped javascript: or data: URL stays plain text."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


@bp.app_template_filter()
def diff_html(ops: list[dict]) -> Markup:
    """Word operations as escaped text, removals in <del> and additions in <ins>."""
    tags = {"equal": Markup("%s"), "delete": Markup("<del>%s</del>"), "insert": Markup("<ins>%s</ins>")}
    return Markup(" ").join(tags[o["op"]] % o["text"] for o in ops)


@bp.app_template_filter()
def thousands(n: int) -> str:
    return f"{n:,}"


@bp.app_template_filter()
def kind_label(kind: str) -> str:
    return kind.replace("-", " ")


def _unspaced(ch: str) -> bool:
    # Chinese and Japanese write words without spaces, so a match there needs no word boundary
    return unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA"))


def _query_terms(q: str) -> list[str]:
    """The words and "phrases" a reader searched for, without operators, field names or excluded -words."""
    terms = []
    for m in _TOKEN.finditer(plain_quotes(q)):
        phrase, word = m.groups()
        if phrase is not None:
            terms.append(" ".join(phrase.split()))
        elif not word.startswith("-") and word not in _OPERATORS:
            word = word.lstrip("+(").rstrip(")")
            name, sep, value = word.partition(":")
            if not sep or not name.isidentifier():
                terms.append(word)
            elif name.lower() != "date":  # date:2024-11 narrows the search; its digits are not in the text
                terms.append(value)
    return [t for t in terms if t.strip()][:MAX_TERMS]


def _term_pattern(term: str) -> str:
    body = r"\s+".join(re.escape(w) for w in term.split())
    before = "" if _unspaced(term[0]) else r"(?<!\w)"
    after = "" if _unspaced(term[-1]) else r"(?!\w)"
    return before + body + after


@bp.app_template_filter()
def highlight(text: str, q: str) -> Markup:
    """Scraped text escaped, with the query's words and phrases (whole words, any case) in <mark>.

    The text is split on matches before escaping, so a search for "amp" can never land inside "&amp;".
    """
    terms = sorted(set(_query_terms(q or "")), key=len, reverse=True)
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(_term_pattern(t) for t in terms), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out += [escape(text[pos:m.start()]), Markup("<mark>%s</mark>") % m.group()]
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)
