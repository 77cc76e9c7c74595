"""阅读与投票 (secret) and 计票: one vote per expert per application, the office's n of m while the vote is
open, the tallies and each application's outcome at the close (002 第三条(三)2)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import access, workflow
from ..audit import Actor, record
from ...enums import Role, VoteChoice
from ...models import Application, ExpertGroup, Recusal, Vote, utcnow
from ...params import id_arg
from .common import (Refused, group_of_application, is_recused, passes, profile_of, require_role, scope,
                     vote_open)


def cast_vote(session, actor: Actor, application_id, choice, note: str | None = None) -> Vote:
    """One vote per expert per application, until the office closes the group's vote."""
    user = require_role(actor, Role.expert)
    app_id = id_arg(application_id)
    if app_id is None:
        raise Refused("申请不存在或无权访问")
    app = access.visible_application(session, user, app_id)
    if app is None:
        # Outside the expert's rows: their own recusal says why; otherwise they are not of its group.
        if is_recused(session, app_id, user.id):
            raise Refused("您已对该申请回避，不能投票")
        raise Refused("您不是该申请所属咨询组的成员，不能投票")
    if not vote_open(app, group_of_application(session, app)):
        raise Refused("投票已截止")
    if session.scalar(select(Vote.id).where(Vote.application_id == app.id, Vote.expert_id == user.id)):
        raise Refused("您已对该申请投过票，不能重复投票")
    try:
        choice = VoteChoice(choice)
    except ValueError:
        raise Refused("请选择「通过」或「不通过」") from None
    vote = Vote(application_id=app.id, expert_id=user.id, choice=choice, reading_note=(note or "").strip() or None)
    savepoint = session.begin_nested()
    try:
        session.add(vote)
        session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        raise Refused("您已对该申请投过票，不能重复投票") from None
    # The audit log records that a vote was cast, never the choice.
    record(session, actor, "vote", ("Vote", vote.id), application_id=app.id)
    return vote


def my_vote(session, actor: Actor, application_id) -> Vote | None:
    """The actor's own vote (the only vote anyone is ever shown): an expert's, nobody else has one."""
    expert = actor.acting_as
    if expert is None:
        return None
    return session.scalar(select(Vote).where(Vote.application_id == id_arg(application_id),
                                             Vote.expert_id == expert.id))


@dataclass
class Tally:
    members: int
    recused: int
    eligible: int  # non-recused members: the base of the majority
    passed: int
    failed: int

    @property
    def voted(self) -> int:
        return self.passed + self.failed

    @property
    def needed(self) -> int:
        return self.eligible // 2 + 1

    @property
    def carries(self) -> bool:
        """002 第三条(三)2 / 001 五.2: 本组专家投票过半数方为通过 — over half of the non-recused members."""
        return self.eligible > 0 and passes(self.passed, self.eligible)


@dataclass
class Progress:
    """What the office is shown of one application's vote: how many of those who should vote have voted,
    and the tally only once the group's vote is closed (002 第三条(三)2 无记名投票)."""

    members: int
    recused: int
    eligible: int
    voted: int
    needed: int
    tally: Tally | None  # None while the vote is open

    @classmethod
    def of(cls, tally: Tally, closed: bool) -> Progress:
        return cls(members=tally.members, recused=tally.recused, eligible=tally.eligible, voted=tally.voted,
                   needed=tally.needed, tally=tally if closed else None)


def tally(session, application: Application) -> Tally | None:
    """Counts for the office: never who voted how."""
    group = group_of_application(session, application)
    if group is None:
        return None
    member_ids = [m.expert_id for m in group.members]
    recused = set(session.scalars(select(Recusal.expert_id).where(Recusal.application_id == application.id,
                                                                  Recusal.expert_id.in_(member_ids))))
    eligible = [uid for uid in member_ids if uid not in recused]
    counts = dict(session.execute(
        select(Vote.choice, func.count(Vote.id)).where(Vote.application_id == application.id,
                                                        Vote.expert_id.in_(eligible))
        .group_by(Vote.choice)).all())
    return Tally(members=len(member_ids), recused=len(recused), eligible=len(eligible),
                 passed=counts.get(VoteChoice.passed, 0), failed=counts.get(VoteChoice.failed, 0))


