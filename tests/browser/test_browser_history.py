"""Issue 13.2(b) and 13.3 in Chromium: the unit admin edits and reads the change by label, before → after,
with the ID number masked; IT reads it in full; the expert stage is the office's and IT's only."""
import pytest

from wxk_admin.domain.consultation.recusal import declare_recusal
from wxk_admin.domain.consultation.voting import cast_vote
from wxk_admin.models import db

from ..support.applicant import editable_as_it_stands
from ..support.browser import browser_login, browser_logout, edit_on_details
from ..support.consultation import actor, experts_in_a_group, in_review

pytestmark = pytest.mark.browser


def test_an_edit_reads_before_and_after_by_label(page, world):
    app = world.apps["a_submitted"]
    editable_as_it_stands(app)
    old_mobile, old_title = app.mobile, app.books[0].title
    db.session.commit()
    browser_login(page, "admin_a")
    edit_on_details(page, app.id, {"#mobile": "13911112222", "#books-0-title": "浏览器里改的书名"}, "申请者来电更正")
    assert "已修改" in page.content()

    rows = page.locator("#history .history-changes tbody tr")
    table = [[cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())]
    assert ["移动电话", old_mobile, "13911112222"] in table
    assert ["出版专集第1行 书名", old_title, "浏览器里改的书名"] in table
    history = page.locator("#history").inner_text()
    assert "申请者来电更正" in history and "修改信息" in history and "mobile" not in history
    browser_logout(page)

    browser_login(page, "it")
    page.goto(f"/admin/audit/?search=修改信息")
    page.locator("table.model-list a[href*='/admin/audit/details/']").first.click()
    page.wait_for_load_state("networkidle")
    details = page.locator(".history-changes").inner_text()
    assert "出版专集第1行 书名" in details and "浏览器里改的书名" in details and "{" not in details


def test_the_expert_stage_shows_to_the_office_without_choices_and_not_to_the_unit(page, world):
    s = db.session
    voter, recused, group = experts_in_a_group(s, world, ("voter", "评审专家甲"), ("recused", "评审专家乙"))
    app = in_review(s, world, "被审读者", group)
    s.commit()
    cast_vote(s, actor(voter), app.id, "failed", "审读意见")
    declare_recusal(s, actor(recused), app.id, "other", "与申请者同一单位")
    s.commit()

    browser_login(page, "admin_a")
    page.goto(f"/admin/applications/details/?id={app.id}")
    history = page.locator("#history").inner_text()
    assert "专家投票" not in history and "专家申请回避" not in history and "与申请者同一单位" not in history
    assert "评审专家甲" not in page.content()
    browser_logout(page)

    browser_login(page, "office")
    page.goto(f"/admin/applications/details/?id={app.id}")
    history = page.locator("#history").inner_text()
    assert "评审专家甲" in history and "专家投票" in history and "专家申请回避" in history
    assert "通过" not in history
