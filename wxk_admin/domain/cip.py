"""CIP verification (核验 CIP 信息, SPEC §5, guide §三.4): compare each declared book with its CIP record.

* ``check_application(session, application)`` — for every book, the CIP record found
  through the configured sources (``cip_sources``), the declared and the CIP values
  side by side with mismatches marked, and the flags a reviewer needs;
* ``refresh_flag(session, application)`` — stores the outcome: ``Book.cip_status``
  and ``Application.cip_flagged`` (no commit; called by ``checks.refresh``);
* ``submission_problems(session, application)`` — the books that block submission;
* ``check_record(session, typed)`` — a record IT types by hand, normalised or refused;
* ``import_rows(session, rows, actor, confirm=...)`` — IT's import of CIP records
  (per-row report; with bad rows nothing is imported unless confirmed, then only the
  good rows);
* ``load_demo_cip(session)`` — demo CIP data matching most demo books.

Decisions: a book published before 2003 has no CIP data and passes submission with
a flag for manual review.  When a remote source is unavailable and the local table
does not know the book, submission is not blocked (the applicant is not punished for
an outage); the book is flagged 「未能核验」 for the reviewer instead.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import func, select

from . import cip_sources
from .audit import Actor, record
from .cip_sources import format_cip_no, try_cip_no, try_isbn
from .errors import Refused
from ..enums import Responsibility
from ..models import Application, Book, CipRecord

CIP_START = dt.date(2003, 1, 1)  # SPEC §5: records exist from 2003 on

# Book.cip_status values (Chinese: shown as they are by every page that lists books).
STATUS_OK = "一致"
STATUS_FLAGGED = "存疑"
STATUS_NOT_FOUND = "未查到"
STATUS_PRE2003 = "2003年前出版"
STATUS_UNCHECKED = "未能核验"
STATUS_BADGE = {STATUS_OK: "success", STATUS_FLAGGED: "warning", STATUS_NOT_FOUND: "danger",
                STATUS_PRE2003: "secondary", STATUS_UNCHECKED: "secondary"}

# CIP responsibility modes that do not show independent authorship.
SHARED_MODES = ("编著", "主编", "合著", "编", "选编", "编选", "等著", "合编")
SOLE_MODES = ("著", "撰", "作", "文", "诗", "绘", "文/图", "著绘")
DECLARED_MODE = {Responsibility.sole: "著", Responsibility.co: "合著", Responsibility.edited: "编著",
                 Responsibility.translated: "译"}


@dataclass
class Flag:
    code: str      # responsibility / other_authors / clc / first_author / pre2003 / not_found / unchecked /
                   # isbn_invalid / cip_invalid / missing_keys / title / publisher / date / isbn / cip_no
    message: str
    # A "note" agrees with what the applicant declared (a book declared 合著 whose CIP says 合著): shown,
    # but the book is not 存疑 for it — the eligibility rules already leave such books out.
    note: bool = False


@dataclass
class FieldRow:
    key: str
    label: str
    declared: str
    cip: str
    mismatch: bool = False


@dataclass
class BookCheck:
    book: Book
    record: CipRecord | None = None
    source: str | None = None
    status: str = STATUS_OK
    flags: list[Flag] = field(default_factory=list)
    rows: list[FieldRow] = field(default_factory=list)
    input_problems: list[str] = field(default_factory=list)  # malformed ISBN / CIP number (exact reasons)
    unavailable: list[str] = field(default_factory=list)

    @property
    def flag_codes(self) -> set[str]:
        return {f.code for f in self.flags}

    @property
    def source_label(self) -> str:
        return cip_sources.SOURCE_LABELS.get(self.record.source if self.record is not None else "", "")


@dataclass
class ApplicationCheck:
    application: Application
    books: list[BookCheck]
    sources: list[str]
    notes: list[str]  # sources that could not answer (shown on the page)

    @property
    def flagged(self) -> bool:
        return any(b.status != STATUS_OK for b in self.books)


# ---------------------------------------------------------------- comparison helpers

_PUNCT = re.compile(r"[\s《》〈〉<>「」『』“”\"'‘’·•・:：;；,，.。!！?？、()（）\[\]【】—\-_/]+")
_MODE_SUFFIX = re.compile(r"(编著|主编|合著|选编|编选|等著|合编|译|著|编|撰|等)$")


def _norm(text) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", str(text or ""))).lower()


def _person(text) -> str:
    """A responsible person's name without nationality prefix and mode suffix: 「（美）海明威著」 → 海明威."""
    name = unicodedata.normalize("NFKC", str(text or "")).strip()
    name = re.sub(r"^[(\[【][^)\]】]*[)\]】]", "", name).strip()
    name = _MODE_SUFFIX.sub("", name).strip()
    return _norm(name)


