"""The CIP comparison, its flags, the submission block and the demo data (issue 5, points 3–5).

Guide §三.4 (seeds/000): 「在申请者点击提交时，平台会自动与中国版本图书馆核验 CIP 数据。非正规出版物无法提交……
但是，该专集是否合著、编著，是否纯文学作品等情况，需要管理员进行判断和审核。」
SPEC §5: flags 「responsibility 编著 / 合著 / 主编, the Chinese Library Classification (中图法) class outside I
(literature), publisher mismatch, date mismatch, ISBN checksum」; 「Records exist from 2003 on; older books are
checked by the reviewer by hand.」
"""
from __future__ import annotations

import datetime as dt

import pytest

from wxk_admin.domain import cip
from wxk_admin.enums import Responsibility
from wxk_admin.models import Book, CipRecord, db

from ..support.cip import give_books, isbn13, spec_book, spec_record

LOCAL = {"CIP_SOURCES": "local"}

# (case, book changes, record changes, expected flag code or None, is the book 存疑)
FLAG_CASES = [
    ("all fields agree", {}, {}, None, False),
    ("CIP mode 编著", {}, {"responsibility_mode": "编著"}, "responsibility", True),
    ("CIP mode 主编", {}, {"responsibility_mode": "主编"}, "responsibility", True),
    ("CIP mode 合著", {}, {"responsibility_mode": "合著"}, "responsibility", True),
    ("mode in the name 「郭敬明编著」", {}, {"first_author": "郭敬明编著", "responsibility_mode": None},
     "responsibility", True),
    ("编著 declared as such: noted, not 存疑", {"responsibility": Responsibility.edited},
     {"responsibility_mode": "编著"}, "responsibility", False),
    ("other responsible persons", {}, {"other_authors": "李四著"}, "other_authors", True),
    ("中图分类号 outside class I", {}, {"clc": "TS971.2"}, "clc", True),
    ("non-literary declared as such: noted", {"is_literary": False}, {"clc": "K820.7"}, "clc", False),
    ("applicant not the first responsible person", {}, {"first_author": "张三"}, "first_author", True),
    ("publisher mismatch", {}, {"publisher": "某某大学出版社"}, "publisher", True),
    ("date mismatch (month)", {"published_on": dt.date(2005, 9, 1)}, {}, "date", True),
    ("date mismatch (year)", {"published_on": dt.date(2007, 4, 1)}, {}, "date", True),
    ("title mismatch", {"title": "梦里花开知多少"}, {}, "title", True),
    ("ISBN differs from the CIP record found by CIP number", {"isbn": isbn13(5)}, {}, "isbn", True),
    ("CIP number differs from the record found by ISBN", {"cip_no": "(2005)第70731号"}, {}, "cip_no", True),
    ("ISBN checksum wrong (found by CIP number)", {"isbn": "7-5015-2709-2"}, {}, "isbn_invalid", True),
]


@pytest.mark.parametrize("case,book_kw,record_kw,flag,doubtful", FLAG_CASES, ids=[c[0] for c in FLAG_CASES])
def test_each_flag(world, case, book_kw, record_kw, flag, doubtful):
    application = give_books(db.session, world.apps["a_submitted"], spec_book(**book_kw))
    db.session.add(spec_record(**record_kw))
    db.session.flush()
    result = cip.check_application(db.session, application, config=LOCAL)
    (book,) = result.books
    assert book.record is not None
    if flag is None:
        assert book.flags == [] and book.status == cip.STATUS_OK
    else:
        assert flag in book.flag_codes, [f.message for f in book.flags]
        # only the expected flag: each case isolates one
        assert book.flag_codes == {flag}, [f.message for f in book.flags]
    assert (book.status == cip.STATUS_FLAGGED) is doubtful
    cip.refresh_flag(db.session, application, config=LOCAL)
    assert application.cip_flagged is doubtful
    assert application.books[0].cip_status == (cip.STATUS_FLAGGED if doubtful else cip.STATUS_OK)


def test_mismatching_rows_are_marked_side_by_side(world):
    application = give_books(db.session, world.apps["a_submitted"], spec_book())
    db.session.add(spec_record(publisher="某某大学出版社", clc="TS971.2", responsibility_mode="编著"))
    db.session.flush()
    (book,) = cip.check_application(db.session, application, config=LOCAL).books
    rows = {r.key: r for r in book.rows}
    assert {k for k, r in rows.items() if r.mismatch} == {"publisher", "clc", "responsibility"}
    assert (rows["publisher"].declared, rows["publisher"].cip) == ("知识出版社", "某某大学出版社")
    assert rows["cip_no"].cip == "中国版本图书馆CIP数据核字(2005)第70730号"
    assert rows["date"].cip == "2005.04" and rows["date"].declared == "2005年4月"


def test_pen_name_counts_as_the_applicant(world):
    application = give_books(db.session, world.apps["a_submitted"], spec_book(), name="郭某某", pen_name="郭敬明")
    db.session.add(spec_record(first_author="（中）郭敬明著"))
    db.session.flush()
    (book,) = cip.check_application(db.session, application, config=LOCAL).books
    assert "first_author" not in book.flag_codes


def test_not_found_blocks_submission_naming_the_book(world):
    application = give_books(db.session, world.apps["a_submitted"], spec_book(),
                             spec_book(title="野路子诗集", isbn=isbn13(7), cip_no="(2016)第189798号"))
    db.session.add(spec_record())
    db.session.flush()
    assert cip.submission_problems(db.session, application, config=LOCAL) == [
        "未查询到该书的 CIP 数据，非正规出版物无法提交：《野路子诗集》"]
    cip.refresh_flag(db.session, application, config=LOCAL)
    assert [b.cip_status for b in application.books] == ["一致", "未查到"]
    assert application.cip_flagged is True


