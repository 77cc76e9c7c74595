"""Spreadsheet safety shared by every .xlsx / .csv the platform writes.

openpyxl turns any string starting with "=" into a formula, and Excel evaluates
cells starting with + - @ too (OWASP CSV injection).  Every user-provided text
goes through ``safe_text`` before it is written.
"""
from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value) -> str:
    """The text of ``value`` with a leading formula trigger neutralised by a quote prefix."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def safe_value(value):
    """Numbers, dates and booleans pass through as themselves; text is neutralised."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    import datetime as dt

    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    label = getattr(value, "label", None)  # LabelledEnum
    return safe_text(label if label is not None else value)
