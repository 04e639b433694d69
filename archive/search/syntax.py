"""The query syntax and limits as the help page and its JSON twin tell them to readers."""
from __future__ import annotations

from .query import MAX_QUERY_CHARS, MAX_TERMS
from .searcher import TIME_LIMIT

# the query syntax, for the help page and its JSON twin; each example is a query a reader can run
SYNTAX = [
    {"syntax": "missile deployment", "means": "statements with all of these words (English words are stemmed: "
                                              "deployments finds deployment)"},
    {"syntax": '"Nansei islands"', "means": "the exact phrase; straight or curly quotes"},
    {"syntax": "Taiwan OR Taipei", "means": "either word"},
    {"syntax": "sanctions -Russia", "means": "without a word (also NOT Russia)"},
    {"syntax": "(Japan OR Philippines) AND missile", "means": "grouping"},
    {"syntax": "title:briefing", "means": "a word in one field: title, text, speaker, country, source, kind, "
                                          "language"},
    {"syntax": "kind:press-conference country:CN", "means": "exact values of a statement's fields"},
    {"syntax": "date:2024-11-01..2024-11-30", "means": "a date range, as the ministry dated it; also "
                                                       "date:2024-11, date:2024, date:..2023-12-31"},
    {"syntax": "Taiwan", "means": "a country's or place's name is also searched in the archive's other languages "
                              "(台湾, Тайвань; names from CLDR); exact=1 searches it only as typed"},
    {"syntax": "missile", "means": "a word is also searched as its translations in a lexicon mined from the "
                               "archive's own Chinese and English transcripts (导弹); the results page lists each "
                               "one with a link to search without it (drop=导弹), and exact=1 searches none"},
    {"syntax": "台湾问题", "means": "Chinese is split into words; parts of long words are found too "
                                   "(制裁 finds 单边制裁)"},
]
LIMITS = {"max_query_characters": MAX_QUERY_CHARS, "max_words": MAX_TERMS, "time_limit_seconds": TIME_LIMIT,
          "wildcards": "not supported: one a* can expand to thousands of words"}
