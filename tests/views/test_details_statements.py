"""Issue 19.6: the details page — the page staff open most — reads an application in a bounded number of
statements, whatever the role: the signed-in user, the application, which repeating sections have rows and
those rows, the twins and the applications the integrity panel names, the 操作记录.  A new lazy load or a
per-panel query shows here first."""
from __future__ import annotations

import pytest

from wxk_admin.domain import workflow
from wxk_admin.domain.audit import Actor
from wxk_admin.models import CHILD_SECTIONS, db

from ..support.consultation import experts_in_a_group, in_review
from ..support.statements import counting


def statements_of(client, url) -> tuple[str, list[str]]:
    """The page and the statements it ran."""
    client.text(url)  # warm-up: the user's first request of the session sets its idle clock
    db.session.expunge_all()  # the page loads its rows itself, as in a fresh session (the test's is the requests')
    with counting(db.engine) as seen:
        page = client.text(url)
    return page, seen


@pytest.mark.parametrize("username", ["office", "admin_a", "it", "supervisor"])
def test_details_page_reads_a_submitted_application_in_at_most_nine_statements(client, world, username):
    app = world.apps["a_submitted"]
    filled = sum(1 for name, _ in CHILD_SECTIONS if getattr(app, name))
    client.login(username)
    page, seen = statements_of(client, f"/admin/applications/details/?id={app.id}")
    assert app.name in page and "操作记录" in page and "重复申报与往年申请" in page
    # user, application, which sections have rows, each filled section, twins, named applications, 操作记录
    assert filled == 3
    assert len(seen) <= 9, "\n".join(seen)


def test_history_by_other_accounts_costs_no_statement_of_its_own(client, world):
    """操作记录 names who acted: they come with the events, not by a statement of their own."""
    app = world.apps["a_submitted"]
    workflow.apply(db.session, app, "unit_confirm", Actor(world.users["admin_a"]))
    db.session.commit()
    client.login("office")
    page, seen = statements_of(client, f"/admin/applications/details/?id={app.id}")
    assert 'data-action="unit_confirm"' in page and "admin_a" in page
    assert len(seen) <= 9, "\n".join(seen)


def test_an_application_in_expert_review_reads_its_group_with_its_members(client, world):
    """The office's panel: the group and its members in one statement, then the recusals and the votes."""
    *_, group = experts_in_a_group(db.session, world, ("e1", "专家甲"), ("e2", "专家乙"), ("e3", "专家丙"))
    app = in_review(db.session, world, "reviewed", group)
    db.session.commit()
    client.login("office")
    page, seen = statements_of(client, f"/admin/applications/details/?id={app.id}")
    assert "专家投票：组员 3 人，回避 0，应投 3；已投票 0/3" in page
    # user, application, sections probe, three filled sections, twins, named, group + members, recusals,
    # votes, 操作记录
    assert sum(1 for name, _ in CHILD_SECTIONS if getattr(app, name)) == 3
    assert len(seen) <= 12, "\n".join(seen)