def first_person(text) -> str:
    """The first name of a list of responsible persons (「张三，李四著」 → 张三)."""
    parts = re.split(r"[,，、;；/ ]+", unicodedata.normalize("NFKC", str(text or "")).strip())
    return _person(parts[0]) if parts and parts[0] else ""


def _pub_date(text) -> tuple[int | None, int | None]:
    match = re.search(r"(\d{4})(?:\D{1,3}(\d{1,2}))?", str(text or ""))
    if not match:
        return None, None
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def _date_matches(declared: dt.date | None, cip_text: str | None) -> bool | None:
    year, month = _pub_date(cip_text)
    if declared is None or year is None:
        return None
    if declared.year != year:
        return False
    return month is None or month == declared.month


def _clc_shown(clc: str | None) -> str:
    """I247.5 → 「I247.5（I 类，文学）」: the code, and what its class means for the comparison."""
    if not clc:
        return ""
    return f"{clc}（I 类，文学）" if clc.upper().startswith("I") else f"{clc}（非 I 类，非文学）"


def _declared_date(book: Book) -> str:
    return f"{book.published_on.year}年{book.published_on.month}月" if book.published_on else ""


def _label(value) -> str:
    return getattr(value, "label", None) or ("" if value is None else str(value))


def _mode(record: CipRecord) -> str:
    mode = (record.responsibility_mode or "").strip()
    if not mode:  # 「郭敬明著」 carries the mode in the name
        match = _MODE_SUFFIX.search(unicodedata.normalize("NFKC", record.first_author or "").strip())
        mode = match.group(1) if match else ""
    return mode


def is_pre2003(book: Book) -> bool:
    return book.published_on is not None and book.published_on < CIP_START


