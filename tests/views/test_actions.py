"""Issue 17.4: the console's custom actions are declared in ``wxk_admin/actions.py`` — walked here.

For every declared action and every role, through HTTP: the action does its work for exactly the
roles it declares (a transition's roles are the workflow table's) and changes nothing, or shows
nothing, for every other role.  The details page buttons, the list's 批量操作 menu and the 首页 待办
links are generated from the declarations; so is what each test expects.
"""
from __future__ import annotations

import importlib
import re

import pytest
from sqlalchemy import select

from wxk_admin import actions
from wxk_admin.domain import applying, workflow
from wxk_admin.domain.audit import Actor
from wxk_admin.enums import Role, Status
from wxk_admin.models import Application, User, db

from ..support.factories import make_app

ROLE_USERS = {Role.applicant: "appl_b", Role.unit_admin: "admin_a", Role.office: "office", Role.expert: "expert",
              Role.it_admin: "it", Role.supervisor: "supervisor"}
OPINION = {"opinion": "经核查，材料不全，请补充", "reasons": workflow.REJECT_REASONS[0], "confirmed": "1"}
PDF, XLSX = "application/pdf", "spreadsheetml"


@pytest.fixture
def walk(world):
    assert world.users["supervisor"].role == Role.supervisor
    return world


def _fresh(world, key: str, action: actions.Action) -> Application:
    """An application of unit A (or the direct route) in the state the action starts from; appl_a's,
    so the walking applicant (appl_b) is not its owner."""
    transition = action.transition
    status = Status.submitted
    direct = False
    if transition is not None:
        status = Status.submitted if Status.submitted in transition.sources else min(transition.sources,
                                                                                        key=list(Status).index)
        direct = transition.route == "direct"
    app = make_app(db.session, world, key, None if direct else world.unit_a, world.users["appl_a"], status)
    db.session.commit()
    return app


def _status(app_id: int) -> Status:
    db.session.expire_all()
    return Status(db.session.get(Application, app_id).status)


def _ids(html: str) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', html))


def _perform(client, world, action: actions.Action, key: str) -> bool:
    """Try ``action`` as the logged-in client; True when it did its work."""
    app = _fresh(world, key, action)
    transition = action.transition
    if action.scope == "row" and transition is not None:
        client.post(f"/admin/applications/transition/?id={app.id}&name={transition.name}",
                    dict(OPINION, id=app.id, name=transition.name, version=app.version), token_from="/admin/")
        return _status(app.id) == transition.target
    if action.name == "edit":
        return 'name="change_reason"' in client.text(f"/admin/applications/edit/?id={app.id}")
    if action.scope == "row":
        response = client.get({"applications.download_view": "/admin/applications/download/",
                               "documents.form_pdf": "/admin/documents/form.pdf",
                               "documents.materials_pdf": "/admin/documents/materials.pdf"}[action.endpoint]
                              + f"?id={app.id}")
        return response.status_code == 200 and (PDF in response.mimetype or XLSX in response.mimetype)
    if action.scope == "selection":
        response = client.post("/admin/applications/action/", [("action", action.name), ("rowid", str(app.id)),
                                                               ("url", "/admin/applications/")],
                               token_from="/admin/")
        html = response.get_data(as_text=True) if "text/html" in response.mimetype else ""
        if transition is not None:
            if 'id="bulk-form"' not in html:
                return False
            client.post("/admin/applications/bulk/", [("name", transition.name), ("rowid", str(app.id))],
                        token_from="/admin/")
            return _status(app.id) == transition.target
        if action.name == "export_selected":
            return "已勾选" in html and 'name="columns"' in html
        return response.status_code == 200 and PDF in response.mimetype
    if action.name == "export_all":
        return "将导出" in client.text("/admin/applications/export/")
    if action.name == "create_proxy":
        client.post("/admin/proxy-accounts/new/", {"username": f"proxy_{key}", "password": "Proxy-pass-2027!",
                                                   "password2": "Proxy-pass-2027!", "full_name": "代填写"},
                    token_from="/admin/")
        return db.session.scalar(select(User).where(User.username == f"proxy_{key}")) is not None
    if action.name in ("reset_proxy_password", "hand_over"):
        proxy, _ = applying.create_proxy(db.session, Actor(world.users["admin_a"]), f"proxy_{key}", "Proxy-pass-2027!")
        db.session.commit()
        url = {"reset_proxy_password": "/admin/proxy-accounts/reset/", "hand_over": "/admin/proxy-accounts/hand-over/"}
        page = client.post(url[action.name], {"id": proxy.id}, token_from="/admin/",
                           follow_redirects=True).get_data(as_text=True)
        if action.name == "reset_proxy_password":
            return 'id="shown-password"' in page
        db.session.expire_all()
        return db.session.get(User, proxy.id).handed_over_at is not None
    if action.name == "switch_to_proxy":
        proxy, _ = applying.create_proxy(db.session, Actor(world.users["admin_a"]), f"proxy_{key}", "Proxy-pass-2027!")
        db.session.commit()
        page = client.post("/admin/proxy-accounts/switch/", {"id": proxy.id, "password": "demo12345"},
                           token_from="/admin/", follow_redirects=True).get_data(as_text=True)
        return "代为填写入会申请" in page
    raise AssertionError(f"the walk does not know how to try {action.name}")


