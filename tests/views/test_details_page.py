"""Issue 13.7 — small errors of the details page: 申报材料清单 once, no 获奖证书 without awards,
and the CIP comparison labels each compared field for what it is (中图分类号 shows the code)."""
from __future__ import annotations

import re

from wxk_admin.models import CipRecord, db

from ..support.statements import counting
from ..support.visible import reader_text


def test_the_materials_checklist_appears_once_and_names_no_award_certificate_without_awards(client, world):
    app = world.apps["a_submitted"]
    assert app.awards == []
    item = app.materials[2].name  # the association's 代表性文学作品 (profile materials)
    for username in ("office", "admin_a", "it"):
        client.login(username)
        text = reader_text(client.text(f"/admin/applications/details/?id={app.id}"))
        # One listing (the consultation panel's, with what was received): each item read once.
        assert text.count(item) == 1, username
        assert len(re.findall(r"<h6>申报材料清单</h6>|card-header\">申报材料清单", client.text(
            f"/admin/applications/details/?id={app.id}"))) == 1, username
        assert "获奖证书" not in text, username


def _row(html: str, field: str) -> list[str]:
    match = re.search(rf'<tr[^>]*data-field="{field}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, field
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)]


def test_cip_comparison_shows_the_clc_code_under_its_own_label(client, world):
    app = world.apps["a_submitted"]
    book = app.books[0]
    book.is_literary = True
    book.genre = "长篇小说"
    db.session.add(CipRecord(title=book.title, isbn=book.isbn, cip_no=book.cip_no, first_author=app.name,
                             publisher=book.publisher, clc="I247.5", subjects="长篇小说－中国－当代"))
    db.session.commit()
    client.login("office")
    html = client.text(f"/admin/cip/compare/?id={app.id}")
    label, declared, cip = _row(html, "clc")
    assert "中图分类号" in label and "文学作品" in label  # what is compared: the declaration against the class
    assert cip.startswith("I247.5")
    assert declared != "文学作品" and "是" in declared
    label, declared, cip = _row(html, "subjects")
    assert label == "体裁 / 主题词" and declared == "长篇小说" and cip == "长篇小说－中国－当代"


def test_the_manual_organisation_condition_is_explained_in_staff_words():
    from wxk_admin import rules
    from wxk_admin.enums import OrganisationLevel

    from ..domain.test_rules import CWA, LEADER, org

    note = rules.evaluate(org(OrganisationLevel.county, LEADER, 4), CWA).note
    assert "来源文件" not in note and "原文缺失" not in note
    assert "请对照《中国作家协会个人会员申请审批办法》原文" in note and "需人工判断" in note


def test_empty_repeating_sections_cost_no_statement_each(client, world):
    """Issue 19.6: the details page reads only the repeating sections that have rows (one statement tells
    which are empty); an empty one still shows, with （无）."""
    from wxk_admin.models import CHILD_SECTIONS, Application

    app = world.apps["a_submitted"]
    tables = {getattr(Application, name).property.mapper.local_table.name: (name, title) for name, title in CHILD_SECTIONS}
    filled = {table for table, (name, _) in tables.items() if getattr(app, name)}
    assert filled and len(filled) < len(tables) - 1  # the world's application leaves several sections empty
    url = f"/admin/applications/details/?id={app.id}"
    client.login("office")
    client.text(url)  # warm-up
    db.session.expire_all()  # the page loads its rows itself (the test's session is the requests' session)
    with counting(db.engine) as statements:
        page = client.text(url)
    # The statements that read one section's rows (FROM that table alone, not an EXISTS probe).
    read = {match.group(1) for s in statements if "EXISTS" not in s
            and (match := re.match(r"\s*SELECT\s.*?\sFROM (\w+)\s+WHERE", s, re.S)) and match.group(1) in tables}
    assert read == filled, read
    for table, (_, title) in tables.items():
        if table not in filled and title != "申报材料清单":
            assert re.search(rf'<div class="card-header">{title}（0）</div>\s*<div[^>]*>\s*<span class="text-muted">（无）</span>',
                             page), title
