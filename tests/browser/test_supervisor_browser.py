"""Issue 15.1 / 15.4 in a real browser: a reader reports a problem on the public notice page; the supervisor
reads it with its contact on 公示与异议, sees no form that would change anything, and the office handles it."""
from __future__ import annotations

import pytest

from wxk_admin.models import db

from ..support.browser import browser_login, browser_logout
from ..support.consultation import on_open_notice

pytestmark = pytest.mark.browser


def test_public_report_read_by_the_supervisor(page, world):
    listed = on_open_notice(db.session, world, "公示人张三")

    page.goto("/public/notice/")
    page.click(f"a[href='/public/report/?id={listed.id}']")
    assert "公示人张三" in page.inner_text("#person")
    page.fill("textarea[name=content]", "反映其代表作品<b>系他人代笔</b>")
    page.fill("input[name=contact]", "13500001111")
    page.click("#report-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    receipt = page.inner_text("#receipt-no")
    assert receipt.startswith(f"{world.cycle.year}-G-") and "匿名反映" in page.content()

    browser_login(page, "supervisor")
    page.goto("/admin/consultation/notice/")
    block = page.locator(".objection").first
    assert "反映其代表作品<b>系他人代笔</b>（匿名）" in block.inner_text()  # shown as typed, as text
    assert f"受理编号 {receipt} · 联系方式：13500001111" in block.inner_text()
    # read only: no button that would change anything is visible; signing out is
    visible = [b.inner_text() for b in page.locator("main button, .container-fluid form button").all() if b.is_visible()]
    assert visible == ["退出"], visible
    page.goto(f"/admin/applications/details/?id={listed.id}")
    assert page.locator("#btn-download").count() == 0 and "公示人张三" in page.content()
    browser_logout(page)

    browser_login(page, "office")
    page.goto("/admin/consultation/notice/")
    assert page.locator(".objection form button").first.is_visible()  # the office's 登记核查
