"""Issue 19.2 (thin views): a CIP record's number and an account's user name are unique — said by the domain
(``cip.check_record``, ``accounts.refuse_taken_username``), which IT's record and account pages call."""
from __future__ import annotations

import pytest

from wxk_admin.domain import cip
from wxk_admin.domain.applying import accounts
from wxk_admin.domain.errors import Refused
from wxk_admin.models import db

from ..support.cip import spec_record


def test_a_typed_record_is_normalised(world):
    record = spec_record(cip_no="中国版本图书馆CIP数据核字(2005)第70730号", isbn="ISBN 7-5015-2709-1", clc=" i247.5 ")
    cip.check_record(db.session, record)
    assert (record.cip_no, record.isbn, record.clc) == ("2005070730", "9787501527090", "I247.5")


@pytest.mark.parametrize("changes, message", [
    ({"cip_no": None, "isbn": None}, "ISBN 和 CIP 核字号至少填写一项"),
    ({"title": "  "}, "缺少正书名"),
    ({"isbn": "978-7-5015-2709-1", "title": ""}, "ISBN 校验位错误：「978-7-5015-2709-1」；缺少正书名"),
])
def test_a_record_missing_what_identifies_it_is_refused(world, changes, message):
    with pytest.raises(Refused) as refused:
        cip.check_record(db.session, spec_record(**changes))
    assert str(refused.value) == message


def test_a_second_record_with_the_same_cip_number_is_refused_in_any_printed_form(world):
    db.session.add(spec_record())
    db.session.commit()
    second = spec_record(cip_no="(2005)第70730号", isbn=None, title="另一本")
    db.session.add(second)  # pending, as Flask-Admin's new record is when its hook runs
    with pytest.raises(Refused) as refused:
        cip.check_record(db.session, second)
    assert str(refused.value) == "CIP 核字号 中国版本图书馆CIP数据核字(2005)第70730号 已存在"


def test_a_record_edited_keeps_its_own_number(world):
    record = spec_record()
    db.session.add(record)
    db.session.commit()
    record.title = "梦里花落知多少（修订版）"
    cip.check_record(db.session, record)  # its own number is no clash
    assert record.cip_no == "2005070730"


def test_a_user_name_taken_in_any_case_is_refused(world):
    for name in ("admin_a", "ADMIN_A", "Admin_A"):
        with pytest.raises(Refused) as refused:
            accounts.refuse_taken_username(db.session, name)
        assert str(refused.value) == f"用户名已存在：{name}"
    accounts.refuse_taken_username(db.session, "new_office")  # free: no refusal


def test_an_account_keeps_its_own_name_but_not_anothers(world):
    admin_a = world.users["admin_a"]
    accounts.refuse_taken_username(db.session, "ADMIN_A", user_id=admin_a.id)
    with pytest.raises(Refused) as refused:
        accounts.refuse_taken_username(db.session, "admin_b", user_id=admin_a.id)
    assert str(refused.value) == "用户名已存在：admin_b"
