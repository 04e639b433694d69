"""URLs the pages and the feeds write: with a query string, and only the kinds safe in an href."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit


def with_query(path: str, args: dict) -> str:
    # not url_for(**args): it reads _external, _scheme and _anchor as its own options, and a visitor's
    # ?_scheme=x would then fail the page
    query = urlencode({k: v for k, v in args.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def http_url(url: str) -> str | None:
    """The URL if it is safe in an href; a scraped javascript: or data: URL stays plain text."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None
