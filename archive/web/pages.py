"""The HTML pages: search and statement, rendered from the same data as their /api twins."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory, url_for
from markupsafe import Markup, escape

from ..cite import formats as citation
from ..search.facets import FACETS
from ..search.query import FILTERS, join_drops, query_terms
from ..search.syntax import LIMITS, SYNTAX
from . import compare, days, health as node_health, outlets, replay, speakers, timeline, views
from .backend import backend
from .links import http_url, with_query

bp = Blueprint("pages", __name__)
bp.add_app_template_filter(http_url)
bp.add_app_template_filter(citation.language_name)
bp.add_app_template_filter(compare.same_text_mark)

FORM_FIELDS = ("q", *(f.arg for f in FILTERS), "sort")
CITE_FIELDS = ("q", *(f.arg for f in FILTERS if f.cites))
LABELS = {f.attr: f.label for f in FILTERS}
# the filters search.html has an input for; the others (narrowed from the sidebar) ride along hidden
FORM_INPUTS = ("country", "source", "from", "to")
HIDDEN = tuple(f.arg for f in FILTERS if f.arg not in FORM_INPUTS)
FACET_VALUES = 8
# the export links drop paging: an export is every match
EXPORT_DROPS = ("page", "offset", "limit")


def _search_form() -> dict:
    # the form shows what the reader typed, even when it is the value we refuse
    form = {k: request.args.get(k, "").strip() for k in FORM_FIELDS}
    form["country"] = form["country"].upper()
    return {"form": form, "facets": backend().facets(), "hidden": HIDDEN,
            # the twin reads the same query string, so the page's own arguments address it
            "json_url": with_query(url_for("api.search_results"), request.args.to_dict())}


@bp.get("/")
def search_page():
    common = _search_form()
    form = common["form"]
    query, results = views.results_for(request.args, facets=True)
    last = max(1, math.ceil(results.total / query.limit))
    active = [{"label": f.label, "value": form[f.arg], "remove": narrowed(**{f.arg: None})}
              for f in FILTERS if form[f.arg]]
    found = results.facets
    # the facets a reader can narrow by, in the searcher's order; "month" feeds the timeline instead
    sidebar = [{"key": key, "label": LABELS[key], "values": found[key][:FACET_VALUES]}
               for key in FACETS if key in LABELS and found.get(key)]
    everything = {k: v for k, v in request.args.to_dict().items() if k not in EXPORT_DROPS}
    exports = {name: with_query(url_for(endpoint), everything) for name, endpoint in (
        ("CSV", "feeds.export_csv"), ("JSON Lines", "feeds.export_jsonl"), ("Atom feed", "feeds.feed"))}
    compare_url = with_query(url_for("pages.compare_page"), everything)
    return render_template("search.html", query=query, results=results, last_page=last, compare_url=compare_url,
                           page_links=page_numbers(query.page, last), active=active, sidebar=sidebar,
                           chips=_chips(results), restore=_restore(results),
                           bars=timeline.bars(found.get("month") or []), exports=exports,
                           chart_size=(timeline.WIDTH, timeline.HEIGHT),
                           suggestion=results.suggestion, **common)


def _chips(results) -> list[dict]:
    """Each other spelling the search also looked for, with the same search without it."""
    return [{"term": e["term"], "kind": e["kind"], "name": name,
             "drop": narrowed(drop=join_drops([*results.dropped, name]))}
            for e in results.expansions for name in e["names"]]


def _restore(results) -> list[dict]:
    """Each spelling the reader dropped, with the same search looking for it again."""
    return [{"name": name, "undo": narrowed(drop=join_drops([d for d in results.dropped if d != name]) or None)}
            for name in results.dropped]


@bp.get("/compare")
def compare_page():
    found = compare.Comparison(request.args)
    form = {k: request.args.get(k, "").strip() for k in (*FORM_FIELDS, "countries")}
    # a search's country filter arrives as the comparison's one lane, and is edited as such
    form["countries"] = form["countries"] or form["country"].upper()
    return render_template("compare.html", c=found.found, timeline=found.timeline, narrow=found.narrowed, form=form,
                           hidden=[k for k in FORM_FIELDS if k not in ("q", "country", "from", "to", "sort")],
                           json_url=with_query(url_for("api.compare"), request.args.to_dict()))


@bp.get("/statements/<sid>")
def statement(sid: str):
    st = views.statement(sid)
    return render_template("statement.html", st=st, turns=views.turn_starts(st), q=request.args.get("q", "").strip(),
                           captured=bool(backend().store().statement_captures(sid)),
                           json_url=url_for("api.statement", sid=sid))


@bp.get("/days/<day>")
def day(day: str):
    return render_template("day.html", found=days.day(day), json_url=url_for("api.day", day=day))


@bp.get("/speakers/<path:name>")
def speaker(name: str):
    query, results, found = speakers.speaker(name, request.args)
    last = max(1, math.ceil(results.total / query.limit))
    search = {"speaker": name, "sort": "-date"}
    paging = {k: request.args.get(k) for k in speakers.PAGING}
    return render_template("speaker.html", found=found, query=query, last_page=last,
                           page_links=page_numbers(query.page, last),
                           bars=timeline.bars(results.facets.get("month") or []),
                           chart_size=(timeline.WIDTH, timeline.HEIGHT),
                           month_url=lambda **period: with_query(url_for("pages.search_page"), {**search, **period}),
                           search_url=with_query(url_for("pages.search_page"), search),
                           json_url=with_query(url_for("api.speaker", name=name), paging))


@bp.get("/outlets/<path:name>")
def outlet(name: str):
    query, results, found = outlets.outlet(name, request.args)
    last = max(1, math.ceil(results.total / query.limit))
    return render_template("outlet.html", found=found, query=query, last_page=last,
                           page_links=page_numbers(query.page, last),
                           json_url=with_query(url_for("api.outlet", name=name),
                                               {k: request.args.get(k) for k in outlets.ARGS}))


@bp.get("/statements/<sid>/aligned")
def aligned(sid: str):
    found = views.aligned(sid, request.args)
    return render_template("aligned.html", al=found,
                           json_url=url_for("api.aligned", sid=sid, other=found["right"]["id"]))


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
    return render_template("revisions.html", found=views.revision_diff(sid, request.args), json_url=json_url)


@bp.get("/changes")
def changes():
    found = views.recent_changes(request.args)
    return render_template("changes.html", changes=found["changes"], withdrawn=found["withdrawn"],
                           json_url=url_for("api.changes"),
                           atom_url=url_for("feeds.changes_feed"))


@bp.get("/health")
def health():
    found, status = node_health.report()
    return render_template("health.html", found=found, json_url=url_for("api.health")), status


@bp.get("/statements/<sid>/cite")
def cite_statement(sid: str):
    st, paragraph = views.citation_of(sid, request.args, request.url_root)
    return render_template("statement_cite.html", st=st, paragraph=paragraph,
                           citations=all_citations(st, paragraph), more_styles=citation.COMMON,
                           json_url=url_for("api.cite_statement", sid=sid, format="csl-json", paragraph=paragraph))


def _cite_form() -> dict:
    form = {k: request.args.get(k, "").strip() for k in CITE_FIELDS}
    fmt = request.args.get("format", "apa")
    try:
        citation.check_format(fmt)
    except citation.CitationError:
        fmt = "apa"
    return {"form": form, "fmt": fmt, "formats": citation.FORMATS + citation.COMMON, "answer": None,
            "json_url": with_query(url_for("api.cite"), request.args.to_dict())}


@bp.get("/cite")
def cite():
    common = _cite_form()
    if not common["form"]["q"]:
        return render_template("cite.html", **common)
    answer = views.lookup(request.args, common["fmt"], request.url_root)
    return render_template("cite.html", **{**common, "answer": answer})


# the pages whose form is shown again, with the message, for a bad search: the reader fixes it there
_FORMS = {"pages.search_page": ("search.html", _search_form), "pages.cite": ("cite.html", _cite_form)}


def form_with_error(message: str) -> str | None:
    """This request's page showing its form and `message`, or None for a page without a form."""
    if request.endpoint not in _FORMS:
        return None
    template, form = _FORMS[request.endpoint]
    return render_template(template, error=message, **form())


