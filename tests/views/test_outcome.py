"""Thin views (issue 19.2): one helper carries out a change (commit, or roll back and say why), one fetches
a row by id inside the user's scope (else the Chinese 404), one reads a list of ids."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from wxk_admin.enums import Role, Status
from wxk_admin.models import Application, AuditEvent, ExpertGroup, Notice, OutboxTemplate, db
from wxk_admin.params import id_list

from ..support.factories import make_user

HUGE = "99999999999999999999"  # past BIGINT: no row id, and SQLite cannot even bind it

# Every page that loads a row by the id in its URL, opened by a unit admin of 甲 (``{id}``: the id asked for).
ROW_PAGES = [
    "/admin/applications/details/?id={id}",
    "/admin/applications/edit/?id={id}",
    "/admin/applications/transition/?id={id}&name=unit_confirm",
    "/admin/applications/download/?id={id}",
    "/admin/cip/compare/?id={id}",
    "/admin/documents/form.pdf?id={id}",
    "/admin/documents/materials.pdf?id={id}",
    "/admin/documents/materials.xlsx?id={id}",
]


def _not_found(response) -> bool:
    return response.status_code == 404 and "页面不存在" in response.get_data().decode("utf-8", "replace")


@pytest.mark.parametrize("url", ROW_PAGES)
@pytest.mark.parametrize("which", ["other unit", "no such row", "past BIGINT", "not a number"])
def test_a_row_outside_the_scope_is_the_chinese_404(client, world, url, which):
    wanted = {"other unit": world.apps["b_submitted"].id, "no such row": 987654, "past BIGINT": HUGE,
              "not a number": "甲"}[which]
    client.login("admin_a")
    assert _not_found(client.get(url.format(id=wanted)))
    # The same page opens the unit's own application (the 404 is the scope, not the page).
    own = client.get(url.format(id=world.apps["a_submitted"].id))
    assert own.status_code == 200 and not _not_found(own)  # every one of these pages opens (no redirect)


@pytest.mark.parametrize("which", ["other applicant", "past BIGINT"])
def test_an_applicant_names_only_their_own_application(client, world, which):
    wanted = {"other applicant": world.apps["b_submitted"].id, "past BIGINT": HUGE}[which]
    client.login("appl_a")
    assert _not_found(client.get(f"/admin/my-application/?id={wanted}"))
    own = client.get(f"/admin/my-application/?id={world.apps['a_submitted'].id}")
    assert own.status_code == 200 and "我的申请" in own.get_data(as_text=True)


def test_a_proxy_account_of_another_unit_is_the_chinese_404(client, world):
    other = make_user(db.session, "proxy_b", Role.applicant, world.unit_b, is_proxy=True)
    db.session.commit()
    client.login("admin_a")
    for wanted in (other.id, HUGE):
        response = client.post("/admin/proxy-accounts/hand-over/", {"id": str(wanted)},
                               token_from="/admin/proxy-accounts/")
        assert _not_found(response)
    db.session.refresh(other)
    assert other.handed_over_at is None


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_a_refused_change_is_rolled_back_and_says_why(client, world):
    """取消申请资格 without a reason: refused — nothing changes, the Chinese reason is flashed as an error."""
    app = world.apps["a_submitted"]
    client.login("office")
    before = _audit_count()
    response = client.post("/admin/consultation/disqualify/",
                           {"application_id": str(app.id), "reasons": "", "detail": ""},
                           token_from="/admin/consultation/groups/", follow_redirects=True)
    alerts = re.findall(r'<div class="alert alert-(\w+)[^"]*"[^>]*>.*?</button>\s*(.*?)\s*</div>',
                        response.get_data(as_text=True), re.S)
    assert alerts == [("danger", "取消申请资格必须填写原因")]
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == Status.submitted
    assert _audit_count() == before


def test_a_refused_template_keeps_what_was_typed_and_the_old_template(client, world):
    client.login("it")
    response = client.post("/admin/outbox-templates/save/",
                           {"kind": "rejected", "subject": "驳回", "body": "{身份证号}"},
                           token_from="/admin/outbox-templates/")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "通知模板未保存：" in page and "{身份证号}" in page
    assert db.session.scalar(select(func.count()).select_from(OutboxTemplate)) == 0


@pytest.mark.parametrize("url,field,message", [
    ("/admin/consultation/notice/close/", "notice_id", "公示不存在"),
    ("/admin/consultation/votes/close/", "group_id", "咨询组不存在"),
    ("/admin/consultation/groups/member/", "group_id", "咨询组不存在"),
])
@pytest.mark.parametrize("wanted", ["987654", HUGE, "x"])
def test_a_missing_group_or_notice_is_refused_in_chinese(client, world, url, field, message, wanted):
    client.login("office")
    response = client.post(url, {field: wanted, "expert_id": "1"}, token_from="/admin/consultation/groups/")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExpertGroup)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_a_list_of_ids_keeps_the_ids_once_in_order():
    assert id_list(["3", " 1", "3", "x", "", "0", "-2", HUGE, "2"]) == [3, 1, 2]
    assert id_list(None) == []


def test_a_bulk_action_names_an_id_past_bigint_as_invalid_and_does_the_rest(client, world):
    own = world.apps["a_submitted"]
    client.login("admin_a")
    response = client.post("/admin/applications/bulk/",
                           [("name", "unit_confirm"), ("rowid", HUGE), ("rowid", str(own.id))],
                           token_from="/admin/applications/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "编号无效" in page and "甲一" in page
    db.session.expire_all()
    assert db.session.get(Application, own.id).status == Status.unit_confirmed


def test_an_expert_id_past_bigint_is_refused_in_chinese(client, world):
    client.login("office")
    response = client.post("/admin/consultation/groups/create/",
                           {"mode": "pick", "category": "novel", "experts": HUGE},
                           token_from="/admin/consultation/groups/")
    assert response.status_code == 400 and "专家编号无效" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExpertGroup)) == 0


def test_a_row_changed_meanwhile_rolls_back_and_says_so(client, world, monkeypatch):
    """核验 CIP 信息 while someone else saves the application: the version check refuses at commit —
    the stale message, no audit record, no 500."""
    from sqlalchemy import text

    from wxk_admin.domain import cip

    app = world.apps["a_submitted"]
    refresh = cip.refresh_flag

    def someone_else_first(session, application, **kw):
        session.execute(text("UPDATE applications SET version = version + 1 WHERE id = :id"), {"id": application.id})
        application.cip_flagged = not application.cip_flagged  # our change, on the version we read
        refresh(session, application, **kw)

    monkeypatch.setattr(cip, "refresh_flag", someone_else_first)
    client.login("admin_a")
    before = _audit_count()
    response = client.post("/admin/cip/recheck/", {"id": app.id}, token_from="/admin/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "该申请刚被他人修改，请刷新后重试" in page
    assert "已重新核验" not in page
    assert _audit_count() == before


def test_the_missing_materials_sheet_lists_each_late_application(client, world):
    """逾期未交纸质材料.xlsx (written by documents/materials_xlsx): one line per application, its cells
    neutralised."""
    import datetime as dt
    import io

    from openpyxl import load_workbook

    from ..support.consultation import add_app

    world.cycle.materials_deadline = dt.date.today() - dt.timedelta(days=1)
    late = add_app(db.session, world, "late", Status.office_confirmed, pen_name="=1+1", seq=7)
    db.session.commit()
    client.login("office")
    response = client.get("/admin/materials/missing.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["申请序列号", "姓名", "常用名", "推荐单位", "门类", "状态", "尚缺材料"]
    line = next(r for r in rows[1:] if r[1] == "late")
    assert line[0] == late.serial_no and line[2] == "'=1+1" and line[3] == "甲省作家协会"
    # Nothing received yet: every line of its checklist, joined with 、
    assert late.materials and line[6] == "、".join(item.name for item in late.materials)
