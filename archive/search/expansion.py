"""A query's bare words and names also searched in the other languages' spellings: `Taiwan` as
(Taiwan OR 台湾 OR Тайвань), `missile` as (missile OR 导弹).

What a term's other spellings are is a finder's knowledge (search.names: places, by CLDR; search.lexicon:
words mined from the archive's own bilingual transcripts); this module only rewrites the query, and
conservatively: whole words only, a quoted phrase only for a finder that takes phrases and only when it is
exactly one of its terms, and field queries, excluded words and operators are left as typed. A reader may
drop any other spelling (the results page's chips): a term whose others are all dropped is searched as typed.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from .query import plain_quotes

_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(r'"[^"]*"|\S+')


@dataclass(frozen=True)
class Finder:
    """One kind of expansion: `others` gives a term's other spellings ([] for none)."""
    kind: str
    others: Callable[[str], list[str]]
    # the longest run of words one term may be ("South Korea", "United Arab Emirates")
    max_words: int = 1
    # whether a quoted phrase may be a term: a quoted name is still a name, a quoted word asks for that word
    phrases: bool = False


def key(spelling: str) -> str:
    """A spelling as compared: case and spacing aside."""
    return " ".join(spelling.split()).casefold()


def _plain_word(token: str) -> bool:
    """Whether a token is an ordinary word of the text: no phrase, operator, field, exclusion or group."""
    return (token not in _OPERATORS and not token.startswith(("-", "+"))
            and not any(mark in token for mark in '":()'))


def _quoted(spelling: str) -> str:
    return f'"{spelling}"' if len(spelling.split()) > 1 else spelling


def expand(text: str, finders: Sequence[Finder], dropped: Collection[str] = ()) -> tuple[str, list[dict]]:
    """The query with each term a finder knows searched in its other spellings too (the first finder that
    has any wins), and the expansions made: {"term": as typed, "names": the other spellings searched,
    "kind": the finder's}. Spellings in `dropped` (compared by `key`) are left out. A query without any
    comes back unchanged."""
    tokens = _TOKEN.findall(plain_quotes(text))
    dropped = {key(d) for d in dropped}
    longest = max((f.max_words for f in finders), default=0)
    out, expansions, i = [], [], 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            # an excluded word (NOT Taiwan) stays as typed, as -Taiwan does
            run = _run(tokens[i:i + n]) if tokens[i - 1:i] != ["NOT"] else None
            found = run and _others(finders, run[1], n, run[3], dropped)
            if found:
                opening, term, closing, _ = run
                kind, others = found
                group = " OR ".join(_quoted(spelling) for spelling in [term, *others])
                out.append(f"{opening}({group}){closing}")
                expansions.append({"term": term, "names": others, "kind": kind})
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return (" ".join(out) if expansions else text), expansions


def _others(finders: Sequence[Finder], term: str, words: int, quoted: bool,
            dropped: set[str]) -> tuple[str, list[str]] | None:
    for finder in finders:
        if words > finder.max_words or (quoted and not finder.phrases):
            continue
        others = [o for o in finder.others(term) if key(o) != key(term) and key(o) not in dropped]
        if others:
            return finder.kind, others
    return None


def _run(run: list[str]) -> tuple[str, str, str, bool] | None:
    """(opening parentheses, the term as typed, closing parentheses, whether it was quoted) when the run of
    tokens can be one term; a group's parentheses may open before its first word and close after its last."""
    first, last = run[0], run[-1]
    if len(run) == 1 and first.startswith('"'):
        term = " ".join(first.strip('"').split())
        return ("", term, "", True) if term else None
    opening = first[:len(first) - len(first.lstrip("("))]
    closing = last[len(last.rstrip(")")):]
    words = [first[len(opening):], *run[1:-1], last[:len(last) - len(closing)]] if len(run) > 1 else [
        first[len(opening):len(first) - len(closing)]]
    if not all(w and _plain_word(w) for w in words):
        return None
    return opening, " ".join(words), closing, False
