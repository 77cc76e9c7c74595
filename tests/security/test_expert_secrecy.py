"""Issue 13.2 (a) and (c): the secret vote and the experts' view of applicants.

(a) While a group's vote is open the office sees how many have voted (n of m), never running counts, and
    never the names of those who have not voted next to the counts (that names the voters).
(c) An expert sees only the expert pages (works, track, 门类, unit): never the generic list, details page,
    form download or export, never an ID number, phone, e-mail, address or birth date.

The secrecy walk requests every GET URL of the URL map, with real ids, as each expert, as two unit admins
and (for the tally only) as the office, over data with distinctive values, so that each check can fail.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from wxk_admin.domain.consultation.recusal import declare_recusal
from wxk_admin.domain.consultation.voting import cast_vote, close_vote
from wxk_admin.enums import Category, Status
from wxk_admin.models import AuditEvent, db

from ..support.consultation import actor, add_app, add_expert, group_with, in_review, office

HOME = "/admin/"

# Distinctive personal data of every applicant in the expert stages (i = 1 … 4).
def _personal(i: int) -> dict:
    return {"id_number": f"52010219610723{i:02d}7X", "mobile": f"1390777{i:04d}", "email": f"mimi-{i}@secret-mail.cn",
            "address": f"保密路{i}号秘宅", "birth_date": dt.date(1961, 7, 23 + i)}


def _personal_texts(i: int) -> list[str]:
    p = _personal(i)
    b = p["birth_date"]
    return [p["id_number"], p["id_number"][:17], p["mobile"], p["email"], p["address"], b.isoformat(),
            f"{b.year}年{b.month}月{b.day}日", f"{b.year}年{b.month:02d}月{b.day:02d}日", b.strftime("%Y/%m/%d"),
            b.strftime("%Y.%m.%d"), b.strftime("%Y%m%d")]


NOTES = {"n1": "审读意见-甲-文笔老练", "n2": "审读意见-乙-结构松散", "n3": "审读意见-丙-题材新颖",
         "p1": "审读意见-丁-诗意盎然", "p2": "审读意见-戊-意象陈旧", "p3": "审读意见-己-语言凝练"}
NAMES = {"n1": "审读人赵钱", "n2": "审读人孙李", "n3": "审读人周吴", "n4": "审读人郑王",
         "p1": "审读人冯陈", "p2": "审读人褚卫", "p3": "审读人蒋沈"}


@pytest.fixture
def rich(world):
    """An open novel group (4 experts) and a closed poetry group (3 experts), applications of unit B.

    Open: A1 — n1 and n2 通过, n3 不通过, n4 has not voted (a running tally would read 通过 2, 不通过 1);
          A2 — n3 recused, n1 通过.
    Closed: P1 — 通过 3, 不通过 0 (passed); P2 — 通过 1, 不通过 2 (failed).
    """
    s = db.session
    experts = {key: add_expert(s, f"secret_expert_{key}", "小说" if key[0] == "n" else "诗歌", full_name=NAMES[key])
               for key in NAMES}
    novel = group_with(s, world, [experts[k] for k in ("n1", "n2", "n3", "n4")])
    poetry = group_with(s, world, [experts[k] for k in ("p1", "p2", "p3")], category=Category.poetry)
    apps = {
        "A1": in_review(s, world, "候选人春晓", novel, unit="b", **_personal(1)),
        "A2": in_review(s, world, "候选人夏雨", novel, unit="b", **_personal(2)),
        "P1": in_review(s, world, "候选人秋月", poetry, unit="b", **_personal(3)),
        "P2": in_review(s, world, "候选人冬雪", poetry, unit="b", **_personal(4)),
    }
    s.commit()
    for key, choice in (("n1", "passed"), ("n2", "passed"), ("n3", "failed")):
        cast_vote(s, actor(experts[key]), apps["A1"].id, choice, NOTES[key])
    declare_recusal(s, actor(experts["n3"]), apps["A2"].id, "other", "与申请者同一单位-保密说明")
    cast_vote(s, actor(experts["n1"]), apps["A2"].id, "passed")
    for key in ("p1", "p2", "p3"):
        cast_vote(s, actor(experts[key]), apps["P1"].id, "passed", NOTES[key])
    for key, choice in (("p1", "passed"), ("p2", "failed"), ("p3", "failed")):
        cast_vote(s, actor(experts[key]), apps["P2"].id, choice)
    s.commit()
    close_vote(s, office(world), poetry)
    s.commit()
    assert apps["P1"].status == Status.expert_passed and apps["P2"].status == Status.expert_failed
    return {"experts": experts, "novel": novel, "poetry": poetry, "apps": apps, "world": world}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ================================================================ (a) the office's 投票与回避 page


def _row(page: str, app_id: int) -> str:
    row = page[page.index(f'id="tally-{app_id}"'):]
    return row[:row.index("</tr>")]


def test_open_vote_shows_how_many_voted_and_no_counts(client, rich):
    client.login("office")
    page = client.text(f"/admin/consultation/votes/?group={rich['novel'].id}")
    row = _text(_row(page, rich["apps"]["A1"].id))
    assert "已投票 3/4" in row
    assert "尚未投票" not in page and "tally-passed" not in page and "tally-failed" not in page
    assert not any(name in row for name in NAMES.values())
    assert "已投票 1/3" in _text(_row(page, rich["apps"]["A2"].id))  # n3 recused: 3 eligible
    assert "投票截止后显示计票结果" in page


def test_closed_vote_shows_the_tally(client, rich):
    client.login("office")
    page = client.text(f"/admin/consultation/votes/?group={rich['poetry'].id}")
    p1 = _text(_row(page, rich["apps"]["P1"].id))
    p2 = _text(_row(page, rich["apps"]["P2"].id))
    assert "通过 3" in p1 and "不通过 0" in p1 and "通过" in p1
    assert "通过 1" in p2 and "不通过 2" in p2
    assert not any(name in p1 + p2 for name in NAMES.values())


def test_details_panel_has_no_running_tally(client, rich):
    client.login("office")
    page = _text(client.text(f"/admin/applications/details/?id={rich['apps']['A1'].id}"))
    assert "已投票 3/4" in page
    assert "通过 2" not in page and "不通过 1" not in page and "尚未投票" not in page
    closed = _text(client.text(f"/admin/applications/details/?id={rich['apps']['P2'].id}"))
    assert "通过 1" in closed and "不通过 2" in closed


def test_closing_shows_the_tally_after(client, rich):
    client.login("office")
    r = client.post("/admin/consultation/votes/close/", {"group_id": rich["novel"].id}, token_from=HOME,
                    follow_redirects=True)
    row = _text(_row(r.get_data(as_text=True), rich["apps"]["A1"].id))
    assert "通过 2" in row and "不通过 1" in row


# ================================================================ (c) experts see the expert pages only


@pytest.mark.parametrize("url", ["/admin/applications/", "/admin/applications/details/?id={id}",
                                 "/admin/applications/download/?id={id}", "/admin/applications/export/csv/",
                                 "/admin/applications/export/", "/admin/applications/?search={id_number}",
                                 "/admin/applications/ajax/lookup/?name=x&query=a"])
def test_expert_refused_generic_pages(client, rich, url):
    app = rich["apps"]["A1"]
    client.login("secret_expert_n4")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "access_denied"))
    r = client.get(url.format(id=app.id, id_number=app.id_number))
    body = r.get_data(as_text=True)
    assert r.status_code == 403
    assert "审读投票" in body and app.id_number not in body and app.mobile not in body
    db.session.expire_all()
    after = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "access_denied"))
    assert after == before + 1


def test_expert_page_shows_work_not_personal_data(client, rich):
    app = rich["apps"]["A1"]
    client.login("secret_expert_n4")
    page = client.text(f"/admin/expert/app/?id={app.id}")
    assert "候选人春晓" in page and "乙省作家协会" in page and "小说" in page
    for text in _personal_texts(1):
        assert text not in page, text
    assert "出生日期" not in page and "身份证号" not in page and "移动电话" not in page
    assert "/admin/applications/" not in page  # no link to the generic pages


def test_expert_cip_comparison_leads_back_to_the_expert_page(client, rich):
    app = rich["apps"]["A1"]
    client.login("secret_expert_n4")
    page = client.text(f"/admin/cip/compare/?id={app.id}")
    assert "核验 CIP 信息" in page and f"/admin/expert/app/?id={app.id}" in page
    assert "/admin/applications/details/" not in page and app.id_number not in page


def test_expert_menu_has_no_application_list(client, rich):
    client.login("secret_expert_n4")
    page = client.text("/admin/")
    assert "/admin/expert/" in page and 'href="/admin/applications/"' not in page


# ================================================================ the secrecy walk


def _get_urls(app, ids: dict[str, list[int]]) -> list[str]:
    """Every GET rule of the app, bare and with each real id as ``id`` / ``group``."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static") or "logout" in rule.endpoint:
            continue
        args = {arg: "csv" if arg == "export_type" else str(ids["app"][0]) for arg in rule.arguments}
        try:
            base = rule.build(args, append_unknown=False)[1]
        except Exception:  # noqa: BLE001 - a converter that does not take our value
            continue
        urls.add(base)
        if "export_type" in rule.arguments:
            urls.add(base.replace("/csv/", "/xlsx/"))
        for value in ids["app"]:
            urls.add(f"{base}?id={value}")
        for value in ids["group"]:
            urls.add(f"{base}?group={value}")
    return sorted(urls)


