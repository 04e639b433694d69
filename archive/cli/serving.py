"""`policy-archive serve`: the web UI and the JSON API.

Library modules are imported inside the commands: see app.py.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import click

from .app import datadir_of, main


def _base_url(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    try:
        parts.port
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.username is not None
            or parts.query or parts.fragment):
        raise click.BadParameter("must be an http or https URL such as https://archive.example.org", param=param)
    return value.rstrip("/")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--base-url", callback=_base_url, metavar="URL",
              help="Where readers reach the archive (https://archive.example.org), for the absolute links in "
                   "feeds and citations; never taken from a request [default: http://HOST:PORT].")
@click.option("--follow/--no-follow", default=None,
              help="Keep the data folder's index following the store's change sequence, in the server process "
                   "(its one index writer) [default: follow when the store is not the data folder's own, i.e. "
                   "$POLICY_ARCHIVE_STORE names a shared PostgreSQL store].")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds between looks for new changes, when following.")
@click.pass_context
def serve(ctx, host, port, threads, base_url, follow, interval):
    """Serve the web UI and JSON API under a production WSGI server (waitress).

    A web node over a shared store builds its own index from the store's change sequence and then
    follows it: start it with an empty data folder and it catches up while it serves (searches read
    what it has applied so far; /health shows how far behind it is).

    \b
    Example:
      policy-archive serve --port 8000
      policy-archive serve --host 0.0.0.0 --base-url https://archive.example.org
      POLICY_ARCHIVE_STORE=postgresql+psycopg://archive@db.internal/archive policy-archive serve --host 0.0.0.0
    """
    from ..web import create_app
    from ..web.server import serve as run
    dd = datadir_of(ctx, create=True)
    if follow is None:
        follow = not dd.embedded
    run(create_app(dd.root, store=dd.store, follow_seconds=interval if follow else None), host=host, port=port,
        threads=threads, base_url=base_url)
