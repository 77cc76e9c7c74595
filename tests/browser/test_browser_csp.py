"""Issue 18.2 in a real browser: the pages with the most script — the dashboard's charts, the list's filters
(select2, the date-range picker), Flask-Admin's create forms (date pickers, select2), 标为已读 — run under the
Content-Security-Policy; the ``page`` fixture fails the test on any violation Chromium reports."""
import pytest

from wxk_admin.models import Message, db

from ..support.browser import browser_login, browser_logout

pytestmark = pytest.mark.browser


def test_office_dashboard_filters_and_forms_run_under_the_policy(page, world):
    browser_login(page, "office")
    page.goto("/admin/")
    page.wait_for_load_state("networkidle")
    page.goto("/admin/applications/")
    page.click("text=添加筛选器")
    page.click(".field-filters a.filter:text-is('提交日期')")
    page.wait_for_timeout(300)
    assert page.locator("#filter_form .filter-val").count() >= 1
    page.goto("/admin/cycles/new/")
    page.wait_for_load_state("networkidle")
    page.locator("input[data-role=datepicker]").first.click()
    assert page.locator(".daterangepicker").first.is_visible()
    assert page.violations == []


def test_it_forms_and_inbox_mark_read_run_under_the_policy(page, world):
    message = Message(recipient_id=world.users["it"].id, subject="浏览器测试通知", body="正文")
    db.session.add(message)
    db.session.commit()
    browser_login(page, "it")
    page.goto("/admin/users/new/")
    page.wait_for_load_state("networkidle")
    page.goto("/admin/inbox/")
    page.check(f"input.action-checkbox[value='{message.id}']")
    page.locator(":is(li, div).dropdown:has(a[data-model-action]) > a.dropdown-toggle").first.click()
    page.click("a[data-model-action=mark_read]")
    page.wait_for_load_state("networkidle")
    assert "已标为已读" in page.content()
    db.session.expire_all()
    assert db.session.get(Message, message.id).read_at is not None
    browser_logout(page)


def test_applicant_form_scripts_run_under_the_policy(page, world):
    """The form's own scripts carry the nonce: 添加一行 is shown and adds a row; one click submits once."""
    from wxk_admin.enums import Status

    from ..support.factories import make_app

    draft = make_app(db.session, world, "a_draft_csp", world.unit_a, world.users["appl_a"], Status.draft)
    db.session.commit()
    browser_login(page, "appl_a")
    page.goto(f"/admin/my-application/form/?id={draft.id}")
    add = page.locator("button.add-row").first
    assert add.is_visible()
    section = add.get_attribute("data-section")
    rows = page.locator(f"#section-{section} tr.section-row")
    before = rows.count()
    add.click()
    assert rows.count() == before + 1
