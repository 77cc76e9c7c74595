"""专家库与咨询组: who may read a 门类, the group of each 门类 (picked or 随机抽取), its members, and
assigning the applications whose materials are complete to their 门类's group."""
from __future__ import annotations

import datetime as dt
import random
import secrets

from sqlalchemy import func, select

from .. import workflow
from ..audit import Actor, record
from ...enums import Category, Role
from ...models import (Application, AuditEvent, Cycle, ExpertGroup, ExpertGroupMember, ExpertProfile, User,
                       Vote)
from ..workflow import TransitionRefused
from ...params import id_arg, id_list
from . import common
from .common import Refused, category_of, int_field, require_role, scope

DRAW_SIZE = 5  # 随机抽取's default group size, when the 门类's pool holds that many


def _split(text: str | None) -> list[str]:
    raw = (text or "").replace("，", ",").replace("、", ",")
    return [p.strip() for p in raw.split(",") if p.strip()]


def profile_categories(profile: ExpertProfile) -> set[Category]:
    """The 门类 of a profile; codes or Chinese labels, separated by , ， or 、."""
    return {c for c in map(category_of, _split(profile.categories)) if c is not None}


def profile_problems(categories: str) -> list[str]:
    return [p for p in _split(categories) if category_of(p) is None]


def available_experts(session, category, day: dt.date | None = None) -> list[ExpertProfile]:
    """Experts whose term covers ``day``, active, role expert, able to read ``category`` (ordered by user id)."""
    day = day or common.today()
    category = category_of(category)
    pool = session.scalars(
        select(ExpertProfile).join(User, User.id == ExpertProfile.user_id)
        .where(User.role == Role.expert, User.active.is_(True), ExpertProfile.term_start <= day,
               ExpertProfile.term_end >= day)
        .order_by(ExpertProfile.user_id)).all()
    return [p for p in pool if category in profile_categories(p)]


def pool_summary(session, day: dt.date | None = None) -> list[tuple[Category, int]]:
    return [(cat, len(available_experts(session, cat, day))) for cat in Category]


def group_of(session, cycle_id: int, category) -> ExpertGroup | None:
    return session.scalar(select(ExpertGroup).where(ExpertGroup.cycle_id == cycle_id,
                                                    ExpertGroup.category == category_of(category)))


def _new_group(session, actor: Actor, cycle: Cycle, category) -> ExpertGroup:
    require_role(actor, Role.office)
    cat = category_of(category)
    if cat is None:
        raise Refused("请选择门类")
    if cycle is None:
        raise Refused("没有当前申请年度")
    if group_of(session, cycle.id, cat) is not None:
        raise Refused(f"{cycle.name}「{cat.label}」已有咨询组")
    group = ExpertGroup(cycle_id=cycle.id, category=cat)
    session.add(group)
    session.flush()
    return group


def create_group(session, actor: Actor, cycle: Cycle, category, expert_ids, day: dt.date | None = None) -> ExpertGroup:
    """Manual pick: the office names the experts (each must be available for the 门类)."""
    cat = category_of(category)
    available = {p.user_id for p in available_experts(session, cat, day)}
    chosen = []
    for raw in expert_ids:
        uid = id_arg(raw)  # past BIGINT too: no account, and the database could not bind it
        if uid is None:
            raise Refused("专家编号无效")
        if uid not in available:
            user = session.get(User, uid)
            raise Refused(f"{user.full_name if user else uid} 不在「{cat.label if cat else ''}」可用专家之列（门类或任期不符）")
        if uid not in chosen:
            chosen.append(uid)
    if not chosen:
        raise Refused("请至少选择一名专家")
    group = _new_group(session, actor, cycle, cat)
    for uid in chosen:
        group.members.append(ExpertGroupMember(expert_id=uid))
    session.flush()
    record(session, actor, "group_create", group, after={"category": cat.value, "experts": chosen, "manual": True})
    return group


def reproduce_draw(candidate_ids, seed: str, n: int) -> list[int]:
    """The draw itself: ``n`` of the sorted candidate ids, by ``random.Random(seed)`` — anyone can re-run it."""
    return sorted(random.Random(seed).sample(sorted(candidate_ids), n))


