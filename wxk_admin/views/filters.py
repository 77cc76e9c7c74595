"""Filters of the application list (issue 7 owns this module).

Every filter validates its value (unknown option, malformed date or range →
``validate`` is False and Flask-Admin flashes our Chinese message instead of
raising).  Options that change — units, cycles, 创作样式 — are callables read on
every request (``ExportMixin._get_filter_groups`` re-reads them), never frozen
at start-up.
"""
from __future__ import annotations

import datetime as dt
import re

from flask import g, has_request_context
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.contrib.sqla.tools import parse_like_term
from flask_login import current_user
from sqlalchemy import Boolean, Integer, and_, select, text

from ..domain import integrity
from ..domain.access import EXPERT_VISIBLE_STATES
from ..enums import Role, Status
from ..extensions import db
from ..domain.layout import filter_declarations
from ..models import Application, Objection
from ..web import say

SERIAL_RE = re.compile(r"^\d{4}-\d{1,6}$")
DIRECT = "direct"  # the 直接申报 pseudo-unit (unit_id IS NULL)


# ---------------------------------------------------------------- per-request option lists

# Units (by code), cycles (newest first) and the distinct 创作样式 in one statement; the styles by a
# loose index scan (a few index probes, not a scan of a million rows).
OPTIONS_SQL = text(
    "WITH RECURSIVE s(v) AS ("
    " SELECT MIN(style) FROM applications"
    " UNION ALL"
    " SELECT (SELECT MIN(style) FROM applications WHERE style > s.v) FROM s WHERE s.v IS NOT NULL)"
    " SELECT 'style' AS kind, CAST(NULL AS INTEGER) AS id, v AS label, v AS text_key, 0 AS num_key"
    " FROM s WHERE v IS NOT NULL"
    " UNION ALL SELECT 'unit', id, name, code, 0 FROM group_units"
    " UNION ALL SELECT 'cycle', id, name, '', -year FROM cycles"
)


def option_lists() -> dict[str, list[tuple[str, str]]]:
    """The option lists that change while the app runs, read once per request (cached on ``g``)."""
    lists = g.get("wxk_filter_options") if has_request_context() else None
    if lists is None:
        rows = sorted(db.session.execute(OPTIONS_SQL), key=lambda r: (r.kind, r.num_key, r.text_key, r.id or 0))
        lists = {"style": [], "unit": [], "cycle": []}
        for row in rows:
            lists[row.kind].append((row.label if row.id is None else str(row.id), row.label))
        if has_request_context():
            g.wxk_filter_options = lists
    return lists


def status_options() -> list[tuple[str, str]]:
    """The states the current user can meet on the list: a unit admin or the office never sees a draft."""
    role = Role(current_user.role) if has_request_context() and current_user.is_authenticated else None
    if role in (Role.unit_admin, Role.office):
        states = [s for s in Status if s != Status.draft]
    elif role == Role.expert:
        states = list(EXPERT_VISIBLE_STATES)
    else:
        states = list(Status)
    return [(s.value, say(s)) for s in states]


def unit_options() -> list[tuple[str, str]]:
    return option_lists()["unit"] + [(DIRECT, "直接申报（无团体会员）")]


def cycle_options() -> list[tuple[str, str]]:
    return option_lists()["cycle"]


def style_options() -> list[tuple[str, str]]:
    return option_lists()["style"]


# ---------------------------------------------------------------- filter classes


class _Filter(BaseSQLAFilter):
    """A filter over ``Application`` with a Chinese operation name and strict validation."""

    op = "等于"
    op_code = "eq"
    url_key: str | None = None

    def url_name(self) -> str:
        """The readable, stable URL name of the filter: ``flt0_status_eq=submitted``."""
        return self.url_key or f"{self.column.key}_{self.op_code}"

    def operation(self):
        return self.op

    def get_options(self, view):
        # Read per request (ExportMixin._get_filter_groups); at start-up there is no database to ask.
        if callable(self.options) and not has_request_context():
            return None
        return self.current_options() or None

    def current_options(self):
        options = self.options() if callable(self.options) else self.options
        return list(options or [])


class ChoiceEqual(_Filter):
    """Equality against a fixed or per-request option list; unknown values are refused."""

    def validate(self, value) -> bool:
        return str(value) in {str(k) for k, _ in self.current_options()}

    def clean(self, value):
        return str(value)

    def apply(self, query, value, alias=None):
        column = self.get_column(alias)
        enum_class = getattr(column.type, "enum_class", None)
        if enum_class is not None:
            return query.filter(column == enum_class(value))
        if isinstance(column.type, Integer):
            return query.filter(column == int(value))
        return query.filter(column == value)


class UnitEqual(ChoiceEqual):
    def apply(self, query, value, alias=None):
        if value == DIRECT:
            return query.filter(Application.unit_id.is_(None))
        return query.filter(Application.unit_id == int(value))


class YesNo(_Filter):
    def __init__(self, column, name):
        super().__init__(column, name, options=[("1", "是"), ("0", "否")])

    def validate(self, value) -> bool:
        return value in ("1", "0")

    def clean(self, value):
        return value == "1"

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias).is_(value))


class UndecidedObjection(YesNo):
    """有未处理异议: an objection without a secretariat decision.

    The few open objections name their applications (``id IN``): the list reads those rows by primary key —
    an EXISTS tested on every application walked the whole table when none or few matched."""

    url_key = "pending_objection"

    def apply(self, query, value, alias=None):
        pending = Application.id.in_(select(Objection.application_id).where(Objection.decided_at.is_(None)))
        return query.filter(pending if value else ~pending)