def test_pre_2003_books_pass_with_a_manual_review_flag(world):
    old = spec_book(title="旧作", published_on=dt.date(2001, 6, 1), isbn="7-5015-2709-1", cip_no=None)
    application = give_books(db.session, world.apps["a_submitted"], old)
    assert cip.submission_problems(db.session, application, config=LOCAL) == []
    (book,) = cip.check_application(db.session, application, config=LOCAL).books
    assert book.status == cip.STATUS_PRE2003 and book.flag_codes == {"pre2003"}
    cip.refresh_flag(db.session, application, config=LOCAL)
    assert application.cip_flagged is True and application.books[0].cip_status == "2003年前出版"


@pytest.mark.parametrize("book_kw,message", [
    ({"isbn": "7-5015-2709-2"}, "《梦里花落知多少》ISBN 校验位错误：「7-5015-2709-2」"),
    ({"cip_no": "(2016)第1897989号"}, "《梦里花落知多少》CIP 核字号序号最多 6 位：1897989"),
    ({"isbn": None, "cip_no": None}, "《梦里花落知多少》未填写 ISBN 或 CIP 核字号，无法核验 CIP 数据"),
])
def test_malformed_numbers_block_submission_with_the_exact_reason(world, book_kw, message):
    application = give_books(db.session, world.apps["a_submitted"], spec_book(**book_kw))
    db.session.add(spec_record())
    db.session.flush()
    assert cip.submission_problems(db.session, application, config=LOCAL) == [message]


def test_found_books_do_not_block_submission(world):
    application = give_books(db.session, world.apps["a_submitted"], spec_book(),
                             spec_book(title="第二本", isbn=isbn13(8), cip_no="2016189798"))
    db.session.add_all([spec_record(), spec_record(title="第二本", isbn=isbn13(8), cip_no="2016189798",
                                                   responsibility_mode="编著")])
    db.session.flush()
    assert cip.submission_problems(db.session, application, config=LOCAL) == []


def test_application_without_books_is_not_flagged(world):
    application = give_books(db.session, world.apps["a_submitted"])
    application.cip_flagged = True
    cip.refresh_flag(db.session, application, config=LOCAL)
    assert application.cip_flagged is False
    assert cip.submission_problems(db.session, application, config=LOCAL) == []


def test_import_with_bad_rows_imports_nothing_unless_confirmed(world):
    rows = [
        {"正书名": "梦里花落知多少", "ISBN": "ISBN 7-5015-2709-1", "CIP 核字号": "(2005)第70730号", "出版者": "知识出版社"},
        {"正书名": "", "ISBN": isbn13(11), "CIP 核字号": ""},                                   # no title
        {"正书名": "坏书号", "ISBN": "978-7-5015-2709-1", "CIP 核字号": ""},                     # checksum
        {"正书名": "坏核字号", "ISBN": "", "CIP 核字号": "12345"},                                # CIP number
        {"正书名": "重复", "ISBN": isbn13(12), "CIP 核字号": "2005070730"},                       # duplicate
        {"正书名": "第二本", "ISBN": isbn13(13), "CIP 核字号": "", "中图分类号": "i227"},
    ]
    report = cip.import_rows(db.session, rows, None, confirm=False)
    assert not report.imported and db.session.query(CipRecord).count() == 0
    assert [(r.line, r.ok) for r in report.rows] == [(2, True), (3, False), (4, False), (5, False), (6, False),
                                                       (7, True)]
    reasons = {r.line: "；".join(r.problems) for r in report.bad}
    assert reasons[3] == "缺少正书名"
    assert "ISBN 校验位错误" in reasons[4]
    assert "CIP 核字号位数不对" in reasons[5]
    assert reasons[6] == "CIP 核字号与第 2 行重复"
    report = cip.import_rows(db.session, rows, None, confirm=True)
    assert report.imported and (report.created, report.updated) == (2, 0)
    records = {r.title: r for r in db.session.query(CipRecord)}
    assert set(records) == {"梦里花落知多少", "第二本"}
    assert records["梦里花落知多少"].cip_no == "2005070730" and records["第二本"].clc == "I227"


def test_demo_cip_data_matches_most_books_and_mismatches_a_few(world):
    application = world.apps["a_submitted"]
    application.name = "李晓明"           # a demo applicant whose first book is deliberately 编著
    application.books[0].responsibility = Responsibility.sole
    application.books[0].is_literary = True
    db.session.flush()
    created = cip.load_demo_cip(db.session)
    books = db.session.query(Book).all()
    assert created == len(books) == db.session.query(CipRecord).count()
    first = application.books[0]
    assert first.cip_status == cip.STATUS_FLAGGED and application.cip_flagged is True
    (check, *_) = cip.check_application(db.session, application, config=LOCAL).books
    assert {"responsibility", "other_authors"} <= check.flag_codes
    assert cip.load_demo_cip(db.session) == 0   # idempotent


def test_demo_variants(world):
    application = world.apps["b_submitted"]
    book = application.books[0]
    book.responsibility, book.is_literary = Responsibility.sole, True
    for variant, flag in (("match", None), ("edited", "responsibility"), ("nonliterary", "clc"),
                          ("publisher", "publisher")):
        db.session.query(CipRecord).delete()
        db.session.add(cip.demo_record_for(book, application, variant))
        db.session.flush()
        check = cip.check_application(db.session, application, config=LOCAL).books[0]
        assert (flag in check.flag_codes) if flag else check.status == cip.STATUS_OK, check.flags
