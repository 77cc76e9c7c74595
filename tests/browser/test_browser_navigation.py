"""Issue 13 point 5 in a real browser: the navbar on one line at 1280 px for every role; the unit admin's
journey — 首页 待办 opens what it counts, 修改信息 from the sticky action bar, 返回申请列表 back to the filtered
list, 导出选中 with 姓名 ticked first."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from wxk_admin.domain.audit import send_message
from wxk_admin.enums import Status
from wxk_admin.models import db

from ..support.factories import make_app
from ..support.browser import browser_login, browser_logout

pytestmark = pytest.mark.browser

ROLE_USERS = ("appl_a", "admin_a", "expert", "office", "it")


def _navbar_lines(page) -> dict:
    """The navbar's height and how many distinct rows its entries sit on."""
    return page.evaluate("""() => {
        const nav = document.querySelector('nav.navbar');
        const items = [...nav.querySelectorAll('.navbar-brand, .navbar-nav > li')]
            .filter(e => e.offsetParent !== null);
        const rows = new Set(items.map(e => { const r = e.getBoundingClientRect();
                                              return Math.round((r.top + r.bottom) / 2 / 24); }));
        return {height: nav.getBoundingClientRect().height, rows: rows.size, items: items.length,
                inbox: [...nav.querySelectorAll('a')].filter(a => a.textContent.includes('站内信')).length};
    }""")


def test_navbar_is_one_line_at_1280_for_every_role(page, world):
    world.unit_a.name = "新疆生产建设兵团作家协会"
    world.users["admin_a"].full_name = "新疆生产建设兵团作家协会管理员"
    send_message(db.session, world.users["admin_a"], "会员处退回入会申请", "请核实")
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 800})
    for username in ROLE_USERS:
        browser_login(page, username)
        page.goto("/admin/")
        found = _navbar_lines(page)
        assert found["items"] >= 3 and found["rows"] == 1 and found["height"] < 64, (username, found)
        assert found["inbox"] == 1, (username, found)  # 站内信 once
        browser_logout(page)


def test_unit_admin_journey_waiting_edit_back_export(page, world):
    s = db.session
    ua, appl_a = world.unit_a, world.users["appl_a"]
    for i in range(2):
        make_app(s, world, f"a_wait{i}", ua, appl_a, Status.submitted, name=f"甲待审{i}")
    make_app(s, world, "a_done", ua, appl_a, Status.unit_confirmed, name="甲已确认", pen_name=None)
    s.commit()
    target = world.apps["a_wait0"]
    browser_login(page, "admin_a")

    # 首页 待办 → exactly the rows it counts
    entry = page.locator("#dash-waiting li", has_text="待审核的入会申请")
    count = int(entry.locator(".waiting-count").inner_text())
    entry.locator("a").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("input.action-checkbox").count() == count == 3
    assert "甲已确认" not in page.locator("table.model-list").inner_text()
    filtered = page.url

    # details: the action bar stays in view at the bottom of the long page
    page.click(f"a[href*='details/?id={target.id}&']")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    bar = page.locator("#actions").bounding_box()
    assert bar is not None and 0 <= bar["y"] < 5, bar
    for button in ("#btn-unit_confirm", "#btn-unit_reject", "#btn-edit", "#btn-download", "#btn-back"):
        assert page.locator(button).is_visible(), button

    # 修改信息 → save → 返回申请列表 goes back to the filtered list
    page.click("#btn-edit")
    page.wait_for_load_state("networkidle")
    page.fill("#pen_name", "旅途改名")
    page.click("#btn-save-edit")
    page.wait_for_load_state("networkidle")
    assert "旅途改名" in page.content()
    page.click("#btn-back")
    page.wait_for_load_state("networkidle")
    assert page.url == filtered

    # 导出选中 under 批量操作: 姓名 first and ticked, the file names the person
    page.check(f"input.action-checkbox[value='{world.apps['a_wait1'].id}']")
    page.click("#batch-menu")
    page.click("a:has-text('导出选中')")
    page.wait_for_load_state("networkidle")
    first = page.locator("#export-columns input[name=columns]").first
    assert first.get_attribute("value") == "name" and first.is_checked()
    with page.expect_download() as download_info:
        page.click("#export-submit")
    ws = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    header = next(r for r in rows if "姓名" in r)
    assert header[0] == "姓名" and "甲待审1" in [r[0] for r in rows]