def compare(book: BookCheck, application: Application) -> None:
    """Fill ``rows`` and the comparison flags of a book whose CIP record was found."""
    b, r = book.book, book.record
    names = [n for n in (application.name, application.pen_name) if n]
    author = first_person(r.first_author)
    mode = _mode(r)
    declared_isbn, _ = try_isbn(b.isbn)
    declared_cip, _ = try_cip_no(b.cip_no)
    cip_title = r.title + (f"：{r.subtitle}" if r.subtitle else "")
    title_ok = _norm(b.title) in {_norm(r.title), _norm(cip_title)}
    author_ok = bool(author) and author in {_norm(n) for n in names}
    publisher_ok = _norm(b.publisher) == _norm(r.publisher) if b.publisher and r.publisher else None
    date_ok = _date_matches(b.published_on, r.pub_date)
    isbn_ok = declared_isbn == r.isbn if declared_isbn and r.isbn else None
    cip_ok = declared_cip == r.cip_no if declared_cip and r.cip_no else None
    declared_mode = DECLARED_MODE.get(b.responsibility) if b.responsibility else None
    mode_ok = None
    if declared_mode and mode:
        mode_ok = (declared_mode == mode or (declared_mode == "著" and mode in SOLE_MODES)
                   or (declared_mode == "编著" and mode in ("编著", "主编", "编", "选编", "编选", "合编")))
    other = (r.other_authors or "").strip()
    book.rows = [
        FieldRow("title", "书名", b.title or "", cip_title, not title_ok),
        FieldRow("author", "作者 / 第一著作责任者", " / ".join(names), r.first_author or "", not author_ok),
        FieldRow("responsibility", "著作方式", _label(b.responsibility), mode, mode_ok is False),
        FieldRow("other_authors", "其他著作责任者", "", other, bool(other)),
        FieldRow("publisher", "出版社 / 出版者", b.publisher or "", r.publisher or "", publisher_ok is False),
        FieldRow("pub_place", "出版地", "", r.pub_place or ""),
        FieldRow("date", "出版时间", _declared_date(b), r.pub_date or "", date_ok is False),
        FieldRow("isbn", "ISBN", b.isbn or "", r.isbn or "", isbn_ok is False or bool(b.isbn and not declared_isbn)),
        FieldRow("cip_no", "CIP 核字号", b.cip_no or "", format_cip_no(r.cip_no),
                 cip_ok is False or bool(b.cip_no and not declared_cip)),
        FieldRow("edition", "版本", "", r.edition or ""),
        # The applicant declares 文学作品 (yes/no), the CIP gives a 中图分类号: class I is literature.
        FieldRow("clc", "是否文学作品 / 中图分类号", "是" if b.is_literary else "否", _clc_shown(r.clc),
                 bool(r.clc) and not r.clc.upper().startswith("I") and bool(b.is_literary)),
        FieldRow("subjects", "体裁 / 主题词", b.genre or "", r.subjects or ""),
    ]
    flags = book.flags
    if not title_ok:
        flags.append(Flag("title", f"书名与 CIP 不一致：填写《{b.title}》，CIP 为《{cip_title}》"))
    declared_shared = b.responsibility in (Responsibility.co, Responsibility.edited)
    declared_as = f"（申报为{_label(b.responsibility)}，不计入独立创作）"
    if mode and any(m in mode for m in ("编", "合著", "等")):
        flags.append(Flag("responsibility", f"CIP 著作方式为「{mode}」，不是独立创作"
                          + (declared_as if declared_shared else ""), note=declared_shared))
    if other:
        flags.append(Flag("other_authors", f"有其他著作责任者：{other}" + (declared_as if declared_shared else ""),
                          note=declared_shared or b.responsibility == Responsibility.translated))
    if r.clc and not r.clc.upper().startswith("I"):
        flags.append(Flag("clc", f"中图分类号 {r.clc} 不属于 I 类（文学）"
                          + ("（申报为非文学作品）" if not b.is_literary else ""), note=not b.is_literary))
    if not author_ok:
        flags.append(Flag("first_author", f"申请者（{'、'.join(names) or '未填姓名'}）不是第一著作责任者"
                                          f"（CIP：{r.first_author or '空'}）"))
    if publisher_ok is False:
        flags.append(Flag("publisher", f"出版社不一致：填写「{b.publisher}」，CIP 为「{r.publisher}」"))
    if date_ok is False:
        flags.append(Flag("date", f"出版时间不一致：填写 {_declared_date(b)}，CIP 为 {r.pub_date}"))
    if isbn_ok is False:
        flags.append(Flag("isbn", f"ISBN 不一致：填写 {b.isbn}，CIP 为 {r.isbn}"))
    if cip_ok is False:
        flags.append(Flag("cip_no", f"CIP 核字号不一致：填写 {b.cip_no}，CIP 为 {format_cip_no(r.cip_no)}"))


def check_book(chain, book: Book, application: Application) -> BookCheck:
    result = BookCheck(book)
    cip_no, cip_problem = try_cip_no(book.cip_no)
    isbn, isbn_problem = try_isbn(book.isbn)
    if isbn_problem:
        result.input_problems.append(isbn_problem)
        result.flags.append(Flag("isbn_invalid", isbn_problem))
    if cip_problem:
        result.input_problems.append(cip_problem)
        result.flags.append(Flag("cip_invalid", cip_problem))
    if cip_no or isbn:
        found = chain.lookup(cip_no=cip_no, isbn=isbn)
        result.record, result.source, result.unavailable = found.record, found.source, found.unavailable
    elif not book.isbn and not book.cip_no:
        result.flags.append(Flag("missing_keys", "未填写 ISBN 或 CIP 核字号"))
    if result.record is not None:
        compare(result, application)
        result.status = STATUS_FLAGGED if any(not f.note for f in result.flags) else STATUS_OK
    elif is_pre2003(book):
        result.flags.append(Flag("pre2003", "2003 年前出版，无 CIP 数据，需人工核验"))
        result.status = STATUS_PRE2003
    elif result.unavailable:
        result.flags.append(Flag("unchecked", "CIP 来源暂不可用，本地未查到，需人工核验"))
        result.status = STATUS_UNCHECKED
    else:
        result.flags.append(Flag("not_found", "未查询到该书的 CIP 数据"))
        result.status = STATUS_NOT_FOUND
    return result


def check_application(session, application: Application, *, cache: bool = True, config=None,
                      chain=None) -> ApplicationCheck:
    """The CIP comparison of every declared book; ``cache=False`` never writes (GET pages)."""
    chain = chain or cip_sources.build_chain(session, config, cache=cache)
    books = [check_book(chain, book, application) for book in application.books]
    notes = list(dict.fromkeys(note for b in books for note in b.unavailable))
    return ApplicationCheck(application, books, chain.names, notes)


