"""Issue 4 / guide 四: 新增账户 (proxy accounts) — create, log in as the proxy, switch and return, hand over."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from wxk_admin.domain import applying
from wxk_admin.domain.audit import Actor
from wxk_admin.enums import Role, Status
from wxk_admin.models import AuditEvent, User, db

from ..support.applicant import HOME, VALID, application_of, assert_listed_for_unit_a_only, cip_record, post_form
from ..support.helpers import PASSWORD, redirect_target

LIST = "/admin/proxy-accounts/"
NEW = "/admin/proxy-accounts/new/"


def _create(client, username="daitian01", password="Dai-tian-2027", **extra):
    data = {"username": username, "password": password or "", "password2": password or "", **extra}
    if password is None:
        data["generate"] = "1"
    return client.post(NEW, data, token_from=NEW)


def _proxy_of_admin_a(world, username: str, **kw) -> int:
    """A proxy account made by unit A's admin (committed): its id."""
    proxy, _ = applying.create_proxy(db.session, Actor(world.users["admin_a"]), username, "Dai-tian-2027", **kw)
    db.session.commit()
    return proxy.id


def _user(username) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def test_admin_creates_proxy_logs_in_as_it_fills_and_submits(client, world):
    """Guide 四.2–3: 输入要新增的用户名和密码 … 退出本团体会员管理员账号，然后用新增的用户名和密码登录 … 【填写入会申请】."""
    cip_record()
    client.login("admin_a")
    assert "新增账户" in client.text(LIST)
    r = _create(client, full_name="张晓河")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "新增账户成功" in page
    assert "退出" in page and "用新增的用户名和密码" in page and "填写入会申请" in page
    proxy = _user("daitian01")
    assert proxy.role == Role.applicant and proxy.is_proxy and proxy.unit_id == world.unit_a.id
    assert proxy.created_by_id == world.users["admin_a"].id and not proxy.must_change_password
    assert "daitian01" in client.text(LIST)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "create_proxy"))
    assert event.actor_id == world.users["admin_a"].id and event.target_id == proxy.id
    client.logout()

    assert redirect_target(client.login("daitian01", "Dai-tian-2027")) == ("/admin/", {})
    post_form(client, VALID, "submit")
    app = application_of(proxy)
    assert app.status == Status.submitted and app.unit_id == world.unit_a.id
    client.logout()

    assert_listed_for_unit_a_only(client)


def test_generated_password_is_shown_once_and_works(client, world):
    client.login("admin_a")
    page = _create(client, "daitian02", None).get_data(as_text=True)
    import re

    shown = re.search(r'id="shown-password">([^<]+)<', page).group(1)
    assert len(shown) >= 12
    assert shown not in client.text(LIST)
    client.logout()
    assert redirect_target(client.login("daitian02", shown)) == ("/admin/", {})


@pytest.mark.parametrize("username,password,message", [
    ("appl_a", "Dai-tian-2027", "该用户名已被使用"),
    ("daitian03", "12345678", "密码过于常见"),
    ("x", "Dai-tian-2027", "用户名为 3–64 位"),
])
def test_bad_proxy_input_is_refused(client, world, username, password, message):
    client.login("admin_a")
    before = len(db.session.scalars(select(User)).all())
    page = _create(client, username, password).get_data(as_text=True)
    assert message in page
    assert f'value="{username}"' in page
    db.session.expire_all()
    assert len(db.session.scalars(select(User)).all()) == before


def test_unit_admin_lists_and_resets_only_own_units_proxies(client, world):
    admin_a = world.users["admin_a"]
    proxy_id = _proxy_of_admin_a(world, "daitian_a")
    client.login("admin_b")
    listing = client.text(LIST)
    assert "daitian_a" not in listing and "appl_b" not in listing
    for url in ("/admin/proxy-accounts/reset/", "/admin/proxy-accounts/hand-over/", "/admin/proxy-accounts/switch/"):
        r = client.post(url, {"id": str(proxy_id), "password": PASSWORD}, token_from=LIST)
        assert r.status_code == 404, url
    assert _user("daitian_a").check_password("Dai-tian-2027")
    assert _user("daitian_a").handed_over_at is None
    # ordinary applicants of the own unit are not "proxy accounts" either
    client.logout()
    client.login("admin_a")
    r = client.post("/admin/proxy-accounts/reset/", {"id": str(world.users["appl_a"].id)}, token_from=LIST)
    assert r.status_code == 404
    r = client.post("/admin/proxy-accounts/reset/", {"id": str(proxy_id)}, token_from=LIST)
    page = r.get_data(as_text=True)
    assert "密码已重置" in page
    import re

    shown = re.search(r'id="shown-password">([^<]+)<', page).group(1)
    assert _user("daitian_a").check_password(shown)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password_reset",
                                                      AuditEvent.target_id == proxy_id)).actor_id == admin_a.id
    # applicants and the office have no proxy pages
    client.logout()
    client.login("office")
    assert client.get(LIST).status_code == 403


