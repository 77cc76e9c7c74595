"""Issue 9.4 — CSRF: every POST endpoint of the url_map refuses a request without a valid token.

(The other half of 9.4, "no state change by GET anywhere", is asserted by the
authorisation matrix: every GET probe, for every role, checks the database
fingerprint, with no exception: reading a 站内信 changes nothing, 标为已读 is a POST.)
"""
from __future__ import annotations

from sqlalchemy import select

from wxk_admin.models import AuditEvent, db
from wxk_admin.errors import CSRF_MESSAGE

from ..support import authz_matrix as M
from ..support.helpers import Client, redirect_target
from ..support.security import diff, fingerprint
from .test_security_authz import USERS, _build, _mworld, _objects, _params


def _allowed_role(row) -> str:
    """A role that may use the endpoint (so the refusal is CSRF's, not the role gate's)."""
    for outcome in (M.SCOPED, M.OK, M.REACH):
        for i, role in enumerate(M.ROLES):
            if row[1 + i] == outcome:
                return role
    return "it_admin"


def test_every_post_refuses_missing_or_forged_token(app, ctx, backend):
    from ..conftest import walk_once

    walk_once(backend, "the POST walk (CSRF does not depend on the database)")
    world = _mworld(app)
    rows = M.all_rows()
    clients: dict[str, Client] = {}
    failures, count = [], 0
    posts = [(r, M.row_for(rows, r.endpoint, "POST")) for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert len(posts) > 30
    for rule, row in sorted(posts, key=lambda p: p[0].endpoint):
        assert row is not None, f"POST {rule.endpoint} has no row in authz_matrix"
        role = _allowed_role(row)
        if role not in clients:
            clients[role] = Client(app.test_client())
            if role != "anonymous":
                clients[role].login(USERS[role])
        client = clients[role]
        params, _ = _params(row[0], _objects(world, role)[0], 0)
        url, form = _build(app, rule, "POST", params)
        for label, token in (("missing", None), ("forged", "IjEyMyI.forged.token"), ("empty", "")):
            data = dict(form)
            if token is not None:
                data["csrf_token"] = token
            before = fingerprint(db.session, ignore_append=True)
            r = client.post(url, data, csrf=False)
            count += 1
            after = fingerprint(db.session, ignore_append=True)
            if r.status_code != 400 or CSRF_MESSAGE not in r.get_data(as_text=True):
                failures.append(f"{role} POST {rule.endpoint} ({label} token) → {r.status_code}")
            if diff(before, after):
                failures.append(f"{role} POST {rule.endpoint} ({label} token) changed {diff(before, after)}")
    assert not failures, "\n".join(failures)
    assert count >= 90


def test_token_of_another_session_is_refused(app, world):
    victim, attacker = Client(app.test_client()), Client(app.test_client())
    victim.login("admin_a")
    attacker.login("admin_b")
    foreign = attacker.token("/admin/account/password/")
    app_id = world.apps["a_submitted"].id
    r = victim.post(f"/admin/applications/transition/?id={app_id}&name=unit_confirm",
                    {"id": app_id, "name": "unit_confirm", "opinion": "x", "csrf_token": foreign}, csrf=False)
    assert r.status_code == 400
    db.session.expire_all()
    assert str(db.session.get(type(world.apps["a_submitted"]), app_id).status.value) == "submitted"
    # And with its own token the same request works: the refusal above was the token's.
    r = victim.post(f"/admin/applications/transition/?id={app_id}&name=unit_confirm",
                    {"id": app_id, "name": "unit_confirm", "opinion": "x"}, token_from="/admin/account/password/")
    assert redirect_target(r) == ("/admin/applications/details/", {"id": [str(app_id)], "url": ["/admin/applications/"]})
    db.session.expire_all()
    assert db.session.get(type(world.apps["a_submitted"]), app_id).status.value == "unit_confirmed"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unit_confirm")) is not None


def test_login_form_itself_needs_the_token(client, world):
    r = client.post("/admin/account/login/", {"username": "admin_a", "password": "x"}, csrf=False)
    assert r.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent)) is None  # not even a login attempt got through
