"""Issue 15.3 — earlier applications of the same 身份证号: the details panel, the list's 「往年申请过」 filter and
flag, each within the viewer's scope (a unit admin: its own unit's earlier applications only)."""
from __future__ import annotations

import re

import pytest

from wxk_admin.enums import Status
from wxk_admin.models import db

from ..support.factories import earlier_cycle, make_app, make_user
from ..views.test_filters import filter_arg, get_list, names

ID = "11010519800101001X"  # shared by 重申甲 (this year) and its earlier applications
OTHER_ID = "110105198002020027"


@pytest.fixture()
def history(world):
    """重申甲 applies this year in unit A; in the two earlier years: unit A (驳回), unit B (书记处未通过), plus an
    unsubmitted draft.  乙再申 applies this year in unit B; its only earlier application was in unit A."""
    last, before = earlier_cycle(db.session, world, 1), earlier_cycle(db.session, world, 2)
    applicant = make_user(db.session, "chongshen", "applicant", world.unit_a, full_name="重申甲")
    applicant_b = make_user(db.session, "zaishen", "applicant", world.unit_b, full_name="乙再申")
    apps = {
        "now": make_app(db.session, world, "now", world.unit_a, applicant, Status.submitted, name="重申甲", id_number=ID),
        "last": make_app(db.session, world, "last", world.unit_a, applicant, Status.rejected, name="重申甲",
                         id_number=ID, cycle_id=last.id),
        "before": make_app(db.session, world, "before", world.unit_b, applicant, Status.secretariat_rejected,
                           name="重申甲", id_number=ID, cycle_id=before.id),
        "draft": make_app(db.session, world, "draft", world.unit_a, applicant, Status.draft, name="重申甲",
                          id_number=ID, cycle_id=last.id),
        "b_now": make_app(db.session, world, "b_now", world.unit_b, applicant_b, Status.submitted, name="乙再申",
                          id_number=OTHER_ID),
        "b_last": make_app(db.session, world, "b_last", world.unit_a, applicant_b, Status.admitted, name="乙再申",
                           id_number=OTHER_ID, cycle_id=last.id),
    }
    db.session.commit()
    return {"last_cycle": last, "before_cycle": before, **apps}


def rows(html: str) -> list[int]:
    """The ids of the applications listed (their 姓名 links)."""
    return [int(i) for i in re.findall(r'<a href="[^"]*details/\?id=(\d+)[^"]*">', html)]


def _earlier_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table[^>]*id="earlier".*?</table>', html, re.S)
    if not table:
        return []
    rows = re.findall(r'<tr class="earlier">(.*?)</tr>', table.group(0), re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


def test_office_reads_each_earlier_application_with_year_unit_stage_and_outcome(client, history):
    client.login("office")
    html = client.text(f"/admin/applications/details/?id={history['now'].id}")
    assert _earlier_rows(html) == [
        [str(history["last_cycle"].year), "甲省作家协会", "已驳回", "未获批准（团体会员驳回后未重新提交）"],
        [str(history["before_cycle"].year), "乙省作家协会", "书记处审议未通过", "未获批准（书记处审议未通过）"],
    ]
    assert 'id="earlier-badge"' in html
    # Someone with no earlier application: the panel says so.
    html = client.text(f"/admin/applications/details/?id={history['b_last'].id}")
    assert _earlier_rows(html) == [] and "未发现往年的申请" in html
    # 已入会 is an outcome too.
    client.login("it")
    assert _earlier_rows(client.text(f"/admin/applications/details/?id={history['b_now'].id}")) == [
        [str(history["last_cycle"].year), "甲省作家协会", "已公布入会", "已入会"]]


def test_unit_admin_reads_earlier_applications_of_its_own_unit_only(client, history):
    client.login("admin_a")
    html = client.text(f"/admin/applications/details/?id={history['now'].id}")
    assert _earlier_rows(html) == [
        [str(history["last_cycle"].year), "甲省作家协会", "已驳回", "未获批准（团体会员驳回后未重新提交）"]]
    assert "乙省作家协会" not in html.split('id="panel-integrity"')[1].split("操作记录")[0]
    client.login("admin_b")
    html = client.text(f"/admin/applications/details/?id={history['b_now'].id}")
    assert _earlier_rows(html) == [] and "未发现本单位往年的申请" in html


def test_list_filter_applied_before_and_its_flag(client, history):
    client.login("office")
    arg = filter_arg(client, "往年申请过", "等于")
    html = get_list(client, **{f"flt0_{arg}": "1"})
    # This year's 重申甲 and 乙再申, and last year's 重申甲 (it had one the year before); not the oldest rows.
    assert sorted(rows(html)) == sorted([history["now"].id, history["last"].id, history["b_now"].id])
    assert len(re.findall(r'class="badge badge-info earlier-flag"', html)) == 3
    html = get_list(client, **{f"flt0_{arg}": "0"})
    assert history["before"].id in rows(html) and history["b_last"].id in rows(html)
    assert history["now"].id not in rows(html) and "earlier-flag" not in html
    # Unit B's 乙再申 applied before only in unit A: unit B's admin is not told about it.
    client.login("admin_b")
    assert names(get_list(client, **{f"flt0_{arg}": "1"})) == set()
    assert "earlier-flag" not in get_list(client)
    client.login("admin_a")
    assert rows(get_list(client, **{f"flt0_{arg}": "1"})) == [history["now"].id]  # the earlier one in unit B is not told


def test_applied_before_filter_refuses_a_bad_value(client, history):
    client.login("office")
    arg = filter_arg(client, "往年申请过", "等于")
    html = get_list(client, **{f"flt0_{arg}": "maybe"})
    assert "重申甲" in names(html) and "甲一" in names(html)  # the filter is dropped, nothing lost


def test_supervisor_reads_every_earlier_application(client, history):
    make_user(db.session, "jijian", "supervisor", full_name="纪检")
    db.session.commit()
    client.login("jijian")
    html = client.text(f"/admin/applications/details/?id={history['now'].id}")
    assert [row[1] for row in _earlier_rows(html)] == ["甲省作家协会", "乙省作家协会"]
    arg = filter_arg(client, "往年申请过", "等于")
    assert sorted(rows(get_list(client, **{f"flt0_{arg}": "1"}))) == sorted(
        [history["now"].id, history["last"].id, history["b_now"].id])