def test_switch_into_proxy_and_back_is_audited(client, world):
    cip_record()
    proxy_id, admin_id = _proxy_of_admin_a(world, "daitian_s", full_name="张晓河"), world.users["admin_a"].id
    client.login("admin_a")
    # the admin's own password is asked again
    r = client.post("/admin/proxy-accounts/switch/", {"id": str(proxy_id), "password": "wrong-password"},
                    token_from=LIST, follow_redirects=True)
    assert "管理员密码不正确" in r.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "switch_to_proxy_failed"))
    assert 'id="acting-banner"' not in client.text(LIST)

    r = client.post("/admin/proxy-accounts/switch/", {"id": str(proxy_id), "password": PASSWORD},
                    token_from=LIST, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert 'id="acting-banner"' in page and "返回管理员账户" in page and "daitian_s" in page
    assert "我的申请" in page
    switched = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "switch_to_proxy"))
    assert switched.actor_id == admin_id and switched.on_behalf_of_id == proxy_id

    # acting as the proxy: the admin is the actor, on behalf of the proxy account
    post_form(client, VALID, "draft")
    app = application_of(_user("daitian_s"))
    saved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "save_draft",
                                                       AuditEvent.application_id == app.id))
    assert saved.actor_id == admin_id and saved.on_behalf_of_id == proxy_id
    post_form(client, VALID, "submit", version=app.version)
    app = application_of(_user("daitian_s"))
    assert app.status == Status.submitted and app.applicant_id == proxy_id
    submitted = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "submit",
                                                           AuditEvent.application_id == app.id))
    assert submitted.actor_id == admin_id and submitted.on_behalf_of_id == proxy_id
    # while switched, the admin's pages are closed (the session is the proxy's)
    assert client.get("/admin/applications/").status_code == 403
    denied = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access_denied")
                               .order_by(AuditEvent.id.desc()).limit(1))
    assert (denied.actor_id, denied.on_behalf_of_id, denied.reason) == (admin_id, proxy_id, "/admin/applications/")

    r = client.post("/admin/proxy-return/", {}, token_from=HOME, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "已返回管理员账户" in page and 'id="acting-banner"' not in page
    back = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "switch_back"))
    assert back.actor_id == admin_id and back.on_behalf_of_id == proxy_id
    assert "张晓河" in client.text("/admin/applications/")
    # and the later actions are the admin's own again
    assert redirect_target(client.post("/admin/proxy-return/", {}, token_from=LIST)) == ("/admin/", {})
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "switch_back")
                             .order_by(AuditEvent.id.desc())).id == back.id


def test_hand_over_forces_a_new_password_and_ends_switching(client, world):
    admin_a = world.users["admin_a"]
    proxy_id = _proxy_of_admin_a(world, "daitian_h")
    client.login("admin_a")
    r = client.post("/admin/proxy-accounts/hand-over/", {"id": str(proxy_id)}, token_from=LIST, follow_redirects=True)
    assert "已交由本人使用" in r.get_data(as_text=True)
    proxy = _user("daitian_h")
    assert proxy.must_change_password and proxy.handed_over_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hand_over_proxy"))
    assert event.actor_id == admin_a.id and event.target_id == proxy_id
    r = client.post("/admin/proxy-accounts/switch/", {"id": str(proxy_id), "password": PASSWORD}, token_from=LIST,
                    follow_redirects=True)
    assert "已交由本人使用，不能再以该账户身份填写" in r.get_data(as_text=True)
    client.logout()
    r = client.login("daitian_h", "Dai-tian-2027")
    assert redirect_target(r) == ("/admin/account/password/", {})
    assert redirect_target(client.get(HOME)) == ("/admin/account/password/", {})


def test_proxy_domain_refuses_other_roles(world):
    with pytest.raises(applying.ProxyRefused):
        applying.create_proxy(db.session, Actor(world.users["office"]), "daitian_x", "Dai-tian-2027")
    with pytest.raises(applying.ProxyRefused):
        applying.hand_over(db.session, Actor(world.users["admin_b"]), world.users["appl_a"])


