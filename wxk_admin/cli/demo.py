"""Demo data: the real national group units, a current cycle, one account per role, ~240 applications
that tell one story (``_Story``): each reached its state through the real domain functions, day by day.

Idempotent: running it again adds nothing that is already there.  ``make_application`` (one application's
rows, any status, no history) is the tests' factory.
"""
from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace
from typing import Callable

import time_machine
from sqlalchemy import func, select
from stdnum.cn import ric

from ..domain import applying, workflow
from ..domain.consultation.materials import mark_material, materials_received
from ..domain.consultation.experts import assign, draw_group, group_of
from ..domain.consultation.recusal import declare_recusal
from ..domain.consultation.voting import cast_vote, close_vote
from ..domain.consultation.secretariat import record_secretariat
from ..domain.consultation.notice import (check_objection, close_notice, decide_objection, open_notice, publish,
                                          record_objection)
from ..domain.consultation.onboarding import record_contact, set_onboarding
from ..domain.consultation.disqualification import disqualify
from .. import profiles, rules
from ..domain.audit import Actor
from ..domain.checks import refresh
from ..domain.cip import demo_record_for, load_demo_cip
from ..enums import (Category, ContactMethod, Eligibility, Gender, OrganisationLevel, OrganisationPost,
                    ProfessionalTitle, PublisherLevel, RecusalReason, Responsibility, Role, Status, Track,
                    VoteChoice)
from ..models import (Application, Book, CipRecord, Cycle, ExpertProfile, GroupUnit, Notice, Publication,
                     Recommender, User, WebWork)

DEMO_PASSWORD = "Wxk-demo-2027"

# SPEC §7: the national association's group members (regional, then industry).
REGIONAL_UNITS = [
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏",
    "陕西", "甘肃", "青海", "宁夏", "新疆", "新疆生产建设兵团", "延边",
]
INDUSTRY_UNITS = ["中国石油", "中国铁路", "中国煤矿", "中国国土", "中国电力", "中国冶金", "中国水利", "中国石化",
                  "中国化工", "全国公安", "中国金融"]

