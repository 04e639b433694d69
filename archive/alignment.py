"""Aligning two language versions of one transcript, turn by turn, without a translation model.

Pure functions over stored statements (dicts with `paragraphs` and `turns`). Two turns may pair only when
they hold the floor alike (a question with a question, the spokesperson with the spokesperson); among the
pairings that keep both transcripts' order, dynamic programming picks the one that best agrees on the
speakers, on the turns' lengths (relative to the two texts' overall ratio: Chinese takes fewer characters)
and on the tokens a translation keeps as they are (numbers, Latin names and acronyms). A turn paired with
nothing is in one version only: translations leave questions out.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Mapping

# what a translation keeps as it is: numbers and Latin-script words ("5G", "WHO", "2020", "Pompeo")
_KEPT = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z][A-Za-z'-]+")
# scores: a pair of turns holding the floor alike earns MATCH, less for disagreeing lengths and speakers,
# more for the kept tokens both have (as a share of the fewer: a Chinese turn keeps few, its translation
# all of them); leaving a turn unpaired costs GAP (two gaps cost more than any plausible pair, so order
# alone pairs turns when nothing else tells)
MATCH = 1.0
GAP = -0.6
LENGTH_WEIGHT = 0.4
SPEAKER_MISMATCH = 0.8
SHARED_WEIGHT = 0.6


@dataclass(frozen=True)
class TurnText:
    speaker: str
    role: str
    start: int
    end: int
    text: str
    tokens: frozenset[str]


def turn_texts(st: Mapping) -> list[TurnText]:
    """The statement's turns with their text (its paragraphs start..end); no turns, no alignment."""
    out = []
    for t in st.get("turns") or []:
        text = "\n".join(st["paragraphs"][t["start"]:t["end"]])
        out.append(TurnText(t["speaker"], t["role"], t["start"], t["end"], text,
                            frozenset(w.lower() for w in _KEPT.findall(text))))
    return out


def _score(a: TurnText, b: TurnText, ratio: float, names: Mapping[str, str]) -> float | None:
    """How well `a` and `b` pair; None when they cannot (not holding the floor alike)."""
    if a.role != b.role:
        return None
    score = MATCH - LENGTH_WEIGHT * abs(math.log(max(len(a.text), 1) * ratio / max(len(b.text), 1)))
    if a.role != "question" and names.get(a.speaker, a.speaker) != names.get(b.speaker, b.speaker):
        score -= SPEAKER_MISMATCH
    fewer = min(len(a.tokens), len(b.tokens))
    return score + (SHARED_WEIGHT * len(a.tokens & b.tokens) / fewer if fewer else 0.0)


def align(left: list[TurnText], right: list[TurnText], names: Mapping[str, str] = {}) -> list[tuple[int | None, int | None]]:
    """Pairs of turn indexes in order; (i, None) or (None, j) for a turn the other version lacks. `names`
    gives speakers one spelling across the versions (耿爽 = Geng Shuang)."""
    total_left, total_right = sum(len(t.text) for t in left), sum(len(t.text) for t in right)
    ratio = total_right / total_left if total_left and total_right else 1.0
    n, m = len(left), len(right)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    step = [[""] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        best[i][0], step[i][0] = best[i - 1][0] + GAP, "left"
    for j in range(1, m + 1):
        best[0][j], step[0][j] = best[0][j - 1] + GAP, "right"
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            choices = [(best[i - 1][j] + GAP, "left"), (best[i][j - 1] + GAP, "right")]
            pair = _score(left[i - 1], right[j - 1], ratio, names)
            if pair is not None:
                choices.append((best[i - 1][j - 1] + pair, "pair"))
            best[i][j], step[i][j] = max(choices)
    out: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:
        move = step[i][j]
        if move == "pair":
            i, j = i - 1, j - 1
            out.append((i, j))
        elif move == "left":
            i -= 1
            out.append((i, None))
        else:
            j -= 1
            out.append((None, j))
    return out[::-1]


def unpaired(pairs: list[tuple[int | None, int | None]]) -> int:
    """Turns in one version only."""
    return sum(1 for a, b in pairs if a is None or b is None)


def aligned_turns(left: Mapping, right: Mapping, names: Mapping[str, str] = {}) -> list[dict]:
    """The two versions as rows of paired turns, each side {speaker, role, paragraphs: [{n, text}]} with
    its paragraph numbers as the statement page numbers them (anchor `p<n>`), or None for a turn that side
    lacks."""
    sides = turn_texts(left), turn_texts(right)

    def side(st: Mapping, turns: list[TurnText], i: int | None) -> dict | None:
        if i is None:
            return None
        t = turns[i]
        return {"speaker": t.speaker, "role": t.role,
                "paragraphs": [{"n": n + 1, "text": st["paragraphs"][n]} for n in range(t.start, t.end)]}
    return [{"left": side(left, sides[0], i), "right": side(right, sides[1], j)}
            for i, j in align(*sides, names)]
