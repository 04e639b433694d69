"""The command line: `policy-archive [--data-dir DIR] COMMAND ...`."""
from __future__ import annotations

import json
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .datadir import DataDirError, open_datadir, resolve

USER_AGENT = "policy-archive/{version} (+{contact})"
DEFAULT_CONTACT = "https://github.com/policy-archive/policy-archive"


class Failure(click.ClickException):
    """An error for the user: one line on standard error, exit status 1, no traceback."""

    def show(self, file=None):
        click.echo(f"error: {self.format_message()}", err=True)


def fail(message: str):
    raise Failure(message)


def _sigterm(signum, frame):
    # SIGTERM takes the same careful path as Ctrl-C: finish the current item, sync the index, stop
    raise KeyboardInterrupt


def _datadir(ctx: click.Context, create: bool):
    try:
        return open_datadir(ctx.obj["data_dir"], create=create)
    except DataDirError as e:
        fail(str(e))


def _store(dd):
    from .store import Store
    return Store(dd.db_url)


def _capture_writer(dd, store):
    """The WARC writer for a crawl: every response it writes is listed in the store's captures table."""
    from .captures import recorder
    from .fetch.warc import WarcWriter
    return WarcWriter(dd.captures_dir, on_response=recorder(store, dd.root))


def _searcher(ctx: click.Context):
    from .search import Searcher
    dd = _datadir(ctx, create=False)
    try:
        return dd, Searcher(dd.index_dir)
    except FileNotFoundError:
        fail(f"no index in {dd.root}: run 'policy-archive crawl' or 'policy-archive import' first")


def _date(value: str | None, end: bool = False, name: str = "date"):
    if value is None:
        return None
    from .sources.dates import parse_user_date
    try:
        return parse_user_date(value, end=end)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint=name) from None


def _emit_json(obj):
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the store, index and captures [env POLICY_ARCHIVE_DATA; default ./archive-data].")
@click.version_option(__version__, prog_name="policy-archive")
@click.pass_context
def main(ctx, data_dir):
    """Archive, search and cite official foreign-ministry statements.

    \b
    Examples:
      policy-archive crawl                       # last 30 days of every source
      policy-archive search '"Nansei islands" missile' --country CN
      policy-archive serve                       # web UI on http://127.0.0.1:8000
    """
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = resolve(str(data_dir) if data_dir else None)
    signal.signal(signal.SIGTERM, _sigterm)


@main.command()
@click.option("--check", "check_id", metavar="ID",
              help="Fetch one listing page and one article of source ID and report what each selector matched.")
@click.option("--mirror", "mirror_specs", multiple=True, metavar="CANONICAL=FETCH",
              help="With --check: fetch through a mirror (repeatable).")
@click.option("--offline", is_flag=True, help="With --check: fetch only through --mirror prefixes.")
@click.option("--delay", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="With --check: seconds between requests to one host.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sources(check_id, mirror_specs, offline, delay, as_json):
    """List the sources the crawler knows, or check one against its site.

    \b
    Examples:
      policy-archive sources --json
      policy-archive sources --check cn-mfa-zh
      policy-archive sources --check us-state --mirror https://www.state.gov=http://127.0.0.1:8765/www.state.gov
    """
    from .sources import SOURCES
    if check_id:
        _check(check_id, mirror_specs, offline, delay, as_json)
        return
    rows = [{"id": s.id, "country": s.country, "ministry": s.ministry, "language": s.language,
             "start_urls": list(s.start_urls), "description": s.description,
             "verified": s.verified} for s in SOURCES.values()]
    if as_json:
        _emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['id']:<11} {r['country']}  {r['language']:<3} {r['ministry']}")
        verified = r["verified"] if len(r["verified"]) <= 100 else r["verified"][:99] + "…"
        click.echo(f"{'':<19}verified: {verified}")
        for u in r["start_urls"]:
            click.echo(f"{'':<19}{u}")


