"""Place and country names across the archive's languages: a query for `Taiwan` also finds 台湾 and Тайвань.

The names are CLDR's, through Babel (`Locale(lang).territories`), never a table of our own: one name in any
declared language stands for its territory, and a bare name in a query (or a quoted phrase that is exactly a
name) is searched as that territory's name in every declared language (the rewrite: search.expansion).
"""
from __future__ import annotations

from functools import cache

from .expansion import Finder, key

# the languages the archive holds statements in (and Japanese, whose 台湾 and 日本 are also Chinese spellings)
LANGUAGES = ("en", "zh", "ja", "ru")
# CLDR's codes that name no place: groupings (European Union, Eurozone, United Nations, Outlying Oceania),
# pseudo-locales and the unknown region
NOT_PLACES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
# "South Korea", "United Arab Emirates"; longer official forms are rarely typed
MAX_NAME_WORDS = 3


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
            code_of.setdefault(key(name), code)
            names = names_of.setdefault(code, [])
            if key(name) not in map(key, names):
                names.append(name)
    return code_of, {code: tuple(names) for code, names in names_of.items()}


def is_place(name: str) -> bool:
    """Whether `name` is a CLDR name of a country or territory in one of LANGUAGES."""
    return key(name) in _names()[0]


def place_names(name: str) -> list[str]:
    """Every name of the place `name` names, in LANGUAGES' order ([] when it names none)."""
    code_of, names_of = _names()
    code = code_of.get(key(name))
    return list(names_of[code]) if code else []


PLACES = Finder("place", place_names, max_words=MAX_NAME_WORDS, phrases=True)
