"""`policy-archive import` and `export`: statements in and out as JSON Lines or WARC files."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import datadir_of, emit_json, fail, ingest_progress, main, open_store, print_ingest


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
    from ..index.writing import sync_index
    from ..ingest.jsonl import ImportFileError, import_file
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
                row = import_file(store, f)
            except ImportFileError as e:
                errors.append(str(e))
                click.echo(f"error: {e} (nothing imported from this file)", err=True)
                continue
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
        emit_json({"files": summary, "warc_files": [r.to_json() for r in warc_reports], "errors": errors,
                    "indexed": indexed})
    else:
        click.echo(f"indexed {indexed:,} statements; the archive holds {store.count():,}")
    if errors or damaged:
        sys.exit(1)


def _import_warcs(dd, store, paths: list[Path], quiet: bool):
    from ..ingest.warcs import Ingest, salvage
    copies, damage = [], {}
    for path in paths:
        try:
            copy, damage[str(path)] = salvage(path, dd.captures_dir)
        except OSError as e:
            fail(f"{path}: cannot read: {e.strerror or e}")
        copies.append((str(path), copy))
    reports = Ingest(store, dd.root, ingest_progress(quiet)).run(copies, damage)
    if not quiet:
        print_ingest(reports)
    return reports


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
