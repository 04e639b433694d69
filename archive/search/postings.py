"""Posting lists as numpy arrays, read from Whoosh's own files a block at a time.

Whoosh's matchers step through postings one Python call per document (`skip_to`, `id`, `weight`, an
unpickled value per candidate); most of a phrase or boolean search went there. Here a term's whole posting
list is read per segment: each block of 128 postings is one zlib + pickle load in C, turned into arrays
of global document numbers and weights. Positions stay as the pickled bytes Whoosh wrote, gathered and
unpickled in one call for just the candidates a phrase asks about.

This reads the W3 codec's block format directly, so it is tied to the Whoosh version it was written
against: `CODEC_VERSION` (checked by a test and when a reader is opened).
"""
from __future__ import annotations

import os
import pickle
import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from io import BytesIO, UnsupportedOperation
from itertools import chain

import numpy as np
import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3TermsReader, _lenfield
from whoosh.formats import Positions
from whoosh.reading import TermNotFound
from whoosh.util.numeric import _length_byte_cache

# the Whoosh release whose W3 posting blocks this module decodes
CODEC_VERSION = (2, 7, 5)
# decoded arrays kept per searcher (per index generation): documents and weights take 8 bytes a posting,
# a term's positions (pickled or decoded) several times that
CACHE_BYTES = 128 * 1024 * 1024
_BLOCK_LENGTH = struct.Struct("!i")
# a stored position list: 4 bytes of count, then pickle protocol 2 (b"\x80\x02" ... b".")
_VALUE_HEAD, _VALUE_TAIL = 6, 1
# Whoosh's field-length bytes back to the lengths its scorer sees
_BYTE_TO_LENGTH = np.asarray(_length_byte_cache, dtype=np.float64)


# what `column` caches for a field some segment has no column of
_NO_COLUMN = np.zeros(0, np.uint64)


class CodecMismatch(RuntimeError):
    """The index or the installed Whoosh is not the posting format this module reads."""


def check_codec(reader) -> None:
    if tuple(whoosh.__version__[:3]) != CODEC_VERSION:
        raise CodecMismatch(f"Whoosh {whoosh.versionstring()} installed; postings.py reads {CODEC_VERSION}")
    for leaf, _ in reader.leaf_readers():
        if not isinstance(leaf.codec(), W3Codec) or type(leaf._terms) is not W3TermsReader:
            raise CodecMismatch(f"segment codec {type(leaf.codec()).__name__} is not W3Codec")


@dataclass(frozen=True)
class TermPostings:
    """One term's live postings over all segments, in global document order."""
    docs: np.ndarray  # int32, sorted
    weights: np.ndarray  # float32, as Whoosh stores them

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.weights.nbytes


@dataclass(frozen=True)
class PairPostings:
    """A word pair's live postings over all segments, in global document order."""
    docs: np.ndarray  # int32, sorted
    counts: np.ndarray  # float32 (n, 2): how often the pair's first and second word occur in each document

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.counts.nbytes


