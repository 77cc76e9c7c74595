"""The office's (and each unit's) dashboard on the home page: counts as server-rendered SVG charts.

``dashboard_data(session, user)`` gathers the numbers (scoped by ``access.application_filter``,
so a unit admin sees their unit only); ``bar_chart`` / ``stacked_bar_chart`` draw inline SVG
with every value also written as text (readable without colour, testable without a browser).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import func, select

from . import access
from .. import actions, profiles
from .consultation.materials import missing_after_deadline
from .consultation.onboarding import onboarding_missing_steps
from .cycles import current_cycle
from ..enums import Role, Status
from ..models import (Application, AuditEvent, ExpertGroup, GroupUnit, Notice, Objection)

# Phases of the stacked bars (each status belongs to one).
PHASES = (
    ("unit", "团体会员审核", "#007bff", (Status.submitted, Status.rejected)),
    ("office", "会员处确认/材料", "#17a2b8", (Status.unit_confirmed, Status.office_confirmed,
                                           Status.materials_received)),
    ("expert", "专家咨询", "#ffc107", (Status.expert_review, Status.expert_passed)),
    ("secretariat", "书记处/公示", "#6f42c1", (Status.secretariat_approved, Status.on_notice)),
    ("admitted", "已入会", "#28a745", (Status.admitted,)),
    ("out", "未通过/取消", "#6c757d", (Status.expert_failed, Status.secretariat_rejected, Status.disqualified)),
)
PHASE_OF = {s: key for key, _, _, states in PHASES for s in states}

# The main path, for the funnel: an application "reached" a stage if it is there or beyond.
FUNNEL = (
    (Status.submitted, "已提交"),
    (Status.unit_confirmed, "团体会员确认"),
    (Status.office_confirmed, "会员处确认"),
    (Status.materials_received, "材料收齐"),
    (Status.expert_review, "专家咨询"),
    (Status.expert_passed, "专家通过"),
    (Status.secretariat_approved, "书记处通过"),
    (Status.on_notice, "公示"),
    (Status.admitted, "公布入会"),
)
_RANK = {s: i for i, (s, _) in enumerate(FUNNEL)}
# Where a finished application stopped: the last stage of the main path it reached.
_STOPPED_AT = {Status.rejected: Status.submitted, Status.expert_failed: Status.expert_review,
               Status.secretariat_rejected: Status.expert_passed}


def _reached_rank(status: Status, disqualified_from: Status | None) -> int:
    if status == Status.draft:
        return -1
    if status == Status.disqualified:
        status = disqualified_from or Status.submitted
    status = _STOPPED_AT.get(status, status)
    return _RANK.get(status, 0)


# ---------------------------------------------------------------- SVG charts


def bar_chart(rows: list[tuple[str, int]], *, chart_id: str, colour: str = "#007bff", width: int = 560,
              label_width: int = 150) -> Markup:
    """Horizontal bars, one per ``(label, value)``; the value is written at the end of each bar."""
    bar_h, gap = 18, 6
    height = max(1, len(rows)) * (bar_h + gap) + gap
    top = max([v for _, v in rows] + [1])
    plot = width - label_width - 50
    parts = [Markup('<svg xmlns="http://www.w3.org/2000/svg" class="wxk-chart" id="{}" role="img" width="{}" '
                    'height="{}" viewBox="0 0 {} {}" font-size="12">').format(chart_id, width, height, width, height)]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = round(plot * value / top) if value else 0
        parts.append(Markup(
            '<g class="bar" data-label="{label}" data-value="{value}"><title>{label}：{value}</title>'
            '<text x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
            '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"></rect>'
            '<text x="{vx}" y="{ty}">{value}</text></g>').format(
            label=label, value=value, lx=label_width - 6, ty=y + bar_h - 5, x=label_width, y=y, w=w, h=bar_h,
            c=colour, vx=label_width + w + 4))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def stacked_bar_chart(rows: list[tuple[str, dict[str, int]]], segments, *, chart_id: str, width: int = 560,
                      label_width: int = 150) -> Markup:
    """Horizontal stacked bars: ``rows`` of (label, {segment key: count}); ``segments`` = (key, label, colour)."""
    bar_h, gap, legend_h = 18, 6, 22
    height = legend_h + max(1, len(rows)) * (bar_h + gap) + gap
    totals = [sum(parts.values()) for _, parts in rows]
    top = max(totals + [1])
    plot = width - label_width - 50
    out = [Markup('<svg xmlns="http://www.w3.org/2000/svg" class="wxk-chart" id="{}" role="img" width="{}" '
                  'height="{}" viewBox="0 0 {} {}" font-size="12">').format(chart_id, width, height, width, height)]
    x = 0
    for key, label, colour, *_ in segments:  # legend
        out.append(Markup('<rect x="{}" y="4" width="10" height="10" fill="{}"></rect>'
                          '<text x="{}" y="13">{}</text>').format(x, colour, x + 13, label))
        x += 16 + 13 * len(label)
    for i, ((label, parts), total) in enumerate(zip(rows, totals)):
        y = legend_h + gap + i * (bar_h + gap)
        out.append(Markup('<g class="bar" data-label="{}" data-value="{}">'
                          '<text x="{}" y="{}" text-anchor="end">{}</text>').format(
            label, total, label_width - 6, y + bar_h - 5, label))
        cursor = label_width
        for key, seg_label, colour, *_ in segments:
            value = parts.get(key, 0)
            if not value:
                continue
            w = round(plot * value / top)
            out.append(Markup('<rect class="seg" data-segment="{}" data-value="{}" x="{}" y="{}" width="{}" '
                              'height="{}" fill="{}"><title>{}·{}：{}</title></rect>').format(
                key, value, cursor, y, w, bar_h, colour, label, seg_label, value))
            cursor += w
        out.append(Markup('<text x="{}" y="{}">{}</text></g>').format(cursor + 4, y + bar_h - 5, total))
    out.append(Markup("</svg>"))
    return Markup("").join(out)


# ---------------------------------------------------------------- the numbers


@dataclass
class Waiting:
    label: str
    count: int
    url: str | None = None


@dataclass
class Dashboard:
    cycle: object
    scope_label: str
    total: int
    by_status: list[tuple[Status, int]]
    by_unit: list[tuple[str, dict[str, int]]]
    by_category: list[tuple[str, dict[str, int]]]
    funnel: list[tuple[str, int]]
    deadlines: list[tuple[str, dt.date, int]]
    waiting: list[Waiting] = field(default_factory=list)
    profile: profiles.Profile = field(default_factory=lambda: profiles.of(None))  # the cycle's association

    @property
    def status_chart(self) -> Markup:
        return bar_chart([(self.profile.label(s), n) for s, n in self.by_status], chart_id="chart-status")

    @property
    def phases(self):
        return [(key, self.profile.say(label), *rest) for key, label, *rest in PHASES]

    @property
    def unit_chart(self) -> Markup:
        return stacked_bar_chart(self.by_unit, self.phases, chart_id="chart-unit")

    @property
    def category_chart(self) -> Markup:
        return stacked_bar_chart(self.by_category, self.phases, chart_id="chart-category")

    @property
    def funnel_chart(self) -> Markup:
        return bar_chart([(self.profile.say(label), n) for label, n in self.funnel], chart_id="chart-funnel",
                         colour="#28a745")


def _url(endpoint: str, **kw) -> str | None:
    from flask import url_for

    try:
        return url_for(endpoint, **kw)
    except Exception:  # noqa: BLE001 - a view not registered yet
        return None


def dashboard_data(session, user, today: dt.date | None = None) -> Dashboard | None:
    """The dashboard for the office and IT (every application) or a unit admin (their unit only)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    role = Role(user.role)
    if role not in (Role.office, Role.it_admin, Role.unit_admin):
        return None
    today = today or dt.date.today()
    cycle = current_cycle(session)
    if cycle is None:
        return None
    scope = (access.application_filter(user), Application.cycle_id == cycle.id, Application.status != Status.draft)
    profile = profiles.of(cycle.association)

    status_rows = dict(session.execute(select(Application.status, func.count(Application.id)).where(*scope)
                                       .group_by(Application.status)).all())
    by_status = [(s, status_rows.get(s, 0)) for s in Status if s != Status.draft]
    total = sum(n for _, n in by_status)

    unit_rows = session.execute(
        select(GroupUnit.name, Application.status, func.count(Application.id))
        .select_from(Application).outerjoin(GroupUnit, GroupUnit.id == Application.unit_id)
        .where(*scope).group_by(GroupUnit.name, Application.status)).all()
    units: dict[str, dict[str, int]] = {}
    for name, status, n in unit_rows:
        parts = units.setdefault(name or "直接申报", {})
        parts[PHASE_OF[status]] = parts.get(PHASE_OF[status], 0) + n
    by_unit = sorted(units.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))

    cat_rows = session.execute(select(Application.category, Application.status, func.count(Application.id))
                               .where(*scope).group_by(Application.category, Application.status)).all()
    cats: dict[str, dict[str, int]] = {}
    for cat, status, n in cat_rows:
        parts = cats.setdefault(profile.category_label(cat) if cat else "未选门类", {})
        parts[PHASE_OF[status]] = parts.get(PHASE_OF[status], 0) + n
    order = {label: i for i, (_, label) in enumerate(profile.categories)}
    by_category = sorted(cats.items(), key=lambda kv: order.get(kv[0], 99))

    # Funnel: the disqualified count where they were when disqualified (from the audit log).
    disq_from = dict(session.execute(
        select(AuditEvent.application_id, AuditEvent.from_state).join(
            Application, Application.id == AuditEvent.application_id)
        .where(*scope, Application.status == Status.disqualified,
               AuditEvent.to_state == Status.disqualified.value)).all())
    reached = [0] * len(FUNNEL)
    for status, n in status_rows.items():
        if status == Status.disqualified:
            continue
        for i in range(_reached_rank(status, None) + 1):
            reached[i] += n
    for app_id in session.scalars(select(Application.id).where(*scope, Application.status == Status.disqualified)):
        src = disq_from.get(app_id)
        try:
            src_status = Status(src) if src else None
        except ValueError:
            src_status = None
        for i in range(_reached_rank(Status.disqualified, src_status) + 1):
            reached[i] += 1
    funnel = [(label, reached[i]) for i, (_, label) in enumerate(FUNNEL)]

    deadlines = [("网上填写开始", cycle.fill_start), ("网上填写截止", cycle.fill_end),
                 ("纸质材料截止", cycle.materials_deadline)]
    for notice in session.scalars(select(Notice).where(Notice.cycle_id == cycle.id, Notice.closed_at.is_(None))):
        deadlines.append(("公示结束", notice.ends_on))
    deadlines = [(label, day, (day - today).days) for label, day in deadlines]

    waiting = _waiting(session, user, role, cycle, scope, status_rows, today)
    for item in waiting:
        item.label = profile.say(item.label)
    scope_label = user.unit.name if role == Role.unit_admin and user.unit else "全部团体会员及直接申报"
    return Dashboard(cycle, scope_label, total, by_status, by_unit, by_category, funnel, deadlines, waiting,
                     profile)


