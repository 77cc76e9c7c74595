"""Values taken from a request, parsed once and safely (issue 18.5).

Each parser answers ``None`` for anything it cannot turn into a value the database can hold —
an integer outside BIGINT (SQLite refuses it with ``OverflowError``), a date Python cannot move
a day past, an enum name nobody defined — so that views treat it like a missing value (a 404,
no filter, a Chinese message) instead of failing with a 500.  Plain Python: usable by domain
modules too.
"""
from __future__ import annotations

import datetime as dt
import enum
import re

BIGINT_MIN, BIGINT_MAX = -(2 ** 63), 2 ** 63 - 1
# Dates a person can mean in this console; 9999-12-31 would overflow any "+ 7 days".
EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
_INT_RE = re.compile(r"[+-]?\d{1,19}")


def int_arg(value, minimum: int = BIGINT_MIN, maximum: int = BIGINT_MAX) -> int | None:
    """An integer in ``[minimum, maximum]`` (at most BIGINT), else None."""
    text = str(value).strip() if value is not None else ""
    if not _INT_RE.fullmatch(text):
        return None
    number = int(text)
    return number if max(minimum, BIGINT_MIN) <= number <= min(maximum, BIGINT_MAX) else None


def id_arg(value) -> int | None:
    """A row id (positive integer), else None."""
    return int_arg(value, minimum=1)


def id_list(values) -> list[int]:
    """The row ids among ``values`` (a form's ``getlist``, an action's raw ids), in order, once each;
    anything that is no id is dropped."""
    return list(dict.fromkeys(pk for pk in map(id_arg, values or ()) if pk is not None))


def date_arg(value, earliest: dt.date = EARLIEST_DATE, latest: dt.date = LATEST_DATE) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) between ``earliest`` and ``latest``, else None."""
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            return None
    return day if earliest <= day <= latest else None


def enum_arg(enum_class: type[enum.Enum], value) -> enum.Enum | None:
    """The member of ``enum_class`` whose value (or name) is ``value``, else None."""
    if isinstance(value, enum_class):
        return value
    text = str(value or "").strip()
    for member in enum_class:
        if text in (str(member.value), member.name):
            return member
    return None
