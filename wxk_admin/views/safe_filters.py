"""Flask-Admin's column filters with their values checked first (issue 18.5).

Its enum filters look a value up by name (``Enum["zz"]`` → KeyError, a 500), its integer
filters accept any integer (2^63 → OverflowError when bound) and its text filters any length
(100 kB → SQLite's "LIKE pattern too complex").  Here all validate the value — every item of a
list filter — so a bad one is refused with Flask-Admin's own 「无效的筛选器值」 message and the
list is shown without it.
"""
from __future__ import annotations

from flask_admin.contrib.sqla import filters as sqla_filters

from ..params import int_arg


def _items(flt, value) -> list[str]:
    is_list = isinstance(flt, (sqla_filters.FilterInList, sqla_filters.FilterNotInList))
    return [v.strip() for v in str(value).split(",")] if is_list else [str(value)]


def _known_enum(flt, value) -> bool:
    if flt.enum_class is not None:  # a Python enum: looked up by name
        known = flt.enum_class.__members__
    else:  # a plain string enum: its values
        known = getattr(getattr(flt.column, "type", None), "enums", None) or ()
    return all(v in known for v in _items(flt, value))


def _short(flt, value) -> bool:
    return len(str(value)) <= MAX_FILTER_TEXT


def _bigint(flt, value) -> bool:
    return all(int_arg(v) is not None for v in _items(flt, value))


def _checked(cls, check):
    """``cls`` whose ``validate`` also requires ``check``."""
    def validate(self, value):
        return check(self, value) and cls.validate(self, value)
    return type(cls.__name__, (cls,), {"validate": validate})


MAX_FILTER_TEXT = 200  # characters: a longer LIKE pattern is refused by SQLite ("pattern too complex")


class SafeFilterConverter(sqla_filters.FilterConverter):
    enum = tuple(_checked(f, _known_enum) if f is not sqla_filters.EnumFilterEmpty else f
                 for f in sqla_filters.FilterConverter.enum)
    int_filters = tuple(_checked(f, _bigint) if f is not sqla_filters.FilterEmpty else f
                        for f in sqla_filters.FilterConverter.int_filters)
    strings = tuple(_checked(f, _short) for f in sqla_filters.FilterConverter.strings)
    string_key_filters = tuple(_checked(f, _short) for f in sqla_filters.FilterConverter.string_key_filters)
