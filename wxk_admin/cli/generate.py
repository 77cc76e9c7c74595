"""``flask --app wsgi wxk generate --applications N --units U --cycles C`` — realistic data at size.

Bulk inserts straight to the driver (SQLite: executemany of plain tuples, few commits,
``synchronous=OFF``; PostgreSQL: ``COPY``): applicant accounts, applications and their child
rows (出版专集、发表作品、网络作品、推荐人、申报材料清单).  Names, titles,
publishers and journals are the demo's lists.  Ids are assigned here so that
children reference their application without reading anything back; on
PostgreSQL the id sequences are moved past them at the end.

Generated applicants cannot log in (password hash "!").  For benchmarks and for
trying the product at size — never on a production database.
"""
from __future__ import annotations

import datetime as dt
import operator
import random
import secrets
import time
from dataclasses import dataclass
from typing import Callable

import click
from flask.cli import with_appcontext
from sqlalchemy import DateTime, func, insert, select, text

from .demo import (EMPLOYERS, GIVEN, INDUSTRY_UNITS, JOURNALS, PEN_PREFIX, PEN_SUFFIX, PINYIN_CODES, PUBLISHERS,
                   REGIONAL_UNITS, STYLES, SURNAMES, TITLE_SHAPES, TITLE_WORDS, TRACK_OF, id_number)
from ..enums import (Category, Eligibility, Gender, ProfessionalTitle, Responsibility, Role, Status, Track,
                    UnitKind)
from ..domain.integrity import isbn_key, piece_key  # the keys the ORM events set, for bulk rows
from ..models import (Application, Book, Cycle, GroupUnit, MaterialItem, Publication, Recommender, User, WebWork,
                     utcnow)
from ..domain.names import name_sort_key
from ..extensions import db

# Share of each state in generated data (a few years of intake: most rows are finished).
STATUS_WEIGHTS = [
    (Status.draft, 4), (Status.submitted, 10), (Status.rejected, 6), (Status.unit_confirmed, 8),
    (Status.office_confirmed, 10), (Status.materials_received, 6), (Status.expert_review, 4),
    (Status.expert_passed, 4), (Status.expert_failed, 6), (Status.secretariat_approved, 3),
    (Status.secretariat_rejected, 2), (Status.on_notice, 2), (Status.admitted, 33), (Status.disqualified, 2),
]
NUMBERED = {Status.office_confirmed, Status.materials_received, Status.expert_review, Status.expert_passed,
            Status.expert_failed, Status.secretariat_approved, Status.secretariat_rejected, Status.on_notice,
            Status.admitted, Status.disqualified}
UNCONFIRMED = {Status.draft, Status.submitted, Status.rejected}
MATERIALS = ["入会申请表", "代表作品原件", "发表作品复印件", "获奖证书复印件"]


@dataclass
class Generated:
    applications: int = 0
    users: int = 0
    units_created: int = 0
    cycles_created: int = 0
    children: int = 0
    seconds: float = 0.0


def ensure_units(session, count: int) -> tuple[list[GroupUnit], int]:
    wanted = []
    for name in REGIONAL_UNITS + INDUSTRY_UNITS:
        kind = UnitKind.regional if name in REGIONAL_UNITS else UnitKind.industry
        wanted.append((PINYIN_CODES[name], f"{name}作家协会", kind))
    n = len(wanted)
    while len(wanted) < count:
        n += 1
        wanted.append((f"g{n:04d}", f"第{n}团体会员单位作家协会", UnitKind.industry))
    wanted = wanted[:count]
    existing = {u.code: u for u in session.scalars(select(GroupUnit))}
    created = 0
    units = []
    for code, name, kind in wanted:
        unit = existing.get(code)
        if unit is None:
            unit = GroupUnit(code=code, name=name, kind=kind, association="cwa", active=True)
            session.add(unit)
            created += 1
        units.append(unit)
    session.flush()
    return units, created