def _body(response) -> str:
    data = response.data
    if data[:2] == b"PK":  # xlsx: read every part of the archive
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    if data[:5] == b"%PDF-":
        try:
            from pypdf import PdfReader
        except ImportError:  # without a PDF reader the raw bytes are all we can search
            return data.decode("latin-1")
        return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", "replace")


# A running tally of the open group (A1: 通过 2, 不通过 1) in any wording; the closed group's tallies
# (通过 3 / 不通过 0, 通过 1 / 不通过 2) do not match.
RUNNING = [re.compile(r"(?<!不)通过[^\d<]{0,8}2(?!\d)"), re.compile(r"不通过[^\d<]{0,8}1(?!\d)")]


def _walk(app, client, rich, username):
    world_apps = [a.id for a in rich["world"].apps.values()]
    ids = {"app": sorted(set(world_apps) | {a.id for a in rich["apps"].values()}),
           "group": [rich["novel"].id, rich["poetry"].id]}
    client.login(username)
    pages = {}
    for url in _get_urls(app, ids):
        r = client.get(url)
        assert r.status_code < 500, url
        pages[url] = (r.status_code, _body(r))
    return pages


def _runs(pages) -> list[str]:
    return [url for url, (_, body) in pages.items() if any(p.search(_text(body)) for p in RUNNING)]


