"""Issue 2.6 / 2.9 — each role's menu and each role's refused URLs.

The menu is read from the real page (the console's main navigation); the
refusals are real requests, and every refusal leaves an ``access_denied`` audit record.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from wxk_admin.enums import Role
from wxk_admin.models import AuditEvent, GroupUnit, User, db


# Views of the foundation (issue 2): url → menu label.  Other issues add their own entries; the
# generic test below checks those (an entry is shown exactly when the role may open it).
FOUNDATION_MENU = {
    "/admin/": "首页",
    "/admin/applications/": "申请入会管理",
    "/admin/inbox/": "站内信",
    "/admin/units/": "团体会员单位",
    "/admin/cycles/": "申请年度",
    "/admin/users/": "账户管理",
    "/admin/audit/": "操作记录",
}

# role → the foundation entries its menu shows, exactly (SPEC §1).
EXPECTED_MENU = {
    Role.applicant: {"/admin/", "/admin/inbox/"},
    Role.unit_admin: {"/admin/", "/admin/applications/", "/admin/inbox/"},
    Role.expert: {"/admin/", "/admin/inbox/"},  # experts read on 审读投票, not the generic list (issue 13.2c)
    Role.office: {"/admin/", "/admin/applications/", "/admin/inbox/", "/admin/units/", "/admin/cycles/"},
    Role.it_admin: set(FOUNDATION_MENU),
    # 纪检监察 (issue 15.1): the list and the audit log, read only
    Role.supervisor: {"/admin/", "/admin/applications/", "/admin/inbox/", "/admin/audit/"},
}

# A user of each role in tests/factories.py.
WORLD_USER = {Role.applicant: "appl_a", Role.unit_admin: "admin_a", Role.expert: "expert", Role.office: "office",
              Role.it_admin: "it", Role.supervisor: "supervisor"}

# role → URLs it must be refused (403), and URLs it may open (200).
REFUSED = {
    Role.applicant: ["/admin/applications/", "/admin/applications/details/?id={a}", "/admin/users/",
                     "/admin/audit/", "/admin/units/", "/admin/cycles/", "/admin/users/new/",
                     "/admin/applications/export/csv/"],
    Role.unit_admin: ["/admin/users/", "/admin/users/new/", "/admin/users/edit/?id={u}", "/admin/audit/",
                      "/admin/audit/details/?id=1", "/admin/units/", "/admin/units/new/", "/admin/cycles/",
                      "/admin/users/export/csv/"],
    Role.expert: ["/admin/users/", "/admin/audit/", "/admin/units/", "/admin/cycles/", "/admin/applications/",
                  "/admin/applications/details/?id={a}"],
    Role.office: ["/admin/users/", "/admin/users/new/", "/admin/audit/", "/admin/audit/export/csv/"],
    Role.it_admin: [],
    Role.supervisor: ["/admin/users/", "/admin/users/new/", "/admin/units/", "/admin/cycles/",
                      "/admin/applications/download/?id={a}"],
}
ALLOWED = {
    Role.applicant: ["/admin/", "/admin/inbox/", "/admin/account/password/"],
    Role.unit_admin: ["/admin/", "/admin/applications/", "/admin/applications/details/?id={a}", "/admin/inbox/"],
    Role.expert: ["/admin/", "/admin/inbox/"],
    Role.office: ["/admin/applications/", "/admin/applications/details/?id={a}", "/admin/units/", "/admin/cycles/"],
    Role.it_admin: ["/admin/users/", "/admin/users/new/", "/admin/audit/", "/admin/units/", "/admin/units/new/",
                    "/admin/cycles/", "/admin/applications/details/?id={a}"],
    Role.supervisor: ["/admin/", "/admin/applications/", "/admin/applications/details/?id={a}", "/admin/audit/",
                      "/admin/consultation/groups/", "/admin/consultation/notice/"],
}

# role → the write pages of reference data it may not use although it may read the list.
NO_WRITE = {
    Role.office: ["/admin/units/new/", "/admin/units/edit/?id={unit}"],
    Role.unit_admin: ["/admin/applications/new/"],
}


class _MenuParser(HTMLParser):
    """Collects (href, text) of the leaf links inside the main menu (``ul.navbar-nav.mr-auto``)."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # <ul> nesting inside the main menu; 0 = outside
        self.links: list[tuple[str, str]] = []
        self._href = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul":
            if self.depth:
                self.depth += 1
            elif "mr-auto" in (attrs.get("class") or "").split():
                self.depth = 1
        elif tag == "a" and self.depth:
            self._href = attrs.get("href")
            self._text = []

    def handle_endtag(self, tag):
        if tag == "ul" and self.depth:
            self.depth -= 1
        elif tag == "a" and self._href is not None:
            if not self._href.startswith("javascript"):
                self.links.append((urlsplit(self._href).path, " ".join("".join(self._text).split())))
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


