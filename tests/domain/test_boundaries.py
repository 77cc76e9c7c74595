"""Boundaries pinned by literal values, not by the code's own constants (issue 19.7).

A mutation probe of the critical lines left these alive: the login threshold moved 5 → 6, a password of
exactly 8 characters refused, the secretariat majority counted over votes cast instead of members present,
a deactivated account answering a wrong password differently.  Each test below fails on that mutation.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from wxk_admin.enums import Status
from wxk_admin.models import Application, AuditEvent, User, db

from ..support.helpers import PASSWORD, redirect_target
from ..support.consultation import add_app, status_of

LOGIN = "/admin/account/login/"
PASSWORD_PAGE = "/admin/account/password/"


def _login(client, username, password, ip="10.9.0.1"):
    r = client.post(LOGIN, {"username": username, "password": password}, environ_base={"REMOTE_ADDR": ip})
    return r.status_code, r.headers.get("Location"), r.get_data(as_text=True)


def _failed_logins(username):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed",
                                                       AuditEvent.reason == f"用户名：{username}")).all()


# ---------------------------------------------------------------- login: 5 failures free, then a delay


def test_after_4_failures_the_right_password_still_logs_in(client, world):
    for _ in range(4):
        assert _login(client, "admin_a", "wrong-password-1")[0] == 200
    status, location, _ = _login(client, "admin_a", PASSWORD)
    assert (status, location) == (302, "/admin/")


def test_the_5th_failure_is_checked_and_the_6th_attempt_waits_even_with_the_right_password(client, world):
    for attempt in range(1, 6):
        status, _, page = _login(client, "admin_a", "wrong-password-1")
        assert status == 200 and "用户名或密码错误" in page and "登录失败次数过多" not in page, attempt
    status, location, page = _login(client, "admin_a", PASSWORD)
    assert status == 429 and location is None and "登录失败次数过多，请 1 分钟后再试" in page
    assert len(_failed_logins("admin_a")) == 5


# ---------------------------------------------------------------- password: at least 8 characters


def _change_password(client, new):
    return client.post(PASSWORD_PAGE, {"old_password": PASSWORD, "new_password": new, "repeat_password": new},
                       token_from=PASSWORD_PAGE)


def test_a_password_of_exactly_8_characters_is_accepted(client, world):
    client.login("appl_a")
    r = _change_password(client, "Qz7!kLm2")
    assert (r.status_code, r.headers.get("Location")) == (302, "/admin/")
    db.session.expire_all()
    assert db.session.get(User, world.users["appl_a"].id).check_password("Qz7!kLm2")


def test_a_password_of_7_characters_is_refused_in_chinese(client, world):
    client.login("appl_a")
    r = _change_password(client, "Qz7!kLm")
    assert r.status_code == 200 and "密码至少 8 位" in r.get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, world.users["appl_a"].id)
    assert user.check_password(PASSWORD) and not user.check_password("Qz7!kLm")


# ---------------------------------------------------------------- secretariat: over half of those PRESENT


@pytest.mark.parametrize("present,in_favour,against,outcome", [
    (20, 8, 2, Status.secretariat_rejected),   # 8 of 10 cast, but not more than half of the 20 present
    (20, 10, 0, Status.secretariat_rejected),  # exactly half of those present
    (20, 11, 0, Status.secretariat_approved),  # 11 of 20 present
])
def test_secretariat_majority_is_counted_over_members_present(client, world, present, in_favour, against, outcome):
    app = add_app(db.session, world, "拟发展", Status.expert_passed)
    db.session.commit()
    client.login("office")
    r = client.post("/admin/consultation/secretariat/",
                    {"application_id": app.id, "present": present, "in_favour": in_favour, "against": against,
                     "abstain": 0}, token_from="/admin/")
    assert redirect_target(r) == ("/admin/consultation/secretariat/", {})
    db.session.expire_all()
    assert status_of(app.id) == outcome
    assert db.session.get(Application, app.id).secretariat_present == present


# ---------------------------------------------------------------- a deactivated account


def test_deactivated_account_with_a_wrong_password_gets_the_generic_message_and_a_counted_failure(client, world):
    world.users["appl_b"].active = False
    db.session.commit()
    status, location, page = _login(client, "appl_b", "wrong-password-1")
    assert status == 200 and location is None
    assert "用户名或密码错误" in page and "停用" not in page
    assert len(_failed_logins("appl_b")) == 1
    assert db.session.get(User, world.users["appl_b"].id).failed_logins == 1


def test_deactivated_account_with_the_right_password_is_refused(client, world):
    world.users["appl_b"].active = False
    db.session.commit()
    status, location, page = _login(client, "appl_b", PASSWORD)
    assert status == 200 and location is None and "该账户已停用，请联系管理员" in page
    r = client.get("/admin/my-application/")
    assert redirect_target(r)[0] == "/admin/account/login/"
