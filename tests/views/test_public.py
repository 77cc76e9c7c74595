"""The public site (no login): notice and published list show ONLY 姓名, 常用名, 单位, 门类 (SPEC §4, issue 8.7–8.8)."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from wxk_admin.domain.consultation.notice import close_notice, open_notice, publish
from wxk_admin.enums import Status
from wxk_admin.models import Application, db

from ..support.consultation import TODAY, add_app, office

PRIVATE = ("id_number", "mobile", "address", "email", "postcode", "employer_and_post", "household_registration")


def _private_values(apps):
    values = []
    for app in apps:
        for field in PRIVATE:
            value = getattr(app, field)
            if value and len(str(value)) >= 5:
                values.append(str(value))
    return values


def test_notice_page_shows_only_public_fields(client, world):
    s = db.session
    listed = [add_app(s, world, f"公示人{i}", Status.secretariat_approved, pen_name=f"笔名{i}") for i in range(3)]
    hidden = add_app(s, world, "未公示人", Status.expert_passed)
    s.commit()
    assert client.text("/public/notice/").count("公示人") == 0
    open_notice(s, office(world), world.cycle, TODAY)
    s.commit()
    page = client.get("/public/notice/")
    assert page.status_code == 200  # no login
    text = page.get_data(as_text=True)
    for app in listed:
        assert app.name in text and app.pen_name in text
        assert app.id_number not in text and app.mobile not in text
    for value in _private_values(listed + [hidden]):
        assert value not in text
    assert "未公示人" not in text
    assert "甲省作家协会" in text and "身份证" not in text and "电话" not in text


def test_notice_not_shown_before_it_starts(client, world):
    s = db.session
    add_app(s, world, "将公示", Status.secretariat_approved)
    s.commit()
    open_notice(s, office(world), world.cycle, TODAY + dt.timedelta(days=3))
    s.commit()
    assert "将公示" not in client.text("/public/notice/")


def test_published_list_and_xlsx(client, world, profile):
    s = db.session
    apps = [add_app(s, world, f"新会员{i}", Status.secretariat_approved, unit="b" if i else None) for i in range(2)]
    evil = add_app(s, world, "=HYPERLINK(\"x\")", Status.secretariat_approved, pen_name="+1")
    s.commit()
    notice = open_notice(s, office(world), world.cycle, TODAY - dt.timedelta(days=7))
    close_notice(s, office(world), notice)
    s.commit()
    assert "新会员0" not in client.text("/public/members/")  # closed but not yet published
    publish(s, office(world), notice)
    s.commit()
    text = client.text("/public/members/")
    direct = f"{profile.rules.direct_route}（直接申报）"  # national: 中央和国家机关（直接申报）
    assert "新会员0" in text and "新会员1" in text and direct in text and "乙省作家协会" in text
    everyone = apps + [evil]
    for value in _private_values(everyone):
        assert value not in text
    r = client.get("/public/members.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("年度", "序号", "姓名", "常用名", "单位", "门类")
    cells = [str(c) for row in rows for c in row if c is not None]
    for value in _private_values(everyone):
        assert value not in cells
    names = [row[2] for row in rows[1:]]
    assert "'=HYPERLINK(\"x\")" in names and "'+1" in [row[3] for row in rows[1:]]
    assert all(not str(c).startswith(("=", "+", "-", "@")) for c in cells)
    assert len(rows) - 1 == s.query(Application).filter(Application.status == Status.admitted).count()


def test_public_index_links_the_open_notice_and_each_published_year(client, world):
    s = db.session
    for i in range(2):
        add_app(s, world, f"已公布{i}", Status.secretariat_approved)
    s.commit()
    notice = open_notice(s, office(world), world.cycle, TODAY - dt.timedelta(days=7))
    close_notice(s, office(world), notice)
    publish(s, office(world), notice)
    add_app(s, world, "正公示", Status.secretariat_approved)
    s.commit()
    current = open_notice(s, office(world), world.cycle, TODAY)
    s.commit()
    text = client.text("/public/")
    notices = text[text.index('id="public-notices"'):text.index('id="public-members"')]
    assert f'href="/public/notice/#notice-{current.id}"' in notices
    assert f"{world.cycle.name}拟发展个人会员名单公示" in notices and "1 人" in notices
    members = text[text.index('id="public-members"'):]
    assert f'href="/public/members/?cycle={world.cycle.id}"' in members and "2 人" in members
    assert "已公布0" not in text  # the index names lists, not people
    assert "正公示" in client.text("/public/notice/")
