"""`policy-archive sources`: the sources the crawler knows, and checking one against its site.

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

import sys

import click

from .. import __version__
from .app import DEFAULT_CONTACT, USER_AGENT, emit_json, fail, main, parse_mirrors, resolve_sources


@main.command()
@click.option("--check", "check_id", metavar="ID",
              help="Fetch one listing page and one article of source ID and report what each selector matched.")
@click.option("--mirror", "mirror_specs", multiple=True, metavar="CANONICAL=FETCH",
              help="With --check: fetch through a mirror (repeatable).")
@click.option("--offline", is_flag=True, help="With --check: fetch only through --mirror prefixes.")
@click.option("--delay", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="With --check: seconds between requests to one host.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sources(check_id, mirror_specs, offline, delay, as_json):
    """List the sources the crawler knows, or check one against its site.

    \b
    Examples:
      policy-archive sources --json
      policy-archive sources --check cn-mfa-zh
      policy-archive sources --check us-state --mirror https://www.state.gov=http://127.0.0.1:8765/www.state.gov
    """
    from ..sources import SOURCES
    if check_id:
        _check(check_id, mirror_specs, offline, delay, as_json)
        return
    rows = [{"id": s.id, "country": s.country, "ministry": s.ministry, "language": s.language,
             "start_urls": list(s.start_urls), "description": s.description,
             "verified": s.verified} for s in SOURCES.values()]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['id']:<11} {r['country']}  {r['language']:<3} {r['ministry']}")
        verified = r["verified"] if len(r["verified"]) <= 100 else r["verified"][:99] + "…"
        click.echo(f"{'':<19}verified: {verified}")
        for u in r["start_urls"]:
            click.echo(f"{'':<19}{u}")


def _check(source_id, mirror_specs, offline, delay, as_json):
    from ..ingest.check import check_source
    from ..fetch.client import Fetcher
    [src] = resolve_sources([source_id])
    mirrors = parse_mirrors(mirror_specs)
    if offline and mirrors.to_fetch(src.start_urls[0]) == src.start_urls[0]:
        fail(f"{src.start_urls[0]} is not covered by a --mirror and --offline is set")
    with Fetcher(user_agent=USER_AGENT.format(version=__version__, contact=DEFAULT_CONTACT), delay=delay,
                 mirrors=mirrors) as fetcher:
        checks = check_source(src, fetcher)
    ok = all(c.ok for c in checks) and len(checks) > 1
    if as_json:
        emit_json({"source": src.id, "ok": ok, "pages": [c.__dict__ for c in checks]})
    else:
        for c in checks:
            click.echo(f"{c.role}: {c.url}  {'ok' if c.ok else 'FAILED'}")
            for m in c.matches:
                flag = "" if m["count"] or not m["selector"] else "   <- matched nothing"
                click.echo(f"  {m['name']:<16} {m['selector'] or '-':<40} {m['count']:>4}  {m['sample']}{flag}")
            for k, v in c.found.items():
                click.echo(f"  {k}: {v}")
            if c.error:
                click.echo(f"  {c.error}")
    if not ok:
        sys.exit(1)
