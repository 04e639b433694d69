"""`policy-archive extract`: parsing a saved page with a source, without the store.

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

from pathlib import Path

import click

from .app import emit_json, fail, main, resolve_sources


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
    from ..fetch.decode import decode_body
    from ..sources.base import ExtractError, Page, extract_page
    [src] = resolve_sources([source_id])
    text, encoding = decode_body(file.read_bytes(), None)
    page = Page(url=url, text=text)
    try:
        found = extract_page(src, page)
    except ExtractError as e:
        fail(str(e))
    out = {"kind": found.pop("kind"), "encoding": encoding, **found}
    if as_json:
        emit_json(out)
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


def _print_statement(st: dict):
    click.echo(st["title"])
    click.echo(f"  {st['date'] or 'undated'} · {st['kind']} · {'; '.join(st['speakers']) or 'no speaker'}")
    click.echo(f"  {st['url']}")
    for i, p in enumerate(st["paragraphs"], 1):
        click.echo(f"  [{i}] {p}")
