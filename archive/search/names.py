"""Place and country names across the archive's languages: a query for `Taiwan` also finds 台湾 and Тайвань.

The names are CLDR's, through Babel (`Locale(lang).territories`), never a table of our own: one name in any
declared language stands for its territory, and a bare name in a query is searched as that territory's name in
every declared language. The rewrite is conservative: whole words only, a quoted phrase only when it is exactly
a name, and field queries, excluded words and operators are left as typed.
"""
from __future__ import annotations

import re
from functools import cache

from .query import plain_quotes

# the languages the archive holds statements in (and Japanese, whose 台湾 and 日本 are also Chinese spellings)
LANGUAGES = ("en", "zh", "ja", "ru")
# CLDR's codes that name no place: groupings (European Union, Eurozone, United Nations, Outlying Oceania),
# pseudo-locales and the unknown region
NOT_PLACES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
# "South Korea", "United Arab Emirates"; longer official forms are rarely typed
MAX_NAME_WORDS = 3
_OPERATORS = {"AND", "OR", "NOT"}
_TOKEN = re.compile(r'"[^"]*"|\S+')


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@cache
def _names() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(name → territory code, code → its names in LANGUAGES' order, without repeats); loaded once, on the
    first search, as Babel's data takes a moment to read."""
    from babel import Locale
    code_of, names_of = {}, {}
    for lang in LANGUAGES:
        for code, name in Locale(lang).territories.items():
            # alphabetic codes are countries and territories; numeric ones are continents and "world"
            if not code.isalpha() or code in NOT_PLACES:
                continue
            # a name two territories share (none today) keeps the first language's meaning
            code_of.setdefault(_key(name), code)
            names = names_of.setdefault(code, [])
            if _key(name) not in map(_key, names):
                names.append(name)
    return code_of, {code: tuple(names) for code, names in names_of.items()}


def _plain_word(token: str) -> bool:
    """Whether a token is an ordinary word of the text: no phrase, operator, field, exclusion or group."""
    return (token not in _OPERATORS and not token.startswith(("-", "+"))
            and not any(mark in token for mark in '":()'))


def _quoted(name: str) -> str:
    return f'"{name}"' if len(name.split()) > 1 else name


def expand(text: str) -> tuple[str, list[dict]]:
    """The query with each name of a place searched in every declared language, and the expansions made:
    {"term": as typed, "names": the other names searched}. A query without names comes back unchanged."""
    tokens = _TOKEN.findall(plain_quotes(text))
    code_of, names_of = _names()
    out, expansions, i = [], [], 0
    while i < len(tokens):
        for n in range(min(MAX_NAME_WORDS, len(tokens) - i), 0, -1):
            # an excluded name (NOT Taiwan) stays as typed, as -Taiwan does
            found = _match(tokens[i:i + n], code_of) if tokens[i - 1:i] != ["NOT"] else None
            if found:
                opening, term, closing, code = found
                others = [name for name in names_of[code] if _key(name) != _key(term)]
                if others:
                    group = " OR ".join(_quoted(name) for name in [term, *others])
                    out.append(f"{opening}({group}){closing}")
                    expansions.append({"term": term, "names": others})
                    i += n
                    break
        else:
            out.append(tokens[i])
            i += 1
    return (" ".join(out) if expansions else text), expansions


def _match(run: list[str], code_of: dict[str, str]) -> tuple[str, str, str, str] | None:
    """(opening parentheses, the name as typed, closing parentheses, its code) when the run of tokens is one
    name; a group's parentheses may open before its first word and close after its last."""
    first, last = run[0], run[-1]
    if len(run) == 1 and first.startswith('"'):
        term = " ".join(first.strip('"').split())
        code = code_of.get(_key(term))
        return ("", term, "", code) if code else None
    opening = first[:len(first) - len(first.lstrip("("))]
    closing = last[len(last.rstrip(")")):]
    words = [first[len(opening):], *run[1:-1], last[:len(last) - len(closing)]] if len(run) > 1 else [
        first[len(opening):len(first) - len(closing)]]
    if not all(w and _plain_word(w) for w in words):
        return None
    term = " ".join(words)
    code = code_of.get(_key(term))
    return (opening, term, closing, code) if code else None
