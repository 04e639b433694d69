"""The sources the archive knows, by id, and the source that owns a URL."""
from __future__ import annotations

from .base import Source
from .cn_mfa_zh import CnMfaZh
from .us_state import USState

SOURCES: dict[str, Source] = {s.id: s for s in (CnMfaZh(), USState())}


class UnknownSource(KeyError):
    def __init__(self, source_id: str):
        super().__init__(source_id)
        self.source_id = source_id

    def __str__(self) -> str:
        # KeyError would print the repr of its argument; users need the valid ids instead.
        return f"unknown source {self.source_id!r}; valid ids: {', '.join(SOURCES)}"


def get_source(source_id: str) -> Source:
    try:
        return SOURCES[source_id]
    except KeyError:
        raise UnknownSource(source_id) from None


def source_for_url(url: str) -> Source | None:
    return next((s for s in SOURCES.values() if s.owns(url)), None)
