"""Issue 13.5: 姓名 sorts by 拼音 (a stored key, the same order on SQLite and PostgreSQL); 申请序列号 puts
unnumbered rows last in both directions; migration 0004 fills the key of existing rows."""
from __future__ import annotations

import re

from flask_migrate import upgrade
from sqlalchemy import text

from wxk_admin import create_app
from wxk_admin.enums import Status
from wxk_admin.models import Application, db
from wxk_admin.domain.names import name_sort_key

from ..conftest import throwaway_database
from ..support.factories import make_app
from ..migrations.test_migrations import legacy_application

LIST = "/admin/applications/"
PINYIN_ORDER = ["阿", "白", "陈", "买买提·艾力", "曾", "张"]  # a, bai, chen, mai, zeng (surname), zhang


def _names(html: str) -> list[str]:
    return re.findall(r'<td class="col-name"><a href="[^"]+">([^<]+)</a>', html)


def _sorted_by(client, column: int, desc: bool = False) -> list[str]:
    return _names(client.text(f"{LIST}?sort={column}" + ("&desc=1" if desc else "")))


def test_names_sort_by_pinyin_both_ways_and_follow_edits(client, world):
    s = db.session
    for key in ("a_submitted", "b_submitted", "direct_submitted"):
        s.delete(world.apps[key])
    for name in reversed(PINYIN_ORDER):  # inserted in reverse, so id order is not the answer
        make_app(s, world, f"n{name}", world.unit_a, world.users["appl_a"], name=name)
    s.commit()
    client.login("admin_a")
    assert _sorted_by(client, 0) == PINYIN_ORDER
    assert _sorted_by(client, 0, desc=True) == PINYIN_ORDER[::-1]
    # The key follows every save: 白 renamed 庞 (pang) moves between 买买提·艾力 and 曾.
    renamed = world.apps["n白"]
    renamed.name = "庞"
    s.commit()
    assert _sorted_by(client, 0) == ["阿", "陈", "买买提·艾力", "庞", "曾", "张"]


def test_sort_key_reads_surnames_and_orders_shorter_names_first():
    assert name_sort_key("曾国藩") < name_sort_key("张三")  # 曾 as a surname is zēng, not céng
    assert name_sort_key("张") < name_sort_key("张三") < name_sort_key("张四")
    assert name_sort_key("单田芳").startswith("shan4")
    assert re.fullmatch(r"[0-9a-z]*", name_sort_key("买买提·艾力 Ali")), "only letters and digits (any collation)"
    assert name_sort_key("张三") != name_sort_key("章三")  # homophones still have an order


def test_serial_sort_puts_unnumbered_rows_last_both_ways(client, world):
    s = db.session
    for i, serial in enumerate(("2027-000002", None, "2027-000001", "2027-000003")):
        make_app(s, world, f"s{i}", world.unit_a, world.users["appl_a"], Status.office_confirmed, name=f"序{i}",
                 serial_no=serial, serial_seq=int(serial[-1]) if serial else None)
    s.commit()
    client.login("admin_a")
    ascending = _sorted_by(client, 5)
    assert ascending[:3] == ["序2", "序0", "序3"] and set(ascending[3:]) == {"序1", "甲一"}
    descending = _sorted_by(client, 5, desc=True)
    assert descending[:3] == ["序3", "序0", "序2"] and set(descending[3:]) == {"序1", "甲一"}


def test_migration_0004_fills_the_key_of_existing_rows(backend, tmp_path):
    with throwaway_database(backend, tmp_path, prefix="wxk_mig4") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
        with app.app_context():
            upgrade(revision="0003_journal_levels")
            for name in ("张", "曾", "阿"):
                legacy_application(db.session, name=name)
            db.session.commit()
            db.session.close()

            upgrade()

            keys = dict(db.session.execute(text("SELECT name, name_sort_key FROM applications")).all())
            assert keys == {n: name_sort_key(n) for n in ("张", "曾", "阿")}
            ordered = db.session.scalars(db.select(Application.name).order_by(Application.name_sort_key)).all()
            assert ordered == ["阿", "曾", "张"]
            db.session.remove()
            db.engine.dispose()
