"""Dates as ministries print them, read into aware datetimes in the site's own time zone."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime

# Japanese era years: 令和6年 is 2024; the first year of an era is written 元年
_ERA = re.compile(r"(令和|平成|昭和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ERA_BASE = {"令和": 2018, "平成": 1988, "昭和": 1925}
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,})\.?,?\s+(\d{4})\b")
_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
_MDY = re.compile(r"([A-Za-z]+)\.?\s*(\d{1,2}),\s*(\d{4})")  # "June12, 2018" is printed too
# "on September 10" at the end of a title, with no year after it
_MONTH_DAY = re.compile(r"\b([A-Za-z]{3,})\.?\s*(\d{1,2})(?:st|nd|rd|th)?\s*$")


def parse_date(text: str, tz: tzinfo | None = None) -> datetime | None:
    """First date found in `text`; a date without its own offset is placed in `tz` (the site's zone)."""
    text = (text or "").strip()
    if not text:
        return None
    if re.match(r"^[A-Z][a-z]{2}, \d", text):  # RFC 822, as feeds print it
        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError):
            pass
    try:
        dt = datetime.fromisoformat(text)
        return dt if dt.tzinfo else dt.replace(tzinfo=tz) if tz else dt
    except ValueError:
        pass
    parts = None
    if m := _ISO_DAY.search(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        hh, mm, ss = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
        parts = (y, mo, d, hh, mm, ss)
    elif m := _ERA.search(text):
        parts = (_ERA_BASE[m[1]] + (1 if m[2] == "元" else int(m[2])), int(m[3]), int(m[4]), 0, 0, 0)
    elif m := _ZH.search(text):
        parts = (int(m[1]), int(m[2]), int(m[3]), 0, 0, 0)
    elif m := _DMY.search(text):
        parts = (int(m[3]), int(m[2]), int(m[1]), 0, 0, 0)
    elif (m := _DAY_MONTH_YEAR.search(text)) and (month := _month(m[2])):
        parts = (int(m[3]), month, int(m[1]), 0, 0, 0)
    elif (m := _MDY.search(text)) and m[1].lower() in _MONTHS:
        parts = (int(m[3]), _MONTHS[m[1].lower()], int(m[2]), 0, 0, 0)
    elif (m := _MDY.search(text)) and any(k.startswith(m[1].lower()) for k in _MONTHS) and len(m[1]) >= 3:
        month = next(v for k, v in _MONTHS.items() if k.startswith(m[1].lower()))
        parts = (int(m[3]), month, int(m[2]), 0, 0, 0)
    if parts is None:
        return None
    try:
        return datetime(*parts, tzinfo=tz)
    except ValueError:
        return None


def _month(name: str) -> int | None:
    name = name.lower()
    return next((v for k, v in _MONTHS.items() if len(name) >= 3 and k.startswith(name)), None)


def parse_month_day(text: str, witnesses: list[date], tz: tzinfo | None = None,
                    within: timedelta = timedelta(days=7)) -> datetime | None:
    """A day printed without its year at the end of `text` ("... Press Conference on September 10"), given its
    year by `witnesses`: days known to fall on it or shortly after (a page's own upload stamps). Only a year
    on which some witness falls within `within` after the day counts, and only when it is the one such year:
    otherwise None, never a guess."""
    m = _MONTH_DAY.search((text or "").strip())
    month = _month(m[1]) if m else None
    if month is None:
        return None
    years = set()
    for seen in witnesses:
        for year in (seen.year, seen.year - 1):
            try:
                day = date(year, month, int(m[2]))
            except ValueError:
                continue
            if timedelta(0) <= seen - day <= within:
                years.add(year)
    return datetime(years.pop(), month, int(m[2]), tzinfo=tz) if len(years) == 1 else None