# ---------------------------------------------------------------- the two functions others call


def refresh_flag(session, application, *, config=None) -> None:
    """Set each ``Book.cip_status`` and ``application.cip_flagged`` from the comparison (no commit)."""
    result = check_application(session, application, config=config)
    for book_check in result.books:
        if book_check.book.cip_status != book_check.status:
            book_check.book.cip_status = book_check.status
    if bool(application.cip_flagged) != result.flagged:
        application.cip_flagged = result.flagged


def submission_problems(session, application, *, config=None) -> list[str]:
    """Chinese messages for the books that block submission (guide §三.4: 非正规出版物无法提交)."""
    problems = []
    for book_check in check_application(session, application, config=config).books:
        book = book_check.book
        title = f"《{book.title or '未填写书名'}》"
        for reason in book_check.input_problems:
            problems.append(f"{title}{reason}")
        if book_check.input_problems:
            continue
        if book_check.status == STATUS_NOT_FOUND:
            if "missing_keys" in book_check.flag_codes:
                problems.append(f"{title}未填写 ISBN 或 CIP 核字号，无法核验 CIP 数据")
            else:
                problems.append(f"未查询到该书的 CIP 数据，非正规出版物无法提交：{title}")
    return problems


def summary(application: Application) -> dict:
    """Counts of the stored ``Book.cip_status`` values (for the compact panel; no lookups)."""
    counts: dict[str, int] = {}
    for book in application.books:
        status = book.cip_status or "未核验"
        counts[status] = counts.get(status, 0) + 1
    return counts


# ---------------------------------------------------------------- one record typed by IT


def check_record(session, typed: CipRecord) -> None:
    """Normalise a record IT typed (CIP number and ISBN in any printed form, 中图分类号 in capitals) or refuse it,
    every reason at once: a malformed number, neither number, no 正书名, a CIP number another record has."""
    problems = []
    for key, normalise in (("cip_no", try_cip_no), ("isbn", try_isbn)):
        value, reason = normalise(getattr(typed, key))
        if reason:
            problems.append(reason)
        setattr(typed, key, value)
    if not typed.cip_no and not typed.isbn and not problems:
        problems.append("ISBN 和 CIP 核字号至少填写一项")
    if not (typed.title or "").strip():
        problems.append("缺少正书名")
    if typed.cip_no:
        with session.no_autoflush:  # a new record is itself pending in the session
            clash = session.scalars(select(CipRecord).where(CipRecord.cip_no == typed.cip_no)).first()
        if clash is not None and clash is not typed:
            problems.append(f"CIP 核字号 {format_cip_no(typed.cip_no)} 已存在")
    if problems:
        raise Refused("；".join(problems))
    if typed.clc:
        typed.clc = typed.clc.strip().upper()


# ---------------------------------------------------------------- import (IT)


@dataclass
class RowReport:
    line: int
    title: str
    problems: list[str]
    data: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportReport:
    rows: list[RowReport]
    imported: bool = False
    created: int = 0
    updated: int = 0

    @property
    def good(self) -> list[RowReport]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[RowReport]:
        return [r for r in self.rows if not r.ok]


def validate_rows(rows: list[dict]) -> ImportReport:
    """One report line per data row (numbered as in the sheet: header is line 1)."""
    reports, seen_cip, seen_isbn = [], {}, {}
    for line, raw in enumerate(rows, start=2):
        data, problems = cip_sources.record_data(raw)
        title = next((str(v) for k, v in raw.items() if cip_sources.canonical_key(k) == "title" and v), "")
        if data is not None:
            if data.get("cip_no") and data["cip_no"] in seen_cip:
                problems.append(f"CIP 核字号与第 {seen_cip[data['cip_no']]} 行重复")
            elif data.get("isbn") and not data.get("cip_no") and data["isbn"] in seen_isbn:
                problems.append(f"ISBN 与第 {seen_isbn[data['isbn']]} 行重复")
            else:
                if data.get("cip_no"):
                    seen_cip[data["cip_no"]] = line
                if data.get("isbn"):
                    seen_isbn.setdefault(data["isbn"], line)
        reports.append(RowReport(line, title, problems, data if not problems else None))
    if not rows:
        reports = []
    return ImportReport(reports)


