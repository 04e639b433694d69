"""Splitting a transcript into turns: who holds the floor from which paragraph to which."""
from __future__ import annotations

from typing import Callable

from ..model import Turn

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