class DeclaredTwice(YesNo):
    """作品重复申报: a book (ISBN / CIP number) or periodical piece also declared by another person."""

    url_key = "duplicate_works"

    def apply(self, query, value, alias=None):
        flagged = integrity.duplicate_exists()
        return query.filter(flagged if value else ~flagged)


class AppliedBefore(YesNo):
    """往年申请过: the same 身份证号 in an earlier cycle, among the rows the user may see."""

    url_key = "applied_before"

    def apply(self, query, value, alias=None):
        earlier = integrity.earlier_exists(current_user._get_current_object())
        return query.filter(earlier if value else ~earlier)


def parse_date(text: str) -> dt.date:
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"日期格式应为 年-月-日：{text}")


def split_range(value: str) -> tuple[str, str]:
    text = (value or "").strip()
    for sep in (" to ", " 至 ", "至", "~"):
        if sep in text:
            low, high = text.split(sep, 1)
            return low.strip(), high.strip()
    raise ValueError("范围应写作「起 至 止」")


class DateOnOrAfter(_Filter):
    op = "不早于"
    op_code = "gte"

    def __init__(self, column, name):
        super().__init__(column, name, data_type="datepicker")

    def clean(self, value):
        return parse_date(value)

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) >= dt.datetime.combine(value, dt.time.min))


class DateOnOrBefore(DateOnOrAfter):
    op = "不晚于"
    op_code = "lte"

    def apply(self, query, value, alias=None):
        # The whole day counts: before the next midnight.
        return query.filter(self.get_column(alias) < dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min))


class DateBetween(_Filter):
    op = "介于"
    op_code = "between"

    def __init__(self, column, name):
        super().__init__(column, name, data_type="daterangepicker")

    def clean(self, value):
        low, high = split_range(value)
        start, end = parse_date(low), parse_date(high)
        if end < start:
            raise ValueError("结束日期早于开始日期")
        return start, end

    def apply(self, query, value, alias=None):
        start, end = value
        column = self.get_column(alias)
        return query.filter(and_(column >= dt.datetime.combine(start, dt.time.min),
                                 column < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)))


def parse_serial(text: str) -> str:
    """A 申请序列号 bound: ``2027-000123`` (the number part is padded so text order is numeric order)."""
    text = (text or "").strip()
    if not SERIAL_RE.match(text):
        raise ValueError(f"申请序列号格式应为 年度-序号，例如 2027-000123：{text}")
    year, seq = text.split("-")
    return f"{year}-{int(seq):06d}"


class SerialAtLeast(_Filter):
    op = "不小于"
    op_code = "gte"

    def clean(self, value):
        return parse_serial(value)

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) >= value)


class SerialAtMost(SerialAtLeast):
    op = "不大于"
    op_code = "lte"

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) <= value)


class SerialBetween(_Filter):
    op = "介于"
    op_code = "between"

    def clean(self, value):
        low, high = split_range(value)
        low, high = parse_serial(low), parse_serial(high)
        if high < low:
            raise ValueError("序列号范围的终点小于起点")
        return low, high

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias).between(*value))


class TextContains(_Filter):
    op = "包含"
    op_code = "contains"

    def validate(self, value) -> bool:
        return bool((value or "").strip()) and len(value) <= 100

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias).ilike(parse_like_term(value.strip())))


# Where an "equal" filter's options come from, when not from the column's enum or type.
OPTION_SOURCES = {"status": status_options, "style": style_options}


def _equal(column, label):
    """An equality filter for ``meta(filter=True)``: options by the column's kind."""
    target = next(iter(column.foreign_keys), None)
    if target is not None and target.column.table.name == "group_units":
        return [UnitEqual(column, label, options=unit_options)]
    if target is not None and target.column.table.name == "cycles":
        return [ChoiceEqual(column, label, options=cycle_options)]
    if column.key in OPTION_SOURCES:
        return [ChoiceEqual(column, label, options=OPTION_SOURCES[column.key])]
    enum_class = getattr(column.type, "enum_class", None)
    if enum_class is not None:
        return [ChoiceEqual(column, label, options=enum_class.choices)]
    if isinstance(column.type, Boolean):
        return [YesNo(column, label)]
    return [TextContains(column, label)]  # free text: 包含


# meta(filter=kind) and models.APPLICATION_FILTERS → the filters that implement each kind.
FILTER_KINDS = {
    "equal": _equal,
    "contains": lambda column, label: [TextContains(column, label)],
    "dates": lambda column, label: [DateBetween(column, label), DateOnOrAfter(column, label),
                                    DateOnOrBefore(column, label)],
    "serials": lambda column, label: [SerialBetween(column, label), SerialAtLeast(column, label),
                                      SerialAtMost(column, label)],
    "pending_objection": lambda _column, label: [UndecidedObjection(Application.id, label)],
    "duplicate_works": lambda _column, label: [DeclaredTwice(Application.id, label)],
    "applied_before": lambda _column, label: [AppliedBefore(Application.id, label)],
}


def application_filters():
    """The filters of 申请入会管理, from the declarations next to the model (``layout.filter_declarations``);
    each carries ``roles`` (None: everyone who sees the list).  Options that change are read per request."""
    out = []
    for kind, column, label, roles in filter_declarations(Application):
        for flt in FILTER_KINDS[kind](column, label):
            flt.roles = roles
            out.append(flt)
    return out
