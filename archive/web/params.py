"""Values of the web's requests that are no search (revision and paragraph numbers, the length of a list,
a citation format, a JSON body, whether to add facets): a bad one is a BadArgument, a 400 with a one-line message. A search's
own values are read by archive.search.query.SearchQuery."""
from __future__ import annotations

from collections.abc import Mapping

from werkzeug.exceptions import BadRequest

from ..search.query import BadSearch, whole


class BadArgument(BadRequest):
    """A request value the reader has to fix; its description is the one-line message. The app's handler
    of HTTP errors answers it, HTML or JSON by path."""


def number(args: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    """A whole number of at least `minimum` from a query string, `default` when it is absent."""
    try:
        return whole(args, name, default, minimum)
    except BadSearch as e:
        raise BadArgument(str(e)) from None


_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def flag(args: Mapping[str, str], name: str, default: bool) -> bool:
    """A yes/no switch from a query string (1/0, true/false, yes/no), `default` when it is absent."""
    raw = args.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in _FLAGS:
        raise BadArgument(f"“{name}” must be 1 or 0, not “{raw[:40]}”")
    return _FLAGS[raw]
