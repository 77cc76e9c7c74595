"""Issue 9.1 — login protection: throttling per IP and per account, soft lockout, no enumeration, audit.

ASVS 5.0 §6.3 (≤ 100 failed attempts per hour per account), §6.3.8 (no user
enumeration), §16 (security events logged).
"""
from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from sqlalchemy import select

from wxk_admin import auth
from wxk_admin.models import AuditEvent, User, db, utcnow

from ..support.helpers import PASSWORD, Client, redirect_target
from ..support.security import limited_client


@pytest.fixture
def limited(app, database_url):
    """A client of an app with Flask-Limiter ON (memory storage), same database as ``app``."""
    with limited_client(database_url) as limited:
        yield limited


def _actions(username=None):
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    return [r.action for r in rows]


def _bad_login(client, username, ip="10.0.0.1"):
    return client.post("/admin/account/login/", {"username": username, "password": "wrong-password-1"},
                       environ_base={"REMOTE_ADDR": ip})


def _attempt(client, username, password="wrong-password-1", ip="10.0.0.1"):
    r = client.post("/admin/account/login/", {"username": username, "password": password},
                    environ_base={"REMOTE_ADDR": ip})
    return r.status_code, r.get_data(as_text=True), r.headers.get("Retry-After")


def _let_in(client, username, ip) -> bool:
    """The right password from ``ip`` opens the console: the login answers with 首页."""
    r = client.post("/admin/account/login/", {"username": username, "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": ip})
    return redirect_target(r) == ("/admin/", {})


THROTTLED_1_MIN = "登录失败次数过多，请 1 分钟后再试"


@pytest.mark.parametrize("username", ["admin_a", "ghost_writer"])
def test_fifth_failure_is_checked_sixth_attempt_waits_a_minute_same_for_known_and_unknown(client, world, username):
    for _ in range(5):
        status, page, _ = _attempt(client, username)
        assert status == 200 and "用户名或密码错误" in page and "登录失败次数过多" not in page
    # The 6th attempt from the same address is not checked, even with the right password: one message,
    # whether the name exists or not.
    status, page, retry = _attempt(client, username, PASSWORD)
    assert status == 429 and THROTTLED_1_MIN in page and retry == "60"
    assert "锁定" not in page and "用户名或密码错误" not in page
    db.session.expire_all()
    assert _actions() == ["login_failed"] * 5 + ["login_throttled"]


def test_the_owner_gets_in_from_an_address_that_has_not_failed(client, world):
    for _ in range(5):
        _bad_login(client, "admin_a", ip="10.0.0.66")
    assert _attempt(client, "admin_a", PASSWORD, ip="10.0.0.66")[0] == 429
    assert _let_in(client, "admin_a", "10.0.0.7")
    # No lock on the account itself.
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.username == "admin_a")).locked_until is None


