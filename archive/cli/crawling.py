"""`policy-archive crawl` and `watch`: fetching from the sources.

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager

import click

from .. import __version__
from .app import (DEFAULT_CONTACT, USER_AGENT, datadir_of, emit_json, main, open_store, parse_mirrors,
                  resolve_sources, user_date)
from .working import open_shared, shared_store_url


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
    from ..captures import capture_writer
    from ..ingest.crawl import CrawlOptions, Crawler
    from ..fetch.client import Fetcher
    from .progress import CrawlProgress

    chosen = resolve_sources(source_ids)
    mirrors = parse_mirrors(mirror_specs)
    options = CrawlOptions(since=user_date(since, name="--since"), max_pages=max_pages, offline=offline)
    dd = datadir_of(ctx, create=True)
    store = open_store(dd)
    warc = capture_writer(store, dd.root, dd.captures_dir)
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
        emit_json({"interrupted": interrupted, "sources": [r.to_json() for r in reports]})
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
    404 or 410 marks its statement withdrawn. With a shared PostgreSQL store ($POLICY_ARCHIVE_STORE)
    a round only puts that work into the queue of `policy-archive worker` processes, which crawl it
    (--delay, --mirror and the other fetching options are then theirs). Statements are searchable as each round ends, also in a
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
    from ..ingest.watch import Totals, watch as run_watch

    if url := shared_store_url(ctx):
        _schedule_rounds(url, source_ids, as_json, interval, rounds, recheck, how["since"], how["max_pages"])
        return
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


def _schedule_rounds(url, source_ids, as_json, interval, rounds, recheck, since, max_pages):
    """`watch` over a shared store: rounds scheduled into the workers' queue, a line (or JSON object) each,
    then a summary."""
    from ..ingest.watch import watch_queue

    chosen = resolve_sources(source_ids)
    store, queue = open_shared(url)
    scheduled = []

    def on_round(done):
        scheduled.append(done)
        click.echo(json.dumps(done.to_json(), ensure_ascii=False) if as_json else done.line())

    interrupted = False
    try:
        watch_queue(store, queue, chosen, since=user_date(since, name="--since"), max_pages=max_pages,
                    interval=interval, rounds=rounds, recheck=recheck, on_round=on_round)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        store.close()
    added = {k: sum(r.scheduled.to_json()[k] for r in scheduled) for k in ("listings", "articles", "rechecks")}
    if as_json:
        click.echo(json.dumps({"summary": {"rounds": len(scheduled), "scheduled": added},
                               "interrupted": interrupted}, ensure_ascii=False))
    else:
        click.echo(f"{len(scheduled)} round{'s' if len(scheduled) != 1 else ''} scheduled: "
                   + ", ".join(f"{v:,} {k}" for k, v in added.items()) + (" (interrupted)" if interrupted else ""))
    if interrupted:
        click.echo("interrupted: the rounds scheduled stay queued for the workers", err=True)
        sys.exit(130)
