"""Comparing one application with the others (issue 15.2, 15.3): works declared twice, earlier applications.

* Works declared twice — the same book (ISBN or CIP number, in the canonical forms of ``cip_sources``) or
  the same periodical piece (title + journal + issue, normalised) declared by two different people, in any
  cycle.  The normalised keys are stored in indexed columns of the work rows (``Book.isbn_key``,
  ``Book.cip_key``, ``Publication.piece_key``), set on every flush by the mapper events below, so a
  check is a few index probes however many applications there are.
* Earlier applications — the same 身份证号 in an earlier cycle (``applications.id_number`` is indexed).

Who may read what: a counterpart is named (name, year, unit, link) only when the viewer may open it
(``access.application_filter``); otherwise it is 「另一申请（非本单位）」.  Earlier applications are listed
only within the viewer's scope (a unit admin: its own unit's).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, event, exists, inspect, literal, null, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter

from .access import application_filter
from .audit import Actor
from .cip_sources import format_cip_no, try_cip_no, try_isbn
from ..enums import Status
from ..models import Application, Book, Cycle, GroupUnit, Publication

# ---------------------------------------------------------------- normalised keys

_PIECE_NOISE = re.compile(r"[\s《》〈〉<>「」『』“”\"'‘’·・•:：,，.。、()（）\[\]【】\-—_/]+")


def isbn_key(text) -> str | None:
    """ISBN-13 digits (an ISBN-10 and the ISBN-13 of the same book give the same key); None if malformed."""
    return try_isbn(text)[0]


def cip_key(text) -> str | None:
    return try_cip_no(text)[0]


def _piece_part(text) -> str:
    # Full/half width, spaces, book-title marks and punctuation do not make another piece; nor do leading
    # zeros of a number (「第03期」 is 「第3期」).
    plain = _PIECE_NOISE.sub("", unicodedata.normalize("NFKC", str(text or ""))).lower()
    return re.sub(r"\d+", lambda m: str(int(m.group())), plain)


def piece_key(title, venue, issue) -> str | None:
    """A fixed-length digest of the normalised title + journal + issue; None without a title or journal."""
    parts = [_piece_part(title), _piece_part(venue), _piece_part(issue)]
    if not parts[0] or not parts[1]:
        return None
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def set_book_keys(book: Book) -> None:
    book.isbn_key, book.cip_key = isbn_key(book.isbn), cip_key(book.cip_no)


def set_publication_key(publication: Publication) -> None:
    publication.piece_key = piece_key(publication.title, publication.venue, publication.issue)


# Every ORM write of a work row keeps its keys (forms, 修改信息, IT's edit, copies, the demo).
@event.listens_for(Book, "before_insert")
@event.listens_for(Book, "before_update")
def _book_keys(mapper, connection, target):
    set_book_keys(target)


@event.listens_for(Publication, "before_insert")
@event.listens_for(Publication, "before_update")
def _publication_keys(mapper, connection, target):
    set_publication_key(target)


# ---------------------------------------------------------------- works declared twice

def _other_person(this, other) -> ColumnElement[bool]:
    """``other`` is another person's application, submitted: a new application of the same person (same
    account or same 身份证号) repeating last year's books is not a duplicate; drafts are nobody's yet."""
    return and_(other.id != this.id, other.applicant_id != this.applicant_id, other.status != Status.draft,
                or_(this.id_number.is_(None), other.id_number.is_(None), other.id_number != this.id_number))


def duplicate_exists(outer=Application) -> ColumnElement[bool]:
    """EXISTS: one of ``outer``'s works is declared by another person — index probes per row (the work rows
    by ``application_id``, their twins by the key's index)."""
    clauses = []
    for model, keys in ((Book, ("isbn_key", "cip_key")), (Publication, ("piece_key",))):
        for key in keys:
            mine, twin, other = aliased(model), aliased(model), aliased(Application)
            clauses.append(exists(
                select(literal(1)).select_from(mine)
                .join(twin, getattr(twin, key) == getattr(mine, key))
                .join(other, other.id == twin.application_id)
                .where(mine.application_id == outer.id, getattr(mine, key).is_not(None), _other_person(outer, other))
            ))
    return or_(*clauses)


@dataclass
class Counterpart:
    """The other application of a flag; name / year / unit / id only when the viewer may open it."""

    visible: bool
    id: int | None = None
    name: str = ""
    year: int | None = None
    unit: str = ""


@dataclass
class Duplicate:
    kind: str     # 出版专集 / 发表作品
    what: str     # 「ISBN 9787…」, 「CIP 核字号 …」, 「《题目》 刊物 期号」
    title: str    # this application's entry
    other: Counterpart


def _twins(part: int, model, key: str, title, first, second):
    """``model`` rows of ``:application_id`` whose ``key`` another person declared too: (part, position, title,
    first, second, that application's id)."""
    this, twin, other = aliased(Application), aliased(model), aliased(Application)
    column = getattr(model, key)
    return (select(literal(part).label("part"), model.position.label("position"), title.label("title"),
                   first.label("first"), second.label("second"), other.id.label("other_id"))
            .join(twin, getattr(twin, key) == column)
            .join(other, other.id == twin.application_id)
            .join(this, this.id == model.application_id)
            .where(model.application_id == bindparam("application_id"), column.is_not(None),
                   _other_person(this, other)))


# One statement for the three kinds of twin, built once per process: aliases of the wide applications table
# cost more to construct than the query costs to run (the details page built nine of them on every request).
_TWINS = union_all(
    _twins(0, Book, "isbn_key", Book.title, Book.isbn_key, null()),
    _twins(1, Book, "cip_key", Book.title, Book.cip_key, null()),
    _twins(2, Publication, "piece_key", Publication.title, Publication.venue, Publication.issue),
).order_by("part", "position", "other_id")