def test_a_success_resets_the_addresss_count(client, world):
    for _ in range(4):
        _bad_login(client, "admin_b", ip="10.0.0.8")
    client.post("/admin/account/login/", {"username": "admin_b", "password": PASSWORD},
                environ_base={"REMOTE_ADDR": "10.0.0.8"})
    client.logout()
    statuses = [_bad_login(client, "admin_b", ip="10.0.0.8").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


@pytest.fixture
def fast_passwords(monkeypatch):
    """Hundreds of simulated attempts: the count matters here, not scrypt's cost."""
    monkeypatch.setattr(auth, "check_password_hash", lambda stored, given: False)
    monkeypatch.setattr(User, "check_password", lambda self, given: given == PASSWORD)


def _simulate(name, ip, now, password="bad-password"):
    user, message, retry = auth.authenticate(db.session, name, password, ip=ip, now=now)
    return user, message, retry


def test_delays_grow_1_2_4_8_16_32_60_minutes_per_name_and_address(ctx, world, fast_passwords):
    now = utcnow()
    for _ in range(5):
        assert _simulate("admin_a", "10.3.0.1", now)[1] == auth.LOGIN_FAILED
    for minutes in (1, 2, 4, 8, 16, 32, 60):
        user, message, retry = _simulate("admin_a", "10.3.0.1", now + dt.timedelta(minutes=minutes, seconds=-1))
        assert user is None and retry == 1 and message == "登录失败次数过多，请 1 分钟后再试"
        now += dt.timedelta(minutes=minutes)
        assert _simulate("admin_a", "10.3.0.1", now)[1] == auth.LOGIN_FAILED, minutes
    # The last delay stays at 60 minutes.
    assert _simulate("admin_a", "10.3.0.1", now + dt.timedelta(minutes=59))[2] == 60


def test_per_address_twentieth_failure_checked_twenty_first_waits(client, world):
    statuses = [_bad_login(client, f"nobody{i}", ip="10.2.0.1").status_code for i in range(20)]
    assert statuses == [200] * 20
    status, page, retry = _attempt(client, "office", PASSWORD, ip="10.2.0.1")
    assert status == 429 and THROTTLED_1_MIN in page and retry == "60"
    # The same account from another address is not affected.
    assert _let_in(client, "office", "10.2.0.2")


def test_account_ceiling_refuses_failing_addresses_from_50_and_everyone_from_100(ctx, world, fast_passwords):
    start = utcnow()
    for i in range(49):
        assert _simulate("admin_a", f"10.4.0.{i}", start)[1] == auth.LOGIN_FAILED
    # 49 failures: an address that failed once may still try (its own count is 1).
    assert _simulate("admin_a", "10.4.0.0", start)[1] == auth.LOGIN_FAILED  # the 50th failure
    user, message, retry = _simulate("admin_a", "10.4.0.0", start, PASSWORD)
    assert user is None and retry == 3600 and message == "登录失败次数过多，请 60 分钟后再试"
    assert _simulate("admin_a", "10.4.0.1", start, PASSWORD)[0] is None
    # ... but the owner, from an address that has not failed, gets in.
    assert _simulate("admin_a", "10.9.9.9", start, PASSWORD)[0] is not None
    for i in range(50):
        assert _simulate("admin_a", f"10.5.0.{i}", start)[1] == auth.LOGIN_FAILED
    # 100 failures in the hour: no more passwords are checked for this name, from anywhere.
    user, message, retry = _simulate("admin_a", "10.6.0.1", start, PASSWORD)
    assert user is None and retry == 3600
    db.session.expire_all()
    assert world.users["admin_a"].locked_until is not None
    # An hour after the first failures the oldest leave the window: the owner's address gets in again.
    assert _simulate("admin_a", "10.6.0.1", start + dt.timedelta(hours=1, seconds=1), PASSWORD)[0] is not None


def test_it_unlock_clears_the_ceiling(client, world, fast_passwords):
    start = utcnow()
    for i in range(100):
        auth.authenticate(db.session, "admin_a", "bad-password", ip=f"10.7.0.{i}", now=start)
    assert _attempt(client, "admin_a", PASSWORD, ip="10.7.1.1")[0] == 429
    it = Client(client.raw.application.test_client())
    it.login("it")
    r = it.post("/admin/users/action/", {"action": "unlock", "rowid": str(world.users["admin_a"].id),
                                         "url": "/admin/users/"}, token_from="/admin/users/")
    assert redirect_target(r) == ("/admin/users/", {})
    assert _let_in(client, "admin_a", "10.7.1.1")


def test_at_most_100_failures_in_any_hour_for_one_account(ctx, world, fast_passwords):
    """A botnet: a new address for every attempt, retrying as soon as allowed, for 2½ simulated hours."""
    start = utcnow()
    now, failures, n = start, [], 0
    while now < start + dt.timedelta(hours=2, minutes=30):
        n += 1
        _, message, retry = _simulate("office", f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}", now)
        if message == auth.LOGIN_FAILED:
            failures.append(now)
        now += dt.timedelta(seconds=max(retry, 1) if retry else 1)
    assert len(failures) >= 200  # it goes on, bounded
    for i, t in enumerate(failures):
        in_hour = [f for f in failures[i:] if f < t + dt.timedelta(hours=1)]
        assert len(in_hour) <= 100, (t, len(in_hour))


def test_deactivated_account_wrong_password_generic_message_and_counted(client, world):
    world.users["appl_b"].active = False
    db.session.commit()
    status, page, _ = _attempt(client, "appl_b")
    assert status == 200 and "用户名或密码错误" in page and "停用" not in page
    db.session.expire_all()
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
    assert len(failed) == 1 and failed[0].target_id == world.users["appl_b"].id
    assert failed[0].reason == "用户名：appl_b"
    assert db.session.get(User, world.users["appl_b"].id).failed_logins == 1


def test_flask_limiter_still_caps_requests_per_address(limited, world):
    client, _ = limited
    statuses = [_bad_login(client, f"nobody{i}", ip="10.2.0.1").status_code for i in range(22)]
    assert statuses[:20] == [200] * 20 and statuses[20:] == [429, 429]
    assert _let_in(client, "office", "10.2.0.2")


def test_no_user_enumeration_same_message_and_similar_time(client, world, real_password_checks):
    def timed(username):
        t0 = time.perf_counter()
        r = client.post("/admin/account/login/", {"username": username, "password": "Wrong-pass-123"})
        return time.perf_counter() - t0, r.get_data(as_text=True)

    unknown, known = [], []
    for i in range(4):  # below LOCK_AFTER, so the known account is never locked here
        t, body_u = timed(f"ghost{i}")
        unknown.append(t)
        t, body_k = timed("expert")
        known.append(t)
        assert auth.LOGIN_FAILED in body_u and auth.LOGIN_FAILED in body_k
        assert "不存在" not in body_u
    # Same page apart from the echoed username.
    assert body_u.replace("ghost3", "X").count("alert-danger") == body_k.replace("expert", "X").count("alert-danger")
    mu, mk = statistics.median(unknown), statistics.median(known)
    assert max(mu, mk) / min(mu, mk) < 3, (unknown, known)


def test_every_login_attempt_and_refusal_is_audited(client, world):
    client.post("/admin/account/login/", {"username": "ghost", "password": "x1234567"})
    client.post("/admin/account/login/", {"username": "admin_a", "password": "x1234567"})
    client.login("admin_a")
    r = client.get("/admin/users/")  # 账户管理 is IT only
    assert r.status_code == 403
    db.session.expire_all()
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    assert actions[:3] == ["login_failed", "login_failed", "login"]
    assert "ghost" in (events[0].reason or "")
    assert events[1].target_id == world.users["admin_a"].id
    denied = [e for e in events if e.action == "access_denied"]
    assert len(denied) == 1 and denied[0].actor_id == world.users["admin_a"].id
    assert denied[0].reason == "/admin/users/"
    assert all(e.ip for e in events)


def test_deactivated_user_cannot_log_in(client, world):
    world.users["appl_b"].active = False
    db.session.commit()
    r = client.login("appl_b")
    assert r.status_code == 200 and "停用" in r.get_data(as_text=True)
    db.session.expire_all()
    assert _actions()[-1] == "login_inactive"
