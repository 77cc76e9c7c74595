"""Issue 14.4: the new-member lists (公示 and 公布) as printable PDF and xlsx — 姓名、常用名、单位、门类
only, grouped by 门类 or by unit."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from wxk_admin.domain.consultation.notice import close_notice, open_notice, publish
from wxk_admin.enums import Category, Status
from wxk_admin.models import db

from ..support.pdf import compact, pdf_text
from ..support.consultation import TODAY, add_app, office

URL = "/admin/member-lists/"


def _people(world):
    s = db.session
    people = [add_app(s, world, "诗人甲", Status.secretariat_approved, category=Category.poetry, pen_name="云帆"),
              add_app(s, world, "小说乙", Status.secretariat_approved, category=Category.novel, unit="b"),
              add_app(s, world, "小说丙", Status.secretariat_approved, category=Category.novel, unit=None)]
    add_app(s, world, "未通过丁", Status.expert_failed)
    s.commit()
    return people


def test_notice_list_pdf_grouped_by_category_public_fields_only(client, world, profile):
    people = _people(world)
    open_notice(db.session, office(world), world.cycle, TODAY)
    db.session.commit()
    client.login("office")
    page = client.text(f"{URL}?cycle={world.cycle.id}&kind=notice&by=category")
    assert "拟发展会员名单（公示）" in page and "共 3 人" in page and "未通过丁" not in page
    r = client.get(f"{URL}?cycle={world.cycle.id}&kind=notice&by=category&format=pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    text = compact(pdf_text(r.data))
    assert f"{world.cycle.name}拟发展会员名单（公示）" in text
    assert text.index("小说（2人）") < text.index("诗歌（1人）")  # 门类 in their usual order
    for person in people:
        assert person.name in text
        assert person.id_number not in text and person.mobile not in text
    assert "云帆" in text and "乙省作家协会" in text and f"{profile.rules.direct_route}（直接申报）" in text
    assert "未通过丁" not in text and "身份证" not in text


def test_published_list_xlsx_grouped_by_unit(client, world):
    people = _people(world)
    notice = open_notice(db.session, office(world), world.cycle, TODAY - dt.timedelta(days=7))
    close_notice(db.session, office(world), notice)
    db.session.commit()
    client.login("it")
    assert "暂无公布名单" in client.text(f"{URL}?cycle={world.cycle.id}&kind=published")  # closed, not published
    publish(db.session, office(world), notice)
    db.session.commit()
    r = client.get(f"{URL}?cycle={world.cycle.id}&kind=published&by=unit&format=xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == f"{world.cycle.name}新会员名单" and rows[1] == ["序号", "姓名", "常用名", "单位", "门类"]
    groups = [r[0] for r in rows if r[0] and str(r[0]).endswith("人）")]
    assert groups == sorted(groups) and "甲省作家协会（1 人）" in groups
    names = [r[1] for r in rows[2:] if isinstance(r[0], int)]
    assert sorted(names) == sorted(p.name for p in people)
    cells = "".join(str(c) for r in rows for c in r if c)
    for person in people:
        assert person.id_number not in cells and person.mobile not in cells
    assert ws.print_title_rows.replace("$", "") == "2:2" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)


def test_lists_are_for_the_office_and_it(client, world):
    client.login("admin_a")
    assert client.get(URL).status_code == 403
