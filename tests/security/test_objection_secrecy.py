"""Issue 15.4 / 13 secrecy: who reported a person on the 公示, how to reach them, the 受理编号 and what they
wrote are for the office, IT and the supervisor only.

Objections come from the public page (POST /public/report/, anonymous client) and from the office; the
office checks them and the secretariat upholds one.  The applicant and the unit admin then walk every GET
URL they can reach; none may show the reporter's name, contact, receipt number, the content or the office's
check note (each may identify the reporter).  E-mail / SMS queued for the applicant are read too.  The
office and the supervisor do read them.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from wxk_admin.enums import Status
from wxk_admin.models import Application, Objection, OutboxMessage, db

from ..support.helpers import Client
from ..support.consultation import TODAY, add_app
from .test_expert_secrecy import _body, _get_urls, _text

NOTICE = "/admin/consultation/notice/"
OBJECTION = "/admin/consultation/notice/objection/"

PUBLIC_NAME, PUBLIC_PHONE, PUBLIC_MAIL = "举报人甲乙丙", "13900001111", "reporter@example.org"
PUBLIC_CONTENT = "实名反映其代表作抄袭本人旧作丁未集"
ANONYMOUS_CONTENT = "匿名反映其获奖证书系伪造庚辛"
OFFICE_NAME, OFFICE_CONTENT = "来信人壬癸子", "来信反映其学历证明涂改丑寅"
CHECK_NOTE = "已电话联系反映人核实卯辰巳"


@pytest.fixture
def reported(app, client, world):
    """Two people of unit A on an open notice; three objections; one upheld (the person disqualified)."""
    s = db.session
    upheld = add_app(s, world, "被反映甲", Status.secretariat_approved)
    pending = add_app(s, world, "被反映乙", Status.secretariat_approved)
    s.commit()
    office = Client(app.test_client())
    office.login("office")
    office.post("/admin/consultation/notice/open/", {"starts_on": TODAY.isoformat(), "confirm": "1"},
                token_from=NOTICE)
    for app_id, reporter, contact, content in ((upheld.id, PUBLIC_NAME, PUBLIC_PHONE, PUBLIC_CONTENT),
                                                (pending.id, "", PUBLIC_MAIL, ANONYMOUS_CONTENT)):
        url = f"/public/report/?id={app_id}"
        r = client.post(url, {"reporter": reporter, "contact": contact, "content": content}, token_from=url)
        assert "受理编号" in r.get_data(as_text=True)
    office.post(OBJECTION, {"op": "record", "application_id": pending.id, "reporter": OFFICE_NAME,
                            "content": OFFICE_CONTENT}, token_from=NOTICE)
    objections = {o.content: o for o in s.scalars(select(Objection))}
    assert set(objections) == {PUBLIC_CONTENT, ANONYMOUS_CONTENT, OFFICE_CONTENT}
    first = objections[PUBLIC_CONTENT]
    office.post(OBJECTION, {"op": "check", "objection_id": first.id, "check_note": CHECK_NOTE}, token_from=NOTICE)
    office.post(OBJECTION, {"op": "decide", "objection_id": first.id, "upheld": "1"}, token_from=NOTICE)
    office.post(OBJECTION, {"op": "check", "objection_id": objections[OFFICE_CONTENT].id,
                            "check_note": CHECK_NOTE}, token_from=NOTICE)
    db.session.expire_all()
    assert s.get(Application, upheld.id).status == Status.disqualified
    receipts = [o.receipt_no for o in objections.values() if o.receipt_no]
    assert len(receipts) == 2
    return {"apps": [upheld.id, pending.id], "receipt": first.receipt_no,
            "secrets": [PUBLIC_NAME, PUBLIC_PHONE, PUBLIC_MAIL, PUBLIC_CONTENT, ANONYMOUS_CONTENT, OFFICE_NAME,
                        OFFICE_CONTENT, CHECK_NOTE, *receipts]}


def _walk(app, username, app_ids) -> dict[str, str]:
    client = Client(app.test_client())
    client.login(username)
    pages = {}
    for url in _get_urls(app, {"app": app_ids, "group": []}):
        r = client.get(url)
        assert r.status_code < 500, url
        pages[url] = _body(r)
    return pages


@pytest.mark.parametrize("username", ["admin_a", "appl_a"])
def test_unit_admin_and_applicant_never_learn_who_reported(app, reported, username):
    pages = _walk(app, username, reported["apps"])
    upheld = reported["apps"][0]
    # The walk reaches the pages where the objections' traces would be: the history and the decision.
    where = f"/admin/applications/details/?id={upheld}" if username == "admin_a" else f"/admin/my-application/?id={upheld}"
    assert "取消申请资格" in _text(pages[where])
    if username == "admin_a":
        assert "公示期间收到反映" in _text(pages[f"/admin/applications/details/?id={reported['apps'][1]}"])
    leaks = [f"{url}: {secret}" for url, body in pages.items() for secret in reported["secrets"] if secret in body]
    assert leaks == []


def test_mail_and_sms_to_the_applicant_carry_no_objection(reported):
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.application_id.in_(reported["apps"])))
    texts = [m.subject + m.body for m in messages]
    assert any("公示" in t for t in texts)  # the notice's start went out; a decision may go out too
    assert [s for t in texts for s in reported["secrets"] if s in t] == []


@pytest.mark.parametrize("username", ["office", "supervisor"])
def test_office_and_supervisor_read_the_objections(app, reported, username):
    client = Client(app.test_client())
    client.login(username)
    pages = "".join(client.text(f"/admin/applications/details/?id={i}") for i in reported["apps"])
    pages += client.text(NOTICE)
    assert [s for s in reported["secrets"] if s not in pages] == []
    history = client.text(f"/admin/applications/details/?id={reported['apps'][0]}")
    history = history[history.index('id="history"'):]
    assert f"受理编号 {reported['receipt']}" in history  # the 操作记录 keeps its detail for them
