"""``flask --app wsgi wxk backup DIR`` and ``wxk restore FILE`` — consistent copies of the whole database.

* SQLite: the online backup API (``sqlite3.Connection.backup``) copies a
  consistent snapshot while the console keeps running; the copy is checked with
  ``PRAGMA integrity_check``.  File: ``DIR/wxk-YYYYmmdd-HHMMSS.sqlite3``.
* PostgreSQL: ``pg_dump --format=plain --no-owner --no-privileges`` (one
  consistent snapshot, readers and writers are not blocked).  File:
  ``DIR/wxk-YYYYmmdd-HHMMSS.sql``.

Restore (documented in README 「Production」): into an EMPTY database only —
``DATABASE_URL=<new database> flask --app wsgi wxk restore FILE`` (SQLite: the
backup API in the other direction; PostgreSQL: ``psql -v ON_ERROR_STOP=1 -f
FILE``), then ``flask --app wsgi db upgrade`` to bring an older backup up to
the current schema.  By hand the same is ``cp FILE instance/wxk.sqlite3`` with
the console stopped, or ``createdb NEW && psql -v ON_ERROR_STOP=1 -d NEW -f FILE``.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import URL, make_url

from ..domain.audit import Actor, record
from ..config import create_owner_only
from ..extensions import db


class BackupError(Exception):
    """A backup or restore that could not be done; ``str(exc)`` is the Chinese message."""


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def _pg_env(url: URL) -> tuple[list[str], dict]:
    """libpq connection options for ``url`` (password through the environment, never argv)."""
    args = []
    if url.host:
        args += ["-h", url.host]
    if url.port:
        args += ["-p", str(url.port)]
    if url.username:
        args += ["-U", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
    if not path:
        raise BackupError(f"未找到 {name}，请安装 PostgreSQL 客户端（postgresql-client）")
    return path


def backup(url: str | URL, directory: Path, now: dt.datetime | None = None) -> Path:
    """Write one backup of the database at ``url`` into ``directory``; return the file."""
    url = make_url(url)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(now)
    if url.get_backend_name() == "sqlite":
        source = url.database
        if not source or source == ":memory:" or not Path(source).exists():
            raise BackupError(f"SQLite 数据库文件不存在：{source}")
        target = directory / f"wxk-{stamp}.sqlite3"
        create_owner_only(target)  # 0600 from the start: personal data is never readable by others
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
        if ok != "ok":
            raise BackupError(f"备份文件校验失败：{ok}")
        return target
    if url.get_backend_name() == "postgresql":
        target = directory / f"wxk-{stamp}.sql"
        args, env = _pg_env(url)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        proc = subprocess.run([_tool("pg_dump"), *args, "--format=plain", "--no-owner", "--no-privileges",
                               "--file", str(target), url.database],
                              env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            target.unlink(missing_ok=True)
            raise BackupError(f"pg_dump 失败：{proc.stderr.strip()[:500]}")
        return target
    raise BackupError(f"不支持的数据库：{url.get_backend_name()}")


def _is_empty(engine) -> bool:
    return not sa_inspect(engine).get_table_names()


def restore(url: str | URL, file: Path, engine=None) -> None:
    """Load backup ``file`` into the EMPTY database at ``url`` (refuses a database that has tables)."""
    url = make_url(url)
    if engine is not None and not _is_empty(engine):
        raise BackupError("目标数据库不是空库，拒绝覆盖；请新建一个空数据库再恢复")
    if url.get_backend_name() == "sqlite":
        if file.suffix != ".sqlite3":
            raise BackupError("SQLite 只能从 .sqlite3 备份恢复")
        target = url.database
        src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            if dst.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]:
                raise BackupError("目标数据库不是空库，拒绝覆盖；请新建一个空数据库再恢复")
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        return
    if url.get_backend_name() == "postgresql":
        if file.suffix != ".sql":
            raise BackupError("PostgreSQL 只能从 pg_dump 生成的 .sql 备份恢复")
        args, env = _pg_env(url)
        proc = subprocess.run([_tool("psql"), *args, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url.database,
                               "-f", str(file)], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BackupError(f"psql 恢复失败：{proc.stderr.strip()[:500]}")
        return
    raise BackupError(f"不支持的数据库：{url.get_backend_name()}")


@click.command("backup")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup_command(directory: Path):
    """备份整个数据库到 DIRECTORY（SQLite：在线备份；PostgreSQL：pg_dump）。"""
    try:
        path = backup(db.engine.url, directory)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    record(db.session, Actor(None, "cli"), "backup", ("Database", None), reason=str(path))
    db.session.commit()
    click.echo(f"已备份到 {path}（{path.stat().st_size} 字节）")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path):
    """从备份文件恢复到当前 DATABASE_URL 指向的空数据库（不会覆盖已有数据）。"""
    db.session.remove()
    try:
        restore(db.engine.url, file, engine=db.engine)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    db.engine.dispose()
    record(db.session, Actor(None, "cli"), "restore", ("Database", None), reason=str(file.name))
    db.session.commit()
    click.echo(f"已从 {file.name} 恢复；如备份来自旧版本，请再运行 flask --app wsgi db upgrade")
