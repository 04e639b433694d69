"""Mining the lexicon (archive.search.lexicon) from the archive's own bilingual transcripts.

Units. Each stored Chinese statement whose English version is stored too (the translations table; the China
MFA's press conferences) is aligned with it turn by turn (archive.alignment). Two aligned turns with as many
paragraphs each are counted paragraph by paragraph (the translations keep an answer's paragraphs more often
than not), other aligned turns whole; a turn one version lacks is not counted. A unit holds the set of terms of
each side, as the index analyses them: English words lowercased and stemmed (`missiles` → missil), of two
letters or more; Chinese words as jieba segments a query, of two characters or more.

Statistic. For an English term e and a Chinese word z, the 2×2 table of units that hold both, one or neither
gives Dunning's log-likelihood ratio G² (Dunning 1993). A pair is kept when it is in at least MIN_JOINT units
together, its G² is at least MIN_LLR, and it is together at least MIN_LIFT times as often as chance would put
it (joint·N / (count(e)·count(z))): words in most turns (`the`, 的) can reach a large G² and are kept out by the
lift. Of the pairs kept, each word keeps its TOP best by G², and a pair stays only when each word is among the
other's TOP best (mutual), so that `missile` keeps 导弹 but not 美国, which is in the same answers and has
better English words of its own. Last, a word keeps only the translations whose G² is at least RELATIVE of its
best one's: `epidemic` keeps 疫情 but not 防控 ("prevention and control"), which goes with it, a third as strongly.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator

import numpy as np

from ..alignment import align, turn_texts
from ..cite.versions import linked
from ..index.analysis import highlight_tokens
from ..model import utcnow
from ..search.lexicon import Lexicon
from ..sources import SOURCES

ORIGINAL, TRANSLATION = "zh", "en"
MIN_JOINT = 3
MIN_LLR = 20.0
MIN_LIFT = 4.0
TOP = 3
RELATIVE = 0.4
_ENGLISH = re.compile(r"[a-z]{2,}")
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
# units counted at once: two dense chunks of this many rows stay within tens of MB at any vocabulary
_CHUNK = 2000


def _terms(text: str, pattern: re.Pattern, spellings: Counter | None = None) -> frozenset[str]:
    """The index terms of `text` that `pattern` takes, counting each English term's spellings as written."""
    out = set()
    for t in highlight_tokens(text):
        if pattern.fullmatch(t.text):
            out.add(t.text)
            if spellings is not None:
                spellings[t.text, text[t.startchar:t.endchar].lower()] += 1
    return frozenset(out)


def _unit_texts(zh: dict, en: dict) -> Iterator[tuple[str, str]]:
    """(Chinese text, English text) of each unit of one conference in its two versions."""
    names = SOURCES[zh["source"]].versions.names
    left, right = turn_texts(zh), turn_texts(en)
    for i, j in align(left, right, names):
        if i is None or j is None:
            continue
        a, b = left[i], right[j]
        if a.end - a.start == b.end - b.start:
            yield from zip(zh["paragraphs"][a.start:a.end], en["paragraphs"][b.start:b.end])
        else:
            yield a.text, b.text


def conferences(store, chosen: Callable[[dict], bool] = lambda st: True) -> Iterator[tuple[dict, dict]]:
    """(Chinese statement, its stored English version) for each stored Chinese statement with turns that
    `chosen` takes and whose English version is stored."""
    for st in store.iter_statements():
        if st["language"] != ORIGINAL or not st.get("turns") or not chosen(st):
            continue
        other = linked(store, st)["translation"]
        if other is not None and other["language"] == TRANSLATION and other.get("turns"):
            yield st, other