PINYIN_CODES = {
    "北京": "bj", "天津": "tj", "河北": "heb", "山西": "sx", "内蒙古": "nmg", "辽宁": "ln", "吉林": "jl",
    "黑龙江": "hlj", "上海": "sh", "江苏": "js", "浙江": "zj", "安徽": "ah", "福建": "fj", "江西": "jx",
    "山东": "sd", "河南": "hen", "湖北": "hub", "湖南": "hun", "广东": "gd", "广西": "gx", "海南": "hain",
    "重庆": "cq", "四川": "sc", "贵州": "gz", "云南": "yn", "西藏": "xz", "陕西": "shx", "甘肃": "gs",
    "青海": "qh", "宁夏": "nx", "新疆": "xj", "新疆生产建设兵团": "btxj", "延边": "yb",
    "中国石油": "petro", "中国铁路": "rail", "中国煤矿": "coal", "中国国土": "land", "中国电力": "power",
    "中国冶金": "metal", "中国水利": "water", "中国石化": "sinopec", "中国化工": "chem", "全国公安": "police",
    "中国金融": "finance",
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["建国", "秀英", "丽华", "海燕", "志强", "晓明", "春生", "雪梅", "文博", "思远", "晨曦", "子涵", "一鸣",
         "若兰", "浩然", "静怡", "长河", "云帆", "红霞", "立新", "书瑶", "明轩", "月华", "振华", "家乐", "梦琪",
         "天佑", "雨桐", "国庆", "慧敏", "向阳", "冬梅", "青山", "墨白", "清源", "知秋"]
PEN_PREFIX = ["北", "南", "西", "东", "老", "小", "阿", "江", "山", "林", "风", "石"]
PEN_SUFFIX = ["岸", "舟", "野", "禾", "川", "歌", "樵", "鸿", "溪", "默", "苇", "桥"]
TITLE_WORDS = ["河流", "故乡", "灯火", "麦田", "远方", "雪线", "海风", "山歌", "旧事", "城南", "夜航", "草原",
               "长街", "渡口", "春秋", "星辰", "炊烟", "边城", "归途", "铁轨"]
TITLE_SHAPES = ["{a}的{b}", "{a}与{b}", "{a}记", "{a}{b}", "在{a}", "{a}十年", "{a}笔记", "{a}之上"]

def _levels(*, provincial=False, core=False, national_key=False) -> dict:
    """A journal's level properties, as Publication columns (a journal may hold several, issue 13.6)."""
    return {"circulation": "public", "level_provincial": provincial or core or national_key, "level_core": core,
            "level_national_key": national_key}


KEY_CORE, KEY, CORE, PROVINCIAL = (_levels(core=True, national_key=True), _levels(national_key=True),
                                   _levels(core=True), _levels(provincial=True))
JOURNALS = [("人民文学", KEY_CORE), ("收获", KEY_CORE), ("当代", KEY_CORE), ("十月", KEY_CORE), ("花城", KEY_CORE),
            ("钟山", CORE), ("北京文学", PROVINCIAL), ("上海文学", CORE), ("雨花", PROVINCIAL), ("诗刊", KEY_CORE),
            ("星星", PROVINCIAL), ("文艺报", PROVINCIAL), ("某市晚报副刊", _levels()), ("小说选刊", KEY)]
PUBLISHERS = [("人民文学出版社", PublisherLevel.provincial), ("作家出版社", PublisherLevel.provincial),
              ("江苏凤凰文艺出版社", PublisherLevel.provincial), ("上海文艺出版社", PublisherLevel.provincial),
              ("百花文艺出版社", PublisherLevel.provincial), ("长江文艺出版社", PublisherLevel.provincial),
              ("知识出版社", PublisherLevel.provincial), ("某某市文化出版社", PublisherLevel.other)]
STYLES = {Category.novel: ["长篇小说", "中篇小说", "短篇小说"], Category.prose: ["散文", "随笔"],
          Category.poetry: ["新诗", "旧体诗词"], Category.children: ["童话", "儿童小说"],
          Category.web: ["玄幻", "都市", "历史"], Category.reportage: ["报告文学", "纪实文学"],
          Category.criticism: ["文学评论"], Category.translation: ["英译中", "日译中"],
          Category.screenplay: ["电视剧", "电影", "话剧"], Category.editing: ["文学编辑"],
          Category.organisation: ["文学组织"]}
TRACK_OF = {Category.criticism: Track.criticism, Category.translation: Track.translation,
            Category.editing: Track.editing, Category.organisation: Track.organisation}
EMPLOYERS = ["市文联", "省作协创研室", "某中学", "某日报社", "某出版社", "某高校文学院", "某区文化馆", "自由撰稿人"]

DEMO_ACCOUNTS = [
    # username, role, unit code, full name
    ("it", Role.it_admin, None, "系统管理员"),
    ("office", Role.office, None, "创联部会员处"),
    ("unit_bj", Role.unit_admin, "bj", "北京作协管理员"),
    ("unit_js", Role.unit_admin, "js", "江苏作协管理员"),
    ("unit_rail", Role.unit_admin, "rail", "中国铁路作协管理员"),
    ("expert1", Role.expert, None, "评审专家甲"),
    ("expert2", Role.expert, None, "评审专家乙"),
    ("expert3", Role.expert, None, "评审专家丙"),
    ("applicant", Role.applicant, "bj", "李晓明"),
    ("applicant_js", Role.applicant, "js", "周雪梅"),
    ("applicant_direct", Role.applicant, None, "王长河"),
    ("supervisor", Role.supervisor, None, "纪检监察组"),
]


# What waits for each demo account in the story (printed by ``wxk demo``).
NEXT_STEPS = {
    "it": "账户、单位、年度与操作记录",
    "office": "确认并编号、登记纸质材料、随机抽取咨询组、截止投票、登记书记处表决、开始公示、核查异议、办理入会手续",
    "unit_bj": "审核本单位待审核的申请（确认信息 / 驳回申请）",
    "unit_js": "审核本单位待审核的申请（确认信息 / 驳回申请）",
    "unit_rail": "审核本单位待审核的申请（确认信息 / 驳回申请）",
    "expert1": "审读投票：网络文学、影视戏剧编剧咨询组",
    "expert2": "审读投票：网络文学、影视戏剧编剧咨询组",
    "expert3": "审读投票：网络文学、影视戏剧编剧咨询组",
    "supervisor": "只读监督：申请列表与操作记录、咨询组抽取、投票结果、书记处表决、公示与异议处理、审计日志",
    "applicant": "草稿已填写完整，可以提交",
    "applicant_js": "申请已被驳回（见站内信），修改后重新提交",
    "applicant_direct": "已提交，等待会员处审核",
}


def next_step(username: str, profile) -> str:
    """What waits for a demo account, in ``profile``'s words: its office, its labels of the voting 门类."""
    text = NEXT_STEPS.get(username, "—")
    for category in OPEN_CATEGORIES:  # the experts' groups
        text = text.replace(category.label, profile.category_label(category))
    return profile.say(text)

# Real county codes (GB/T 2260) for the ID numbers of demo people: the six ``make_application`` draws from, the
# codes of each story unit's province, and old districts that existed in every birth year the demo draws.
AREA_CODES = ("110101", "320102", "310104", "440106", "510107", "370102")
UNIT_AREAS = {"bj": ("110101", "110102", "110105", "110108"), "js": ("320102", "320104", "320106", "321002"),
              "rail": ("110106", "420106", "610103"), "sh": ("310101", "310104", "310115"),
              "zj": ("330102", "330106"), "sc": ("510104", "510107"), "gd": ("440103", "440106"),
              "petro": ("230602", "110108")}
OLD_AREAS = ("110101", "110102", "120101", "310104")


def id_number(rng: random.Random, birth: dt.date, gender: Gender, areas=AREA_CODES) -> str:
    """A 身份证号 with the GB 11643 check digit, ``birth`` as its birth date and a real county code that
    existed in the birth year (so even ``stdnum``'s strict check passes); another code of ``areas``, then an
    old district, when the drawn one was created later."""
    area = rng.choice(areas)
    odd_even = [1, 3, 5, 7, 9] if gender == Gender.male else [0, 2, 4, 6, 8]
    seq = rng.randint(10, 99) * 10 + rng.choice(odd_even)
    for code in (area, *areas, *OLD_AREAS):
        body = f"{code}{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            break
    return number


def ensure_units(session, profile) -> dict[str, GroupUnit]:
    """The profile's group-member units (协会配置); the story's unit codes (bj, js, rail …) also name the
    profile's ``demo.story_units`` in order, so the story and its accounts run on any association."""
    units = {u.code: u for u in session.scalars(select(GroupUnit))}
    for unit in profile.units:
        if unit.code not in units:
            units[unit.code] = GroupUnit(code=unit.code, name=unit.name, kind=unit.kind, association=profile.code)
            session.add(units[unit.code])
    session.flush()
    for alias, code in zip(STORY_UNITS, profile.story_units):
        units.setdefault(alias, units[code])
    return units


def ensure_cycle(session, today: dt.date, profile) -> Cycle:
    # The year whose window opens next, or opened less than eight months ago (national: from September on,
    # next year's).
    opens = dt.date(today.year, *profile.calendar.fill_start)
    year = today.year + 1 if today >= opens + dt.timedelta(days=243) else today.year
    cycle = session.scalar(select(Cycle).where(Cycle.association == profile.code, Cycle.year == year))
    if cycle is None:
        # The profile's calendar (national: fill 1–2月, paper by 3月底).  The demo window reaches back over the
        # story's two months and forward a month, so the demo applicants can still submit today.
        dates = profile.calendar.dates(year)
        fill_end = max(dates["fill_end"], today + dt.timedelta(days=30))
        cycle = Cycle(association=profile.code, year=year, name=f"{year}年度{profile.names.short}个人会员申请",
                      fill_start=min(dates["fill_start"], today - dt.timedelta(days=STORY_DAYS + 5)),
                      fill_end=fill_end,
                      materials_deadline=max(dates["materials_deadline"], fill_end + dt.timedelta(days=30)),
                      ruleset=profile.rules.ruleset, is_current=True)
        session.add(cycle)
        session.flush()
    return cycle


def ensure_expert_profiles(session, users, today: dt.date, profile) -> None:
    """专家库: the demo experts read every 门类 of the association (in its words), for a three-year term that
    covers today."""
    for username, role, _unit, _name in DEMO_ACCOUNTS:
        user = users.get(username)
        if role != Role.expert or user is None:
            continue
        if session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == user.id)) is None:
            session.add(ExpertProfile(user_id=user.id, categories=",".join(label for _, label in profile.categories),
                                      term_start=today - dt.timedelta(days=365),
                                      term_end=today + dt.timedelta(days=2 * 365), work_unit="某文学研究所"))
    session.flush()