@pytest.mark.parametrize("action", actions.ACTIONS, ids=lambda a: a.name)
def test_every_action_works_for_exactly_its_roles(app, walk, action, client):
    from ..support.helpers import PASSWORD

    assert action.roles, f"{action.name} declares no role"
    for role, username in ROLE_USERS.items():
        client.logout()
        client.login(username, PASSWORD)
        did = _perform(client, walk, action, f"{action.name}_{role.value}")
        assert did == (role in action.roles), f"{action.text}（{action.name}）as {role.label}: did={did}"


def test_every_action_calls_something_that_exists():
    for action in actions.ACTIONS:
        kind, _, name = action.calls.partition(":")
        if kind == "workflow":
            assert name in workflow.TRANSITIONS, action.name
            continue
        module, _, function = action.calls.rpartition(".")
        assert callable(getattr(importlib.import_module(f"wxk_admin.{module}"), function)), action.calls
    assert len(actions.BY_NAME) == len(actions.ACTIONS)
    # Every workflow step offered on the details page is a declared action (its button, its question).
    for transition in workflow.TRANSITIONS.values():
        if transition.generic:
            assert actions.for_transition(transition.name).confirm == f"确定{transition.label}？", transition.name


def test_details_buttons_are_the_declared_row_actions(app, walk, client):
    application = walk.apps["a_submitted"]
    for role in (Role.unit_admin, Role.office, Role.it_admin, Role.supervisor):
        client.logout()
        client.login(ROLE_USERS[role])
        html = client.text(f"/admin/applications/details/?id={application.id}")
        bar = html[html.index('id="actions">') + len('id="actions">'):html.index('id="btn-back"')]
        expected = {a.button_id for a in actions.of_scope("row")
                    if (a.transition is None and a.allows(role))
                    or (a.transition is not None and a.transition.generic
                        and workflow.refusal(a.transition, application, Actor(db.session.get(User, _user(role).id))) is None)}
        assert _ids(bar) == expected, role
        for a in actions.of_scope("row"):
            if a.button_id in expected:
                assert f">{a.text}</a>" in bar


def _user(role: Role) -> User:
    return db.session.scalar(select(User).where(User.username == ROLE_USERS[role]))


def test_bulk_menu_lists_the_declared_selection_actions(app, walk, client):
    for role in (Role.unit_admin, Role.office, Role.it_admin, Role.supervisor):
        client.logout()
        client.login(ROLE_USERS[role])
        html = client.text("/admin/applications/")
        for a in actions.of_scope("selection"):
            entry = re.search(rf'data-model-action="{a.name}">([^<]+)</a>', html)
            assert bool(entry) == a.allows(role), (role, a.name)
            assert entry is None or entry.group(1) == a.text
        export_all = actions.named("export_all")
        link = re.search(r'id="export-all"[^>]*>([^<]+)</a>', html)
        assert bool(link) == export_all.allows(role) and (link is None or link.group(1) == export_all.text), role


def test_home_waiting_links_come_from_the_declarations(app, walk, client, profile):
    from urllib.parse import parse_qs, urlsplit

    for role in (Role.unit_admin, Role.office):
        client.logout()
        client.login(ROLE_USERS[role])
        html = client.text("/admin/")
        links = dict((label, href) for href, label in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', html))
        for a in actions.ACTIONS:
            waiting = profile.say(a.waiting)  # 待会员处确认编号 — 待联络部… in Jiangsu
            if not a.waiting or not a.allows(role):
                assert waiting is None or waiting not in links
                continue
            query = parse_qs(urlsplit(links[waiting].replace("&amp;", "&")).query)
            (state,) = a.transition.sources
            assert [state.value] == [v[0] for k, v in query.items() if k.endswith("_status_eq")], a.name


def test_account_actions_read_their_labels_and_confirmations(app, walk, client):
    applying.create_proxy(db.session, Actor(walk.users["admin_a"]), "proxy_page", "Proxy-pass-2027!")
    db.session.commit()
    client.login("admin_a")
    html = client.text("/admin/proxy-accounts/")
    for a in actions.of_scope("account"):
        assert a.text in html, a.name
        if a.confirm:
            assert f'data-confirm="{a.confirm}"' in html, a.name
