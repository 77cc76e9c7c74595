"""Issue 13.6: a journal's levels are independent — 省级及以上, 中文核心期刊 and 全国重点文学期刊 at once.

The form offers them as checkboxes; each publication counts in every measure its properties qualify it for,
and the 资格初审 panel says which; migration 0003 turns the old single level into the properties without
losing a row's meaning (upgrade of a populated 0002 database, downgrade back).
"""
from __future__ import annotations

import datetime as dt

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, inspect, select, text

from wxk_admin import create_app, rules
from wxk_admin.domain.rules import measures
from wxk_admin.enums import Circulation, Status, Track
from wxk_admin.models import Application, Publication, db

from ..support.applicant import VALID, application_of, cip_record, new_applicant, post_form
from ..conftest import throwaway_database

# ---------------------------------------------------------------- the migration

OLD_TO_NEW = {
    # old venue_level: (circulation, 省级及以上, 中文核心期刊, 全国重点文学期刊)
    "national_key": ("public", True, False, True),
    "core": ("public", True, True, False),
    "provincial": ("public", True, False, False),
    "public": ("public", False, False, False),
    "internal": ("internal", False, False, False),
    "anthology": ("anthology", False, False, False),
    None: (None, False, False, False),
}


def _filled(table: Table, **given) -> dict:
    """A row for ``table`` as of an old revision: ``given`` plus a plain value for every other required column."""
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key or column.server_default is not None:
            continue
        python = column.type.python_type
        row[column.name] = {str: "x", int: 0, bool: False, dt.datetime: dt.datetime(2027, 3, 1, 9, 0),
                            dt.date: dt.date(2027, 3, 1)}.get(python, "x")
    return row


def test_upgrade_0003_maps_each_old_level_and_downgrade_gives_it_back(backend, tmp_path):
    with throwaway_database(backend, tmp_path, prefix="wxk_mig3") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
        with app.app_context():
            upgrade(revision="0002_submitted_unless_draft")
            meta = MetaData()
            with db.engine.begin() as conn:
                tables = {name: Table(name, meta, autoload_with=conn)
                          for name in ("group_units", "cycles", "users", "applications", "publications")}
                conn.execute(tables["group_units"].insert(), _filled(tables["group_units"], id=1, code="ua", name="甲省作协",
                                                                     kind="regional"))
                conn.execute(tables["cycles"].insert(), _filled(tables["cycles"], id=1, association="cwa", year=2027,
                                                                name="2027年度", ruleset="cwa-2022"))
                conn.execute(tables["users"].insert(), _filled(tables["users"], id=1, username="appl", role="applicant",
                                                               unit_id=1))
                conn.execute(tables["applications"].insert(), _filled(
                    tables["applications"], id=1, cycle_id=1, unit_id=1, applicant_id=1, status="submitted",
                    submitted_at=dt.datetime(2027, 3, 1, 9, 0),
                    name="花城作者", version=1))
                for i, old in enumerate(OLD_TO_NEW):
                    conn.execute(tables["publications"].insert(), _filled(
                        tables["publications"], id=i + 1, application_id=1, position=i, title=f"作品{i}",
                        venue=f"刊物{i}", venue_level=old, word_count=1000 * (i + 1)))
            db.engine.dispose()

            upgrade(revision="0003_journal_levels")

            with db.engine.connect() as conn:
                rows = conn.execute(text(
                    "SELECT position, circulation, level_provincial, level_core, level_national_key, word_count "
                    "FROM publications ORDER BY position")).all()
                columns = {c["name"] for c in inspect(conn).get_columns("publications")}
            assert "venue_level" not in columns
            assert [(r[1], bool(r[2]), bool(r[3]), bool(r[4])) for r in rows] == list(OLD_TO_NEW.values())
            assert [r[5] for r in rows] == [1000 * (i + 1) for i in range(len(OLD_TO_NEW))]  # nothing else lost
            db.engine.dispose()

            downgrade(revision="0002_submitted_unless_draft")

            with db.engine.connect() as conn:
                back = conn.execute(text("SELECT venue_level FROM publications ORDER BY position")).scalars().all()
            assert back == list(OLD_TO_NEW)
            db.engine.dispose()


# ---------------------------------------------------------------- counting


def _pub(chars: int, *, provincial=False, core=False, national_key=False, circulation=Circulation.public,
         title="花城里的河") -> Publication:
    return Publication(title=title, venue="花城", circulation=circulation, word_count=chars,
                       level_provincial=provincial, level_core=core, level_national_key=national_key,
                       is_translation=False, is_criticism=False)


def _totals(result) -> dict:
    return {t["key"]: t["value"] for t in result.detail["totals"]}