def ensure_accounts(session, units, profile) -> dict[str, User]:
    users = {}
    for username, role, unit_code, full_name in DEMO_ACCOUNTS:
        user = session.scalar(select(User).where(User.username == username))
        if role == Role.office:
            full_name = profile.names.office
        elif role == Role.unit_admin and profile.code != profiles.DEFAULT:
            full_name = f"{units[unit_code].name}管理员"
        if user is None:
            user = User(username=username, role=role, full_name=full_name,
                        unit_id=units[unit_code].id if unit_code else None, active=True)
            user.set_password(DEMO_PASSWORD)
            session.add(user)
        users[username] = user
    session.flush()
    return users


def _title(rng: random.Random) -> str:
    a, b = rng.sample(TITLE_WORDS, 2)
    return rng.choice(TITLE_SHAPES).format(a=a, b=b)


def _isbn13(rng: random.Random) -> str:
    body = "9787" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def make_application(rng: random.Random, cycle: Cycle, unit: GroupUnit | None, applicant: User,
                     status: Status, now: dt.datetime, name: str | None = None) -> Application:
    gender = rng.choice(list(Gender))
    birth = dt.date(rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28))
    category = rng.choice(list(Category))
    name = name or rng.choice(SURNAMES) + rng.choice(GIVEN)
    app = Application(
        cycle_id=cycle.id, unit_id=unit.id if unit else None, applicant_id=applicant.id, status=status,
        name=name, pen_name=rng.choice(PEN_PREFIX) + rng.choice(PEN_SUFFIX) if rng.random() < 0.6 else None,
        gender=gender, ethnicity=rng.choice(["汉族"] * 8 + ["回族", "蒙古族", "满族", "朝鲜族"]), birth_date=birth,
        id_number=id_number(rng, birth, gender), political_status=rng.choice(["中共党员", "群众", "民盟盟员"]),
        education=rng.choice(["本科", "硕士研究生", "博士研究生", "大专"]),
        employer_and_post=rng.choice(EMPLOYERS) + rng.choice(["职员", "主任", "副主编", "教师", ""]),
        professional_title=rng.choice(list(ProfessionalTitle)),
        mobile="1" + rng.choice("3589") + "".join(str(rng.randint(0, 9)) for _ in range(9)),
        email=f"writer{rng.randint(1000, 99999)}@example.cn", address="某省某市某区文化路 1 号",
        postcode=f"{rng.randint(100000, 850000)}", household_registration=unit.name[:2] if unit else "北京",
        track=TRACK_OF.get(category, Track.creation), category=category, style=rng.choice(STYLES[category]),
        editing_years=rng.randint(3, 20) if category == Category.editing else None,
        organisation_years=rng.randint(2, 12) if category == Category.organisation else None,
    )
    for i in range(rng.randint(1, 3)):
        publisher, level = rng.choice(PUBLISHERS)
        app.books.append(Book(position=i, title=_title(rng), publisher=publisher, publisher_level=level,
                              published_on=dt.date(rng.randint(2008, 2025), rng.randint(1, 12), 1),
                              isbn=_isbn13(rng), cip_no=f"{rng.randint(2008, 2025)}{rng.randint(1, 300000):06d}",
                              word_count_k=rng.randint(80, 450),
                              responsibility=rng.choice([Responsibility.sole] * 6 + [Responsibility.co,
                                                                                    Responsibility.edited]),
                              is_literary=rng.random() > 0.08))
    for i in range(rng.randint(2, 6)):
        journal, level = rng.choice(JOURNALS)
        app.publications.append(Publication(
            position=i, title=_title(rng), venue=journal, **level, issue=f"{rng.randint(2012, 2025)}年第{rng.randint(1, 12)}期",
            genre=rng.choice(["小说", "散文", "诗歌", "评论"]), word_count=rng.randint(5, 60) * 1000))
    if category == Category.web:
        app.web_works.append(WebWork(title=_title(rng), site=rng.choice(["起点中文网", "晋江文学城", "纵横中文网"]),
                                     word_count=rng.randint(50, 400) * 10000,
                                     avg_subscriptions=rng.randint(500, 20000), completed=rng.random() > 0.3))
    if unit is None:
        for i in range(2):
            app.recommenders.append(Recommender(position=i, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                                member_no=f"{rng.randint(1, 15000):05d}", employer="某出版社"))
    app.materials.extend(workflow.checklist(cycle.association))  # the association's 申报材料清单 (profile materials)
    if status != Status.draft:
        app.submitted_at = now - dt.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
    if status == Status.rejected:
        app.reject_reasons = "发表作品字数不足"
    if status not in (Status.draft, Status.submitted, Status.rejected):
        app.unit_opinion = "团体会员确认信息"
        app.unit_confirmed_at = min(app.submitted_at + dt.timedelta(days=2), now)
    return app


