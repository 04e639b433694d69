"""`policy-archive reindex`, `rebuild` and `link-versions`: the index from the store, the store from the captures,
the links between a text's versions in several languages over what is stored.

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

import sys

import click

from ..ingest.reports import FileReport
from .app import datadir_of, emit_json, fail, ingest_progress, main, open_store, print_ingest


@main.command()
@click.pass_context
def reindex(ctx):
    """Rebuild the search index from the store.

    The new index is built beside the live one, which `serve`, `crawl` and `watch` go on using, and
    replaces it in one step when complete: stopped at any moment, the old index stays live. Statements
    stored before the archive recognised one text published by several ministries are signed and linked
    first ("also published by").

    \b
    Example:
      policy-archive reindex
    """
    from ..index.writing import IndexBusy, rebuild_index
    dd = datadir_of(ctx, create=False)
    store = open_store(dd)
    signed = store.sign_unsigned()
    if signed:
        click.echo(f"signed {signed:,} statements stored before same texts were linked", err=True)
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
    from ..ingest.rebuild import RebuildRefused, rebuild as run_rebuild
    dd = datadir_of(ctx, create=False)
    if not dd.embedded:
        # it writes a new SQLite file beside the old one and swaps the two; a shared database is not swapped
        fail("rebuild works on the data folder's own store, not on --store: rebuild the embedded archive, "
             "then 'policy-archive migrate --to' an empty database")
    try:
        result = run_rebuild(dd, force=force, on_progress=ingest_progress(as_json),
                             on_indexing=None if as_json else
                             lambda done, total: click.echo(f"indexed {done:,}/{total:,}", err=True))
    except RebuildRefused as e:
        fail(str(e))
    if as_json:
        emit_json(result.to_json())
    else:
        files = f"{len(result.reports):,} capture file{'s' if len(result.reports) != 1 else ''}"
        print_ingest([FileReport.total(files, result.reports)])
        click.echo(f"rebuilt from {files}: {result.statements:,} statements, "
                   f"{result.revisions:,} revisions, {result.indexed:,} indexed"
                   + (f"; {result.dropped:,} statements in no capture dropped" if result.dropped else ""))
    if any(r.damaged for r in result.reports):
        sys.exit(1)


@main.command("link-versions")
@click.pass_context
def link_versions(ctx):
    """Link the versions of one text in several languages over the whole archive.

    Saving a statement links it as it comes (crawl, import, rebuild); this links an archive stored
    before the links existed, by each source's pairing rule (the China MFA: a press conference's Chinese
    and English versions by day and spokesperson). Running it again adds nothing.

    \b
    Example:
      policy-archive link-versions
    """
    from ..ingest.versions import link_archive
    from ..model import utcnow
    dd = datadir_of(ctx, create=False)
    added = link_archive(open_store(dd), utcnow())
    click.echo(f"linked: {added:,} new link{'s' if added != 1 else ''} (each direction counts)")
