"""Issue 13.7, the consultation items: 开始公示 asks for a confirmation before names go public, and
随机抽取 offers no more experts than the pool of the 门类 holds.

Both work without inline JavaScript (a Content-Security-Policy forbids it): the confirmation is a page and a
second POST, the draw's default and maximum are written into each 门类's own form.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from wxk_admin.enums import Status
from wxk_admin.models import ExpertGroup, Notice, db

from ..support.consultation import TODAY, add_app, add_expert, count, status_of
from ..support.helpers import redirect_target

HOME = "/admin/"
OPEN = "/admin/consultation/notice/open/"


def _approved(world):
    s = db.session
    apps = [add_app(s, world, name, Status.secretariat_approved, pen_name=pen)
            for name, pen in (("公示人甲", "笔名甲"), ("公示人乙", None), ("公示人丙", None))]
    s.commit()
    return apps


def test_notice_open_shows_the_names_and_waits_for_confirmation(client, world):
    a, b, c = _approved(world)
    client.login("office")
    form = client.text("/admin/consultation/notice/")
    assert 'id="notice-open-form"' in form and "onclick" not in form
    r = client.post(OPEN, [("starts_on", TODAY.isoformat()), ("ids", a.id), ("ids", b.id)], token_from=HOME)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "确认公示以下名单" in page and 'name="confirm"' in page and "required" in page
    listing = page[page.index('id="notice-confirm-list"'):]
    listing = listing[:listing.index("</table>")]
    assert "公示人甲" in listing and "笔名甲" in listing and "公示人乙" in listing and "公示人丙" not in listing
    assert "甲省作家协会" in listing and "onclick" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script: the confirmation is a page
    # Nothing has happened yet.
    assert count(Notice) == 0 and status_of(a.id) == Status.secretariat_approved
    # The confirmation carries what was chosen: the same two, the same dates.
    hidden = re.findall(r'name="ids" value="(\d+)"', page)
    assert sorted(map(int, hidden)) == sorted([a.id, b.id])
    r = client.post(OPEN, [("starts_on", TODAY.isoformat()), ("ids", a.id), ("ids", b.id), ("confirm", "1")],
                    token_from=HOME)
    assert redirect_target(r) == ("/admin/consultation/notice/", {})
    notice = db.session.scalar(select(Notice))
    assert notice is not None and notice.starts_on == TODAY
    assert status_of(a.id) == Status.on_notice and status_of(b.id) == Status.on_notice
    assert status_of(c.id) == Status.secretariat_approved


def test_notice_open_refuses_bad_dates_before_asking(client, world):
    a, _, _ = _approved(world)
    client.login("office")
    r = client.post(OPEN, {"starts_on": "2027-13-01"}, token_from=HOME)
    assert r.status_code == 400 and "日期格式" in r.get_data(as_text=True)
    assert "确认公示以下名单" not in r.get_data(as_text=True)
    r = client.post(OPEN, {"starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat(), "confirm": "1"},
                    token_from=HOME)
    assert r.status_code == 400 and "公示时间为一周" in r.get_data(as_text=True)
    assert count(Notice) == 0 and status_of(a.id) == Status.secretariat_approved


def test_notice_open_without_the_tick_changes_nothing(client, world):
    a, _, _ = _approved(world)
    client.login("office")
    r = client.post(OPEN, {"starts_on": TODAY.isoformat(), "ids": a.id, "confirm": ""}, token_from=HOME)
    assert r.status_code == 200 and "确认公示以下名单" in r.get_data(as_text=True)
    assert count(Notice) == 0 and status_of(a.id) == Status.secretariat_approved


def _draw_form(page: str, category: str) -> str:
    form = page[page.index(f'id="draw-{category}"'):]
    return form[:form.index("</form>")]


def test_draw_offers_what_the_pool_holds(client, world):
    s = db.session
    for i in range(3):
        add_expert(s, f"novelist{i}", "小说")
    for i in range(7):
        add_expert(s, f"poet{i}", "诗歌")
    s.commit()
    client.login("office")
    page = client.text("/admin/consultation/groups/")
    novel = _draw_form(page, "novel")
    assert 'value="3"' in novel and 'max="3"' in novel and 'value="5"' not in novel
    poetry = _draw_form(page, "poetry")
    assert 'value="5"' in poetry and 'max="7"' in poetry
    assert 'id="draw-prose"' not in page  # no expert of 散文 in the pool: nothing to draw
    assert "onclick" not in page and "onchange" not in page


def test_draw_more_than_the_pool_is_refused_and_changes_nothing(client, world):
    s = db.session
    for i in range(3):
        add_expert(s, f"novelist{i}", "小说")
    s.commit()
    client.login("office")
    for n, message in (("4", "可用专家只有 3 名，不足 4 名"), ("0", "不能小于 1"), ("三", "须为整数")):
        r = client.post("/admin/consultation/groups/create/", {"mode": "draw", "category": "novel", "n": n},
                        token_from=HOME)
        assert r.status_code == 400 and message in r.get_data(as_text=True), n
        assert count(ExpertGroup) == 0
    r = client.post("/admin/consultation/groups/create/", {"mode": "draw", "category": "novel", "n": "3"},
                    token_from=HOME)
    assert redirect_target(r) == ("/admin/consultation/groups/", {})
    assert len(db.session.scalar(select(ExpertGroup)).members) == 3
