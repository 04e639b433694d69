"""Old import path of the index's analyzers, kept for existing indexes only.

Whoosh pickles analyzer classes into each index it writes; indexes written before `archive/index/` existed
name them `archive.analysis.*`. New code imports `archive.index.analysis`.
"""
from .index.analysis import LatinStemFilter, MultilingualTokenizer  # noqa: F401
