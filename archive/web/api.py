"""The JSON API: each HTML page's twin, from the same data, for scripts and fact-checking tools.

A bad search (BadSearch) or a bad value (BadArgument) raised here becomes a 400 with {"error": message} in
one place, the app's error handlers."""
from __future__ import annotations

import json
from contextlib import closing

from flask import Blueprint, Response, request, stream_with_context

from ..cite import formats as citation
from ..search.query import MAX_LIMIT, SearchQuery
from ..search.syntax import LIMITS, SYNTAX
from . import compare as comparing, days, health as node_health, outlets, replay, speakers, views
from .params import BadArgument, flag

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search_results():
    # a page of results with what the HTML page shows beside it (facets, timeline; `facets=0` leaves them
    # out); or, with a larger `limit`, up to the whole result set
    query = SearchQuery.from_args(request.args, max_limit=views.EXPORT_MAX)
    if query.limit <= MAX_LIMIT:
        return views.results_json(views.run(query, flag(request.args, "facets", default=True)))
    pages = views.HitPages(query)

    def body():
        # streamed, so that a worker holds one page of hits at a time, whatever the limit
        with closing(pages):
            head = {**pages.first.to_json(), "limit": query.limit}
            del head["hits"]
            yield json.dumps(head, ensure_ascii=False)[:-1] + ', "hits": ['
            sep = ""
            for hits in pages:
                for hit in hits:
                    yield sep + json.dumps(hit.to_json(), ensure_ascii=False)
                    sep = ", "
            yield "]}"
    return Response(stream_with_context(body()), mimetype="application/json")


@bp.get("/compare")
def compare():
    return comparing.Comparison(request.args).found


@bp.get("/help")
def help_page():
    return {"syntax": SYNTAX, "limits": LIMITS}


@bp.get("/statements/<sid>")
def statement(sid: str):
    return views.statement(sid)


@bp.get("/days/<day>")
def day(day: str):
    return days.day(day)


@bp.get("/speakers/<path:name>")
def speaker(name: str):
    return speakers.speaker(name, request.args)[2]


@bp.get("/outlets/<path:name>")
def outlet(name: str):
    return outlets.outlet(name, request.args)[2]


@bp.get("/statements/<sid>/aligned")
def aligned(sid: str):
    return views.aligned(sid, request.args)


@bp.get("/statements/<sid>/revisions")
def revisions(sid: str):
    # the bare list is the history; naming two revisions adds their diff, as the HTML page shows it
    if "from" not in request.args and "to" not in request.args:
        return views.revisions(sid)
    return views.revision_diff(sid, request.args)


@bp.get("/statements/<sid>/captures")
def captures(sid: str):
    return replay.captures(sid)


@bp.get("/health")
def health():
    return node_health.report()


@bp.get("/changes")
def changes():
    return views.recent_changes(request.args)


@bp.get("/statements/<sid>/cite")
def cite_statement(sid: str):
    fmt = _format(request.args)
    st, paragraph = views.citation_of(sid, request.args, request.url_root)
    text = citation.cite(st, fmt, request.url_root, paragraph, **views.cited_versions(st))
    return Response(text, mimetype="application/json" if fmt == "csl-json" else "text/plain")


@bp.route("/cite", methods=["GET", "POST"])
def cite():
    # a POST carries its text and filters as JSON, so a long pasted article needs no URL encoding
    args = request.args if request.method == "GET" else json_args(request.get_data())
    return views.lookup(args, _format(args), request.url_root)


def _format(args) -> str:
    try:
        return citation.check_format(args.get("format", "apa").strip())
    except citation.CitationError as e:
        raise BadArgument(f"“format”: {e}") from None


def json_args(body: bytes) -> dict[str, str]:
    """A POST body's JSON object as the string arguments a query string would give; BadArgument, a 400, for
    any other body (not JSON, not an object, nested too deep for the parser, a value not a string or number)."""
    try:
        found = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        raise BadArgument('the body must be a JSON object such as {"q": "…"}') from None
    if not isinstance(found, dict):
        raise BadArgument('the body must be a JSON object such as {"q": "…"}')
    args = {}
    for name, value in found.items():
        # json.loads lets through lone surrogates (`"\ud800"`, or such bytes, which it decodes with
        # surrogatepass); they are not text, and the answer that echoes them could not be encoded
        if _has_surrogate(name) or (isinstance(value, str) and _has_surrogate(value)):
            raise BadArgument("the body holds a lone surrogate (\\ud800-\\udfff), which is not text")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise BadArgument(f"“{name[:40]}” must be a string")
        args[name] = str(value)
    return args


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
