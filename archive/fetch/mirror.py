"""Mirrors: fetch a site from somewhere else (a local replica) while every URL the archive keeps stays canonical.

A mirror is given as CANONICAL_PREFIX=FETCH_PREFIX, e.g.
https://www.state.gov=http://127.0.0.1:8765/www.state.gov
"""
from __future__ import annotations

from urllib.parse import urlsplit


def _check_prefix(prefix: str, side: str, spec: str) -> str:
    parts = urlsplit(prefix)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"mirror {spec!r}: the {side} side {prefix!r} is not an absolute http(s) URL")
    if parts.query or parts.fragment:
        raise ValueError(f"mirror {spec!r}: the {side} side {prefix!r} must not have a query or fragment")
    return prefix.rstrip("/")


def parse_mirror(spec: str) -> tuple[str, str]:
    """(canonical prefix, fetch prefix) from CANONICAL_PREFIX=FETCH_PREFIX, without trailing slashes."""
    canonical, sep, fetch = spec.strip().partition("=")
    if not sep:
        raise ValueError(f"mirror {spec!r} is not CANONICAL_PREFIX=FETCH_PREFIX "
                         f"(e.g. https://www.state.gov=http://127.0.0.1:8765/www.state.gov)")
    return _check_prefix(canonical, "canonical", spec), _check_prefix(fetch, "fetch", spec)


def _replace_prefix(url: str, pairs: list[tuple[str, str]]) -> str:
    # Longest prefix first, and only at a path boundary: https://a.gov must not capture https://a.gov.evil.net.
    for old, new in sorted(pairs, key=lambda p: len(p[0]), reverse=True):
        rest = url[len(old):]
        if url.startswith(old) and (not rest or rest[0] in "/?#"):
            return new + rest
    return url


class Mirrors:
    def __init__(self, specs: list[str] | tuple[str, ...] = ()):
        self.pairs = [parse_mirror(s) for s in specs]

    def to_fetch(self, url: str) -> str:
        return _replace_prefix(url, self.pairs)

    def to_canonical(self, url: str) -> str:
        """The reverse mapping, so that a redirect to the mirror is judged (and kept) as the site's own URL."""
        return _replace_prefix(url, [(fetch, canonical) for canonical, fetch in self.pairs])

    def mirror_hosts(self) -> set[str]:
        """Hosts the user named as mirrors: the only ones that may be on loopback or a private network."""
        return {urlsplit(fetch).hostname for _, fetch in self.pairs}
