"""Issue 3: unit review and office confirmation — every transition and every refusal, through HTTP."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from wxk_admin.domain import workflow
from wxk_admin.domain.audit import Actor
from wxk_admin.enums import Status
from wxk_admin.models import Application, AuditEvent, Book, Message, db

from ..support.applicant import BIRTH, ID, VALID
from ..support.factories import make_app
from ..support.helpers import redirect_target


def snapshot(app_id: int) -> dict:
    db.session.expire_all()
    row = db.session.get(Application, app_id)
    return {c.key: getattr(row, c.key) for c in Application.__table__.columns}


def details_of(app_id: int) -> tuple[str, dict]:
    """Where a done transition or edit leads: the application's details page, 返回申请列表 going to the list."""
    return "/admin/applications/details/", {"id": [str(app_id)], "url": ["/admin/applications/"]}


def audit_count(app_id: int) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.application_id == app_id))


def messages_to(user_id: int) -> list[Message]:
    return db.session.scalars(select(Message).where(Message.recipient_id == user_id).order_by(Message.id)).all()


def transition(client, app_id, name, data=None, *, version=None):
    form = {"id": app_id, "name": name, **(data or {})}
    if version is not None:
        form["version"] = version
    return client.post(f"/admin/applications/transition/?id={app_id}&name={name}", form)


# ---------------------------------------------------------------- the list


def test_unit_admin_list_shows_own_unit_newest_first_with_badges(client, world):
    a = world.apps["a_submitted"]
    older = make_app(db.session, world, "a_older", world.unit_a, world.users["appl_a"], name="甲旧")
    older.submitted_at = a.submitted_at.replace(year=a.submitted_at.year - 1)
    db.session.commit()
    client.login("admin_a")
    html = client.text("/admin/applications/")
    assert "甲一" in html and "甲旧" in html
    assert "乙一" not in html and "直报一" not in html
    assert html.index("甲一") < html.index("甲旧")  # newest submitted first
    assert 'class="badge badge-primary">待团体会员审核<' in html
    for header in ("姓名", "常用名", "门类", "创作样式", "状态", "申请序列号", "提交时间"):
        assert f">{header}<" in html or f"{header}</a>" in html


def test_list_pages_by_twenty(client, world):
    for i in range(25):
        make_app(db.session, world, f"bulk{i}", world.unit_a, world.users["appl_a"], name=f"批量{i:02d}")
    db.session.commit()
    client.login("admin_a")
    html = client.text("/admin/applications/")
    assert html.count("/admin/applications/details/?id=") == 20


# ---------------------------------------------------------------- details and buttons


def test_details_shows_every_section_and_the_five_buttons(client, world):
    app = world.apps["a_submitted"]
    client.login("admin_a")
    html = client.text(f"/admin/applications/details/?id={app.id}")
    for section in ("个人信息", "申报类别", "出版专集", "发表作品", "网络作品", "影视戏剧作品", "获奖情况", "推荐人",
                    "申报材料清单", "操作记录"):
        assert section in html, section
    assert app.id_number in html and app.books[0].title in html
    for button in ("btn-unit_confirm", "btn-unit_reject", "btn-edit", "btn-download", "btn-back"):
        assert f'id="{button}"' in html, button
    assert "确认信息" in html and "驳回申请" in html and "返回申请列表" in html


def test_buttons_follow_role_and_state(client, world):
    app = world.apps["a_submitted"]
    app.status = Status.unit_confirmed
    db.session.commit()
    client.login("admin_a")
    html = client.text(f"/admin/applications/details/?id={app.id}")
    assert 'id="btn-unit_confirm"' not in html and 'id="btn-unit_reject"' not in html and 'id="btn-edit"' not in html
    client.logout()
    client.login("office")
    html = client.text(f"/admin/applications/details/?id={app.id}")
    assert 'id="btn-office_confirm"' in html and 'id="btn-office_return"' in html


def test_back_to_list_keeps_filters_and_page(client, world):
    app = world.apps["a_submitted"]
    client.login("admin_a")
    list_url = "/admin/applications/?page=0&search=%E7%94%B2"
    html = client.text(f"/admin/applications/details/?id={app.id}&url={quote(list_url, safe='')}")
    assert 'id="btn-back" href="/admin/applications/?page=0&amp;search=%E7%94%B2"' in html