def menu_entries(html: str) -> dict[str, str]:
    """The main menu of a console page: url path → label."""
    parser = _MenuParser()
    parser.feed(html)
    return dict(parser.links)


def fill(url: str, world) -> str:
    return url.format(a=world.apps["a_submitted"].id, u=world.users["admin_b"].id, unit=world.unit_a.id)


def console_views(app):
    """Every Flask-Admin view of the console: (view, its list/index URL)."""
    admin = app.extensions["admin"][0]
    return [(view, view.url.rstrip("/") + "/") for view in admin._views]


# ---------------------------------------------------------------- menus


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_roles_menu_shows_exactly_its_foundation_entries(client, world, role):
    client.login(WORLD_USER[role])
    menu = menu_entries(client.text("/admin/", follow_redirects=True))
    shown = {url for url in menu if url in FOUNDATION_MENU}
    assert shown == EXPECTED_MENU[role]
    for url in shown:
        assert menu[url] == FOUNDATION_MENU[url]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_menu_shows_a_view_exactly_when_the_role_may_open_it(app, client, world, role):
    """For every view of the console (later issues' views included): in the menu ⇔ the role gets a 200."""
    client.login(WORLD_USER[role])
    menu = set(menu_entries(client.text("/admin/", follow_redirects=True)))
    assert menu, "no menu found on the landing page"
    for view, url in console_views(app):
        if not view.is_visible():
            assert url not in menu
            continue
        r = client.get(url, follow_redirects=True)
        if url in menu:
            assert r.status_code == 200, (role, url, r.status_code)
            assert 'id="logout-button"' in r.get_data(as_text=True), (role, url)
        else:
            assert r.status_code == 403, (role, url, r.status_code)


# ---------------------------------------------------------------- refused URLs


def _denials() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "access_denied"))


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_roles_refused_urls_answer_403_in_chinese_and_are_audited(client, world, role):
    client.login(WORLD_USER[role])
    for url in REFUSED[role]:
        before = _denials()
        r = client.get(fill(url, world))
        assert r.status_code == 403, (role, url, r.status_code)
        html = r.get_data(as_text=True)
        assert "无权访问" in html, (role, url)
        assert "Forbidden" not in html
        assert _denials() == before + 1, (role, url)
    for url in ALLOWED[role]:
        r = client.get(fill(url, world), follow_redirects=True)  # an applicant's home is 我的申请
        assert r.status_code == 200, (role, url, r.status_code)
        assert 'id="logout-button"' in r.get_data(as_text=True), (role, url)


@pytest.mark.parametrize("role", list(NO_WRITE), ids=lambda r: r.value)
def test_read_only_roles_cannot_create_or_edit(client, world, role):
    client.login(WORLD_USER[role])
    units = db.session.scalar(select(func.count(GroupUnit.id)))
    for url in NO_WRITE[role]:
        url = fill(url, world)
        r = client.get(url)
        # Flask-Admin answers a forbidden create/edit by sending back to the list, without a form.
        the_list = urlsplit(url).path.rsplit("/", 2)[0] + "/"  # /admin/units/new/ → /admin/units/
        assert (r.status_code, r.headers.get("Location")) == (302, the_list), (role, url)
        r = client.post(url, {"code": "zz", "name": "越权新增单位", "kind": "regional"}, token_from="/admin/")
        assert (r.status_code, r.headers.get("Location")) == (302, the_list), (role, url)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(GroupUnit.id))) == units
    assert db.session.scalar(select(GroupUnit).where(GroupUnit.name == "越权新增单位")) is None


def test_only_it_sees_accounts_and_the_audit_log(client, world):
    client.login("it")
    users_html = client.text("/admin/users/")
    for username in ("admin_a", "admin_b", "office", "appl_direct"):
        assert f">{username}<" in users_html or username in users_html
    audit_html = client.text("/admin/audit/")
    assert "登录" in audit_html  # the IT login itself is on the log
    assert db.session.scalar(select(func.count(User.id))) == len(world.users)
