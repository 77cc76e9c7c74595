"""Issue 15.2 — works declared twice: the same book (ISBN-10 / ISBN-13, CIP number in any printed form) or the
same periodical piece (title + journal + issue, normalised) declared by two people, flagged on the list (filter
「作品重复申报」 and a mark) and on the details page, naming the other application only to whom may open it;
the check is index lookups (EXPLAIN), and migration 0007 fills the keys of existing rows."""
from __future__ import annotations

import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from wxk_admin import create_app
from wxk_admin.domain import integrity
from wxk_admin.domain.audit import Actor
from wxk_admin.enums import Responsibility, Role, Status
from wxk_admin.models import Application, Book, Publication, User, db

from ..conftest import throwaway_database
from ..support.factories import earlier_cycle, make_app, make_user
from ..views.test_filters import filter_arg, get_list
from .test_integrity_earlier import rows
from ..migrations.test_migrations import legacy_application, _insert_legacy

LIST = "/admin/applications/"


def _book(title, isbn=None, cip_no=None):
    return Book(position=0, title=title, publisher="作家出版社", isbn=isbn, cip_no=cip_no, word_count_k=200,
                responsibility=Responsibility.sole)


def _piece(title, venue, issue):
    return Publication(position=0, title=title, venue=venue, issue=issue, genre="小说", word_count=20000)


def _app(world, key, unit, name, *, books=(), pieces=(), status=Status.submitted, cycle=None, applicant=None,
         id_number=None):
    applicant = applicant or make_user(db.session, f"u_{key}", "applicant", unit, full_name=name)
    app = make_app(db.session, world, key, unit, applicant, status, name=name)
    app.books, app.publications = list(books), list(pieces)
    if cycle is not None:
        app.cycle_id = cycle.id
    if id_number is not None:
        app.id_number = id_number
    db.session.flush()
    return app


@pytest.fixture()
def twins(world):
    last = earlier_cycle(db.session, world)
    a = world.unit_a
    b = world.unit_b
    apps = {
        # One book, entered as ISBN-13 with hyphens in unit A and as its ISBN-10 in unit B (a 合著 entered 独著).
        "isbn_a": _app(world, "isbn_a", a, "甲重书", books=[_book("活着的河", isbn="978-7-5063-6543-7")]),
        "isbn_b": _app(world, "isbn_b", b, "乙重书", books=[_book("活着的河", isbn="750636543X")]),
        # One CIP number, printed vs digits, last year on the direct route.
        "cip_a": _app(world, "cip_a", a, "甲重核", books=[_book("山海经新编", cip_no="中国版本图书馆CIP数据核字(2016)第189798号")]),
        "cip_old": _app(world, "cip_old", None, "直报旧核", books=[_book("山海经新编（修订）", cip_no="2016189798")],
                        cycle=last, status=Status.secretariat_rejected),
        # One periodical piece: 《》, spaces, full-width digits and a leading zero make no other piece.
        "piece_a": _app(world, "piece_a", a, "甲重刊", pieces=[_piece("《远山的回声》", "人民文学", "2020年第3期")]),
        "piece_b": _app(world, "piece_b", b, "乙重刊", pieces=[_piece("远山的 回声", "《人民文学》", "２０２０年第０３期")]),
        # Not duplicates: another issue of the same journal; and a different title.
        "other_issue": _app(world, "other_issue", b, "乙别期", pieces=[_piece("远山的回声", "人民文学", "2020年第4期")]),
        "other_title": _app(world, "other_title", b, "乙别书", books=[_book("别的书", isbn="9787020024759")]),
    }
    # The same person (same 身份证号, another account) applying again with last year's book: not a duplicate.
    same = _app(world, "same_now", a, "同人新", books=[_book("同一本书", isbn="9787544291170")])
    apps["same_now"] = same
    apps["same_old"] = _app(world, "same_old", a, "同人旧", books=[_book("同一本书", isbn="7544291170")],
                            cycle=last, status=Status.rejected, id_number=same.id_number)
    # A draft that repeats 别的书 is nobody's declaration yet.
    apps["draft"] = _app(world, "draft", a, "甲草稿", books=[_book("别的书", isbn="978-7-02-002475-9")],
                         status=Status.draft)
    db.session.commit()
    return apps


