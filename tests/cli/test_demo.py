"""Issue 13 point 8: the demo tells one consistent story — every status reached by the real domain functions,
with its history and its objects, and every demo account able to take its next step."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from wxk_admin.domain import applying
from wxk_admin.cli import demo
from wxk_admin.enums import Eligibility, Status
from wxk_admin.forms import ApplicationForm, multidict
from wxk_admin.models import (Application, AuditEvent, Cycle, ExpertGroup, Message, Notice, Objection, Recusal, User,
                              Vote, db)

from ..support.helpers import Client, redirect_target

EXPERT_STAGES = {Status.expert_review, Status.expert_passed, Status.expert_failed, Status.secretariat_approved,
                 Status.secretariat_rejected, Status.on_notice, Status.admitted}
BEFORE_THE_UNIT = {Status.draft, Status.submitted, Status.rejected}


def test_demo_tells_one_story_and_every_account_can_take_its_next_step(app, ctx, profile):
    demo.load(db.session, profile=profile)  # the deployment's world (wxk demo's)
    db.session.expire_all()
    _assert_invariants()
    _assert_next_steps(app)


def _history(app_id: int) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == app_id)
                              .order_by(AuditEvent.created_at, AuditEvent.id)).all()


def _assert_invariants() -> None:
    today = dt.date.today()
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    cycle = db.session.scalar(select(Cycle).where(Cycle.is_current.is_(True)))
    apps = db.session.scalars(select(Application).where(Application.cycle_id == cycle.id)).all()
    assert {a.status for a in apps} == set(Status)

    for a in apps:
        who = f"{a.name}（{Status(a.status).label}）"
        # The (new) ID rule and 出生日期, as the form checks them.
        problems = applying.format_problems({"id_number": a.id_number, "birth_date": a.birth_date}, today)
        assert not problems, (who, a.id_number, dict(problems))
        if a.status == Status.draft:
            assert a.submitted_at is None and not _history(a.id), who
            continue
        # Submitted inside the cycle's filling window, never in the future.
        assert cycle.fill_start <= a.submitted_at.date() <= min(cycle.fill_end, today), (who, a.submitted_at)
        assert not applying.required_problems(applying.application_values(a), direct_route=a.unit_id is None), who
        # A history that starts with the submission and walks, transition by transition, to today's status.
        history = _history(a.id)
        assert history[0].action == "submit", (who, [e.action for e in history])
        steps = [e for e in history if e.to_state]
        assert steps[0].from_state == Status.draft.value
        for before, after in zip(steps, steps[1:]):
            assert after.from_state == before.to_state, (who, [(e.from_state, e.to_state) for e in steps])
        assert steps[-1].to_state == Status(a.status).value, who
        assert all(cycle.fill_start <= e.created_at.date() and e.created_at <= now for e in history), who
        # 不符合条件 never goes past the unit.
        if a.eligibility == Eligibility.not_eligible:
            assert a.status in BEFORE_THE_UNIT, who
        if a.status == Status.rejected:
            told = db.session.scalars(select(Message.body).where(Message.recipient_id == a.applicant_id,
                                                                 Message.application_id == a.id)).all()
            assert any(a.reject_reasons in body for body in told), (who, told)
        if a.status in EXPERT_STAGES:
            group = db.session.get(ExpertGroup, a.expert_group_id) if a.expert_group_id else None
            assert group is not None and group.category == a.category, who
            assert (group.vote_closed_at is None) == (a.status == Status.expert_review), who
        if a.status == Status.on_notice:
            notice = db.session.get(Notice, a.notice_id) if a.notice_id else None
            assert notice is not None and notice.closed_at is None and notice.starts_on <= today <= notice.ends_on, who
        if a.status == Status.admitted:
            notice = db.session.get(Notice, a.notice_id)
            assert notice.closed_at is not None and notice.published_at is not None, who

    # Serial numbers: gap-free, in the order the office confirmed.
    numbered = sorted((a for a in apps if a.serial_seq), key=lambda a: a.serial_seq)
    assert [a.serial_seq for a in numbered] == list(range(1, len(numbered) + 1)) == list(
        range(1, cycle.serial_counter + 1))
    assert [a.office_confirmed_at for a in numbered] == sorted(a.office_confirmed_at for a in numbered)
    # The objects of the later stages: recusals, secret votes, an upheld and a pending objection.
    assert db.session.scalar(select(Recusal.id).limit(1)) is not None
    assert db.session.scalar(select(Vote.id).limit(1)) is not None
    objections = db.session.scalars(select(Objection)).all()
    assert {o.upheld for o in objections} == {True, False, None}


def _form_data(application: Application, app) -> dict:
    """What the applicant's form posts for a stored application (as the browser would send it)."""
    with app.test_request_context():
        return multidict(ApplicationForm.for_application(application, empty_rows=False).raw())


def _login(app, username: str) -> Client:
    client = Client(app.test_client())
    assert redirect_target(client.login(username)) == ("/admin/", {}), username
    return client


def _fresh(app_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, app_id)


