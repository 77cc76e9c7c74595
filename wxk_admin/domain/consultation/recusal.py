"""回避: an expert declares a conflict, the office records one (a vote already cast is discarded), and the
possible conflicts the office is shown to confirm (002 第四条)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..audit import Actor, record
from ...enums import RecusalReason, Role
from ...models import Application, ExpertGroup, ExpertProfile, Recusal, User, Vote
from .common import (Refused, group_of_application, int_field, is_member, is_recused, office_name, require_role,
                     scope, visible, vote_open)


def _reason(value) -> RecusalReason:
    try:
        return RecusalReason(value)
    except ValueError:
        raise Refused("请选择回避原因") from None


def declare_recusal(session, actor: Actor, application_id, reason, note: str | None = None) -> Recusal:
    """The expert declares a conflict (直系亲属 / 其他); from then on they neither see nor vote on it."""
    user = require_role(actor, Role.expert)
    app = visible(session, actor, application_id)  # a recused or outside expert does not see it
    reason = _reason(reason)
    note = (note or "").strip()
    if reason == RecusalReason.other and not note:
        raise Refused("选择「其他利害关系」时请填写说明")
    if not vote_open(app, group_of_application(session, app)):
        raise Refused("投票已截止，不能再申请回避")
    if session.scalar(select(Vote.id).where(Vote.application_id == app.id, Vote.expert_id == user.id)):
        raise Refused(f"您已对该申请投票；如需回避请联系{office_name(app)}")
    recusal = Recusal(application_id=app.id, expert_id=user.id, reason=reason, note=note or None,
                      recorded_by_id=user.id)
    session.add(recusal)
    session.flush()
    record(session, actor, "recusal_declare", recusal, application_id=app.id,
           after={"reason": reason.value}, reason=note or None)
    return recusal


def record_recusal(session, actor: Actor, application_id, expert_id, reason, note: str | None = None) -> Recusal:
    """The office records a recusal (e.g. a flagged conflict confirmed); a vote already cast is discarded."""
    require_role(actor, Role.office)
    app = visible(session, actor, application_id)
    reason = _reason(reason)
    group = group_of_application(session, app)
    uid = int_field(expert_id, "专家", 1)
    if not vote_open(app, group):
        raise Refused("仅在专家咨询投票期间可以登记回避")
    if not is_member(group, uid):
        raise Refused("该专家不在此申请的咨询组内")
    if is_recused(session, app.id, uid):
        raise Refused("该专家已回避此申请")
    recusal = Recusal(application_id=app.id, expert_id=uid, reason=reason, note=(note or "").strip() or None,
                      recorded_by_id=actor.user.id)
    session.add(recusal)
    vote = session.scalar(select(Vote).where(Vote.application_id == app.id, Vote.expert_id == uid))
    if vote is not None:
        session.delete(vote)  # the choice itself is not logged (secret ballot)
        record(session, actor, "vote_discard", ("Vote", vote.id), application_id=app.id, reason="专家回避，已投票作废")
    session.flush()
    record(session, actor, "recusal_record", recusal, application_id=app.id,
           after={"expert": uid, "reason": reason.value}, reason=recusal.note)
    return recusal


def _names(text: str | None) -> set[str]:
    raw = (text or "").replace("，", ",").replace("、", ",").replace(";", ",").replace("；", ",")
    return {p.strip() for p in raw.split(",") if p.strip()}


@dataclass
class ConflictFlag:
    application: Application
    expert: User
    why: str


def possible_conflicts(session, actor: Actor, group: ExpertGroup) -> list[ConflictFlag]:
    """Conflicts for the office to confirm: the expert's own work unit, or a listed relative's name."""
    by_expert = {p.user_id: p for p in session.scalars(
        select(ExpertProfile).where(ExpertProfile.user_id.in_([m.expert_id for m in group.members])))}
    apps = session.scalars(select(Application).where(scope(actor), Application.expert_group_id == group.id)
                           .order_by(Application.serial_seq)).all()
    recused = set(session.execute(select(Recusal.application_id, Recusal.expert_id)
                                  .where(Recusal.application_id.in_([a.id for a in apps]))).all())
    flags = []
    for app in apps:
        for member in group.members:
            profile = by_expert.get(member.expert_id)
            if profile is None or (app.id, member.expert_id) in recused:
                continue
            unit = (profile.work_unit or "").strip()
            if len(unit) >= 2 and unit in (app.employer_and_post or ""):
                flags.append(ConflictFlag(app, member.expert, f"同一工作单位（{unit}）"))
            relatives = _names(profile.relatives)
            if app.name in relatives or (app.pen_name and app.pen_name in relatives):
                flags.append(ConflictFlag(app, member.expert, "姓名与专家所列直系亲属相同"))
    return flags
