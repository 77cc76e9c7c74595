"""Issue 15.5 in a real browser: IT rewords the 驳回 notice (a bad placeholder is refused, nothing typed is lost);
the unit rejects; the office finds the e-mail and the SMS under 会员发展 → 站外通知, recipients masked."""
from __future__ import annotations

import pytest

from sqlalchemy import select

from wxk_admin.enums import Status
from wxk_admin.models import Application, OutboxChannel, OutboxMessage, db

from ..support.browser import browser_login, browser_logout

pytestmark = pytest.mark.browser


def test_it_rewords_the_notice_and_the_office_sees_it_queued(page, world):
    application = world.apps["a_submitted"]
    application.email, application.mobile = "zhang.san@example.cn", "13812341234"
    db.session.commit()

    browser_login(page, "it")
    page.goto("/admin/outbox-templates/")
    page.fill("#body-rejected", "{姓名}同志：您的入会申请被{单位}驳回（{身份证号}）。理由：{理由}")
    page.click("#save-rejected")
    assert "正文不得包含身份证号" in page.inner_text("#error-rejected")
    assert "（{身份证号}）" in page.input_value("#body-rejected")  # kept for correction
    page.fill("#body-rejected", "{姓名}同志：您的入会申请被{单位}驳回。理由：{理由}")
    page.click("#save-rejected")
    assert "已保存通知模板「驳回申请」" in page.inner_text("body")
    browser_logout(page)

    browser_login(page, "admin_a")
    page.goto(f"/admin/applications/transition/?id={application.id}&name=unit_reject")
    page.locator("input[type=checkbox][value='申请材料不全']").check()
    page.click("#submit-transition")
    page.click("#confirm-transition")  # 驳回 asks once more
    page.wait_for_load_state()
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.rejected
    browser_logout(page)

    browser_login(page, "office")
    page.goto("/admin/")
    page.get_by_role("link", name="会员发展").click()
    page.get_by_role("link", name="站外通知").click()
    table = page.inner_text("table.model-list")
    assert "138****1234" in table and "zh***@example.cn" in table and "13812341234" not in table
    assert table.count("驳回申请") == 2 and table.count("待发送") == 2 and "甲一" in table
    email_row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.email))
    page.goto(f"/admin/outbox/details/?id={email_row.id}")
    assert "甲一同志：您的入会申请被甲省作家协会驳回。理由：申请材料不全" in page.inner_text("body")
