"""What every consultation stage shares: the refusal, the actor's rights and rows, parsed fields, the group."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .. import access, workflow
from ... import profiles
from ..audit import Actor
from ...enums import Category, Role
from ...models import Application, ExpertGroup, Recusal, User
from ...params import EARLIEST_DATE, LATEST_DATE, date_arg, int_arg
from ..workflow import TransitionRefused


class Refused(TransitionRefused):
    """A consultation step that may not happen; ``str(exc)`` is the Chinese message."""


def profile_of(app: Application):
    return profiles.of(app.cycle.association if app.cycle else None)


def office_name(app: Application) -> str:
    """The office as the application's association calls it (会员处, 联络部 …; 协会配置)."""
    return profile_of(app).names.office_short


def require_role(actor: Actor, *roles: Role) -> User:
    """The account whose rights apply (a proxy's when an admin acts through it), if it has one of ``roles``."""
    user = actor.acting_as
    if user is None or Role(user.role) not in roles:
        raise Refused("您的角色无权执行此操作")
    return user


def visible(session, actor: Actor, application_id) -> Application:
    """The application if it is in the actor's rows (``access``), else refused as if it did not exist."""
    app = access.visible_application(session, actor.acting_as, application_id)
    if app is None:
        raise Refused("申请不存在或无权访问")
    return app


def scope(actor: Actor):
    """The WHERE clause of the actor's rows, for the stages' list queries."""
    return access.application_filter(actor.acting_as)


def today() -> dt.date:
    return dt.date.today()


def int_field(value, label: str, minimum: int = 0) -> int:
    number = int_arg(value)
    if number is None:
        raise Refused(f"「{label}」须为整数")
    if number < minimum:
        raise Refused(f"「{label}」不能小于 {minimum}")
    return number


def date_field(value, label: str) -> dt.date:
    day = date_arg(value)
    if day is None:
        raise Refused(f"「{label}」日期格式应为 YYYY-MM-DD，且在 {EARLIEST_DATE.year} 至 {LATEST_DATE.year} 年之间")
    return day


def category_of(value) -> Category | None:
    """A 门类 from its code, its Chinese label or an association's own word for it (协会配置), else None."""
    if isinstance(value, Category):
        return value
    text = str(value or "").strip()
    for cat in Category:
        if text in (cat.value, cat.label):
            return cat
    code = profiles.category_named(text)
    return Category(code) if code else None


def group_of_application(session, app: Application) -> ExpertGroup | None:
    return session.get(ExpertGroup, app.expert_group_id) if app.expert_group_id else None


def is_member(group: ExpertGroup | None, user_id: int) -> bool:
    return group is not None and any(m.expert_id == user_id for m in group.members)


def is_recused(session, app_id: int, expert_id: int) -> bool:
    return session.scalar(select(Recusal.id).where(Recusal.application_id == app_id,
                                                   Recusal.expert_id == expert_id)) is not None


def vote_open(app: Application, group: ExpertGroup | None) -> bool:
    """The expert vote on ``app`` is open: its group's vote is not closed and the vote's outcome
    (专家咨询通过 / 未通过) can still be applied."""
    return (group is not None and group.vote_closed_at is None
            and app.status in workflow.sources("expert_pass"))


def passes(pass_votes: int, eligible: int) -> bool:
    """过半数: more than half of ``eligible`` (the experts' and the secretariat's rule alike)."""
    return pass_votes * 2 > eligible