def _list_item(session, scope, label: str, **criteria) -> Waiting:
    """A 待办 entry that opens the application list filtered by ``criteria`` (column → value; None: no unit),
    counted by the same criteria: the link opens exactly the rows it counts.  The list's shareable filter
    arguments are ``flt{i}_{column}_eq`` (views/filters.py; "direct" is the no-unit option)."""
    where = [getattr(Application, column).is_(None) if value is None else getattr(Application, column) == value
             for column, value in criteria.items()]
    count = session.scalar(select(func.count(Application.id)).where(*scope, *where)) or 0
    args = {f"flt{i}_{column}_eq": "direct" if value is None else getattr(value, "value", value)
            for i, (column, value) in enumerate(criteria.items())}
    return Waiting(label, count, _url("applications.index_view", **args))


def _action_items(session, scope, role, cycle) -> list[Waiting]:
    """The 待办 entries of the actions ``role`` takes (``waiting`` in actions.py): each opens the list of
    the applications waiting for that action — its transition's state (and route), this cycle."""
    rows = []
    for action in actions.ACTIONS:
        transition = action.transition
        if not action.waiting or transition is None or not action.allows(role):
            continue
        (status,) = transition.sources
        criteria = {"status": status, "cycle_id": cycle.id}
        if transition.route == "direct":
            criteria["unit_id"] = None
        rows.append(_list_item(session, scope, action.waiting, **criteria))
    return rows


