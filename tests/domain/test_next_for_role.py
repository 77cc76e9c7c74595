"""Issue 19 (state rules said once): what waits for each role on a 首页 without a dashboard is read from
``workflow.TRANSITIONS`` — pinned here by literal states, so a change of the table that changes a home page shows."""
from __future__ import annotations

import dataclasses

from wxk_admin.domain import dashboard, workflow
from wxk_admin.enums import Role, Status


def test_what_waits_for_each_role_by_literal_states():
    assert {role: states for role, (states, _) in dashboard.NEXT_FOR_ROLE.items()} == {
        Role.unit_admin: (Status.submitted,),
        Role.office: (Status.unit_confirmed,),
        Role.applicant: (Status.rejected,),
        Role.expert: (Status.expert_review,),
        Role.it_admin: (Status.submitted,),
        Role.supervisor: (Status.on_notice,),
    }


def test_a_role_waits_where_another_roles_step_hands_it_over():
    """The sources of the role's own steps that another role's step leads to: not the applicant's 草稿 (nobody
    hands it over), not the direct route's first review nor the office's 取消资格 from any live state."""
    assert dashboard.waiting_states(Role.unit_admin) == (Status.submitted,)
    assert dashboard.waiting_states(Role.office) == (Status.unit_confirmed,)
    assert dashboard.waiting_states(Role.applicant) == (Status.rejected,)
    assert dashboard.waiting_states(Role.expert) == dashboard.waiting_states(Role.supervisor) == ()


def test_the_states_follow_the_table(monkeypatch):
    """Were 团体会员确认 to lead to 材料已收齐's state, the office would wait there instead."""
    table = dict(workflow.TRANSITIONS)
    table["unit_confirm"] = dataclasses.replace(table["unit_confirm"], target=Status.office_confirmed)
    monkeypatch.setattr(workflow, "TRANSITIONS", table)
    assert dashboard.waiting_states(Role.office) == (Status.office_confirmed,)