def _assert_next_steps(app) -> None:
    users = {u.username: u for u in db.session.scalars(select(User))}
    apps = db.session.scalars(select(Application)).all()

    def of(status, **where):
        return [a for a in apps if a.status == status and all(getattr(a, k) == v for k, v in where.items())]

    # The public site: the notice now open and the published new members, by name.
    notice_page = Client(app.test_client()).text("/public/notice/")
    assert all(a.name in notice_page for a in of(Status.on_notice))
    members_page = Client(app.test_client()).text("/public/members/")
    assert of(Status.admitted) and all(a.name in members_page for a in of(Status.admitted))

    # Each unit admin has applications of its unit to confirm; unit_bj confirms one.
    for username in ("unit_bj", "unit_js", "unit_rail"):
        assert of(Status.submitted, unit_id=users[username].unit_id), username
    unit_bj = _login(app, "unit_bj")
    target = next(a for a in of(Status.submitted, unit_id=users["unit_bj"].unit_id)
                  if a.eligibility != Eligibility.not_eligible and not a.cip_flagged)
    url = f"/admin/applications/transition/?id={target.id}&name=unit_confirm"
    unit_bj.post(url, {"opinion": "团体会员确认信息", "confirmed": "1", "version": target.version}, token_from=url)
    assert _fresh(target.id).status == Status.unit_confirmed

    # The office numbers the next application (the number after the last one given).
    office = _login(app, "office")
    target = of(Status.unit_confirmed)[0]
    cycle = db.session.get(Cycle, target.cycle_id)
    expected = f"{cycle.year}-{cycle.serial_counter + 1:06d}"
    url = f"/admin/applications/transition/?id={target.id}&name=office_confirm"
    office.post(url, {"opinion": "会员处确认", "confirmed": "1", "version": target.version}, token_from=url)
    assert _fresh(target.id).serial_no == expected
    # … and has each later stage waiting: paper to record, a group voting, the secretariat, the notice's
    # pending objection, onboarding.
    for status in (Status.office_confirmed, Status.materials_received, Status.expert_review, Status.expert_passed,
                   Status.secretariat_approved):
        assert of(status), status
    secretariat = office.text("/admin/consultation/secretariat/")
    assert all(a.name in secretariat for a in of(Status.expert_passed))
    onboarding = office.text("/admin/consultation/onboarding/")
    assert all(a.name in onboarding for a in of(Status.admitted))
    pending = db.session.scalar(select(Objection).where(Objection.check_note.is_(None)))
    office.post("/admin/consultation/notice/objection/",
                {"op": "check", "objection_id": pending.id, "check_note": "已约谈本人并调阅原刊"},
                token_from="/admin/consultation/notice/")
    db.session.expire_all()
    assert db.session.get(Objection, pending.id).check_note == "已约谈本人并调阅原刊"

    # Each expert has applications of an open vote not yet voted on; expert1 votes on one.
    open_votes = {}
    for username in ("expert1", "expert2", "expert3"):
        listed = _login(app, username).text("/admin/expert/")
        open_votes[username] = [a for a in of(Status.expert_review) if f'/admin/expert/app/?id={a.id}"' in listed
                                and db.session.scalar(select(Vote.id).where(
                                    Vote.application_id == a.id, Vote.expert_id == users[username].id)) is None]
        assert open_votes[username], username
    chosen = open_votes["expert1"][0]
    _login(app, "expert1").post("/admin/expert/vote/", {"application_id": chosen.id, "choice": "passed"},
                                token_from=f"/admin/expert/app/?id={chosen.id}")
    assert db.session.scalar(select(Vote.id).where(Vote.application_id == chosen.id,
                                                   Vote.expert_id == users["expert1"].id)) is not None

    # The demo applicant's draft is complete: he submits it as it is.
    applicant = _login(app, "applicant")
    draft = of(Status.draft, applicant_id=users["applicant"].id)[0]
    assert "草稿" in applicant.text("/admin/my-application/")
    form = f"/admin/my-application/form/?id={draft.id}"
    applicant.post(form, {**_form_data(draft, app), "action": "submit", "version": draft.version},
                   token_from=form)
    assert _fresh(draft.id).status == Status.submitted

    # applicant_js was rejected: the reason in a 站内信 and on the home page; she resubmits.
    js = _login(app, "applicant_js")
    rejected = of(Status.rejected, applicant_id=users["applicant_js"].id)[0]
    home = js.text("/admin/my-application/")
    assert "已驳回" in home and "CIP 中图分类号不属文学类" in home
    assert "您的入会申请已被驳回" in js.text("/admin/inbox/")
    form = f"/admin/my-application/form/?id={rejected.id}"
    js.post(form, {**_form_data(rejected, app), "action": "submit", "version": rejected.version}, token_from=form)
    assert _fresh(rejected.id).status == Status.submitted

    # The direct applicant waits for the office's first review, which the office has in its list.
    assert of(Status.submitted, applicant_id=users["applicant_direct"].id, unit_id=None)
    office_short = app.extensions["wxk_profile"].names.office_short  # 会员处 / 联络部 (协会配置)
    assert f"待{office_short}审核" in _login(app, "applicant_direct").text("/admin/my-application/")
