"""Demo data: the real national group units, a current cycle, one account per role, ~240 applications.

Idempotent: running it again adds nothing that is already there.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from .enums import (Category, Gender, ProfessionalTitle, PublisherLevel, Responsibility, Role, Status, Track,
                    UnitKind, VenueLevel)
from .models import (Application, Book, Cycle, GroupUnit, MaterialItem, Publication, Recommender, User, WebWork,
                     utcnow)

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
JOURNALS = [("人民文学", VenueLevel.national_key), ("收获", VenueLevel.national_key), ("当代", VenueLevel.core),
            ("十月", VenueLevel.national_key), ("花城", VenueLevel.core), ("钟山", VenueLevel.core),
            ("北京文学", VenueLevel.provincial), ("上海文学", VenueLevel.provincial),
            ("雨花", VenueLevel.provincial), ("诗刊", VenueLevel.national_key), ("星星", VenueLevel.provincial),
            ("文艺报", VenueLevel.provincial), ("某市晚报副刊", VenueLevel.public),
            ("小说选刊", VenueLevel.national_key)]
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

# Target spread of statuses (count each) for the demo cycle; the rest are submitted.
STATUS_SPREAD = [
    (Status.draft, 15), (Status.rejected, 12), (Status.unit_confirmed, 35), (Status.office_confirmed, 30),
    (Status.materials_received, 15), (Status.expert_review, 15), (Status.expert_passed, 10),
    (Status.expert_failed, 6), (Status.secretariat_approved, 8), (Status.secretariat_rejected, 4),
    (Status.on_notice, 8), (Status.admitted, 10), (Status.disqualified, 2),
]
NUMBERED = {Status.office_confirmed, Status.materials_received, Status.expert_review, Status.expert_passed,
            Status.expert_failed, Status.secretariat_approved, Status.secretariat_rejected, Status.on_notice,
            Status.admitted, Status.disqualified}

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
]


def id_number(rng: random.Random, birth: dt.date, gender: Gender) -> str:
    """A syntactically valid 18-digit ID (GB 11643 check digit) for demo people."""
    area = rng.choice(["110101", "320102", "310104", "440106", "510107", "370102"])
    seq = rng.randint(10, 99) * 10 + (rng.choice([1, 3, 5, 7, 9]) if gender == Gender.male else rng.choice([0, 2, 4, 6, 8]))
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


def ensure_units(session) -> dict[str, GroupUnit]:
    units = {u.code: u for u in session.scalars(select(GroupUnit))}
    for names, kind in ((REGIONAL_UNITS, UnitKind.regional), (INDUSTRY_UNITS, UnitKind.industry)):
        for name in names:
            code = PINYIN_CODES[name]
            if code not in units:
                units[code] = GroupUnit(code=code, name=f"{name}作家协会" if kind == UnitKind.regional
                                        else f"{name}作家协会", kind=kind, association="cwa")
                session.add(units[code])
    session.flush()
    return units


def ensure_cycle(session, today: dt.date) -> Cycle:
    year = today.year + 1 if today.month >= 9 else today.year
    cycle = session.scalar(select(Cycle).where(Cycle.association == "cwa", Cycle.year == year))
    if cycle is None:
        # National rules: fill 1–2月, paper by 3月底.  The demo window is extended to include today.
        cycle = Cycle(association="cwa", year=year, name=f"{year}年度中国作协个人会员申请",
                      fill_start=min(dt.date(year, 1, 1), today - dt.timedelta(days=30)),
                      fill_end=dt.date(year, 2, 28), materials_deadline=dt.date(year, 3, 31),
                      ruleset="cwa-2022", is_current=True)
        session.add(cycle)
        session.flush()
    return cycle


def ensure_expert_profiles(session, users, today: dt.date) -> None:
    """专家库: the demo experts read every 门类, for a three-year term that covers today."""
    from .models import ExpertProfile

    for username, role, _unit, _name in DEMO_ACCOUNTS:
        user = users.get(username)
        if role != Role.expert or user is None:
            continue
        if session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == user.id)) is None:
            session.add(ExpertProfile(user_id=user.id, categories=",".join(c.label for c in Category),
                                      term_start=today - dt.timedelta(days=365),
                                      term_end=today + dt.timedelta(days=2 * 365), work_unit="某文学研究所"))
    session.flush()


def ensure_accounts(session, units) -> dict[str, User]:
    users = {}
    for username, role, unit_code, full_name in DEMO_ACCOUNTS:
        user = session.scalar(select(User).where(User.username == username))
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
            position=i, title=_title(rng), venue=journal, venue_level=level, issue=f"{rng.randint(2012, 2025)}年第{rng.randint(1, 12)}期",
            genre=rng.choice(["小说", "散文", "诗歌", "评论"]), word_count=rng.randint(5, 60) * 1000))
    if category == Category.web:
        app.web_works.append(WebWork(title=_title(rng), site=rng.choice(["起点中文网", "晋江文学城", "纵横中文网"]),
                                     word_count=rng.randint(50, 400) * 10000,
                                     avg_subscriptions=rng.randint(500, 20000), completed=rng.random() > 0.3))
    if unit is None:
        for i in range(2):
            app.recommenders.append(Recommender(position=i, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                                member_no=f"{rng.randint(1, 15000):05d}", employer="某出版社"))
    items = ["入会申请表", "代表作品原件", "发表作品复印件"] + (["获奖证书复印件"] if app.awards else [])
    for i, item in enumerate(items):
        app.materials.append(MaterialItem(position=i, name=item, copies=2 if i == 0 else 1))
    if status != Status.draft:
        app.submitted_at = now - dt.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
    if status == Status.rejected:
        app.reject_reasons = "发表作品字数不足"
    if status not in (Status.draft, Status.submitted, Status.rejected):
        app.unit_opinion = "团体会员确认信息"
        app.unit_confirmed_at = min(app.submitted_at + dt.timedelta(days=2), now)
    return app


def load(session, today: dt.date | None = None, applications: int = 240) -> dict:
    """Load the demo; returns what was created (for the CLI to print)."""
    today = today or dt.date.today()
    rng = random.Random(2027)
    units = ensure_units(session)
    cycle = ensure_cycle(session, today)
    users = ensure_accounts(session, units)
    ensure_expert_profiles(session, users, today)  # 专家库 (issue 8)
    existing = session.scalar(select(func.count(Application.id)).where(Application.cycle_id == cycle.id))
    created = 0
    if not existing:
        now = utcnow()
        demo_units = [units[c] for c in ("bj", "js", "rail", "sh", "zj", "sc", "gd", "petro")]
        statuses = [s for s, n in STATUS_SPREAD for _ in range(n)]
        statuses += [Status.submitted] * max(0, applications - len(statuses))
        rng.shuffle(statuses)
        # The demo applicants' own applications first, so their home pages show something.
        own = [(users["applicant"], units["bj"], Status.submitted, "李晓明"),
               (users["applicant_js"], units["js"], Status.rejected, "周雪梅"),
               (users["applicant_direct"], None, Status.submitted, "王长河")]
        for applicant, unit, status, name in own:
            session.add(make_application(rng, cycle, unit, applicant, status, now, name=name))
            created += 1
        for index, status in enumerate(statuses):
            unit = None if index % 25 == 0 else demo_units[index % len(demo_units)]
            person = User(username=f"demo{index:04d}", role=Role.applicant, full_name="", active=True,
                          unit_id=unit.id if unit else None, password_hash="!")  # cannot log in
            session.add(person)
            session.flush()
            app = make_application(rng, cycle, unit, person, status, now)
            person.full_name = app.name
            session.add(app)
            created += 1
        session.flush()
        numbered = session.scalars(select(Application).where(Application.cycle_id == cycle.id,
                                                             Application.status.in_(NUMBERED))
                                   .order_by(Application.submitted_at, Application.id)).all()
        for seq, app in enumerate(numbered, start=1):
            app.serial_seq = seq
            app.serial_no = f"{cycle.year}-{seq:06d}"
            app.office_confirmed_at = min((app.unit_confirmed_at or app.submitted_at) + dt.timedelta(days=3), now)
            app.office_opinion = "会员处确认"
        cycle.serial_counter = len(numbered)
    from .cip import load_demo_cip  # the demo CIP table (issue 5)
    load_demo_cip(session)
    if created:  # derived data (资格初审, CIP flag), as every save path computes it
        from .checks import refresh
        for app in session.scalars(select(Application).where(Application.cycle_id == cycle.id)):
            refresh(session, app)
    session.commit()
    return {"cycle": cycle, "units": len(units), "applications_created": created, "accounts": DEMO_ACCOUNTS,
            "password": DEMO_PASSWORD}
