"""Issue 2: a real browser logs in, sees the Chinese index page, logs out."""
import pytest

from ..support.browser import browser_login, browser_logout

pytestmark = pytest.mark.browser


def test_login_sees_chinese_home_and_logs_out(page, world):
    browser_login(page, "admin_a")
    assert page.locator("#home-role").inner_text() == "团体会员管理员"
    assert page.locator("#home-unit").inner_text() == "甲省作家协会"
    assert "申请入会管理" in page.locator("nav").inner_text()
    assert "账户管理" not in page.locator("nav").inner_text()
    browser_logout(page)
    assert "/admin/account/login/" in page.url
    assert "您已安全退出" in page.content()
    page.goto("/admin/applications/")
    assert "/admin/account/login/" in page.url
