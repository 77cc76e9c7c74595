"""Issue 16.2 — the browser journeys on both profiles: the login journey and the review journey of
test_browser_login / test_browser_review run on a national and a Jiangsu deployment (``app`` of this module is
parametrized by profile), and each deployment's console names its own association and office."""
from __future__ import annotations

import pytest

from ..support.browser import browser_login, browser_logout
from .test_browser_login import test_login_sees_chinese_home_and_logs_out  # noqa: F401  (run on both profiles)
from .test_browser_review import test_office_confirms_and_numbers  # noqa: F401  (run on both profiles)
from ..views.test_profiles_walk import app, world  # noqa: F401  (a deployment of each profile, its cycle its own)

pytestmark = pytest.mark.browser

OWN = {"cwa": ("中国作协个人会员申请管理平台", "创联部会员处", "中国作协创联部会员处", "江苏"),
       "jiangsu": ("江苏省作协个人会员申请管理平台", "联络部", "江苏省作协联络部", "中国作")}


def test_console_and_applicant_read_the_own_association(app, page, world):  # noqa: F811
    from wxk_admin.domain import workflow
    from wxk_admin.domain.audit import Actor
    from wxk_admin.models import db

    platform, office, reviewer, foreign = OWN[app.extensions["wxk_profile"].code]
    page.goto("/admin/account/login/")
    assert page.title().endswith(platform) and f"登录 · {platform}" in page.content()
    browser_login(page, "office")
    assert page.locator("#home-role").inner_text() == office
    assert foreign not in page.locator("body").inner_text()
    browser_logout(page)
    # The direct route's applicant waits for the association's office, by its name.
    application = world.apps["direct_submitted"]
    browser_login(page, "appl_direct")
    assert reviewer in page.locator("body").inner_text()
    browser_logout(page)
    workflow.apply(db.session, application, "direct_confirm", Actor(world.users["office"]))
    db.session.commit()
    browser_login(page, "appl_direct")
    body = page.locator("body").inner_text()
    assert f"直接提交{reviewer}" in body and foreign not in body
