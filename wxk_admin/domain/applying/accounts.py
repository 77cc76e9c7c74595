"""Accounts: user names (unique whatever the case) and applicants' self-registration (注册)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from .. import passwords
from ..audit import Actor, record
from ..errors import Refused
from ...enums import Role, UnitKind
from ...models import GroupUnit, User
from ...params import id_arg
from .fields import MOBILE_RE, normalise_mobile

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")


def _taken(session, username: str, user_id=None) -> bool:
    """Whether another account than ``user_id`` has ``username`` — in any case: login ignores case in user names,
    so must uniqueness (the column's constraint does not)."""
    query = select(User.id).where(func.lower(User.username) == (username or "").lower())
    if user_id is not None:
        query = query.where(User.id != user_id)
    with session.no_autoflush:  # an account being created is itself pending in the session
        return session.scalar(query) is not None


def username_problems(session, username: str) -> list[str]:
    """Why ``username`` cannot be a new account's (its form, or taken — whatever the case)."""
    if not USERNAME_RE.match(username or ""):
        return ["用户名为 3–64 位字母、数字或 _ . @ -"]
    return ["该用户名已被使用"] if _taken(session, username) else []


def refuse_taken_username(session, username: str, *, user_id=None) -> None:
    """Refuse ``username`` when another account than ``user_id`` (None: a new one) has it, in any case."""
    if _taken(session, username, user_id):
        raise Refused(f"用户名已存在：{username}")


def registration_problems(session, *, username: str, password: str, password2: str | None, full_name: str,
                          mobile: str, unit_id) -> tuple[dict[str, list[str]], GroupUnit | None]:
    """Field → messages for a registration form, and the unit chosen (None: 直接申报 or none valid)."""
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if problems := username_problems(session, username):
        errors["username"] = problems
    if problems := passwords.password_problems(username, password or ""):
        errors["password"] = problems
    if password2 is not None and password != password2:
        errors["password2"] = ["两次输入的密码不一致"]
    if not (full_name or "").strip():
        errors["full_name"] = ["请填写姓名"]
    elif len(full_name.strip()) > 50:
        errors["full_name"] = ["姓名不能超过 50 个字"]
    if not MOBILE_RE.match(normalise_mobile(mobile or "")):
        errors["mobile"] = ["请填写 11 位中国大陆手机号码"]
    unit = None
    if unit_id != "direct":
        pk = id_arg(unit_id)
        unit = session.get(GroupUnit, pk) if pk is not None else None
        if unit is None or not unit.active:
            errors["unit_id"] = ["请选择推荐单位，或选择直接申报（中央和国家机关）"]
    return errors, unit


def register_applicant(session, *, username: str, password: str, full_name: str, mobile: str, unit_id,
                       password2: str | None = None, ip: str | None = None) -> tuple[User | None, dict]:
    """Self-registration: ``(user, {})`` or ``(None, field → messages)``.  ``unit_id`` "direct" = 直接申报."""
    errors, unit = registration_problems(session, username=username, password=password, password2=password2,
                                         full_name=full_name, mobile=mobile, unit_id=unit_id)
    if errors:
        return None, errors
    user = User(username=username.strip(), role=Role.applicant, full_name=full_name.strip(),
                mobile=normalise_mobile(mobile), unit_id=unit.id if unit else None, active=True)
    user.set_password(password)
    session.add(user)
    session.flush()
    record(session, Actor(user, ip), "register", user,
           after={"username": user.username, "unit": unit.name if unit else "直接申报（中央和国家机关）"})
    return user, {}


def units_for_registration(session) -> list[GroupUnit]:
    """The units an applicant may register under (直接申报 is offered apart)."""
    return list(session.scalars(select(GroupUnit).where(GroupUnit.active.is_(True), GroupUnit.kind != UnitKind.direct)
                                .order_by(GroupUnit.kind, GroupUnit.code)))
