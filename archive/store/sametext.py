"""One text published by several ministries (a G7 statement on state.gov and gov.uk), or by one ministry at
two addresses: recognised by the shingles of its paragraphs (docs/same-text.md says why these numbers).

A statement's signature is a fixed sample of the hashes of its shingles: five words in a row within a
paragraph (eight characters for Chinese and Japanese, written without spaces), lowercased, punctuation and
typographic quotes left out. Sampling by the hash's value, not by position, keeps the same shingles of
every text, so that the shares of the sample two texts have in common estimate those of their whole
shingles: the Jaccard index for two copies, the containment of the shorter in the longer for a statement
quoted whole in a longer page.

Signatures are written by the save that writes the text (Store._save, in its transaction), and so are the
links between statements whose signatures meet the threshold: the store and its links never disagree.
Texts are compared only within one language, so a translation is never its original's copy (the two are
versions: store/versions.py), and a statement is never compared with itself, whatever its revisions.
"""
from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.engine import Connection

from .tables import same_texts, statements, text_shingles, text_signatures

WORDS_PER_SHINGLE = 5
CHARS_PER_SHINGLE = 8
# languages written without spaces between words: their shingles are runs of characters
UNSPACED = frozenset({"zh", "ja"})
# one shingle in SAMPLE is kept (those whose hash is 0 modulo SAMPLE)
SAMPLE = 4
# two texts are one when their samples' Jaccard index reaches JACCARD, or when the shorter's sample lies in the
# longer's to CONTAINED and is at least SHORTER of it (a joint statement under a ministry's own introduction,
# not a statement read out in a long briefing); either way the shorter must have MIN_SAMPLE sampled shingles
# (about 100 words), below which a shared closing formula or a template's sentences are enough
JACCARD = 0.7
CONTAINED = 0.9
SHORTER = 0.5
MIN_SAMPLE = 20
# statements signed per transaction when an archive stored before signatures is signed (`reindex`)
SIGN_BATCH = 200

_WORD = re.compile(r"\w+")


def language_of(tag: str) -> str:
    """The primary language of a BCP 47 tag: en-GB and en are one language here."""
    return tag.split("-")[0].lower()


def _units(paragraph: str, language: str) -> list[str]:
    text = unicodedata.normalize("NFKC", paragraph).casefold()
    if language in UNSPACED:
        return [c for c in text if c.isalnum()]
    return _WORD.findall(text)


def _hash(shingle: str) -> int:
    # signed 64 bits, what a BIGINT column holds on SQLite and PostgreSQL alike
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def signature(paragraphs: Iterable[str], language: str) -> set[int]:
    """The sampled shingle hashes of a text. Shingles stay within a paragraph, so a paragraph added or left
    out (an introduction, a list of signatories) changes only its own; a paragraph shorter than a shingle
    is one shingle."""
    lang = language_of(language)
    k, joiner = (CHARS_PER_SHINGLE, "") if lang in UNSPACED else (WORDS_PER_SHINGLE, " ")
    out = set()
    for paragraph in paragraphs:
        units = _units(paragraph, lang)
        if not units:
            continue
        for i in range(max(1, len(units) - k + 1)):
            h = _hash(joiner.join(units[i:i + k]))
            if h % SAMPLE == 0:
                out.add(h)
    return out


def similarity(size_a: int, size_b: int, common: int) -> float | None:
    """How alike two texts are, from their samples' sizes and what they share: the Jaccard index, or for
    a text contained in a longer one its containment; None below the threshold."""
    smaller, larger = sorted((size_a, size_b))
    if smaller < MIN_SAMPLE or common == 0:
        return None
    jaccard = common / (size_a + size_b - common)
    if jaccard >= JACCARD:
        return round(jaccard, 3)
    contained = common / smaller
    return round(contained, 3) if contained >= CONTAINED and smaller >= SHORTER * larger else None


# built once: a save signs every statement it writes, and building the statements cost more than running them
_SID = bindparam("sid")
_FORGET = [text_shingles.delete().where(text_shingles.c.statement_id == _SID),
           text_signatures.delete().where(text_signatures.c.statement_id == _SID),
           same_texts.delete().where(same_texts.c.statement_id == _SID),
           same_texts.delete().where(same_texts.c.other_id == _SID)]
