"""`policy-archive index` and `health`: an index kept up to date with the store (once, or following its change
sequence as a replica does), and how far behind it is.

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

import json
import time

import click

from .app import datadir_of, emit_json, fail, main, open_store, shown_url


def _one_line(e: Exception) -> str:
    from ..web.backend import one_line
    return one_line(e)


def _reach_store(dd):
    from sqlalchemy.exc import SQLAlchemyError
    try:
        return open_store(dd)
    except SQLAlchemyError as e:
        fail(f"cannot reach the store: {_one_line(e)}")


def _every_few_seconds(what: str):
    """A progress callback printing `what` (done, total) on standard error at most every 2 s, and the last."""
    last = [0.0]

    def show(done: int, total: int):
        if done >= total or time.monotonic() - last[0] >= 2:
            last[0] = time.monotonic()
            click.echo(f"{what} {done:,}/{total:,}", err=True)
    return show


@main.command()
@click.option("--follow", is_flag=True,
              help="Follow the store's change sequence: catch up from the change this index last applied (all "
                   "of them for a new index), then look for new ones every --interval seconds.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds between looks for new changes, with --follow.")
@click.option("--once", is_flag=True, help="With --follow: catch up, then stop.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the outcome as JSON (following without --once: one line per round that applied "
                   "changes).")
@click.pass_context
def index(ctx, follow, interval, once, as_json):
    """Bring the data folder's search index up to date with the store.

    Without --follow, index the statements this index does not hold yet, as crawl and import do. With
    --follow the index is a replica of the store: it records the last change it applied and applies
    those after it, so that any number of indexes, one per web node, follow one shared store. Run it
    beside web workers that should only read (`serve --follow` runs one inside the server instead).
    Ctrl-C stops it between commits; it starts again where it was.

    \b
    Examples:
      policy-archive index
      POLICY_ARCHIVE_STORE=postgresql+psycopg://archive@db.internal/archive policy-archive index --follow
      policy-archive index --follow --once --json
    """
    from ..index.writing import IndexBusy
    if once and not follow:
        raise click.UsageError("--once goes with --follow")
    dd = datadir_of(ctx, create=True)
    store = _reach_store(dd)
    try:
        if follow:
            _follow(store, dd, interval, once, as_json)
        else:
            _sync(store, dd, as_json)
    except IndexBusy as e:
        fail(str(e))


def _sync(store, dd, as_json):
    from ..index.writing import sync_index
    n = sync_index(store, dd.index_dir, progress=None if as_json else _every_few_seconds("indexed"))
    if as_json:
        emit_json({"indexed": n})
    else:
        click.echo(f"indexed {n:,} statements")


def _follow(store, dd, interval, once, as_json):
    from sqlalchemy.exc import SQLAlchemyError

    from ..index.follow import applied, catch_up
    if not as_json:
        click.echo(f"following {shown_url(dd.db_url)} from change {applied(dd.index_dir).seq:,}", err=True)
    progress = None if as_json else _every_few_seconds("applied changes")
    while True:
        try:
            done = catch_up(store, dd.index_dir, progress)
        except SQLAlchemyError as e:
            if once:
                fail(f"cannot reach the store: {_one_line(e)}")
            # a replica outlives a restart of the store: it looks again at the next interval
            click.echo(f"error: cannot reach the store: {_one_line(e)}; trying again in {interval:g} s", err=True)
            time.sleep(interval)
            continue
        if as_json and once:
            emit_json(done.to_json())
        elif as_json and done.changes:
            click.echo(json.dumps(done.to_json()))
        elif once or done.changes:
            click.echo(f"applied {done.changes:,} changes ({done.statements:,} statements written); "
                       f"the index is at change {done.applied:,} of {done.store:,}")
        if once:
            return
        time.sleep(interval)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def health(ctx, as_json):
    """Whether the store answers, and how far this data folder's index is behind its change sequence.

    Exit status 1, with the reason on standard error, when the store cannot be reached. A web node reports
    the same at /health and /api/health.

    \b
    Examples:
      policy-archive health
      POLICY_ARCHIVE_STORE=postgresql+psycopg://archive@db.internal/archive policy-archive health --json
    """
    from ..store import Store
    from ..web.health import node_report
    dd = datadir_of(ctx, create=False)
    # opened here rather than by open_store, which would end the command before the report is printed
    found, status = node_report(lambda: Store(dd.db_url), dd.index_dir)
    store, index = found["store"], found["index"]
    if as_json:
        emit_json(found)
    else:
        click.echo(f"store: reachable, at change {store['sequence']:,}" if store["reachable"]
                   else f"store: unreachable: {store['error']}")
        if not index["following"]:
            click.echo("index: does not follow the store's change sequence")
        else:
            click.echo(f"index: at change {index['applied']:,}"
                       + (f", {index['lag']:,} behind" if index["lag"] is not None else ""))
    if status != 200:
        fail(f"cannot reach the store: {store['error']}")
