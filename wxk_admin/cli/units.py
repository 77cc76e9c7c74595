"""``flask --app wsgi wxk import-units FILE`` — group-member units from .xlsx / .csv; ``read_rows`` reads such a
file for ``wxk import-cip`` too."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..documents.xlsx import read_table
from ..domain.audit import Actor, record
from ..enums import UnitKind
from ..extensions import db
from ..models import GroupUnit


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


@click.command("import-units")
@with_appcontext
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
