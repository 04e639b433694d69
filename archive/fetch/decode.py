"""Bytes to text: undo Content-Encoding within a size cap, then find the character set the way browsers do."""
from __future__ import annotations

import codecs
import re
import zlib

from charset_normalizer import from_bytes

MAX_BYTES = 20 * 1024 * 1024

# Names Python does not know, or knows as a narrower set than the sites mean. GB 2312 and GBK pages routinely
# contain characters only GB 18030 has, and GB 18030 is a superset of both; Latin-1 and ASCII labels mean
# windows-1252 on the web (WHATWG Encoding Standard).
_ALIASES = {
    "gb231280": "gb18030", "gb2312": "gb18030", "csgb2312": "gb18030", "gbk": "gb18030", "xgbk": "gb18030",
    "cp936": "gb18030", "windows936": "gb18030", "euccn": "gb18030", "xeuccn": "gb18030", "chinese": "gb18030",
    "iso88591": "cp1252", "latin1": "cp1252", "l1": "cp1252", "ascii": "cp1252", "usascii": "cp1252",
}

_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([\w.:-]+)""", re.I)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_SNIFF_BYTES = 4096


class ResponseTooLarge(Exception):
    pass


class ContentDecodingError(Exception):
    """The body does not decompress as its Content-Encoding says (damaged, cut short, or an unsupported coding)."""


def codec_name(label: str) -> str | None:
    """Python codec for a charset label, or None for an unknown or bogus one."""
    key = re.sub(r"[^a-z0-9]", "", label.lower())
    try:
        name = codecs.lookup(_ALIASES.get(key, label.strip())).name
    except LookupError:
        return None
    return _ALIASES.get(re.sub(r"[^a-z0-9]", "", name), name)


def declared_charsets(body: bytes, content_type: str | None) -> list[str]:
    """Known codecs declared for this body, strongest first: HTTP header, then <meta> or the XML declaration."""
    names = []
    if content_type and (m := _HTTP_CHARSET.search(content_type)):
        names.append(codec_name(m.group(1)))
    head = body[:_SNIFF_BYTES]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        if m := pattern.search(head):
            name = codec_name(m.group(1).decode("ascii"))
            # A declaration readable as ASCII cannot be in UTF-16, whatever it says (WHATWG does the same).
            names.append("utf-8" if name and name.startswith("utf-16") else name)
    return list(dict.fromkeys(n for n in names if n))


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(text, codec used).

    A byte-order mark wins. Otherwise the first declared charset that decodes the body cleanly; if none does,
    the first declared one with replacement characters (one bad byte must not hand the page to a guesser);
    detection only when nothing usable is declared.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    declared = declared_charsets(body, content_type)
    for name in declared:
        try:
            return body.decode(name), name
        except UnicodeDecodeError:
            continue
    if declared:
        return body.decode(declared[0], errors="replace"), declared[0]
    if not body:
        return "", "utf-8"
    best = from_bytes(body).best()
    if best is not None and (name := codec_name(best.encoding)):
        return body.decode(name, errors="replace"), name
    return body.decode("utf-8", errors="replace"), "utf-8"


def _inflate(data: bytes, wbits: int, limit: int, multi_member: bool) -> bytes:
    out = bytearray()
    while data:
        d = zlib.decompressobj(wbits)
        pending = data
        while True:
            # max_length keeps a bomb from expanding past the cap; limit + 1 (never 0: that means unbounded)
            # is enough to tell "exactly at the cap" from "over it".
            chunk = d.decompress(pending, limit + 1 - len(out))
            out += chunk
            if len(out) > limit:
                raise ResponseTooLarge(f"response larger than {format_size(limit)} once decompressed")
            pending = d.unconsumed_tail
            if d.eof or not (pending or chunk):
                break
        if not d.eof:
            raise ContentDecodingError("compressed body ends early")
        # Anything after the last member that is not another member is padding some servers add.
        data = d.unused_data if multi_member and d.unused_data.startswith(b"\x1f\x8b") else b""
    return bytes(out)


def decompress(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Undo Content-Encoding (gzip, deflate; several in a row too); ResponseTooLarge above `limit` bytes."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if not body or coding == "identity":
            continue
        try:
            if coding in ("gzip", "x-gzip"):
                body = _inflate(body, 16 + zlib.MAX_WBITS, limit, multi_member=True)
            elif coding == "deflate":
                # "deflate" means zlib-wrapped, but some servers send the bare stream.
                wbits = zlib.MAX_WBITS if body[0] & 0x0F == 8 and int.from_bytes(body[:2], "big") % 31 == 0 \
                    else -zlib.MAX_WBITS
                body = _inflate(body, wbits, limit, multi_member=False)
            else:
                raise ContentDecodingError(f"unsupported Content-Encoding {coding!r}")
        except zlib.error as e:
            raise ContentDecodingError(f"damaged {coding} body: {e}") from None
    if len(body) > limit:
        raise ResponseTooLarge(f"response larger than {format_size(limit)}")
    return body


def format_size(n: int) -> str:
    """For messages: '20 MB', '512 bytes'."""
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"