# A voter, a recused voter, one who has not voted (open group), a voter of the closed group; two unit admins.
WALKERS = ["secret_expert_n1", "secret_expert_n3", "secret_expert_n4", "secret_expert_p2", "admin_a", "admin_b"]


def _once(backend):
    # What a page shows is decided in Python over the same rows on both backends: the walk (~150 URLs per
    # user) runs once.
    from ..conftest import walk_once

    walk_once(backend, "the secrecy walk")


@pytest.mark.parametrize("username", WALKERS)
def test_secrecy_walk(app, client, backend, rich, username):
    _once(backend)
    pages = _walk(app, client, rich, username)
    assert len(pages) > 100 and sum(1 for code, _ in pages.values() if code == 200) > 5
    me = username.removeprefix("secret_expert_")
    problems = []
    for url, (code, body) in pages.items():
        text = _text(body)
        for key, name in NAMES.items():
            if key != me and (name in body or f"secret_expert_{key}" in body):
                problems.append(f"{url}: another expert named ({name})")
        for key, note in NOTES.items():
            if key != me and note in body:
                problems.append(f"{url}: another expert's reading note ({note})")
        if "保密说明" in body:
            problems.append(f"{url}: a recusal note")
        for i in range(1, 5) if username != "admin_b" else ():  # unit B's own applicants: its business
            for personal in _personal_texts(i):
                if personal in body:
                    problems.append(f"{url}: personal data {personal}")
        if any(p.search(text) for p in RUNNING):
            problems.append(f"{url}: running tally of the open group")
    assert not problems, "\n".join(sorted(set(problems))[:40])


def test_walk_as_the_office_shows_no_running_tally(app, client, backend, rich):
    _once(backend)
    pages = _walk(app, client, rich, "office")
    votes_page = f"/admin/consultation/votes/?group={rich['novel'].id}"
    assert pages[votes_page][0] == 200 and "候选人春晓" in pages[votes_page][1]
    assert not _runs(pages)


def test_the_tally_detector_sees_a_tally(rich):
    # The walk's pattern matches the wordings a running tally would take (so the walk can fail).
    for wording in ("通过 2，不通过 1", "通过：2 不通过：1", "<td>通过</td> 2 票"):
        assert any(p.search(_text(wording)) for p in RUNNING), wording
