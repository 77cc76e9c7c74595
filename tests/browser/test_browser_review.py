"""Issue 3 in a real browser: the unit admin rejects with 其它 + text; the applicant reads the 站内信."""
import pytest

from ..support.browser import browser_login, browser_logout

pytestmark = pytest.mark.browser


def test_unit_admin_rejects_and_applicant_sees_message(page, world):
    app = world.apps["a_submitted"]
    browser_login(page, "admin_a")
    page.click("text=申请入会管理")
    page.click(f"a[href*='details/?id={app.id}']")
    assert "甲一" in page.locator("h4").first.inner_text()
    page.click("#btn-unit_reject")
    page.check("#reason-other")
    page.fill("#other", "发表作品需提供刊物封面复印件")
    page.click("#submit-transition")
    # The reason passed the check; then the one confirmation step (a page, no script dialog).
    assert "确定驳回申请？" in page.locator("#confirm-question").inner_text()
    page.click("#confirm-transition")
    page.wait_for_load_state("networkidle")
    assert page.dialogs == []
    assert page.locator("#status-badge").inner_text() == "已驳回"
    assert "发表作品需提供刊物封面复印件" in page.locator("#history").inner_text()
    browser_logout(page)

    browser_login(page, "appl_a")
    assert page.locator("#unread-count").inner_text() == "1"
    page.click("#inbox-link")
    page.click("text=您的入会申请已被驳回")
    assert "发表作品需提供刊物封面复印件" in page.content()


def test_office_confirms_and_numbers(page, world):
    from wxk_admin import profiles
    from wxk_admin.domain import workflow
    from wxk_admin.domain.audit import Actor
    from wxk_admin.models import db

    app = world.apps["a_submitted"]
    workflow.apply(db.session, app, "unit_confirm", Actor(world.users["admin_a"]))
    db.session.commit()
    browser_login(page, "office")
    page.goto(f"/admin/applications/details/?id={app.id}")
    page.click("#btn-office_confirm")
    page.click("#submit-transition")
    page.wait_for_load_state("networkidle")
    office = profiles.of(world.cycle.association).names.office_short  # 会员处; 联络部 (test_profiles_browser)
    assert page.locator("#status-badge").inner_text() == f"{office}已确认"
    assert page.locator("#serial-no").inner_text() == f"{world.cycle.year}-000001"