# ---------------------------------------------------------------- 确认信息


def test_unit_confirm_with_default_opinion(client, world):
    app = world.apps["a_submitted"]
    client.login("admin_a")
    form = client.text(f"/admin/applications/transition/?id={app.id}&name=unit_confirm")
    assert "团体会员确认信息" in form
    r = transition(client, app.id, "unit_confirm", {"opinion": "团体会员确认信息。材料齐全"}, version=app.version)
    assert redirect_target(r) == details_of(app.id)
    row = snapshot(app.id)
    assert row["status"] == Status.unit_confirmed
    assert row["unit_opinion"] == "团体会员确认信息。材料齐全"
    assert row["unit_confirmed_at"] is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id)).one()
    assert (event.action, event.from_state, event.to_state) == ("unit_confirm", "submitted", "unit_confirmed")
    assert event.actor_id == world.users["admin_a"].id and event.ip == "127.0.0.1"


def test_unit_confirm_empty_opinion_takes_the_default(client, world):
    app = world.apps["a_submitted"]
    client.login("admin_a")
    transition(client, app.id, "unit_confirm", {"opinion": "  "})
    assert snapshot(app.id)["unit_opinion"] == workflow.UNIT_CONFIRM_DEFAULT


# ---------------------------------------------------------------- 驳回申请


def test_unit_reject_with_reasons_sends_message(client, world):
    app = world.apps["a_submitted"]
    client.login("admin_a")
    r = client.post(f"/admin/applications/transition/?id={app.id}&name=unit_reject",
                    [("id", app.id), ("name", "unit_reject"), ("reasons", "出版专集为合著或编著"),
                     ("reasons", "其它"), ("other", "请补充获奖证书复印件"), ("confirmed", "1")])
    assert redirect_target(r) == details_of(app.id)
    row = snapshot(app.id)
    assert row["status"] == Status.rejected
    assert row["reject_reasons"] == "出版专集为合著或编著；请补充获奖证书复印件"
    msgs = messages_to(world.users["appl_a"].id)
    assert len(msgs) == 1
    assert msgs[0].subject == "您的入会申请已被驳回"
    assert "出版专集为合著或编著" in msgs[0].body and "请补充获奖证书复印件" in msgs[0].body
    assert msgs[0].read_at is None


@pytest.mark.parametrize("form, message", [
    ([], "「驳回申请」必须填写理由"),
    ([("reasons", "其它")], "选择「其它」时请填写具体理由"),
    ([("reasons", "其它"), ("other", "   ")], "选择「其它」时请填写具体理由"),
])
def test_reject_without_reason_is_refused_and_changes_nothing(client, world, form, message):
    app = world.apps["a_submitted"]
    before = snapshot(app.id)
    client.login("admin_a")
    r = client.post(f"/admin/applications/transition/?id={app.id}&name=unit_reject",
                    [("id", app.id), ("name", "unit_reject")] + form)
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    assert snapshot(app.id) == before
    assert audit_count(app.id) == 0 and messages_to(world.users["appl_a"].id) == []


# ---------------------------------------------------------------- refusals


def test_refusals_change_nothing(client, world):
    mine, theirs = world.apps["a_submitted"], world.apps["b_submitted"]
    client.login("admin_a")
    cases = [  # out of scope: 404 (no hint it exists); in scope, not this role's step: back to its page
        (theirs.id, "unit_confirm", "another unit's application", (404, None)),
        (mine.id, "office_confirm", "wrong role",
         (302, f"/admin/applications/details/?id={mine.id}&url=/admin/applications/")),
        (world.apps["direct_submitted"].id, "unit_confirm", "direct route is not the unit's", (404, None)),
    ]
    for app_id, name, why, answer in cases:
        before = snapshot(app_id)
        r = transition(client, app_id, name, {"opinion": "x"})
        assert (r.status_code, r.headers.get("Location")) == answer, why
        assert snapshot(app_id) == before, why
        assert audit_count(app_id) == 0, why


def test_wrong_state_is_refused_with_message(client, world):
    app = world.apps["a_submitted"]
    app.status = Status.rejected
    db.session.commit()
    before = snapshot(app.id)
    client.login("admin_a")
    r = transition(client, app.id, "unit_confirm", {"opinion": "x"})
    assert snapshot(app.id) == before
    html = client.text(r.headers["Location"])
    assert "当前状态为「已驳回」，不能执行「确认信息」" in html


