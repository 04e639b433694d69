"""Cells of a CSV export that a spreadsheet shows as text, never runs as a formula (OWASP, CSV injection)."""
from __future__ import annotations

# Spreadsheets skip leading blanks before looking for a formula, and LibreOffice and Excel in East Asian
# locales read the full-width forms as the ASCII signs; a tab or carriage return at the start is refused
# by OWASP's rule too, since some importers split or trim cells there.
_FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_CONTROL_START = ("\t", "\r")


def cell(value: str | None) -> str:
    """`value` as a CSV cell; one that could start a formula gets a leading apostrophe."""
    text = value or ""
    if text.startswith(_CONTROL_START) or text.lstrip()[:1] in _FORMULA_SIGNS:
        return "'" + text
    return text