@dataclass(frozen=True)
class StoredPositions:
    """A positional term's stored values (pickled position lists) end to end, with where each live
    posting's begins and ends: kept apart from its documents and weights, and only once a phrase has
    asked, as they take several times the room."""
    values: np.ndarray  # uint8
    starts: np.ndarray  # int32
    ends: np.ndarray  # int32

    @property
    def nbytes(self) -> int:
        return self.values.nbytes + self.starts.nbytes + self.ends.nbytes

    def decode(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For the postings at `idx`: how many positions each has, and those positions end to end."""
        if not len(idx):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        starts = self.starts[idx].astype(np.int64) + _VALUE_HEAD
        # every selected pickle body, gathered into one pickle of a list of lists: one C call
        body = self.values[_spans(starts, self.ends[idx] - _VALUE_TAIL - starts)].tobytes()
        lists = pickle.loads(b"\x80\x02(" + body + b"l.")
        counts = np.fromiter(map(len, lists), np.int64, len(lists))
        deltas = np.fromiter(chain.from_iterable(lists), np.int64, counts.sum())
        # Whoosh stores each list as deltas from the previous position
        running = np.cumsum(deltas)
        firsts = np.cumsum(counts) - counts
        return counts, running - np.repeat(running[firsts] - deltas[firsts], counts)


@dataclass(frozen=True)
class DecodedPositions:
    """All of a term's positions as integers, kept once a phrase has asked for most of its postings:
    unpickling them is most of a phrase search. Narrow integers, so that more terms fit the cache."""
    counts: np.ndarray  # int32, per posting
    flat: np.ndarray  # every posting's positions end to end: uint16 where they fit, else int32

    @classmethod
    def of(cls, counts: np.ndarray, flat: np.ndarray) -> "DecodedPositions":
        narrow = np.uint16 if not len(flat) or flat.max() < 2 ** 16 else np.int32
        return cls(counts.astype(np.int32), flat.astype(narrow))

    @property
    def nbytes(self) -> int:
        return self.counts.nbytes + self.flat.nbytes

    def select(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts = self.counts[idx].astype(np.int64)
        firsts = np.cumsum(self.counts, dtype=np.int64) - self.counts
        return counts, self.flat[_spans(firsts[idx], counts)].astype(np.int64)


def _spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indexes of the spans [start, start + length), end to end."""
    before = np.cumsum(lengths) - lengths
    return np.repeat(starts - before, lengths) + np.arange(lengths.sum())


def _read(structfile, offset: int, length: int) -> bytes:
    """Bytes of a segment file without moving its shared file position: Whoosh's `get` seeks, then
    reads, and another thread's matcher may seek in between."""
    try:
        fd = structfile.file.fileno()
    except (AttributeError, OSError, UnsupportedOperation):  # a file in memory
        return structfile.get(offset, length)
    return os.pread(fd, length, offset)


def _blocks(buf: bytes):
    """(ids, weights, values) of each block of one posting list as Whoosh's W3PostingsWriter wrote it."""
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        raise CodecMismatch("posting list without the W3 block header")
    pos, last = 4, False
    while not last:
        (length,) = _BLOCK_LENGTH.unpack_from(buf, pos)
        last, length = length < 0, abs(length)
        block = BytesIO(buf[pos + 4:pos + 4 + length])
        count, _, _, compression, _, _ = pickle.Unpickler(block).load()
        data = block.read()
        ids, weights, values = pickle.loads(zlib.decompress(data) if compression else data)
        ids = np.cumsum(np.asarray(ids, np.int64))  # delta-coded within the block
        if weights is None:
            weights = np.ones(count)
        elif isinstance(weights, float):
            weights = np.full(count, weights)
        yield ids, np.asarray(weights, np.float64), values
        pos += 4 + length


class Postings:
    """Decoded posting lists and field lengths of one reader (one state of the index), with a cache of
    at most `cache_bytes` of arrays, least recently used dropped first."""

    def __init__(self, reader, cache_bytes: int = CACHE_BYTES):
        check_codec(reader)
        self._leaves = [(leaf, base) for leaf, base in reader.leaf_readers()]
        self.doc_count_all = reader.doc_count_all()
        self.live = np.ones(self.doc_count_all, bool)
        for leaf, base in self._leaves:
            if leaf.has_deletions():
                self.live[base + np.fromiter(leaf._perdoc.deleted_docs(), np.int64)] = False
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[tuple, object] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def cache_info(self) -> dict:
        with self._lock:
            return {"entries": len(self._cache), "bytes": self._held, "cap": self.cache_bytes}

    def _peek(self, key):
        with self._lock:
            return self._cache.get(key)

    def cached(self, key, build):
        """`build()` (anything with `nbytes`), kept under `key` while the cap allows."""
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        found = build()
        size = found.nbytes
        with self._lock:
            if key not in self._cache and size <= self.cache_bytes:
                self._cache[key] = found
                self._held += size
                while self._held > self.cache_bytes:
                    _, dropped = self._cache.popitem(last=False)
                    self._held -= dropped.nbytes
        return found

    def _drop(self, key) -> None:
        with self._lock:
            dropped = self._cache.pop(key, None)
            if dropped is not None:
                self._held -= dropped.nbytes

    def term(self, fieldname: str, text: str | bytes) -> TermPostings:
        tbytes = text.encode("utf-8") if isinstance(text, str) else text
        return self.cached(("t", fieldname, tbytes), lambda: self._read_term(fieldname, tbytes, False)[0])

    def prepare_positions(self, fieldname: str, tbytes: bytes) -> None:
        """Read a term with its positions unless they are kept already, keeping its postings too: a
        phrase asks for both, and each read unpickles the same blocks."""
        if self._peek(("pos", fieldname, tbytes)) is None:
            self._stored(fieldname, tbytes)

    def _stored(self, fieldname: str, tbytes: bytes) -> StoredPositions:
        def read():
            postings, stored = self._read_term(fieldname, tbytes, True)
            self.cached(("t", fieldname, tbytes), lambda: postings)
            return stored
        return self.cached(("v", fieldname, tbytes), read)

    def positions(self, fieldname: str, tbytes: bytes, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`StoredPositions.decode` of the term's postings at `idx`, from the decoded positions if kept;
        asked for most of the list, all of it is decoded and kept instead of the pickled values."""
        key = ("pos", fieldname, tbytes)
        decoded = self._peek(key)
        if decoded is None:
            stored = self._stored(fieldname, tbytes)
            everything = len(stored.starts)
            if len(idx) * 2 < everything:
                return stored.decode(idx)
            decoded = self.cached(key, lambda: DecodedPositions.of(*stored.decode(np.arange(everything))))
            self._drop(("v", fieldname, tbytes))
        return decoded.select(idx)

    def _blocks_of(self, fieldname: str, tbytes: bytes):
        """(global document numbers, weights, values, field) of each block of the term's postings, over
        every segment, deleted documents included."""
        for leaf, base in self._leaves:
            fieldobj = leaf.schema[fieldname] if fieldname in leaf.schema else None
            try:
                info = leaf._terms.term_info(fieldname, tbytes)
            except TermNotFound:
                continue
            if info.is_inlined():
                ids, ws, vs = info.inlined_postings()
                blocks = [(np.asarray(ids, np.int64), np.asarray(ws, np.float64), vs)]
            else:
                offset, length = info.extent()
                # W3TermInfo.from_bytes leaves the length as unpack_int's 1-tuple
                blocks = _blocks(_read(leaf._terms._postfile, offset, length[0]))
            for ids, ws, vs in blocks:
                yield ids + base, ws, vs, fieldobj

    def _read_term(self, fieldname: str, tbytes: bytes,
                   positions: bool) -> tuple[TermPostings, StoredPositions | None]:
        """The term's postings and, if asked and its field has them, its stored positions."""
        docs, weights, values = [], [], []
        positional = False
        for ids, ws, vs, fieldobj in self._blocks_of(fieldname, tbytes):
            positional = positions and type(fieldobj.format) is Positions
            docs.append(ids)
            weights.append(ws)
            if positional:
                values.extend(vs)
        if not docs:
            return TermPostings(np.zeros(0, np.int32), np.zeros(0, np.float32)), (
                StoredPositions(np.zeros(0, np.uint8), np.zeros(0, np.int32), np.zeros(0, np.int32)) if positions
                else None)
        docs, weights = np.concatenate(docs), np.concatenate(weights)
        keep = self.live[docs]
        # kept at half the width: document numbers fit 32 bits, and Whoosh's weights are float32 anyway
        postings = TermPostings(docs[keep].astype(np.int32), weights[keep].astype(np.float32))
        if not positional:
            return postings, None
        lengths = np.fromiter(map(len, values), np.int64, len(values))
        blob = np.frombuffer(b"".join(values), np.uint8)
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        starts = offsets[:-1]
        if len(starts) and not ((blob[starts + 4] == 0x80) & (blob[starts + 5] == 2)
                                & (blob[offsets[1:] - 1] == ord("."))).all():
            raise CodecMismatch(f"positions of {fieldname}:{tbytes!r} are not pickled as Whoosh 2.7.5 does")
        # deleted documents' positions stay in the blob, unreferenced
        return postings, StoredPositions(blob, starts[keep].astype(np.int32), offsets[1:][keep].astype(np.int32))

    def pair(self, fieldname: str, tbytes: bytes) -> PairPostings:
        """A word pair's live postings with its two words' counts in each document (schema.PairCounts)."""
        return self.cached(("pair", fieldname, tbytes), lambda: self._read_pair(fieldname, tbytes))

    def _read_pair(self, fieldname: str, tbytes: bytes) -> PairPostings:
        docs, counts = [np.zeros(0, np.int64)], [np.zeros((0, 2), "<u4")]
        for ids, _, vs, _ in self._blocks_of(fieldname, tbytes):
            docs.append(ids)
            # a block holds the fixed-size values as one string; an inlined list keeps them apart
            counts.append(np.frombuffer(vs if isinstance(vs, bytes) else b"".join(vs), "<u4").reshape(-1, 2))
        docs, counts = np.concatenate(docs), np.concatenate(counts)
        keep = self.live[docs]
        return PairPostings(docs[keep].astype(np.int32), counts[keep].astype(np.float32))

    def column(self, fieldname: str) -> np.ndarray | None:
        """Each document's raw sort-column value in `fieldname` (uint64), documents without a value at
        the column's default; None if a segment has no such column."""
        found = self.cached(("col", fieldname), lambda: self._read_column(fieldname))
        return found if found is not _NO_COLUMN else None

    def _read_column(self, fieldname: str):
        out = np.empty(self.doc_count_all, np.uint64)
        for leaf, base in self._leaves:
            if not leaf.has_column(fieldname):
                return _NO_COLUMN
            column = leaf.column_reader(fieldname, translate=False)
            code = column._typecode
            stored = np.frombuffer(_read(column._dbfile, column._basepos, column._count * column._fixedlen),
                                   ">" + code)
            out[base:base + len(stored)] = stored
            out[base + len(stored):base + leaf.doc_count_all()] = column._default
        return out

    def field_lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length in `fieldname` as Whoosh's scorer sees it (quantised to a byte)."""
        return self.cached(("len", fieldname), lambda: self._read_lengths(fieldname))

    def _read_lengths(self, fieldname: str) -> np.ndarray:
        out = np.zeros(self.doc_count_all, np.uint8)
        for leaf, base in self._leaves:
            column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is None:
                continue
            stored = np.frombuffer(_read(column._dbfile, column._basepos, column._count), np.uint8)
            out[base:base + len(stored)] = stored
        return _BYTE_TO_LENGTH[out]
