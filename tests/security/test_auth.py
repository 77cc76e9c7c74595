"""Issue 2.5 / 2.9 — login, logout, 修改密码, anonymous redirects, forced password change, password storage.

Everything goes through HTTP (the real login form, CSRF tokens included) and
asserts the database or the page.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from wxk_admin import auth
from wxk_admin.domain import passwords
from wxk_admin.models import Application, AuditEvent, User, db, utcnow

from ..support.helpers import PASSWORD, Client, redirect_target

LOGIN = "/admin/account/login/"
PASSWORD_PAGE = "/admin/account/password/"
NEW_PASSWORD = "Qingshan-lu-2031"

# Pages an anonymous visitor may open (everything else under /admin/ sends them to the login page).
PUBLIC_ENDPOINTS = {"account.login_view", "admin.static",
                    "register.index"}  # 申请者注册 (issue 4): self-registration, reached from the login page


def user(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def audit_actions(target_id=None) -> list[str]:
    db.session.expire_all()
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if target_id is not None:
        query = query.where(AuditEvent.target_type == "User", AuditEvent.target_id == target_id)
    return list(db.session.scalars(query))


def is_logged_in(client: Client) -> bool:
    """The console answers with a page carrying the logged-in top bar (退出 button), not the login page."""
    r = client.get("/admin/", follow_redirects=True)
    return r.status_code == 200 and 'id="logout-button"' in r.get_data(as_text=True)


def new_client(app) -> Client:
    return Client(app.test_client())


# ---------------------------------------------------------------- login


def test_login_success_lands_on_the_chinese_home_page(client, world):
    r = client.login("admin_a")
    assert redirect_target(r) == ("/admin/", {})
    html = client.text("/admin/")
    assert '<strong id="home-role">团体会员管理员</strong>' in html
    assert '<strong id="home-unit">甲省作家协会</strong>' in html
    account = user("admin_a")
    assert account.last_login_at is not None and account.failed_logins == 0
    assert "login" in audit_actions(account.id)


@pytest.mark.parametrize("username,password", [
    ("admin_a", "not-the-password-1"),   # known user, wrong password
    ("nobody_here", PASSWORD),            # unknown user
    ("", PASSWORD),                       # no user name at all
])
def test_failed_login_says_the_same_thing_whatever_was_wrong(client, world, username, password):
    r = client.login(username, password)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert auth.LOGIN_FAILED == "用户名或密码错误"
    assert auth.LOGIN_FAILED in html
    # The page is re-shown with the user name typed, and no session was opened.
    assert f'value="{username}"' in html
    assert not is_logged_in(client)
    if username == "admin_a":
        assert user("admin_a").failed_logins == 1
        assert audit_actions(user("admin_a").id)[-1] == "login_failed"


def test_username_is_not_case_sensitive_but_password_is(client, world):
    assert redirect_target(client.login("ADMIN_A")) == ("/admin/", {})
    assert is_logged_in(client)
    other = new_client(client.raw.application)
    assert other.login("admin_a", PASSWORD.upper()).status_code == 200
    assert not is_logged_in(other)


def test_inactive_user_is_refused_even_with_the_right_password(client, world):
    account = world.users["admin_a"]
    account.active = False
    db.session.commit()
    r = client.login("admin_a")
    assert r.status_code == 200
    assert "该账户已停用，请联系管理员" in r.get_data(as_text=True)
    assert not is_logged_in(client)
    assert audit_actions(account.id)[-1] == "login_inactive"
    assert user("admin_a").last_login_at is None


def test_repeated_failures_slow_that_address_down_not_the_owner(client, world):
    """Issue 18.4: five failures from one address make it wait; the account is never locked for its owner."""
    for attempt in range(1, auth.PAIR_FREE + 1):
        r = client.login("admin_b", f"wrong-password-{attempt}")
        assert auth.LOGIN_FAILED in r.get_data(as_text=True)
    account = user("admin_b")
    assert account.failed_logins == auth.PAIR_FREE and account.locked_until is None
    # This address waits: even the right password is not checked, with a Chinese message saying how long.
    r = client.login("admin_b")
    html = r.get_data(as_text=True)
    assert r.status_code == 429 and "登录失败次数过多，请 1 分钟后再试" in html
    assert not is_logged_in(client)
    assert audit_actions(account.id)[-1] == "login_throttled"
    # The owner, from another address, gets in, and the count of failures starts afresh.
    r = client.post("/admin/account/login/", {"username": "admin_b", "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert redirect_target(r) == ("/admin/", {}) and is_logged_in(client)
    account = user("admin_b")
    assert account.failed_logins == 0 and account.locked_until is None


@pytest.mark.parametrize("next_url,expected", [
    ("/admin/inbox/", "/admin/inbox/"),
    ("//evil.example/admin/", "/admin/"),
    ("https://evil.example/", "/admin/"),
])
def test_login_follows_only_local_next_targets(app, world, next_url, expected):
    c = new_client(app)
    r = c.post(f"{LOGIN}?next={next_url}", {"username": "office", "password": PASSWORD})
    assert redirect_target(r) == (expected, {})
    assert not urlsplit(r.headers["Location"]).netloc


# ---------------------------------------------------------------- logout


def test_logout_is_post_only_and_ends_the_session(client, world):
    client.login("admin_a")
    r = client.get("/admin/account/logout/")
    assert r.status_code == 405
    assert is_logged_in(client), "a GET must not log out"
    saved_cookie = client.raw.get_cookie("session")
    assert saved_cookie is not None
    r = client.logout()
    assert redirect_target(r) == (LOGIN, {})
    assert "您已安全退出" in client.text(LOGIN)
    assert not is_logged_in(client)
    r = client.get("/admin/applications/")
    assert redirect_target(r) == (LOGIN, {"next": ["/admin/applications/?"]})
    # The cookie copied before logging out no longer opens a session either.
    replay = new_client(client.raw.application)
    replay.raw.set_cookie("session", saved_cookie.value)
    assert not is_logged_in(replay)


def test_logout_requires_the_csrf_token(client, world):
    client.login("admin_a")
    r = client.post("/admin/account/logout/", {}, csrf=False)
    assert r.status_code == 400
    assert is_logged_in(client)


# ---------------------------------------------------------------- 修改密码


def change_password(client, old, new, repeat=None):
    return client.post(PASSWORD_PAGE, {"old_password": old, "new_password": new,
                                       "repeat_password": new if repeat is None else repeat},
                       token_from=PASSWORD_PAGE)


@pytest.mark.parametrize("old,new,repeat,message", [
    ("wrong-old-password", NEW_PASSWORD, None, "原密码不正确"),
    (PASSWORD, "Ab1-xyz", None, f"密码至少 {passwords.MIN_PASSWORD_LENGTH} 位"),
    (PASSWORD, "Admin_A", None, "密码至少"),            # short and equal to the user name
    (PASSWORD, "admin_a", None, "密码不能与用户名相同"),
    (PASSWORD, "zuoxie123", None, "密码过于常见，请换一个"),
    (PASSWORD, "password", None, "密码过于常见，请换一个"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "两次输入的新密码不一致"),
    (PASSWORD, PASSWORD, None, "新密码不能与原密码相同"),
])
def test_change_password_refusals_change_nothing(client, world, old, new, repeat, message):
    client.login("admin_a")
    before = user("admin_a").password_hash
    r = change_password(client, old, new, repeat)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert message in html
    assert 'class="invalid-feedback"' in html
    assert user("admin_a").password_hash == before
    assert "password_change" not in audit_actions()


def test_change_password_success_then_only_the_new_password_works(app, client, world):
    client.login("admin_a")
    other_session = new_client(app)
    other_session.login("admin_a")
    assert is_logged_in(other_session)
    r = change_password(client, PASSWORD, NEW_PASSWORD)
    assert redirect_target(r) == ("/admin/", {})
    assert "密码已修改" in client.text("/admin/")
    account = user("admin_a")
    assert account.check_password(NEW_PASSWORD) and not account.check_password(PASSWORD)
    assert audit_actions(account.id)[-1] == "password_change"
    # This session goes on; the other session of the same account has ended.
    assert is_logged_in(client)
    assert not is_logged_in(other_session)
    # Re-login: the old password is refused, the new one works.
    client.logout()
    fresh = new_client(app)
    assert auth.LOGIN_FAILED in fresh.login("admin_a", PASSWORD).get_data(as_text=True)
    assert redirect_target(fresh.login("admin_a", NEW_PASSWORD)) == ("/admin/", {})
    assert is_logged_in(fresh)


def test_password_is_stored_hashed_with_scrypt_never_plain(client, world):
    client.login("office")
    change_password(client, PASSWORD, NEW_PASSWORD)
    stored = user("office").password_hash
    assert stored.startswith("scrypt:")
    assert NEW_PASSWORD not in stored and PASSWORD not in stored
    # The same password twice gives two different hashes (salted).
    twin = User(username="twin", role=user("office").role)
    twin.set_password(NEW_PASSWORD)
    assert twin.password_hash != stored and twin.password_hash.startswith("scrypt:")
    # No column anywhere holds the plain password.
    for account in db.session.scalars(select(User)):
        assert PASSWORD not in (account.password_hash or "") and NEW_PASSWORD not in (account.password_hash or "")


def test_must_change_password_forces_the_password_page_first(client, world):
    account = world.users["appl_a"]
    account.must_change_password = True
    db.session.commit()
    r = client.login("appl_a")
    assert redirect_target(r) == (PASSWORD_PAGE, {})
    for url in ("/admin/", "/admin/inbox/", "/admin/applications/"):
        r = client.get(url)
        assert redirect_target(r) == (PASSWORD_PAGE, {}), url
    assert "请先设置新密码" in client.text(PASSWORD_PAGE)
    r = change_password(client, PASSWORD, NEW_PASSWORD)
    assert redirect_target(r) == ("/admin/", {})
    assert user("appl_a").must_change_password is False
    assert is_logged_in(client)
    assert client.get("/admin/inbox/").status_code == 200


# ---------------------------------------------------------------- sessions


def test_anonymous_users_are_sent_to_login_for_every_admin_url(app, client, world):
    """Walk the url_map: every /admin/ rule and method, except the login page and static files."""
    app_id = world.apps["b_submitted"].id
    count_before = db.session.scalar(select(func.count(Application.id)))
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<{arg}>", "csv").replace(f"<path:{arg}>", "x").replace(f"<int:{arg}>", str(app_id))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                r = client.get(url, query_string={"id": app_id})
            else:  # a fresh token each time: the logout POST clears the session, token included
                r = client.raw.open(url, method=method, data={"csrf_token": client.token(), "id": app_id,
                                                              "rowid": app_id, "action": "delete",
                                                              "list_form_pk": app_id})
            assert redirect_target(r)[0] == LOGIN, (method, url, r.headers.get("Location"))
            checked.append((method, url))
    assert ("GET", "/admin/applications/details/") in checked
    assert ("POST", "/admin/applications/delete/") in checked
    assert len(checked) > 20
    assert db.session.scalar(select(func.count(Application.id))) == count_before


def test_a_deactivated_account_loses_its_open_session(app, client, world):
    client.login("admin_a")
    assert is_logged_in(client)
    it = new_client(app)
    it.login("it")
    account_id = world.users["admin_a"].id
    r = it.post("/admin/users/action/", {"action": "deactivate", "rowid": str(account_id)},
                token_from="/admin/users/")
    assert redirect_target(r) == ("/admin/users/", {})
    assert user("admin_a").active is False
    assert not is_logged_in(client)
    assert "deactivate" in audit_actions(account_id)


def test_an_idle_session_expires(client, world, app):
    client.login("admin_a")
    assert is_logged_in(client)
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    with client.raw.session_transaction() as session:
        session["last_seen"] = utcnow().timestamp() - idle - 5
    r = client.get("/admin/applications/")
    assert redirect_target(r) == (LOGIN, {"expired": ["1"], "next": ["/admin/applications/?"]})
    assert "登录已超时，请重新登录" in client.text(r.headers["Location"])
    assert not is_logged_in(client)


def test_it_cannot_create_an_account_whose_name_differs_only_in_case(client, world):
    """Login ignores case in user names, so 'ADMIN_A' would be a second door to 'admin_a'."""
    client.login("it")
    before = db.session.scalar(select(func.count(User.id)))
    form = {"username": "ADMIN_A", "full_name": "冒名", "mobile": "", "role": "office", "active": "y",
            "new_password": NEW_PASSWORD}
    r = client.post("/admin/users/new/", form, token_from="/admin/users/new/", follow_redirects=True)
    assert "用户名已存在：ADMIN_A" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id))) == before
    # A genuinely new name is accepted, hashed, and audited.
    form["username"] = "new_office"
    r = client.post("/admin/users/new/", form, token_from="/admin/users/new/")
    assert redirect_target(r) == ("/admin/users/", {})
    created = user("new_office")
    assert created is not None and created.password_hash.startswith("scrypt:")
    assert "create" in audit_actions(created.id)
