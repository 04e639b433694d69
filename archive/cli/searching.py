"""`policy-archive search` and `cite`: reading the archive from the command line."""
from __future__ import annotations

import re
from html import unescape

import click

from ..cite.formats import FORMATS, CitationError, check_format, language_name
from ..cite.lookup import CiteError, lookup, with_citations
from ..search.query import SORTS, BadSearch, SearchQuery
from .app import emit_json, fail, main, open_searcher, open_store, user_date

_MARK = re.compile(r"</?mark>")


@main.command("search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@click.option("--country", help="ISO 3166-1 alpha-2 code, e.g. CN.")
@click.option("--source", "source_id", help="Source id, e.g. us-state.")
@click.option("--from", "date_from", help="From this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Up to this date (YYYY-MM-DD).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--kind", help="press-conference, remarks, statement, readout, speech, interview or other.")
@click.option("--language", help="BCP 47 language tag, e.g. zh.")
@click.option("--speaker", help="Exact speaker, as the statements name them.")
@click.option("--year", type=click.IntRange(1900, 2100), help="Year as published.")
@click.option("--facets", is_flag=True, help="Also count matches by country, source, speaker, kind, language, year.")
@click.option("--exact", is_flag=True, help="Search place names and words only as typed, not also in the other "
                                            "languages (names by CLDR, words by the archive's lexicon).")
@click.option("--drop", multiple=True, metavar="WORD",
              help="Do not also search this other-language spelling (repeatable), e.g. --drop 台湾.")
@click.pass_context
def search_archive(ctx, query, as_json, limit, offset, country, source_id, date_from, date_to, sort, kind,
                   language, speaker, year, facets, exact, drop):
    """Search the archive.

    Syntax: words, "exact phrases", AND / OR / NOT (or -word), (grouping), and field:value for
    title, text, speaker, country, source, kind, language. Wildcards are not supported. A place name
    or a word the lexicon knows (`policy-archive lexicon build`) is also searched in the other languages
    (Taiwan: 台湾, Тайвань; missile: 导弹) unless --exact; the totals by language follow the total.

    \b
    Examples:
      policy-archive search 'missile deployment' --country CN --from 2024-01-01
      policy-archive search '"press briefing" AND speaker:price' --json --limit 50
      policy-archive search 'Taiwan sanctions' --drop Тайвань
    """
    start = user_date(date_from, name="--from")
    end = user_date(date_to, end=True, name="--to")
    _, searcher = open_searcher(ctx)
    try:
        res = searcher.search(SearchQuery(query, country=country, source=source_id, kind=kind, language=language,
                                          speaker=speaker, year=year, date_from=start and start.date(),
                                          date_to=end and end.date(), sort=sort, exact=exact, drop=drop,
                                          limit=limit, offset=offset),
                              facets=facets)
    except BadSearch as e:
        fail(str(e))
    if as_json:
        out = {"total": res.total, "languages": res.languages, "hits": [
            {k: h.to_json()[k] for k in ("id", "url", "title", "date", "source", "country", "speaker", "score",
                                         "snippet")} for h in res.hits]}
        if facets:
            out["facets"] = res.to_json()["facets"]
        if res.suggestion:
            out["suggestion"] = res.suggestion
        if res.expansions:
            out["expansions"] = res.expansions
        if res.dropped:
            out["dropped"] = res.dropped
        emit_json(out)
        return
    click.echo(f"{res.total:,} statements" + (": " + ", ".join(f"{n:,} in {language_name(lang)}"
                                                                for lang, n in res.languages.items())
                                              if res.languages else ""))
    if res.suggestion:
        click.echo(f"did you mean: {res.suggestion}")
    for e in res.expansions:
        click.echo(f"also searched for {e['term']}: {' · '.join(e['names'])} (--exact for only {e['term']}, "
                   f"--drop {e['names'][0]} to leave one out)")
    for name, counts in res.facets.items():
        if name != "month" and counts:
            click.echo(f"  {name}: " + ", ".join(f"{v} {n:,}" for v, n in counts[:8]))
    for h in res.hits:
        snippet = unescape(_MARK.sub("*", h.snippet)).replace("\n", " ")
        click.echo(f"\n{(h.date or '')[:10]}  {h.title}\n  {h.ministry}"
                   f"{' · ' + h.speaker if h.speaker else ''} · {h.kind} · id {h.id}\n  {h.url}\n  {snippet}")


@main.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--format", "fmt", default="apa", show_default=True,
              help=f"Citation format for each match: {', '.join(FORMATS)}, or csl:<style-id> for any style of the "
                   "CSL style repository (csl:harvard-cite-them-right).")