FLAGGED = ("isbn_a", "isbn_b", "cip_a", "cip_old", "piece_a", "piece_b")


def _panel(html: str) -> str:
    return html.split('id="panel-integrity"', 1)[1].split("<h6>往年申请</h6>", 1)[0]


def test_keys_are_the_canonical_forms():
    assert integrity.isbn_key("978-7-5063-6543-7") == integrity.isbn_key("7-5063-6543-X") == "9787506365437"
    assert integrity.cip_key("中国版本图书馆CIP数据核字(2016)第189798号") == integrity.cip_key("2016189798")
    assert integrity.isbn_key("12345") is None and integrity.cip_key("") is None
    assert integrity.piece_key("《远山》", "人民文学", "2020年第3期") == integrity.piece_key("远 山", "《人民文学》", "２０２０年第０３期")
    assert integrity.piece_key("远山", "人民文学", "2020年第3期") != integrity.piece_key("远山", "人民文学", "2020年第4期")
    assert integrity.piece_key("", "人民文学", "2020年第3期") is None


def test_office_list_filter_and_marks(client, twins):
    client.login("office")
    arg = filter_arg(client, "作品重复申报", "等于")
    html = get_list(client, **{f"flt0_{arg}": "1"})
    assert sorted(rows(html)) == sorted(twins[k].id for k in FLAGGED)
    assert len(re.findall(r'class="badge badge-warning duplicate-flag"', html)) == len(FLAGGED)
    html = get_list(client, **{f"flt0_{arg}": "0"})
    for key in ("other_issue", "other_title", "same_now", "same_old"):
        assert twins[key].id in rows(html)
    assert not set(rows(html)) & {twins[k].id for k in FLAGGED}


def test_office_details_name_the_other_application_with_a_link(client, twins):
    client.login("office")
    html = client.text(f"/admin/applications/details/?id={twins['isbn_a'].id}")
    panel = _panel(html)
    year = twins["isbn_b"].cycle.year
    assert "出版专集「活着的河」（ISBN 9787506365437）也由" in panel
    assert f"details/?id={twins['isbn_b'].id}" in panel and "乙重书" in panel
    assert f"（{year} 年度，乙省作家协会）" in panel
    html = client.text(f"/admin/applications/details/?id={twins['cip_a'].id}")
    panel = _panel(html)
    assert "CIP 核字号 中国版本图书馆CIP数据核字(2016)第189798号" in panel
    assert "直报旧核" in panel and f"（{year - 1} 年度，直接申报）" in panel
    html = client.text(f"/admin/applications/details/?id={twins['piece_b'].id}")
    assert "甲重刊" in _panel(html) and "发表作品「远山的 回声」" in _panel(html)
    html = client.text(f"/admin/applications/details/?id={twins['other_issue'].id}")
    assert "未发现他人申报的相同作品" in _panel(html)


def test_unit_admin_never_reads_another_units_applicant(client, twins):
    client.login("admin_a")
    html = client.text(f"/admin/applications/details/?id={twins['isbn_a'].id}")
    panel = _panel(html)
    assert "另一申请（非本单位）" in panel
    assert "乙重书" not in html and "乙省作家协会" not in panel and f"id={twins['isbn_b'].id}" not in html
    # The list marks the row, and names no one else either.
    html = get_list(client)
    assert "duplicate-flag" in html and "乙重书" not in html and "直报旧核" not in html
    html = client.text(f"/admin/applications/details/?id={twins['cip_a'].id}")
    assert "另一申请（非本单位）" in _panel(html) and "直报旧核" not in html
    client.login("admin_b")
    html = client.text(f"/admin/applications/details/?id={twins['piece_b'].id}")
    assert "另一申请（非本单位）" in _panel(html) and "甲重刊" not in html


def test_keys_follow_an_edit(world, twins):
    book = twins["other_title"].books[0]
    book.isbn = "978-7-5063-6543-7"  # now the same book as 活着的河
    db.session.commit()
    flagged = set(db.session.scalars(select(Application.id).where(integrity.duplicate_exists())))
    assert twins["other_title"].id in flagged
    assert {d.other.id for d in integrity.duplicates(db.session, Actor(world.users["office"]), twins["other_title"])} == \
        {twins["isbn_a"].id, twins["isbn_b"].id}