# ---------------------------------------------------------------- the story of the demo cycle

STORY_DAYS = 60  # the first submission is this many days before today; the last step was yesterday
STORY_UNITS = ("bj", "js", "rail", "sh", "zj", "sc", "gd", "petro")
# Which 门类 get how far: groups drawn and their vote closed; a group drawn and voting; paper in, no group yet.
CLOSED_CATEGORIES = frozenset({Category.novel, Category.prose, Category.poetry, Category.children,
                               Category.reportage, Category.criticism})
OPEN_CATEGORIES = frozenset({Category.web, Category.screenplay})
UNGROUPED_CATEGORIES = frozenset({Category.editing, Category.organisation})
# Where the applications of the closed-vote 门类 end (shuffled among them): the later stages, each populated.
CLOSED_FATES = (["admitted"] * 10 + ["objection_upheld"] + ["on_notice"] * 8 + ["approved"] * 8
                + ["secretariat_rejected"] * 4 + ["expert_passed"] * 10 + ["expert_failed"] * 6)
_NOBODY = SimpleNamespace(id=None)  # the applicant of a candidate draft not yet chosen


class _Story:
    """The demo cycle's two months, told day by day through the domain functions, the clock set to each day.

    Every application is typed in as a draft; everything after that — submission, the unit's confirmation or
    rejection, the office's number, the paper, groups, recusals, votes, the secretariat, the notice and its
    objections, publication, onboarding — is a real call, so each status has its history, 站内信 and objects,
    and every refusal the product would give stops the demo instead of producing an impossible row.
    """

    def __init__(self, session, rng: random.Random, cycle: Cycle, units: dict, users: dict, today: dt.date):
        self.s, self.rng, self.cycle, self.units, self.today = session, rng, cycle, units, today
        self.office = Actor(users["office"])
        self.experts = [users[f"expert{i}"] for i in (1, 2, 3)]
        self.admins = {}
        for code in STORY_UNITS:  # units without a demo admin get one who cannot log in, to act in the story
            unit = units[code]
            admin = session.scalar(select(User).where(User.unit_id == unit.id, User.role == Role.unit_admin))
            if admin is None:
                admin = User(username=f"unit_{code}", role=Role.unit_admin, full_name=f"{unit.name}管理员",
                             unit_id=unit.id, active=True, password_hash="!")
                session.add(admin)
            self.admins[unit.id] = admin
        session.flush()
        self.events: list[tuple[dt.datetime, int, Callable[[], object]]] = []
        self.apps: list[Application] = []
        self.cip_variant: dict[Application, str] = {}
        self.cip_missing: set[Application] = set()
        self.notices: dict[str, Notice] = {}
        self.objections: dict[int, int] = {}
        self.turn = 0

    # ---- time and events

    def at(self, days_ago: float, minutes: int = 0) -> dt.datetime:
        """09:00 ``days_ago`` days before today, plus ``minutes`` (kept within the working day)."""
        return (dt.datetime.combine(self.today - dt.timedelta(days=int(days_ago)), dt.time(9))
                + dt.timedelta(minutes=minutes % 480))

    def on(self, when: dt.datetime, action, *args, **kwargs) -> None:
        self.events.append((when, len(self.events), lambda: action(*args, **kwargs)))

    def run(self) -> None:
        for when, _, action in sorted(self.events, key=lambda e: e[:2]):
            with time_machine.travel(when.replace(tzinfo=dt.timezone.utc), tick=False):
                action()
                self.s.flush()

    # ---- people and their drafts

    def next_unit(self) -> str | None:
        self.turn += 1
        return None if self.turn % 12 == 5 else STORY_UNITS[self.turn % len(STORY_UNITS)]

    def draft(self, created: dt.datetime, unit_code: str | None = "next", *, categories=None, need: str | None = None,
              applicant: User | None = None, name: str | None = None) -> Application:
        """A draft as its applicant typed it.  ``need``: "clean" — 资格初审 not 不符合条件 and only sole-authored
        literary books (nothing for the unit to doubt: it goes past the unit); "not_eligible" — 不符合条件."""
        unit_code = self.next_unit() if unit_code == "next" else unit_code
        unit = self.units[unit_code] if unit_code else None
        for _ in range(2000):
            app = make_application(self.rng, self.cycle, unit, _NOBODY, Status.draft, created, name=name)
            if app.track == Track.organisation:  # the fields this track must fill (make_application leaves them)
                app.organisation_level = self.rng.choice(list(OrganisationLevel))
                app.organisation_post = self.rng.choice(list(OrganisationPost))
            if categories and app.category not in categories:
                continue
            if need == "clean" and any(b.responsibility != Responsibility.sole or not b.is_literary for b in app.books):
                continue
            outcome = rules.evaluate(app, self.cycle.ruleset).outcome if need else None
            if need == "clean" and outcome == Eligibility.not_eligible:
                continue
            if need == "not_eligible" and outcome != Eligibility.not_eligible:
                continue
            break
        else:
            raise RuntimeError("演示数据：抽不到符合要求的申请")
        app.id_number = id_number(self.rng, app.birth_date, app.gender, UNIT_AREAS.get(unit_code, OLD_AREAS))
        for book in app.books:  # nothing published after the day it was typed
            if book.published_on >= created.date():
                book.published_on = book.published_on.replace(year=created.year - 1)
        if applicant is None:
            applicant = User(username=f"demo{len(self.apps) + 1:04d}", role=Role.applicant, full_name=app.name,
                             unit_id=unit.id if unit else None, active=True, password_hash="!",  # cannot log in
                             created_at=created)
        app.applicant = applicant
        app.created_at = app.updated_at = created
        self.s.add(app)  # flushed with all the others (one batch of INSERTs per table)
        self.apps.append(app)
        return app

    def cip_records(self) -> None:
        """CIP data for every book (the demo never calls a remote source): matching, except the variants chosen
        for some applications' first book and the last book of the drafts meant to be blocked (未查到)."""
        seen_cip = set(self.s.scalars(select(CipRecord.cip_no)))
        seen_isbn = set(self.s.scalars(select(CipRecord.isbn)))
        for app in self.apps:
            for book in app.books:
                if app in self.cip_missing and book.position == len(app.books) - 1:
                    continue
                while book.cip_no in seen_cip or book.isbn in seen_isbn:  # two demo books never share a number
                    book.cip_no = f"{self.rng.randint(2008, 2025)}{self.rng.randint(1, 300000):06d}"
                    book.isbn = _isbn13(self.rng)
                variant = self.cip_variant.get(app, "match") if book.position == 0 else "match"
                record_ = demo_record_for(book, app, variant)
                seen_cip.add(record_.cip_no)
                seen_isbn.add(record_.isbn)
                self.s.add(record_)
        self.s.flush()

    # ---- the steps (each one real call)

    def admin(self, app: Application):
        return Actor(self.admins[app.unit_id])

    def submit(self, app: Application) -> None:
        applying.submit(self.s, app, Actor(app.applicant))

    def transition(self, app: Application, name: str, actor, opinion: str | None = None) -> None:
        workflow.apply(self.s, app, name, actor, opinion=opinion)

    def unit_confirm(self, when: dt.datetime, app: Application) -> None:
        if app.unit_id is not None:  # 直接申报: no unit, the office is the first review
            self.on(when, self.transition, app, "unit_confirm", self.admin(app))

    def office_confirm(self, when: dt.datetime, app: Application) -> None:
        self.on(when, self.transition, app, "office_confirm" if app.unit_id else "direct_confirm", self.office)

    def reject(self, when: dt.datetime, app: Application, reason: str) -> None:
        if app.unit_id is None:
            self.on(when, self.transition, app, "direct_reject", self.office, reason)
        else:
            self.on(when, self.transition, app, "unit_reject", self.admin(app), reason)

    def mark(self, app: Application, actor, every_item: bool = True) -> None:
        for item in app.materials if every_item else app.materials[:-1]:
            mark_material(self.s, actor, item.id, received=True, on=dt.date.today())

    def papers(self, app: Application, unit_day: dt.datetime | None, office_day: dt.datetime | None,
               every_item: bool = True) -> None:
        """The paper reaches the unit (unit route), then the office (all of it, or all but the last item)."""
        if unit_day and app.unit_id is not None:
            self.on(unit_day, self.mark, app, self.admin(app))
        if office_day:
            self.on(office_day, self.mark, app, self.office, every_item)

    @staticmethod
    def done(result) -> None:
        if result.refused:
            raise RuntimeError(f"演示数据：操作被拒绝 {result.refused}")

    def materials_received(self, apps) -> None:
        self.done(materials_received(self.s, self.office, [a.id for a in apps]))

    def draw_and_assign(self, categories) -> None:
        for category in sorted(categories, key=lambda c: c.value):
            draw_group(self.s, self.office, self.cycle, category, len(self.experts),
                       seed=f"{self.cycle.year}-{category.value}")
            self.done(assign(self.s, self.office, self.cycle, category=category))

    def vote(self, expert: User, app: Application, choice, note: str | None = None) -> None:
        cast_vote(self.s, Actor(expert), app.id, choice, note)

    def recuse(self, expert: User, app: Application) -> None:
        declare_recusal(self.s, Actor(expert), app.id, RecusalReason.other, "曾为该申请者的作品集撰写序言")

    def close_votes(self, categories) -> None:
        for category in sorted(categories, key=lambda c: c.value):
            close_vote(self.s, self.office, group_of(self.s, self.cycle.id, category))

    def secretariat(self, app: Application, approve: bool) -> None:
        votes = {"in_favour": 13, "against": 1, "abstain": 1} if approve else {"in_favour": 5, "against": 8,
                                                                               "abstain": 2}
        record_secretariat(self.s, self.office, app.id, present=15, **votes)

    def open_notice(self, key: str, apps) -> None:
        self.notices[key] = open_notice(self.s, self.office, self.cycle, dt.date.today(),
                                        ids=[a.id for a in apps])

    def object(self, app: Application, reporter: str, content: str) -> None:
        self.objections[app.id] = record_objection(self.s, self.office, app.id, reporter, content).id

    def settle_objection(self, app: Application, note: str, upheld: bool) -> None:
        check_objection(self.s, self.office, self.objections[app.id], note)
        decide_objection(self.s, self.office, self.objections[app.id], upheld)

    def close_notice(self, key: str) -> None:
        self.done(close_notice(self.s, self.office, self.notices[key]))

    def publish(self, key: str) -> None:
        publish(self.s, self.office, self.notices[key])

    def onboard(self, app: Application, via, all_done: bool) -> None:
        record_contact(self.s, self.office, app.id, via)
        set_onboarding(self.s, self.office, app.id, registration_form_done=True, photos_received=all_done,
                       dues_paid=all_done)

    def disqualify(self, app: Application) -> None:
        disqualify(self.s, self.office, app.id, reasons=("弄虚作假",), detail="经核实，所附发表作品复印件系伪造")

    # ---- the story

    def tell(self, total: int, users: dict) -> int:
        at, on = self.at, self.on
        passed, failed = VoteChoice.passed, VoteChoice.failed

        # 1. Applications whose 门类's group has met and closed its vote: the whole way, up to the new members.
        fates = list(CLOSED_FATES)
        self.rng.shuffle(fates)
        closed = [(self.draft(at(STORY_DAYS + 2), categories=CLOSED_CATEGORIES, need="clean"), fate)
                  for fate in fates]
        for i, (app, fate) in enumerate(closed):
            on(at(STORY_DAYS - i * 11 // len(closed), i * 37), self.submit, app)
            self.unit_confirm(at(45, i * 7), app)
            self.office_confirm(at(43, i * 7), app)
            self.papers(app, at(42, i * 5), at(40, i * 5))
        on(at(39), self.materials_received, [a for a, _ in closed])
        on(at(36), self.draw_and_assign, {a.category for a, _ in closed})
        recused = next(a for a, fate in closed if fate == "admitted")
        on(at(36, 60), self.recuse, self.experts[2], recused)
        for i, (app, fate) in enumerate(closed):
            good = fate != "expert_failed"
            choices = ([passed, passed, failed if i % 4 == 0 else passed] if good
                       else [failed, failed, passed if i % 2 else failed])
            for e, (expert, choice) in enumerate(zip(self.experts, choices)):
                if not (app is recused and e == 2):
                    on(at(35 - i % 6, 90 + e * 60 + i), self.vote, expert, app, choice,
                       "作品语言扎实，创作成绩符合入会条件" if choice == passed else "发表作品数量和影响尚显不足")
        on(at(27), self.close_votes, {a.category for a, _ in closed})
        by_fate = {}
        for app, fate in closed:
            by_fate.setdefault(fate, []).append(app)
        first_notice = by_fate["admitted"] + by_fate["objection_upheld"]
        for i, app in enumerate(first_notice + by_fate["secretariat_rejected"]):
            on(at(23, i), self.secretariat, app, app not in by_fate["secretariat_rejected"])
        on(at(22), self.open_notice, "first", first_notice)
        on(at(20), self.object, by_fate["objection_upheld"][0], "群众来信",
           "反映其发表作品中有两篇与他人作品高度雷同")
        on(at(20, 30), self.object, by_fate["admitted"][0], "匿名电话", "反映其工作单位填写有误")
        on(at(18), self.settle_objection, by_fate["objection_upheld"][0], "经比对原刊，两篇作品确系抄袭", True)
        on(at(18, 30), self.settle_objection, by_fate["admitted"][0], "经与所在单位核实，填写无误", False)
        on(at(15), self.close_notice, "first")
        on(at(14), self.publish, "first")
        for i, app in enumerate(by_fate["admitted"][:6]):
            on(at(13 - i, i * 20), self.onboard, app, ContactMethod.phone if i % 2 else ContactMethod.sms, i < 4)
        second = by_fate["on_notice"] + by_fate["approved"]
        for i, app in enumerate(second):
            on(at(9, i), self.secretariat, app, True)
        on(at(5), self.open_notice, "second", by_fate["on_notice"])
        on(at(2), self.object, by_fate["on_notice"][0], "读者来信", "反映其代表作品的出版时间与申报不符")

        # 2. A 门类 whose group was drawn ten days ago and is voting: expert1 still has most to read.
        voting = [self.draft(at(STORY_DAYS), categories=OPEN_CATEGORIES, need="clean") for _ in range(15)]
        for i, app in enumerate(voting):
            on(at(52 - i * 10 // len(voting), i * 29), self.submit, app)
            self.unit_confirm(at(38, i * 7), app)
            self.office_confirm(at(37, i * 7), app)
            self.papers(app, at(35, i * 5), at(33, i * 5))
        on(at(32), self.materials_received, voting)
        on(at(12), self.draw_and_assign, {a.category for a in voting})
        on(at(9), self.recuse, self.experts[0], voting[-1])
        for i, app in enumerate(voting):
            for e, count in ((1, 11), (2, 8), (0, 3)):
                if i < count:
                    on(at(11 - i % 5, 60 * e + i), self.vote, self.experts[e], app, failed if i % 5 == 3 else passed)

        # 3. Paper complete, no group drawn yet for their 门类: the office's next step is 随机抽取.
        waiting = [self.draft(at(STORY_DAYS), categories=UNGROUPED_CATEGORIES, need="clean") for _ in range(15)]
        for i, app in enumerate(waiting):
            on(at(50 - i * 8 // len(waiting), i * 31), self.submit, app)
            self.unit_confirm(at(34, i * 7), app)
            self.office_confirm(at(31, i * 7), app)
            self.papers(app, at(30, i * 5), at(26, i * 5))
        on(at(25), self.materials_received, waiting)

        # 4. Numbered, the paper on its way: none yet, at the unit, or at the office (ready for 材料已收齐,
        #    or one item short).  One is disqualified: its copies were forged.
        numbered = [self.draft(at(STORY_DAYS), need="clean") for _ in range(31)]
        for i, app in enumerate(numbered):
            submitted = 40 - i * 15 // len(numbered)
            on(at(submitted, i * 23), self.submit, app)
            self.unit_confirm(at(submitted - 2, i * 11), app)
            self.office_confirm(at(18 - i * 6 // len(numbered), i * 13), app)
            if i % 3:
                self.papers(app, at(8, i * 5), at(4, i * 5) if i % 3 == 2 else None, every_item=i % 6 != 5)
        on(at(6), self.disqualify, numbered[0])

        # 5. Confirmed by the unit, waiting for the office's number; one sent back to its unit.
        confirmed = [self.draft(at(STORY_DAYS), need="clean") for _ in range(36)]
        for i, app in enumerate(confirmed):
            submitted = 30 - i * 24 // len(confirmed)
            on(at(submitted, i * 17), self.submit, app)
            self.unit_confirm(at(max(1, submitted - 1 - i % 3), i * 13), app)
        returned = next(a for a in confirmed if a.unit_id is not None)
        on(at(1, 300), self.transition, returned, "office_return", self.office,
           "推荐意见不完整，请团体会员核实后重新确认")

        # 6. Rejected: by their units (the guide's common reasons), one by the office (direct route), and
        #    applicant_js, whose first book's CIP data say it is not literature.  One was corrected and resubmitted.
        reasons, other, reason = workflow.REJECT_REASONS, workflow.OTHER_REASON, workflow.compose_reason
        for i in range(9):
            not_eligible = i % 3 == 0
            app = self.draft(at(STORY_DAYS), need="not_eligible" if not_eligible else None)
            on(at(28 - i * 2, i * 19), self.submit, app)
            why = reasons[0] if not_eligible else reasons[1 + i % (len(reasons) - 1)]
            self.reject(at(26 - i * 2, i * 19), app, why)
        direct = self.draft(at(STORY_DAYS), None)
        on(at(16), self.submit, direct)
        self.reject(at(14), direct, reason([reasons[5], other], "推荐人会员证号与会员库不符"))
        js = self.draft(at(20), "js", applicant=users["applicant_js"], name="周雪梅")
        self.cip_variant[js] = "nonliterary"
        on(at(12, 40), self.submit, js)
        self.reject(at(10, 90), js, reason([reasons[2], other], "第一部出版专集的 CIP 中图分类号不属文学类，请核对后重新提交"))
        again = self.draft(at(STORY_DAYS), "bj")
        on(at(20), self.submit, again)
        self.reject(at(18), again, reasons[4])
        on(at(15), self.submit, again)

        # 7. Submitted, waiting for their unit (or, direct, the office); a few with CIP data to verify.
        own = self.draft(at(10), None, applicant=users["applicant_direct"], name="王长河")
        self.cip_variant[own] = "publisher"
        on(at(6, 100), self.submit, own)
        rest = max(10, total - len(self.apps) - 15)  # the 15 drafts below come last
        for i in range(rest):
            app = self.draft(at(STORY_DAYS))
            if i % 7 == 3:
                self.cip_variant[app] = ("edited", "nonliterary", "publisher")[i % 3]
            on(at(20 - i * 19 // rest, i * 13), self.submit, app)

        # 8. Drafts: the demo applicant's, complete (his next step is 提交); some half typed; some with a
        #    book the CIP data do not know (submission is refused until it is corrected).
        mine = self.draft(at(3), "bj", applicant=users["applicant"], name="李晓明")
        self.cip_variant[mine] = "edited"
        for i in range(14):
            app = self.draft(at(30 - i * 2))
            if i % 3 == 0:
                app.mobile = app.address = app.employer_and_post = None
            elif i % 3 == 1:
                self.cip_missing.add(app)

        # Derived data as every save path computes it (资格初审, CIP flag), then the two months, day by day.
        self.s.flush()
        self.cip_records()
        for app in self.apps:
            refresh(self.s, app)
        self.run()
        return len(self.apps)


def load(session, today: dt.date | None = None, applications: int = 240, profile=None) -> dict:
    """Load the demo of ``profile``'s association (协会配置; national by default); returns what was created."""
    today = today or dt.date.today()
    profile = profile or profiles.of(None)
    units = ensure_units(session, profile)
    cycle = ensure_cycle(session, today, profile)
    users = ensure_accounts(session, units, profile)
    ensure_expert_profiles(session, users, today, profile)  # 专家库 (issue 8)
    existing = session.scalar(select(func.count(Application.id)).where(Application.cycle_id == cycle.id))
    created = 0
    if not existing:
        created = _Story(session, random.Random(2027), cycle, units, users, today).tell(applications, users)
    load_demo_cip(session)  # the demo CIP table (issue 5); nothing when the story made it
    session.commit()
    return {"cycle": cycle, "units": len(set(units.values())), "applications_created": created,
            "accounts": [(name, role, units[code].code if code else None, users[name].full_name)
                         for name, role, code, _ in DEMO_ACCOUNTS],
            "password": DEMO_PASSWORD}
