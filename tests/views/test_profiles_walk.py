"""Issue 16.2 — nothing national hard-coded: on a Jiangsu deployment no page of any role and no download names
the national association, its office or its site; on the national one none names Jiangsu as the owner.

The walk of tests/test_latin_words.py (every GET endpoint per role over rich data), on an app of each profile
with its own database; the cycle belongs to the deployment's association.
"""
from __future__ import annotations

import io
import re
import uuid

import openpyxl
import pytest
from flask_migrate import upgrade

from wxk_admin.domain.consultation.common import Refused
from wxk_admin.domain.consultation.recusal import declare_recusal
from wxk_admin.domain.consultation.notice import check_objection, decide_objection, public_row
from wxk_admin import create_app
from wxk_admin.domain.audit import Actor
from wxk_admin.enums import STATUS_BADGE, Role, Status
from wxk_admin.models import Application, Objection, db

from ..support.factories import make_app, make_user, make_world
from ..support.pdf import pdf_text
from .test_latin_words import USERS, _urls, rich  # noqa: F401  (rich: the fixture of every state and stage)

# The other association's owner names (the national demo has a unit 江苏作家协会: not an owner name); its
# office (创联部会员处, 会员处 for short: Jiangsu's is 联络部) and its name of the review (Jiangsu: 专家评审).
FOREIGN = {"cwa": ("江苏省作家协会", "联络部", "江苏作家网", "江苏省作协", "专家评审"),
           "jiangsu": ("中国作协", "中国作家协会", "创联部", "中国作家网", "会员处", "专家咨询")}
OWN = {"cwa": "中国作协个人会员申请管理平台", "jiangsu": "江苏省作协个人会员申请管理平台"}
DOWNLOADS = ("documents.form_pdf", "documents.materials_pdf", "documents.materials_xlsx")


def profile_app(code: str, directory):
    """A deployment of profile ``code`` on its own SQLite database, schema made by migrations."""
    application = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'wxk.sqlite3'}",
        "SECRET_KEY": "test-" + uuid.uuid4().hex, "RATELIMIT_ENABLED": False, "INSTANCE_FOR_TESTS": str(directory),
        "WXK_ASSOCIATION": code, "WXK_DEFAULT_RULESET": "",
    })
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(scope="module", params=["cwa", "jiangsu"])
def app(request, tmp_path_factory):
    """A deployment of each profile (the suite's ``app`` is the national one)."""
    application = profile_app(request.param, tmp_path_factory.mktemp(f"profile_{request.param}"))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def world(app, ctx):
    world = make_world(db.session)  # the deployment's association and rule set
    world.cycle.name = f"{world.cycle.year}年度{app.extensions['wxk_profile'].names.short}个人会员申请"
    db.session.commit()
    return world


def _text(response) -> str:
    data = response.get_data()
    if response.mimetype == "application/pdf":
        return pdf_text(data)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    return response.get_data(as_text=True)


def test_no_page_or_download_names_the_other_association(app, client, world, rich):
    code = app.extensions["wxk_profile"].code
    urls = _urls(app, rich)
    confirmed = db.session.scalars(db.select(Application.id).where(Application.serial_no.is_not(None))).first()
    for endpoint in DOWNLOADS:
        urls[endpoint] = [f"{urls[endpoint][0]}?id={confirmed}"]
    exports = [r.rule.replace("<export_type>", "xlsx") for r in app.url_map.iter_rules() if r.endpoint.endswith(".export")]
    found, opened, kinds = {}, 0, set()
    for role, username in [(None, None), *USERS.items(), ("supervisor", "supervisor")]:
        c = client.__class__(app.test_client())
        if username:
            c.login(username)
        for url in [u for variants in urls.values() for u in variants[:4]] + exports:  # names, not rows: a few ids do
            r = c.get(url)
            if r.status_code != 200:
                continue
            opened += 1
            kinds.add(r.mimetype)
            text = _text(r)
            for word in FOREIGN[code]:
                if word in text:
                    at = text.index(word)  # with its context: which text to fix
                    found.setdefault(word, set()).add(f"{username or '未登录'} {url.split('?')[0]} "
                                                      f"「{text[max(at - 12, 0):at + 12]}」")
    assert opened > 150
    assert {"text/html", "application/pdf"} <= kinds and any(k.endswith("sheet") for k in kinds)
    assert not found, "\n".join(f"{word}: {' '.join(sorted(where))}" for word, where in found.items())
    home = client.__class__(app.test_client())
    assert OWN[code] in home.get("/admin/account/login/").get_data(as_text=True)


