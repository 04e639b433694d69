"""Splitting a transcript into turns: who holds the floor from which paragraph to which."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Callable

from ..model import Turn
from .outlets import outlets_of

# (speaker, role) when a paragraph opens a new turn, else None (it continues the current one)
Labeller = Callable[[str], "tuple[str, str] | None"]


def split_turns(paragraphs: list[str], label: Labeller) -> list[Turn]:
    """Turns over `paragraphs`; paragraphs before the first label (an introduction) belong to no turn.

    Consecutive labels for the same speaker and role are one turn, as a reader would see it.
    """
    turns: list[Turn] = []
    current: tuple[str, str, int] | None = None
    for i, p in enumerate(paragraphs):
        found = label(p)
        if found is None:
            continue
        if current and (current[0], current[1]) == found:
            continue
        if current:
            turns.append(Turn(current[0], current[1], current[2], i))
        current = (found[0], found[1], i)
    if current:
        turns.append(Turn(current[0], current[1], current[2], len(paragraphs)))
    return turns


def with_outlets(turns: list[Turn], unnamed: Collection[str]) -> list[Turn]:
    """`turns` with each question whose speaker is an outlet's label carrying that outlet; `unnamed` are the
    speakers that name no one ("question" for a bare "问：" or "Q:"). A label naming no outlet ("Journalist",
    "外国记者") leaves its question without one."""
    out = []
    for t in turns:
        keys = outlets_of(t.speaker) if t.role == "question" and t.speaker not in unnamed else []
        out.append(replace(t, outlet=t.speaker, outlet_keys=tuple(keys)) if keys else t)
    return out
