"""The sources the archive knows, by id, and the source that owns a URL.

A ministry is added by dropping a module into `sites/` that lists its sources in a module-level `SOURCES`
(Python sources), or a TOML profile in `profiles/` (declarative ones); nothing else is edited.
"""
from __future__ import annotations

import importlib
import pkgutil

from . import sites
from .base import Source


def _discover() -> dict[str, Source]:
    found: list[Source] = []
    for info in sorted(pkgutil.iter_modules(sites.__path__), key=lambda m: m.name):
        found.extend(getattr(importlib.import_module(f"{sites.__name__}.{info.name}"), "SOURCES", ()))
    from .profile import load_profiles
    found.extend(load_profiles())
    registry: dict[str, Source] = {}
    for src in sorted(found, key=lambda s: s.id):
        if src.id in registry:
            raise RuntimeError(f"two sources with the id {src.id!r}")
        registry[src.id] = src
    return registry


class UnknownSource(KeyError):
    def __init__(self, source_id: str):
        super().__init__(source_id)
        self.source_id = source_id

    def __str__(self) -> str:
        # KeyError would print the repr of its argument; users need the valid ids instead.
        return f"unknown source {self.source_id!r}; valid ids: {', '.join(SOURCES)}"


SOURCES: dict[str, Source] = _discover()


def get_source(source_id: str) -> Source:
    try:
        return SOURCES[source_id]
    except KeyError:
        raise UnknownSource(source_id) from None


def source_for_url(url: str) -> Source | None:
    return next((s for s in SOURCES.values() if s.owns(url)), None)
