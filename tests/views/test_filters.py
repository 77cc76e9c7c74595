"""Issue 7 point 1: filters and search on 申请入会管理 against known data (guide 000_… 五.1 查询筛选)."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest

from wxk_admin.enums import Category, Eligibility, Status
from wxk_admin.models import Cycle, GroupUnit, Objection, db

from ..support.factories import make_app

LIST = "/admin/applications/"


@pytest.fixture
def data(world):
    """Known rows in unit A (plus the world's three): distinct names, statuses, serials, dates."""
    s = db.session
    ua, ub, appl_a, appl_b = world.unit_a, world.unit_b, world.users["appl_a"], world.users["appl_b"]
    day = dt.datetime(2026, 1, 10, 9, 0)
    make_app(s, world, "novel1", ua, appl_a, Status.office_confirmed, name="张长篇", category=Category.novel,
             style="长篇小说", serial_no="2027-000003", serial_seq=3, submitted_at=day,
             eligibility=Eligibility.eligible, mobile="13900000001", pen_name="北岸客")
    make_app(s, world, "poem1", ua, appl_a, Status.office_confirmed, name="李诗人", category=Category.poetry,
             style="新诗", serial_no="2027-000001", serial_seq=1, submitted_at=day + dt.timedelta(days=5),
             eligibility=Eligibility.not_eligible, cip_flagged=True, mobile="13900000002", pen_name="南舟")
    make_app(s, world, "prose1", ua, appl_a, Status.unit_confirmed, name="王散文", category=Category.prose,
             style="随笔", submitted_at=day + dt.timedelta(days=20), eligibility=Eligibility.manual,
             mobile="13700000003", id_number="110101199001011234", pen_name=None)
    make_app(s, world, "b_novel", ub, appl_b, Status.office_confirmed, name="赵乙方", category=Category.novel,
             style="长篇小说", serial_no="2027-000002", serial_seq=2, submitted_at=day + dt.timedelta(days=1),
             mobile="13900000004")
    make_app(s, world, "draft_a", ua, appl_a, Status.draft, name="草稿人", category=Category.novel, style="长篇小说")
    s.add(Objection(application_id=world.apps["poem1"].id, content="作品涉嫌抄袭"))
    s.commit()
    return world


def names(html: str) -> set[str]:
    """The applicant names shown in the list's rows (the 姓名 links to details)."""
    return set(re.findall(r'<a href="[^"]*details/\?id=\d+[^"]*">([^<]+)</a>', html))


def filter_groups(client) -> dict:
    """The filter definitions the list page hands to its filter widget (names, operations, options)."""
    import html as htmllib
    import json

    html = client.text(LIST)
    raw = re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', html, re.S)
    return json.loads(htmllib.unescape(raw.group(1))) if raw else {}


def option_labels(client, group: str) -> set[str]:
    return {label for item in filter_groups(client).get(group, []) for _, label in (item["options"] or [])}


def filter_arg(client, group: str, operation: str) -> str:
    """The URL argument of a filter, read from the page's filter data (stable, shareable names)."""
    groups = filter_groups(client)
    for item in groups[group]:
        if item["operation"] == operation:
            return item["arg"]
    raise AssertionError(f"no filter {group} {operation}: {groups.keys()}")


def get_list(client, **params) -> str:
    return client.text(LIST + "?" + urlencode(params))


def test_status_and_category_filters_against_known_rows(client, data):
    client.login("admin_a")
    status_arg = filter_arg(client, "状态", "等于")
    category_arg = filter_arg(client, "门类", "等于")
    shown = names(get_list(client, **{f"flt0_{status_arg}": "office_confirmed"}))
    assert shown == {"张长篇", "李诗人"}  # unit A only: 赵乙方 (unit B) never, 草稿人 (draft) never
    shown = names(get_list(client, **{f"flt0_{category_arg}": "novel"}))
    assert shown == {"张长篇"} | ({"甲一"} if data.apps["a_submitted"].category == Category.novel else set())


def test_style_options_are_read_per_request(client, data):
    client.login("office")
    styles = option_labels(client, "创作样式")
    assert "随笔" in styles and "科幻微型小说" not in styles
    a = data.apps["prose1"]
    a.style = "科幻微型小说"
    db.session.commit()
    assert "科幻微型小说" in option_labels(client, "创作样式")  # no restart needed


def test_unit_filter_for_office_only_and_cycle_options_fresh(client, data):
    client.login("office")
    unit_arg = filter_arg(client, "推荐单位", "等于")
    shown = names(get_list(client, **{f"flt0_{unit_arg}": str(data.unit_b.id)}))
    assert shown == {"赵乙方", "乙一"}
    shown = names(get_list(client, **{f"flt0_{unit_arg}": "direct"}))
    assert shown == {"直报一"}
    association = data.cycle.association  # the deployment's (协会配置)
    db.session.add(Cycle(association=association, year=2031, name="2031年度测试", fill_start=dt.date(2031, 1, 1),
                         fill_end=dt.date(2031, 2, 1), materials_deadline=dt.date(2031, 3, 1)))
    db.session.add(GroupUnit(code="new", name="新成立作家协会", kind="regional", association=association))
    db.session.commit()
    assert "2031年度测试" in option_labels(client, "年度")
    assert "新成立作家协会" in option_labels(client, "推荐单位")
    client.logout()
    client.login("admin_a")
    assert "推荐单位" not in filter_groups(client) and "状态" in filter_groups(client)  # a unit admin's list is one unit already
    # Posting the unit filter anyway cannot widen the scope.
    shown = names(get_list(client, **{f"flt0_{unit_arg}": str(data.unit_b.id)}))
    assert shown == set()


def test_date_range_serial_range_eligibility_cip_objection(client, data):
    client.login("office")
    between = filter_arg(client, "提交日期", "介于")
    shown = names(get_list(client, **{f"flt0_{between}": "2026-01-10 to 2026-01-11"}))
    assert shown == {"张长篇", "赵乙方"}  # the end day counts as a whole day
    serial = filter_arg(client, "申请序列号", "介于")
    shown = names(get_list(client, **{f"flt0_{serial}": "2027-1 to 2027-000002"}))
    assert shown == {"李诗人", "赵乙方"}
    elig = filter_arg(client, "资格初审", "等于")
    assert names(get_list(client, **{f"flt0_{elig}": "manual"})) == {"王散文"}
    cip = filter_arg(client, "CIP 存疑", "等于")
    assert names(get_list(client, **{f"flt0_{cip}": "1"})) == {"李诗人"}
    objection = filter_arg(client, "有未处理异议", "等于")
    assert names(get_list(client, **{f"flt0_{objection}": "1"})) == {"李诗人"}
    # Two filters combine (AND).
    status_arg = filter_arg(client, "状态", "等于")
    shown = names(get_list(client, **{f"flt0_{status_arg}": "office_confirmed", f"flt1_{elig}": "eligible"}))
    assert shown == {"张长篇"}


@pytest.mark.parametrize("term, expected", [
    ("李诗", {"李诗人"}),          # 姓名
    ("北岸客", {"张长篇"}),        # 常用名
    ("13700000003", {"王散文"}),   # 手机
    ("110101199001011234", {"王散文"}),  # 身份证号
    ("2027-000003", {"张长篇"}),   # 申请序列号
])
def test_search_over_name_pen_name_mobile_id_serial(client, data, term, expected):
    client.login("admin_a")
    assert names(get_list(client, search=term)) == expected


def test_search_never_crosses_scope(client, data):
    client.login("admin_a")
    assert names(get_list(client, search="赵乙方")) == set()
    assert names(get_list(client, search="2027-000002")) == set()


@pytest.mark.parametrize("operation_group, value, message", [
    (("状态", "等于"), "no_such_status", "筛选条件「状态」的值无效"),
    (("提交日期", "介于"), "2026-13-40 to 2026-01-01", "筛选条件「提交日期」的值无效"),
    (("提交日期", "介于"), "2026-02-01 to 2026-01-01", "结束日期早于开始日期"),
    (("提交日期", "不早于"), "昨天", "日期格式应为"),
    (("申请序列号", "介于"), "abc to def", "申请序列号格式应为"),
    (("CIP 存疑", "等于"), "maybe", "筛选条件「CIP 存疑」的值无效"),
    (("年度", "等于"), "999999", "筛选条件「年度」的值无效"),
])
def test_bad_filter_values_give_a_chinese_message_not_a_500(client, data, operation_group, value, message):
    client.login("office")
    arg = filter_arg(client, *operation_group)
    response = client.get(LIST + "?" + urlencode({f"flt0_{arg}": value}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    # The bad filter is ignored: every row in scope is listed.
    assert {"张长篇", "赵乙方", "直报一"} <= names(html)


def test_page_past_the_end_shows_the_last_page_with_a_message(client, data):
    client.login("office")
    response = client.get(LIST + "?page=999")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "张长篇" in html
    assert html.count("超出范围") == 1 and "第 1000 页超出范围" in html and "页码最多" not in html
    response = client.get(LIST + "?page=-3")
    assert response.status_code == 200 and "张长篇" in response.get_data(as_text=True)


def test_filtered_url_is_shareable_and_return_link_keeps_it(client, data):
    client.login("office")
    status_arg = filter_arg(client, "状态", "等于")
    url = LIST + "?" + urlencode({f"flt0_{status_arg}": "unit_confirmed"})
    html = client.text(url)
    assert names(html) == {"王散文"}
    assert status_arg == "status_eq"  # a readable name, not a position that changes when filters are added
    details = re.search(r'href="([^"]*details/\?id=\d+[^"]*)"', html).group(1).replace("&amp;", "&")
    from urllib.parse import parse_qs, urlparse

    back = parse_qs(urlparse(details).query)["url"][0]
    assert "flt0_" in back and "unit_confirmed" in back


def test_open_objection_filter_both_ways(client, data):
    """有未处理异议 = 是 / 否 (``id IN`` / ``NOT IN`` the open objections): a decided objection is not open."""
    db.session.add(Objection(application_id=data.apps["novel1"].id, content="已认定", upheld=False,
                             decided_at=dt.datetime(2026, 2, 1, 9, 0)))
    db.session.commit()
    client.login("office")
    objection = filter_arg(client, "有未处理异议", "等于")
    assert names(get_list(client, **{f"flt0_{objection}": "1"})) == {"李诗人"}
    assert names(get_list(client, **{f"flt0_{objection}": "0"})) == {"张长篇", "王散文", "赵乙方", "甲一", "乙一",
                                                                    "直报一"}
