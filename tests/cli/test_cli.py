"""Issue 2.7 — ``flask --app wsgi wxk demo | create-user | import-units`` through Flask's CLI runner."""
from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from wxk_admin import profiles
from wxk_admin.cli.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, NEXT_STEPS
from wxk_admin.enums import Role, Status, UnitKind
from wxk_admin.models import Application, AuditEvent, Cycle, GroupUnit, User, db

from ..support.helpers import Client, redirect_target
from ..views.test_menus import EXPECTED_MENU, FOUNDATION_MENU, menu_entries

# SPEC §7: the national association's group members named in the specification.
SPEC_REGIONAL = ("北京、天津、河北、山西、内蒙古、辽宁、吉林、黑龙江、上海、江苏、浙江、安徽、福建、江西、山东、河南、"
                 "湖北、湖南、广东、广西、海南、重庆、四川、贵州、云南、西藏、陕西、甘肃、青海、宁夏、新疆、"
                 "新疆生产建设兵团、延边").split("、")
SPEC_INDUSTRY = "中国石油、中国铁路、中国煤矿、中国国土、中国电力、中国冶金、中国水利、中国石化、中国化工、全国公安、中国金融".split("、")

STRONG = "Hongloumeng-1791"


def wxk(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["wxk", *args], input=input)


def output(result) -> str:
    """stdout and stderr together (Click's runner mixes them into ``output``)."""
    return result.output or ""


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Application, User, GroupUnit, Cycle)}


# ---------------------------------------------------------------- wxk demo


def test_demo_loads_a_realistic_console_is_idempotent_and_every_account_logs_in(app, ctx, profile):
    result = wxk(app, "demo")
    assert result.exit_code == 0, output(result)
    text = output(result)
    assert DEMO_PASSWORD in text
    for username, _role, _unit, _name in DEMO_ACCOUNTS:
        assert username in text
        assert username in NEXT_STEPS, f"demo.NEXT_STEPS: what waits for {username} in the demo story?"
        # in the association's words: its office, its name of the 编剧 门类 (Jiangsu: 等待联络部审核, 编剧咨询组)
        step = profile.say(NEXT_STEPS[username]).replace("影视戏剧编剧", profile.category_label("screenplay"))
        assert f"下一步：{step}" in text
    first = counts()

    # ≥ 200 applications over every status, several units and categories.
    assert first["applications"] >= 200
    statuses = set(db.session.scalars(select(Application.status).distinct()))
    assert statuses == set(Status)
    units_used = db.session.scalar(select(func.count(func.distinct(Application.unit_id))))
    assert units_used >= 4
    assert db.session.scalar(select(func.count(func.distinct(Application.category)))) >= 5
    assert db.session.scalar(select(func.count(Application.id)).where(Application.unit_id.is_(None))) >= 1
    # Serial numbers are unique per cycle and only on office-confirmed applications.
    serials = list(db.session.scalars(select(Application.serial_no).where(Application.serial_no.is_not(None))))
    assert len(serials) == len(set(serials)) > 0
    assert db.session.scalar(select(func.count(Application.id)).where(
        Application.status.in_([Status.draft, Status.submitted, Status.rejected]),
        Application.serial_no.is_not(None))) == 0

    # One account per role; at least two unit admins of different units.
    roles = set(db.session.scalars(select(User.role).where(User.username.in_([a[0] for a in DEMO_ACCOUNTS]))))
    assert roles == set(Role)
    admin_units = set(db.session.scalars(select(User.unit_id).where(User.role == Role.unit_admin)))
    assert len(admin_units - {None}) >= 2

    # The deployment's units (协会配置), and the national profile's are the real national list (SPEC §7).
    units = {(u.code, u.name, u.kind, u.association) for u in db.session.scalars(select(GroupUnit))}
    assert units == {(u.code, u.name, u.kind, profile.code) for u in profile.units}
    national = profiles.of("cwa").units
    regional = {u.name for u in national if u.kind == UnitKind.regional}
    industry = {u.name for u in national if u.kind == UnitKind.industry}
    for name in SPEC_REGIONAL:
        assert f"{name}作家协会" in regional, name
    for name in SPEC_INDUSTRY:
        assert f"{name}作家协会" in industry, name
    assert len(regional) == 33 and len(industry) >= 11
    # Exactly one current cycle.
    assert db.session.scalar(select(func.count(Cycle.id)).where(Cycle.is_current.is_(True))) == 1

    # Passwords are hashed; demo applicants without an account cannot log in.
    for account in db.session.scalars(select(User)):
        assert DEMO_PASSWORD not in account.password_hash

    # Idempotent: a second run adds nothing.
    again = wxk(app, "demo")
    assert again.exit_code == 0, output(again)
    assert counts() == first

    # Every demo account logs in and sees its role's menu (one test: the demo takes a while to load).
    for username, role, _unit, _name in DEMO_ACCOUNTS:
        client = Client(app.test_client())
        assert redirect_target(client.login(username, DEMO_PASSWORD)) == ("/admin/", {}), username
        page = client.get("/admin/", follow_redirects=True)
        html = page.get_data(as_text=True)
        full_name = db.session.scalar(select(User.full_name).where(User.username == username))  # 联络部 in Jiangsu
        assert page.status_code == 200 and full_name in html, username
        shown = {url for url in menu_entries(html) if url in FOUNDATION_MENU}
        assert shown == EXPECTED_MENU[role], username


