"""`policy-archive migrate --to URL`: the data folder's own store (SQLite) copied into PostgreSQL.

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

import sys
import time

import click

from ..datadir import DataDir
from .app import datadir_of, emit_json, fail, main, open_store, shown_url


@main.command()
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The database to copy into (postgresql://user@host/database); it must be empty.")
@click.option("--resume", is_flag=True, help="Go on with a copy that was stopped: rows already there are kept.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def migrate(ctx, target_url, resume, as_json):
    """Copy the data folder's store into a PostgreSQL database, every table with its ids.

    The copy goes in batches, with progress on standard error; at the end the rows of every table are
    counted on both sides and the statements' texts compared by checksum, and the exit status is 1 if
    anything differs. The index and the captures stay in the data folder: afterwards run every command
    with --store URL (or $POLICY_ARCHIVE_STORE). The data folder's SQLite file is left as it was.

    \b
    Examples:
      policy-archive migrate --to postgresql://archive@db.example.org/archive
      policy-archive migrate --to postgresql://archive@db.example.org/archive --resume --json
    """
    from ..store.copying import TargetNotEmpty, copy_store
    if ctx.obj["store"]:
        fail("migrate copies the data folder's own store: leave out --store and $POLICY_ARCHIVE_STORE")
    dd = datadir_of(ctx, create=False)
    if not dd.db_path.is_file():
        fail(f"no store in {dd.root} to copy")
    source = open_store(dd)
    target = open_store(DataDir(dd.root, target_url))
    last = [0.0]

    def progress(table: str, done: int, total: int):
        if not as_json and (done == total or time.monotonic() - last[0] > 2):
            last[0] = time.monotonic()
            click.echo(f"{table}: {done:,}/{total:,} rows", err=True)

    try:
        report = copy_store(source, target, resume=resume, progress=progress)
    except TargetNotEmpty as e:
        fail(str(e))
    finally:
        source.close()
        target.close()
    if as_json:
        emit_json({"to": shown_url(target_url), **report.to_json()})
    else:
        width = max(len(t) for t in report.counts)
        click.echo(f"{'table':<{width}}  {'source':>10}  {'target':>10}  {'copied':>10}")
        for t, (a, b) in report.counts.items():
            click.echo(f"{t:<{width}}  {a:>10,}  {b:>10,}  {report.copied[t]:>10,}" + ("" if a == b else "  MISMATCH"))
        same = "same" if report.source_checksum == report.target_checksum else "DIFFERENT"
        click.echo(f"statement texts: {same} (sha256 {report.target_checksum[:16]}…)")
    if not report.matches:
        click.echo(f"error: the copy in {shown_url(target_url)} differs from the data folder's store", err=True)
        sys.exit(1)