def test_applicant_form_offers_the_associations_categories(app, client, world):
    """门类 as the association lists them (002 第三条(一)1: 文学评论, 编剧, 文学组织 in Jiangsu)."""
    profile = app.extensions["wxk_profile"]
    make_user(db.session, "appl_new", Role.applicant, world.unit_a)
    db.session.commit()
    client.login("appl_new")
    page = client.get("/admin/my-application/form/").get_data(as_text=True)
    select = page.split('name="category"', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option[^>]*value="(\w+)"[^>]*>([^<]+)</option>', select)
    assert offered == list(profile.categories)


def test_messages_name_the_associations_office(app, client, world, rich):
    """Refusals name the office as the association calls it (Jiangsu: 联络部, 002 第三条(五))."""
    office = app.extensions["wxk_profile"].names.office_short
    app_id = db.session.scalar(db.select(Application.id).where(Application.name == "待公示者"))  # on the notice
    url = f"/public/report/?id={app_id}"
    r = client.post(url, {"reporter": "", "contact": "", "content": "署名问题"}, token_from=url)
    assert r.status_code == 400 and f"以便{office}核实情况" in r.get_data(as_text=True)
    expert = rich["experts"][0]  # voted on the reviewed application: a recusal now is refused
    try:
        declare_recusal(db.session, Actor(expert), rich["reviewed"].id, "relative")
    except Refused as refused:
        assert str(refused) == f"您已对该申请投票；如需回避请联系{office}"
    else:
        raise AssertionError("a recusal after the vote was accepted")
    # an upheld objection's reason reaches the applicant naming the office (consultation.UPHELD_OPINION)
    office_actor = Actor(world.users["office"])
    objection = db.session.scalar(db.select(Objection).where(Objection.application_id == app_id))
    check_objection(db.session, office_actor, objection.id, "核查属实")
    decide_objection(db.session, office_actor, objection.id, True)
    db.session.commit()
    assert db.session.get(Application, app_id).disqualify_reason == \
        f"公示期间收到的反映经{office}核查、书记处认定属实，取消申请资格"


def test_direct_route_and_identity_read_as_the_association_says(app, client, world):
    """Who may apply and who goes direct (002 第一条(一)1 and 3: 户籍在江苏…; 省直机关单位、驻苏现役军人和驻宁高校)."""
    rules = app.extensions["wxk_profile"].rules
    direct = f"直接申报（{rules.direct_route}）"
    page = client.get("/admin/register/").get_data(as_text=True)
    assert f'<option value="direct">{direct}</option>' in page and rules.identity in page
    make_user(db.session, "appl_direct_new", Role.applicant)  # no unit: the direct route, nothing typed yet
    db.session.commit()
    client.login("appl_direct_new")
    page = client.get("/admin/my-application/form/").get_data(as_text=True)
    assert f"推荐途径：{direct}，须两名会员推荐" in page
    client.login("office")
    page = client.get(f"/admin/applications/details/?id={world.apps['direct_submitted'].id}").get_data(as_text=True)
    assert f"推荐单位：{direct}" in page
    assert public_row(world.apps["direct_submitted"])["unit"] == f"{rules.direct_route}（直接申报）"


def test_review_and_notification_read_as_the_association_says(app, client, world):
    """The expert pool, the supervision and how new members are told (002 第三条(三), (七): 全委会委员; 纪检监察组;
    联络部以电话或短信形式告知)."""
    profile = app.extensions["wxk_profile"]
    client.login("office")
    groups = client.get("/admin/consultation/groups/").get_data(as_text=True)
    assert f"从{profile.review.expert_pool}中遴选" in groups
    assert profile.review.supervision in groups
    onboarding = client.get("/admin/consultation/onboarding/").get_data(as_text=True)
    assert f"{profile.notification_admitted}：填写会员登记表" in onboarding


def test_public_pages_carry_the_associations_titles_and_site(app, client, world):
    """公示 and 公布 happen on the association's site (002 第三条(五)(六): 江苏作家网)."""
    profile = app.extensions["wxk_profile"]
    notice = client.get("/public/notice/").get_data(as_text=True)
    assert f"<h2>{profile.public.notice}</h2>" in notice and f"在{profile.names.site}同步公示" in notice
    assert f"<title>{profile.public.notice} - {profile.names.association}</title>" in notice
    members = client.get("/public/members/").get_data(as_text=True)
    assert f"<h2>{profile.public.members}</h2>" in members and f"在{profile.names.site}同步公布" in members


def test_new_cycle_starts_from_the_associations_calendar(app, client, world):
    """新建申请年度: the year to come, in the association's calendar (002 第三条: 6–9月, 纸质材料9月30日前)."""
    import datetime as dt

    profile = app.extensions["wxk_profile"]
    today = dt.date.today()
    year = today.year if today < dt.date(today.year, *profile.calendar.fill_start) else today.year + 1
    client.login("office")
    form = client.get("/admin/cycles/new/").get_data(as_text=True)
    for name in ("fill_start", "fill_end", "materials_deadline"):
        assert re.search(rf'id="{name}"[^>]*value="{profile.calendar.dates(year)[name]}"', form) or \
            re.search(rf'value="{profile.calendar.dates(year)[name]}"[^>]*id="{name}"', form), name
    assert re.search(rf'id="year"[^>]*value="{year}"|value="{year}"[^>]*id="year"', form)
    assert f"{year}年度{profile.names.short}个人会员申请" in form


def test_download_refusal_names_the_associations_office(app, client, world):
    """Before the office's confirmation the applicant's downloads are refused, naming the office (联络部 in Jiangsu)."""
    office = app.extensions["wxk_profile"].names.office_short
    submitted = world.apps["a_submitted"].id
    client.login("appl_a")
    for url in (f"/admin/documents/form.pdf?id={submitted}", f"/admin/my-application/download/form/?id={submitted}"):
        page = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert f"{office}确认后才能下载申请表和申报材料清单" in page, url


def test_category_and_status_read_as_the_association_says(app, client, world):
    """门类 and 状态 where they are shown: Jiangsu's 文学评论 (national 文学理论评论), 联络部已确认 (national
    会员处已确认), 专家评审中 (national 专家咨询中) — 002 第三条(一)1, (三)."""
    profile = app.extensions["wxk_profile"]
    confirmed, reviewed = (
        make_app(db.session, world, status.value, world.unit_a,
                 make_user(db.session, f"appl_{status.value}", Role.applicant, world.unit_a), status,
                 name=f"评论{i}号", category="criticism")
        for i, status in enumerate((Status.office_confirmed, Status.expert_review)))
    db.session.commit()
    category = profile.category_label("criticism")
    assert category == {"cwa": "文学理论评论", "jiangsu": "文学评论"}[profile.code]
    states = {confirmed: f"{profile.names.office_short}已确认",
              reviewed: {"cwa": "专家咨询中", "jiangsu": "专家评审中"}[profile.code]}
    client.login("office")
    listing = client.get("/admin/applications/").get_data(as_text=True)
    cells = re.findall(r'class="col-category">([^<]*)<', listing)
    assert cells.count(category) >= 2 and set(cells) <= {label for _, label in profile.categories}
    for application, state in states.items():
        assert state in listing
        page = client.get(f"/admin/applications/details/?id={application.id}").get_data(as_text=True)
        assert re.search(rf"<th>门类</th><td>{category}</td>", page), application.name
        assert f'id="status-badge" class="badge badge-{STATUS_BADGE[application.status]}">{state}<' in page
    home = client.get("/admin/").get_data(as_text=True)  # the dashboard's 按门类 chart
    assert f'data-label="{category}"' in home


def test_export_reads_as_the_association_says(app, client, world):
    """申请信息汇总表: the column headers and the 状态 / 门类 cells in the association's words (Jiangsu: 联络部意见,
    联络部确认时间, 联络部已确认, 文学评论 — 002 第三条(一)1)."""
    profile = app.extensions["wxk_profile"]
    applicant = make_user(db.session, "appl_critic", Role.applicant, world.unit_a)
    make_app(db.session, world, "critic", world.unit_a, applicant, Status.office_confirmed, name="评论家",
             category="criticism", office_opinion="同意")
    db.session.commit()
    client.login("office")
    url = "/admin/applications/export/"
    columns = ("name", "status", "category", "office_opinion", "office_confirmed_at")
    r = client.post(url, [("columns", c) for c in columns] + [("format", "xlsx")], token_from=url)
    assert r.mimetype.endswith("spreadsheetml.sheet"), r.get_data(as_text=True)[:300]
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(r.data)).active.iter_rows()]
    header = next(row for row in rows if row[0] == "姓名")
    assert header[1:] == ["状态", "门类", profile.say("会员处意见"), profile.say("会员处确认时间")]
    line = next(row for row in rows if row[0] == "评论家")
    assert line[1:4] == [profile.label(Status.office_confirmed), profile.category_label("criticism"), "同意"]