def ensure_cycles(session, count: int, today: dt.date) -> tuple[list[Cycle], int]:
    last_year = today.year + 1 if today.month >= 9 else today.year
    has_current = session.scalar(select(func.count(Cycle.id)).where(Cycle.is_current.is_(True)))
    cycles, created = [], 0
    for year in range(last_year - count + 1, last_year + 1):
        cycle = session.scalar(select(Cycle).where(Cycle.association == "cwa", Cycle.year == year))
        if cycle is None:
            # 1–2月; the coming year's window opens early enough (as the demo's) to have submissions by today.
            cycle = Cycle(association="cwa", year=year, name=f"{year}年度中国作协个人会员申请",
                          fill_start=min(dt.date(year, 1, 1), today - dt.timedelta(days=60)),
                          fill_end=dt.date(year, 2, 28),
                          materials_deadline=dt.date(year, 3, 31), ruleset="cwa-2022",
                          is_current=(year == last_year and not has_current), serial_counter=0)
            session.add(cycle)
            created += 1
        cycles.append(cycle)
    session.flush()
    return cycles, created


def _next_id(session, model) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


class _Pools:
    """Pre-computed realistic values (cheap per-row choices instead of per-row string building)."""

    def __init__(self, rng: random.Random):
        self.names = [s + g for s in SURNAMES for g in GIVEN]
        self.pen_names = [a + b for a in PEN_PREFIX for b in PEN_SUFFIX]
        self.titles = [shape.format(a=a, b=b) for shape in TITLE_SHAPES for a in TITLE_WORDS for b in TITLE_WORDS
                       if a != b]
        self.id_numbers = []
        for _ in range(5000):
            gender = rng.choice(list(Gender))
            birth = dt.date(rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28))
            self.id_numbers.append((id_number(rng, birth, gender), birth, gender.value))
        self.categories = list(Category)
        self.titles_enum = [t.value for t in ProfessionalTitle]
        self.employers = [e + p for e in EMPLOYERS for p in ["职员", "主任", "副主编", "教师", "编辑", ""]]
        # 100 slots in proportion to STATUS_WEIGHTS: a status is one index, not rng.choices per row.
        self.status_slots = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]


REBUILD_INDEXES_FROM = 20_000  # bulk loads this large drop the secondary indexes and build them once at the end
COMMIT_EVERY = 50_000


def _sqlite_datetime(value: dt.datetime | None):
    """SQLAlchemy's SQLite storage format (microseconds always present, so text order is time order)."""
    return None if value is None else value.isoformat(" ", "microseconds")


class _BulkWriter:
    """Rows as plain tuples straight to the driver: executemany on SQLite, ``COPY`` on PostgreSQL."""

    def __init__(self, session, dialect: str):
        self.session = session
        self.dialect = dialect
        self.plans = {}
        if dialect == "sqlite":
            conn = session.connection()
            for pragma in ("synchronous=OFF", "cache_size=-200000", "temp_store=MEMORY"):
                conn.exec_driver_sql(f"PRAGMA {pragma}")

    def _plan(self, table, keys):
        """The row's keys, then the columns it leaves out that have a Python-side default (with the value)."""
        plan = self.plans.get(table.name)
        if plan is None:
            keys = list(keys)
            extra, values = [], []
            for column in table.columns:
                default = column.default
                if column.key in keys or default is None or not (default.is_scalar or default.is_callable):
                    continue  # given by the row, or NULL / the server's default
                value = default.arg if default.is_scalar else default.arg(None)
                extra.append(column.key)
                values.append(getattr(value, "value", value))  # enum members as their stored value
            columns = keys + extra
            stamps = [i for i, key in enumerate(keys) if isinstance(table.c[key].type, DateTime)]
            plan = self.plans[table.name] = (columns, operator.itemgetter(*keys), tuple(values), stamps)
        return plan

    def write(self, table, rows: list[dict]) -> None:
        if not rows:
            return
        columns, getter, defaults, stamps = self._plan(table, rows[0].keys())
        conn = self.session.connection()
        if self.dialect == "sqlite":
            if defaults or stamps:
                convert = _sqlite_datetime
                tuples = []
                for row in rows:
                    values = list(getter(row))
                    for i in stamps:
                        values[i] = convert(values[i])
                    tuples.append(tuple(values) + defaults)
            else:
                tuples = [getter(row) for row in rows]
            sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                   f"VALUES ({', '.join('?' for _ in columns)})")
            conn.exec_driver_sql(sql, tuples)
        elif self.dialect == "postgresql":
            raw = conn.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(getter(row) + defaults)
        else:  # any other database: SQLAlchemy's executemany
            conn.execute(insert(table), [dict(zip(columns, getter(row) + defaults)) for row in rows])

    def drop_indexes(self, tables) -> list:
        """Drop the non-unique secondary indexes of ``tables`` (built again, once, by :meth:`create`)."""
        conn = self.session.connection()
        dropped = []
        for table in tables:
            for index in sorted(table.indexes, key=lambda i: i.name):
                if not index.unique:
                    index.drop(conn, checkfirst=True)
                    dropped.append(index)
        self.session.commit()
        return dropped

    def create(self, indexes) -> None:
        conn = self.session.connection()
        for index in indexes:
            index.create(conn, checkfirst=True)
        self.session.commit()