def test_get_never_changes_state(client, world):
    app = world.apps["a_submitted"]
    before = snapshot(app.id)
    client.login("admin_a")
    client.get(f"/admin/applications/transition/?id={app.id}&name=unit_confirm&opinion=x")
    assert snapshot(app.id) == before


def test_post_without_csrf_is_refused(client, world):
    app = world.apps["a_submitted"]
    before = snapshot(app.id)
    client.login("admin_a")
    r = client.post(f"/admin/applications/transition/?id={app.id}&name=unit_confirm",
                    {"id": app.id, "name": "unit_confirm"}, csrf=False)
    assert r.status_code == 400
    assert snapshot(app.id) == before


def _edited_by_someone_else(client, world, pen_name):
    """a_submitted, changed by someone else after admin_a read it; admin_a logged in:
    (the application, the version admin_a read, its row now)."""
    app = world.apps["a_submitted"]
    stale = app.version
    app.pen_name = pen_name
    db.session.commit()
    before = snapshot(app.id)
    client.login("admin_a")
    return app, stale, before


def _refused_as_stale(client, r, app, before):
    assert snapshot(app.id) == before
    assert workflow.CONFLICT_MESSAGE in client.text(r.headers["Location"])


def test_stale_version_is_refused_with_conflict_message(client, world):
    app, stale, before = _edited_by_someone_else(client, world, "别人改过")
    r = transition(client, app.id, "unit_confirm", {"opinion": "确认"}, version=stale)
    _refused_as_stale(client, r, app, before)


# ---------------------------------------------------------------- the office: 确认并编号, 退回


def _unit_confirmed(world, key):
    app = world.apps[key]
    workflow.apply(db.session, app, "unit_confirm", Actor(world.users["admin_a" if app.unit_id == world.unit_a.id else "admin_b"]))
    db.session.commit()
    return app


def test_office_confirm_assigns_sequential_serials_and_tells_applicant(client, world, profile):
    first = _unit_confirmed(world, "a_submitted")
    second = _unit_confirmed(world, "b_submitted")
    client.login("office")
    transition(client, first.id, "office_confirm", {"opinion": "会员处确认"})
    transition(client, second.id, "office_confirm", {"opinion": "会员处确认"})
    year = world.cycle.year
    assert snapshot(first.id)["serial_no"] == f"{year}-000001"
    assert snapshot(second.id)["serial_no"] == f"{year}-000002"
    assert snapshot(first.id)["status"] == Status.office_confirmed
    msg = messages_to(world.users["appl_a"].id)[-1]
    assert msg.subject == profile.say("您的入会申请已经会员处确认") and f"{year}-000001" in msg.body


def test_office_return_goes_back_to_unit_with_message_to_unit_admin(client, world, profile):
    app = _unit_confirmed(world, "a_submitted")
    client.login("office")
    transition(client, app.id, "office_return", {"opinion": "请核实发表作品字数", "confirmed": "1"})
    row = snapshot(app.id)
    assert row["status"] == Status.submitted and row["serial_no"] is None
    msg = messages_to(world.users["admin_a"].id)[-1]
    assert msg.subject == profile.say("会员处退回入会申请") and "请核实发表作品字数" in msg.body
    assert messages_to(world.users["admin_b"].id) == []


def test_office_reviews_the_direct_route(client, world):
    app = world.apps["direct_submitted"]
    client.login("office")
    html = client.text(f"/admin/applications/details/?id={app.id}")
    assert 'id="btn-direct_confirm"' in html and 'id="btn-direct_reject"' in html
    transition(client, app.id, "direct_confirm", {"opinion": "会员处确认"})
    row = snapshot(app.id)
    assert row["status"] == Status.office_confirmed and row["serial_no"] == f"{world.cycle.year}-000001"


# ---------------------------------------------------------------- bulk