def progress(session, application: Application) -> Progress | None:
    """One application's vote as the office may see it (counts only after the close)."""
    t = tally(session, application)
    return Progress.of(t, group_of_application(session, application).vote_closed_at is not None) if t else None


def close_vote(session, actor: Actor, group: ExpertGroup, now: dt.datetime | None = None) -> workflow.BulkResult:
    """Close the group's vote and decide each application (expert_passed / expert_failed)."""
    require_role(actor, Role.office)
    if group.vote_closed_at is not None:
        raise Refused("该组投票已截止")
    rows = group_tallies(session, actor, group, statuses=workflow.sources("expert_pass"))
    apps = [app for app, _ in rows]
    tallies = {app.id: t for app, t in rows}
    empty = [app.name for app in apps if tallies[app.id].eligible == 0]
    if empty:
        raise Refused("以下申请的咨询组成员全部回避，请先为该组增补专家：" + "、".join(empty))
    group.vote_closed_at = now or utcnow()
    result = workflow.BulkResult()
    for app in apps:
        t = tallies[app.id]
        name = "expert_pass" if t.carries else "expert_fail"
        text = profile_of(app).say(f"专家咨询：应投 {t.eligible} 票（回避 {t.recused}），通过 {t.passed} 票，"
                                   f"不通过 {t.failed} 票")
        result.done.append(workflow.apply(session, app, name, actor, opinion=text, now=now))
    record(session, actor, "vote_close", group, after={"applications": len(apps),
                                                       "passed": sum(1 for o in result.done
                                                                     if o.transition.name == "expert_pass")})
    return result


def group_tallies(session, actor: Actor, group: ExpertGroup, statuses=None) -> list[tuple[Application, Tally]]:
    """Tallies of every application of a group the actor sees, in a few queries (the office's vote monitor)."""
    query = select(Application).where(scope(actor), Application.expert_group_id == group.id)
    if statuses:
        query = query.where(Application.status.in_(statuses))
    apps = session.scalars(query.order_by(Application.serial_seq, Application.id)).all()
    member_ids = [m.expert_id for m in group.members]
    app_ids = [a.id for a in apps]
    recused: dict[int, set[int]] = {}
    voted: dict[int, dict[int, VoteChoice]] = {}
    if app_ids:
        for app_id, uid in session.execute(select(Recusal.application_id, Recusal.expert_id)
                                           .where(Recusal.application_id.in_(app_ids))):
            recused.setdefault(app_id, set()).add(uid)
        for app_id, uid, choice in session.execute(select(Vote.application_id, Vote.expert_id, Vote.choice)
                                                   .where(Vote.application_id.in_(app_ids))):
            voted.setdefault(app_id, {})[uid] = choice
    rows = []
    for app in apps:
        out = recused.get(app.id, set()) & set(member_ids)
        eligible = [uid for uid in member_ids if uid not in out]
        votes = voted.get(app.id, {})
        rows.append((app, Tally(
            members=len(member_ids), recused=len(out), eligible=len(eligible),
            passed=sum(1 for uid in eligible if votes.get(uid) == VoteChoice.passed),
            failed=sum(1 for uid in eligible if votes.get(uid) == VoteChoice.failed))))
    return rows


def vote_monitor(session, actor: Actor, group: ExpertGroup) -> list[tuple[Application, Progress]]:
    """The office's 投票与回避 rows: n of m while the group's vote is open, the tallies once closed."""
    closed = group.vote_closed_at is not None
    return [(app, Progress.of(t, closed)) for app, t in group_tallies(session, actor, group)]


def group_closed(session, app: Application) -> bool:
    group = group_of_application(session, app)
    return group is None or group.vote_closed_at is not None


# ---------------------------------------------------------------- the expert's own list

def expert_applications(session, actor: Actor) -> list[Application]:
    """The expert's 审读投票 list: their rows (their groups' applications in review, less their recusals)."""
    return session.scalars(select(Application).where(scope(actor))
                           .order_by(Application.category, Application.serial_seq, Application.id)).all()


def expert_recusal_count(session, actor: Actor) -> int:
    """How many applications the actor (an expert) has recused themself from."""
    expert = actor.acting_as
    if expert is None:
        return 0
    return session.scalar(select(func.count(Recusal.id)).where(Recusal.expert_id == expert.id)) or 0
