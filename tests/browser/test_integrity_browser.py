"""Issue 15.2 / 15.3 in a real browser (CSP reports and script errors fail a journey: the page fixture): the office filters 作品重复申报 through the list's filter widget, reads the
flag on the details page and follows it to the other application; a unit admin reads only 「另一申请（非本单位）」;
an applicant copies last year's application after confirming, and is told from which year."""
from __future__ import annotations

import pytest

from wxk_admin.enums import Role, Status
from wxk_admin.models import Application, db

from ..support.factories import earlier_cycle, make_app, make_user
from ..support.browser import browser_login, browser_logout
from ..domain.test_integrity_duplicates import FLAGGED, twins  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def _shown_ids(page) -> set[int]:
    return {int(v) for v in page.locator("input.action-checkbox").evaluate_all("els => els.map(e => e.value)")}


def test_office_follows_a_duplicate_and_a_unit_admin_reads_no_name(page, twins):  # noqa: F811
    browser_login(page, "office")
    page.goto("/admin/applications/")
    page.click("text=添加筛选器")
    page.click(".field-filters a.filter:text-is('作品重复申报')")
    page.select_option("#filter_form select.filter-val", "1", force=True)
    page.click("#filter_form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "duplicate_works" in page.url, page.url
    assert _shown_ids(page) == {twins[k].id for k in FLAGGED}

    mine, other = twins["isbn_a"], twins["isbn_b"]
    page.click(f"a[href*='details/?id={mine.id}&']")
    page.wait_for_load_state("networkidle")
    panel = page.locator("#panel-integrity")
    assert "作品重复申报" in panel.locator(".card-header").inner_text()
    assert "出版专集「活着的河」（ISBN 9787506365437）也由 乙重书" in panel.locator("li.duplicate").inner_text()
    panel.locator("a.duplicate-other").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h4").first.inner_text().startswith("乙重书")
    assert "甲重书" in page.locator("#panel-integrity li.duplicate").inner_text()
    assert f"id={other.id}" in page.url

    browser_logout(page)
    browser_login(page, "admin_a")
    page.goto(f"/admin/applications/details/?id={mine.id}")
    item = page.locator("#panel-integrity li.duplicate")
    assert "另一申请（非本单位）" in item.inner_text() and "乙重书" not in page.content()
    assert item.locator("a").count() == 0


def test_applicant_copies_last_years_application_after_confirming(page, world):
    current = world.cycle
    last = earlier_cycle(db.session, world)
    applicant = make_user(db.session, "again", Role.applicant, world.unit_a, full_name="再申请")
    old = make_app(db.session, world, "again_old", world.unit_a, applicant, Status.rejected, name="再申请",
                   cycle_id=last.id)
    db.session.commit()
    browser_login(page, "again")
    page.goto("/admin/my-application/")
    button = page.locator("#copy-previous")
    assert f"从 {last.year} 年度的申请复制内容" in button.inner_text()
    button.click()  # the page fixture accepts the question and keeps its text
    page.wait_for_load_state("networkidle")
    assert page.dialogs == [f"将以 {last.year} 年度的申请内容新建本年度的申请草稿，确定？"]
    assert f"已从 {last.year} 年度的申请复制内容" in page.content()
    db.session.expire_all()
    new = db.session.query(Application).filter_by(applicant_id=applicant.id, cycle_id=current.id).one()
    assert new.status == Status.draft and [b.title for b in new.books] == [b.title for b in old.books]
