"""Issue 2.6 / 2.9 — THE SCOPE MATRIX: row-level access on every path of the application views.

One declared table (``MATRIX``): role × whose application (in / out of scope) ×
endpoint → what must happen.  For every probe the database rows of the target
application (the row itself and every child / related row) are compared before
and after: a refused request changes nothing.  New paths are picked up on their
own: ``other_routes`` walks every rule of the application views in ``url_map``
(the reviewers' ``applications.*`` and the applicant's own ``applicant.*`` pages)
and every action registered on the view.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from wxk_admin.domain import workflow
from wxk_admin.enums import Role, Status
from wxk_admin.models import Message, db

from ..support.factories import make_app
from ..support.helpers import Client, redirect_target

LIST = "/admin/applications/"

# ---------------------------------------------------------------- expected outcomes

SHOWN = "shown"          # 200, and the target application's data is on the page / in the file
HIDDEN = "hidden"        # 200 (the page works), and the target is absent
REFUSED = "refused"      # 302 / 400 / 403 / 404, nothing of the target in the answer, the rows unchanged
FORBIDDEN = "forbidden"  # 403: the whole view is closed to the role; rows unchanged
UNCHANGED = "unchanged"  # whatever the answer, the target's rows are unchanged and its data not leaked
KEPT = "kept"            # in scope but not allowed (e.g. delete): the rows unchanged, no server error

OUT, IN, DRAFT = "other unit / other applicant", "own scope", "own unit's draft"

# Who looks at which application (tests/factories.py world; ``a_draft`` is made below).
VIEWERS = {
    (Role.unit_admin, OUT): ("admin_a", "b_submitted", "a_submitted"),
    (Role.unit_admin, DRAFT): ("admin_a", "a_draft", "a_submitted"),      # drafts are the applicant's own
    (Role.unit_admin, "direct route"): ("admin_a", "direct_submitted", "a_submitted"),
    (Role.applicant, OUT): ("appl_a", "b_submitted", None),
    (Role.applicant, IN): ("appl_a", "a_submitted", None),
    (Role.expert, OUT): ("expert", "a_submitted", None),                   # not assigned to the expert's group
    (Role.unit_admin, IN): ("admin_a", "a_submitted", None),
    (Role.office, IN): ("office", "b_submitted", None),
    (Role.it_admin, IN): ("it", "b_submitted", None),
}
# (viewer user, target application, a control application the viewer must see on the same page)

PROBES = ("list", "search", "details", "edit_get", "edit_post", "delete", "actions", "export", "export_selected",
          "ajax_update", "other_routes")

_OUT_OF_SCOPE = dict(list=HIDDEN, search=HIDDEN, details=REFUSED, edit_get=REFUSED, edit_post=REFUSED,
                     delete=REFUSED, actions=UNCHANGED, export=HIDDEN, export_selected=REFUSED,
                     ajax_update=REFUSED, other_routes=UNCHANGED)

# THE MATRIX: (role, scope) → {probe: expected}.  A probe left out is not checked for that row.
MATRIX = {
    (Role.unit_admin, OUT): _OUT_OF_SCOPE,
    (Role.unit_admin, DRAFT): _OUT_OF_SCOPE,
    (Role.unit_admin, "direct route"): _OUT_OF_SCOPE,
    (Role.applicant, OUT): dict(list=FORBIDDEN, search=FORBIDDEN, details=FORBIDDEN, edit_get=FORBIDDEN,
                                edit_post=FORBIDDEN, delete=FORBIDDEN, actions=FORBIDDEN, export=FORBIDDEN,
                                export_selected=FORBIDDEN, ajax_update=FORBIDDEN, other_routes=UNCHANGED),
    # Even their own application: the reviewers' view stays closed to applicants (they use 我的申请).
    (Role.applicant, IN): dict(list=FORBIDDEN, details=FORBIDDEN, edit_get=FORBIDDEN, edit_post=FORBIDDEN,
                               delete=FORBIDDEN, actions=FORBIDDEN, export=FORBIDDEN, ajax_update=FORBIDDEN),
    # Experts read on their own pages (审读投票), never the reviewers' view (issue 13.2c).
    (Role.expert, OUT): dict(list=FORBIDDEN, search=FORBIDDEN, details=FORBIDDEN, edit_get=FORBIDDEN,
                             edit_post=FORBIDDEN, delete=FORBIDDEN, actions=FORBIDDEN, export=FORBIDDEN,
                             export_selected=FORBIDDEN, ajax_update=FORBIDDEN, other_routes=UNCHANGED),
    (Role.unit_admin, IN): dict(list=SHOWN, search=SHOWN, details=SHOWN, edit_get=SHOWN, export=SHOWN,
                                export_selected=SHOWN, delete=KEPT, ajax_update=KEPT),
    (Role.office, IN): dict(list=SHOWN, search=SHOWN, details=SHOWN, export=SHOWN, export_selected=SHOWN,
                            delete=KEPT, edit_post=KEPT, ajax_update=KEPT),
    (Role.it_admin, IN): dict(list=SHOWN, search=SHOWN, details=SHOWN, edit_get=SHOWN, export=SHOWN,
                              export_selected=SHOWN, delete=KEPT),
}

HACKED = "越权修改的姓名"


# ---------------------------------------------------------------- database snapshot


def snapshot(app_id: int) -> dict:
    """Every column of the application row and of every row that belongs to it (children, votes, messages…),
    read on a separate connection (committed state)."""
    out = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name == "audit_events":
                continue  # append-only; refusals are logged there on purpose
            if table.name == "applications":
                where = table.c.id == app_id
            elif "application_id" in table.c:
                where = table.c.application_id == app_id
            else:
                continue
            rows = conn.execute(select(table).where(where).order_by(*table.primary_key.columns)).mappings().all()
            out[table.name] = [dict(r) for r in rows]
    return out


# ---------------------------------------------------------------- answers as text


def answer_text(response) -> str:
    """The page, or the cells of a downloaded .xlsx, or the CSV — as text to look for the target in."""
    data = response.get_data()
    if data[:2] == b"PK":  # .xlsx: shared strings and inline strings of every sheet
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return data.decode("utf-8", "replace")


@dataclass
class Target:
    id: int
    name: str
    id_number: str

    def leaked_in(self, text: str) -> bool:
        return self.name in text or self.id_number in text


# ---------------------------------------------------------------- the probes: (method, url, data) per probe


def application_view(app):
    return next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", "") == "applications")


def export_requests(app, target_id):
    """导出全部 and 导出选中 (issue 7's chooser, posted with the name and ID-number columns); without it,
    Flask-Admin's built-in export of every type.  (The built-in URLs are walked by ``other_routes`` too.)"""
    view = application_view(app)
    rules = {r.endpoint for r in app.url_map.iter_rules()}
    if "applications.export_view" not in rules:
        return [("GET", f"{LIST}export/{t}/", None) for t in (view.export_types or [])], []
    columns = {"columns": ["name", "id_number"], "format": "csv"}
    return ([("POST", f"{LIST}export/", columns)],
            [("POST", f"{LIST}export/", {"mode": "selected", "rowid": str(target_id), **columns})])


def action_names(app) -> list[str]:
    view = application_view(app)
    return sorted(view._actions_data)


def route_requests(app, target_id, already: set[str]):
    """Every other rule of the application views, GET and POST, addressed at the target."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("applications.", "applicant.")) or rule.endpoint in already:
            continue
        urls = [rule.rule]
        for arg in rule.arguments:
            values = {"export_type": ["xlsx", "csv"], "kind": ["form", "materials"]}.get(arg, [str(target_id)])
            urls = [u.replace(f"<{arg}>", v) for u in urls for v in values]
        names = [""]
        if "transition" in rule.endpoint or "bulk" in rule.endpoint:
            names = list(workflow.TRANSITIONS)
        for url in urls:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for name in names:
                    fields = {"id": str(target_id), "rowid": str(target_id), "application_id": str(target_id),
                              "list_form_pk": str(target_id), "name": name, "opinion": "越权操作",
                              "reasons": "发表作品字数不足", "action": "submit"}
                    if method == "GET":
                        out.append(("GET", url + "?" + "&".join(f"{k}={v}" for k, v in fields.items()), None))
                    else:
                        out.append((method, url, fields))
    return out


PROBED_ENDPOINTS = {"applications.index_view", "applications.details_view", "applications.edit_view",
                    "applications.delete_view", "applications.action_view", "applications.ajax_update",
                    "applications.export_view", "applications.create_view"}


def probe_requests(app, probe: str, target: Target):
    tid = target.id
    if probe == "list":
        return [("GET", LIST, None)]
    if probe == "search":
        return [("GET", f"{LIST}?search={target.name}", None)]
    if probe == "details":
        return [("GET", f"{LIST}details/?id={tid}", None)]
    if probe == "edit_get":
        return [("GET", f"{LIST}edit/?id={tid}", None)]
    if probe == "edit_post":
        return [("POST", f"{LIST}edit/?id={tid}", {"name": HACKED, "pen_name": HACKED, "mobile": "13900000000"})]
    if probe == "delete":
        return [("POST", f"{LIST}delete/", {"id": str(tid), "url": LIST})]
    if probe == "actions":
        return [("POST", f"{LIST}action/", {"action": name, "rowid": str(tid), "url": LIST,
                                            "opinion": "越权操作", "name": name})
                for name in action_names(app)]
    if probe == "export":
        return export_requests(app, tid)[0]
    if probe == "export_selected":
        return export_requests(app, tid)[1]
    if probe == "ajax_update":
        return [("POST", f"{LIST}ajax/update/", {"list_form_pk": str(tid), "name": HACKED}),
                ("POST", f"{LIST}ajax/update/", {"list_form_pk": str(tid), "status": Status.admitted.value})]
    if probe == "other_routes":
        return route_requests(app, tid, PROBED_ENDPOINTS)
    raise AssertionError(probe)


# ---------------------------------------------------------------- the test


def send(client: Client, method, url, data):
    if method == "GET":
        return client.get(url, follow_redirects=True)
    return client.post(url, data, token_from="/admin/account/password/", follow_redirects=True)


def check(expected, response, text, target: Target, control: Target | None, before, after) -> str | None:
    """None when the answer is what ``expected`` says, else what is wrong."""
    status = response.status_code
    if before != after:
        changed = [t for t in before if before[t] != after.get(t)]
        if expected not in (SHOWN,):
            return f"rows changed: {changed}"
    if expected == SHOWN:
        if status != 200 or not target.leaked_in(text):
            return f"expected the application shown, got {status}"
    elif expected == HIDDEN:
        if status != 200:
            return f"expected the page (200) without the application, got {status}"
        if target.leaked_in(text):
            return "the application is on the page"
        if control is not None and not control.leaked_in(text):
            return "the page does not show the viewer's own applications either (probe proves nothing)"
    elif expected == FORBIDDEN:
        if status != 403:
            return f"expected 403, got {status}"
        if target.leaked_in(text):
            return "the application leaked on the 403 page"
    elif expected == REFUSED:
        if status == 200 and 'id="login-error"' not in text and target.leaked_in(text):
            return "the application is in the answer"
        if target.leaked_in(text):
            return "the application is in the answer"
        if status >= 500:
            return f"server error {status}"
    elif expected == KEPT:
        if status >= 500:
            return f"server error {status}"
    elif expected == UNCHANGED:
        if target.leaked_in(text):
            return "the application is in the answer"
        if status >= 500:
            return f"server error {status}"
    return None


def _target(world, key) -> Target:
    application = world.apps[key]
    return Target(application.id, application.name, application.id_number)


@pytest.mark.parametrize("role,scope", list(MATRIX), ids=[f"{r.value}-{s}" for r, s in MATRIX])
def test_scope_matrix(app, client, world, role, scope):
    make_app(db.session, world, "a_draft", world.unit_a, world.users["appl_a"], Status.draft, name="甲草稿")
    db.session.commit()
    username, target_key, control_key = VIEWERS[(role, scope)]
    target = _target(world, target_key)
    control = _target(world, control_key) if control_key else None
    assert redirect_target(client.login(username)) == ("/admin/", {})
    failures, probed = [], 0
    for probe, expected in MATRIX[(role, scope)].items():
        for method, url, data in probe_requests(app, probe, target):
            before = snapshot(target.id)
            response = send(client, method, url, data)
            after = snapshot(target.id)
            text = answer_text(response)
            if probe == "search":  # the search box echoes the term: that is not the row
                text = text.replace(f'value="{target.name}"', "")
            problem = check(expected, response, text, target, control if probe != "search" else None,
                            before, after)
            probed += 1
            if problem:
                failures.append(f"{probe} {method} {url} {data or ''}: {problem}")
    assert failures == []
    assert probed >= len(MATRIX[(role, scope)])
    # Still the same user at the end (no probe logged out or switched accounts).
    whoami = client.text("/admin/", follow_redirects=True)
    assert 'id="logout-button"' in whoami and (world.users[username].full_name or username) in whoami


def test_the_matrix_covers_every_probe_for_out_of_scope_rows():
    for (role, scope), row in MATRIX.items():
        if scope in (OUT, DRAFT) and role != Role.applicant:
            assert set(row) == set(PROBES), (role, scope)


def test_the_walk_finds_the_application_routes_and_actions(app):
    with app.app_context():
        routes = route_requests(app, 1, PROBED_ENDPOINTS)
        actions = action_names(app)
    assert actions, "the application view has no actions to probe"
    assert any("/admin/applications/" in url for _m, url, _d in routes)


def test_an_out_of_scope_row_stays_out_through_a_successful_bulk_action(app, client, world):
    """A bulk confirmation with ids of both units: only the own unit's row moves."""
    own, other = world.apps["a_submitted"], world.apps["b_submitted"]
    client.login("admin_a")
    before = snapshot(other.id)
    r = client.post(f"{LIST}bulk/", [("name", "unit_confirm"), ("rowid", str(own.id)), ("rowid", str(other.id)),
                                     ("opinion", "同意推荐")], token_from=LIST)
    assert r.status_code == 200
    db.session.expire_all()
    assert world.apps["a_submitted"].status == Status.unit_confirmed
    assert snapshot(other.id) == before
    assert other.name not in r.get_data(as_text=True)


def test_the_edit_form_lists_no_other_units_or_accounts(client, world):
    """Relationship dropdowns of the edit form: never the whole units / users tables."""
    client.login("admin_a")
    html = client.text(f"{LIST}edit/?id={world.apps['a_submitted'].id}")
    assert world.apps["a_submitted"].name in html
    assert world.unit_b.name not in html
    for other in ("appl_b", "admin_b", "乙申请人", "直报申请人"):
        assert other not in html


@pytest.mark.parametrize("viewer,owner", [("appl_a", "appl_b"), ("admin_a", "admin_b")])
def test_inbox_messages_are_private(app, client, world, viewer, owner):
    message = Message(recipient_id=world.users[owner].id, subject="私人通知：乙方", body="只给收件人的内容")
    mine = Message(recipient_id=world.users[viewer].id, subject="给我的通知", body="我的内容")
    db.session.add_all([message, mine])
    db.session.commit()
    client.login(viewer)
    listing = client.text("/admin/inbox/")
    assert "给我的通知" in listing and "私人通知" not in listing
    r = client.get(f"/admin/inbox/details/?id={message.id}", follow_redirects=True)
    assert "只给收件人的内容" not in r.get_data(as_text=True)
    for url in ("/admin/inbox/delete/", "/admin/inbox/edit/?id=%d" % message.id):
        client.post(url, {"id": str(message.id), "subject": "改", "body": "改"}, token_from="/admin/inbox/")
    db.session.expire_all()
    fresh = db.session.get(Message, message.id)
    assert fresh is not None and fresh.read_at is None and fresh.subject == "私人通知：乙方"