def _what(part: int, title: str, first, second) -> tuple[str, str]:
    if part == 0:
        return "出版专集", f"ISBN {first}"
    if part == 1:
        return "出版专集", f"CIP 核字号 {format_cip_no(first)}"
    return "发表作品", f"《{title}》 {first or ''} {second or ''}".strip()


def _unique_twins(session, application: Application) -> list[tuple[str, str, str, int]]:
    """(kind, what, title, other application's id) of each work of ``application`` another person declared."""
    found = [(*_what(part, title, first, second), title, other_id) for part, _position, title, first, second, other_id
             in session.execute(_TWINS, {"application_id": application.id})]
    # The same book by ISBN and by CIP number is one flag, not two.
    seen, unique = set(), []
    for kind, what, title, other_id in found:
        if (kind, title, other_id) not in seen or kind != "出版专集":
            seen.add((kind, title, other_id))
            unique.append((kind, what, title, other_id))
    return unique


def duplicates(session, actor: Actor, application: Application) -> list[Duplicate]:
    """The works of ``application`` declared by another person, each naming the other application (only if it
    is in the actor's rows)."""
    return panel(session, actor, application).duplicates


# ---------------------------------------------------------------- earlier applications

# What became of an earlier application, by the state it stopped in.
OUTCOMES = {
    Status.admitted: "已入会",
    Status.rejected: "未获批准（团体会员驳回后未重新提交）",
    Status.expert_failed: "未获批准（专家咨询未通过）",
    Status.secretariat_rejected: "未获批准（书记处审议未通过）",
    Status.disqualified: "取消申请资格",
}
UNFINISHED = "未完成（年度结束时仍在此阶段）"


@dataclass
class Earlier:
    id: int
    year: int
    cycle: str
    unit: str
    stage: str
    outcome: str


def _scoped(viewer, alias) -> ColumnElement[bool]:
    """``access.application_filter`` said of an alias of ``applications`` instead of the table itself."""
    return ClauseAdapter(inspect(alias).selectable).traverse(application_filter(viewer))


def _earlier_where(viewer, earlier, cycle, id_number, year) -> ColumnElement[bool]:
    return and_(earlier.id_number == id_number, earlier.status != Status.draft, cycle.year < year,
                _scoped(viewer, earlier))


# The other applications the panel names — the twins' and the same 身份证号's — in one statement built once per
# process; a request adds only the actor's scope.  The same person's few applications come by the 身份证号
# index and the earlier years are kept and ordered here: with "year <" and ORDER BY year in the statement,
# SQLite started from the cycles and read every application of the earlier years (13 ms at 100,000 rows).
# No other application in the query: the scope applies to these rows as it is.  Planned as index seeks (SQLite:
# MULTI-INDEX OR; PostgreSQL at 1,000,000 rows: BitmapOr of the primary key and ix_applications_id_number).
_NAMED = (select(Application.id, Application.name, Application.id_number, Application.status, Cycle.year,
                 Cycle.name.label("cycle"), GroupUnit.name.label("unit"))
          .join(Cycle, Cycle.id == Application.cycle_id).outerjoin(GroupUnit, GroupUnit.id == Application.unit_id)
          .where(or_(Application.id.in_(bindparam("ids", expanding=True)),
                     and_(Application.id_number == bindparam("id_number"), Application.status != Status.draft))))


@dataclass
class Panel:
    duplicates: list[Duplicate]
    earlier: list[Earlier]


def panel(session, actor: Actor, application: Application) -> Panel:
    """重复申报与往年申请 of ``application`` as the actor may read them: the twins, then the applications named
    (a counterpart with its name only if it is in the actor's rows; earlier ones only within them)."""
    twins = _unique_twins(session, application)
    ids = {other_id for *_, other_id in twins}
    rows = []
    if ids or application.id_number:
        rows = session.execute(_NAMED.where(application_filter(actor.acting_as)),
                               {"ids": sorted(ids), "id_number": application.id_number}).all()
    named = {row.id: Counterpart(True, row.id, row.name, row.year, row.unit or "直接申报")
             for row in rows if row.id in ids}
    this_year = application.cycle.year
    earlier = [Earlier(row.id, row.year, row.cycle, row.unit or "直接申报", Status(row.status).label,
                       OUTCOMES.get(Status(row.status), UNFINISHED))
               for row in sorted(rows, key=lambda r: (r.year, r.id), reverse=True)
               if application.id_number and row.id_number == application.id_number and row.year < this_year]
    return Panel([Duplicate(kind, what, title, named.get(other_id) or Counterpart(False))
                  for kind, what, title, other_id in twins], earlier)


def earlier_exists(viewer, outer=Application) -> ColumnElement[bool]:
    """EXISTS: an earlier-cycle application of ``outer``'s 身份证号 within ``viewer``'s scope (index probe on
    ``applications.id_number``)."""
    earlier, earlier_cycle, outer_cycle = aliased(Application), aliased(Cycle), aliased(Cycle)
    return exists(select(literal(1)).select_from(earlier).join(earlier_cycle, earlier_cycle.id == earlier.cycle_id)
                  .join(outer_cycle, outer_cycle.id == outer.cycle_id)
                  .where(outer.id_number.is_not(None), outer.id_number != "",
                         _earlier_where(viewer, earlier, earlier_cycle, outer.id_number, outer_cycle.year)))