def test_a_journal_with_every_level_counts_in_every_measure():
    app = Application(track=Track.creation, publications=[_pub(12_000, provincial=True, core=True, national_key=True)])
    result = rules.evaluate(app, "cwa-2022")
    totals = _totals(result)
    assert totals["chars"] == totals["chars_provincial"] == 12_000
    assert totals["lvl:national_key"] == totals["lvl:core"] == totals["lvl:provincial"] == 12_000
    assert totals["lvl:public"] == 0
    assert result.detail["counted"] == [
        "发表作品《花城里的河》（12,000 字）计入：报刊发表、省级及以上发表、中文核心期刊、全国重点文学期刊"]


def test_a_core_journal_counts_as_provincial_even_unticked():
    """中文核心期刊 and 全国重点文学期刊 are 省级及以上 journals (the issue's 《花城》 case)."""
    core_only = rules.evaluate(Application(track=Track.creation, publications=[_pub(9_000, core=True)]), "cwa-2022")
    assert _totals(core_only)["chars_provincial"] == 9_000
    plain = rules.evaluate(Application(track=Track.creation, publications=[_pub(9_000)]), "cwa-2022")
    assert _totals(plain)["chars_provincial"] == 0 and _totals(plain)["chars"] == 9_000
    assert plain.detail["counted"] == ["发表作品《花城里的河》（9,000 字）计入：报刊发表"]


def test_criticism_in_a_core_journal_counts_toward_provincial_criticism():
    pub = _pub(150_000, core=True)
    pub.is_criticism = True
    app = Application(track=Track.criticism, publications=[pub])
    assert _totals(rules.evaluate(app, "cwa-2022"))["crit_chars_provincial_core"] == 150_000
    values = measures.Values(measures.Facts(app, rules.get_ruleset("jiangsu-2022")))
    assert values["crit_chars_provincial"] == 150_000


@pytest.mark.parametrize("circulation,why", [(Circulation.internal, "内部刊物"), (Circulation.anthology, "多人合集/选本")])
def test_internal_and_anthology_count_nowhere_even_with_a_level_ticked(circulation, why):
    result = rules.evaluate(Application(track=Track.creation, publications=[
        _pub(50_000, provincial=True, circulation=circulation)]), "cwa-2022")
    assert _totals(result)["chars"] == 0 and _totals(result)["chars_provincial"] == 0
    assert result.detail["excluded"] == [f"发表作品《花城里的河》：{why}，不计入"]
    assert result.detail["counted"] == []


def test_no_circulation_but_a_level_ticked_counts_as_public():
    result = rules.evaluate(Application(track=Track.creation, publications=[
        _pub(7_000, provincial=True, circulation=None)]), "cwa-2022")
    assert _totals(result)["chars_provincial"] == 7_000
    nothing = rules.evaluate(Application(track=Track.creation, publications=[_pub(7_000, circulation=None)]),
                             "cwa-2022")
    assert _totals(nothing)["chars"] == 0
    assert nothing.detail["excluded"] == ["发表作品《花城里的河》：未注明发行范围，不计入"]


# ---------------------------------------------------------------- the form and the panel


def test_applicant_ticks_several_levels_and_the_reviewer_reads_where_it_counts(client, world):
    cip_record()
    person = new_applicant(unit=world.unit_a)
    client.login("zhang")
    form = client.text("/admin/my-application/form/")
    for name in ("publications-0-level_provincial", "publications-0-level_core", "publications-0-level_national_key"):
        assert f'name="{name}"' in form and f'id="{name}"' in form and 'type="checkbox"' in form
    data = {k: v for k, v in VALID.items() if not k.startswith("publications-0-")}
    data.update({"publications-0-title": "花城里的河", "publications-0-venue": "花城", "publications-0-circulation": "public",
                 "publications-0-level_provincial": "y", "publications-0-level_core": "y",
                 "publications-0-level_national_key": "y", "publications-0-word_count": "12000"})
    page = post_form(client, data, "submit").get_data(as_text=True)
    app = application_of(person)
    assert app.status == Status.submitted, page[:3000]
    pub = app.publications[0]
    assert (pub.circulation, pub.level_provincial, pub.level_core, pub.level_national_key) == \
        (Circulation.public, True, True, True)
    client.logout()
    client.login("admin_a")
    details = client.text(f"/admin/applications/details/?id={app.id}")
    assert "发表作品《花城里的河》（12,000 字）计入：报刊发表、省级及以上发表、中文核心期刊、全国重点文学期刊" in details
    # the reopened form shows the three boxes ticked
    db.session.expire_all()
    stored = db.session.scalar(select(Publication).where(Publication.application_id == app.id))
    assert stored.level_core and stored.level_national_key
