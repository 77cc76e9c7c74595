"""Issue 9.2 — sessions: no fixation, cookie flags, idle and absolute timeouts, logout and token rotation.

Flask sessions are signed client-side cookies: a replayed cookie is refused
only because ``User.session_token`` (part of the Flask-Login id) has rotated.
"""
from __future__ import annotations

import time

from sqlalchemy import select

from wxk_admin.models import AuditEvent, User, db

from ..support.helpers import PASSWORD, Client, redirect_target

COOKIE = "session"


def _cookie(client: Client) -> str | None:
    c = client.raw.get_cookie(COOKIE)
    return c.value if c else None


def _set_cookie(client: Client, value: str) -> None:
    client.raw.set_cookie(COOKIE, value)


def _logged_in(client: Client) -> bool:
    r = client.get("/admin/applications/")
    return r.status_code == 200


def _set_cookie_headers(response) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]


def test_new_session_at_login_no_fixation(client, world):
    client.get("/admin/account/login/")
    with client.raw.session_transaction() as sess:
        sess["planted"] = "by-attacker"
    before = _cookie(client)
    assert before
    r = client.login("admin_a")
    assert redirect_target(r) == ("/admin/", {})
    after = _cookie(client)
    assert after and after != before
    with client.raw.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("_user_id", "").startswith(f"{world.users['admin_a'].id}:")
    # The attacker's pre-login cookie does not carry the login.
    attacker = Client(client.raw.application.test_client())
    _set_cookie(attacker, before)
    assert not _logged_in(attacker)


def test_cookie_flags_httponly_samesite_and_secure_when_configured(app, client, world):
    r = client.login("admin_a")
    headers = _set_cookie_headers(r)
    assert headers, r.headers
    h = headers[-1]
    assert "HttpOnly" in h and "SameSite=Lax" in h
    assert "Secure" not in h  # plain HTTP in tests (SESSION_COOKIE_SECURE unset: follows the request)
    assert "Expires=" in h  # permanent session: absolute lifetime is enforced server-side too
    previous = app.config["SESSION_COOKIE_SECURE"]
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        other = Client(app.test_client())
        r = other.login("admin_b")
        h = _set_cookie_headers(r)[-1]
        assert "Secure" in h and "HttpOnly" in h and "SameSite=Lax" in h
    finally:
        app.config["SESSION_COOKIE_SECURE"] = previous


def test_idle_timeout(app, client, world):
    client.login("admin_a")
    assert _logged_in(client)
    with client.raw.session_transaction() as sess:
        sess["last_seen"] = time.time() - (app.config["SESSION_IDLE_MINUTES"] * 60 - 60)
    assert _logged_in(client)  # 29 minutes idle: still in, and the clock restarts
    with client.raw.session_transaction() as sess:
        sess["last_seen"] = time.time() - (app.config["SESSION_IDLE_MINUTES"] * 60 + 60)
    r = client.get("/admin/applications/")
    path, query = redirect_target(r)
    assert path == "/admin/account/login/" and query["expired"] == ["1"]
    assert not _logged_in(client)


def test_idle_timeout_is_configurable(app, client, world):
    old = app.config["SESSION_IDLE_MINUTES"]
    app.config["SESSION_IDLE_MINUTES"] = 5
    try:
        client.login("admin_a")
        with client.raw.session_transaction() as sess:
            sess["last_seen"] = time.time() - 6 * 60
        assert not _logged_in(client)
    finally:
        app.config["SESSION_IDLE_MINUTES"] = old


def test_absolute_lifetime_even_when_active(app, client, world):
    client.login("admin_a")
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    assert lifetime == 12 * 3600
    with client.raw.session_transaction() as sess:
        sess["started"] = time.time() - lifetime - 60
        sess["last_seen"] = time.time() - 10  # busy, but 12 h are over
    assert not _logged_in(client)


def test_logout_invalidates_replayed_cookie(client, world):
    client.login("admin_a")
    assert _logged_in(client)
    stolen = _cookie(client)
    r = client.logout()
    assert redirect_target(r) == ("/admin/account/login/", {})
    assert not _logged_in(client)
    replay = Client(client.raw.application.test_client())
    _set_cookie(replay, stolen)
    assert not _logged_in(replay)
    db.session.expire_all()
    assert "logout" in [e.action for e in db.session.scalars(select(AuditEvent))]


def test_logout_is_post_only(client, world):
    client.login("admin_a")
    r = client.get("/admin/account/logout/")
    assert r.status_code == 405
    assert _logged_in(client)


def test_password_change_ends_other_sessions_but_keeps_this_one(app, world):
    here, there = Client(app.test_client()), Client(app.test_client())
    here.login("appl_a")
    there.login("appl_a")
    assert _home(here) and _home(there)
    r = here.post("/admin/account/password/", {"old_password": PASSWORD, "new_password": "Qiu-Shui-2025!",
                                               "repeat_password": "Qiu-Shui-2025!"},
                  token_from="/admin/account/password/")
    assert redirect_target(r) == ("/admin/", {})
    assert _home(here)
    assert not _home(there)


def _home(client: Client) -> bool:
    r = client.get("/admin/account/password/")  # any page that needs a login (applicants' /admin/ redirects)
    return r.status_code == 200


def _it_acts_on_a_logged_in_user(app, world, username: str, action: str) -> tuple[Client, int]:
    """``username`` logged in (checked), then IT runs the 账户 list action on them: (their client, their id)."""
    victim, it = Client(app.test_client()), Client(app.test_client())
    victim.login(username)
    assert _logged_in(victim)
    it.login("it")
    uid = world.users[username].id
    r = it.post("/admin/users/action/", {"action": action, "rowid": str(uid), "url": "/admin/users/"},
                token_from="/admin/users/")
    assert redirect_target(r) == ("/admin/users/", {})
    return victim, uid


def test_deactivation_ends_sessions(app, world):
    victim, uid = _it_acts_on_a_logged_in_user(app, world, "admin_a", "deactivate")
    db.session.expire_all()
    assert db.session.get(User, uid).active is False
    assert not _logged_in(victim)
    assert victim.login("admin_a").status_code == 200  # cannot log back in


def test_password_reset_by_it_ends_sessions(app, world):
    victim, _ = _it_acts_on_a_logged_in_user(app, world, "admin_b", "reset_password")
    assert not _logged_in(victim)