def generate(session, applications: int, units: int = 44, cycles: int = 3, *, seed: int = 7, batch: int = 5000,
             today: dt.date | None = None, progress: Callable[[int], None] | None = None,
             rebuild_indexes: bool | None = None) -> Generated:
    """Insert ``applications`` applications (with accounts and child rows) spread over units and cycles.

    Large loads (``rebuild_indexes``, by default from :data:`REBUILD_INDEXES_FROM` rows) drop the
    tables' secondary indexes first and build each once at the end — far cheaper than keeping twenty
    B-trees up to date row by row.
    """
    started = time.perf_counter()
    today = today or dt.date.today()
    rng = random.Random(seed)
    rnd = rng.random

    def pick(seq):
        return seq[int(rnd() * len(seq))]

    def between(low, high):
        return low + int(rnd() * (high - low + 1))

    result = Generated()
    unit_rows, result.units_created = ensure_units(session, max(units, 1))
    cycle_rows, result.cycles_created = ensure_cycles(session, max(cycles, 1), today)
    session.commit()
    bind = session.get_bind()
    dialect = bind.dialect.name
    pools = _Pools(rng)
    unit_ids = [u.id for u in unit_rows]
    unit_names = {u.id: u.name[:2] for u in unit_rows}
    # Submissions fall inside each cycle's filling window and before today, leaving the office's five days
    # (office_confirmed_at) in the past too; a cycle whose window has not opened gets drafts only.
    now = min(utcnow(), dt.datetime.combine(today, dt.time(23, 59)))
    cycle_info = []
    for c in cycle_rows:
        start = dt.datetime.combine(c.fill_start, dt.time(8))
        end = min(dt.datetime.combine(c.fill_end, dt.time(20)), now - dt.timedelta(days=5, hours=1))
        cycle_info.append((c.id, c.year, start, max(0, int((end - start).total_seconds()))))
    serial_counter = {c.id: c.serial_counter or 0 for c in cycle_rows}
    token = secrets.token_hex(3)
    next_user = _next_id(session, User)
    next_app = _next_id(session, Application)
    child_models = (Book, Publication, WebWork, Recommender, MaterialItem)
    per_cycle = max(1, applications // len(cycle_info))
    style_lists = {c: STYLES[c] for c in pools.categories}
    track_of = {c: TRACK_OF.get(c, Track.creation).value for c in pools.categories}
    eligibilities = (Eligibility.eligible.value, Eligibility.eligible.value, Eligibility.not_eligible.value,
                     Eligibility.manual.value)
    passable = tuple(e for e in eligibilities if e != Eligibility.not_eligible.value)  # 不符合条件 stays at the unit
    years = list(range(2008, 2026))

    writer = _BulkWriter(session, dialect)
    tables = [User.__table__, Application.__table__] + [m.__table__ for m in child_models]
    rebuild = applications >= REBUILD_INDEXES_FROM if rebuild_indexes is None else rebuild_indexes
    dropped = writer.drop_indexes(tables) if rebuild else []
    done = since_commit = 0
    try:
        while done < applications:
            size = min(batch, applications - done)
            users, apps = [], []
            children = {model: [] for model in child_models}
            for k in range(size):
                i = done + k
                cycle_index = min(i // per_cycle, len(cycle_info) - 1)
                cycle_id, year, window_start, window_seconds = cycle_info[cycle_index]
                # Submission times rise through the cycle's window, so serials follow them.
                within = (i - cycle_index * per_cycle) / per_cycle
                submitted = window_start + dt.timedelta(seconds=int(within * window_seconds))
                status = pools.status_slots[int(rnd() * 100)] if window_seconds else Status.draft
                unit_id = None if rnd() < 0.04 else unit_ids[i % len(unit_ids)]
                category = pick(pools.categories)
                name = pick(pools.names)
                id_no, birth, gender = pick(pools.id_numbers)
                user_id, app_id = next_user + i, next_app + i
                users.append({"id": user_id, "username": f"gen{token}{i:07d}", "password_hash": "!",
                              "role": Role.applicant.value, "full_name": name, "unit_id": unit_id, "active": True,
                              "is_proxy": False, "must_change_password": False, "failed_logins": 0,
                              "created_at": now})
                serial_no = serial_seq = None
                if status in NUMBERED:
                    serial_counter[cycle_id] += 1
                    serial_seq = serial_counter[cycle_id]
                    serial_no = f"{year}-{serial_seq:06d}"
                is_draft = status == Status.draft
                confirmed = status not in UNCONFIRMED
                admitted = status == Status.admitted
                apps.append({
                    "id": app_id, "cycle_id": cycle_id, "unit_id": unit_id, "applicant_id": user_id,
                    "status": status.value, "version": 1, "name": name, "name_sort_key": name_sort_key(name),
                    "pen_name": pick(pools.pen_names) if rnd() < 0.6 else None,
                    "gender": gender, "ethnicity": "汉族" if rnd() < 0.9 else "回族", "birth_date": birth,
                    "id_number": id_no, "political_status": "中共党员" if rnd() < 0.4 else "群众",
                    "education": "本科", "employer_and_post": pick(pools.employers),
                    "professional_title": pick(pools.titles_enum),
                    "mobile": f"1{3 + i % 7}{i:09d}"[:11], "email": f"writer{i}@example.cn",
                    "address": "某省某市某区文化路 1 号", "postcode": "100000",
                    "household_registration": unit_names.get(unit_id, "北京"),
                    "track": track_of[category], "category": category.value,
                    "style": pick(style_lists[category]),
                    "editing_years": between(3, 20) if category == Category.editing else None,
                    "organisation_years": between(2, 12) if category == Category.organisation else None,
                    "unit_opinion": "团体会员确认信息" if confirmed else None,
                    "office_opinion": "会员处确认" if serial_no else None,
                    "reject_reasons": "发表作品字数不足" if status == Status.rejected else None,
                    "serial_no": serial_no, "serial_seq": serial_seq,
                    "submitted_at": None if is_draft else submitted,
                    "updated_at": now, "created_at": submitted - dt.timedelta(days=2),
                    "unit_confirmed_at": submitted + dt.timedelta(days=2) if confirmed else None,
                    "office_confirmed_at": submitted + dt.timedelta(days=5) if serial_no else None,
                    "eligibility": None if is_draft else pick(eligibilities if status in UNCONFIRMED else passable),
                    "cip_flagged": rnd() < 0.03, "registration_form_done": admitted,
                    "photos_received": admitted, "dues_paid": admitted,
                })
                for position in range(1 + (rnd() < 0.5)):
                    publisher, level = pick(PUBLISHERS)
                    isbn = f"9787{int(rnd() * 10**9):09d}"
                    children[Book].append({
                        "application_id": app_id, "position": position, "title": pick(pools.titles),
                        "publisher": publisher, "publisher_level": level.value,
                        "published_on": dt.date(pick(years), 1 + i % 12, 1),
                        "isbn": isbn, "isbn_key": isbn_key(isbn), "word_count_k": between(80, 450),
                        "responsibility": Responsibility.sole.value, "is_literary": True, "mainland": True})
                for position in range(2 + (rnd() < 0.5)):
                    journal, level = pick(JOURNALS)
                    title, issue = pick(pools.titles), f"{2012 + i % 14}年第{1 + i % 12}期"
                    children[Publication].append({
                        "application_id": app_id, "position": position, "title": title,
                        "venue": journal, **level, "issue": issue, "piece_key": piece_key(title, journal, issue),
                        "genre": "小说", "word_count": between(5, 60) * 1000, "is_translation": False,
                        "is_criticism": False})
                if category == Category.web:
                    children[WebWork].append({
                        "application_id": app_id, "position": 0, "title": pick(pools.titles),
                        "site": "起点中文网", "site_licensed": True, "word_count": between(50, 400) * 10000,
                        "avg_subscriptions": between(500, 20000), "completed": True, "original": True})
                if unit_id is None:
                    for position in range(2):
                        children[Recommender].append({
                            "application_id": app_id, "position": position, "name": pick(pools.names),
                            "member_no": f"{between(1, 15000):05d}", "employer": "某出版社"})
                for position, item in enumerate(MATERIALS[:2]):
                    children[MaterialItem].append({"application_id": app_id, "position": position, "name": item,
                                                   "copies": 2 if position == 0 else 1, "original": position == 1})
            writer.write(User.__table__, users)
            writer.write(Application.__table__, apps)
            for model, rows in children.items():
                writer.write(model.__table__, rows)
                result.children += len(rows)
            done += size
            since_commit += size
            if since_commit >= COMMIT_EVERY or done >= applications:
                session.commit()
                since_commit = 0
            result.applications += size
            result.users += size
            if progress:
                progress(size)
    finally:
        session.commit() if done >= applications else session.rollback()
        if dropped:
            writer.create(dropped)
    for cycle_id, counter in serial_counter.items():
        session.execute(Cycle.__table__.update().where(Cycle.__table__.c.id == cycle_id)
                        .values(serial_counter=counter))
    if dialect == "postgresql":
        for model in (User, Application, Book, Publication, WebWork, Recommender, MaterialItem):
            table = model.__tablename__
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    session.commit()
    if dialect == "postgresql":
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as raw:
            raw.exec_driver_sql("VACUUM ANALYZE")
    else:
        session.execute(text("ANALYZE"))
        session.commit()
    result.seconds = time.perf_counter() - started
    return result


@click.command("generate")
@click.option("--applications", "n", type=click.IntRange(1, 20_000_000), required=True, help="申请数量")
@click.option("--units", type=click.IntRange(1, 10_000), default=44, show_default=True, help="团体会员单位数")
@click.option("--cycles", type=click.IntRange(1, 50), default=3, show_default=True, help="年度数")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--batch", type=click.IntRange(100, 100_000), default=5000, show_default=True)
@with_appcontext
def generate_command(n, units, cycles, seed, batch):
    """Fill the database with N realistic applications (with children) for benchmarks and trials."""
    with click.progressbar(length=n, label="生成申请", show_eta=True, show_pos=True, show_percent=True,
                           item_show_func=lambda _: None) as bar:
        result = generate(db.session, n, units, cycles, seed=seed, batch=batch, progress=bar.update)
    click.echo(f"已生成申请 {result.applications} 件（账户 {result.users} 个，子表记录 {result.children} 条），"
               f"新建单位 {result.units_created} 个、年度 {result.cycles_created} 个，用时 {result.seconds:.1f} 秒")
