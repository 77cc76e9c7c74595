"""Issue 13 point 5 (navigation, lists and exports) and point 7's review items, through HTTP."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

from wxk_admin.enums import Eligibility, Status
from wxk_admin.models import Application, Cycle, db

from ..support.applicant import VALID
from ..support.factories import make_app
from ..support.helpers import redirect_target

LIST = "/admin/applications/"


def _rows(html: str) -> list[int]:
    """The ids of the list's rows, in order (each row's 姓名 links to its details page)."""
    return [int(i) for i in re.findall(r'<td class="col-name"><a href="/admin/applications/details/\?id=(\d+)', html)]


def _total(html: str) -> int:
    match = re.search(r'id="count-exact">共 (\d+) 条', html)
    assert match, "the list states no total"
    return int(match.group(1))


# ---------------------------------------------------------------- 1. 返回申请列表 after 修改信息


def test_back_to_list_after_edit_returns_to_the_filtered_list(client, world):
    app = world.apps["a_submitted"]
    client.login("admin_a")
    list_url = "/admin/applications/?flt0_status_eq=submitted&search=%E7%94%B2"
    details = client.text(f"/admin/applications/details/?id={app.id}&url={quote(list_url, safe='')}")
    edit_href = unescape(re.search(r'id="btn-edit" href="([^"]+)"', details).group(1))
    edit_page = client.text(edit_href)
    form = dict(VALID, **{"name": app.name, "pen_name": "改后笔名", "version": app.version,
                          "birth_date": app.birth_date.isoformat(), "id_number": app.id_number,
                          "url": unescape(re.search(r'name="url" value="([^"]*)"', edit_page).group(1))})
    saved = client.post(edit_href, form)
    path, query = redirect_target(saved)
    assert path == "/admin/applications/details/" and query == {"id": [str(app.id)], "url": [list_url]}
    after = client.text(saved.headers["Location"])
    assert "改后笔名" in after
    back = unescape(re.search(r'id="btn-back" href="([^"]+)"', after).group(1))
    assert back == list_url
    # 取消 on the edit page goes to the details page that still leads back to the list.
    cancel = unescape(re.search(r'href="([^"]+)">取消</a>', edit_page).group(1))
    assert parse_qs(urlsplit(cancel).query)["url"] == [list_url]


# ---------------------------------------------------------------- 2. 首页 待办 links open what they count


def _waiting_links(html: str) -> dict[str, tuple[str, int]]:
    found = {}
    for href, label, count in re.findall(
            r'<a href="([^"]+)">([^<]+)</a>\s*<span class="ml-auto badge[^"]*waiting-count">(\d+)</span>', html):
        found[label] = (unescape(href), int(count))
    return found


def test_home_waiting_links_open_exactly_the_rows_they_count(client, world, profile):
    s = db.session
    year = world.cycle.year - 1
    old = Cycle(association=profile.code, year=year, name=f"{year}年度", fill_start=dt.date(year - 1, 3, 1),
                fill_end=dt.date(year - 1, 5, 1), materials_deadline=dt.date(year - 1, 6, 1), ruleset=profile.rules.ruleset,
                is_current=False)
    s.add(old)
    s.flush()
    ua, appl_a = world.unit_a, world.users["appl_a"]
    for i in range(3):
        make_app(s, world, f"a_more{i}", ua, appl_a, Status.submitted, name=f"甲待{i}")
    for i in range(2):  # last year's and other states: on the list, not waiting this year
        make_app(s, world, f"a_old{i}", ua, appl_a, Status.submitted, name=f"甲旧{i}", cycle_id=old.id)
    make_app(s, world, "a_conf", ua, appl_a, Status.unit_confirmed, name="甲已确认")
    make_app(s, world, "a_conf_old", ua, appl_a, Status.unit_confirmed, name="甲旧确认", cycle_id=old.id)
    make_app(s, world, "d_more", None, world.users["appl_direct"], Status.submitted, name="直报二")
    s.commit()

    client.login("admin_a")
    links = _waiting_links(client.text("/admin/"))
    href, count = links["待审核的入会申请"]
    assert count == 4
    page = client.text(href)
    assert len(_rows(page)) == count == _total(page)
    assert _total(client.text(LIST)) == 8  # the whole list is more
    client.logout()

    client.login("office")
    links = _waiting_links(client.text("/admin/"))
    href, count = links[profile.say("团体会员已确认、待会员处确认编号")]
    page = client.text(href)
    assert count == 1 and _rows(page) == [world.apps["a_conf"].id]
    href, count = links[profile.say("直接申报、待会员处初审")]
    page = client.text(href)
    assert count == 2 and sorted(_rows(page)) == sorted([world.apps["direct_submitted"].id, world.apps["d_more"].id])


# ---------------------------------------------------------------- 3. /public/ is the public pages' index


def test_public_index_lists_the_notice_and_published_years_and_login_links_to_it(client, world):
    page = client.get("/public/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "拟发展会员公示" in html and "新会员名单" in html
    assert 'href="/public/notice/"' in html and 'href="/public/members/"' in html
    assert "目前没有正在公示的名单" in html and "尚未公布新会员名单" in html
    login = client.text("/admin/account/login/")
    assert 'href="/public/"' in login and "公示与新会员名单" in login


# ---------------------------------------------------------------- 4. 推荐单位 on the office's and IT's list


def test_office_and_it_lists_show_the_unit_sortably_unit_admin_does_not(client, world):
    for user in ("office", "it"):
        client.login(user)
        html = client.text(LIST)
        header = re.search(r'<th class="column-header col-unit_name"><a href="([^"]+)"[^>]*>推荐单位', html)
        assert header, user
        ascending = client.text(unescape(header.group(1)))
        order = [i for i in _rows(ascending)]
        # 甲省作家协会 (jia) < 乙省作家协会 (yi); 直接申报 (no unit) last
        assert order == [world.apps["a_submitted"].id, world.apps["b_submitted"].id,
                         world.apps["direct_submitted"].id], user
        assert '<td class="col-unit_name">甲省作家协会</td>' in ascending
        assert '<td class="col-unit_name">直接申报</td>' in ascending
        client.logout()
    client.login("admin_a")
    assert "col-unit_name" not in client.text(LIST)


# ---------------------------------------------------------------- 7. 批量操作, 查询, the 状态 options


def _status_options(html: str) -> set[str]:
    import json

    groups = json.loads(unescape(re.search(r'id="filter-groups-data" class="d-none">(.*?)</div>', html, re.S).group(1)))
    return {label for _value, label in groups["状态"][0]["options"]}


def test_list_says_batch_operations_and_query_and_offers_only_visible_states(client, world):
    client.login("admin_a")
    html = client.text(LIST)
    assert ">批量操作</a>" in html and "With selected" not in html and "选中的" not in html
    assert '>查询</button>' in html and ">搜索</button>" not in html
    assert "草稿" not in _status_options(html)
    assert {"待团体会员审核", "团体会员已确认"} <= _status_options(html)
    client.logout()
    client.login("office")
    assert "草稿" not in _status_options(client.text(LIST))
    client.logout()
    client.login("it")
    assert "草稿" in _status_options(client.text(LIST))
    client.logout()
    client.login("admin_a")
    refused = client.text(LIST + "?flt0_status_eq=draft")
    assert "筛选条件「状态」的值无效" in refused


# ---------------------------------------------------------------- 8. the export's default columns


def test_export_chooser_ticks_name_first_with_the_guides_six(client, world):
    client.login("admin_a")
    html = client.text("/admin/applications/export/")
    ticked = re.findall(r'value="(\w+)" id="col-\w+"\s+checked', html)
    assert ticked == ["name", "pen_name", "serial_no", "style", "category", "employer_and_post", "mobile"]


# ---------------------------------------------------------------- 10. review: reason first, then one confirmation


def _transition(client, app, name, data):
    return client.post(f"/admin/applications/transition/?id={app.id}&name={name}",
                       {"id": app.id, "name": name, "version": app.version, **data})


def _details(app):
    """Where a done transition leads: the application's details page, 返回申请列表 going to the list."""
    return "/admin/applications/details/", {"id": [str(app.id)], "url": [LIST]}