def draw_group(session, actor: Actor, cycle: Cycle, category, n, seed: str | None = None,
               day: dt.date | None = None) -> ExpertGroup:
    """「随机抽取」: draw ``n`` available experts of the 门类; the seed and candidate list are recorded."""
    cat = category_of(category)
    n = int_field(n, "抽取人数", 1)
    candidates = [p.user_id for p in available_experts(session, cat, day)]
    if n > len(candidates):
        raise Refused(f"「{cat.label if cat else ''}」可用专家只有 {len(candidates)} 名，不足 {n} 名")
    seed = (seed or "").strip() or secrets.token_hex(8)
    chosen = reproduce_draw(candidates, seed, n)
    group = _new_group(session, actor, cycle, cat)
    group.draw_seed = seed[:64]
    for uid in chosen:
        group.members.append(ExpertGroupMember(expert_id=uid))
    session.flush()
    record(session, actor, "group_draw", group,
           after={"category": cat.value, "seed": group.draw_seed, "n": n, "candidates": candidates,
                  "experts": chosen})
    return group


def draw_record(session, group: ExpertGroup) -> dict | None:
    """The recorded draw (seed, candidates, chosen) and whether re-running it gives the same experts."""
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "group_draw",
                                                    AuditEvent.target_type == "ExpertGroup",
                                                    AuditEvent.target_id == group.id)
                           .order_by(AuditEvent.id.desc()))
    if event is None or not event.after:
        return None
    data = dict(event.after)
    data["reproduced"] = reproduce_draw(data["candidates"], data["seed"], data["n"]) == sorted(data["experts"])
    return data


def _unchangeable(session, actor: Actor, group: ExpertGroup) -> None:
    """Members are fixed once the group's vote has started (a vote cast or the vote closed)."""
    require_role(actor, Role.office)
    started = group.vote_closed_at is not None or session.scalar(
        select(func.count(Vote.id)).join(Application, Application.id == Vote.application_id)
        .where(Application.expert_group_id == group.id)) > 0
    if started:
        raise Refused("该组已开始投票，不能调整成员")


def add_member(session, actor: Actor, group: ExpertGroup, expert_id, day: dt.date | None = None) -> None:
    _unchangeable(session, actor, group)
    uid = int_field(expert_id, "专家", 1)
    if uid not in {p.user_id for p in available_experts(session, group.category, day)}:
        raise Refused("该专家不在本门类可用专家之列（门类或任期不符）")
    if any(m.expert_id == uid for m in group.members):
        raise Refused("该专家已在组内")
    group.members.append(ExpertGroupMember(expert_id=uid))
    session.flush()
    record(session, actor, "group_member_add", group, after={"expert": uid})


def remove_member(session, actor: Actor, group: ExpertGroup, expert_id) -> None:
    _unchangeable(session, actor, group)
    uid = int_field(expert_id, "专家", 1)
    member = next((m for m in group.members if m.expert_id == uid), None)
    if member is None:
        raise Refused("该专家不在组内")
    group.members.remove(member)
    session.flush()
    record(session, actor, "group_member_remove", group, before={"expert": uid})


def assign(session, actor: Actor, cycle: Cycle, *, category=None, ids=None) -> workflow.BulkResult:
    """Assign the applications ready for 分配咨询组 (of one 门类, or the selected ids) to their 门类's group."""
    require_role(actor, Role.office)
    query = select(Application).where(scope(actor), Application.cycle_id == cycle.id,
                                      Application.status.in_(workflow.sources("assign_experts")))
    if ids is not None:
        query = query.where(Application.id.in_(id_list(ids)))
    if category is not None:
        query = query.where(Application.category == category_of(category))
    result = workflow.BulkResult()
    for app in session.scalars(query.order_by(Application.serial_seq, Application.id)).all():
        group = group_of(session, cycle.id, app.category) if app.category else None
        if group is None:
            result.refused.append((app.id, app.name, "该门类尚无咨询组"))
            continue
        if group.vote_closed_at is not None:
            result.refused.append((app.id, app.name, "该门类咨询组投票已截止"))
            continue
        if not group.members:
            result.refused.append((app.id, app.name, "该门类咨询组没有成员"))
            continue
        savepoint = session.begin_nested()
        try:
            app.expert_group_id = group.id
            result.done.append(workflow.apply(session, app, "assign_experts", actor,
                                              opinion=f"分配至「{Category(group.category).label}」咨询组"))
            savepoint.commit()
        except TransitionRefused as exc:
            savepoint.rollback()
            result.refused.append((app.id, app.name, str(exc)))
    return result