def _plan(backend, query) -> str:
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    if backend == "sqlite":
        return "\n".join(str(r) for r in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    # A test table is tiny, so PostgreSQL would read it whole; forbid sequential scans to see whether the
    # query can use the index at all (at 1,000,000 rows the planner prefers it by itself).
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    return "\n".join(r[0] for r in db.session.execute(text(f"EXPLAIN {compiled}")))


def test_flag_queries_use_the_indexes(backend, tmp_path):
    """On a freshly migrated database: the shared test database has statistics from ``wxk generate``'s
    ANALYZE saying its tables are tiny, and SQLite then rightly prefers a scan — at 1,000,000 rows it would not."""
    with throwaway_database(backend, tmp_path, prefix="wxk_plan") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
        with app.app_context():
            upgrade()
            office = User(id=1, username="office", role=Role.office, active=True)  # scope only: never saved
            plan = _plan(backend, select(Application.id).where(integrity.duplicate_exists()))
            for index in ("ix_books_isbn_key", "ix_books_cip_key", "ix_publications_piece_key",
                          "ix_books_application_id", "ix_publications_application_id"):
                assert index in plan, plan
            plan = _plan(backend, select(Application.id).where(integrity.earlier_exists(office)))
            assert "ix_applications_id_number" in plan, plan
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()


def test_migration_0007_fills_the_keys_of_existing_rows(backend, tmp_path):
    with throwaway_database(backend, tmp_path, prefix="wxk_mig7") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
        with app.app_context():
            upgrade(revision="0006_oversight")
            first, second = legacy_application(db.session, name="旧甲"), legacy_application(db.session, name="旧乙")
            _insert_legacy(db.session, "books", {"id": 1, "application_id": first, "position": 0, "title": "书",
                                                 "isbn": "7-5063-6543-X", "cip_no": "2016189798"})
            _insert_legacy(db.session, "books", {"id": 2, "application_id": second, "position": 0, "title": "书",
                                                 "isbn": "not an isbn", "cip_no": None})
            _insert_legacy(db.session, "publications", {"id": 1, "application_id": first, "position": 0,
                                                        "title": "《远山》", "venue": "人民文学", "issue": "2020年第3期"})
            db.session.commit()
            db.session.close()

            upgrade()

            books = db.session.execute(text("SELECT id, isbn_key, cip_key FROM books ORDER BY id")).all()
            assert [tuple(r) for r in books] == [(1, "9787506365437", "2016189798"), (2, None, None)]
            piece = db.session.execute(text("SELECT piece_key FROM publications")).scalar()
            assert piece == integrity.piece_key("远山", "人民文学", "2020年第3期") and piece
            db.session.remove()
            db.engine.dispose()


def test_generated_rows_carry_the_keys(app, ctx):
    """wxk generate writes rows straight to the driver (no ORM events): it computes the same keys."""
    from wxk_admin.cli.generate import generate

    generate(db.session, 40, units=2, cycles=1, seed=11, batch=16)
    pieces = db.session.execute(select(Publication.title, Publication.venue, Publication.issue,
                                       Publication.piece_key)).all()
    assert pieces and all(key == integrity.piece_key(t, v, i) and key for t, v, i, key in pieces)
    books = db.session.execute(select(Book.isbn, Book.isbn_key)).all()
    assert books and all(key == integrity.isbn_key(isbn) for isbn, key in books)
    assert any(key for _, key in books)


def test_supervisor_reads_the_flags_with_names(client, twins):
    make_user(db.session, "jijian", "supervisor", full_name="纪检")
    db.session.commit()
    client.login("jijian")
    arg = filter_arg(client, "作品重复申报", "等于")
    assert sorted(rows(get_list(client, **{f"flt0_{arg}": "1"}))) == sorted(twins[k].id for k in FLAGGED)
    panel = _panel(client.text(f"/admin/applications/details/?id={twins['isbn_a'].id}"))
    assert "乙重书" in panel and f"details/?id={twins['isbn_b'].id}" in panel
