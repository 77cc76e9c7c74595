"""The application cycles (年度): which cycle is current, whose cycle an account fills in, its window.

One ``current_cycle`` for the applicant's side, the consultation stages and the dashboard.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .audit import Actor, jsonable, record
from ..models import Cycle
from .workflow import TransitionRefused


def current_cycle(session, association: str | None = None) -> Cycle | None:
    """The newest cycle marked current — of ``association`` when given, else of any association."""
    query = select(Cycle).where(Cycle.is_current.is_(True))
    if association:
        query = query.where(Cycle.association == association)
    return session.scalars(query.order_by(Cycle.year.desc())).first()


def newest_first(session) -> list[Cycle]:
    """Every cycle, the newest first (the 年度 to choose on the printing and statistics pages)."""
    return session.scalars(select(Cycle).order_by(Cycle.year.desc(), Cycle.id.desc())).all()


def cycle_for(session, actor: Actor) -> Cycle | None:
    """The cycle the acting account fills in: its unit's association's current one, else any current one."""
    user = actor.acting_as
    association = user.unit.association if user is not None and user.unit is not None else None
    return current_cycle(session, association) or current_cycle(session)


def md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def ymd(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def window_text(cycle: Cycle) -> str:
    return f"{ymd(cycle.fill_start)}至{ymd(cycle.fill_end)}"


def extend_window(session, cycle: Cycle, new_end: dt.date, actor: Actor) -> None:
    """延长填写期限 (the office): a later ``fill_end``; audited."""
    if new_end < cycle.fill_start:
        raise TransitionRefused("截止日期不能早于开始日期")
    old = cycle.fill_end
    cycle.fill_end = new_end
    record(session, actor, "extend_window", cycle, before={"fill_end": jsonable(old)},
           after={"fill_end": jsonable(new_end)})
