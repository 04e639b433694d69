"""Linking the versions of one text in several languages, as statements are saved (ingest/pipeline.py)
and over an archive already stored (`policy-archive link-versions`).

Both directions are recorded, whichever version is stored first: a page naming a version not yet stored
leaves a link waiting for it, which that version's save completes; a pairing rule (Source.versions) looks
for the other version among the statements stored already, so the later of the two finds the earlier.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Mapping

from ..model import Statement
from ..sources import SOURCES
from ..sources.versions import PAGE_LINK
from ..store import Store
from ..store.versions import VersionLinks


def link_saved(links: VersionLinks, saved: Iterable[Statement], at: datetime) -> int:
    """Link statements just saved (in the transaction of `links`) to their stored versions; how many links
    were added or completed."""
    added = 0
    for st in saved:
        row = st.to_dict()
        for version in st.versions:
            others = links.statements_at(version.url)
            if not others:
                added += links.add_version(st.id, version.language, version.url, PAGE_LINK, at)
            for other in others:
                added += _link(links, row, other, PAGE_LINK, at)
        for waiting in links.versions_awaiting(st.url):
            added += _link(links, row, links.statement(waiting["statement_id"]), waiting["method"], at)
        added += link_by_rule(links, row, at)
    return added


def link_by_rule(links: VersionLinks, st: Mapping, at: datetime) -> int:
    """Pair a stored statement with its other-language version by its source's rule, when exactly one
    statement of each language has the rule's key; how many links were added."""
    source = SOURCES.get(st["source"])
    rule = source.versions if source else None
    key = rule.key(st) if rule else None
    if key is None:
        return 0
    group = [s.id for s in SOURCES.values() if s.versions is not None and s.versions.group == rule.group]
    same_key = [c for c in links.published_on(rule.day(st), group) if rule.key(c) == key]
    mine = [c for c in same_key if c["language"] == st["language"]]
    added = 0
    for language in {c["language"] for c in same_key} - {st["language"]}:
        theirs = [c for c in same_key if c["language"] == language]
        if len(mine) == 1 and len(theirs) == 1:
            added += _link(links, st, theirs[0], rule.method, at)
    return added


def link_archive(store: Store, at: datetime) -> int:
    """Pair every stored statement by its source's rule (links pages gave are made as they are saved), one
    transaction a statement."""
    added = 0
    for st in store.iter_statements():
        with store.linking() as links:
            added += link_by_rule(links, st, at)
    return added


def _link(links: VersionLinks, a: Mapping, b: Mapping, method: str, at: datetime) -> int:
    return (links.add_version(a["id"], b["language"], b["url"], method, at, other_id=b["id"])
            + links.add_version(b["id"], a["language"], a["url"], method, at, other_id=a["id"]))
