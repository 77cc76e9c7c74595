"""身份证号 (GB 11643 citizen identity numbers): what refuses one, and what is only a note for the reviewer.

A number keeps the county where the card was first issued (cards from 1985), so
a person born in 1957 in a district created in 1985 has a valid number that
``stdnum.cn.ric.validate`` refuses (it requires the county to exist in the
birth year).  Here only what is certainly wrong refuses a number: length,
characters, the birth date, the GB 11643 check digit and the province; an
unknown county code is a note for the reviewer (``county_note``).
"""
from __future__ import annotations

import datetime as dt

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

# Province-level codes of GB/T 2260 (11–15 华北, 21–23 东北, 31–37 华东, 41–46 中南, 50–54 西南, 61–65 西北,
# 71 台湾, 81 香港, 82 澳门).
PROVINCES = frozenset([*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
                       *range(61, 66), 71, 81, 82])


def compact(text: str | None) -> str:
    return (text or "").replace(" ", "").upper()


def birth_date(number: str) -> dt.date | None:
    """The birth date written in positions 7–14, or None when it is not a calendar date."""
    try:
        return ric.get_birth_date(number)
    except (ValidationError, ValueError):
        return None


def problem(number: str, today: dt.date) -> str | None:
    """Why ``number`` cannot be a real 身份证号 (a Chinese message), or None when it can."""
    number = compact(number)
    if len(number) != 18:
        return "身份证号应为 18 位"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号前 17 位应为数字，最后一位为数字或 X"
    if int(number[:2]) not in PROVINCES:
        return "身份证号前两位（省级地区码）不存在，请核对"
    born = birth_date(number)
    if born is None:
        return "身份证号中的出生日期无效，请核对"
    if born > today:
        return "身份证号中的出生日期晚于今天，请核对"
    if number[17] != ric.calc_check_digit(number):
        return "身份证号校验位不正确，请核对"
    return None


def county_note(number: str | None) -> str | None:
    """A note for the reviewer when the county code (positions 3–6) is not in the administrative code list
    at all — never a refusal: the list lags behind real numbers.  Says nothing of the number itself."""
    number = compact(number)
    if len(number) != 18 or not number[:6].isdigit():
        return None
    info = {k: v for _, props in numdb.get("cn/loc").info(number[:6]) for k, v in props.items()}
    if info.get("county"):
        return None
    return "身份证号的地区码（前 6 位）不在行政区划代码表中，请核对身份证件"
