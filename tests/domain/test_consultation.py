"""Issue 8: materials, expert pool and groups, assignment, recusal, secret votes, secretariat, notice,
onboarding, disqualification — each transition and each refusal, through HTTP where a user would act.

Rules quoted from the seeds:
  002 第三条(三)2 / 001 五.2 「本组专家投票过半数方为通过」（无记名投票）
  002 第四条2 / 001 七.2 「如有直系亲属申请入会，应实行回避」
  002 第三条(四) / 001 「审议批准得票过半数者」「不另行提名」
  002 第三条(五) / 001 六 「公示时间为一周」
  002 第五条5 「有抄袭、剽窃、弄虚作假以及请托、行贿行为的申请者，取消其申请资格」
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from wxk_admin.domain.consultation.common import Refused
from wxk_admin.domain.consultation.materials import missing_after_deadline
from wxk_admin.domain.consultation.experts import available_experts, create_group, draw_record, reproduce_draw
from wxk_admin.domain.consultation.recusal import declare_recusal, possible_conflicts
from wxk_admin.domain.consultation.voting import cast_vote, close_vote, tally, vote_monitor
from wxk_admin.domain.consultation.secretariat import record_secretariat
from wxk_admin.domain.consultation.notice import (UPHELD_OPINION, check_objection, close_notice, decide_objection,
                                                  open_notice, record_objection)
from wxk_admin.domain.consultation.onboarding import (onboarding_incomplete, onboarding_missing_steps,
                                                     onboarding_rows)
from wxk_admin.enums import Category, ContactMethod, RecusalReason, Status, VoteChoice
from wxk_admin.models import Application, ExpertGroup, Message, Notice, Objection, Recusal, Vote, db

from ..support.consultation import (TODAY, actor, add_app, add_expert, audits, count, group_with, in_review,
                                        office, status_of, votes_of)
from ..support.helpers import redirect_target

HOME = "/admin/"


# ================================================================ 1. paper materials


def test_unit_and_office_mark_materials_and_bulk_received(client, world, profile):
    s = db.session
    complete = add_app(s, world, "完整", Status.office_confirmed)
    partial = add_app(s, world, "缺件", Status.office_confirmed)
    other_unit = add_app(s, world, "乙单位", Status.office_confirmed, unit="b")
    s.commit()
    item = partial.materials[0]

    # The unit admin marks what the unit received (their own unit only).
    client.login("admin_a")
    r = client.post("/admin/materials/mark/", {"item_id": item.id, "received": "1", "on": "2027-03-01",
                                               "by": "张三"}, token_from=HOME)
    assert redirect_target(r) == ("/admin/materials/", {})
    db.session.expire_all()
    assert item.unit_received_at == dt.date(2027, 3, 1) and item.unit_received_by == "张三"
    assert item.office_received_at is None
    r = client.post("/admin/materials/mark/", {"item_id": other_unit.materials[0].id, "received": "1"},
                    token_from=HOME)
    assert "申请不存在或无权访问" in r.get_data(as_text=True)
    db.session.expire_all()
    assert other_unit.materials[0].unit_received_at is None
    page = client.text("/admin/materials/?status=office_confirmed")
    assert "缺件" in page and "乙单位" not in page
    client.logout()

    client.login("office")
    r = client.post("/admin/materials/mark-all/", {"application_id": complete.id, "by": "李四"}, token_from=HOME)
    assert redirect_target(r) == ("/admin/materials/", {})
    db.session.expire_all()
    assert all(m.office_received_at == TODAY and m.office_received_by == "李四" for m in complete.materials)
    # Bulk 「材料已收齐」: the complete one moves, the one with missing items is refused with the items named.
    r = client.post("/admin/materials/received/", {"ids": [complete.id, partial.id]}, token_from=HOME,
                    follow_redirects=True)
    text = r.get_data(as_text=True)
    assert profile.say("会员处尚未收到") in text and partial.materials[1].name in text
    assert status_of(complete.id) == Status.materials_received
    assert status_of(partial.id) == Status.office_confirmed
    assert audits("material_mark") == 1 + len(complete.materials)
    assert audits("materials_received") == 1


def test_unit_admin_cannot_bulk_confirm_materials(client, world):
    app = add_app(db.session, world, "甲", Status.office_confirmed)
    for m in app.materials:
        m.office_received_at = TODAY
    db.session.commit()
    client.login("admin_a")
    r = client.post("/admin/materials/received/", {"ids": [app.id]}, token_from=HOME)
    assert r.status_code == 403
    assert status_of(app.id) == Status.office_confirmed


def test_missing_after_deadline_listed_and_exported(client, world):
    s = db.session
    late = add_app(s, world, "逾期者", Status.office_confirmed)
    done = add_app(s, world, "齐全者", Status.office_confirmed)
    for m in done.materials:
        m.office_received_at = TODAY
    s.commit()
    assert missing_after_deadline(s, office(world), world.cycle, today=world.cycle.materials_deadline) == []
    rows = missing_after_deadline(s, office(world), world.cycle,
                                  today=world.cycle.materials_deadline + dt.timedelta(days=1))
    names = {r.application.name for r in rows}
    # The world's submitted applications have no material either; the complete one is not listed.
    assert names == {"逾期者", "甲一", "乙一", "直报一"}
    assert len(next(r for r in rows if r.application.id == late.id).missing) == len(late.materials)

    world.cycle.materials_deadline = TODAY - dt.timedelta(days=1)
    s.commit()
    client.login("office")
    page = client.text("/admin/materials/missing/")
    assert "逾期者" in page and "齐全者" not in page
    r = client.get("/admin/materials/missing.xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    exported = {row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert exported == names


# ================================================================ 2. pool and groups


def test_pool_availability_by_term_category_and_account(world):
    s = db.session
    ok = add_expert(s, "e_ok", "小说,散文")
    by_code = add_expert(s, "e_code", "novel")
    add_expert(s, "e_ended", "小说", term_start=TODAY - dt.timedelta(days=1200), term_end=TODAY - dt.timedelta(days=1))
    prose = add_expert(s, "e_prose", "散文")
    add_expert(s, "e_off", "小说", active=False)
    s.commit()
    ids = [p.user_id for p in available_experts(s, Category.novel, TODAY)]
    assert ids == sorted([ok.id, by_code.id])
    assert [p.user_id for p in available_experts(s, Category.prose)] == sorted([ok.id, prose.id])
    # The pool is adjusted every three years: the ended term is available on a day inside it.
    assert len(available_experts(s, Category.novel, TODAY - dt.timedelta(days=30))) == 3


def test_random_draw_is_reproducible_from_its_seed(client, world):
    s = db.session
    experts = [add_expert(s, f"e{i}") for i in range(7)]
    s.commit()
    client.login("office")
    r = client.post("/admin/consultation/groups/create/", {"mode": "draw", "category": "novel", "n": "4",
                                                          "seed": "公证-2027"}, token_from=HOME)
    assert redirect_target(r) == ("/admin/consultation/groups/", {})
    group = s.scalar(select(ExpertGroup))
    members = sorted(m.expert_id for m in group.members)
    assert group.draw_seed == "公证-2027" and len(members) == 4
    assert members == reproduce_draw([e.id for e in experts], "公证-2027", 4)
    record = draw_record(s, group)
    assert record["reproduced"] and sorted(record["candidates"]) == sorted(e.id for e in experts)
    assert "公证-2027" in client.text("/admin/consultation/groups/")


def test_draw_more_than_available_and_second_group_refused(client, world):
    s = db.session
    for i in range(3):
        add_expert(s, f"e{i}")
    s.commit()
    client.login("office")
    r = client.post("/admin/consultation/groups/create/", {"mode": "draw", "category": "novel", "n": "5"},
                    token_from=HOME)
    assert r.status_code == 400 and "可用专家只有 3 名，不足 5 名" in r.get_data(as_text=True)
    assert count(ExpertGroup) == 0
    client.post("/admin/consultation/groups/create/", {"mode": "draw", "category": "novel", "n": "2"},
                token_from=HOME)
    r = client.post("/admin/consultation/groups/create/", {"mode": "draw", "category": "novel", "n": "1"},
                    token_from=HOME)
    assert "已有咨询组" in r.get_data(as_text=True)
    assert count(ExpertGroup) == 1


def test_manual_group_refuses_expert_out_of_term_or_category(world):
    s = db.session
    ok = add_expert(s, "ok")
    ended = add_expert(s, "ended", term_start=TODAY - dt.timedelta(days=1100), term_end=TODAY - dt.timedelta(days=5))
    poet = add_expert(s, "poet", "诗歌")
    s.commit()
    for bad in (ended, poet):
        with pytest.raises(Refused):
            create_group(s, office(world), world.cycle, Category.novel, [ok.id, bad.id])
        s.rollback()
    assert count(ExpertGroup) == 0
    group = create_group(s, office(world), world.cycle, Category.novel, [ok.id])
    assert [m.expert_id for m in group.members] == [ok.id]


# ================================================================ 3. assignment


def test_assign_by_category_moves_to_expert_review(client, world):
    s = db.session
    e = add_expert(s, "e1")
    group = group_with(s, world, [e])
    novel = add_app(s, world, "小说家", Status.materials_received)
    poet = add_app(s, world, "诗人", Status.materials_received, category=Category.poetry)
    s.commit()
    client.login("office")
    r = client.post("/admin/consultation/assign/", {"category": "novel"}, token_from=HOME)
    assert redirect_target(r) == ("/admin/consultation/assign/", {})
    db.session.expire_all()
    assert status_of(novel.id) == Status.expert_review and novel.expert_group_id == group.id
    assert status_of(poet.id) == Status.materials_received
    r = client.post("/admin/consultation/assign/", {"category": "poetry"}, token_from=HOME, follow_redirects=True)
    assert "该门类尚无咨询组" in r.get_data(as_text=True)
    assert status_of(poet.id) == Status.materials_received and poet.expert_group_id is None


# ================================================================ 4–5. recusal and votes


@pytest.fixture
def panel(world):
    """A group of five novel experts with two applications in review."""
    s = db.session
    experts = [add_expert(s, f"x{i}", full_name=f"专家{i}", work_unit="某出版社" if i == 0 else None,
                          relatives="亲戚乙" if i == 1 else None) for i in range(5)]
    outsider = add_expert(s, "outsider", full_name="组外专家")
    group = group_with(s, world, experts)
    a1 = in_review(s, world, "甲申请", group, employer_and_post="某出版社编辑")
    a2 = in_review(s, world, "亲戚乙", group)
    s.commit()
    return {"experts": experts, "outsider": outsider, "group": group, "a1": a1, "a2": a2, "world": world}


def test_expert_recusal_hides_the_application_and_blocks_the_vote(client, panel):
    a1, e0 = panel["a1"], panel["experts"][0]
    client.login("x0")
    assert "甲申请" in client.text("/admin/expert/")
    r = client.post("/admin/expert/recuse/", {"application_id": a1.id, "reason": "other", "note": ""},
                    token_from="/admin/expert/")
    assert r.status_code == 400 and "请填写说明" in r.get_data(as_text=True)
    assert count(Recusal) == 0
    r = client.post("/admin/expert/recuse/", {"application_id": a1.id, "reason": "relative", "note": "表亲"},
                    token_from="/admin/expert/")
    assert redirect_target(r) == ("/admin/expert/", {})
    rec = db.session.scalar(select(Recusal))
    assert (rec.application_id, rec.expert_id, rec.reason) == (a1.id, e0.id, RecusalReason.relative)
    assert "甲申请" not in client.text("/admin/expert/")
    r = client.get(f"/admin/expert/app/?id={a1.id}")
    assert redirect_target(r) == ("/admin/expert/", {})
    assert "申请不存在或您无权查看（已回避或不在本组）" in client.text("/admin/expert/")
    assert "甲申请" not in client.text(f"/admin/applications/details/?id={a1.id}", follow_redirects=True)
    r = client.post("/admin/expert/vote/", {"application_id": a1.id, "choice": "passed"},
                    token_from="/admin/expert/", follow_redirects=True)
    assert "您已对该申请回避，不能投票" in r.get_data(as_text=True)
    assert votes_of(a1.id) == 0
    # The majority base shrinks to the four others.
    t = tally(db.session, a1)
    assert (t.members, t.recused, t.eligible, t.needed) == (5, 1, 4, 3)


def test_vote_refusals_change_nothing(client, panel):
    a1, a2, group = panel["a1"], panel["a2"], panel["group"]
    client.login("x2")
    r = client.post("/admin/expert/vote/", {"application_id": a1.id, "choice": "passed", "note": "文笔扎实"},
                    token_from="/admin/expert/")
    assert redirect_target(r) == ("/admin/expert/", {})
    v = db.session.scalar(select(Vote))
    assert (v.choice, v.reading_note) == (VoteChoice.passed, "文笔扎实")
    # twice
    r = client.post("/admin/expert/vote/", {"application_id": a1.id, "choice": "failed"},
                    token_from="/admin/expert/")
    assert r.status_code == 400 and "不能重复投票" in r.get_data(as_text=True)
    db.session.expire_all()
    assert votes_of(a1.id) == 1 and db.session.scalar(select(Vote.choice)) == VoteChoice.passed
    # no choice
    r = client.post("/admin/expert/vote/", {"application_id": a2.id, "note": "保留意见"},
                    token_from="/admin/expert/")
    assert "请选择「通过」或「不通过」" in r.get_data(as_text=True) and "保留意见" in r.get_data(as_text=True)
    assert votes_of(a2.id) == 0
    client.logout()
    # an expert outside the group
    client.login("outsider")
    r = client.post("/admin/expert/vote/", {"application_id": a2.id, "choice": "passed"},
                    token_from="/admin/expert/", follow_redirects=True)
    assert "不是该申请所属咨询组的成员" in r.get_data(as_text=True)
    assert votes_of(a2.id) == 0
    client.logout()
    # after close
    group.vote_closed_at = dt.datetime(2027, 5, 1)
    db.session.commit()
    client.login("x3")
    r = client.post("/admin/expert/vote/", {"application_id": a2.id, "choice": "passed"},
                    token_from="/admin/expert/")
    assert "投票已截止" in r.get_data(as_text=True)
    assert votes_of(a2.id) == 0
    # office and unit admins cannot vote at all
    client.logout()
    client.login("office")
    assert client.post("/admin/expert/vote/", {"application_id": a2.id, "choice": "passed"},
                       token_from=HOME).status_code == 403
    assert votes_of(a2.id) == 0


# 002 第三条(三)2 「本组专家投票过半数方为通过」: more than half of the non-recused members.
MAJORITY = [
    # members, recused, pass votes, fail votes, outcome
    (5, 1, 3, 1, Status.expert_passed),   # 3 of 4: more than half
    (5, 1, 2, 2, Status.expert_failed),   # 2 of 4 is not more than half
    (5, 0, 3, 0, Status.expert_passed),   # 3 of 5 (two did not vote: they still count)
    (5, 0, 2, 3, Status.expert_failed),
    (4, 0, 2, 2, Status.expert_failed),   # 2 of 4
    (3, 1, 1, 1, Status.expert_failed),   # 1 of 2
    (3, 1, 2, 0, Status.expert_passed),   # 2 of 2
    (1, 0, 1, 0, Status.expert_passed),
]


@pytest.mark.parametrize("members,recused,yes,no,outcome", MAJORITY)
def test_majority_rule_with_recusals(world, members, recused, yes, no, outcome):
    s = db.session
    experts = [add_expert(s, f"m{i}") for i in range(members)]
    group = group_with(s, world, experts)
    app = in_review(s, world, "表决对象", group)
    s.commit()
    for e in experts[:recused]:
        declare_recusal(s, actor(e), app.id, "relative", "亲属")
    voters = experts[recused:]
    for e in voters[:yes]:
        cast_vote(s, actor(e), app.id, "passed")
    for e in voters[yes:yes + no]:
        cast_vote(s, actor(e), app.id, "failed")
    s.commit()
    close_vote(s, office(world), group)
    s.commit()
    assert status_of(app.id) == outcome
    assert group.vote_closed_at is not None


def test_close_vote_over_http_and_refusals(client, panel, profile):
    s = db.session
    a1, a2, group, experts = panel["a1"], panel["a2"], panel["group"], panel["experts"]
    for e in experts[:3]:
        cast_vote(s, actor(e), a1.id, "passed", note=f"{e.username}意见")
    cast_vote(s, actor(experts[0]), a2.id, "passed")
    s.commit()
    client.login("office")
    page = client.text(f"/admin/consultation/votes/?group={group.id}")
    row = page[page.index(f'id="tally-{a1.id}"'):]
    row = row[:row.index("</tr>")]
    assert "已投票 3/5" in row  # how many have voted while open: no counts, no names (issue 13.2a)
    assert "专家3" not in row and "尚未投票" not in page and "x0意见" not in page
    r = client.post("/admin/consultation/votes/close/", {"group_id": group.id}, token_from=HOME)
    assert redirect_target(r) == ("/admin/consultation/votes/", {"group": [str(group.id)]})
    assert status_of(a1.id) == Status.expert_passed and status_of(a2.id) == Status.expert_failed
    failed_msg = s.scalar(select(Message).where(Message.application_id == a2.id))
    assert failed_msg is not None and profile.say("专家咨询未通过") in failed_msg.body
    r = client.post("/admin/consultation/votes/close/", {"group_id": group.id}, token_from=HOME)
    assert "该组投票已截止" in r.get_data(as_text=True)
    assert audits("vote_close") == 1


def test_close_refused_when_everyone_recused(world):
    s = db.session
    e = add_expert(s, "solo")
    group = group_with(s, world, [e])
    app = in_review(s, world, "全回避", group)
    s.commit()
    declare_recusal(s, actor(e), app.id, "relative")
    s.commit()
    with pytest.raises(Refused, match="全部回避"):
        close_vote(s, office(world), group)
    s.rollback()
    assert status_of(app.id) == Status.expert_review and group.vote_closed_at is None


def test_possible_conflicts_flagged_and_office_records_recusal(client, panel):
    s = db.session
    flags = possible_conflicts(s, office(panel["world"]), panel["group"])
    found = {(f.application.name, f.expert.username) for f in flags}
    assert found == {("甲申请", "x0"), ("亲戚乙", "x1")}
    # The office confirms one; a vote already cast by that expert is discarded.
    cast_vote(s, actor(panel["experts"][1]), panel["a2"].id, "passed")
    s.commit()
    client.login("office")
    page = client.text(f"/admin/consultation/votes/?group={panel['group'].id}")
    assert "姓名与专家所列直系亲属相同" in page
    r = client.post("/admin/consultation/recusal/", {"application_id": panel["a2"].id,
                                                     "expert_id": panel["experts"][1].id, "reason": "relative",
                                                     "note": "核实为亲属", "group_id": panel["group"].id},
                    token_from=HOME)
    assert redirect_target(r) == ("/admin/consultation/votes/", {"group": [str(panel["group"].id)]})
    assert votes_of(panel["a2"].id) == 0 and count(Recusal) == 1
    assert {(f.application.name, f.expert.username) for f in possible_conflicts(s, office(panel["world"]), panel["group"])} == {
        ("甲申请", "x0")}
    # outsider cannot be recorded
    r = client.post("/admin/consultation/recusal/", {"application_id": panel["a2"].id,
                                                     "expert_id": panel["outsider"].id, "reason": "other"},
                    token_from=HOME)
    assert "不在此申请的咨询组内" in r.get_data(as_text=True)
    assert count(Recusal) == 1


def test_the_group_pages_read_the_actors_rows(panel):
    """Issue 19.1: the vote monitor and the possible conflicts read a group's applications through the actor's
    scope (access) — the office and 纪检监察 every one, a unit admin (never shown these pages) only its unit's, an
    expert outside the group none."""
    s, world, group = db.session, panel["world"], panel["group"]
    in_review(s, world, "乙单位申请", group, unit="b", employer_and_post="某出版社编辑")
    s.commit()
    everyone = {"甲申请", "亲戚乙", "乙单位申请"}
    for watcher in ("office", "supervisor"):
        assert {a.name for a, _ in vote_monitor(s, actor(world.users[watcher]), group)} == everyone, watcher
    assert {a.name for a, _ in vote_monitor(s, actor(world.users["admin_b"]), group)} == {"乙单位申请"}
    assert vote_monitor(s, actor(panel["outsider"]), group) == []
    assert {(f.application.name, f.expert.username) for f in possible_conflicts(s, office(world), group)} == {
        ("甲申请", "x0"), ("亲戚乙", "x1"), ("乙单位申请", "x0")}
    assert {f.application.name for f in possible_conflicts(s, actor(world.users["admin_b"]), group)} == {
        "乙单位申请"}


# ================================================================ 6. secretariat


SECRETARIAT = [
    # present, for, against, abstain, outcome (None = refused)
    (20, 11, 5, 4, Status.secretariat_approved),
    (20, 10, 10, 0, Status.secretariat_rejected),   # exactly half is not more than half
    (21, 11, 0, 0, Status.secretariat_approved),
    (20, 12, 6, 3, None),                            # 21 votes, 20 present
    (0, 0, 0, 0, None),
]


@pytest.mark.parametrize("present,yes,no,abstain,outcome", SECRETARIAT)
def test_secretariat_tally(client, world, present, yes, no, abstain, outcome):
    app = add_app(db.session, world, "拟发展", Status.expert_passed)
    db.session.commit()
    client.login("office")
    r = client.post("/admin/consultation/secretariat/", {"application_id": app.id, "present": present,
                                                         "in_favour": yes, "against": no, "abstain": abstain},
                    token_from=HOME)
    db.session.expire_all()
    if outcome is None:
        assert r.status_code == 400
        assert status_of(app.id) == Status.expert_passed
        assert app.secretariat_present is None and app.secretariat_for is None
        assert str(present) in r.get_data(as_text=True)  # the form is re-shown with what was typed
    else:
        assert redirect_target(r) == ("/admin/consultation/secretariat/", {})
        assert status_of(app.id) == outcome
        assert (app.secretariat_present, app.secretariat_for, app.secretariat_against,
                app.secretariat_abstain) == (present, yes, no, abstain)


def test_secretariat_does_not_nominate_others(world):
    app = add_app(db.session, world, "未经专家", Status.materials_received)
    db.session.commit()
    with pytest.raises(Refused, match="不另行提名"):
        record_secretariat(db.session, office(world), app.id, present=10, in_favour=10, against=0, abstain=0)


# ================================================================ 7. notice and objections


def test_notice_one_week_objection_upheld_and_close(client, world, profile):
    s = db.session
    a = add_app(s, world, "公示甲", Status.secretariat_approved)
    b = add_app(s, world, "公示乙", Status.secretariat_approved)
    s.commit()
    client.login("office")
    start = TODAY
    r = client.post("/admin/consultation/notice/open/", {"starts_on": start.isoformat(),
                                                         "ends_on": (start + dt.timedelta(days=6)).isoformat()},
                    token_from=HOME)
    assert r.status_code == 400 and "公示时间为一周" in r.get_data(as_text=True)
    assert count(Notice) == 0 and status_of(a.id) == Status.secretariat_approved
    r = client.post("/admin/consultation/notice/open/", {"starts_on": start.isoformat(), "confirm": "1"},
                    token_from=HOME)
    assert redirect_target(r) == ("/admin/consultation/notice/", {})
    notice = s.scalar(select(Notice))
    assert notice.ends_on == start + dt.timedelta(days=7)
    assert status_of(a.id) == Status.on_notice and status_of(b.id) == Status.on_notice

    url = "/admin/consultation/notice/objection/"
    client.post(url, {"op": "record", "application_id": a.id, "reporter": "读者", "content": "作品涉嫌抄袭"},
                token_from=HOME)
    obj = s.scalar(select(Objection))
    r = client.post(url, {"op": "decide", "objection_id": obj.id, "upheld": "1"}, token_from=HOME)
    assert profile.say("请先登记会员处核查情况") in r.get_data(as_text=True)
    assert status_of(a.id) == Status.on_notice
    # Closing with an undecided objection, and before the week is over, is refused.
    r = client.post("/admin/consultation/notice/close/", {"notice_id": notice.id}, token_from=HOME)
    assert "尚未期满" in r.get_data(as_text=True)
    client.post(url, {"op": "check", "objection_id": obj.id, "check_note": "经比对属实"}, token_from=HOME)
    client.post(url, {"op": "decide", "objection_id": obj.id, "upheld": "1"}, token_from=HOME)
    db.session.expire_all()
    assert status_of(a.id) == Status.disqualified and obj.upheld is True
    assert s.get(Application, a.id).disqualify_reason == profile.say(UPHELD_OPINION)  # what was reported stays with the office

    with pytest.raises(Refused, match="尚未期满"):
        close_notice(s, office(world), notice, today=notice.ends_on - dt.timedelta(days=1))
    close_notice(s, office(world), notice, today=notice.ends_on)
    s.commit()
    assert status_of(b.id) == Status.admitted and status_of(a.id) == Status.disqualified
    assert notice.closed_at is not None
    r = client.post("/admin/consultation/notice/close/", {"notice_id": notice.id, "op": "publish"},
                    token_from=HOME)
    assert redirect_target(r) == ("/admin/consultation/notice/", {})
    db.session.expire_all()
    assert s.get(Notice, notice.id).published_at is not None


def test_close_refused_with_undecided_objection(world):
    s = db.session
    a = add_app(s, world, "待认定", Status.secretariat_approved)
    s.commit()
    notice = open_notice(s, office(world), world.cycle, TODAY - dt.timedelta(days=8))
    record_objection(s, office(world), a.id, None, "学历造假")
    s.commit()
    with pytest.raises(Refused, match="异议尚未认定"):
        close_notice(s, office(world), notice)
    s.rollback()
    assert status_of(a.id) == Status.on_notice


def test_objection_not_upheld_then_admitted(world):
    s = db.session
    a = add_app(s, world, "不成立", Status.secretariat_approved)
    s.commit()
    notice = open_notice(s, office(world), world.cycle, TODAY - dt.timedelta(days=7))
    obj = record_objection(s, office(world), a.id, "匿名", "反映问题")
    check_objection(s, office(world), obj.id, "核查不属实")
    decide_objection(s, office(world), obj.id, False)
    close_notice(s, office(world), notice)
    s.commit()
    assert status_of(a.id) == Status.admitted


# ================================================================ 8. onboarding


def test_onboarding_incomplete_in_sql_says_what_the_missing_steps_say(world):
    """The dashboard counts and the 未办完 page filters by the SQL condition; the page lists the steps by
    onboarding_missing_steps — for each of the 16 combinations of done steps (a box never ticked is NULL) the two
    agree."""
    import itertools

    s = db.session
    apps = {}
    for done in itertools.product((False, True), repeat=4):
        notified, form, photos, dues = done
        apps[done] = add_app(s, world, f"新会员{''.join('1' if d else '0' for d in done)}", Status.admitted,
                             notified_at=dt.datetime(2027, 8, 1) if notified else None,
                             registration_form_done=form or None, photos_received=photos if photos else None,
                             dues_paid=dues)
    s.commit()
    incomplete = set(s.scalars(select(Application.id).where(Application.id.in_([a.id for a in apps.values()]),
                                                            onboarding_incomplete())))
    assert incomplete == {a.id for done, a in apps.items() if not all(done)}
    assert {a.id for a in apps.values() if onboarding_missing_steps(a)} == incomplete
    assert len(incomplete) == 15


def test_onboarding_contact_and_checklist(client, world):
    s = db.session
    a = add_app(s, world, "新会员甲", Status.admitted)
    add_app(s, world, "新会员乙", Status.admitted)
    s.commit()
    client.login("office")
    r = client.post("/admin/consultation/onboarding/", {"op": "contact", "application_id": a.id, "via": "sms",
                                                        "on": "2027-08-01"}, token_from=HOME)
    assert redirect_target(r) == ("/admin/consultation/onboarding/", {})
    client.post("/admin/consultation/onboarding/", {"op": "steps", "application_id": a.id,
                                                    "registration_form_done": "1", "photos_received": "1",
                                                    "dues_paid": "1"}, token_from=HOME)
    db.session.expire_all()
    a = s.get(Application, a.id)
    assert a.notified_via == ContactMethod.sms and a.notified_at.date() == dt.date(2027, 8, 1)
    assert a.notified_by_id == world.users["office"].id
    assert a.registration_form_done and a.photos_received and a.dues_paid
    rows = onboarding_rows(s, office(world), world.cycle, only_missing=True)
    assert [(r[0].name, r[1]) for r in rows] == [("新会员乙", ["电话/短信告知", "会员登记表", "照片", "会费"])]
    page = client.text("/admin/consultation/onboarding/?missing=1")
    assert "新会员乙" in page and "新会员甲" not in page
    # only admitted people have onboarding
    c = add_app(s, world, "公示中", Status.on_notice)
    s.commit()
    r = client.post("/admin/consultation/onboarding/", {"op": "contact", "application_id": c.id, "via": "phone"},
                    token_from=HOME)
    assert "只有已公布入会" in r.get_data(as_text=True)
    db.session.expire_all()
    assert s.get(Application, c.id).notified_at is None


# ================================================================ 9. disqualification


@pytest.mark.parametrize("state", [Status.submitted, Status.office_confirmed, Status.expert_review,
                                   Status.secretariat_approved, Status.on_notice])
def test_disqualify_from_any_live_state(client, world, state):
    app = add_app(db.session, world, "违纪者", state)
    db.session.commit()
    client.login("office")
    r = client.post("/admin/consultation/disqualify/", {"application_id": app.id, "detail": ""}, token_from=HOME,
                    follow_redirects=True)
    assert "取消申请资格必须填写原因" in r.get_data(as_text=True)
    assert status_of(app.id) == state
    client.post("/admin/consultation/disqualify/", {"application_id": app.id, "reasons": "抄袭、剽窃",
                                                    "detail": "与他人作品雷同"}, token_from=HOME)
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert app.status == Status.disqualified and app.disqualify_reason == "抄袭、剽窃；与他人作品雷同"
    msg = db.session.scalar(select(Message).where(Message.application_id == app.id,
                                                  Message.recipient_id == app.applicant_id))
    assert msg is not None and "与他人作品雷同" in msg.body
    assert audits("disqualify") == 1


def test_disqualify_refused_for_closed_state_and_unit_admin(client, world):
    done = add_app(db.session, world, "已入会", Status.admitted)
    live = add_app(db.session, world, "在审", Status.submitted)
    db.session.commit()
    client.login("office")
    r = client.post("/admin/consultation/disqualify/", {"application_id": done.id, "detail": "抄袭"},
                    token_from=HOME, follow_redirects=True)
    assert "不能执行「取消申请资格」" in r.get_data(as_text=True)
    assert status_of(done.id) == Status.admitted
    client.logout()
    client.login("admin_a")
    r = client.post("/admin/consultation/disqualify/", {"application_id": live.id, "detail": "抄袭"},
                    token_from=HOME)
    assert r.status_code == 403
    assert status_of(live.id) == Status.submitted


def test_office_pages_render(client, panel, world):
    client.login("office")
    for url in ("/admin/consultation/groups/", "/admin/consultation/assign/", "/admin/consultation/votes/",
                "/admin/consultation/secretariat/", "/admin/consultation/notice/", "/admin/consultation/onboarding/",
                "/admin/materials/", "/admin/materials/missing/", "/admin/experts/"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "专家" in r.get_data(as_text=True) or "材料" in r.get_data(as_text=True)
    # unit admins and experts do not reach the office's pages
    client.logout()
    client.login("admin_a")
    assert client.get("/admin/consultation/votes/").status_code == 403
    assert client.get("/admin/experts/").status_code == 403


def test_details_panel_tally_for_office_only(client, panel):
    s = db.session
    a1 = panel["a1"]
    cast_vote(s, actor(panel["experts"][2]), a1.id, "passed", "面板秘密意见")
    s.commit()
    client.login("office")
    page = client.text(f"/admin/applications/details/?id={a1.id}")
    assert 'id="panel-consultation"' in page
    assert "已投票 1/5" in page and "面板秘密意见" not in page
    assert "通过 1，" not in page  # no running tally while the group's vote is open (issue 13.2a)
    assert 'id="disqualify-form"' in page
    client.logout()
    client.login("admin_a")
    page = client.text(f"/admin/applications/details/?id={a1.id}")
    assert 'id="panel-consultation"' in page and 'id="panel-materials"' in page
    assert "通过 1" not in page and 'id="disqualify-form"' not in page