def _check(source_id, mirror_specs, offline, delay, as_json):
    from .check import check_source
    from .fetch.client import Fetcher
    [src] = _resolve_sources([source_id])
    mirrors = _mirrors(mirror_specs)
    if offline and mirrors.to_fetch(src.start_urls[0]) == src.start_urls[0]:
        fail(f"{src.start_urls[0]} is not covered by a --mirror and --offline is set")
    with Fetcher(user_agent=USER_AGENT.format(version=__version__, contact=DEFAULT_CONTACT), delay=delay,
                 mirrors=mirrors) as fetcher:
        checks = check_source(src, fetcher)
    ok = all(c.ok for c in checks) and len(checks) > 1
    if as_json:
        _emit_json({"source": src.id, "ok": ok, "pages": [c.__dict__ for c in checks]})
    else:
        for c in checks:
            click.echo(f"{c.role}: {c.url}  {'ok' if c.ok else 'FAILED'}")
            for m in c.matches:
                flag = "" if m["count"] or not m["selector"] else "   <- matched nothing"
                click.echo(f"  {m['name']:<16} {m['selector'] or '-':<40} {m['count']:>4}  {m['sample']}{flag}")
            for k, v in c.found.items():
                click.echo(f"  {k}: {v}")
            if c.error:
                click.echo(f"  {c.error}")
    if not ok:
        sys.exit(1)


def _resolve_sources(ids):
    from .sources import SOURCES, UnknownSource, get_source
    try:
        return [get_source(i) for i in ids] if ids else list(SOURCES.values())
    except UnknownSource as e:
        fail(str(e))


def _mirrors(specs):
    from .fetch.mirror import Mirrors
    try:
        return Mirrors(list(specs))
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--mirror") from None


def _crawl_options(command):
    """The options of every command that fetches: `crawl` and `watch`."""
    options = [
        click.argument("source_ids", metavar="[SOURCE]...", nargs=-1),
        click.option("--since", help="Collect listing items from this date on (YYYY-MM-DD) [default: 30 days ago]."),
        click.option("--max-pages", type=click.IntRange(min=1),
                     help="At most N pages of each listing (a source may have several)."),
        click.option("--delay", type=click.FloatRange(min=0), default=2.0, show_default=True,
                     help="Seconds between requests to one host; below 1, retries after errors pause less too."),
        click.option("--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
                     help="Seconds before a request is given up."),
        click.option("--mirror", "mirror_specs", multiple=True, metavar="CANONICAL=FETCH",
                     help="Fetch CANONICAL_PREFIX from FETCH_PREFIX, recording the canonical URL (repeatable)."),
        click.option("--contact", default=DEFAULT_CONTACT, show_default=True,
                     help="Contact URL sent in the User-Agent, so site operators can reach you."),
        click.option("--offline", is_flag=True, help="Fetch only through --mirror prefixes; never another host."),
        click.option("--ignore-robots", is_flag=True, help="Do not read robots.txt (only for your own mirror)."),
        click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
        click.option("-q", "--quiet", is_flag=True, help="No progress display."),
        click.pass_context,
    ]
    for option in reversed(options):
        command = option(command)
    return command


@contextmanager
def _crawling(ctx, source_ids, since, max_pages, delay, timeout, mirror_specs, contact, offline, ignore_robots,
              quiet):
    """(the chosen sources, a Crawler, its progress display); the fetcher and capture file close after."""
    from .crawl import CrawlOptions, Crawler
    from .fetch.client import Fetcher
    from .progress import CrawlProgress

    chosen = _resolve_sources(source_ids)
    mirrors = _mirrors(mirror_specs)
    options = CrawlOptions(since=_date(since, name="--since"), max_pages=max_pages, offline=offline)
    dd = _datadir(ctx, create=True)
    store = _store(dd)
    warc = _capture_writer(dd, store)
    fetcher = Fetcher(user_agent=USER_AGENT.format(version=__version__, contact=contact), delay=delay,
                      timeout=timeout, mirrors=mirrors, warc=warc, obey_robots=not ignore_robots)
    try:
        with CrawlProgress(enabled=not quiet) as progress:
            yield chosen, Crawler(store, dd.index_dir, fetcher, options, on_progress=progress.update), progress
    finally:
        fetcher.close()
        warc.close()