@click.option("--country", help="ISO 3166-1 alpha-2 code, e.g. CN.")
@click.option("--source", "source_id", help="Source id, e.g. us-state.")
@click.option("--speaker", help="Exact speaker, as the statements name them.")
@click.option("--from", "date_from", help="From this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Up to this date (YYYY-MM-DD).")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True,
              help="Where the archive is served, for the archived copy's address in citations.")
@click.pass_context
def cite(ctx, text, as_json, fmt, country, source_id, speaker, date_from, date_to, base_url):
    """Find the official source of a quote, the differences, and a citation.

    TEXT is the quote, or a sentence with quoted passages ("...", “...”, «...», 「...」): those are looked
    up (a sentence quoting a few of its own words also whole). Each match is labelled verbatim, near or
    partial (8 words in a row at least); a quote with none is not-found, and paragraphs of merely similar
    wording are listed apart, as no source of it. Exit status is 0 whenever the lookup
    ran, also when nothing was found (not-found is an answer); 1 on an error such as an empty TEXT.

    \b
    Examples:
      policy-archive cite 'The spokesman said the talks were "constructive and candid"'
      policy-archive cite 'we will continue to support Ukraine' --source us-state --format bibtex --json
    """
    try:
        check_format(fmt)
    except CitationError as e:
        fail(f"--format: {e}")
    start = user_date(date_from, name="--from")
    end = user_date(date_to, end=True, name="--to")
    dd, searcher = open_searcher(ctx)
    store = open_store(dd)
    try:
        answer = lookup(text, searcher, store, SearchQuery(country=country and country.upper(), source=source_id,
                                                           speaker=speaker, date_from=start and start.date(),
                                                           date_to=end and end.date()))
    except CiteError as e:
        fail(str(e))
    with_citations(answer, store, fmt, base_url)
    if as_json:
        emit_json(answer)
        return
    for note in answer["notes"]:
        click.echo(f"note: {note}")
    for qi, quote in enumerate(answer["quotes"]):
        part = " (the whole text)" if quote["part"] == "whole" and len(answer["quotes"]) > 1 else ""
        click.echo(f"\n“{quote['text'][:200]}”{part}: {quote['match']}")
        for m in (m for m in answer["matches"] if m["quote"] == qi):
            click.echo(f"\n  {m['match']} {m['score']:.2f}  {(m['date'] or '')[:10]}  {m['title']}\n"
                       f"  {m['url']}  (paragraph {m['paragraph']}, id {m['id']})\n  {_match_text(m)}\n"
                       + "\n".join("  " + line for line in m["citation"].splitlines()))
            for role, v in (("original", m["original"]), ("translation", m["translation"])):
                if v:
                    click.echo(_version_text(role, v, m["language"]))
    if answer["similar"]:
        # apart from the matches, under its own heading: similar wording must not be read as a source
        click.echo("\nSimilar wording (not a source):")
        for s in answer["similar"]:
            click.echo(f"\n  quote {s['quote'] + 1}: score {s['score']:.2f}  {(s['date'] or '')[:10]}  {s['title']}\n"
                       f"  {s['url']}  (paragraph {s['paragraph']}, id {s['id']})\n  {s['passage']}")


def _version_text(role: str, v: dict, language: str) -> str:
    head = f"  {role} ({v['language']}): {v['url']}  "
    if v["paragraph"] is None:
        return head + f"(id {v['id']})\n  not in the {language_name(v['language'])} version: this turn is in the " \
                      f"{language_name(language)} version only"
    return head + f"(paragraph {v['paragraph']}, id {v['id']})\n  {v['passage']}"


def _match_text(m: dict) -> str:
    """The matched span in the official wording, the news' changes marked inline ([-cut-], {+added+},
    [-official-]{+news+}), "…" where the paragraph goes on; the normalised diff when there is no wording."""
    if m["wording"] is None:
        marks = {"cut": "[-{text}-]", "added": "{{+{text}+}}", "changed": "[-{text}-]{{+{quote}+}}", "equal": "{text}"}
        return " ".join(marks[op["op"]].format(**op) for op in m["diff"])
    marks = {"outside": " … ", "equal": "{text}", "cut": "[-{text}-]", "added": " {{+{news}+}} ",
             "changed": "[-{text}-]{{+{news}+}}"}
    return " ".join("".join(marks[s["op"]].format(**s) for s in m["wording"]).split())
