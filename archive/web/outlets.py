"""An outlet's page: the questions its reporters asked, conference by conference, newest first.

The conferences are the search's with the `outlet` filter (any name of the outlet: "路透社" is Reuters), paged
like the search; their questions are read from the stored turns. With a query, a conference is one that
matches it and in which the outlet asked, and of its questions only those are listed whose text or answer
holds every word and phrase of the query, as the index analyses them (stems, Chinese words).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from flask import abort, url_for

from ..index.analysis import highlight_tokens
from ..search.query import SearchQuery, query_terms
from ..search.searcher import Results
from ..sources.outlets import canonical
from . import views
from .backend import backend

# the arguments of an outlet's page: a query and its paging; the outlet is in the path and the order is fixed
ARGS = ("q", "page", "limit", "offset")


def outlet(name: str, args: Mapping[str, str]) -> tuple[SearchQuery, Results, dict]:
    """The search for the conferences an outlet asked at, its results, and what its page shows (the JSON
    twin); 404 for a name that is no outlet's or that no conference has."""
    key = canonical(name)
    if key is None:
        abort(404, description=f"“{name[:100]}” names no news outlet.")
    query = replace(SearchQuery.from_args({k: args[k] for k in ARGS if k in args}), outlet=key, sort="-date")
    results = views.run(query, facets=("language",))
    if not results.total and not query.text:
        abort(404, description=f"No question by “{key}” is in the archive.")
    rows = {row["id"]: row for row in backend().store().get_many([h.id for h in results.hits])}
    wanted = _phrases(query.text)
    conferences = []
    for hit in results.hits:
        row = rows.get(hit.id)
        questions = _questions(row, key, wanted, query.text) if row else []
        conferences.append({**hit.to_json(), "statement_url": url_for("pages.statement", sid=hit.id),
                            "questions": questions})
    found = {"outlet": key, "query": query.text, "total": results.total, "offset": query.offset,
             "limit": query.limit, "questions": sum(len(c["questions"]) for c in conferences),
             "asked_as": [{"label": label, "language": lang} for label, lang in
                          sorted({(q["label"], c["language"]) for c in conferences for q in c["questions"]})],
             "languages": [{"language": lang, "count": n} for lang, n in results.facets.get("language") or []],
             "search_url": url_for("pages.search_page", outlet=key, q=query.text or None),
             "conferences": conferences}
    return query, results, found


def _questions(row: dict, key: str, wanted: list[list[tuple[str, int]]], q: str) -> list[dict]:
    """The outlet's questions in a stored statement, each with the answer after it when the query is looked
    for in both."""
    turns = row.get("turns") or []
    out = []
    for i, turn in enumerate(turns):
        if key not in (turn.get("outlet_keys") or ()):
            continue
        asked = row["paragraphs"][turn["start"]:turn["end"]]
        after = turns[i + 1] if i + 1 < len(turns) else None
        answer = row["paragraphs"][after["start"]:after["end"]] if after and after["role"] != "question" else []
        if wanted and not _holds("\n".join(asked + answer), wanted):
            continue
        out.append({"label": turn["outlet"], "paragraph": turn["start"] + 1, "text": asked,
                    "url": url_for("pages.statement", sid=row["id"], q=q or None, _anchor=f"p{turn['start'] + 1}")})
    return out


def _phrases(q: str) -> list[list[tuple[str, int]]]:
    # each word or phrase of the query as the index analyses it: terms with their positions
    return [found for term in query_terms(q) if (found := [(t.text, t.pos) for t in highlight_tokens(term)])]


def _holds(text: str, wanted: list[list[tuple[str, int]]]) -> bool:
    """Whether `text` holds every phrase of `wanted`, its terms at the same distances as in the phrase."""
    at: dict[str, set[int]] = {}
    for t in highlight_tokens(text, mode="index"):
        at.setdefault(t.text, set()).add(t.pos)
    return all(any(all(start + pos - phrase[0][1] in at.get(term, ()) for term, pos in phrase)
                   for start in at.get(phrase[0][0], ()))
               for phrase in wanted)
