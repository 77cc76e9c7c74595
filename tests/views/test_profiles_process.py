"""Issue 16 — the same process on both profiles: one applicant's whole way over HTTP on a national and a Jiangsu
deployment (``app`` of test_profiles_walk, parametrized by profile, SQLite only): submit → 团体会员确认 →
会员处 / 联络部确认 and number → paper materials → group, assignment, secret votes → 书记处 → 公示 → 公布 →
入会手续, with the deployment's own units, 门类, calendar and words at each step; no page on the way names the
other association (002 第一条(一)2 units, 第三条(一)1 纪实报告文学, 第三条(三)–(七)).
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from wxk_admin.enums import STATUS_BADGE, Category, Status, Track
from wxk_admin.models import Application, Message, Notice, db

from ..support.applicant import VALID, application_of, cip_record, new_applicant, post_form
from ..support.consultation import add_expert
from .test_profiles_walk import FOREIGN, app  # noqa: F401  (a deployment of each profile)
from .test_profiles_walk import world as profile_world  # noqa: F401

HOME = "/admin/"
TODAY = dt.date.today()


class Visits:
    """A client whose every page is kept, so the journey can say which page named the other association."""

    def __init__(self, client, foreign):
        self.client, self.foreign, self.found = client, foreign, []

    def seen(self, url, response):
        text = response.get_data(as_text=True)
        self.found += [f"{url}「{text[max(text.index(w) - 12, 0):text.index(w) + 12]}」" for w in self.foreign
                       if w in text]
        return text

    def get(self, url):
        response = self.client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        return self.seen(url, response)

    def post(self, url, data, token_from=HOME):
        response = self.client.post(url, data, token_from=token_from, follow_redirects=True)
        return response, self.seen(url, response)


def status(app_id) -> Status:
    db.session.expire_all()
    return db.session.get(Application, app_id).status


def test_whole_process_in_the_associations_units_categories_and_words(app, client, profile_world):  # noqa: F811
    profile = app.extensions["wxk_profile"]
    office, say = profile.names.office_short, profile.say
    world = profile_world
    # The deployment's own group members: 南京市作家协会 and 苏州市作家协会 in Jiangsu.
    unit_a, unit_b = (next(u for u in profile.units if u.code == code) for code in profile.story_units[:2])
    world.unit_a.name, world.unit_b.name = unit_a.name, unit_b.name
    category = profile.category_label("reportage")
    assert category == "纪实报告文学"
    cip_record()
    zhang = new_applicant(unit=world.unit_a)
    visits = Visits(client, FOREIGN[profile.code])

    # 1. The applicant submits in the association's 门类.
    client.login("zhang")
    form = visits.get("/admin/my-application/form/")
    assert re.search(rf'<option[^>]*value="reportage"[^>]*>{category}</option>', form)
    post_form(client, {**VALID, "category": "reportage"}, "submit")
    application = application_of(zhang)
    assert application.status == Status.submitted and application.unit_id == world.unit_a.id
    assert "待团体会员审核" in visits.get("/admin/my-application/")

    # 2. The unit admin sees it under their unit's name and confirms.
    client.login("admin_a")
    listing = visits.get("/admin/applications/")
    assert "张晓河" in listing and category in listing
    r, page = visits.post(f"/admin/applications/transition/?id={application.id}&name=unit_confirm",
                          {"id": application.id, "name": "unit_confirm", "opinion": "", "confirmed": "1"})
    assert "已确认信息：张晓河，当前状态「团体会员已确认」" in page
    assert status(application.id) == Status.unit_confirmed
    details = visits.get(f"/admin/applications/details/?id={application.id}")
    assert unit_a.name in details and f"<th>门类</th><td>{category}</td>" in details

    # 3. The office confirms and numbers; the applicant is told by the office's name.
    client.login("office")
    visits.post(f"/admin/applications/transition/?id={application.id}&name=office_confirm",
                {"id": application.id, "name": "office_confirm", "opinion": f"{office}确认", "confirmed": "1"})
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status == Status.office_confirmed and application.serial_no == f"{world.cycle.year}-000001"
    message = db.session.scalars(select(Message).where(Message.recipient_id == zhang.id)
                                 .order_by(Message.id.desc())).first()
    assert message.subject == f"您的入会申请已经{office}确认" and application.serial_no in message.body
    details = visits.get(f"/admin/applications/details/?id={application.id}")
    assert f'class="badge badge-{STATUS_BADGE[Status.office_confirmed]}">{office}已确认<' in details
    # The checklist asks for the association's materials (Jiangsu: 一式两份, 2张两寸证件照).
    assert [m.name for m in application.materials] == list(profile.materials)

    # 4. Paper materials all in.
    visits.post("/admin/materials/mark-all/", {"application_id": application.id, "by": "收件人"})
    visits.post("/admin/materials/received/", {"ids": [application.id]})
    assert status(application.id) == Status.materials_received

    # 5. A group drawn for 纪实报告文学 from the pool, assignment, secret votes, close.
    experts = [add_expert(db.session, f"rx{i}", category, full_name=f"评委{i}") for i in range(3)]
    db.session.commit()
    groups = visits.get("/admin/consultation/groups/")
    assert f"从{profile.review.expert_pool}中遴选" in groups
    visits.post("/admin/consultation/groups/create/", {"mode": "draw", "category": "reportage", "n": "3",
                                                       "seed": "抽签-1"})
    visits.post("/admin/consultation/assign/", {"category": "reportage"})
    assert status(application.id) == Status.expert_review
    assert f">{say('专家咨询中')}<" in visits.get(f"/admin/applications/details/?id={application.id}")
    for expert in experts:
        client.login(expert.username)
        assert "张晓河" in visits.get("/admin/expert/")
        visits.post("/admin/expert/vote/", {"application_id": application.id, "choice": "passed"},
                    token_from="/admin/expert/")
    client.login("office")
    group_id = db.session.get(Application, application.id).expert_group_id
    assert "已投票 3/3" in visits.get(f"/admin/consultation/votes/?group={group_id}")
    visits.post("/admin/consultation/votes/close/", {"group_id": group_id})
    assert status(application.id) == Status.expert_passed

    # 6. 书记处 approves by majority.
    visits.post("/admin/consultation/secretariat/", {"application_id": application.id, "present": 15,
                                                     "in_favour": 12, "against": 2, "abstain": 1})
    assert status(application.id) == Status.secretariat_approved

    # 7. 公示 one week, on the association's site; the public notice lists the applicant and the unit.
    visits.post("/admin/consultation/notice/open/", {"starts_on": TODAY.isoformat(), "confirm": "1"})
    assert status(application.id) == Status.on_notice
    notice_page = visits.get("/public/notice/")
    assert f"<h2>{profile.public.notice}</h2>" in notice_page and "张晓河" in notice_page
    assert unit_a.name in notice_page and category in notice_page
    notice = db.session.scalar(select(Notice))
    notice.starts_on, notice.ends_on = TODAY - dt.timedelta(days=7), TODAY  # the week is over
    db.session.commit()
    visits.post("/admin/consultation/notice/close/", {"notice_id": notice.id})
    assert status(application.id) == Status.admitted
    visits.post("/admin/consultation/notice/close/", {"notice_id": notice.id, "op": "publish"})
    members = visits.get("/public/members/")
    assert f"<h2>{profile.public.members}</h2>" in members and f"在{profile.names.site}同步公布" in members
    assert "张晓河" in members and unit_a.name in members

    # 8. The office tells the new member by phone or SMS (002 第三条(七)) and follows the formalities.
    onboarding = visits.get("/admin/consultation/onboarding/")
    assert f"{profile.notification_admitted}：填写会员登记表" in onboarding and "张晓河" in onboarding
    visits.post("/admin/consultation/onboarding/", {"op": "contact", "application_id": application.id,
                                                    "via": "sms", "on": TODAY.isoformat()})
    db.session.expire_all()
    assert db.session.get(Application, application.id).notified_at is not None

    # The applicant's own pages and messages, at the end, in the association's words.
    client.login("zhang")
    visits.get("/admin/my-application/")
    visits.get("/admin/inbox/")
    assert not visits.found, "\n".join(visits.found)


def test_rejection_and_return_are_told_in_the_associations_words(app, client, profile_world):  # noqa: F811
    """驳回 reaches the applicant, 退回 reaches the unit's admin, each naming the office as the association does;
    the resubmitted application goes back to the unit (002 第三条(四): 联络部 checks the units' confirmations)."""
    profile = app.extensions["wxk_profile"]
    office, world = profile.names.office_short, profile_world
    visits = Visits(client, FOREIGN[profile.code])
    application = world.apps["a_submitted"]
    client.login("admin_a")
    _, page = visits.post(f"/admin/applications/transition/?id={application.id}&name=unit_reject",
                          [("id", application.id), ("name", "unit_reject"), ("reasons", "其它"),
                           ("other", "请补充代表作品"), ("confirmed", "1")])
    assert status(application.id) == Status.rejected
    client.login("appl_a")
    mine = visits.get("/admin/my-application/")
    assert "请补充代表作品" in mine and "团体会员驳回申请" in mine
    message = db.session.scalars(select(Message).where(Message.recipient_id == world.users["appl_a"].id)).one()
    assert message.subject == "您的入会申请已被驳回" and "请补充代表作品" in message.body

    other = world.apps["b_submitted"]
    client.login("admin_b")
    visits.post(f"/admin/applications/transition/?id={other.id}&name=unit_confirm",
                {"id": other.id, "name": "unit_confirm", "opinion": "", "confirmed": "1"})
    client.login("office")
    _, page = visits.post(f"/admin/applications/transition/?id={other.id}&name=office_return",
                          {"id": other.id, "name": "office_return", "opinion": "请核实发表作品字数",
                           "confirmed": "1"})
    assert status(other.id) == Status.submitted
    notice = db.session.scalars(select(Message).where(Message.recipient_id == world.users["admin_b"].id)).one()
    assert notice.subject == f"{office}退回入会申请" and "请核实发表作品字数" in notice.body
    client.login("admin_b")
    assert f"{office}退回入会申请" in visits.get("/admin/inbox/")
    details = visits.get(f"/admin/applications/details/?id={other.id}")
    assert "请核实发表作品字数" in details and "退回团体会员" in details
    assert not visits.found, "\n".join(visits.found)


def test_information_is_corrected_in_the_associations_form_and_words(app, client, profile_world):  # noqa: F811
    """修改信息: the unit admin corrects an application on the association's form — its 门类 (Jiangsu: 文学评论 for
    the national 文学理论评论, 002 第三条(一)1) — and the details page and its 操作记录 read the correction in the
    association's words; no page on the way names the other association."""
    profile = app.extensions["wxk_profile"]
    world, visits = profile_world, Visits(client, FOREIGN[profile.code])
    application = world.apps["a_submitted"]
    application.track, application.category = Track.creation, Category.novel  # what the admin corrects
    db.session.commit()
    url = f"/admin/applications/edit/?id={application.id}"
    client.login("admin_a")
    form = visits.get(url)
    select_ = form.split('name="category"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option[^>]*value="(\w+)"[^>]*>([^<]+)</option>', select_) == list(profile.categories)
    criticism = profile.category_label("criticism")
    _, page = visits.post(url, {**VALID, "name": application.name, "track": "criticism", "category": "criticism",
                                "style": "文学评论", "change_reason": "申请者来电更正", "version": application.version},
                          token_from=url)
    db.session.expire_all()
    assert db.session.get(Application, application.id).category.value == "criticism", page[-2000:]
    details = visits.get(f"/admin/applications/details/?id={application.id}")
    assert f"<th>门类</th><td>{criticism}</td>" in details
    history = details.split('id="history"', 1)[1] if 'id="history"' in details else details.split("操作记录", 1)[1]
    assert "修改信息" in history and "申请者来电更正" in history and criticism in history
    assert not visits.found, "\n".join(visits.found)