def all_citations(st: dict, paragraph: int | None) -> list[tuple[str, str]]:
    versions = views.cited_versions(st)
    return [(fmt, citation.cite(st, fmt, request.url_root, paragraph, **versions)) for fmt in citation.FORMATS]


@bp.get("/help")
def help_page():
    return render_template("help.html", syntax=SYNTAX, limits=LIMITS,
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
    time = days.clock(iso)
    return f"{day}, {time}" if time else day


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
def diff_html(ops: list[dict]) -> Markup:
    """Word operations as escaped text, removals in <del> and additions in <ins>."""
    tags = {"equal": Markup("%s"), "delete": Markup("<del>%s</del>"), "insert": Markup("<ins>%s</ins>")}
    return Markup(" ").join(tags[o["op"]] % o["text"] for o in ops)


@bp.app_template_filter()
def speaker_names(joined: str) -> list[str]:
    # the index keeps a statement's speakers as one text, joined with "; " (archive.index.schema)
    return joined.split("; ")


@bp.app_template_filter()
def thousands(n: int) -> str:
    return f"{n:,}"


@bp.app_template_filter()
def kind_label(kind: str) -> str:
    return kind.replace("-", " ")


def _unspaced(ch: str) -> bool:
    # Chinese and Japanese write words without spaces, so a match there needs no word boundary
    return unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA"))


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
    terms = sorted(set(query_terms(q or "")), key=len, reverse=True)
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(_term_pattern(t) for t in terms), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out += [escape(text[pos:m.start()]), Markup("<mark>%s</mark>") % m.group()]
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)
