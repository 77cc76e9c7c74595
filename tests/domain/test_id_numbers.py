"""Issue 13.1: real people's 身份证号 are accepted; only what is certainly wrong refuses one.

A number keeps the county of first issue (cards from 1985), so people born before a district existed
carry its code.  Accepted: 18 characters, digits with a final digit or X, a real birth date (not in the
future, equal to 出生日期), the GB 11643 check digit, an existing province code.  An unknown county code is a
note for the reviewer, never a refusal; 修改信息 of other fields never fails on a stored value.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from wxk_admin.domain import applying
from wxk_admin.enums import Status
from wxk_admin.forms import ApplicationForm
from wxk_admin.models import Application, AuditEvent, db

from ..support.applicant import VALID, application_of, cip_record, new_applicant, post_form
from ..support.helpers import redirect_target

TODAY = dt.date(2027, 1, 15)
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]  # GB 11643: 2^(17-i) mod 11


def with_check_digit(body17: str) -> str:
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, WEIGHTS)) % 11]


def number(area: str, born: dt.date, seq: str = "237") -> str:
    return with_check_digit(f"{area}{born:%Y%m%d}{seq}")


# People born 1940–2005 in counties created (or coded) after their birth year, and other real shapes.
ACCEPTED = [
    ("440106", dt.date(1957, 4, 18), "737", "广州天河区（1985 年设），1957 年生 — issue 13.1's example"),
    ("310115", dt.date(1948, 11, 2), "021", "上海浦东新区（1992 年设）"),
    ("120116", dt.date(1962, 7, 30), "115", "天津滨海新区（2009 年设）"),
    ("440306", dt.date(1940, 1, 1), "333", "深圳宝安区（1992 年设），1940 年生"),
    ("330110", dt.date(2005, 12, 31), "046", "杭州余杭区（2001 年设），2005 年生"),
    ("110116", dt.date(1966, 2, 28), "512", "北京怀柔区（2001 年设）"),
    ("320583", dt.date(1945, 9, 3), "808", "昆山市（1989 年设）"),
    ("460400", dt.date(1971, 6, 15), "227", "儋州市（地级 2015 年设）"),
    ("500112", dt.date(1976, 3, 8), "414", "重庆渝北区"),
    ("810000", dt.date(1990, 5, 20), "018", "香港居民居住证"),
    ("820000", dt.date(1984, 2, 29), "022", "澳门居民居住证，闰日生"),
    ("110199", dt.date(1980, 5, 12), "123", "省级码存在、县级码不在代码表中：仅提示"),
]


@pytest.mark.parametrize("area,born,seq,why", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_real_numbers_are_accepted(area, born, seq, why):
    id_no = number(area, born, seq)
    values = {"id_number": id_no, "birth_date": born}
    assert applying.format_problems(values, TODAY) == {}, why
    assert applying.format_problems({**values, "id_number": id_no.lower()}, TODAY) == {}, why


def test_a_final_x_is_accepted():
    born = dt.date(1957, 4, 18)
    id_no = next(n for n in (number("440106", born, f"{s:03d}") for s in range(1000)) if n.endswith("X"))
    assert applying.format_problems({"id_number": id_no, "birth_date": born}, TODAY) == {}


GOOD = number("440106", dt.date(1957, 4, 18), "737")
REFUSED = [
    (GOOD[:17] + ("0" if GOOD[17] != "0" else "1"), None, "id_number", "身份证号校验位不正确"),
    (number("440106", dt.date(2027, 3, 1)), dt.date(2027, 3, 1), "id_number", "出生日期晚于今天"),
    (with_check_digit("44010619570230737"), None, "id_number", "出生日期无效"),
    (number("990101", dt.date(1957, 4, 18)), None, "id_number", "省级地区码"),
    (number("000000", dt.date(1957, 4, 18)), None, "id_number", "省级地区码"),
    (number("720000", dt.date(1957, 4, 18)), None, "id_number", "省级地区码"),
    (GOOD[:17], None, "id_number", "身份证号应为 18 位"),
    (GOOD + "1", None, "id_number", "身份证号应为 18 位"),
    ("44010619570418A37X", None, "id_number", "最后一位为数字或 X"),
    (GOOD[:17] + "Y", None, "id_number", "最后一位为数字或 X"),
    (GOOD, dt.date(1957, 4, 19), "birth_date", "不一致"),
]


@pytest.mark.parametrize("id_no,birth,field,message", REFUSED, ids=[f"{r[2]}:{r[3]}" for r in REFUSED])
def test_wrong_numbers_are_refused_with_the_reason(id_no, birth, field, message):
    problems = applying.format_problems({"id_number": id_no, "birth_date": birth}, TODAY)
    assert field in problems and any(message in m for m in problems[field]), problems


def test_applicant_born_before_the_district_existed_submits_and_the_reviewer_sees_the_county_note(client, world):
    cip_record()
    born = dt.date(1957, 4, 18)
    person = new_applicant(unit=world.unit_a)
    client.login("zhang")
    page = post_form(client, {**VALID, "birth_date": born.isoformat(), "id_number": "440106195704187378"},
                     "submit").get_data(as_text=True)
    app = application_of(person)
    assert app.status == Status.submitted, page[:3000]
    assert app.id_number == "440106195704187378"
    # an unknown county code: submitted too, and the reviewer reads a note (never a refusal)
    other = new_applicant("li", unit=world.unit_a, full_name="李四")
    client.logout()
    client.login("li")
    unknown = number("110199", born)
    page = post_form(client, {**VALID, "name": "李四", "birth_date": born.isoformat(), "id_number": unknown},
                     "submit").get_data(as_text=True)
    assert application_of(other).status == Status.submitted, page[:3000]
    client.logout()
    client.login("admin_a")
    details = client.text(f"/admin/applications/details/?id={application_of(other).id}")
    assert "身份证号的地区码（前 6 位）不在行政区划代码表中" in details
    assert "不在行政区划代码表中" not in client.text(f"/admin/applications/details/?id={app.id}")


def _posted_form(application: Application, **changes) -> dict:
    """What the 修改信息 page posts back when the admin changes only ``changes``."""
    form = ApplicationForm.for_application(application, empty_rows=False)
    data = {}
    for field in form:
        entries = getattr(field, "entries", None)
        subfields = [sub for entry in entries for sub in entry.form] if entries is not None else [field]
        for sub in subfields:
            if sub.type == "BooleanField":
                if sub.data:
                    data[sub.name] = "y"
            else:
                data[sub.name] = "" if sub.data is None else str(sub.data)
    data.update(changes, version=str(application.version))
    return data


@pytest.mark.parametrize("stored", [
    "440106195704187378",      # refused by stdnum's county-in-birth-year check (issue 13.1)
    "440106195704187370",      # even a stored value today's check refuses (wrong check digit)
], ids=["county-created-later", "bad-check-digit"])
def test_unit_admin_changes_only_the_phone_of_an_application_with_a_stored_id_number(client, world, app, stored):
    application = world.apps["a_submitted"]
    application.id_number, application.birth_date = stored, dt.date(1957, 4, 18)
    db.session.commit()
    with app.test_request_context():
        data = _posted_form(application, mobile="13900002222", change_reason="申请者来电更正手机号")
    client.login("admin_a")
    r = client.post(f"/admin/applications/edit/?id={application.id}", data,
                    token_from=f"/admin/applications/edit/?id={application.id}")
    assert redirect_target(r) == ("/admin/applications/details/",  # saved: back to its details page
                                  {"id": [str(application.id)], "url": ["/admin/applications/"]})
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.mobile == "13900002222" and saved.id_number == stored
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == application.id,
                                                        AuditEvent.action == "edit")).one()
    assert set(event.after) == {"mobile"}


def test_unit_admin_changing_the_id_number_itself_is_checked(client, world, app):
    application = world.apps["a_submitted"]
    application.id_number, application.birth_date = "440106195704187378", dt.date(1957, 4, 18)
    db.session.commit()
    with app.test_request_context():
        data = _posted_form(application, id_number="440106195704187370")
    client.login("admin_a")
    r = client.post(f"/admin/applications/edit/?id={application.id}", data,
                    token_from=f"/admin/applications/edit/?id={application.id}")
    assert r.status_code == 200 and "身份证号校验位不正确" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).id_number == "440106195704187378"
