"""What the 会员发展 pages read (issue 19.2): the queries ``views/consultation.py`` ran itself.

Plain reads taking ``(session, actor, …)``; every application goes through the actor's scope (``common.scope``
→ ``access``).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .. import workflow
from ..audit import Actor
from ...enums import Category, Role, Status
from ...models import Application, Cycle, ExpertGroup, ExpertProfile, Notice, Objection, User
from .common import scope
from .experts import available_experts
from .materials import PRE_MATERIAL_STATES
from .notice import notice_rows


def materials_queue(session, actor: Actor, cycle: Cycle | None, status: str | None, search: str, page: int,
                    page_size: int) -> tuple[list[Application], bool]:
    """纸质材料: one page of the applications before 材料已收齐 (the office's default: 已确认并编号), and
    whether another page follows."""
    query = select(Application).where(scope(actor), Application.status.in_(PRE_MATERIAL_STATES))
    if cycle is not None:
        query = query.where(Application.cycle_id == cycle.id)
    if status in {s.value for s in PRE_MATERIAL_STATES}:
        query = query.where(Application.status == Status(status))
    elif actor.acting_as is not None and actor.acting_as.role == Role.office:
        query = query.where(Application.status == Status.office_confirmed)
    if search:
        query = query.where(Application.name.contains(search) | Application.serial_no.contains(search))
    query = query.order_by(Application.serial_seq, Application.id)
    rows = session.scalars(query.limit(page_size + 1).offset((page - 1) * page_size)).all()
    return rows[:page_size], len(rows) > page_size


def waiting_for(session, actor: Actor, cycle: Cycle | None, transition: str, *order) -> list[Application]:
    """The cycle's applications the actor may see that ``transition`` would take now (its source states in
    workflow's table), by ``order`` (申请序列号 when none)."""
    if cycle is None:
        return []
    return session.scalars(select(Application).where(
        scope(actor), Application.cycle_id == cycle.id,
        Application.status.in_(workflow.sources(transition)))
        .order_by(*(order or (Application.serial_seq,)))).all()


def cycle_groups(session, cycle: Cycle | None) -> list[ExpertGroup]:
    """The cycle's expert groups by 门类."""
    if cycle is None:
        return []
    return session.scalars(select(ExpertGroup).where(ExpertGroup.cycle_id == cycle.id)
                           .order_by(ExpertGroup.category)).all()


def groups_by_category(session, cycle: Cycle | None) -> dict[Category, ExpertGroup]:
    return {Category(g.category): g for g in cycle_groups(session, cycle)}


def expert_pool(session, day: dt.date) -> dict[Category, list[ExpertProfile]]:
    """The experts available on ``day`` for each 门类."""
    return {cat: available_experts(session, cat, day) for cat in Category}


def expert_accounts(session) -> list[User]:
    """Accounts with the expert role, by name (the 专家库 form's choice of account)."""
    return session.scalars(select(User).where(User.role == Role.expert).order_by(User.full_name)).all()


def notice_blocks(session, cycle: Cycle | None):
    """公示与异议: each notice of the cycle (newest first) with its people and the objections to each."""
    if cycle is None:
        return []
    notices = session.scalars(select(Notice).where(Notice.cycle_id == cycle.id)
                              .order_by(Notice.starts_on.desc())).all()
    blocks = []
    for notice in notices:
        apps = notice_rows(session, notice, (Status.on_notice, Status.admitted, Status.disqualified))
        objections: dict[int, list[Objection]] = {}
        if apps:
            for obj in session.scalars(select(Objection).where(
                    Objection.application_id.in_([a.id for a in apps])).order_by(Objection.id)):
                objections.setdefault(obj.application_id, []).append(obj)
        blocks.append((notice, apps, objections))
    return blocks


def users_by_id(session, ids) -> dict[int, User]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}
