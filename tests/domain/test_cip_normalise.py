"""Normalisation of every CIP number and ISBN form of SPEC §5 (table-driven).

SPEC §5: the CIP number is 「printed as 『中国版本图书馆CIP数据核字(2016)第189798号』 and looked up as
year + number, 10 digits after 2000 (9 digits before 2000; both in 2000)」; the example block gives
「ISBN 7-5015-2709-1 … 中国版本图书馆CIP数据核字(2005)第70730号」.
"""
from __future__ import annotations

import datetime as dt

import pytest

from wxk_admin.domain.cip_sources import CipFormatError, format_cip_no, normalise_cip_no, normalise_isbn

NEXT_YEAR = dt.date.today().year + 2

CIP_FORMS = [
    # printed, as in the book
    ("中国版本图书馆CIP数据核字(2016)第189798号", "2016189798"),
    ("中国版本图书馆CIP数据核字（2016）第189798号", "2016189798"),        # full-width brackets
    ("中国版本图书馆 CIP 数据核字 (2016) 第 189798 号", "2016189798"),     # spaced
    ("CIP数据核字(2016)第189798号", "2016189798"),
    ("(2016)第189798号", "2016189798"),
    ("（2016）第189798号", "2016189798"),
    ("中国版本图书馆CIP数据核字(2005)第70730号", "2005070730"),          # SPEC example: number padded to 6
    ("(2005)第070730号", "2005070730"),
    # year + number as digits
    ("2016189798", "2016189798"),
    ("2016-189798", "2016189798"),
    ("２０１６１８９７９８", "2016189798"),                                 # full-width digits
    ("2005070730", "2005070730"),
    # before 2000: 9 digits
    ("199812345", "199812345"),
    ("(1998)第12345号", "199812345"),
    ("(1998)第345号", "199800345"),
    # 2000: both lengths were issued
    ("200012345", "200012345"),
    ("2000012345", "200012345"),
    ("(2000)第12345号", "200012345"),
    ("(2000)第123456号", "2000123456"),
]


@pytest.mark.parametrize("text,canonical", CIP_FORMS)
def test_cip_forms(text, canonical):
    assert normalise_cip_no(text) == canonical
    # the printed form of the canonical number reads back to itself
    assert normalise_cip_no(format_cip_no(canonical)) == canonical


def test_printed_form_of_the_spec_example():
    assert format_cip_no("2005070730") == "中国版本图书馆CIP数据核字(2005)第70730号"
    assert format_cip_no("199812345") == "中国版本图书馆CIP数据核字(1998)第12345号"


BAD_CIP = [
    ("", "CIP 核字号为空"),
    ("abc", "CIP 核字号含非法字符"),
    ("2016189798x", "CIP 核字号含非法字符"),
    ("12345", "CIP 核字号位数不对"),
    ("20161897981", "CIP 核字号位数不对"),
    ("1998123456", "10 位 CIP 核字号只用于 2000 年及以后"),
    ("201612345", "9 位 CIP 核字号只用于 2000 年及以前"),
    ("(2016)第1897989号", "CIP 核字号序号最多 6 位"),
    ("(1998)第123456号", "1998 年的 CIP 核字号序号最多 5 位"),
    ("(1989)第1号", "CIP 核字号年份不合理"),
    (f"({NEXT_YEAR})第1号", "CIP 核字号年份不合理"),
    ("(2016)第0号", "CIP 核字号的序号不能为 0"),
    ("(2016)第189798号 另有文字", "CIP 核字号格式不正确"),
]


@pytest.mark.parametrize("text,reason", BAD_CIP)
def test_bad_cip_numbers_are_refused_with_the_reason(text, reason):
    with pytest.raises(CipFormatError) as info:
        normalise_cip_no(text)
    assert reason in str(info.value)


ISBN_FORMS = [
    ("ISBN 7-5015-2709-1", "9787501527090"),       # SPEC example: ISBN-10 as printed
    ("7-5015-2709-1", "9787501527090"),
    ("7501527091", "9787501527090"),
    ("ISBN：7-5015-2709-1", "9787501527090"),
    ("ＩＳＢＮ ７-５０１５-２７０９-１", "9787501527090"),                  # full-width
    ("978-7-5015-2709-0", "9787501527090"),
    ("ISBN 978-7-5015-2709-0", "9787501527090"),
    ("ISBN-13: 978-7-5015-2709-0", "9787501527090"),
    ("9787501527090", "9787501527090"),
    ("978 7 5015 2709 0", "9787501527090"),
    ("7-02-003201-X", "9787020032013"),              # X check digit
    ("7-02-003201-x", "9787020032013"),
    ("979-10-90636-07-1", "9791090636071"),          # 979 prefix
]


@pytest.mark.parametrize("text,isbn13", ISBN_FORMS)
def test_isbn_forms(text, isbn13):
    assert normalise_isbn(text) == isbn13


BAD_ISBN = [
    ("", "ISBN 为空"),
    ("7-5015-2709-2", "ISBN 校验位错误"),
    ("978-7-5015-2709-1", "ISBN 校验位错误"),
    ("12345", "ISBN 位数不对"),
    ("97875015270901", "ISBN 位数不对"),
    ("ISBN 7-5015-27O9-1", "ISBN 含非法字符"),       # letter O
    ("9777501527091", "ISBN 前缀无效"),              # valid EAN-13, not an ISBN
]


@pytest.mark.parametrize("text,reason", BAD_ISBN)
def test_bad_isbns_are_refused_with_the_reason(text, reason):
    with pytest.raises(CipFormatError) as info:
        normalise_isbn(text)
    assert reason in str(info.value)
