"""``flask --app wsgi wxk recheck --cycle YEAR`` — recompute 资格初审 for a whole cycle."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import rules
from ..enums import Eligibility
from ..extensions import db
from ..models import Application, Cycle


@click.command("recheck")
@with_appcontext
@click.option("--cycle", "year", type=int, required=True, help="年度，如 2025")
@click.option("--association", default=None, help="所属协会代码（默认：该年度唯一的年度申请，或 WXK_ASSOCIATION）")
def recheck_command(year: int, association: str | None):
    """Recompute the eligibility (资格初审) of every application of a cycle, with a progress bar."""
    query = select(Cycle).where(Cycle.year == year)
    if association:
        query = query.where(Cycle.association == association)
    cycles = list(db.session.scalars(query))
    if len(cycles) > 1:
        wanted = current_app.config.get("WXK_ASSOCIATION", "cwa")
        cycles = [c for c in cycles if c.association == wanted]
    if not cycles:
        raise click.ClickException(f"未找到 {year} 年度的申请" + (f"（协会 {association}）" if association else ""))
    cycle = cycles[0]
    try:
        rules.get_ruleset(cycle.ruleset or rules.default_ruleset())
    except rules.UnknownRuleset:
        raise click.ClickException(f"年度「{cycle.name}」的资格规则「{cycle.ruleset}」不存在；"
                                   f"可用：{'、'.join(rules.RULESETS)}") from None
    total = db.session.scalar(select(db.func.count(Application.id)).where(Application.cycle_id == cycle.id)) or 0
    click.echo(f"{cycle.name}：资格规则 {cycle.ruleset}，共 {total} 件申请")
    with click.progressbar(length=total, label="资格初审重新计算", show_pos=True) as bar:
        counts = rules.recheck_cycle(db.session, cycle, progress=bar.update)
    click.echo("完成：" + "，".join(f"{e.label} {counts[e.value]} 件" for e in Eligibility)
               + f"；结果有变化 {counts['changed']} 件")
