"""Issue 15.5 through HTTP: the office's 站外通知 list (masked recipients, states, filters) and IT's 通知模板."""
from __future__ import annotations

import html

from sqlalchemy import select

from wxk_admin.domain import outbox, workflow
from wxk_admin.domain.audit import Actor
from wxk_admin.models import OutboxMessage, OutboxState, OutboxTemplate, db

ID_NUMBER = "11010519491231002X"


def _rejected_with_contacts(world):
    application = world.apps["a_submitted"]
    application.email, application.mobile, application.id_number = "zhang.san@example.cn", "13812341234", ID_NUMBER
    db.session.commit()
    workflow.apply(db.session, application, "unit_reject", Actor(world.users["admin_a"]), opinion="申请材料不全")
    db.session.commit()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_office_sees_each_message_state_with_the_recipient_masked(client, world, profile):
    email_row, sms_row = _rejected_with_contacts(world)
    sms_row.state, sms_row.attempts, sms_row.last_error = OutboxState.failed, 5, "短信网关返回错误（状态码 500）"
    db.session.commit()
    client.login("office")
    page = client.text("/admin/outbox/")
    assert "138****1234" in page and "zh***@example.cn" in page
    assert "13812341234" not in page and "zhang.san@example.cn" not in page
    assert "驳回申请" in page and "待发送" in page and "失败" in page and "短信网关返回错误（状态码 500）" in page
    assert "甲一" in page

    failed_only = client.text("/admin/outbox/?flt0_0=failed")  # filter 发送状态 = 失败
    assert "138****1234" in failed_only and "zh***@example.cn" not in failed_only
    by_kind = client.text("/admin/outbox/?flt0_1=admitted")  # filter 通知类型 = 公布入会及入会手续
    assert "138****1234" not in by_kind and "zh***@example.cn" not in by_kind

    details = client.text(f"/admin/outbox/details/?id={email_row.id}")
    assert f"【{profile.names.association}】您的入会申请已被驳回" in details and "理由：申请材料不全" in details
    assert "zh***@example.cn" in details and ID_NUMBER not in details and ID_NUMBER not in page


def test_units_and_applicants_do_not_see_the_outbox(client, world):
    _rejected_with_contacts(world)
    for username in ("admin_a", "appl_a"):
        client.login(username)
        response = client.get("/admin/outbox/")
        assert response.status_code == 403 and "138****1234" not in response.get_data(as_text=True)
        client.logout()


def test_it_edits_a_template_and_the_next_message_uses_it(client, world, profile):
    client.login("it")
    page = client.text("/admin/outbox-templates/")
    assert "驳回申请" in page and "【{协会}】您的入会申请已被驳回" in page and "{姓名}" in page
    response = client.post("/admin/outbox-templates/save/", {
        "kind": "rejected", "subject": "【{协会}】入会申请驳回通知 <script>alert(1)</script>",
        "body": "{姓名}同志：您的申请被{单位}驳回，理由：{理由}。"}, token_from="/admin/outbox-templates/",
        follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已保存通知模板「驳回申请」" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)</script>" not in text
    [row] = _rejected_with_contacts(world)[:1]
    assert row.subject == f"【{profile.names.association}】入会申请驳回通知 <script>alert(1)</script>"
    assert row.body == "甲一同志：您的申请被甲省作家协会驳回，理由：申请材料不全。"


def test_a_template_asking_for_the_id_number_is_refused_and_nothing_is_lost(client, world):
    client.login("it")
    body = "{姓名}（身份证号 {身份证号}）：您的申请被驳回。"
    response = client.post("/admin/outbox-templates/save/", {"kind": "rejected", "subject": "驳回通知", "body": body},
                           token_from="/admin/outbox-templates/")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "正文不得包含身份证号：通知中不能出现身份证号" in text
    assert html.escape(body, quote=False) in text and 'value="驳回通知"' in text  # what IT typed is kept
    assert db.session.scalar(select(OutboxTemplate).where(OutboxTemplate.kind == "rejected",
                                                          OutboxTemplate.subject == "驳回通知")) is None
    assert outbox.template_of(db.session, "rejected")[1] == outbox.DEFAULT_TEMPLATES["rejected"][2]


def test_office_may_not_edit_templates(client, world):
    client.login("office")
    assert client.get("/admin/outbox-templates/").status_code == 403
    response = client.post("/admin/outbox-templates/save/", {"kind": "rejected", "subject": "x", "body": "y"},
                           token_from="/admin/")
    assert response.status_code == 403
    assert outbox.template_of(db.session, "rejected")[0] == outbox.DEFAULT_TEMPLATES["rejected"][1]


def test_unknown_filter_values_are_no_error(client, world):
    _rejected_with_contacts(world)
    client.login("office")
    for query in ("flt0_0=bogus", "flt0_1=<script>", "flt0_2=fax", "flt0_0=%00"):
        response = client.get(f"/admin/outbox/?{query}")
        assert response.status_code == 200, query
        assert "<script>" not in response.get_data(as_text=True).split("</head>")[-1].replace("<script nonce", "")