def mine(store, chosen: Callable[[dict], bool] = lambda st: True,
         progress: Callable[[int], None] | None = None) -> Lexicon:
    """The lexicon of the stored conferences that `chosen` takes (a Chinese statement: all by default);
    `progress` is told how many conferences have been read."""
    units: list[tuple[frozenset[str], frozenset[str]]] = []
    spellings: Counter = Counter()
    n = 0
    for zh, en in conferences(store, chosen):
        for zh_text, en_text in _unit_texts(zh, en):
            units.append((_terms(en_text, _ENGLISH, spellings), _terms(zh_text, _CHINESE)))
        n += 1
        if progress:
            progress(n)
    pairs, counts = _pairs(units)
    usual = {}
    for (term, spelling), k in sorted(spellings.items(), key=lambda kv: -kv[1]):
        usual.setdefault(term, spelling)
    entries: dict[str, dict[str, dict]] = {TRANSLATION: {}, ORIGINAL: {}}
    for (e, z), scores in pairs.items():
        for lang, word, other, other_lang in ((TRANSLATION, e, z, ORIGINAL), (ORIGINAL, z, e, TRANSLATION)):
            entry = entries[lang].setdefault(word, {"word": usual.get(word, word), "count": counts[word],
                                                    "translations": []})
            entry["translations"].append({"word": usual.get(other, other), "term": other, **scores})
    for by_term in entries.values():
        for entry in by_term.values():
            best = max(t["llr"] for t in entry["translations"])
            entry["translations"] = sorted((t for t in entry["translations"] if t["llr"] >= RELATIVE * best),
                                           key=lambda t: -t["llr"])
    about = {"built": utcnow().isoformat(timespec="seconds"), "conferences": n, "units": len(units),
             "languages": [TRANSLATION, ORIGINAL], "pairs": len(pairs),
             "statistic": "log-likelihood ratio G² over aligned units, mutual best",
             "min_joint": MIN_JOINT, "min_llr": MIN_LLR, "min_lift": MIN_LIFT, "top": TOP,
             "relative": RELATIVE}
    return Lexicon(entries, about)


def _pairs(units: list[tuple[frozenset[str], frozenset[str]]]) -> tuple[dict, Counter]:
    """The (English term, Chinese word) pairs the statistic keeps, each with its scores, and every term's
    number of units."""
    n = len(units)
    en_count = Counter(t for e, _ in units for t in e)
    zh_count = Counter(t for _, z in units for t in z)
    # a word in more than 1/MIN_LIFT of the units cannot reach the lift with anything
    en_vocab = sorted(t for t, c in en_count.items() if MIN_JOINT <= c <= n / MIN_LIFT)
    zh_vocab = sorted(t for t, c in zh_count.items() if MIN_JOINT <= c <= n / MIN_LIFT)
    if not en_vocab or not zh_vocab:
        return {}, en_count + zh_count
    en_at, zh_at = {t: i for i, t in enumerate(en_vocab)}, {t: i for i, t in enumerate(zh_vocab)}
    joint = np.zeros((len(en_vocab), len(zh_vocab)), np.float32)
    for start in range(0, n, _CHUNK):
        chunk = units[start:start + _CHUNK]
        e_rows = np.zeros((len(chunk), len(en_vocab)), np.float32)
        z_rows = np.zeros((len(chunk), len(zh_vocab)), np.float32)
        for r, (e, z) in enumerate(chunk):
            e_rows[r, [en_at[t] for t in e if t in en_at]] = 1
            z_rows[r, [zh_at[t] for t in z if t in zh_at]] = 1
        joint += e_rows.T @ z_rows
    ei, zi = np.nonzero(joint >= MIN_JOINT)
    k = joint[ei, zi].astype(np.float64)
    ce = np.array([en_count[en_vocab[i]] for i in ei], np.float64)
    cz = np.array([zh_count[zh_vocab[i]] for i in zi], np.float64)
    llr = _g2(k, ce, cz, n)
    lift = k * n / (ce * cz)
    keep = (llr >= MIN_LLR) & (lift >= MIN_LIFT)
    ranked = sorted(zip(llr[keep].tolist(), ei[keep].tolist(), zi[keep].tolist(), k[keep].tolist(),
                        lift[keep].tolist()), reverse=True)
    best_of_en, best_of_zh = defaultdict(list), defaultdict(list)
    for g2, e, z, _, _ in ranked:
        if len(best_of_en[e]) < TOP:
            best_of_en[e].append(z)
        if len(best_of_zh[z]) < TOP:
            best_of_zh[z].append(e)
    pairs = {(en_vocab[e], zh_vocab[z]): {"joint": int(j), "llr": round(g2, 1), "lift": round(li, 2)}
             for g2, e, z, j, li in ranked if z in best_of_en[e] and e in best_of_zh[z]}
    return pairs, en_count + zh_count


def _g2(k11: np.ndarray, row: np.ndarray, col: np.ndarray, n: int) -> np.ndarray:
    """Dunning's G² of the 2×2 tables with `k11` units holding both words, `row` and `col` each word's."""
    cells = ((k11, row, col), (row - k11, row, n - col), (col - k11, n - row, col),
             (n - row - col + k11, n - row, n - col))
    total = np.zeros_like(k11)
    for observed, r, c in cells:
        expected = r * c / n
        with np.errstate(divide="ignore", invalid="ignore"):
            total += np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    return 2 * total
