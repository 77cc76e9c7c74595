"""Issue 13.2 (a) and (c) in a real browser: an expert is kept to the expert pages; the office follows an open
vote by how many have voted and sees the tally only after closing it."""
from __future__ import annotations

import datetime as dt

import pytest

from wxk_admin.domain.consultation.voting import cast_vote
from wxk_admin.models import db

from ..support.browser import browser_login, browser_logout
from ..support.consultation import actor, add_expert, group_with, in_review

pytestmark = pytest.mark.browser

ID_NUMBER = "52010219610723017X"
MOBILE = "13907770001"


def test_expert_refused_details_and_office_sees_tally_only_after_closing(page, world):
    s = db.session
    experts = [add_expert(s, f"reader{i}", full_name=name) for i, name in enumerate(("审读人赵钱", "审读人孙李", "审读人周吴"))]
    group = group_with(s, world, experts)
    app = in_review(s, world, "候选人春晓", group, unit="b", id_number=ID_NUMBER, mobile=MOBILE,
                    birth_date=dt.date(1961, 7, 24))
    s.commit()
    cast_vote(s, actor(experts[0]), app.id, "passed")
    cast_vote(s, actor(experts[1]), app.id, "failed")
    s.commit()

    # The third expert: the generic details page is refused; the expert's own page has no personal data.
    browser_login(page, "reader2")
    response = page.goto(f"/admin/applications/details/?id={app.id}")
    assert response.status == 403
    assert "审读投票" in page.inner_text("#error-message") and ID_NUMBER not in page.content()
    page.goto("/admin/")
    page.click("text=审读投票")
    page.click(f"#expert-app-{app.id} >> text=候选人春晓")
    body = page.inner_text("body")
    assert "候选人春晓" in body and "乙省作家协会" in body
    for secret in (ID_NUMBER, MOBILE, "1961-07-24", "出生日期", "身份证号"):
        assert secret not in body, secret
    browser_logout(page)

    # The office: while open, how many have voted and no counts, no names next to them.
    browser_login(page, "office")
    page.goto(f"/admin/consultation/votes/?group={group.id}")
    row = page.inner_text(f"#tally-{app.id}")
    assert "已投票 2/3" in row and "通过" not in row and "审读人" not in row
    assert "投票截止后显示计票结果" in page.inner_text("body")
    page.click("#close-vote-form button")
    page.wait_for_load_state("networkidle")
    assert "投票已截止" in page.inner_text("body")
    row = page.inner_text(f"#tally-{app.id}")
    assert "通过 1" in row and "不通过 1" in row and "审读人" not in row
