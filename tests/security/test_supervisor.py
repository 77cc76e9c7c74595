"""Issue 15.1 — 纪检监察 (supervisor): reads the whole process, changes nothing, never reads personal data
(身份证号, 移动电话, 电子邮箱, 通讯地址) nor an expert's vote or reading note."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from wxk_admin.domain.consultation.experts import draw_group
from wxk_admin.domain.consultation.notice import check_objection, report_objection
from wxk_admin.domain.audit import Actor, record
from wxk_admin.models import Application, AuditEvent, Objection, db

from ..support.consultation import office, on_open_notice
from ..support.helpers import redirect_target
from .test_expert_secrecy import NOTES, RUNNING, _personal, _text, _walk, rich  # noqa: F401 (fixture)

PERSONAL = {"id_number": "110101196107230017", "mobile": "13655556666", "email": "jiandu-test@secret.cn",
            "address": "监督测试路八号", "postcode": "100871"}


@pytest.fixture
def supervisor(world):
    return world.users["supervisor"]  # tests/factories.py: one account per role


@pytest.fixture
def marked(world):
    app = world.apps["a_submitted"]
    for key, value in PERSONAL.items():
        setattr(app, key, value)
    db.session.commit()
    return app


def _no_personal(text: str, where: str):
    for value in PERSONAL.values():
        assert value not in text, f"{where}: {value}"


def test_list_and_details_without_personal_data(client, world, supervisor, marked):
    client.login("supervisor")
    page = client.text("/admin/applications/")
    assert "甲一" in page and "乙一" in page and "直报一" in page  # every unit, with its name
    assert "<th" in page and "推荐单位" in page and "甲省作家协会" in page and "乙省作家协会" in page
    _no_personal(page, "list")
    details = client.text(f"/admin/applications/details/?id={marked.id}")
    assert "甲一" in details and "操作记录" in details
    for label in ("身份证号", "移动电话", "电子邮箱", "通讯地址"):
        assert f"<th>{label}</th>" not in details, label
    _no_personal(details, "details")
    assert 'id="btn-download"' not in details and "documents/form" not in details
    # the office, for comparison, reads them
    client.login("office")
    assert PERSONAL["mobile"] in client.text(f"/admin/applications/details/?id={marked.id}")


def test_search_does_not_look_up_personal_data(client, world, supervisor, marked):
    client.login("supervisor")
    assert "甲一" in client.text("/admin/applications/?search=甲一")
    for key in ("mobile", "id_number"):
        page = client.text(f"/admin/applications/?search={PERSONAL[key]}")
        assert "甲一" not in page, key
    client.login("office")
    assert "甲一" in client.text(f"/admin/applications/?search={PERSONAL['mobile']}")


def test_no_download_of_the_form(client, world, supervisor, marked):
    client.login("supervisor")
    for url in (f"/admin/applications/download/?id={marked.id}", f"/admin/documents/form.pdf?id={marked.id}",
                "/admin/applications/export/csv/"):
        r = client.get(url)
        if url.endswith("/export/csv/"):  # Flask-Admin's own export leads to the 导出 chooser, which refuses too
            assert redirect_target(r) == ("/admin/applications/export/", {})
            r = client.get("/admin/applications/export/")
        page = r.get_data(as_text=True)
        assert r.status_code == 403 and r.mimetype == "text/html" and "您无权访问此页面或此记录" in page, url
        _no_personal(page, url)


def test_history_withholds_personal_changes(client, world, supervisor, marked):
    record(db.session, Actor(world.users["admin_a"]), "edit", marked, application_id=marked.id,
           before={"mobile": "13000000001", "name": "甲一"}, after={"mobile": PERSONAL["mobile"], "name": "甲一改"})
    db.session.commit()
    client.login("supervisor")
    details = client.text(f"/admin/applications/details/?id={marked.id}")
    assert "<td>移动电话</td><td>（不予显示）</td><td>（不予显示）</td>" in details
    assert "<td>姓名</td><td>甲一</td><td>甲一改</td>" in details
    assert "13000000001" not in details
    event = db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "edit"))
    audit = client.text(f"/admin/audit/details/?id={event}")
    assert "甲一改" in audit and "13000000001" not in audit and PERSONAL["mobile"] not in audit


def _state():
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Objection.id))),
            sorted(db.session.execute(select(Application.id, Application.status)).all()))


def _denials():
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "access_denied"))


def test_every_change_is_refused_and_audited(client, world, supervisor, marked):
    listed = on_open_notice(db.session, world, "公示人")
    client.login("supervisor")
    before, denied = _state(), _denials()
    posts = [("/admin/applications/transition/", {"id": marked.id, "name": "unit_confirm", "opinion": "同意"}),
             ("/admin/applications/edit/?id=%d" % marked.id, {"name": "改名"}),
             ("/admin/consultation/notice/objection/", {"op": "record", "application_id": listed.id,
                                                        "reporter": "纪检", "content": "代为登记"}),
             ("/admin/consultation/notice/close/", {"op": "close", "notice_id": 1}),
             ("/admin/consultation/groups/create/", {"mode": "draw", "category": "novel", "n": 3}),
             ("/admin/inbox/mark-read/", {"id": 1}),
             (f"/public/report/?id={listed.id}", {"contact": "x", "content": "纪检账户代反映"})]
    for url, data in posts:
        r = client.post(url, data, token_from="/admin/account/password/")
        text = r.get_data(as_text=True)
        assert r.status_code == 403 and "纪检监察为只读角色" in text, url
    assert _state() == before
    assert _denials() == denied + len(posts)
    # signing out and changing one's own password still work
    r = client.post("/admin/account/password/", {"old_password": "wrong", "new_password": "x", "repeat_password": "y"},
                    token_from="/admin/account/password/")
    assert r.status_code != 403


def test_sees_notice_objections_with_contact(client, world, supervisor):
    s = db.session
    listed = on_open_notice(s, world, "公示人")
    obj = report_objection(s, listed.id, None, "010-12345678", "反映其获奖经历不实")
    check_objection(s, office(world), obj.id, "已向主办方核实")
    s.commit()
    client.login("supervisor")
    page = client.text("/admin/consultation/notice/")
    assert "反映其获奖经历不实（匿名）" in page and "联系方式：010-12345678" in page
    assert "核查：</strong>已向主办方核实" in page
    assert f"受理编号 {obj.receipt_no}" in page
    menu = client.text("/admin/")
    assert "公示中的申请" in menu


def test_sees_the_draw_reproducibly(client, world, supervisor):
    from ..support.consultation import add_expert

    experts = [add_expert(db.session, f"pool_{i}", "小说", full_name=f"库内专家{i}") for i in range(5)]
    group = draw_group(db.session, office(world), world.cycle, "novel", 3, seed="jiandu-2027")
    db.session.commit()
    client.login("supervisor")
    page = _text(client.text("/admin/consultation/groups/"))
    assert "种子 jiandu-2027" in page and "候选 5 人，抽取 3 人，复核一致" in page
    drawn = {m.expert_id for m in group.members}
    assert all(e.full_name in page for e in experts if e.id in drawn)
    audit = client.text("/admin/audit/?search=随机抽取咨询组")
    assert "随机抽取咨询组" in audit


def test_supervisor_walk(app, client, backend, rich):
    """Every GET URL with real ids as the supervisor: the whole process, no reading note, no personal data,
    no running tally, no expert's individual choice."""
    from .test_expert_secrecy import _once

    _once(backend)
    pages = _walk(app, client, rich, "supervisor")
    ok = {url for url, (code, _) in pages.items() if code == 200}
    assert len(ok) > 10
    problems = []
    names = [e.full_name for e in rich["experts"].values()]
    for url, (code, body) in pages.items():
        text = _text(body)
        for note in NOTES.values():
            if note in body:
                problems.append(f"{url}: reading note {note}")
        for i in range(1, 5):  # (the birth date is no secret from the supervisor: the rules read the age)
            p = _personal(i)
            for personal in (p["id_number"], p["id_number"][:17], p["mobile"], p["email"], p["address"]):
                if personal in body:
                    problems.append(f"{url}: personal data {personal}")
        if any(p.search(text) for p in RUNNING):
            problems.append(f"{url}: running tally")
        for name in names:  # a name next to a choice is an individual vote
            if re.search(re.escape(name) + r"\s{0,3}(?:[:：]\s*)?(?:不通过|通过)", text):
                problems.append(f"{url}: {name}'s choice")
    assert not problems, "\n".join(sorted(set(problems))[:40])
    group = rich["poetry"]
    votes = pages[f"/admin/consultation/votes/?group={group.id}"]
    assert votes[0] == 200 and "候选人秋月" in votes[1]
    assert pages["/admin/audit/"][0] == 200
    a1 = rich["apps"]["A1"].id
    details = pages[f"/admin/applications/details/?id={a1}"][1]
    assert 'data-action="vote"' in details  # the expert stage's events, as the office sees them