def _waiting(session, user, role, cycle, scope, status_rows, today) -> list[Waiting]:
    n = status_rows.get
    if role == Role.unit_admin:
        rows = _action_items(session, scope, role, cycle)
        missing = missing_after_deadline(session, user, cycle, today)
        rows.append(Waiting("材料截止后仍缺纸质材料", len(missing), _url("materials.index")))
        return rows
    open_groups = session.scalar(select(func.count(ExpertGroup.id)).where(ExpertGroup.cycle_id == cycle.id,
                                                                          ExpertGroup.vote_closed_at.is_(None))) or 0
    undecided = session.scalar(select(func.count(Objection.id)).join(Application,
                                                                     Application.id == Objection.application_id)
                               .where(*scope, Objection.decided_at.is_(None))) or 0
    ended = session.scalar(select(func.count(Notice.id)).where(Notice.cycle_id == cycle.id,
                                                               Notice.closed_at.is_(None),
                                                               Notice.ends_on <= today)) or 0
    admitted = session.scalars(select(Application).where(*scope, Application.status == Status.admitted)).all()
    onboarding = sum(1 for a in admitted if onboarding_missing_steps(a))
    # IT oversees the office's queue: the office's 待办.
    return _action_items(session, scope, Role.office, cycle) + [
        Waiting("已编号、待收齐纸质材料", n(Status.office_confirmed, 0), _url("materials.index")),
        Waiting("材料已收齐、待分配咨询组", n(Status.materials_received, 0), _url("consultation.assign_view")),
        Waiting("专家咨询中（投票未截止的组：%d）" % open_groups, n(Status.expert_review, 0),
                _url("consultation.votes_view")),
        Waiting("专家咨询通过、待书记处表决", n(Status.expert_passed, 0), _url("consultation.secretariat_view")),
        Waiting("书记处通过、待公示", n(Status.secretariat_approved, 0), _url("consultation.notice_view")),
        Waiting("公示异议待认定", undecided, _url("consultation.notice_view")),
        Waiting("公示期满、待结束公示", ended, _url("consultation.notice_view")),
        Waiting("新会员入会手续未办完", onboarding, _url("consultation.onboarding_view")),
    ]