def import_rows(session, rows: list[dict], actor: Actor | None, *, confirm: bool = False,
                source_name: str = "") -> ImportReport:
    """Import CIP records: all rows when all are good; with bad rows only if ``confirm`` (then the good ones).

    Without confirmation and with any bad row nothing is written.  No commit.
    """
    report = validate_rows(rows)
    if not report.good or (report.bad and not confirm):
        return report
    for row in report.good:
        _, created = cip_sources.upsert(session, row.data, "local")
        report.created += created
        report.updated += not created
    session.flush()
    report.imported = True
    record(session, actor, "import_cip", ("CipRecord", None),
           after={"created": report.created, "updated": report.updated, "rejected": len(report.bad)},
           reason=f"导入 CIP 数据 {source_name}".strip()[:500])
    return report


# ---------------------------------------------------------------- demo data

DEMO_PLACES = {"人民文学出版社": "北京", "作家出版社": "北京", "江苏凤凰文艺出版社": "南京", "上海文艺出版社": "上海",
               "百花文艺出版社": "天津", "长江文艺出版社": "武汉", "知识出版社": "北京", "某某市文化出版社": "某市"}
DEMO_CLC = {"小说": "I247.5", "散文": "I267", "诗歌": "I227", "评论": "I206.7"}


def demo_record_for(book: Book, application: Application, variant: str = "match") -> CipRecord:
    """A CIP record for a demo book: matching it, or deliberately differing (``edited``, ``nonliterary``,
    ``publisher``)."""
    cip_no, _ = try_cip_no(book.cip_no)
    isbn, _ = try_isbn(book.isbn)
    mode = {Responsibility.co: "合著", Responsibility.edited: "编著",
            Responsibility.translated: "译"}.get(book.responsibility, "著")
    clc = "I247.5" if book.is_literary else "K820.7"
    record_ = CipRecord(cip_no=cip_no, isbn=isbn, title=book.title, first_author=application.pen_name
                        if application.pen_name and book.position % 2 else application.name,
                        responsibility_mode=mode, pub_place=DEMO_PLACES.get(book.publisher or "", "北京"),
                        publisher=book.publisher,
                        pub_date=f"{book.published_on:%Y.%m}" if book.published_on else None,
                        clc=clc, subjects="长篇小说－中国－当代" if clc.startswith("I") else "人物传记－中国－当代",
                        source="local", edition="1版")
    if mode == "合著":
        record_.other_authors = "张明远著"
    if variant == "edited":
        record_.responsibility_mode, record_.subjects = "编著", "散文集－中国－当代"
        record_.other_authors = "刘晨曦副主编"
    elif variant == "nonliterary":
        record_.clc, record_.subjects = "TS971.2", "饮食－文化－中国"
    elif variant == "publisher":
        record_.publisher, record_.pub_place = "某某大学出版社", "某市"
    return record_


def load_demo_cip(session) -> int:
    """Create demo CIP records for the demo books (idempotent: nothing if the table has rows).

    Most match; the demo applicants' first books and every 31st / 37th / 41st book
    differ on purpose (编著, a non-literary 中图分类号, another publisher) and every
    47th book has no record at all (未查到).  Then every application's flag is refreshed.
    """
    if session.scalar(select(func.count(CipRecord.id))):
        return 0
    session.flush()
    special = {"李晓明": "edited", "周雪梅": "nonliterary", "王长河": "publisher"}
    seen_cip, seen_isbn, created = set(), set(), 0
    applications = session.scalars(select(Application).order_by(Application.id)).all()
    for index, application in enumerate(applications):
        for book in application.books:
            number = index * 3 + book.position
            variant = "match"
            if book.position == 0 and application.name in special:
                variant = special[application.name]
            elif number % 47 == 46:
                continue
            elif number % 31 == 5:
                variant = "edited"
            elif number % 37 == 6:
                variant = "nonliterary"
            elif number % 41 == 7:
                variant = "publisher"
            record_ = demo_record_for(book, application, variant)
            if record_.cip_no in seen_cip or record_.isbn in seen_isbn:
                continue
            seen_cip.add(record_.cip_no)
            seen_isbn.add(record_.isbn)
            session.add(record_)
            created += 1
    session.flush()
    chain = cip_sources.CipChain([cip_sources.LocalSource(session)])  # the demo never calls a remote
    for application in applications:
        result = check_application(session, application, chain=chain)
        for book_check in result.books:
            book_check.book.cip_status = book_check.status
        application.cip_flagged = result.flagged
    session.flush()
    return created
