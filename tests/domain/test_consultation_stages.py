"""The consultation stages keep the house's rules (issue 19.1): rights are those of ``actor.acting_as`` (as in
``workflow``), an application is reached through ``access``, and whether it is time for a stage is asked of
``workflow``'s transition table instead of being restated."""
from __future__ import annotations

import dataclasses

import pytest

from wxk_admin.domain import workflow
from wxk_admin.domain.audit import Actor
from wxk_admin.domain.consultation.common import Refused
from wxk_admin.domain.consultation.materials import PRE_MATERIAL_STATES, mark_all_materials, mark_material, states_before
from wxk_admin.domain.consultation.notice import record_objection
from wxk_admin.domain.consultation.secretariat import record_secretariat
from wxk_admin.domain.consultation.voting import cast_vote
from wxk_admin.enums import Role, Status
from wxk_admin.models import Objection, User, db

from ..support.consultation import (FAST_HASH, TODAY, actor, add_app, add_expert, audits, count, group_with,
                                    in_review, office, status_of, votes_of)


def test_a_unit_admin_acting_through_a_proxy_account_has_the_proxys_rights(world):
    s = db.session
    admin = world.users["admin_a"]
    proxy = User(username="daitian_m", role=Role.applicant, full_name="代填甲", unit_id=admin.unit_id, active=True,
                 is_proxy=True, created_by_id=admin.id, password_hash=FAST_HASH)
    s.add(proxy)
    app = add_app(s, world, "纸质材料甲", Status.office_confirmed)
    s.commit()
    item = app.materials[0]
    switched = Actor(admin, "127.0.0.1", on_behalf_of=proxy)  # an applicant's account marks no paper material
    with pytest.raises(Refused, match="您的角色无权登记纸质材料"):
        mark_material(s, switched, item.id, received=True)
    with pytest.raises(Refused, match="您的角色无权登记纸质材料"):
        mark_all_materials(s, switched, app.id)
    s.rollback()
    assert item.unit_received_at is None and audits("material_mark") == 0
    # Back in their own account the admin marks it, in their own name.
    mark_material(s, actor(admin), item.id, received=True)
    s.commit()
    assert item.unit_received_at == TODAY and item.unit_received_by == (admin.full_name or admin.username)


def _widen(monkeypatch, name: str, extra: Status) -> None:
    """Let transition ``name`` start from ``extra`` too (the table changed, nothing else)."""
    t = workflow.TRANSITIONS[name]
    monkeypatch.setitem(workflow.TRANSITIONS, name, dataclasses.replace(t, sources=t.sources | {extra}))


def test_paper_materials_are_kept_from_submission_until_the_table_says_received(monkeypatch):
    """纸质材料 are marked and listed missing in the states between 提交 and 材料已收齐, as the table walks them."""
    assert PRE_MATERIAL_STATES == (Status.submitted, Status.unit_confirmed, Status.office_confirmed)
    # A table that let the office confirm a rejected application would put 已驳回 on that way too.
    _widen(monkeypatch, "office_confirm", Status.rejected)
    assert states_before("materials_received") == (Status.submitted, Status.rejected, Status.unit_confirmed,
                                                   Status.office_confirmed)


def test_recording_an_objection_asks_the_transition_table(world, monkeypatch):
    s = db.session
    app = add_app(s, world, "待公示甲", Status.secretariat_approved)
    s.commit()
    with pytest.raises(Refused, match="只能对公示中的人员登记异议"):
        record_objection(s, office(world), app.id, None, "反映问题")
    s.rollback()
    assert count(Objection) == 0
    # An objection is recorded while 异议成立 can still be applied: where the table says, nothing else does.
    _widen(monkeypatch, "uphold_objection", Status.secretariat_approved)
    record_objection(s, office(world), app.id, None, "反映问题")
    s.commit()
    assert count(Objection, Objection.application_id == app.id) == 1


def test_the_secretariat_vote_asks_the_transition_table(world, monkeypatch):
    s = db.session
    app = add_app(s, world, "未经专家乙", Status.materials_received)
    s.commit()
    votes = {"present": 20, "in_favour": 11, "against": 9, "abstain": 0}
    with pytest.raises(Refused, match="不另行提名"):
        record_secretariat(s, office(world), app.id, **votes)
    s.rollback()
    _widen(monkeypatch, "secretariat_approve", Status.materials_received)
    record_secretariat(s, office(world), app.id, **votes)
    s.commit()
    assert status_of(app.id) == Status.secretariat_approved


def test_the_expert_vote_asks_the_transition_table(world, monkeypatch):
    s = db.session
    expert = add_expert(s, "shendu_a")
    app = in_review(s, world, "已通过丙", group_with(s, world, [expert]))
    app.status = Status.expert_passed  # still in front of the group (access), its vote decided
    s.commit()
    with pytest.raises(Refused, match="投票已截止"):
        cast_vote(s, actor(expert), app.id, "passed")
    s.rollback()
    _widen(monkeypatch, "expert_pass", Status.expert_passed)
    cast_vote(s, actor(expert), app.id, "passed")
    s.commit()
    assert votes_of(app.id) == 1


def test_a_vote_reaches_the_application_through_the_experts_rows(world):
    s = db.session
    expert = add_expert(s, "shendu_b")
    app = in_review(s, world, "审读丁", group_with(s, world, [expert]))
    s.commit()
    expert.active = False  # 停用: the account's rows are none (access), though it is still of the group
    s.commit()
    with pytest.raises(Refused, match="不能投票"):
        cast_vote(s, actor(expert), app.id, "passed")
    s.rollback()
    assert votes_of(app.id) == 0


HUGE = "99999999999999999999"  # past BIGINT: no row id, and SQLite cannot even bind it


def test_a_material_item_past_bigint_is_no_item(client, world):
    app = add_app(db.session, world, "纸质材料戊", Status.office_confirmed)
    db.session.commit()
    client.login("office")
    r = client.post("/admin/materials/mark/", {"item_id": HUGE, "received": "1"}, token_from="/admin/")
    assert r.status_code == 400 and "材料条目不存在" in r.get_data(as_text=True)
    assert audits("material_mark") == 0 and all(m.office_received_at is None for m in app.materials)


def test_an_objection_past_bigint_is_no_objection(client, world):
    client.login("office")
    r = client.post("/admin/consultation/notice/objection/",
                    {"op": "check", "objection_id": HUGE, "check_note": "核查属实"}, token_from="/admin/",
                    follow_redirects=True)
    assert "异议记录不存在" in r.get_data(as_text=True)
    assert audits("objection_check") == 0


@pytest.mark.parametrize("page,transition", [("/admin/consultation/assign/", "assign_experts"),
                                             ("/admin/consultation/secretariat/", "secretariat_approve"),
                                             ("/admin/consultation/notice/", "open_notice")])
def test_the_office_pages_list_what_the_table_says_is_waiting(client, world, monkeypatch, page, transition):
    add_app(db.session, world, "公示中己", Status.on_notice)  # waits for none of these three
    db.session.commit()
    client.login("office")
    assert "公示中己" not in client.text(page)
    _widen(monkeypatch, transition, Status.on_notice)
    assert "公示中己" in client.text(page)
