"""`policy-archive import` and `export`: statements in and out as JSON Lines or WARC files.

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..ingest.reports import ImportFileError
from .app import datadir_of, emit_json, fail, ingest_progress, main, open_store, print_ingest


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
    from ..fetch.warc import SUFFIXES as WARC_SUFFIXES
    from ..index.writing import sync_index
    from ..ingest.jsonl import import_file
    from ..ingest.warcs import import_warcs
    for f in files:
        if not f.is_file():
            fail(f"{f}: no such file")
    dd = datadir_of(ctx, create=True)
    store = open_store(dd)
    summary, errors = [], []
    warcs = [f for f in files if f.name.endswith(WARC_SUFFIXES)]
    warc_reports = []
    try:
        for f in files:
            if f in warcs:
                continue
            try:
                report = import_file(store, f)
            except ImportFileError as e:
                errors.append(str(e))
                click.echo(f"error: {e} (nothing imported from this file)", err=True)
                continue
            summary.append(report.to_json())
            if not as_json:
                click.echo(f"{f}: {report.statements:,} statements: " + ", ".join(
                    f"{n:,} {outcome}" for outcome, n in report.outcomes.items()), err=True)
        if warcs:
            try:
                warc_reports = import_warcs(store, dd.root, dd.captures_dir, warcs, ingest_progress(as_json))
            except ImportFileError as e:
                fail(str(e))
            if not as_json:
                print_ingest(warc_reports)
    finally:
        indexed = sync_index(store, dd.index_dir)
    damaged = [r for r in warc_reports if r.damaged]
    if as_json:
        emit_json({"files": summary, "warc_files": [r.to_json() for r in warc_reports], "errors": errors,
                    "indexed": indexed})
    else:
        click.echo(f"indexed {indexed:,} statements; the archive holds {store.count():,}")
    if errors or damaged:
        sys.exit(1)


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
    from ..ingest.jsonl import export_file, export_lines
    dd = datadir_of(ctx, create=False)
    store = open_store(dd)
    if file is None:
        for line in export_lines(store.iter_statements()):
            sys.stdout.write(line)
        return
    n = export_file(store.iter_statements(), file)
    click.echo(f"exported {n:,} statements to {file}", err=True)