def test_bulk_confirm_reports_each_refusal(client, world):
    second = make_app(db.session, world, "a_two", world.unit_a, world.users["appl_a"], name="甲二")
    done_already = make_app(db.session, world, "a_done", world.unit_a, world.users["appl_a"], Status.unit_confirmed,
                            name="甲三")
    db.session.commit()
    ids = [world.apps["a_submitted"].id, second.id, done_already.id, world.apps["b_submitted"].id]
    client.login("admin_a")
    form_page = client.post("/admin/applications/action/", [("action", "bulk_unit_confirm")] +
                            [("rowid", i) for i in ids], token_from="/admin/applications/")
    html = form_page.get_data(as_text=True)
    assert "批量" in html and "乙一" not in html  # the other unit's row is not even listed
    r = client.post("/admin/applications/bulk/", [("name", "unit_confirm"), ("opinion", "团体会员确认信息")] +
                    [("rowid", i) for i in ids], token_from="/admin/applications/")
    html = r.get_data(as_text=True)
    assert "成功 2 件" in html and "未处理 2 件" in html
    assert "当前状态为「团体会员已确认」" in html and "申请不存在或无权访问" in html
    assert snapshot(second.id)["status"] == Status.unit_confirmed
    assert snapshot(world.apps["b_submitted"].id)["status"] == Status.submitted


def test_office_bulk_confirm_numbers_both_routes(client, world):
    _unit_confirmed(world, "a_submitted")
    _unit_confirmed(world, "b_submitted")
    ids = [world.apps[k].id for k in ("a_submitted", "b_submitted", "direct_submitted")]
    client.login("office")
    r = client.post("/admin/applications/bulk/", [("name", "office_confirm"), ("opinion", "会员处确认")] +
                    [("rowid", i) for i in ids], token_from="/admin/applications/")
    assert "成功 3 件" in r.get_data(as_text=True)
    serials = sorted(snapshot(i)["serial_no"] for i in ids)
    year = world.cycle.year
    assert serials == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]


def test_unit_admin_cannot_use_office_bulk(client, world):
    _unit_confirmed(world, "a_submitted")
    app = world.apps["a_submitted"]
    client.login("admin_a")
    r = client.post("/admin/applications/bulk/", [("name", "office_confirm"), ("rowid", app.id)],
                    token_from="/admin/applications/")
    assert r.status_code == 403
    assert snapshot(app.id)["status"] == Status.unit_confirmed


# ---------------------------------------------------------------- 修改信息


def test_edit_records_every_changed_field_including_child_rows(client, world):
    app = world.apps["a_submitted"]
    app.birth_date, app.id_number = BIRTH, ID
    db.session.commit()
    client.login("admin_a")
    page = client.text(f"/admin/applications/edit/?id={app.id}")
    assert "修改信息" in page and 'name="books-0-title"' in page
    before = snapshot(app.id)
    form = dict(VALID, **{"name": app.name, "pen_name": "新笔名", "mobile": "13900001111",
                          "change_reason": "申请者来电更正", "version": before["version"]})
    r = client.post(f"/admin/applications/edit/?id={app.id}", form)
    assert redirect_target(r) == details_of(app.id)
    after = snapshot(app.id)
    assert after["pen_name"] == "新笔名" and after["mobile"] == "13900001111"
    assert after["status"] == Status.submitted
    assert [b.title for b in db.session.get(Application, app.id).books] == ["河流的故乡"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                        AuditEvent.action == "edit")).one()
    assert event.before["pen_name"] == before["pen_name"] and event.after["pen_name"] == "新笔名"
    assert event.before["mobile"] == before["mobile"] and event.after["mobile"] == "13900001111"
    assert event.after["books-0-title"] == "河流的故乡"
    assert event.reason == "申请者来电更正" and event.actor_id == world.users["admin_a"].id
    assert "修改信息" in client.text(f"/admin/applications/details/?id={app.id}")


def test_edit_with_bad_input_reshows_the_form_and_saves_nothing(client, world):
    app = world.apps["a_submitted"]
    before = snapshot(app.id)
    client.login("admin_a")
    form = dict(VALID, **{"id_number": "110105198005121230", "pen_name": "保留我", "version": before["version"]})
    r = client.post(f"/admin/applications/edit/?id={app.id}", form)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "身份证号" in html and 'value="保留我"' in html
    assert snapshot(app.id) == before


