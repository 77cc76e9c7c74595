"""``flask --app wsgi wxk ...`` — demo data, accounts, unit imports."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select

from .. import auth
from ..domain.audit import Actor, record
from ..enums import Role, UnitKind
from ..extensions import db
from ..models import GroupUnit, User
from ..documents.xlsx import read_table

wxk = AppGroup("wxk", help="wxk-admin 管理命令 (demo data, accounts, imports).")


@wxk.command("demo")
def demo_command():
    """Upgrade the schema and load demo data (idempotent); print the demo accounts."""
    from . import demo

    upgrade()
    result = demo.load(db.session, profile=current_app.extensions["wxk_profile"])  # WXK_ASSOCIATION's world
    click.echo(f"年度：{result['cycle'].name}；团体会员单位 {result['units']} 个；"
               f"新建申请 {result['applications_created']} 件")
    click.echo(f"演示账户（密码均为 {result['password']}）：")
    for username, role, unit, name in result["accounts"]:
        label = current_app.extensions["wxk_profile"].label(role)
        click.echo(f"  {username:<18} {label:<10} {unit or ''}  {name}  下一步：{demo.NEXT_STEPS.get(username, '—')}")


@wxk.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="角色")
@click.option("--unit", "unit_code", default=None, help="所属团体会员单位代码")
@click.option("--name", "full_name", default="", help="姓名")
def create_user_command(username, role, unit_code, full_name):
    """Create an account; the password is read from stdin (or prompted twice on a terminal)."""
    # Login matches user names without regard to case: so does the uniqueness check.
    if db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower())):
        raise click.ClickException(f"用户名已存在：{username}")
    unit = None
    if unit_code:
        unit = db.session.scalar(select(GroupUnit).where(GroupUnit.code == unit_code))
        if unit is None:
            raise click.ClickException(f"未找到单位代码：{unit_code}")
    if role == Role.unit_admin and unit is None:
        raise click.ClickException("团体会员管理员必须指定 --unit")
    if sys.stdin.isatty():
        password = getpass.getpass("密码：")
        if getpass.getpass("再次输入：") != password:
            raise click.ClickException("两次输入的密码不一致")
    else:
        password = sys.stdin.readline().rstrip("\n")
    problems = auth.password_problems(username, password)
    if problems:
        raise click.ClickException("；".join(problems))
    user = User(username=username, role=Role(role), unit_id=unit.id if unit else None, full_name=full_name,
                active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(db.session, Actor(None, "cli"), "create", user, reason="flask wxk create-user")
    db.session.commit()
    click.echo(f"已创建账户 {username}（{Role(role).label}）")


KIND_NAMES = {k.label: k for k in UnitKind} | {k.value: k for k in UnitKind}


def read_rows(path: Path) -> list[dict]:
    """Rows of a .csv or .xlsx file as dicts keyed by the header row (``xlsx.read_table``)."""
    try:
        return read_table(path.name, path.read_bytes())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def import_units(session, rows: list[dict]) -> tuple[int, int, list[str]]:
    """Create or update units from rows with 代码 / 名称 / 类型 (or code / name / kind); all or nothing."""
    errors, created, updated = [], 0, 0
    seen = set()
    for line, row in enumerate(rows, start=2):
        code = (row.get("代码") or row.get("code") or "").strip()
        name = (row.get("名称") or row.get("name") or "").strip()
        kind_text = (row.get("类型") or row.get("kind") or "").strip()
        if not code or not name:
            errors.append(f"第 {line} 行：代码和名称不能为空")
            continue
        if kind_text not in KIND_NAMES:
            errors.append(f"第 {line} 行：类型「{kind_text}」无效（应为 地方作协 / 行业作协 / 直接申报）")
            continue
        if code in seen:
            errors.append(f"第 {line} 行：代码 {code} 重复")
            continue
        seen.add(code)
        unit = session.scalar(select(GroupUnit).where(GroupUnit.code == code))
        if unit is None:
            session.add(GroupUnit(code=code, name=name, kind=KIND_NAMES[kind_text]))
            created += 1
        else:
            unit.name, unit.kind = name, KIND_NAMES[kind_text]
            updated += 1
    return created, updated, errors


@wxk.command("import-units")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_units_command(file: Path):
    """Import group-member units from .xlsx / .csv (columns 代码, 名称, 类型); nothing is saved if a row is bad."""
    created, updated, errors = import_units(db.session, read_rows(file))
    if errors:
        db.session.rollback()
        for e in errors:
            click.echo(e, err=True)
        raise click.ClickException(f"{len(errors)} 行有错误，未导入任何数据")
    record(db.session, Actor(None, "cli"), "import_units", ("GroupUnit", None), reason=str(file.name))
    db.session.commit()
    click.echo(f"新增 {created} 个单位，更新 {updated} 个单位")


def init_app(app) -> None:
    from . import rules as rules_cli  # noqa: F401  (registers ``wxk recheck``)
    from . import cip as cip_cli  # noqa: F401  (registers ``wxk import-cip``)
    from . import backup  # noqa: F401  (registers ``wxk backup`` and ``wxk restore``)
    from . import generate  # noqa: F401  (registers ``wxk generate``)
    from . import outbox as outbox_cli  # noqa: F401  (registers ``wxk send-outbox``)
    app.cli.add_command(wxk)
