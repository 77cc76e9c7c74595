"""Issue 4: registration, 填写入会申请 (draft / submit / validation), windows, one unit per person, resubmission."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from wxk_admin.domain import applying, cycles, workflow
from wxk_admin.domain.audit import Actor
from wxk_admin.enums import Role, Status
from wxk_admin.models import Application, AuditEvent, Cycle, Message, User, db

from ..support.applicant import (FORM, HOME, ID, VALID, application_of, assert_listed_for_unit_a_only, cip_record,
                                id_number, new_applicant, post_form)
from ..support.factories import make_user
from ..support.helpers import redirect_target
from ..support.race import race


# ---------------------------------------------------------------- registration


def test_register_applicant_then_log_in(client, world, profile):
    page = client.text("/admin/account/login/")
    assert 'href="/admin/register/"' in page and "申请者注册" in page
    form = client.text("/admin/register/")
    assert "甲省作家协会" in form and f"直接申报（{profile.rules.direct_route}）" in form  # national: 中央和国家机关
    r = client.post("/admin/register/", {"username": "wang_new", "password": "Qiu-shui-2027", "password2": "Qiu-shui-2027",
                                         "full_name": "王新", "mobile": "139 1234 5678",
                                         "unit_id": str(world.unit_a.id)}, token_from="/admin/register/")
    assert redirect_target(r) == ("/admin/account/login/", {})
    assert "注册成功，请使用新账户登录后填写入会申请" in client.text("/admin/account/login/")
    user = db.session.scalar(select(User).where(User.username == "wang_new"))
    assert user.role == Role.applicant and user.unit_id == world.unit_a.id and user.mobile == "13912345678"
    assert not user.is_proxy
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "register", AuditEvent.target_id == user.id))
    assert redirect_target(client.login("wang_new", "Qiu-shui-2027")) == ("/admin/", {})
    home = client.text("/admin/", follow_redirects=True)
    assert "我的申请" in home and "尚未填写" in home


def test_register_direct_route_has_no_unit(client, world):
    client.post("/admin/register/", {"username": "direct_new", "password": "Qiu-shui-2027", "password2": "Qiu-shui-2027",
                                     "full_name": "赵直", "mobile": "13912345678", "unit_id": "direct"},
                token_from="/admin/register/")
    user = db.session.scalar(select(User).where(User.username == "direct_new"))
    assert user is not None and user.unit_id is None and user.role == Role.applicant


@pytest.mark.parametrize("field,value,message", [
    ("password", "12345678", "密码过于常见"),
    ("password", "short1", "密码至少 8 位"),
    ("mobile", "1234", "11 位中国大陆手机号码"),
    ("username", "appl_a", "该用户名已被使用"),
    ("unit_id", "", "请选择推荐单位"),
    ("full_name", "", "请填写姓名"),
])
def test_register_refuses_bad_input_and_keeps_the_rest(client, world, field, value, message):
    data = {"username": "li_new", "password": "Qiu-shui-2027", "full_name": "李新", "mobile": "13912345678",
            "unit_id": str(world.unit_b.id)}
    data[field] = value
    data["password2"] = data["password"]
    before = db.session.scalar(select(func.count(User.id)))
    r = client.post("/admin/register/", data, token_from="/admin/register/")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and message in page
    if field != "full_name":
        assert 'value="李新"' in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id))) == before


# ---------------------------------------------------------------- fill, save, submit


def test_fill_and_submit_valid_application(client, world):
    cip_record()
    zhang = new_applicant(unit=world.unit_a)
    client.login("zhang")
    assert "填写入会申请" in client.text(HOME)
    r = post_form(client, VALID, "submit")
    page = r.get_data(as_text=True)
    app = application_of(zhang)
    assert app is not None and app.status == Status.submitted, page[:3000]
    assert app.unit_id == world.unit_a.id and app.cycle_id == world.cycle.id and app.submitted_at is not None
    assert app.id_number == ID and app.books[0].isbn == "9787020024759" and app.books[0].cip_no == "2016189798"
    assert app.publications[0].word_count == 12000
    assert "待团体会员审核" in page
    assert "申请已提交" in page
    # the unit admin now sees it in 申请入会管理
    client.logout()
    assert_listed_for_unit_a_only(client)


# Each rule: (what the form posts, the Chinese message, the seed/SPEC clause it checks).
BAD_INPUT = [
    ({"id_number": ID[:-1] + ("0" if ID[-1] != "0" else "1")}, "身份证号校验位不正确",
     "SPEC §2: 身份证号 (validated: 18 digits with GB 11643 check digit)"),
    ({"id_number": ID[:14]}, "身份证号应为 18 位", "SPEC §2: 18 digits"),
    ({"birth_date": "1981-05-12"}, "与身份证号中的出生日期（1980-05-12）不一致", "issue 4: birth date consistent with 出生日期"),
    ({"mobile": "1381234567"}, "请填写 11 位中国大陆手机号码", "SPEC §2: 移动电话 (mainland mobile)"),
    ({"mobile": "02512345678"}, "请填写 11 位中国大陆手机号码", "SPEC §2: 移动电话 (mainland mobile)"),
    ({"books-0-isbn": "9787020024750"}, "ISBN 校验位不正确", "SPEC §2: ISBN (validated)"),
    ({"books-0-isbn": "9780306406157"}, "ISBN 应以 978-7 开头", "SPEC §2: 978-7 prefix for mainland"),
    ({"books-0-cip_no": "第189798号abc"}, "CIP 核字号应按版权页填写", "SPEC §5: printed as (2016)第189798号, 10 digits"),
    ({"books-0-published_on": (dt.date.today() + dt.timedelta(days=30)).isoformat()}, "日期不能晚于今天",
     "issue 4: dates not in the future"),
    ({"birth_date": "1980-13-45"}, "日期格式不正确", "issue 4: dates"),
    ({"books-0-word_count_k": "-5"}, "请填写不小于 0 的整数", "SPEC §2: word count (千字)"),
    ({"publications-0-word_count": "一万二"}, "请填写不小于 0 的整数", "issue 4: word counts non-negative integers"),
    ({"track": "translation", "category": "translation"}, "主要从事文学翻译的申请者须填写专业技术职称",
     "001 一.3: 主要从事文学翻译工作的申请者,应具有副高以上专业技术职称"),
    ({"track": "editing", "category": "editing", "professional_title": "associate_senior"},
     "主要从事文学编辑的申请者须填写从事文学编辑年限", "001 一.4: 从事文学编辑工作8年以上"),
    ({"track": "organisation", "category": "organisation"}, "主要从事文学组织工作的申请者须填写组织工作单位层级",
     "001 一.5(2): 在地市级或区县级作协、文联担任主要领导职务5年以上"),
    ({"name": ""}, "请填写姓名", "SPEC §2: Personal"),
    ({"books-0-publisher": ""}, "请填写出版社", "SPEC §2: Published books: publisher"),
]


@pytest.mark.parametrize("bad,message,clause", BAD_INPUT, ids=[m for _, m, _ in BAD_INPUT])
def test_bad_input_refused_with_message_and_draft_keeps_everything(client, world, bad, message, clause):
    cip_record()
    zhang = new_applicant(unit=world.unit_a)
    client.login("zhang")
    data = {**VALID, **bad}
    r = post_form(client, data, "submit")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert message in page, clause
    assert "未能提交" in page
    app = application_of(zhang)
    assert app.status == Status.draft  # refused: still a draft
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "submit",
                                                                     AuditEvent.application_id == app.id)) == 0
    # every other field was kept in the draft …
    values = applying.application_values(app)
    untouched = {k: v for k, v in VALID.items() if k not in bad}
    assert app.name == untouched.get("name", app.name)
    assert app.pen_name == "北岸" and app.style == "长篇小说" and app.employer_and_post == "某中学教师"
    if "mobile" not in bad:
        assert app.mobile == "13812345678"
    if "id_number" not in bad:
        assert app.id_number == ID
    assert values["books"][0]["title"] == "河流的故乡"
    assert values["publications"][0]["venue"] == "人民文学"
    # … and the bad value itself is shown again as typed
    for key, value in bad.items():
        if value:
            assert f'value="{value}"' in page or f'value="{value}" selected' in page or f">{value}<" in page \
                or value in page, key
    # reopening the draft shows what was typed, including text no column could hold
    again = client.text(FORM)
    for key, value in bad.items():
        if value and key not in ("track", "category", "professional_title"):
            assert value in again, key


def test_draft_keeps_unstorable_text_and_a_later_fix_submits(client, world):
    cip_record()
    zhang = new_applicant(unit=world.unit_a)
    client.login("zhang")
    r = post_form(client, {**VALID, "birth_date": "1980年13月", "books-0-word_count_k": "-5"}, "draft")
    page = r.get_data(as_text=True)
    assert "草稿已保存" in page and "格式不正确，已原样保留" in page
    app = application_of(zhang)
    assert app.birth_date is None and app.books[0].word_count_k is None
    assert app.draft_input == {"birth_date": "1980年13月", "books-0-word_count_k": "-5"}
    assert 'value="1980年13月"' in page and 'value="-5"' in page
    # submitting the stored draft is refused while the kept text is wrong
    with pytest.raises(applying.SubmitRefused) as refused:
        applying.submit(db.session, app, Actor(zhang), dt.date.today())
    assert "birth_date" in refused.value.problems
    db.session.rollback()
    r = post_form(client, VALID, "submit", version=application_of(zhang).version)
    app = application_of(zhang)
    assert app.status == Status.submitted, r.get_data(as_text=True)[:2000]
    assert app.draft_input is None and app.birth_date == dt.date(1980, 5, 12) and app.books[0].word_count_k == 210


def test_poem_lines_count_ten_lines_as_a_thousand_characters(client, world):
    """001 一.(1): 「诗歌按10行1000字计」."""
    zhang = new_applicant(unit=world.unit_a)
    client.login("zhang")
    data = {**VALID, "publications-0-word_count": "", "publications-0-poem_lines": "120",
            "publications-0-genre": "诗歌"}
    page = post_form(client, data, "draft").get_data(as_text=True)
    app = application_of(zhang)
    assert app.publications[0].poem_lines == 120 and app.publications[0].counted_characters == 12000
    assert "12000 字" in page


def test_rows_are_added_and_removed(client, world):
    zhang = new_applicant(unit=world.unit_a)
    client.login("zhang")
    data = {**VALID, "books-1-title": "第二本书", "books-1-publisher": "百花文艺出版社", "awards-0-name": "某省文学奖",
            "awards-0-year": "2019"}
    post_form(client, data, "draft")
    app = application_of(zhang)
    assert [b.title for b in app.books] == ["河流的故乡", "第二本书"] and app.awards[0].year == 2019
    page = client.text(FORM)
    assert 'name="books-2-title"' in page  # an empty row offered without JavaScript
    data = {**VALID, "books-1-title": "第二本书", "books-1-delete_row": "y", "awards-0-name": "某省文学奖"}
    post_form(client, data, "draft", version=app.version)
    app = application_of(zhang)
    assert [b.title for b in app.books] == ["河流的故乡"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                        AuditEvent.action == "save_draft")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.before["books-1"]["title"] == "第二本书" and event.after["books-1"] is None
    assert event.before["awards-0-year"] == 2019 and event.after["awards-0-year"] is None


def test_direct_route_requires_two_recommenders(client, world, profile):
    """001 二.2: 中央和国家机关申请者 … 并由两名中国作协个人会员推荐."""
    cip_record()
    zhang = new_applicant("zhang_d", None)
    client.login("zhang_d")
    page = post_form(client, {**VALID, "recommenders-0-name": "甲会员", "recommenders-0-member_no": "01234"},
                     "submit").get_data(as_text=True)
    assert f"{profile.rules.direct_route_note}，请填写推荐人的姓名和会员证号" in page  # national: 须由两名中国作协会员推荐
    app = application_of(zhang)
    assert app.status == Status.draft and app.unit_id is None
    assert [r.name for r in app.recommenders] == ["甲会员"]
    page = post_form(client, {**VALID, "recommenders-0-name": "甲会员", "recommenders-0-member_no": "01234",
                              "recommenders-1-name": "乙会员", "recommenders-1-member_no": "05678"},
                     "submit", version=app.version).get_data(as_text=True)
    app = application_of(zhang)
    assert app.status == Status.submitted, page[:2000]
    assert profile.say("待会员处审核") in page


def test_submitting_twice_creates_one_submission(client, world):
    cip_record()
    zhang = new_applicant(unit=world.unit_a)
    client.login("zhang")
    post_form(client, VALID, "draft")
    version = application_of(zhang).version
    first = post_form(client, VALID, "submit", version=version)
    second = post_form(client, VALID, "submit", version=version)  # double click / second tab
    app = application_of(zhang)
    assert app.status == Status.submitted
    assert "请勿重复提交" in second.get_data(as_text=True)
    submits = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "submit",
                                                                        AuditEvent.application_id == app.id))
    assert submits == 1
    assert first.status_code == 200


def test_stale_version_is_a_conflict_and_changes_nothing(client, world):
    zhang = new_applicant(unit=world.unit_a)
    client.login("zhang")
    post_form(client, VALID, "draft")
    app = application_of(zhang)
    old = app.version
    post_form(client, {**VALID, "style": "中篇小说"}, "draft", version=old)
    r = post_form(client, {**VALID, "style": "短篇小说"}, "draft", version=old)  # the other tab
    assert "请刷新后重试" in r.get_data(as_text=True)
    assert application_of(zhang).style == "中篇小说"
    r = post_form(client, {**VALID, "style": "短篇小说"}, "draft", version="abc")  # a forged version
    assert r.status_code == 200 and "请刷新后重试" in r.get_data(as_text=True)
    assert application_of(zhang).style == "中篇小说"


def test_applicant_cannot_touch_someone_elses_application(client, world):
    other = world.apps["a_submitted"]
    other_id, other_name, other_version = other.id, other.name, other.version
    zhang = new_applicant(unit=world.unit_a)
    draft = Application(cycle_id=world.cycle.id, unit_id=world.unit_a.id, applicant_id=zhang.id,
                        status=Status.draft, name="甲的草稿")
    db.session.add(draft)
    db.session.commit()
    client.login("appl_b")
    for url in (f"{HOME}?id={other_id}", f"{FORM}?id={other_id}", f"{FORM}?id={draft.id}",
                f"{HOME}download/materials/?id={other_id}", f"{HOME}download/form/?id={other_id}"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert other_name not in r.get_data(as_text=True)
    r = post_form(client, {**VALID, "name": "篡改"}, "submit", app_id=draft.id, follow=False)
    assert r.status_code == 404
    r = client.post(FORM, {**VALID, "name": "篡改", "application_id": str(draft.id), "action": "draft"},
                    token_from=HOME)
    assert r.status_code == 404
    db.session.expire_all()
    assert db.session.get(Application, draft.id).name == "甲的草稿"
    assert db.session.get(Application, other_id).version == other_version
    # and the domain refuses too
    with pytest.raises(workflow.TransitionRefused):
        applying.save_draft(db.session, db.session.get(Application, draft.id), VALID, Actor(world.users["appl_b"]))
    db.session.rollback()
    # reviewers' pages are not the applicant's
    assert client.get("/admin/applications/").status_code == 403
    assert client.get("/admin/proxy-accounts/").status_code == 403


# ---------------------------------------------------------------- windows


def test_outside_the_window_drafts_save_but_submission_is_refused_until_extended(client, world):
    cip_record()
    cycle = world.cycle
    cycle.fill_start = dt.date.today() - dt.timedelta(days=40)
    cycle.fill_end = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    zhang = new_applicant(unit=world.unit_a)
    client.login("zhang")
    assert "当前不在填写期内" in client.text(HOME)
    page = post_form(client, VALID, "submit").get_data(as_text=True)
    assert "当前不在填写期内" in page and "可以保存草稿，但不能提交" in page
    assert f"{cycle.fill_end.year}年{cycle.fill_end.month}月{cycle.fill_end.day}日" in page
    app = application_of(zhang)
    assert app.status == Status.draft and app.books[0].title == "河流的故乡"
    client.logout()

    # the office extends the window (申请年度 → 编辑)
    client.login("office")
    edit_url = f"/admin/cycles/edit/?id={cycle.id}"
    new_end = dt.date.today() + dt.timedelta(days=7)
    r = client.post(edit_url, {"association": cycle.association, "year": str(cycle.year), "name": cycle.name,
                               "fill_start": cycle.fill_start.isoformat(), "fill_end": new_end.isoformat(),
                               "materials_deadline": cycle.materials_deadline.isoformat(), "ruleset": cycle.ruleset,
                               "is_current": "y"}, token_from=edit_url)
    assert redirect_target(r) == ("/admin/cycles/", {})
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).fill_end == new_end
    client.logout()

    client.login("zhang")
    post_form(client, VALID, "submit", version=app.version)
    assert application_of(zhang).status == Status.submitted


def test_extend_window_domain_function_is_audited(world):
    cycle = world.cycle
    new_end = cycle.fill_end + dt.timedelta(days=10)
    cycles.extend_window(db.session, cycle, new_end, Actor(world.users["office"]))
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "extend_window"))
    assert event.after == {"fill_end": new_end.isoformat()} and event.actor_id == world.users["office"].id
    with pytest.raises(workflow.TransitionRefused):
        cycles.extend_window(db.session, cycle, cycle.fill_start - dt.timedelta(days=1),
                             Actor(world.users["office"]))


# ---------------------------------------------------------------- one unit per person per cycle


def test_second_live_application_with_same_id_number_is_refused(client, world):
    """001 二.1: 同属省级作协和行业作协个人会员的申请者,只能选择一个所属的团体会员单位推荐."""
    cip_record()
    first = world.apps["a_submitted"]  # 甲省作家协会, submitted
    first.id_number = ID
    db.session.commit()
    make_user(db.session, "appl_b2", Role.applicant, world.unit_b, full_name="乙二")
    db.session.commit()
    client.login("appl_b2")
    page = post_form(client, VALID, "submit").get_data(as_text=True)
    assert "该身份证号在本年度已有一份正在办理的入会申请" in page
    assert "甲省作家协会" not in page and first.name not in page
    user = db.session.scalar(select(User).where(User.username == "appl_b2"))
    app = application_of(user)
    assert app.status == Status.draft
    # once the other application is closed (rejected), this one may be submitted
    workflow.apply(db.session, db.session.get(Application, first.id), "unit_reject", Actor(world.users["admin_a"]),
                   opinion="不符合申请条件")
    db.session.commit()
    post_form(client, VALID, "submit", version=app.version)
    assert application_of(user).status == Status.submitted


# ---------------------------------------------------------------- rejection and resubmission


def _zhang_submits(client, world):
    """张晓河 (unit A, no application yet) logs in and submits VALID, its book in the CIP records:
    (the user, the application)."""
    cip_record()
    zhang = new_applicant(unit=world.unit_a)
    client.login("zhang")
    post_form(client, VALID, "submit")
    return zhang, application_of(zhang)


def test_reject_then_edit_and_resubmit_keeps_history(client, world):
    zhang, app = _zhang_submits(client, world)
    assert app.status == Status.submitted
    workflow.apply(db.session, app, "unit_reject", Actor(world.users["admin_a"]), opinion="发表作品字数不足；请补充发表作品")
    db.session.commit()

    home = client.text(HOME)
    assert "已驳回" in home and "发表作品字数不足；请补充发表作品" in home and "重新提交" in home
    assert "您的入会申请已被驳回" in home  # the 站内信
    form_page = client.text(FORM)
    assert "驳回理由" in form_page and "发表作品字数不足" in form_page
    app = application_of(zhang)
    data = {**VALID, "publications-1-title": "长街", "publications-1-venue": "收获",
            "publications-1-circulation": "public", "publications-1-level_national_key": "y",
            "publications-1-word_count": "30000"}
    page = post_form(client, data, "submit", version=app.version).get_data(as_text=True)
    app = application_of(zhang)
    assert app.status == Status.submitted, page[:2000]
    assert [p.title for p in app.publications] == ["渡口", "长街"]
    rounds = db.session.scalars(select(AuditEvent.action).where(AuditEvent.application_id == app.id,
                                                                AuditEvent.to_state.is_not(None))
                                .order_by(AuditEvent.id)).all()
    assert rounds == ["create_application", "submit", "unit_reject", "submit"]
    resubmit = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                           AuditEvent.action == "submit")
                                  .order_by(AuditEvent.id.desc())).first()
    assert resubmit.after["publications-1"]["title"] == "长街"  # the changes travel with the resubmission
    home = client.text(HOME)
    assert home.count("提交") >= 2 and "驳回申请" in home


# ---------------------------------------------------------------- after office confirmation


def _confirm_through_office(world, app):
    workflow.apply(db.session, app, "unit_confirm", Actor(world.users["admin_a"]))
    workflow.apply(db.session, app, "office_confirm", Actor(world.users["office"]))
    db.session.commit()


def test_after_office_confirmation_read_only_with_downloads(client, world, profile):
    cip_record()
    zhang = new_applicant(unit=world.unit_a)
    client.login("zhang")
    assert "下载申报材料清单" not in client.text(HOME)
    post_form(client, VALID, "submit")
    app = application_of(zhang)
    r = client.get(f"{HOME}download/materials/?id={app.id}", follow_redirects=True)
    assert profile.say("会员处确认后才能下载") in r.get_data(as_text=True)
    _confirm_through_office(world, app)
    home = client.text(HOME)
    assert profile.say("会员处已确认") in home and "下载申请表" in home and "下载申报材料清单" in home
    deadline = world.cycle.materials_deadline
    assert f"于{deadline.month}月{deadline.day}日前向所属团体会员提交纸质材料" in home
    # read-only: the form page shows the data without inputs, and a POST changes nothing
    page = client.text(FORM)
    assert "当前不能修改" in page and 'name="books-0-title"' not in page and "河流的故乡" in page
    version = application_of(zhang).version
    r = post_form(client, {**VALID, "name": "改名"}, "draft")
    assert "不能修改" in r.get_data(as_text=True)
    app = application_of(zhang)
    assert app.name == "张晓河" and app.version == version

    r = client.get(f"{HOME}download/materials/?id={app.id}")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.data)).active
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "申报材料清单" in cells and "张晓河" in cells and app.serial_no in cells
    assert any("河流的故乡" in c for c in cells)
    r = client.get(f"{HOME}download/form/?id={app.id}")
    assert r.status_code == 200
    assert "入会申请表" in r.headers["Content-Disposition"] or "%E5%85%A5%E4%BC%9A" in r.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.data)).active
    assert any("张晓河" == str(c.value) for row in ws.iter_rows() for c in row)


def test_materials_checklist_neutralises_formulas(world):
    from wxk_admin.documents.materials_xlsx import build_materials_checklist

    app = world.apps["a_submitted"]
    app.name = "=HYPERLINK(\"http://x\")"
    ws = load_workbook(io.BytesIO(build_materials_checklist(app))).active
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in values)
    assert "'=HYPERLINK(\"http://x\")" in values


# ---------------------------------------------------------------- new cycle: 复制上一年度申请


def test_new_cycle_starts_a_new_application_and_can_copy_last_years(client, world):
    old_cycle = world.cycle
    zhang, old = _zhang_submits(client, world)
    workflow.apply(db.session, old, "unit_reject", Actor(world.users["admin_a"]), opinion="申请材料不全")
    old_cycle.is_current = False
    new_cycle = Cycle(association=old_cycle.association, year=old_cycle.year + 1, name=f"{old_cycle.year + 1}年度",
                      fill_start=dt.date.today() - dt.timedelta(days=1), fill_end=dt.date.today() + dt.timedelta(days=30),
                      materials_deadline=dt.date.today() + dt.timedelta(days=60), is_current=True)
    db.session.add(new_cycle)
    db.session.commit()

    home = client.text(HOME)
    assert "尚未填写" in home and "复制上一年度申请" in home
    r = client.post(f"{HOME}copy-previous/", {}, token_from=HOME, follow_redirects=True)
    assert f"已从 {old_cycle.year} 年度的申请复制内容" in r.get_data(as_text=True)
    new = application_of(zhang)
    assert new.id != old.id and new.cycle_id == new_cycle.id and new.status == Status.draft
    assert new.id_number == ID and [b.title for b in new.books] == ["河流的故乡"]
    assert new.serial_no is None and new.reject_reasons is None
    db.session.refresh(old)
    assert old.status == Status.rejected and old.cycle_id == old_cycle.id  # last year's stays where it was
    r = client.post(f"{HOME}copy-previous/", {}, token_from=HOME, follow_redirects=True)
    assert "本年度已有入会申请" in r.get_data(as_text=True)


# ---------------------------------------------------------------- the domain, without HTTP


def test_save_sections_records_one_event_with_child_rows(world):
    app = world.apps["a_submitted"]
    values = applying.application_values(app)
    values["mobile"] = "13900000000"
    values["books"][0]["title"] = "新书名"
    values["awards"] = values["awards"] + [{"name": "某奖", "work": None, "level": None, "grantor": None, "year": 2020}]
    before_events = db.session.scalar(select(func.count(AuditEvent.id)))
    result = applying.save_sections(db.session, app, values, Actor(world.users["admin_a"]), reason="申请者来电更正")
    db.session.commit()
    assert result.changed
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert len(events) == before_events + 1
    event = events[-1]
    assert event.action == "edit" and event.reason == "申请者来电更正" and event.application_id == app.id
    assert event.after["mobile"] == "13900000000"
    assert event.after["books-0-title"] == "新书名"
    n = len(values["awards"]) - 1
    assert event.before[f"awards-{n}"] is None and event.after[f"awards-{n}"]["name"] == "某奖"
    # saving the same values again changes nothing and records nothing
    assert not applying.save_sections(db.session, app, applying.application_values(app),
                                      Actor(world.users["admin_a"])).changed
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before_events + 1


def test_clean_and_check_table():
    today = dt.date(2027, 1, 15)
    cleaned = applying.clean({"id_number": id_number(dt.date(1990, 1, 2)).lower(), "birth_date": "1990年1月2日",
                              "mobile": "+86 139-1234-5678", "books": [{"isbn": "978-7-02-002475-9",
                                                                        "cip_no": "中国版本图书馆CIP数据核字(2005)第70730号"},
                                                                       {"title": ""}]})
    assert cleaned.values["birth_date"] == dt.date(1990, 1, 2)
    assert cleaned.values["mobile"] == "13912345678"
    assert cleaned.values["books"][0]["isbn"] == "9787020024759"
    assert cleaned.values["books"][0]["cip_no"] == "2005070730"
    assert len(cleaned.values["books"]) == 1  # blank rows dropped
    assert not applying.format_problems(cleaned.values, today)
    assert "birth_date" in applying.format_problems({**cleaned.values, "birth_date": dt.date(1990, 1, 3)}, today)


def test_same_person_submitting_in_two_units_at_once_only_one_goes_through(app, world, backend):
    """001 二.1 只能选择一个所属的团体会员单位推荐 — also when both submissions arrive at the same instant."""
    if backend != "postgresql":
        pytest.skip("real concurrency is proven on PostgreSQL")
    cip_record()
    ids = []
    for username, unit in (("twin_a", world.unit_a), ("twin_b", world.unit_b)):
        person = make_user(db.session, username, Role.applicant, unit, full_name="张晓河")
        draft = applying.start_application(db.session, Actor(person), world.cycle)
        applying.save_draft(db.session, draft, VALID, Actor(person))
        db.session.commit()
        ids.append((draft.id, person.id))
    db.session.remove()

    def submit(app_id, user_id):
        def job(session, start):
            application = session.get(Application, app_id)
            person = session.get(User, user_id)
            start()
            try:
                applying.submit(session, application, Actor(person), dt.date.today())
                session.commit()
                return "submitted"
            except applying.SubmitRefused as exc:
                session.rollback()
                return str(exc)
        return job

    outcomes = race(app, *(submit(*pair) for pair in ids))
    assert sorted(outcomes) == sorted(["submitted", applying.ONE_UNIT_MESSAGE])
    statuses = db.session.scalars(select(Application.status).where(Application.id.in_([i for i, _ in ids])))
    assert sorted(statuses) == sorted([Status.draft, Status.submitted])


# ---------------------------------------------------------------- issue 13.7: small errors on submit

FLASH_RE = re.compile(r'<div class="alert[^"]*alert-dismissable">\s*<button[^>]*>[^<]*</button>\s*(.*?)\s*</div>', re.S)


def test_submit_says_it_was_submitted_once(client, world):
    cip_record()
    new_applicant(unit=world.unit_a)
    client.login("zhang")
    page = post_form(client, VALID, "submit").get_data(as_text=True)
    flashes = FLASH_RE.findall(page)
    assert flashes == ["申请已提交，等待所属团体会员审核，结果将以站内信通知。"], flashes


def test_submit_records_the_changes_with_the_submission_not_as_a_draft(client, world):
    _, app = _zhang_submits(client, world)
    assert app.status == Status.submitted
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.application_id == app.id)
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["create_application", "submit"]
    submit = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                         AuditEvent.action == "submit")).one()
    assert submit.after["id_number"] == ID and submit.after["books-0"]["title"] == "河流的故乡"
    assert "保存草稿" not in client.text(HOME)
    # a refused submission did save the draft: that one is a 保存草稿
    li = new_applicant("li", unit=world.unit_b, full_name="李四")
    client.logout()
    client.login("li")
    post_form(client, {**VALID, "name": "李四", "mobile": "123"}, "submit")
    app = application_of(li)
    assert app.status == Status.draft and app.name == "李四"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.application_id == app.id)
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["create_application", "save_draft"]


def _rejected_then_resubmitted(client, world):
    zhang, app = _zhang_submits(client, world)
    workflow.apply(db.session, app, "unit_reject", Actor(world.users["admin_a"]), opinion="发表作品字数不足")
    db.session.commit()
    data = {**VALID, "publications-1-title": "长街", "publications-1-venue": "收获",
            "publications-1-word_count": "30000"}
    post_form(client, data, "submit", version=application_of(zhang).version)
    app = application_of(zhang)
    assert app.status == Status.submitted
    client.logout()
    return app


def test_after_resubmission_the_reject_reason_is_history_not_the_current_opinion(client, world):
    app = _rejected_then_resubmitted(client, world)
    assert app.reject_reasons is None
    client.login("admin_a")
    page = client.text(f"/admin/applications/details/?id={app.id}")
    review = page[page.index("审核意见"):]
    review = review[:review.index("</table>")]
    assert "驳回理由" in review and "发表作品字数不足" not in review
    history = page[page.index('id="history"'):]
    assert "驳回申请" in history and "发表作品字数不足" in history
    submit = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == app.id,
                                                         AuditEvent.action == "submit")
                                .order_by(AuditEvent.id.desc())).first()
    assert submit.before["reject_reasons"] == "发表作品字数不足" and submit.after["reject_reasons"] is None


def test_resubmission_after_rejection_tells_the_unit(client, world):
    other_admin = make_user(db.session, "admin_a2", Role.unit_admin, world.unit_a)
    db.session.commit()
    app = _rejected_then_resubmitted(client, world)
    for admin in (world.users["admin_a"], other_admin):
        messages = db.session.scalars(select(Message).where(Message.recipient_id == admin.id)).all()
        assert [m.subject for m in messages] == ["申请者已重新提交入会申请"], admin.username
        assert "张晓河" in messages[0].body and messages[0].application_id == app.id
    assert not db.session.scalars(select(Message).where(Message.recipient_id == world.users["admin_b"].id)).all()
    client.login("admin_a")
    assert "申请者已重新提交入会申请" in client.text("/admin/inbox/", follow_redirects=True)
