"""The numbers of the office's (and each unit's) dashboard on the home page.

``dashboard_data(session, actor)`` gathers them, scoped by ``access.application_filter`` (a unit admin sees
their unit only).  The home page (``views/index.py``) links each 待办 entry and draws the charts
(``templates/documents/_charts.html``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from . import access, workflow
from .audit import Actor
from .. import actions, profiles
from .consultation.materials import missing_after_deadline
from .consultation.onboarding import onboarding_incomplete
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


# ---------------------------------------------------------------- the numbers


@dataclass
class Waiting:
    """A 待办 entry: what waits, how many, and where it opens — the application list filtered by ``criteria``
    (column → value; None: no unit), or a stage's own page (``page``: materials, assign, votes, secretariat,
    notice, onboarding)."""
    label: str
    count: int
    criteria: dict | None = None
    page: str | None = None


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

    # The charts' rows, in the association's words.
    @property
    def status_bars(self) -> list[tuple[str, int]]:
        return [(self.profile.label(s), n) for s, n in self.by_status]

    @property
    def phases(self):
        return [(key, self.profile.say(label), *rest) for key, label, *rest in PHASES]

    @property
    def funnel_bars(self) -> list[tuple[str, int]]:
        return [(self.profile.say(label), n) for label, n in self.funnel]


def dashboard_data(session, actor: Actor, today: dt.date | None = None) -> Dashboard | None:
    """The dashboard for the office and IT (every application) or a unit admin (their unit only): the acting
    account's rights and rows."""
    user = actor.acting_as
    if user is None:
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

    # By unit id, in the order of ix_applications_cycle_unit_status (no table read, no sort); then the names.
    unit_rows = session.execute(select(Application.unit_id, Application.status, func.count(Application.id))
                                .where(*scope).group_by(Application.unit_id, Application.status)).all()
    unit_ids = {unit_id for unit_id, _, _ in unit_rows if unit_id is not None}
    names = dict(session.execute(select(GroupUnit.id, GroupUnit.name).where(GroupUnit.id.in_(unit_ids))).all())
    units: dict[str, dict[str, int]] = {}
    for unit_id, status, n in unit_rows:
        parts = units.setdefault(names.get(unit_id) or "直接申报", {})
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

    waiting = _waiting(session, actor, role, cycle, scope, status_rows, today)
    for item in waiting:
        item.label = profile.say(item.label)
    scope_label = user.unit.name if role == Role.unit_admin and user.unit else "全部团体会员及直接申报"
    return Dashboard(cycle, scope_label, total, by_status, by_unit, by_category, funnel, deadlines, waiting,
                     profile)


def _list_item(session, scope, label: str, **criteria) -> Waiting:
    """A 待办 entry that opens the application list filtered by ``criteria`` (column → value; None: no unit),
    counted by the same criteria: the link opens exactly the rows it counts."""
    where = [getattr(Application, column).is_(None) if value is None else getattr(Application, column) == value
             for column, value in criteria.items()]
    count = session.scalar(select(func.count(Application.id)).where(*scope, *where)) or 0
    return Waiting(label, count, criteria=criteria)


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


def _waiting(session, actor, role, cycle, scope, status_rows, today) -> list[Waiting]:
    n = status_rows.get
    if role == Role.unit_admin:
        rows = _action_items(session, scope, role, cycle)
        missing = missing_after_deadline(session, actor, cycle, today)
        rows.append(Waiting("材料截止后仍缺纸质材料", len(missing), page="materials"))
        return rows
    open_groups = session.scalar(select(func.count(ExpertGroup.id)).where(ExpertGroup.cycle_id == cycle.id,
                                                                          ExpertGroup.vote_closed_at.is_(None))) or 0
    undecided = session.scalar(select(func.count(Objection.id)).join(Application,
                                                                     Application.id == Objection.application_id)
                               .where(*scope, Objection.decided_at.is_(None))) or 0
    ended = session.scalar(select(func.count(Notice.id)).where(Notice.cycle_id == cycle.id,
                                                               Notice.closed_at.is_(None),
                                                               Notice.ends_on <= today)) or 0
    onboarding = session.scalar(select(func.count(Application.id)).where(
        *scope, Application.status == Status.admitted, onboarding_incomplete())) or 0
    # IT oversees the office's queue: the office's 待办.
    return _action_items(session, scope, Role.office, cycle) + [
        Waiting("已编号、待收齐纸质材料", n(Status.office_confirmed, 0), page="materials"),
        Waiting("材料已收齐、待分配咨询组", n(Status.materials_received, 0), page="assign"),
        Waiting("专家咨询中（投票未截止的组：%d）" % open_groups, n(Status.expert_review, 0),
                page="votes"),
        Waiting("专家咨询通过、待书记处表决", n(Status.expert_passed, 0), page="secretariat"),
        Waiting("书记处通过、待公示", n(Status.secretariat_approved, 0), page="notice"),
        Waiting("公示异议待认定", undecided, page="notice"),
        Waiting("公示期满、待结束公示", ended, page="notice"),
        Waiting("新会员入会手续未办完", onboarding, page="onboarding"),
    ]


# ---------------------------------------------------------------- the home of a role without a dashboard

def waiting_states(role: Role) -> tuple[Status, ...]:
    """The states in which applications wait for ``role`` (in Status order), read from ``workflow``'s table: those
    another role's step leads to and a step of ``role``'s own goes on from — its refusals and 取消资格 (``danger``,
    the latter from any live state) aside, and on the unit route (the office's first review of 直接申报 is a
    dashboard entry of its own).  The applicant's 草稿 waits for nobody: no other role's step leads there."""
    steps = [t for t in workflow.TRANSITIONS.values() if t.route != "direct"]
    handed = {t.target for t in steps if role not in t.roles}
    own = {s for t in steps if role in t.roles and not t.danger for s in t.sources}
    return tuple(s for s in Status if s in handed and s in own)


# What each role acts on next (SPEC §3): the applications in these states, newest first.  A role that takes no
# step of the table watches the state another role's step puts applications in.
NEXT_FOR_ROLE = {
    Role.unit_admin: (waiting_states(Role.unit_admin), "待审核的入会申请"),
    Role.office: (waiting_states(Role.office), "团体会员已确认、待会员处确认"),
    Role.applicant: (waiting_states(Role.applicant), "被驳回、待修改的申请"),
    Role.expert: ((workflow.target("assign_experts"),), "待审读投票的申请"),  # they vote on what is assigned
    Role.it_admin: (waiting_states(Role.unit_admin), "待团体会员审核的申请（全平台）"),  # the units' queue
    Role.supervisor: ((workflow.target("open_notice"),), "公示中的申请"),  # 纪检监察 watch; nothing waits for them
}


def next_for(session, actor: Actor, limit: int = 10) -> tuple[str, int, list[Application]]:
    """(title, how many, the newest ``limit``) of what waits for the actor's role, within its rows."""
    user = actor.acting_as
    states, title = NEXT_FOR_ROLE[Role(user.role)]
    query = select(Application).where(access.application_filter(user), Application.status.in_(states))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Application.submitted_at.desc()).limit(limit)).all()
    return title, total, list(rows)


def counts_by_status(session, actor: Actor) -> list[tuple[Status, int]]:
    """Each state that has applications within the actor's rows, in the workflow's order, with its count."""
    found = dict(session.execute(select(Application.status, func.count())
                                 .where(access.application_filter(actor.acting_as))
                                 .group_by(Application.status)).all())
    return [(s, found[s]) for s in Status if found.get(s)]