def _back_on_details_in(done, app, status) -> None:
    """The transition went through: the answer leads back to the application's details, now in ``status``."""
    assert redirect_target(done) == _details(app)
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == status


def test_reject_checks_the_reason_before_asking_to_confirm(client, world):
    app = world.apps["a_submitted"]
    client.login("admin_a")
    form = client.text(f"/admin/applications/transition/?id={app.id}&name=unit_reject")
    assert "onclick" not in form and "confirm(" not in form
    empty = _transition(client, app, "unit_reject", {})
    html = empty.get_data(as_text=True)
    assert "必须填写理由" in html and "确定驳回申请？" not in html
    asked = _transition(client, app, "unit_reject", {"reasons": "申请材料不全"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "确定驳回申请？" in html and "申请材料不全" in html
    assert db.session.get(Application, app.id).status == Status.submitted  # nothing yet
    done = _transition(client, app, "unit_reject", {"reasons": "申请材料不全", "confirmed": "1"})
    _back_on_details_in(done, app, Status.rejected)


def test_confirming_a_flagged_application_asks_once_naming_the_flag(client, world):
    app = world.apps["a_submitted"]
    app.eligibility, app.eligibility_note, app.cip_flagged = Eligibility.not_eligible, "出版专集不足两部", True
    db.session.commit()
    client.login("admin_a")
    asked = _transition(client, app, "unit_confirm", {"opinion": "团体会员确认信息"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "确定确认信息？" in html
    assert "资格初审为「不符合条件」" in html and "出版专集不足两部" in html and "CIP 存疑" in html
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == Status.submitted
    done = _transition(client, app, "unit_confirm", {"opinion": "团体会员确认信息", "confirmed": "1"})
    _back_on_details_in(done, app, Status.unit_confirmed)


def test_confirming_an_unflagged_application_asks_nothing(client, world):
    app = world.apps["a_submitted"]
    app.eligibility, app.cip_flagged = Eligibility.eligible, False
    db.session.commit()
    client.login("admin_a")
    done = _transition(client, app, "unit_confirm", {"opinion": "团体会员确认信息"})
    _back_on_details_in(done, app, Status.unit_confirmed)


def test_bulk_confirm_names_each_flagged_row_without_a_script_dialog(client, world):
    flagged = make_app(db.session, world, "a_flag", world.unit_a, world.users["appl_a"], name="甲存疑",
                       eligibility=Eligibility.not_eligible, eligibility_note="发表作品不足", cip_flagged=False)
    plain = world.apps["a_submitted"]
    plain.eligibility, plain.cip_flagged = Eligibility.eligible, False
    db.session.commit()
    client.login("admin_a")
    page = client.post("/admin/applications/action/", [("action", "bulk_unit_confirm"), ("rowid", flagged.id),
                                                       ("rowid", plain.id)], token_from=LIST)
    html = page.get_data(as_text=True)
    assert "onclick" not in html
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*甲存疑(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert "资格初审为「不符合条件」：发表作品不足" in row
    assert "资格初审" not in re.search(r"<tr[^>]*>(?:(?!</tr>).)*甲一(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert "其中 1 件有需要注意的情况" in html


def test_the_lists_name_link_leads_back_to_the_same_filtered_list(client, world):
    # The link carries the list's path and query only: return links accept no scheme or host.
    client.login("admin_a")
    list_url = "/admin/applications/?flt0_status_eq=submitted&search=%E7%94%B2"
    html = client.text(list_url)
    details = unescape(re.search(r'<td class="col-name"><a href="([^"]+)"', html).group(1))
    back = unescape(re.search(r'id="btn-back" href="([^"]+)"', client.text(details)).group(1))
    assert back == list_url
