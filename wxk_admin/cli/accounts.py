"""``flask --app wsgi wxk demo`` (the demo world and its accounts) and ``wxk create-user``."""
from __future__ import annotations

import getpass
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from ..domain.applying.accounts import refuse_taken_username
from ..domain.audit import Actor, record
from ..domain.errors import Refused
from ..domain.passwords import password_problems
from ..enums import Role
from ..extensions import db
from ..models import GroupUnit, User
from . import demo


@click.command("demo")
@with_appcontext
def demo_command():
    """Upgrade the schema and load demo data (idempotent); print the demo accounts."""
    upgrade()
    result = demo.load(db.session, profile=current_app.extensions["wxk_profile"])  # WXK_ASSOCIATION's world
    click.echo(f"年度：{result['cycle'].name}；团体会员单位 {result['units']} 个；"
               f"新建申请 {result['applications_created']} 件")
    click.echo(f"演示账户（密码均为 {result['password']}）：")
    profile = current_app.extensions["wxk_profile"]
    for username, role, unit, name in result["accounts"]:
        click.echo(f"  {username:<18} {profile.label(role):<10} {unit or ''}  {name}  "
                   f"下一步：{demo.next_step(username, profile)}")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="角色")
@click.option("--unit", "unit_code", default=None, help="所属团体会员单位代码")
@click.option("--name", "full_name", default="", help="姓名")
def create_user_command(username, role, unit_code, full_name):
    """Create an account; the password is read from stdin (or prompted twice on a terminal)."""
    # Login matches user names without regard to case: so does the uniqueness check.
    try:
        refuse_taken_username(db.session, username.strip())
    except Refused as refused:
        raise click.ClickException(str(refused)) from None
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
    problems = password_problems(username, password)
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