def test_proxy_domain_reads_rights_from_the_acting_account(world):
    """Issue 19.1: the proxy functions take the actor; its IP is audited, and rights are the acting account's — an
    admin switched into a proxy account acts as that applicant and manages no proxy accounts; another unit's admin
    reaches none of unit A's."""
    admin_a = world.users["admin_a"]
    proxy, _ = applying.create_proxy(db.session, Actor(admin_a, "10.1.2.3"), "daitian_r", "Dai-tian-2027")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "create_proxy"))
    assert (event.actor_id, event.ip, event.target_id) == (admin_a.id, "10.1.2.3", proxy.id)
    assert applying.own_proxy(db.session, Actor(admin_a), proxy.id) is proxy
    assert [p.username for p in applying.proxy_accounts(db.session, Actor(admin_a))] == ["daitian_r"]

    switched = Actor(admin_a, on_behalf_of=proxy)
    assert applying.own_proxy(db.session, switched, proxy.id) is None
    assert applying.own_proxy(db.session, Actor(world.users["admin_b"]), proxy.id) is None
    for attempt in (lambda: applying.create_proxy(db.session, switched, "daitian_z", "Dai-tian-2027"),
                    lambda: applying.proxy_accounts(db.session, switched),
                    lambda: applying.reset_proxy_password(db.session, switched, proxy),
                    lambda: applying.hand_over(db.session, switched, proxy),
                    lambda: applying.switch_to_proxy(db.session, switched, proxy, PASSWORD)):
        with pytest.raises(applying.ProxyRefused, match="只有团体会员管理员可以管理代申请账户"):
            attempt()
    # 返回管理员账户 needs the admin behind the switched session
    with pytest.raises(applying.ProxyRefused, match="原管理员账户不可用，请重新登录"):
        applying.switch_back(db.session, Actor(None, on_behalf_of=proxy))
    applying.switch_back(db.session, Actor(admin_a, "10.1.2.4", on_behalf_of=proxy))
    back = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "switch_back"))
    assert (back.actor_id, back.on_behalf_of_id, back.ip, back.target_id) == (admin_a.id, proxy.id, "10.1.2.4",
                                                                               proxy.id)


# ---------------------------------------------------------------- issue 18.3: the switched session follows the admin's own


def _switched(app, world, username="daitian_x"):
    """Session A of admin_a switched into a new proxy account, session B of admin_a; returns (A, B)."""
    from ..support.helpers import Client

    proxy_id = _proxy_of_admin_a(world, username)
    a, b = Client(app.test_client()), Client(app.test_client())
    a.login("admin_a")
    b.login("admin_a")
    r = a.post("/admin/proxy-accounts/switch/", {"id": str(proxy_id), "password": PASSWORD}, token_from=LIST,
               follow_redirects=True)
    assert 'id="acting-banner"' in r.get_data(as_text=True)
    return a, b


def _ended(client, token: str) -> None:
    """The switched session is over: 返回管理员账户 (with the token the page carried) does not give the admin's
    session back, it says why, and neither the proxy's nor the admin's pages open."""
    r = client.raw.post("/admin/proxy-return/", data={"csrf_token": token})
    assert redirect_target(r) == ("/admin/account/login/", {})
    assert "管理员账户已退出或修改了密码，请重新登录" in client.text("/admin/account/login/")
    for url in (HOME, "/admin/applications/", "/admin/proxy-accounts/"):
        assert redirect_target(client.get(url))[0] == "/admin/account/login/", url


@pytest.mark.parametrize("end", ["password_change", "logout", "deactivation"])
def test_switched_session_ends_with_the_admins_session(app, world, end):
    a, b = _switched(app, world)
    token = a.token(HOME)
    admin_id = world.users["admin_a"].id
    if end == "password_change":
        r = b.post("/admin/account/password/", {"old_password": PASSWORD, "new_password": "Qiu-Shui-2025!",
                                                "repeat_password": "Qiu-Shui-2025!"},
                   token_from="/admin/account/password/")
        assert redirect_target(r) == ("/admin/", {})
    elif end == "logout":
        assert redirect_target(b.logout()) == ("/admin/account/login/", {})
    else:
        from ..support.helpers import Client

        it = Client(app.test_client())
        it.login("it")
        r = it.post("/admin/users/action/", {"action": "deactivate", "rowid": str(admin_id), "url": "/admin/users/"},
                    token_from="/admin/users/")
        assert redirect_target(r) == ("/admin/users/", {})
    _ended(a, token)
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "switch_back")) is None


def test_switched_session_survives_the_admins_other_login_and_returns(app, world):
    """Another login of the admin (no rotation) leaves the switched session working, and the return works."""
    from ..support.helpers import Client

    a, _ = _switched(app, world)
    Client(app.test_client()).login("admin_a")
    assert a.get(HOME).status_code == 200
    r = a.post("/admin/proxy-return/", {}, token_from=HOME, follow_redirects=True)
    assert "已返回管理员账户" in r.get_data(as_text=True)


def test_logout_while_switched_ends_the_admins_sessions_too(app, world):
    a, b = _switched(app, world)
    r = a.post("/admin/account/logout/", {}, token_from=HOME)
    assert redirect_target(r) == ("/admin/account/login/", {})
    assert redirect_target(b.get("/admin/applications/"))[0] == "/admin/account/login/"
