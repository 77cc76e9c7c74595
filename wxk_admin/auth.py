"""Authentication: password policy, login with throttling, session checks (Flask-Login).

Domain functions take a session and return a result; the login pages live in
``views/account.py``.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import secrets
from typing import NamedTuple

from flask import current_app, flash, g, redirect, request, session as flask_session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import and_, bindparam, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from .domain.audit import Actor, record
# The password policy and changes are plain Python (domain.passwords); login, sessions and throttling stay here.
from .domain.passwords import rotate_session_token
from .extensions import db, login_manager
from .models import AuditEvent, Message, User, utcnow

LOGIN_FAILED = "用户名或密码错误"
THROTTLED = "登录失败次数过多，请 {minutes} 分钟后再试"

# Login throttling (issue 18.4): slow the attacker's address down, never lock the owner out.  Counted from
# the audit log's login_failed rows (shared by every worker and host, nothing else to keep), keyed by the
# name typed — existing or not, so the answers never tell which names exist.
PAIR_FREE = 5              # failures of one name from one address before delays start ...
PAIR_WINDOW = dt.timedelta(hours=24)  # ... counted over a day (a success from that address starts afresh)
IP_FREE = 20               # failures from one address, whatever the names, in an hour
IP_WINDOW = dt.timedelta(hours=1)
DELAY_MINUTES_MAX = 60     # delays after the free failures: 1, 2, 4 … 60 minutes since the last failure
ACCOUNT_SOFT = 50          # failures of one name in an hour: from then on only addresses that have not failed
ACCOUNT_MAX = 100          # ... and from this many no password is checked at all (ASVS 6.3: ≤ 100 per hour)
ACCOUNT_WINDOW = dt.timedelta(hours=1)

# A real hash to check against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8), method="scrypt")


class LoginResult(NamedTuple):
    user: User | None
    message: str | None = None
    retry_after: int = 0  # seconds before this address may try this name again (0: not throttled)


def _name_reasons(name: str) -> tuple[str, str]:
    """The audit reasons of a failed login for ``name`` (known, unknown)."""
    return f"用户名：{name}", f"未知用户名：{name}"


def _delay(failures: list[dt.datetime], free: int, now: dt.datetime) -> float:
    if len(failures) < free:
        return 0
    minutes = min(2 ** (len(failures) - free), DELAY_MINUTES_MAX)
    return (max(failures) + dt.timedelta(minutes=minutes) - now).total_seconds()


def login_wait(session, name: str, ip: str | None, user: User | None, now: dt.datetime) -> tuple[float, bool]:
    """Seconds before a password for ``name`` from ``ip`` may be checked (≤ 0: now), and whether the name's
    hourly ceiling (every address) is what holds it."""
    reasons = _name_reasons(name)
    mine = [AuditEvent.reason.in_(reasons)]
    if ip:
        mine.append(AuditEvent.ip == ip)
    if user is not None:  # its successful logins and IT's 解除锁定 start the counts afresh
        mine.append(and_(AuditEvent.target_type == "User", AuditEvent.target_id == user.id))
    rows = session.execute(
        select(AuditEvent.created_at, AuditEvent.action, AuditEvent.ip, AuditEvent.reason, AuditEvent.target_id)
        .where(AuditEvent.created_at > now - PAIR_WINDOW,
               AuditEvent.action.in_(("login_failed", "login", "unlock")), or_(*mine))).all()

    def latest(action, same_ip=False):
        return max((r.created_at for r in rows if r.action == action and user is not None
                    and r.target_id == user.id and (not same_ip or r.ip == ip)), default=now - PAIR_WINDOW)

    unlocked = latest("unlock")
    fresh_pair = max(unlocked, latest("login", same_ip=True))
    failed = [r for r in rows if r.action == "login_failed"]
    pair = [r.created_at for r in failed if r.reason in reasons and r.ip == ip and r.created_at > fresh_pair]
    by_ip = [r.created_at for r in failed if r.ip == ip and r.created_at > now - IP_WINDOW]
    by_name = sorted(r.created_at for r in failed
                     if r.reason in reasons and r.created_at > max(unlocked, now - ACCOUNT_WINDOW))
    def until_below(ceiling):  # until enough of the name's failures leave the hour
        return (by_name[len(by_name) - ceiling] + ACCOUNT_WINDOW - now).total_seconds()

    waits = [_delay(pair, PAIR_FREE, now), _delay(by_ip, IP_FREE, now)]
    if len(by_name) >= ACCOUNT_SOFT and any(t > max(unlocked, now - ACCOUNT_WINDOW) for t in pair):
        waits.append(until_below(ACCOUNT_SOFT))
    everyone = until_below(ACCOUNT_MAX) if len(by_name) >= ACCOUNT_MAX else 0
    return max(waits + [everyone]), everyone > 0


def authenticate(session, username: str, password: str, ip: str | None = None,
                 now: dt.datetime | None = None) -> LoginResult:
    """Check credentials; every attempt is audited (``created_at`` = ``now``: the throttle counts those rows)."""
    now = now or utcnow()
    username = (username or "").strip()
    name = username.lower()[:64]
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower())) if username else None

    def audit(action, actor=None, target=None, reason=None):
        record(session, actor or Actor(None, ip), action, target or user or ("User", None),
               reason=reason).created_at = now

    wait, whole_account = login_wait(session, name, ip, user, now)
    if wait > 0:
        seconds = math.ceil(wait)
        audit("login_throttled", reason=_name_reasons(name)[0])
        if user is not None and whole_account:  # shown to IT (锁定至), who can 解除锁定
            user.locked_until = now + dt.timedelta(seconds=seconds)
        session.commit()
        return LoginResult(None, THROTTLED.format(minutes=math.ceil(seconds / 60)), seconds)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")  # the same time as a known name
        audit("login_failed", reason=_name_reasons(name)[1])
        session.commit()
        return LoginResult(None, LOGIN_FAILED)
    if not user.check_password(password or ""):  # a deactivated account too: the same answer, counted
        user.failed_logins = (user.failed_logins or 0) + 1
        audit("login_failed", reason=_name_reasons(name)[0])
        session.commit()
        return LoginResult(None, LOGIN_FAILED)
    if not user.active:
        audit("login_inactive")
        session.commit()
        return LoginResult(None, "该账户已停用，请联系管理员")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if not user.session_token:
        user.session_token = secrets.token_hex(16)
    audit("login", actor=Actor(user, ip))
    session.commit()
    return LoginResult(user)


def end_session(session, user: User, actor: Actor) -> None:
    """退出: rotate the token so that the signed cookie, if replayed, no longer authenticates."""
    rotate_session_token(user)
    record(session, actor, "logout", user)


@functools.cache
def _user_with_unread():
    """The signed-in user by primary key, the 站内信 unread count riding along (one statement per request
    instead of two); built once per process, not on every request."""
    unread = Message.unread_count(User.id).correlate(User).scalar_subquery()
    return select(User, unread).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(user_id: str):
    ident, _, token = (user_id or "").partition(":")
    if not ident.isdigit():
        return None
    row = db.session.execute(_user_with_unread(), {"user_id": int(ident)}).first()
    if row is None:
        return None
    user, g.wxk_unread = row
    if not user.active or (user.session_token or "") != token:
        return None
    return user


# The idle clock restarts at most once a minute (a session may stay idle up to a minute longer).
LAST_SEEN_RESOLUTION = 60


def _check_idle_timeout():
    """End a session idle for longer than SESSION_IDLE_MINUTES (absolute lifetime: PERMANENT_SESSION_LIFETIME)."""
    if not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    last = flask_session.get("last_seen")
    started = flask_session.get("started", now)
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if (last and now - last > idle) or now - started > lifetime:
        logout_user()
        flask_session.clear()
        return redirect(url_for("account.login_view", next=request.full_path, expired=1))
    if not last or now - last >= LAST_SEEN_RESOLUTION:
        flask_session["last_seen"] = now  # not on every request: an unchanged session is not re-signed and re-sent
    return None


ACTING_ENDED = "管理员账户已退出或修改了密码，请重新登录"


def acting_admin(user_id, token: str | None) -> User | None:
    """The unit admin behind a switched (proxy) session, if that admin's own session is still valid:
    active, and the session token seen at the switch not rotated since (password change, logout,
    deactivation end the switched session too)."""
    admin = db.session.get(User, user_id) if user_id else None
    if admin is None or not admin.active or not token or (admin.session_token or "") != token:
        return None
    return admin


def _check_acting_admin():
    """While switched into a proxy account, every request checks the admin's own session."""
    admin_id = flask_session.get("acting_admin_id")
    if not admin_id or acting_admin(admin_id, flask_session.get("acting_admin_token")) is not None:
        return None
    logout_user()
    flask_session.clear()
    flash(ACTING_ENDED, "warning")
    return redirect(url_for("account.login_view"))


def _force_password_change():
    """Accounts handed over to their owner (or reset) must set a new password first."""
    if current_user.is_authenticated and current_user.must_change_password:
        allowed = {"account.password_view", "account.logout_view", "static", "admin.static"}
        if request.endpoint not in allowed:
            return redirect(url_for("account.password_view"))
    return None


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "account.login_view"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    app.before_request(_check_idle_timeout)
    app.before_request(_check_acting_admin)
    app.before_request(_force_password_change)
