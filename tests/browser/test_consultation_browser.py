"""Issue 8 in a real browser: an expert logs in, recuses on one application, votes on another."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from wxk_admin.enums import RecusalReason, VoteChoice
from wxk_admin.models import Recusal, Vote, db

from ..support.browser import browser_login
from ..support.consultation import experts_in_a_group, in_review

pytestmark = pytest.mark.browser


def test_expert_recuses_on_one_and_votes_on_another(page, world):
    s = db.session
    me, colleague, group = experts_in_a_group(s, world, ("reader", "审读专家"), ("colleague", "同组专家"))
    kin = in_review(s, world, "亲属申请人", group)
    work = in_review(s, world, "普通申请人", group)
    s.commit()

    browser_login(page, "reader")
    page.click("text=审读投票")
    assert "亲属申请人" in page.inner_text("#expert-apps") and "普通申请人" in page.inner_text("#expert-apps")

    page.click("#expert-apps >> text=亲属申请人")
    page.check("#reason-relative")
    page.fill("#recuse-note", "申请人系本人配偶")
    page.click("#recuse-submit")
    page.wait_for_load_state("networkidle")
    assert "已申请回避" in page.content()
    assert "亲属申请人" not in page.inner_text("#expert-apps")

    page.click("#expert-apps >> text=普通申请人")
    page.fill("#note", "作品扎实，符合条件")
    page.check("#choice-passed")
    page.click("#vote-submit")
    page.wait_for_load_state("networkidle")
    assert "投票已提交" in page.content()
    assert "已投：通过" in page.inner_text(f"#expert-app-{work.id}")

    db.session.expire_all()
    recusal = s.scalar(select(Recusal))
    assert (recusal.application_id, recusal.expert_id, recusal.reason) == (kin.id, me.id, RecusalReason.relative)
    vote = s.scalar(select(Vote))
    assert (vote.application_id, vote.expert_id, vote.choice, vote.reading_note) == (
        work.id, me.id, VoteChoice.passed, "作品扎实，符合条件")
    assert page.dialogs  # both actions asked for confirmation
    # The recused application is gone from the expert's reach, even by URL.
    page.goto(f"/admin/expert/app/?id={kin.id}")
    assert page.url.endswith("/admin/expert/")
    assert "无权查看" in page.content() and "亲属申请人" not in page.inner_text("#expert-apps")
