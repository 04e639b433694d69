"""The HTML pages: search and statement, rendered from the same data as their /api twins."""
from __future__ import annotations

import math
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, render_template, request, send_from_directory, url_for

from . import data

bp = Blueprint("pages", __name__)

FORM_FIELDS = ("q", "country", "source", "from", "to", "sort")
FILTERS = (("country", "Country"), ("source", "Source"), ("from", "From"), ("to", "To"))


@bp.get("/")
def search():
    # the form shows what the reader typed, even when it is the value we refuse
    form = {k: request.args.get(k, "").strip() for k in FORM_FIELDS}
    form["country"] = form["country"].upper()
    common = {"form": form, "facets": data.backend().facets(),
            # the twin reads the same query string, so the page's own arguments address it
            "json_url": with_query(url_for("api.search"), request.args.to_dict())}
    try:
        params, results = data.search(request.args)
    except data.BadSearch as e:
        return render_template("search.html", error=str(e), **common), 400
    last = max(1, math.ceil(results.total / params.limit))
    active = [{"label": label, "value": form[key], "remove": url_with(**{key: None, "page": None, "offset": None})}
              for key, label in FILTERS if form[key]]
    return render_template("search.html", params=params, results=results, last_page=last,
                           page_links=page_numbers(params.page, last), active=active, **common)


@bp.get("/statements/<sid>")
def statement(sid: str):
    st = data.statement(sid)
    return render_template("statement.html", st=st, turns=data.turn_starts(st), q=request.args.get("q", "").strip(),
                           json_url=url_for("api.statement", sid=sid))


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
def utc(when: datetime | None) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if when else ""


@bp.app_template_filter()
def http_url(url: str) -> str | None:
    """The URL if it is safe in an href; a scraped javascript: or data: URL stays plain text."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


@bp.app_template_filter()
def thousands(n: int) -> str:
    return f"{n:,}"


@bp.app_template_filter()
def kind_label(kind: str) -> str:
    return kind.replace("-", " ")