def _print_owed(reports):
    """What the crawl saw and has not stored: nothing is dropped, so the reader is told what is pending."""
    for r in reports:
        if r.owed:
            click.echo(f"{r.source}: {r.owed:,} page{'s' if r.owed != 1 else ''} seen and not stored yet; "
                       f"the next crawl tries again")
        if r.given_up:
            click.echo(f"{r.source}: {r.given_up:,} page{'s' if r.given_up != 1 else ''} never stored and "
                       f"answering 404/410 for days: no longer tried")


def _exit_for(reports, interrupted: bool, resume: str):
    if interrupted:
        click.echo(f"interrupted: what was fetched is stored and indexed; {resume}", err=True)
        sys.exit(130)
    failed = [f"{r.source} ({r.status})" for r in reports if r.status in ("failed", "broken")]
    if failed:
        click.echo(f"error: source failed: {', '.join(failed)}", err=True)
        sys.exit(1)


@main.command()
@_crawl_options
def crawl(ctx, source_ids, as_json, **how):
    """Fetch what is new from the sources (all of them unless named), store and index it.

    Polite: robots.txt, one request at a time per host, --delay between them, conditional GET.
    Exit status: 0 when every source was read, 1 when a source failed completely (unreachable) or is
    broken (its selectors fit none of its pages: the site changed), 130 when stopped.

    \b
    Examples:
      policy-archive crawl
      policy-archive crawl us-state --since 2024-01-01
      policy-archive crawl us-state --delay 0 \\
          --mirror https://www.state.gov=http://127.0.0.1:8765/www.state.gov
    """
    from .progress import print_summary

    reports = []
    interrupted = False
    with _crawling(ctx, source_ids, **how) as (chosen, crawler, progress):
        for src in chosen:
            try:
                reports.append(crawler.crawl(src))
            except KeyboardInterrupt:
                interrupted = True
                reports.append(progress.reports.get(src.id))
                break
    reports = [r for r in reports if r is not None]
    if as_json:
        _emit_json({"interrupted": interrupted, "sources": [r.to_json() for r in reports]})
    else:
        print_summary(reports)
        _print_owed(reports)
    _exit_for(reports, interrupted, "the next crawl resumes")


@main.command()
@_crawl_options
@click.option("--interval", type=click.FloatRange(min=0), required=True, metavar="SECONDS",
              help="Seconds from the start of one round to the start of the next.")
@click.option("--rounds", type=click.IntRange(min=1), help="Stop after N rounds [default: run until stopped].")
@click.option("--recheck", type=click.IntRange(min=0), default=20, show_default=True,
              help="Known articles per source fetched again each round, for edits and take-downs.")
def watch(ctx, source_ids, as_json, interval, rounds, recheck, **how):
    """Poll the sources round after round and ingest what is new or changed, until stopped or N rounds.

    Each round is one crawl of every chosen source (with the crawler's per-host politeness), plus a
    re-read of the --recheck articles checked longest ago: an edit becomes a revision, a page answering
    404 or 410 marks its statement withdrawn. Statements are searchable as each round ends, also in a
    running `serve`. Ctrl-C or SIGTERM stops cleanly at any moment; starting again loses and duplicates
    nothing. A line per round (with --json, a JSON object per line), then a summary.

    \b
    Examples:
      policy-archive watch --interval 3600
      policy-archive watch us-state cn-mfa-zh --interval 900 --delay 5
      policy-archive watch us-state --interval 0 --rounds 24 --delay 0 \\
          --mirror https://www.state.gov=http://127.0.0.1:8765/www.state.gov
    """
    from .progress import print_summary
    from .watch import Totals, watch as run_watch

    totals = Totals()

    def on_round(done):
        totals.add(done)
        if as_json:
            click.echo(json.dumps(done.to_json(), ensure_ascii=False, default=str))
        else:
            click.echo(done.line())

    interrupted = False
    with _crawling(ctx, source_ids, **how) as (chosen, crawler, _):
        try:
            run_watch(crawler, chosen, interval=interval, rounds=rounds, recheck=recheck, on_round=on_round)
        except KeyboardInterrupt:
            interrupted = True
    if as_json:
        click.echo(json.dumps({"summary": totals.to_json(), "interrupted": interrupted}, ensure_ascii=False))
    else:
        click.echo(f"{totals.rounds} rounds in {totals.seconds:.1f} s" + (" (interrupted)" if interrupted else ""))
        print_summary(totals.reports())
        _print_owed(totals.reports())
    _exit_for(totals.last_reports, interrupted, "the next watch resumes")


