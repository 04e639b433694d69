"""`policy-archive worker`: one of any number of crawler workers sharing a PostgreSQL store.

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

import os
import socket
import sys

import click

from .. import __version__
from .app import DEFAULT_CONTACT, USER_AGENT, datadir_of, emit_json, fail, main, parse_mirrors

def _backend(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError
    try:
        return make_url(url).get_backend_name()
    except ArgumentError:
        return None


def shared_store_url(ctx: click.Context) -> str | None:
    """The store's URL when it is one crawler workers share: PostgreSQL, chosen by the group's --store or
    $POLICY_ARCHIVE_STORE (resolved into ctx.obj)."""
    url = ctx.obj.get("store")
    return url if url and _backend(url) == "postgresql" else None


def open_shared(url: str):
    """(the store, the workers' queue) at `url`; a one-line error when it cannot be opened or shared."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..store import Store
    from ..store.queue import WorkQueue
    if not url:
        fail("crawler workers share a PostgreSQL store: give --store postgresql://… or $POLICY_ARCHIVE_STORE")
    if _backend(url) != "postgresql":
        fail(f"crawler workers share a PostgreSQL store (--store postgresql://…), not {_backend(url) or url}")
    try:
        store = Store(url)
        return store, WorkQueue(store.engine)
    except (SQLAlchemyError, ImportError) as e:
        fail(f"cannot open the store {url.split('@')[-1]}: {(str(e).splitlines() or [''])[0]}")


@main.command()
@click.option("--id", "worker_id", default=lambda: f"{socket.gethostname()}-{os.getpid()}",
              show_default="HOSTNAME-PID",
              help="This worker's name, unique among the workers: it holds items and host turns under it "
                   "and names its capture files after it.")
@click.option("--delay", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="Seconds between requests to one host, across all workers.")
@click.option("--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds before a request is given up.")
@click.option("--lease", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds an item stays claimed by a worker that stopped answering, before another takes it.")
@click.option("--mirror", "mirror_specs", multiple=True, metavar="CANONICAL=FETCH",
              help="Fetch CANONICAL_PREFIX from FETCH_PREFIX, recording the canonical URL (repeatable).")
@click.option("--contact", default=DEFAULT_CONTACT, show_default=True,
              help="Contact URL sent in the User-Agent, so site operators can reach you.")
@click.option("--offline", is_flag=True, help="Fetch only through --mirror prefixes; never another host.")
@click.option("--ignore-robots", is_flag=True, help="Do not read robots.txt (only for your own mirror).")
@click.option("--once", is_flag=True, help="Stop when no item is due now.")
@click.option("--until-idle", is_flag=True,
              help="Stop when no item is open anywhere (pending, or held by any worker).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@click.pass_context
def worker(ctx, worker_id, delay, timeout, lease, mirror_specs, contact, offline, ignore_robots, once,
           until_idle, as_json, quiet):
    """Take listing pages, articles and rechecks from the shared queue and crawl them, until stopped.

    Run any number, on any machines, against one PostgreSQL store (the group's --store or
    $POLICY_ARCHIVE_STORE): politeness holds across all of them
    (one request at a time per host and --delay between requests, taken in the database; robots.txt
    fetched once per host). `watch` with the same store fills the queue. Captures go to the data
    folder's captures/ (a folder every worker mounts), in files named after --id. A worker killed at
    any moment loses nothing: after --lease seconds another takes its item.
    Exit status: 0 when it stopped as asked, 1 when the store cannot be used, 130 when interrupted.

    \b
    Examples:
      export POLICY_ARCHIVE_STORE=postgresql+psycopg://archive@db.internal/archive
      policy-archive --data-dir /mnt/archive watch --interval 3600 &
      policy-archive --data-dir /mnt/archive worker --id crawler-1
      policy-archive worker --until-idle --json --delay 0 \\
          --mirror https://www.state.gov=http://127.0.0.1:8765/www.state.gov
    """
    from ..captures import capture_writer
    from ..fetch.client import Fetcher
    from ..ingest.worker import Worker, WorkerOptions
    from ..store.queue import HostLeases, SharedRobots
    from .progress import CrawlProgress, print_summary

    mirrors = parse_mirrors(mirror_specs)
    store, queue = open_shared(ctx.obj.get("store") or "")
    dd = datadir_of(ctx, create=True)
    warc = capture_writer(store, dd.root, dd.captures_dir, writer=worker_id)
    # a turn outlasts any one exchange (a connection and a body each within --timeout), so it only
    # expires when its holder died
    turns = HostLeases(store.engine, worker_id, lease=2 * timeout + 5)
    fetcher = Fetcher(user_agent=USER_AGENT.format(version=__version__, contact=contact), delay=delay,
                      timeout=timeout, mirrors=mirrors, warc=warc, obey_robots=not ignore_robots, turns=turns,
                      robots=SharedRobots(store.engine))
    interrupted = False
    try:
        with CrawlProgress(enabled=not quiet) as progress:
            run = Worker(store, queue, fetcher, WorkerOptions(worker_id, lease=lease, offline=offline),
                         on_item=lambda item, totals: progress.update(totals.report(item["source"])))
            try:
                totals = run.run(until="idle" if until_idle else "due" if once else "stopped")
            except KeyboardInterrupt:
                interrupted, totals = True, run.totals
    finally:
        fetcher.close()
        turns.close()
        warc.close()
        store.close()
    totals.settle()
    if as_json:
        emit_json({"worker": worker_id, "interrupted": interrupted, **totals.to_json()})
    else:
        items = totals.to_json()["items"]
        click.echo(f"worker {worker_id}: {totals.seconds:.1f} s, " + ", ".join(f"{v:,} {k}" for k, v in items.items()))
        print_summary(list(totals.reports.values()))
    if interrupted:
        click.echo(f"interrupted: worker {worker_id} stopped; its item goes back to the queue", err=True)
        sys.exit(130)
