"""The application workflow (SPEC §3): one table of transitions, one function that applies them.

Nothing else in the code base assigns ``Application.status``.  Views ask
``allowed(...)`` which buttons to show; actions call ``apply(...)``; tests read
``TRANSITIONS`` to walk every edge and every refusal.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from . import outbox
from .. import profiles
from .access import application_filter
from .audit import Actor, record, send_message
from .errors import Refused
from ..enums import CLOSED_STATUSES, Eligibility, Role, Status
from ..models import Application, Cycle, MaterialItem, User, utcnow
from ..params import id_arg

UNIT_CONFIRM_DEFAULT = "团体会员确认信息"
CONFLICT_MESSAGE = "该申请已被他人处理，请刷新后重试"

# 驳回申请 — the common reasons offered as checkboxes (operation guide 三.5(2)).
REJECT_REASONS = (
    "不符合申请条件",
    "出版专集为合著或编著",
    "非文学类作品",
    "发表作品字数不足",
    "申请信息填写有误",
    "申请材料不全",
)
OTHER_REASON = "其它"

LIVE_STATES = frozenset(Status) - CLOSED_STATUSES - {Status.draft}


class TransitionRefused(Refused):
    """A transition that may not happen; ``str(exc)`` is the Chinese message for the user."""


class Conflict(TransitionRefused):
    """Someone else changed the application first (optimistic locking)."""

    def __init__(self, message: str = CONFLICT_MESSAGE):
        super().__init__(message)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # the button
    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]
    route: str | None = None  # "unit" (has a unit), "direct" (中央和国家机关), None (either)
    needs_reason: bool = False
    default_opinion: str = ""
    opinion_field: str | None = None  # where the opinion is kept on the application
    assigns_serial: bool = False
    notify_applicant: str | None = None  # subject of the 站内信 to the applicant
    notify_unit: str | None = None  # subject of the 站内信 to the unit's admins
    stamp: str | None = None  # timestamp column set on success
    bulk: bool = False  # offered as a list action
    danger: bool = False  # asks for confirmation, shown in red
    generic: bool = True  # offered on the details page with the opinion/reason form; False: its own page


def _t(*args, **kw) -> Transition:
    return Transition(*args, **kw)


S = Status
OFFICE, UNIT, IT = Role.office, Role.unit_admin, Role.it_admin

TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    _t("submit", "提交", frozenset({S.draft, S.rejected}), S.submitted, frozenset({Role.applicant}),
       stamp="submitted_at", generic=False),
    _t("unit_confirm", "确认信息", frozenset({S.submitted}), S.unit_confirmed, frozenset({UNIT}), route="unit",
       default_opinion=UNIT_CONFIRM_DEFAULT, opinion_field="unit_opinion", stamp="unit_confirmed_at", bulk=True),
    _t("unit_reject", "驳回申请", frozenset({S.submitted}), S.rejected, frozenset({UNIT}), route="unit",
       needs_reason=True, opinion_field="reject_reasons", notify_applicant="您的入会申请已被驳回", danger=True),
    _t("office_confirm", "确认并编号", frozenset({S.unit_confirmed}), S.office_confirmed, frozenset({OFFICE}),
       route="unit", default_opinion="会员处确认", opinion_field="office_opinion", assigns_serial=True,
       notify_applicant="您的入会申请已经会员处确认", stamp="office_confirmed_at", bulk=True),
    _t("office_return", "退回团体会员", frozenset({S.unit_confirmed}), S.submitted, frozenset({OFFICE}),
       route="unit", needs_reason=True, opinion_field="office_opinion", notify_unit="会员处退回入会申请",
       danger=True),
    # 中央和国家机关: no unit, the office does the first-level review.
    _t("direct_confirm", "确认并编号", frozenset({S.submitted}), S.office_confirmed, frozenset({OFFICE}),
       route="direct", default_opinion="会员处确认", opinion_field="office_opinion", assigns_serial=True,
       notify_applicant="您的入会申请已经会员处确认", stamp="office_confirmed_at", bulk=True),
    _t("direct_reject", "驳回申请", frozenset({S.submitted}), S.rejected, frozenset({OFFICE}), route="direct",
       needs_reason=True, opinion_field="reject_reasons", notify_applicant="您的入会申请已被驳回", danger=True),
    _t("materials_received", "材料已收齐", frozenset({S.office_confirmed}), S.materials_received,
       frozenset({OFFICE}), bulk=True),
    _t("assign_experts", "分配咨询组", frozenset({S.materials_received}), S.expert_review, frozenset({OFFICE}), generic=False),
    _t("expert_pass", "专家咨询通过", frozenset({S.expert_review}), S.expert_passed, frozenset({OFFICE}), generic=False),
    _t("expert_fail", "专家咨询未通过", frozenset({S.expert_review}), S.expert_failed, frozenset({OFFICE}),
       notify_applicant="专家咨询结果", generic=False),
    _t("secretariat_approve", "书记处审议通过", frozenset({S.expert_passed}), S.secretariat_approved,
       frozenset({OFFICE}), generic=False),
    _t("secretariat_reject", "书记处审议未通过", frozenset({S.expert_passed}), S.secretariat_rejected,
       frozenset({OFFICE}), notify_applicant="书记处审议结果", generic=False),
    _t("open_notice", "列入公示", frozenset({S.secretariat_approved}), S.on_notice, frozenset({OFFICE}), generic=False),
    _t("admit", "公布入会", frozenset({S.on_notice}), S.admitted, frozenset({OFFICE}),
       notify_applicant="祝贺您成为会员", generic=False),
    _t("uphold_objection", "异议成立，取消资格", frozenset({S.on_notice}), S.disqualified, frozenset({OFFICE}),
       needs_reason=True, opinion_field="disqualify_reason", notify_applicant="取消申请资格通知", danger=True,
       generic=False),
    _t("disqualify", "取消申请资格", LIVE_STATES, S.disqualified, frozenset({OFFICE}), needs_reason=True,
       opinion_field="disqualify_reason", notify_applicant="取消申请资格通知", danger=True),
)}


def _route_matches(transition: Transition, application: Application) -> bool:
    if transition.route == "unit":
        return application.unit_id is not None
    if transition.route == "direct":
        return application.unit_id is None
    return True


def refusal(transition: Transition, application: Application, actor: Actor) -> str | None:
    """Why ``actor`` may not apply ``transition`` to ``application`` now (None when allowed).  The rights are
    those of the account the actor acts as (an admin switched into a proxy account has the proxy's)."""
    user = actor.acting_as
    if user is None or Role(user.role) not in transition.roles:
        return f"您的角色无权执行「{transition.label}」"
    if not _route_matches(transition, application):
        return f"该申请的推荐途径不适用「{transition.label}」"
    if application.status not in transition.sources:
        return f"当前状态为「{Status(application.status).label}」，不能执行「{transition.label}」"
    return None


def allowed(application: Application, actor: Actor) -> list[Transition]:
    """The transitions ``actor`` may apply to ``application`` now — the buttons to show."""
    return [t for t in TRANSITIONS.values() if refusal(t, application, actor) is None]


def can(application: Application, name: str, actor: Actor) -> bool:
    """Whether ``actor`` may apply transition ``name`` to ``application`` now (role, route and state)."""
    return refusal(TRANSITIONS[name], application, actor) is None


def sources(name: str) -> frozenset[Status]:
    """The states transition ``name`` starts from: "is it time for …" asked of the table, not restated."""
    return TRANSITIONS[name].sources


def target(name: str) -> Status:
    """The state transition ``name`` leads to."""
    return TRANSITIONS[name].target


def reachable_from(states) -> frozenset[Status]:
    """``states`` and every state the transitions lead to from them, step by step."""
    found, todo = set(states), list(states)
    while todo:
        state = todo.pop()
        for t in TRANSITIONS.values():
            if state in t.sources and t.target not in found:
                found.add(t.target)
                todo.append(t.target)
    return frozenset(found)


@dataclass
class Outcome:
    application: Application
    transition: Transition
    serial_no: str | None = None


def format_serial(cycle: Cycle, seq: int) -> str:
    """申请序列号: ``{year}-{seq:06d}``, e.g. ``2027-000123``."""
    return f"{cycle.year}-{seq:06d}"


def next_serial(session, cycle_id: int) -> int:
    """Take the next number of the cycle's counter.

    The UPDATE locks the cycle's row until commit, so concurrent confirmations
    queue up and a rolled-back one gives its number back: gap-free and unique.
    """
    session.execute(update(Cycle).where(Cycle.id == cycle_id).values(serial_counter=Cycle.serial_counter + 1))
    return session.execute(select(Cycle.serial_counter).where(Cycle.id == cycle_id)).scalar_one()


def compose_reason(reasons: list[str] | tuple[str, ...], other_text: str | None) -> str:
    """One text from the ticked common reasons and the 其它 box; 其它 requires its text."""
    chosen = [r for r in reasons if r and r != OTHER_REASON]
    other_text = (other_text or "").strip()
    if OTHER_REASON in reasons and not other_text:
        raise TransitionRefused("选择「其它」时请填写具体理由")
    if other_text:
        chosen.append(other_text)
    return "；".join(chosen)


def checked_opinion(transition: Transition, opinion: str | None, application: Application) -> str:
    """The opinion to record (the default, in the association's words, when empty); a transition that needs a
    reason refuses none."""
    say = profiles.of(application.cycle.association).say
    text = (opinion or "").strip() or say(transition.default_opinion)
    if transition.needs_reason and not text:
        raise TransitionRefused(f"「{say(transition.label)}」必须填写理由")
    return text


# Confirmations that go forward although a check spoke against the application: asked once, naming it.
CAUTIONED = frozenset({"unit_confirm", "office_confirm", "direct_confirm"})


def cautions(transition: Transition, application: Application) -> list[str]:
    """The flags a reviewer should weigh before ``transition``: 资格初审 不符合条件, CIP 存疑."""
    if transition.name not in CAUTIONED:
        return []
    found = []
    if application.eligibility == Eligibility.not_eligible:
        note = f"：{application.eligibility_note}" if application.eligibility_note else ""
        found.append(f"资格初审为「{Eligibility.not_eligible.label}」{note}")
    if application.cip_flagged:
        found.append("CIP 存疑：有出版专集的 CIP 数据未核验通过，请先在「核验 CIP 信息」中查看")
    return found


def apply(session, application: Application, name: str, actor: Actor, *, opinion: str | None = None,
          expected_version: int | None = None, now: dt.datetime | None = None,
          changes: tuple[dict, dict] | None = None) -> Outcome:
    """Apply transition ``name`` as ``actor``; raise ``TransitionRefused`` and change nothing otherwise.

    The caller commits (or rolls back on error).  ``expected_version`` is the
    version the user saw: a different one means someone acted first.  ``changes``
    (before, after) are field changes made together with it, recorded in its audit event.
    """
    transition = TRANSITIONS[name]
    user = actor.acting_as  # an admin switched into a proxy account acts with the proxy's rights
    # Scope first: an application outside the caller's rows does not exist for them.
    visible = session.scalar(select(Application.id).where(Application.id == application.id,
                                                          application_filter(user)))
    if visible is None:
        raise TransitionRefused("申请不存在或无权访问")
    why = refusal(transition, application, actor)
    if why:
        raise TransitionRefused(why)
    if expected_version is not None and str(expected_version).strip() != "":
        try:
            seen = int(expected_version)
        except (TypeError, ValueError):  # a mangled form field: the version seen is unknown
            raise Conflict() from None
        if seen != application.version:
            raise Conflict()
    text = checked_opinion(transition, opinion, application)

    now = now or utcnow()
    source = application.status
    application.status = transition.target
    if transition.opinion_field:
        setattr(application, transition.opinion_field, text)
    if transition.stamp:
        setattr(application, transition.stamp, now)
    try:
        session.flush()  # version check: UPDATE ... WHERE version = :seen
    except StaleDataError as exc:
        raise Conflict() from exc

    outcome = Outcome(application, transition)
    if transition.assigns_serial and not application.serial_no:
        seq = next_serial(session, application.cycle_id)
        application.serial_seq = seq
        application.serial_no = outcome.serial_no = format_serial(application.cycle, seq)
        _open_checklist(application)
        session.flush()

    before, after = changes or ({}, {})
    if outcome.serial_no:
        after = {**after, "serial_no": outcome.serial_no}
    record(session, actor, name, application, application_id=application.id, from_state=source,
           to_state=transition.target, reason=text or None, before=before or None, after=after or None)
    _notify(session, transition, application, text, actor.user)
    return outcome


COPIES = {"一": 1, "两": 2, "二": 2, "三": 3}


def _open_checklist(application: Application) -> None:
    """With the serial number the paper materials are due: the association's list (profile ``materials``,
    e.g. 002 第三条(二)) becomes the 申报材料清单 the unit and the office tick, so 材料已收齐 has items to check."""
    if not application.materials:
        application.materials.extend(checklist(application.cycle.association))


def checklist(association: str) -> list[MaterialItem]:
    """New 申报材料清单 items of an association's list, each with the copies its text asks for (一式两份 → 2)."""
    items = []
    for position, name in enumerate(profiles.of(association).materials):
        copies = re.search(r"一式([一两二三])份", name)
        items.append(MaterialItem(position=position, name=name[:100], copies=COPIES[copies.group(1)] if copies else 1))
    return items


def _notify(session, transition: Transition, application: Application, text: str, sender: User) -> None:
    outbox.queue_transition(session, transition.name, application, text)  # e-mail / SMS, sent after commit
    profile = profiles.of(application.cycle.association)  # subjects and states in the association's words
    status_label = profile.label(Status(transition.target))
    if transition.notify_applicant:
        body = f"您的入会申请（{application.name}）状态已变更为「{status_label}」。"
        if text:
            body += f"\n{'理由' if transition.needs_reason else '意见'}：{text}"
        if transition.target == Status.rejected:
            body += "\n请根据理由修改申请信息后再次提交。"
        if transition.assigns_serial:
            body += f"\n申请序列号：{application.serial_no}。请下载打印申请表，按要求向所属团体会员提交纸质材料。"
        send_message(session, application.applicant_id, profile.say(transition.notify_applicant), body,
                     application_id=application.id, sender=sender)
    if transition.notify_unit and application.unit_id is not None:
        admins = session.scalars(select(User.id).where(User.unit_id == application.unit_id,
                                                       User.role == Role.unit_admin, User.active.is_(True)))
        for admin_id in admins:
            send_message(session, admin_id, profile.say(transition.notify_unit),
                         f"{application.name} 的入会申请被退回团体会员重新审核。\n理由：{text}",
                         application_id=application.id, sender=sender)


@dataclass
class BulkResult:
    done: list[Outcome] = field(default_factory=list)
    refused: list[tuple[int | str, str, str]] = field(default_factory=list)  # (id, name, reason)


# A bulk button that covers both routes: the office's 批量确认并编号 numbers unit and direct applications alike.
BULK_ALTERNATIVES = {"office_confirm": ("office_confirm", "direct_confirm")}


def apply_many(session, ids, name: str, actor: Actor, *, opinion: str | None = None) -> BulkResult:
    """Bulk action: each row checked on its own; one refusal does not undo the others.

    Each row takes the first of ``BULK_ALTERNATIVES[name]`` whose route fits it.
    """
    alternatives = BULK_ALTERNATIVES.get(name, (name,))
    result = BulkResult()
    for raw_id in ids:
        app_id = id_arg(raw_id)  # past BIGINT too: no row, and the database could not bind it
        if app_id is None:
            result.refused.append((raw_id, "", "编号无效"))
            continue
        application = session.scalar(select(Application).where(Application.id == app_id,
                                                                application_filter(actor.acting_as)))
        if application is None:
            result.refused.append((app_id, "", "申请不存在或无权访问"))
            continue
        chosen = next((n for n in alternatives if _route_matches(TRANSITIONS[n], application)), name)
        savepoint = session.begin_nested()
        try:
            result.done.append(apply(session, application, chosen, actor, opinion=opinion))
            savepoint.commit()
        except TransitionRefused as exc:
            savepoint.rollback()
            result.refused.append((app_id, application.name, str(exc)))
    return result
