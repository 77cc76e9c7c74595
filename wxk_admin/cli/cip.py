"""``flask --app wsgi wxk import-cip FILE`` — import CIP records from .xlsx / .csv (issue 5)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..domain import cip
from ..domain.audit import Actor
from .units import read_rows
from ..extensions import db


@click.command("import-cip")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--only-good-rows", is_flag=True, default=False,
              help="有错误行时仍导入正确的行（不加此项、也未在终端确认时，不导入任何数据）")
def import_cip_command(file: Path, only_good_rows: bool):
    """Import CIP records (columns 正书名, ISBN, CIP 核字号, 第一著作责任者, … see README); per-row report."""
    rows = read_rows(file)
    report = cip.validate_rows(rows)
    for row in report.bad:
        click.echo(f"第 {row.line} 行（{row.title or '无书名'}）：{'；'.join(row.problems)}", err=True)
    if not report.rows:
        raise click.ClickException("文件中没有数据行")
    confirm = only_good_rows
    if report.bad and not confirm and report.good and sys.stdin.isatty():
        confirm = click.confirm(f"{len(report.bad)} 行有错误。只导入其余 {len(report.good)} 行正确数据？", default=False)
    result = cip.import_rows(db.session, rows, Actor(None, "cli"), confirm=confirm, source_name=file.name)
    if not result.imported:
        db.session.rollback()
        raise click.ClickException(f"{len(report.bad)} 行有错误，未导入任何数据"
                                   "（加 --only-good-rows 可只导入正确的行）")
    db.session.commit()
    click.echo(f"已导入 {len(result.good)} 行（新增 {result.created}，更新 {result.updated}），"
               f"跳过错误行 {len(result.bad)} 行")
