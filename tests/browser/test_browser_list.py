"""Issue 7 in a real browser: 添加筛选器 and 搜索 on 申请入会管理 work through Flask-Admin's own JavaScript
on the fast list page (templates/exports/list.html), and the filtered URL is what 返回申请列表 keeps."""
import re

import pytest

from wxk_admin.enums import Status
from wxk_admin.cli.generate import generate
from wxk_admin.models import Application, db

from ..support.browser import browser_login

pytestmark = pytest.mark.browser


def _shown_ids(page) -> set[int]:
    return {int(v) for v in page.locator("input.action-checkbox").evaluate_all("els => els.map(e => e.value)")}


def test_office_filters_by_status_searches_and_comes_back(page, world):
    generate(db.session, 60, units=2, cycles=1, seed=7)
    submitted = {pk for (pk,) in db.session.query(Application.id).filter(Application.status == Status.submitted)}
    assert 0 < len(submitted) <= 20
    browser_login(page, "office")
    page.goto("/admin/applications/")

    page.click("text=添加筛选器")
    page.click(".field-filters a.filter:text-is('状态')")
    page.select_option("#filter_form select.filter-val", Status.submitted.value, force=True)  # select2 hides it
    page.click("#filter_form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert re.search(r"flt\d+_status_eq=submitted", page.url), page.url
    assert _shown_ids(page) == submitted
    assert f"共 {len(submitted)} 条" in page.locator("#count-exact").inner_text()

    one = db.session.get(Application, min(submitted))
    page.fill("input[name=search]", one.name)
    page.press("input[name=search]", "Enter")
    page.wait_for_load_state("networkidle")
    same_name = {pk for (pk,) in db.session.query(Application.id).filter(
        Application.status == Status.submitted, Application.name.contains(one.name))}
    assert _shown_ids(page) == same_name and one.id in same_name
    filtered_url = page.url

    page.click(f"a[href*='details/?id={one.id}&']")
    page.wait_for_load_state("networkidle")
    page.click("text=返回申请列表")
    page.wait_for_load_state("networkidle")
    assert page.url == filtered_url
    assert _shown_ids(page) == same_name