# ---------------------------------------------------------------- wxk create-user


def test_create_user_reads_the_password_from_stdin_and_hashes_it(app, world):
    result = wxk(app, "create-user", "nj_admin", "--role", "unit_admin", "--unit", "ua", "--name", "南京管理员",
                 input=STRONG + "\n")
    assert result.exit_code == 0, output(result)
    assert "已创建账户 nj_admin" in output(result)
    db.session.expire_all()
    account = db.session.scalar(select(User).where(User.username == "nj_admin"))
    assert account.role == Role.unit_admin and account.unit_id == world.unit_a.id and account.active
    assert account.full_name == "南京管理员"
    assert account.password_hash.startswith("scrypt:") and STRONG not in account.password_hash
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.target_type == "User",
                                                      AuditEvent.target_id == account.id)) is not None
    # The new account works through the login page.
    client = Client(app.test_client())
    assert redirect_target(client.login("nj_admin", STRONG)) == ("/admin/", {})
    assert "甲省作家协会" in client.text("/admin/", follow_redirects=True)


@pytest.mark.parametrize("args,password,message", [
    (["weak_user", "--role", "office"], "password", "密码过于常见"),
    (["short_user", "--role", "office"], "Ab-1", "密码至少 8 位"),
    (["same_name1", "--role", "office"], "same_name1", "密码不能与用户名相同"),
    (["unknown_unit", "--role", "unit_admin", "--unit", "nowhere"], STRONG, "未找到单位代码：nowhere"),
    (["no_unit_admin", "--role", "unit_admin"], STRONG, "团体会员管理员必须指定 --unit"),
    (["admin_a", "--role", "office"], STRONG, "用户名已存在：admin_a"),
    (["ADMIN_A", "--role", "office"], STRONG, "用户名已存在：ADMIN_A"),   # login ignores case
    (["bad_role", "--role", "boss"], STRONG, "boss"),
])
def test_create_user_refuses_bad_input_and_creates_nothing(app, world, args, password, message):
    before = counts()["users"]
    result = wxk(app, "create-user", *args, input=password + "\n")
    assert result.exit_code != 0
    assert message in output(result)
    assert counts()["users"] == before


# ---------------------------------------------------------------- wxk import-units


def write_csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # Excel's UTF-8 with BOM
        writer = csv.writer(fh)
        writer.writerow(["代码", "名称", "类型"])
        writer.writerows(rows)
    return path


def write_xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["代码", "名称", "类型"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


GOOD_ROWS = [
    ("nj", "南京市作家协会", "地方作协"),
    ("js_net", "江苏省网络作家协会", "industry"),
    ("ua", "甲省作家协会（更名）", "地方作协"),   # an existing code: updated, not duplicated
]


@pytest.mark.parametrize("writer,suffix", [(write_csv, ".csv"), (write_xlsx, ".xlsx")])
def test_import_units_creates_and_updates(app, world, tmp_path, writer, suffix):
    before = counts()["group_units"]
    path = writer(tmp_path / f"units{suffix}", GOOD_ROWS)
    result = wxk(app, "import-units", str(path))
    assert result.exit_code == 0, output(result)
    assert "新增 2 个单位，更新 1 个单位" in output(result)
    db.session.expire_all()
    units = {u.code: u for u in db.session.scalars(select(GroupUnit))}
    assert len(units) == before + 2
    assert units["nj"].name == "南京市作家协会" and units["nj"].kind == UnitKind.regional
    assert units["js_net"].kind == UnitKind.industry
    assert units["ua"].name == "甲省作家协会（更名）" and units["ua"].id == world.unit_a.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import_units")) is not None


@pytest.mark.parametrize("writer,suffix", [(write_csv, ".csv"), (write_xlsx, ".xlsx")])
@pytest.mark.parametrize("bad_row,message", [
    (("bad", "错误单位", "省级"), "第 3 行：类型「省级」无效"),
    (("", "无代码单位", "地方作协"), "第 3 行：代码和名称不能为空"),
    (("nj", "南京重复", "地方作协"), "第 3 行：代码 nj 重复"),
])
def test_import_units_with_one_bad_row_imports_nothing_and_names_the_row(app, world, tmp_path, writer, suffix,
                                                                         bad_row, message):
    before = counts()["group_units"]
    path = writer(tmp_path / f"units{suffix}", [GOOD_ROWS[0], bad_row, GOOD_ROWS[2]])
    result = wxk(app, "import-units", str(path))
    assert result.exit_code != 0
    text = output(result)
    assert message in text and "未导入任何数据" in text
    db.session.expire_all()
    assert counts()["group_units"] == before
    assert db.session.scalar(select(GroupUnit).where(GroupUnit.code == "nj")) is None
    assert db.session.get(GroupUnit, world.unit_a.id).name == "甲省作家协会"


def test_import_units_refuses_other_file_types(app, world, tmp_path):
    path = tmp_path / "units.txt"
    path.write_text("代码,名称,类型\n", encoding="utf-8")
    result = wxk(app, "import-units", str(path))
    assert result.exit_code != 0 and "只支持 .csv 或 .xlsx 文件" in output(result)


def test_commands_document_themselves(app):
    for command in ("demo", "create-user", "import-units"):
        result = wxk(app, command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output
