"""`policy-archive import`, `export` and `export-captures`: statements in and out as JSON Lines, WARC files or
WACZ packages.

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import click

from ..ingest.reports import ImportFileError
from .app import datadir_of, emit_json, fail, ingest_progress, main, open_searcher, open_store, print_ingest


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def import_(ctx, files, as_json):
    """Load statements from JSON Lines files (.jsonl, .jsonl.gz), WARC files (.warc, .warc.gz) or WACZ
    packages (.wacz).

    Idempotent: importing a file twice adds nothing. A JSON Lines file with a bad line imports nothing.
    A WARC file, from the archive's own crawls or from another tool or web archive, is copied into the
    data directory's captures (damaged stretches left out) and each HTML, feed or JSON response whose URL
    belongs to a known source is parsed by that source, with its capture time as the time it was seen.
    A damaged WARC file is reported with the byte offset of each bad stretch; the whole records around it
    are imported, and the exit status is 1. A WACZ package (from export-captures, ArchiveWeb.page or
    Browsertrix) is imported as the WARC files it holds, once they match the hashes of its
    datapackage.json.

    \b
    Examples:
      policy-archive import ../shared/corpus/statements/us-state-press-2021-2022.jsonl.gz
      policy-archive import crawl-2024.warc.gz other-archive.warc --json
      policy-archive import colleague-captures.wacz
    """
    from ..fetch.warc import SUFFIXES as WARC_SUFFIXES
    from ..index.writing import sync_index
    from ..ingest.jsonl import import_file
    from ..ingest.wacz import SUFFIX as WACZ_SUFFIX, warcs_in
    from ..ingest.warcs import import_warcs
    for f in files:
        if not f.is_file():
            fail(f"{f}: no such file")
    dd = datadir_of(ctx, create=True)
    store = open_store(dd)
    summary, errors = [], []
    warcs = [f for f in files if f.name.endswith(WARC_SUFFIXES)]
    packages = [f for f in files if f.name.endswith(WACZ_SUFFIX)]
    warc_reports = []
    try:
        for f in files:
            if f in warcs or f in packages:
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
        if warcs or packages:
            # a package's WARC files are unpacked beside the captures (same disk), read from there, and go
            with tempfile.TemporaryDirectory(prefix=".unpacked-", dir=dd.root) as unpacked:
                named = [(str(f), f) for f in warcs]
                try:
                    for n, package in enumerate(packages):
                        folder = Path(unpacked) / str(n)
                        folder.mkdir()
                        named += warcs_in(package, folder)
                    warc_reports = import_warcs(store, dd.root, dd.captures_dir, [p for _, p in named],
                                                ingest_progress(as_json), names=[name for name, _ in named])
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


@main.command("export-captures")
@click.option("--wacz", "wacz_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The package to write (a name ending in .wacz).")
@click.option("--query", help="Only the captures of the statements this search finds (search's syntax).")
@click.option("--statement", "statement_ids", multiple=True, metavar="ID",
              help="Only this statement's captures (repeat for several).")
@click.option("--force", is_flag=True, help="Replace FILE when it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def export_captures(ctx, wacz_file, query, statement_ids, force, as_json):
    """Write captures as a WACZ package that ReplayWeb.page, pywb and other web archives open.

    All of the archive's captures, or with --query or --statement only those each statement was read
    from: its own page, or the listing or feed that carried it. The package holds those WARC records
    byte for byte, their CDXJ index, and a pages list naming every capture of a statement's page with
    the statement's title and date. It is written under a temporary name and renamed when complete.
    `import` reads it back.

    \b
    Examples:
      policy-archive export-captures --wacz archive.wacz
      policy-archive export-captures --wacz taiwan.wacz --query 'Taiwan' --json
      policy-archive export-captures --wacz one.wacz --statement 3f9a0c1e2b7d4a55
    """
    from ..captures import CaptureMissing
    from ..ingest.wacz import SUFFIX, select_all, select_statements, write_wacz
    from ..search.query import BadSearch, SearchQuery
    if not wacz_file.name.endswith(SUFFIX):
        fail(f"--wacz: {wacz_file} does not end in {SUFFIX} (replayers know a package by that name)")
    if query is not None and statement_ids:
        fail("--query and --statement choose the captures two ways; give one of them")
    if wacz_file.exists() and not force:
        fail(f"{wacz_file} exists; use --force to replace it")
    if not wacz_file.parent.is_dir():
        fail(f"--wacz: no folder {wacz_file.parent}")
    started = time.monotonic()
    dd = datadir_of(ctx, create=False)
    store = open_store(dd)
    if query is not None:
        _, searcher = open_searcher(ctx)
        try:
            statement_ids = _matching(searcher, SearchQuery(query))
        except BadSearch as e:
            fail(str(e))
        finally:
            searcher.close()
        if not statement_ids:
            fail(f"nothing to export: no statement matches {query!r}")
        chosen = f"the statements matching {query!r}"
    else:
        chosen = (f"statement {statement_ids[0]}" if len(statement_ids) == 1
                  else f"{len(statement_ids):,} statements" if statement_ids else "the whole archive")
    try:
        selection = select_statements(store, statement_ids) if query is not None or statement_ids \
            else select_all(store)
    except KeyError as e:
        fail(f"--statement: the archive holds no statement {e.args[0]}")
    if not selection.rows:
        fail(f"nothing to export: no captures of {chosen} (statements imported from JSON Lines have none)")
    progress = _export_progress(as_json)
    try:
        summary = write_wacz(wacz_file, dd.root, selection, title=f"policy-archive captures: {chosen}",
                             description=f"{len(selection.rows):,} captures of {selection.statements:,} "
                                         f"statements ({chosen}), from {dd.root.name}", on_progress=progress)
    except CaptureMissing as e:
        fail(f"{e}; nothing written")
    except OSError as e:
        fail(f"{wacz_file}: cannot write: {e.strerror or e}; nothing written")
    seconds = round(time.monotonic() - started, 2)
    if as_json:
        emit_json({**summary.to_json(), "seconds": seconds})
        return
    click.echo(f"wrote {summary.path}: {summary.records:,} captures of {summary.statements:,} statements, "
               f"{summary.pages:,} pages, {summary.bytes / 1e6:,.1f} MB (WARC {summary.warc_bytes / 1e6:,.1f} MB) "
               f"in {seconds:.1f} s")
    if summary.uncaptured:
        click.echo(f"{summary.uncaptured:,} of the statements have no captures (imported from JSON Lines) and "
                   f"are not in the package", err=True)


def _matching(searcher, query) -> list[str]:
    """The ids of every statement a search finds, a page of hits at a time, by date: no scores to compute
    (each page still makes its snippets, up to the search's time limit: about 17 ms a hit on a loaded
    machine, the bulk of a search's export time)."""
    ids: list[str] = []
    while True:
        res = searcher.search(replace(query, limit=1000, offset=len(ids), sort="-date"))
        ids += [h.id for h in res.hits]
        if not res.hits or len(ids) >= res.total:
            return ids


def _export_progress(quiet: bool):
    """One line on standard error every few seconds while records are copied."""
    last = [time.monotonic()]

    def show(done: int, total: int):
        if quiet or time.monotonic() - last[0] < 2:
            return
        last[0] = time.monotonic()
        click.echo(f"copied {done:,} of {total:,} captures", err=True)
    return show
