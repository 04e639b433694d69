"""The `policy-archive` group and what its commands share: opening the data folder, the store and
the searcher, reading dates, printing JSON and failing with one line.

The command modules import the library inside the commands that use it, not at the top, so that `--help`
(and a mistyped option) need not import the store, the sources, the fetcher, the index and the web app:
0.06 s against 0.7 s on 2 idle cores, 0.2 s against 2 to 4 s on busy ones (measured 2026-12-06). Modules
that import in a few milliseconds (the data folder, the mirrors, the reports) are imported at the top.
"""
from __future__ import annotations

import json
import os
import signal
import time
from datetime import datetime, time as dtime, timezone
from pathlib import Path

import click

from .. import __version__
from ..datadir import DataDirError, open_datadir, resolve, resolve_store
from ..fetch.mirror import Mirrors
from ..ingest.reports import COUNTS
from ..search.query import user_day

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


def datadir_of(ctx: click.Context, create: bool):
    try:
        return open_datadir(ctx.obj["data_dir"], create=create, store=ctx.obj["store"])
    except DataDirError as e:
        fail(str(e))


def open_store(dd):
    from sqlalchemy.exc import OperationalError

    from ..store import Store
    from ..store.engines import StoreUnavailable
    try:
        return Store(dd.db_url)
    except StoreUnavailable as e:
        fail(str(e))
    except OperationalError as e:
        # the server down, a wrong password, a database not created: the driver's first line says which
        fail(f"cannot open the store {shown_url(dd.db_url)}: {str(e.orig).strip().splitlines()[0]}")


def shown_url(url: str) -> str:
    """A store URL as printed: without its password."""
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def open_searcher(ctx: click.Context):
    from ..search.searcher import Searcher
    dd = datadir_of(ctx, create=False)
    try:
        return dd, Searcher(dd.index_dir)
    except FileNotFoundError:
        fail(f"no index in {dd.root}: run 'policy-archive crawl' or 'policy-archive import' first")


def user_date(value: str | None, end: bool = False, name: str = "date") -> datetime | None:
    """A date typed as an option (--since, --from, --to), in UTC: its first moment, or with `end` its last,
    so that --to 2024-03 includes all of March."""
    if value is None:
        return None
    try:
        day = user_day(value, last=end)
    except ValueError as e:
        raise click.BadParameter(f"invalid date {value!r}: {e}", param_hint=name) from None
    if day is None:
        raise click.BadParameter(f"invalid date {value!r}: use YYYY-MM-DD, YYYY-MM or YYYY", param_hint=name)
    return datetime.combine(day, dtime(23, 59, 59) if end else dtime.min, timezone.utc)


def emit_json(obj):
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the store, index and captures [env POLICY_ARCHIVE_DATA; default ./archive-data].")
@click.option("--store", metavar="URL", default=None,
              help="Keep the store in PostgreSQL (postgresql://user@host/db) instead of the data folder's SQLite "
                   "file; the index and captures stay in the folder [env POLICY_ARCHIVE_STORE].")
@click.version_option(__version__, prog_name="policy-archive")
@click.pass_context
def main(ctx, data_dir, store):
    """Archive, search and cite official foreign-ministry statements.

    \b
    Examples:
      policy-archive crawl                       # last 30 days of every source
      policy-archive search '"Nansei islands" missile' --country CN
      policy-archive serve                       # web UI on http://127.0.0.1:8000
      policy-archive --store postgresql://archive@db.example.org/archive crawl
    """
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = resolve(str(data_dir) if data_dir else None)
    ctx.obj["store"] = resolve_store(store)
    signal.signal(signal.SIGTERM, _sigterm)


def resolve_sources(ids):
    from ..sources import SOURCES, UnknownSource, get_source
    try:
        return [get_source(i) for i in ids] if ids else list(SOURCES.values())
    except UnknownSource as e:
        fail(str(e))


def parse_mirrors(specs):
    try:
        return Mirrors(list(specs))
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--mirror") from None


def ingest_progress(quiet: bool):
    """One line on standard error every few seconds while WARC files are read."""
    last = [time.monotonic()]

    def show(reports):
        if quiet or time.monotonic() - last[0] < 2:
            return
        last[0] = time.monotonic()
        total = {k: sum(getattr(r, k) for r in reports) for k in ("records", "parsed", "new", "changed")}
        click.echo(f"read {total['records']:,} records: {total['parsed']:,} pages parsed, {total['new']:,} new, "
                   f"{total['changed']:,} changed", err=True)
    return show


def print_ingest(reports):
    for r in reports:
        click.echo(f"{r.file}: " + ", ".join(f"{getattr(r, k):,} {k.replace('_', '-')}" for k in COUNTS), err=True)
        for m in r.messages:
            click.echo(f"  {m}", err=True)
