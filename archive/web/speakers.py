"""A speaker's page: their statements newest first, paged like the search, with when and for whom they spoke.

The statements are the search's with the `speaker` filter, which matches a name exactly as stored, so a
near-namesake ("Spokesperson 1" beside "Spokesperson 10") is never among them."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from flask import abort

from ..search.query import SearchQuery
from ..search.searcher import Results
from . import views

# the arguments of a speaker's page: only its paging; the speaker is in the path and the order is fixed
PAGING = ("page", "limit", "offset")


def speaker(name: str, args: Mapping[str, str]) -> tuple[SearchQuery, Results, dict]:
    """The search for a speaker's statements, its results, and what their page shows (the JSON twin); 404
    for a name no statement has."""
    paging = SearchQuery.from_args({k: args[k] for k in PAGING if k in args})
    query = replace(paging, speaker=name, sort="-date")
    results = views.run(query, facets=True)
    if not results.total:
        abort(404, description=f"The archive holds no statement by “{name[:100]}”.")
    months = results.facets.get("month") or []
    # undated statements sort last when the newest come first, but first when the oldest do: the oldest is
    # looked for from the first month with any
    latest = views.one(query)
    first = None
    if months:
        year, month = months[0][0].split("-")
        first = views.one(query, sort="date", date_from=date(int(year), int(month), 1))
    ministries: dict[tuple[str, str], int] = {}
    for source, count in results.facets.get("source") or []:
        # the index keeps a source's id, not its ministry's name: a hit of that source gives it
        hit = views.one(query, source=source)
        key = (hit.country, hit.ministry or source)
        ministries[key] = ministries.get(key, 0) + count
    found = {**views.results_json(results), "speaker": name,
             "first": first.date if first else None, "latest": latest.date if latest and latest.date else None,
             "ministries": [{"country": c, "ministry": m, "count": n}
                            for (c, m), n in sorted(ministries.items(), key=lambda kv: (-kv[1], kv[0]))]}
    return query, results, found