def test_edit_with_stale_version_is_refused(client, world):
    app, stale, before = _edited_by_someone_else(client, world, "别人先改")
    r = client.post(f"/admin/applications/edit/?id={app.id}", dict(VALID, version=stale))
    _refused_as_stale(client, r, app, before)


def test_edit_refused_after_confirmation_and_for_other_units(client, world):
    _unit_confirmed(world, "a_submitted")
    client.login("admin_a")
    r = client.get(f"/admin/applications/edit/?id={world.apps['a_submitted'].id}")
    assert redirect_target(r) == details_of(world.apps["a_submitted"].id)
    assert "下不能修改信息" in client.text(r.headers["Location"])
    assert client.get(f"/admin/applications/edit/?id={world.apps['b_submitted'].id}").status_code == 404


# ---------------------------------------------------------------- 下载申请表


def test_download_form_is_a_printable_xlsx_with_every_section(client, world, profile):
    app = world.apps["a_submitted"]
    app.books.append(Book(title="=HYPERLINK(\"http://x\")", position=9))
    db.session.commit()
    client.login("admin_a")
    r = client.get(f"/admin/applications/download/?id={app.id}")
    assert r.status_code == 200
    assert "filename*=UTF-8''%E7%94%B2%E4%B8%80%E5%85%A5%E4%BC%9A%E7%94%B3%E8%AF%B7%E8%A1%A8.xlsx" in \
        r.headers["Content-Disposition"]  # 甲一入会申请表.xlsx
    ws = load_workbook(io.BytesIO(r.data)).active
    values = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert ws["A1"].value == profile.form.title  # national: 中国作家协会会员入会申请表
    assert "A1:AN1" in {str(m) for m in ws.merged_cells.ranges}  # the title across the form's 40-column grid
    assert app.name in values and app.id_number in values
    for book in app.books[:-1]:
        assert book.title in values
    assert "'=HYPERLINK(\"http://x\")" in values  # formula neutralised
    for section in ("一、个人信息", "二、申报类别", "三、出版专集", "四、发表作品"):
        assert section in values
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.fitToWidth == 1
    assert ws.print_area is not None


def test_download_of_another_units_form_is_refused(client, world):
    client.login("admin_a")
    assert client.get(f"/admin/applications/download/?id={world.apps['b_submitted'].id}").status_code == 404


# ---------------------------------------------------------------- messages


def test_messages_unread_count_and_mark_read(client, world):
    app = world.apps["a_submitted"]
    workflow.apply(db.session, app, "unit_reject", Actor(world.users["admin_a"]), opinion="申请材料不全")
    db.session.commit()
    client.login("appl_a")
    home = client.text("/admin/", follow_redirects=True)
    assert 'id="unread-count">1<' in home
    msg = messages_to(world.users["appl_a"].id)[0]
    html = client.text(f"/admin/inbox/details/?id={msg.id}")
    assert "申请材料不全" in html
    client.post("/admin/inbox/read/", {"id": str(msg.id)}, token_from="/admin/inbox/")  # 标为已读 (issue 18.7)
    db.session.expire_all()
    assert db.session.get(Message, msg.id).read_at is not None
    assert 'id="unread-count"' not in client.text("/admin/", follow_redirects=True)
    client.logout()
    client.login("appl_b")
    r = client.get(f"/admin/inbox/details/?id={msg.id}")
    assert (r.status_code, r.headers.get("Location")) == (302, "/admin/inbox/")  # as if it did not exist


# ---------------------------------------------------------------- audit is append-only


def test_audit_rows_cannot_be_edited_or_deleted(client, world):
    app = world.apps["a_submitted"]
    workflow.apply(db.session, app, "unit_confirm", Actor(world.users["admin_a"]))
    db.session.commit()
    event = db.session.scalars(select(AuditEvent)).one()
    client.login("it")
    r = client.get(f"/admin/audit/edit/?id={event.id}")
    assert (r.status_code, r.headers.get("Location")) == (302, "/admin/audit/")  # no edit form
    client.post("/admin/audit/delete/", {"id": event.id}, token_from="/admin/audit/")
    client.post("/admin/audit/action/", [("action", "delete"), ("rowid", event.id)], token_from="/admin/audit/")
    db.session.expire_all()
    assert db.session.get(AuditEvent, event.id) is not None
    event.reason = "tampered"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
