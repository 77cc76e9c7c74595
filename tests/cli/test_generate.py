"""Issue 7 point 5: ``flask wxk generate`` — counts, children, serials, and the CLI's progress bar."""
from __future__ import annotations

from sqlalchemy import func, select

from wxk_admin.enums import Status
from wxk_admin.cli.generate import NUMBERED, generate
from wxk_admin.models import Application, Book, Cycle, GroupUnit, MaterialItem, Publication, User, db


def test_generate_counts_children_and_serials(ctx, app):
    result = generate(db.session, 300, units=5, cycles=2, seed=3, batch=128)
    s = db.session
    assert result.applications == 300 and result.units_created == 5 and result.cycles_created == 2
    assert s.scalar(select(func.count(Application.id))) == 300
    assert s.scalar(select(func.count(User.id)).where(User.username.like("gen%"))) == 300
    assert s.scalar(select(func.count(GroupUnit.id))) == 5
    assert s.scalar(select(func.count(Cycle.id))) == 2
    # Every application has its children: 1–2 books, 2–3 publications, 2 material items.
    assert 300 <= s.scalar(select(func.count(Book.id))) <= 600
    assert 600 <= s.scalar(select(func.count(Publication.id))) <= 900
    assert s.scalar(select(func.count(MaterialItem.id))) == 600
    orphans = s.scalar(select(func.count(Book.id)).where(~Book.application_id.in_(select(Application.id))))
    assert orphans == 0
    # Serials: numbered states only, unique per cycle, gap-free, counter in step.
    for cycle in s.scalars(select(Cycle)):
        seqs = sorted(s.scalars(select(Application.serial_seq).where(Application.cycle_id == cycle.id,
                                                                       Application.serial_seq.is_not(None))))
        assert seqs == list(range(1, len(seqs) + 1))
        assert cycle.serial_counter == len(seqs)
    statuses = {Status(v) for v in s.scalars(select(Application.status).where(Application.serial_no.is_not(None)))}
    assert statuses <= NUMBERED
    assert s.scalar(select(func.count(Application.id)).where(Application.status == Status.draft,
                                                             Application.submitted_at.is_not(None))) == 0
    # Chinese data, realistic shapes.
    name = s.scalar(select(Application.name).limit(1))
    assert all("\u4e00" <= ch <= "\u9fff" for ch in name)
    # Running again adds more, reusing units and cycles.
    again = generate(db.session, 50, units=5, cycles=2, seed=4)
    assert again.units_created == 0 and again.cycles_created == 0
    assert s.scalar(select(func.count(Application.id))) == 350


def test_generate_cli_shows_progress_and_counts(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["wxk", "generate", "--applications", "120", "--units", "3", "--cycles", "1",
                                 "--batch", "100"])
    assert result.exit_code == 0, result.output
    assert "生成申请" in result.output and "已生成申请 120 件" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Application.id))) == 120
    bad = runner.invoke(args=["wxk", "generate", "--applications", "0"])
    assert bad.exit_code != 0


def test_bulk_load_drops_and_rebuilds_secondary_indexes(ctx, app):
    """Large loads build each secondary index once at the end; afterwards every index is back."""
    from sqlalchemy import inspect

    def index_names():
        inspector = inspect(db.engine)
        return {t: {i["name"] for i in inspector.get_indexes(t)} for t in ("applications", "books", "users")}

    before = index_names()
    assert "ix_applications_list_cover" in before["applications"]
    result = generate(db.session, 200, units=3, cycles=1, seed=5, batch=64, rebuild_indexes=True)
    assert result.applications == 200
    assert index_names() == before
    assert db.session.scalar(select(func.count(Application.id)).where(Application.submitted_at.is_not(None))) > 150
    # Timestamps are stored in SQLAlchemy's own format, so they compare and sort like ORM-written ones.
    latest = db.session.scalar(select(func.max(Application.submitted_at)))
    assert latest is not None and latest.year >= 2000


def test_generated_rows_keep_the_demo_invariants(ctx, app):
    """Issue 13.8: valid ID numbers, submissions inside each cycle's window and before today, stamps in order,
    and 不符合条件 never past the unit — also at size (the bulk path)."""
    import datetime as dt

    from wxk_admin.domain import applying
    from wxk_admin.enums import Eligibility

    today = dt.date(2026, 12, 1)  # after September: the coming year's cycle is the current one
    generate(db.session, 400, units=4, cycles=3, seed=11, batch=150, today=today)
    cycles = {c.id: c for c in db.session.scalars(select(Cycle))}
    assert max(c.year for c in cycles.values()) == 2027
    rows = db.session.scalars(select(Application)).all()
    submitted = [a for a in rows if a.status != Status.draft]
    assert len(submitted) > 300
    for a in rows:
        problems = applying.format_problems({"id_number": a.id_number, "birth_date": a.birth_date}, today)
        assert not problems, (a.id_number, dict(problems))
    for a in submitted:
        cycle = cycles[a.cycle_id]
        assert cycle.fill_start <= a.submitted_at.date() <= min(cycle.fill_end, today), (cycle.year, a.submitted_at)
        stamps = [a.submitted_at, a.unit_confirmed_at, a.office_confirmed_at]
        present = [t for t in stamps if t is not None]
        assert present == sorted(present) and present[-1].date() <= today, stamps
        if a.eligibility == Eligibility.not_eligible:
            assert a.status in (Status.submitted, Status.rejected), a.status