_MINE, _THEIRS = text_shingles.alias("mine"), text_shingles.alias("theirs")
_COMMON = func.count().label("common")
_SHARED = (select(_THEIRS.c.statement_id, _COMMON)
           .join(_MINE, and_(_MINE.c.shingle == _THEIRS.c.shingle, _MINE.c.statement_id == _SID))
           .where(_THEIRS.c.statement_id != _SID)
           .group_by(_THEIRS.c.statement_id).having(_COMMON >= bindparam("needed")).subquery())
_CANDIDATES = (select(_SHARED.c.statement_id, _SHARED.c.common, text_signatures.c.size)
               .join(text_signatures, text_signatures.c.statement_id == _SHARED.c.statement_id)
               .where(text_signatures.c.language == bindparam("language")))


def sign(conn: Connection, sid: str, paragraphs: list[str], language: str) -> None:
    """Write the signature of the statement `sid`'s text and its links to the other statements holding the
    same text, in the transaction of `conn`, replacing what an earlier text of it had."""
    for forget in _FORGET:
        conn.execute(forget, {"sid": sid})
    lang = language_of(language)
    sample = signature(paragraphs, lang)
    conn.execute(text_signatures.insert(), {"statement_id": sid, "language": lang, "size": len(sample)})
    if not sample:
        return
    conn.execute(text_shingles.insert(), [{"shingle": h, "statement_id": sid} for h in sample])
    if len(sample) < MIN_SAMPLE:
        return
    # the fewest shared shingles that reach either threshold, whatever the other's size (less a hair for the
    # rounding of 0.7 * 10)
    needed = math.ceil(min(JACCARD * len(sample), CONTAINED * max(MIN_SAMPLE, SHORTER * len(sample))) - 1e-9)
    links = []
    for other, n, size in conn.execute(_CANDIDATES, {"sid": sid, "needed": needed, "language": lang}):
        score = similarity(len(sample), size, n)
        if score is not None:
            links += [{"statement_id": sid, "other_id": other, "similarity": score},
                      {"statement_id": other, "other_id": sid, "similarity": score}]
    if links:
        conn.execute(same_texts.insert(), links)


_COPY = (same_texts.c.statement_id, same_texts.c.similarity, statements.c.id, statements.c.source,
         statements.c.country, statements.c.ministry, statements.c.url, statements.c.title, statements.c.date,
         statements.c.language)


class SameTextStore:
    """The signatures and the same-text links; mixed into Store (which gives `engine`)."""

    def copies_among(self, ids: list[str]) -> dict[str, list[dict]]:
        """For each of `ids` that has any, the other statements holding its text (source, country, ministry,
        id, url, title, date, language, similarity), the closest first."""
        if not ids:
            return {}
        query = (select(*_COPY).join(statements, statements.c.id == same_texts.c.other_id)
                 .where(same_texts.c.statement_id.in_(ids))
                 .order_by(same_texts.c.similarity.desc(), statements.c.country, statements.c.date, statements.c.id))
        out: dict[str, list[dict]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                copy = dict(row)
                out.setdefault(copy.pop("statement_id"), []).append(copy)
        return out

    def copies(self, sid: str) -> list[dict]:
        """The other statements holding the text of `sid`, the closest first."""
        return self.copies_among([sid]).get(sid, [])

    def copies_within(self, country: str) -> list[tuple]:
        """Pairs of statements of `country` holding one text (a ministry publishing it at two addresses),
        each pair once, as (id, source, date) of one end followed by those of the other."""
        mine, other = statements.alias("mine"), statements.alias("other")
        query = (select(mine.c.id, mine.c.source, mine.c.date, other.c.id, other.c.source, other.c.date)
                 .select_from(same_texts.join(mine, mine.c.id == same_texts.c.statement_id)
                              .join(other, other.c.id == same_texts.c.other_id))
                 .where(mine.c.country == country, other.c.country == country,
                        same_texts.c.statement_id < same_texts.c.other_id))
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]

    def sign_unsigned(self, batch: int = SIGN_BATCH) -> int:
        """Sign the statements stored before signatures were (and link them), a batch per transaction; how
        many were signed."""
        done = 0
        while True:
            with self.engine.begin() as conn:
                rows = conn.execute(
                    select(statements.c.id, statements.c.paragraphs, statements.c.language)
                    .where(statements.c.id.not_in(select(text_signatures.c.statement_id)))
                    .order_by(statements.c.id).limit(batch)).all()
                for sid, paragraphs, language in rows:
                    sign(conn, sid, paragraphs, language)
            done += len(rows)
            if len(rows) < batch:
                return done
