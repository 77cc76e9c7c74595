"""Issue 9.3 / 9.4 — the authorisation matrix, generated from ``app.url_map``.

For every endpoint × method × role, with objects inside and outside the caller's
scope, the outcome declared in ``tests/authz_matrix.py`` is asserted: status, and
an unchanged database for every refusal and for every GET (no state change by
GET anywhere, reading a 站内信 included: 标为已读 is a POST, issue 18.7).  An endpoint without a row fails ``test_every_endpoint_has_a_row``.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash as _real_hash

from wxk_admin.enums import Category, Role, Status
from wxk_admin.models import (AuditEvent, CipRecord, ExpertGroup, ExpertGroupMember, ExpertProfile, MaterialItem,
                              Message, db)

from ..support import authz_matrix as M
from ..support.factories import make_app, make_user, make_world
from ..support.helpers import Client, redirect_target
from ..support.security import diff, fingerprint

USERS = {"applicant": "appl_a", "unit_admin": "admin_a", "office": "office", "expert": "expert", "it_admin": "it",
         "supervisor": "supervisor"}
MARKERS = {}  # placeholder object id → a text that must never appear on a refused page


def _cheap_hash(password, method=None, salt_length=16):
    return _real_hash(password, method="pbkdf2:sha256:1000")


def _mworld(app):
    """The standard world plus objects on both sides of every scope line (cheap password hashes)."""
    import wxk_admin.models as models

    real = models.generate_password_hash
    models.generate_password_hash = _cheap_hash
    try:
        w = make_world(db.session)
    finally:
        models.generate_password_hash = real
    s = db.session
    u = w.users
    make_app(s, w, "a_draft", w.unit_a, u["appl_a"], Status.draft, name="甲草稿")
    make_app(s, w, "a_confirmed", w.unit_a, u["appl_a"], Status.office_confirmed, name="甲已编号",
             serial_no=f"{w.cycle.year}-000900", serial_seq=900)
    group = ExpertGroup(cycle_id=w.cycle.id, category=Category.novel)
    s.add(group)
    s.flush()
    s.add(ExpertGroupMember(group_id=group.id, expert_id=u["expert"].id))
    make_app(s, w, "e_review", w.unit_a, u["appl_a"], Status.expert_review, name="甲审读",
             category=Category.novel, expert_group_id=group.id)
    for key in ("a_submitted", "b_submitted", "a_draft"):
        s.add(MaterialItem(application_id=w.apps[key].id, name=f"材料-{key}", copies=1))
    proxy_a = make_user(s, "proxy_a", Role.applicant, w.unit_a, is_proxy=True, full_name="甲代申")
    proxy_b = make_user(s, "proxy_b", Role.applicant, w.unit_b, is_proxy=True, full_name="乙代申")
    for user in u.values():
        s.add(Message(recipient_id=user.id, subject=f"致{user.username}的信", body="正文"))
    s.add(Message(recipient_id=u["admin_b"].id, subject="乙管理员的私信", body="机密"))
    s.add(CipRecord(cip_no="2020000001", isbn="9787020000000", title="测试书", first_author="甲"))
    s.add(ExpertProfile(user_id=u["expert"].id, categories="novel", term_start=dt.date.today() - dt.timedelta(days=30),
                        term_end=dt.date.today() + dt.timedelta(days=900)))
    s.commit()
    w.extra = {"group": group, "proxy_a": proxy_a, "proxy_b": proxy_b}
    return w


def _objects(w, role: str) -> dict[str, tuple]:
    """placeholder → (inside id, outside id or None) for ``role``."""
    s = db.session
    a = w.apps
    u = w.users
    me = u.get(USERS.get(role, ""), None)

    def item_of(key):
        return s.scalar(select(MaterialItem.id).where(MaterialItem.application_id == a[key].id))

    def msg_to(user):
        return s.scalar(select(Message.id).where(Message.recipient_id == user.id).order_by(Message.id))

    apps = {"applicant": ("a_confirmed", "b_submitted"), "unit_admin": ("a_submitted", "b_submitted"),
            "office": ("a_submitted", "a_draft"), "expert": ("e_review", "a_submitted"),
            "it_admin": ("a_submitted", None), "anonymous": ("a_submitted", None),
            "supervisor": ("a_submitted", "a_draft")}[role]
    items = {"unit_admin": ("a_submitted", "b_submitted"), "office": ("a_submitted", "a_draft")}.get(
        role, ("a_submitted", None))
    out = {
        "@app": (a[apps[0]].id, a[apps[1]].id if apps[1] else None),
        "@item": (item_of(items[0]), item_of(items[1]) if items[1] else None),
        "@msg": (msg_to(me) if me else msg_to(u["it"]), msg_to(u["admin_b"]) if me else None),
        "@proxy": (w.extra["proxy_a"].id, w.extra["proxy_b"].id if role == "unit_admin" else None),
        "@user": (u["appl_direct"].id, None),
        "@unit": (w.unit_b.id, None),
        "@cycle": (w.cycle.id, None),
        "@audit": (s.scalar(select(func.min(AuditEvent.id))) or 1, None),
        "@cip": (s.scalar(select(CipRecord.id)), None),
        "@expert": (s.scalar(select(ExpertProfile.id)), None),
        "@group": (w.extra["group"].id, None),
        "@self": (me.id if me else 0, None),
    }
    outside_app = a[apps[1]].name if apps[1] else None
    markers = {"@app": outside_app, "@msg": "乙管理员的私信", "@proxy": "乙代申",
               "@item": f"材料-{items[1]}" if items[1] else None}
    return out, markers


def _params(template: str, objs: dict, side: int) -> tuple[dict | None, list[str]]:
    """The params with placeholders replaced by the inside (0) or outside (1) object; None if no outside one."""
    pairs = parse_qsl(template, keep_blank_values=True)
    result, used = [], []
    for key, value in pairs:
        if value in objs:
            used.append(value)
            value = objs[value][side]
            if value is None:
                return None, used
        result.append((key, str(value)))
    if side == 1 and not used:
        return None, used
    return dict(result), used


def _probe_list(app, rows):
    probes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in M.IGNORED_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            row = M.row_for(rows, rule.endpoint, method)
            if row is not None:
                probes.append((rule, method, row))
    # GETs first, then refused POSTs, then POSTs that may change data (so earlier probes see the full world).
    def order(p):
        rule, method, row = p
        return (method != "GET", any(o in (M.OK, M.REACH, M.SCOPED) for o in row[1:]), rule.endpoint)
    return sorted(probes, key=order)


def test_every_endpoint_has_a_row(app):
    rows = M.all_rows()
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in M.IGNORED_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if M.row_for(rows, rule.endpoint, method) is None:
                missing.append(f"{method} {rule.endpoint}  ({rule.rule})")
    assert not missing, "endpoints without a row in tests/authz_matrix.py:\n  " + "\n  ".join(sorted(missing))


def _build(app, rule, method, params):
    args = {k: v for k, v in params.items() if k in rule.arguments}
    rest = {k: v for k, v in params.items() if k not in rule.arguments}
    with app.test_request_context():
        path = url_for(rule.endpoint, **args)
    if method == "GET":
        return path + ("?" + urlencode(rest) if rest else ""), None
    # Flask-Admin reads ``id`` from the query string on some POST views, the form on others: send both.
    return path + ("?" + urlencode(rest) if rest else ""), rest


def _new_audit(before_max):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.id > before_max).order_by(AuditEvent.id)).all()


def _check(app, client, role, rule, method, expected, params, marker, failures, before=None):
    """Run one probe; return the database fingerprint after it (the next probe's "before")."""
    url, form = _build(app, rule, method, params)
    db.session.expire_all()
    before = before or fingerprint(db.session, ignore_append=True)
    audit_max = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    if method == "GET":
        r = client.get(url)
    else:
        r = client.post(url, dict(form, csrf_token=_token(client)), csrf=False)
    status = r.status_code
    location = r.headers.get("Location", "")
    body = r.get_data(as_text=True) if r.mimetype and r.mimetype.startswith("text") else ""
    db.session.expire_all()
    after = fingerprint(db.session, ignore_append=True)
    changed = diff(before, after)
    new_audit = [e.action for e in _new_audit(audit_max)]
    where = f"{role:10s} {method:4s} {rule.endpoint} {url} → {status} {location}"
    to_login = status == 302 and urlsplit(location).path == "/admin/account/login/"

    def fail(why):
        failures.append(f"{where}: expected {expected}: {why}")
        return after

    if status >= 500:
        return fail("server error")
    must_be_unchanged = method == "GET" or expected in (M.NO, M.DENY, M.LOGIN)
    if must_be_unchanged and changed:
        return fail(f"database changed: {changed}")
    if must_be_unchanged and method == "GET" and expected != M.DENY:
        odd = [a for a in new_audit if a not in ("access_denied",)]
        if odd:
            return fail(f"a GET wrote audit events {odd}")
    if expected == M.OK:
        if method == "GET" and status != 200:
            return fail("not 200")
        if status == 403 or to_login:
            return fail("refused")
    elif expected == M.REACH:
        if status == 403 or to_login:
            return fail("refused")
    elif expected == M.DENY:
        if status != 403:
            return fail("not 403")
        if "access_denied" not in new_audit:
            return fail(f"403 without an access_denied audit record (got {new_audit})")
    elif expected == M.LOGIN:
        if not to_login:
            return fail("not sent to login")
    elif expected == M.NO:
        if method == "GET" and status == 200:
            return fail("answered 200")
    if marker and expected == M.NO and marker in body:
        return fail(f"out-of-scope object shown ({marker})")
    return after


@pytest.mark.parametrize("role", M.ROLES)
def test_authorisation_matrix(app, ctx, backend, role):
    # Access decisions are Python + SQL WHERE clauses shared by both backends; the full walk
    # (~150 requests per role) runs once.
    from ..conftest import walk_once

    walk_once(backend, "the matrix walk")
    _walk(app, role)


def _walk(app, role):
    mworld = _mworld(app)
    rows = M.all_rows()
    col = 1 + M.ROLES.index(role)
    objs, markers = _objects(mworld, role)
    client = Client(app.test_client())
    client._role, client._csrf = role, None
    if role != "anonymous":
        assert redirect_target(client.login(USERS[role])) == ("/admin/", {}), role
    failures = []
    count = 0
    state = None
    for rule, method, row in _probe_list(app, rows):
        expected = row[col]
        if expected == M.SKIP:
            continue
        if expected == M.SCOPED:
            sides = [(0, M.OK if method == "GET" else M.REACH), (1, M.NO)]
        else:
            sides = [(0, expected)]
        for side, outcome in sides:
            params, used = _params(row[0], objs, side)
            if params is None:
                continue
            marker = markers.get(used[0]) if side == 1 and used else None
            count += 1
            state = _check(app, client, role, rule, method, outcome, params, marker, failures, state)
            may_log_out = rule.endpoint.startswith(("account.", "proxy", "users."))
            if method != "GET" and role != "anonymous" and may_log_out and not _still_logged_in(client):
                failures.append(f"{role}: session lost after {method} {rule.endpoint}")
                client.login(USERS[role])
                client._csrf, state = None, None
    assert count > 20
    assert not failures, f"{len(failures)} of {count} probes failed:\n" + "\n".join(failures)


def _token(client) -> str:
    if getattr(client, "_csrf", None) is None:
        page = "/admin/account/password/" if getattr(client, "_role", "anonymous") != "anonymous" \
            else "/admin/account/login/"
        client._csrf = client.token(page)
    return client._csrf


def _still_logged_in(client) -> bool:
    r = client.get("/admin/account/password/")
    return r.status_code == 200