@main.command()
@click.option("--source", "source_id", required=True, help="Source id (see `policy-archive sources`).")
@click.option("--url", required=True, help="The page's canonical URL (decides listing or article).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def extract(source_id, url, file, as_json):
    """Parse a saved page with a source, without touching the store.

    An article gives its statement; a listing or feed gives its links and next pages.

    \b
    Example:
      policy-archive extract --source cn-mfa-zh \\
          --url https://www.fmprc.gov.cn/web/zyxw/t1638430.shtml t1638430.shtml
    """
    from .fetch.decode import decode_body
    from .sources.base import ExtractError, Page
    [src] = _resolve_sources([source_id])
    text, encoding = decode_body(file.read_bytes(), None)
    page = Page(url=url, text=text)
    try:
        if src.is_listing(url):
            listing = src.parse_listing(page)
            out = {"kind": "listing", "encoding": encoding,
                   "links": [{"url": ln.url, "title": ln.title, "date": ln.date.isoformat() if ln.date else None}
                             for ln in listing.links],
                   "statements": [_statement_json(s) for s in listing.statements],
                   "next_pages": listing.next_pages}
        else:
            out = {"kind": "article", "encoding": encoding, "statement": _statement_json(src.parse_article(page))}
    except ExtractError as e:
        fail(str(e))
    if as_json:
        _emit_json(out)
        return
    if out["kind"] == "article":
        _print_statement(out["statement"])
        return
    for ln in out["links"]:
        click.echo(f"{(ln['date'] or '')[:10]:<10}  {ln['title']}\n            {ln['url']}")
    for st in out["statements"]:
        _print_statement(st)
        click.echo("")
    for nxt in out["next_pages"]:
        click.echo(f"next page: {nxt}")
    click.echo(f"{len(out['links'])} links, {len(out['statements'])} statements, "
               f"{len(out['next_pages'])} next pages")


def _statement_json(st) -> dict:
    return {"id": st.id, "source": st.source, "url": st.url, "guid": st.guid, "title": st.title,
            "date": st.date.isoformat() if st.date else None, "country": st.country, "ministry": st.ministry,
            "language": st.language, "kind": st.kind, "speakers": st.speakers, "paragraphs": st.paragraphs}


def _print_statement(st: dict):
    click.echo(st["title"])
    click.echo(f"  {st['date'] or 'undated'} · {st['kind']} · {'; '.join(st['speakers']) or 'no speaker'}")
    click.echo(f"  {st['url']}")
    for i, p in enumerate(st["paragraphs"], 1):
        click.echo(f"  [{i}] {p}")


WARC_SUFFIXES = (".warc", ".warc.gz")


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def import_(ctx, files, as_json):
    """Load statements from JSON Lines files (.jsonl, .jsonl.gz) or WARC files (.warc, .warc.gz).

    Idempotent: importing a file twice adds nothing. A JSON Lines file with a bad line imports nothing.
    A WARC file, from the archive's own crawls or from another tool or web archive, is copied into the
    data directory's captures (damaged stretches left out) and each HTML, feed or JSON response whose URL
    belongs to a known source is parsed by that source, with its capture time as the time it was seen.
    A damaged WARC file is reported with the byte offset of each bad stretch; the whole records around it
    are imported, and the exit status is 1.

    \b
    Examples:
      policy-archive import ../shared/corpus/statements/us-state-press-2021-2022.jsonl.gz
      policy-archive import crawl-2024.warc.gz other-archive.warc --json
    """
    from .index import sync_index
    from .jsonl import ImportFileError, read_file
    for f in files:
        if not f.is_file():
            fail(f"{f}: no such file")
    dd = _datadir(ctx, create=True)
    store = _store(dd)
    summary, errors = [], []
    warcs = [f for f in files if f.name.endswith(WARC_SUFFIXES)]
    warc_reports = []
    try:
        for f in files:
            if f in warcs:
                continue
            try:
                items = read_file(f)
            except ImportFileError as e:
                errors.append(str(e))
                click.echo(f"error: {e} (nothing imported from this file)", err=True)
                continue
            outcomes = [r.outcome for r in store.import_many(items)]
            row = {"file": str(f), "statements": len(items), **{k: outcomes.count(k) for k in
                                                                ("new", "changed", "unchanged")}}
            summary.append(row)
            if not as_json:
                click.echo(f"{f}: {row['statements']:,} statements: {row['new']:,} new, {row['changed']:,} changed, "
                           f"{row['unchanged']:,} unchanged", err=True)
        if warcs:
            warc_reports = _import_warcs(dd, store, warcs, quiet=as_json)
    finally:
        indexed = sync_index(store, dd.index_dir)
    damaged = [r for r in warc_reports if r.damaged]
    if as_json:
        _emit_json({"files": summary, "warc_files": [r.to_json() for r in warc_reports], "errors": errors,
                    "indexed": indexed})
    else:
        click.echo(f"indexed {indexed:,} statements; the archive holds {store.count():,}")
    if errors or damaged:
        sys.exit(1)


def _import_warcs(dd, store, paths: list[Path], quiet: bool):
    from .ingest import Ingest, salvage
    copies, damage = [], {}
    for path in paths:
        try:
            copy, damage[str(path)] = salvage(path, dd.captures_dir)
        except OSError as e:
            fail(f"{path}: cannot read: {e.strerror or e}")
        copies.append((str(path), copy))
    reports = Ingest(store, dd.root, _ingest_progress(quiet)).run(copies, damage)
    if not quiet:
        _print_ingest(reports)
    return reports


def _ingest_progress(quiet: bool):
    """One line on standard error every few seconds while WARC files are read."""
    import time
    last = [time.monotonic()]

    def show(reports):
        if quiet or time.monotonic() - last[0] < 2:
            return
        last[0] = time.monotonic()
        total = {k: sum(getattr(r, k) for r in reports) for k in ("records", "parsed", "new", "changed")}
        click.echo(f"read {total['records']:,} records: {total['parsed']:,} pages parsed, {total['new']:,} new, "
                   f"{total['changed']:,} changed", err=True)
    return show


def _print_ingest(reports):
    from .ingest import COUNTS
    for r in reports:
        click.echo(f"{r.file}: " + ", ".join(f"{getattr(r, k):,} {k.replace('_', '-')}" for k in COUNTS), err=True)
        for m in r.messages:
            click.echo(f"  {m}", err=True)


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export(ctx, file):
    """Write every statement as JSON Lines (to FILE, or standard output). A .gz name is compressed.

    \b
    Examples:
      policy-archive export > archive.jsonl
      policy-archive export archive.jsonl.gz
    """
    import gzip
    import os
    import tempfile
    from .jsonl import export_lines
    dd = _datadir(ctx, create=False)
    store = _store(dd)
    if file is None:
        for line in export_lines(store.iter_statements()):
            sys.stdout.write(line)
        return
    # write beside the target and rename, so an interrupted export never leaves half a file
    fd, tmp = tempfile.mkstemp(dir=file.parent if str(file.parent) else ".", prefix=".export-")
    try:
        with os.fdopen(fd, "wb") as raw:
            out = gzip.open(raw, "wt", encoding="utf-8") if file.suffix == ".gz" else open(
                raw.fileno(), "w", encoding="utf-8", closefd=False)
            with out:
                n = 0
                for line in export_lines(store.iter_statements()):
                    out.write(line)
                    n += 1
        os.replace(tmp, file)
    except BaseException:
        os.unlink(tmp)
        raise
    click.echo(f"exported {n:,} statements to {file}", err=True)


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@click.option("--country", help="ISO 3166-1 alpha-2 code, e.g. CN.")
@click.option("--source", "source_id", help="Source id, e.g. us-state.")
@click.option("--from", "date_from", help="From this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Up to this date (YYYY-MM-DD).")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance", show_default=True)
@click.option("--kind", help="press-conference, remarks, statement, readout, speech, interview or other.")
@click.option("--language", help="BCP 47 language tag, e.g. zh.")
@click.option("--speaker", help="Exact speaker, as the statements name them.")
@click.option("--year", type=click.IntRange(1900, 2100), help="Year as published.")
@click.option("--facets", is_flag=True, help="Also count matches by country, source, speaker, kind, language, year.")
@click.pass_context
def search(ctx, query, as_json, limit, offset, country, source_id, date_from, date_to, sort, kind, language,
           speaker, year, facets):
    """Search the archive.

    Syntax: words, "exact phrases", AND / OR / NOT (or -word), (grouping), and field:value for
    title, text, speaker, country, source, kind, language. Wildcards are not supported.

    \b
    Examples:
      policy-archive search 'missile deployment' --country CN --from 2024-01-01
      policy-archive search '"press briefing" AND speaker:price' --json --limit 50
    """
    from .search import QueryError
    start = _date(date_from, name="--from")
    end = _date(date_to, end=True, name="--to")
    _, searcher = _searcher(ctx)
    try:
        res = searcher.search(query, country=country, source=source_id, date_from=start and start.date(),
                              date_to=end and end.date(), limit=limit, offset=offset, sort=sort, kind=kind,
                              language=language, speaker=speaker, year=year, facets=facets)
    except QueryError as e:
        fail(str(e))
    if as_json:
        out = {"total": res.total, "hits": [
            {k: h.to_json()[k] for k in ("id", "url", "title", "date", "source", "country", "speaker", "score",
                                         "snippet")} for h in res.hits]}
        if facets:
            out["facets"] = res.to_json()["facets"]
        if res.suggestion:
            out["suggestion"] = res.suggestion
        _emit_json(out)
        return
    import re
    from html import unescape
    click.echo(f"{res.total:,} statements")
    if res.suggestion:
        click.echo(f"did you mean: {res.suggestion}")
    for name, counts in res.facets.items():
        if name != "month" and counts:
            click.echo(f"  {name}: " + ", ".join(f"{v} {n:,}" for v, n in counts[:8]))
    for h in res.hits:
        snippet = unescape(re.sub(r"</?mark>", "*", h.snippet)).replace("\n", " ")
        click.echo(f"\n{(h.date or '')[:10]}  {h.title}\n  {h.ministry}"
                   f"{' · ' + h.speaker if h.speaker else ''} · {h.kind} · id {h.id}\n  {h.url}\n  {snippet}")


@main.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--format", "fmt", type=click.Choice(["apa", "mla", "chicago", "bibtex", "ris", "csl-json"]),
              default="apa", show_default=True, help="Citation format for each match.")
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
    up. Each match is labelled verbatim, near, partial or not-found. Exit status is 0 whenever the lookup
    ran, also when nothing was found (not-found is an answer); 1 on an error such as an empty TEXT.

    \b
    Examples:
      policy-archive cite 'The spokesman said the talks were "constructive and candid"'
      policy-archive cite 'we will continue to support Ukraine' --source us-state --format bibtex --json
    """
    from .citation import cite as format_citation
    from .cite import CiteError, lookup
    start = _date(date_from, name="--from")
    end = _date(date_to, end=True, name="--to")
    dd, searcher = _searcher(ctx)
    store = _store(dd)
    try:
        answer = lookup(text, searcher, store, country=country and country.upper(), source=source_id,
                        speaker=speaker, date_from=start and start.date(), date_to=end and end.date())
    except CiteError as e:
        fail(str(e))
    for m in answer["matches"]:
        m["citation"] = format_citation(store.get(m["id"]), fmt, base_url, m["paragraph"])
    if as_json:
        _emit_json(answer)
        return
    for note in answer["notes"]:
        click.echo(f"note: {note}")
    for qi, quote in enumerate(answer["quotes"]):
        click.echo(f"\n“{quote['text'][:200]}”: {quote['match']}")
        for m in (m for m in answer["matches"] if m["quote"] == qi):
            click.echo(f"\n  {m['match']} {m['score']:.2f}  {(m['date'] or '')[:10]}  {m['title']}\n"
                       f"  {m['url']}  (paragraph {m['paragraph']}, id {m['id']})\n  {_diff_text(m['diff'])}\n"
                       + "\n".join("  " + line for line in m["citation"].splitlines()))


def _diff_text(diff: list[dict]) -> str:
    marks = {"cut": "[-{text}-]", "added": "{{+{text}+}}", "changed": "[-{text}-]{{+{quote}+}}", "equal": "{text}"}
    return " ".join(marks[op["op"]].format(**op) for op in diff)


@main.command()
@click.pass_context
def reindex(ctx):
    """Rebuild the search index from the store.

    The new index is built beside the live one, which `serve`, `crawl` and `watch` go on using, and
    replaces it in one step when complete: stopped at any moment, the old index stays live.

    \b
    Example:
      policy-archive reindex
    """
    from .index import IndexBusy, rebuild_index
    dd = _datadir(ctx, create=False)
    store = _store(dd)
    try:
        n = rebuild_index(store, dd.index_dir,
                          progress=lambda done, total: click.echo(f"indexed {done:,}/{total:,}", err=True))
    except IndexBusy as e:
        fail(str(e))
    click.echo(f"reindexed {n:,} statements")


@main.command()
@click.option("--force", is_flag=True, help="Rebuild even if statements that no capture holds would be lost.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def rebuild(ctx, force, as_json):
    """Rebuild the store and the index from the captures alone (captures/*.warc.gz, in capture-time order).

    The new store and index are written beside the old ones and swapped in only when complete: a
    failure or Ctrl-C leaves the old archive as it was. Statements that no capture holds (imported
    from JSON Lines) would be lost, so the rebuild stops before the swap unless --force is given.
    Stop `serve` and any crawl first: they would go on with the old files. Exit status 1 when a capture
    file is damaged (its whole records are still used) or the rebuild was refused.

    \b
    Example:
      policy-archive rebuild
    """
    from .rebuild import RebuildRefused, rebuild as run_rebuild
    dd = _datadir(ctx, create=False)
    try:
        result = run_rebuild(dd, force=force, on_progress=_ingest_progress(as_json),
                             on_indexing=None if as_json else
                             lambda done, total: click.echo(f"indexed {done:,}/{total:,}", err=True))
    except RebuildRefused as e:
        fail(str(e))
    if as_json:
        _emit_json({"files": [r.to_json() for r in result.reports], "statements": result.statements,
                    "revisions": result.revisions, "indexed": result.indexed, "dropped": result.dropped})
    else:
        from .ingest import FileReport
        files = f"{len(result.reports):,} capture file{'s' if len(result.reports) != 1 else ''}"
        _print_ingest([FileReport.total(files, result.reports)])
        click.echo(f"rebuilt from {files}: {result.statements:,} statements, "
                   f"{result.revisions:,} revisions, {result.indexed:,} indexed"
                   + (f"; {result.dropped:,} statements in no capture dropped" if result.dropped else ""))
    if any(r.damaged for r in result.reports):
        sys.exit(1)


def _base_url(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    from urllib.parse import urlsplit
    parts = urlsplit(value)
    try:
        parts.port
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.username is not None
            or parts.query or parts.fragment):
        raise click.BadParameter("must be an http or https URL such as https://archive.example.org", param=param)
    return value.rstrip("/")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--base-url", callback=_base_url, metavar="URL",
              help="Where readers reach the archive (https://archive.example.org), for the absolute links in "
                   "feeds and citations; never taken from a request [default: http://HOST:PORT].")
@click.pass_context
def serve(ctx, host, port, threads, base_url):
    """Serve the web UI and JSON API under a production WSGI server (waitress).

    \b
    Example:
      policy-archive serve --port 8000
      policy-archive serve --host 0.0.0.0 --base-url https://archive.example.org
    """
    from .web import create_app
    from .web.server import serve as run
    dd = _datadir(ctx, create=True)
    run(create_app(dd.root), host=host, port=port, threads=threads, base_url=base_url)


def run():
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
