"""Proxy accounts (代申请账户, operation guide 四): a unit admin creates an applicant account, fills it in
as that applicant, resets its password and hands it over to the person.

Every function takes the ``Actor``: rights are its acting account's (as in ``workflow``), so an admin switched
into a proxy account — acting as that applicant — manages no proxy accounts.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from .. import passwords
from ..access import user_filter
from ..audit import Actor, record
from ..errors import Refused
from ...enums import Role
from ...models import Application, Cycle, User, utcnow
from ...params import id_arg
from .accounts import username_problems
from .fields import MOBILE_RE, normalise_mobile


class ProxyRefused(Refused):
    """A proxy-account operation that may not happen; ``str(exc)`` is the Chinese message."""


def _unit_admin(actor: Actor) -> User:
    """The acting account, if it is an active unit admin with a unit."""
    admin = actor.acting_as
    if admin is None or admin.role != Role.unit_admin or admin.unit_id is None or not admin.active:
        raise ProxyRefused("只有团体会员管理员可以管理代申请账户")
    return admin


def _require_own_proxy(actor: Actor, proxy: User | None) -> User:
    admin = _unit_admin(actor)
    if proxy is None or not proxy.is_proxy or proxy.unit_id != admin.unit_id or proxy.role != Role.applicant:
        raise ProxyRefused("账户不存在或不属于本单位")
    return admin


def create_proxy(session, actor: Actor, username: str, password: str | None, *, full_name: str = "",
                 mobile: str | None = None) -> tuple[User, str]:
    """新增账户: an applicant account in the admin's unit, marked as proxy; returns ``(user, password)``.

    With no password one is generated; the caller shows it once.
    """
    admin = _unit_admin(actor)
    username = (username or "").strip()
    problems = username_problems(session, username)
    if problems:
        raise ProxyRefused("；".join(problems))
    shown = password or passwords.generate_password()
    if password:
        problems = passwords.password_problems(username, password)
        if problems:
            raise ProxyRefused("；".join(problems))
    if mobile and not MOBILE_RE.match(normalise_mobile(mobile)):
        raise ProxyRefused("请填写 11 位中国大陆手机号码")
    user = User(username=username, role=Role.applicant, full_name=(full_name or "").strip()[:50],
                mobile=normalise_mobile(mobile) if mobile else None, unit_id=admin.unit_id, active=True,
                is_proxy=True, created_by_id=admin.id, must_change_password=False)
    user.set_password(shown)
    session.add(user)
    session.flush()
    record(session, actor, "create_proxy", user,
           after={"username": user.username, "unit_id": admin.unit_id, "generated": password is None})
    return user, shown


def proxy_accounts(session, actor: Actor) -> list[User]:
    admin = _unit_admin(actor)
    return list(session.scalars(select(User).where(user_filter(admin), User.is_proxy.is_(True))
                                .order_by(User.created_at.desc(), User.id.desc())))


def proxy_applications(session, proxies: list[User], cycle: Cycle | None) -> dict[int, Application]:
    """Each proxy account's application in ``cycle``, by the account's id (``proxies`` as ``proxy_accounts``
    gives them: a unit admin's scope has no drafts, a proxy's application often is one)."""
    if not proxies or cycle is None:
        return {}
    rows = session.scalars(select(Application).where(Application.cycle_id == cycle.id,
                                                     Application.applicant_id.in_([p.id for p in proxies])))
    return {a.applicant_id: a for a in rows}


def own_proxy(session, actor: Actor, proxy_id) -> User | None:
    """The proxy account with this id if the acting account is a unit admin and it is in their unit (through
    ``access.user_filter``; an applicant's scope there is their own account, a proxy's too)."""
    pk = id_arg(proxy_id)
    admin = actor.acting_as
    if pk is None or admin is None or admin.role != Role.unit_admin:
        return None
    return session.scalar(select(User).where(User.id == pk, user_filter(admin), User.is_proxy.is_(True)))


def hand_over(session, actor: Actor, proxy: User) -> None:
    """交由本人使用: the applicant takes the account; they must set a new password at next login."""
    _require_own_proxy(actor, proxy)
    if proxy.handed_over_at is not None:
        raise ProxyRefused("该账户已交由本人使用")
    proxy.must_change_password = True
    proxy.handed_over_at = utcnow()
    passwords.rotate_session_token(proxy)  # any session the admin still has in it ends
    record(session, actor, "hand_over_proxy", proxy, after={"must_change_password": True})


def reset_proxy_password(session, actor: Actor, proxy: User, password: str | None = None) -> str:
    """重置密码 (only the admin's own unit's proxies); returns the new password to show once.

    An account already handed over must be given a new password by its owner at next login.
    """
    _require_own_proxy(actor, proxy)
    shown = password or passwords.generate_password()
    problems = passwords.set_password(session, proxy, shown, actor, must_change=proxy.handed_over_at is not None)
    if problems:
        raise ProxyRefused("；".join(problems))
    return shown


def switch_to_proxy(session, actor: Actor, proxy: User, admin_password: str) -> None:
    """以该账户身份填写: check the admin's own password again, then audit the switch (the view swaps the session)."""
    admin = _require_own_proxy(actor, proxy)
    if not admin.check_password(admin_password or ""):
        record(session, actor, "switch_to_proxy_failed", proxy, reason="管理员密码不正确")
        raise ProxyRefused("管理员密码不正确")
    if proxy.handed_over_at is not None:
        raise ProxyRefused("该账户已交由本人使用，不能再以该账户身份填写")
    if not proxy.active:
        raise ProxyRefused("该账户已停用")
    record(session, replace(actor, on_behalf_of=proxy), "switch_to_proxy", proxy)


def switch_back(session, actor: Actor) -> None:
    """返回管理员账户: ``actor`` is the switched session's — the admin behind it (None when that admin's session
    has ended) acting on behalf of the proxy — so here the rights are ``actor.user``'s, the one returned to."""
    admin = actor.user
    if admin is None or admin.role != Role.unit_admin or not admin.active:
        raise ProxyRefused("原管理员账户不可用，请重新登录")
    record(session, actor, "switch_back", actor.on_behalf_of or ("User", None))
