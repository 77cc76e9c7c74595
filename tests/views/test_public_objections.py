"""Issue 15.4 — 反映问题 from the public notice page: anonymous or named, contact required and never public,
size-limited, escaped, throttled per IP, with a 受理编号; it lands in the office's check / decide flow."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from wxk_admin.domain.consultation.notice import PUBLIC_CONTENT_MAX, open_notice
from wxk_admin.enums import ObjectionSource, Status
from wxk_admin.models import AuditEvent, Objection, db

from ..support.security import limited_client
from ..support.consultation import TODAY, add_app, office
from ..security.test_expert_secrecy import _body, _get_urls

CONTACT = "13911112222 举报人甲"


@pytest.fixture
def listed(world):
    """Two people of unit A on an open notice."""
    s = db.session
    apps = [add_app(s, world, name, Status.secretariat_approved, pen_name=f"{name}笔名") for name in ("公示甲", "公示乙")]
    s.commit()
    open_notice(s, office(world), world.cycle, TODAY)
    s.commit()
    return apps


def _report(client, app_id, *, reporter="", contact=CONTACT, content="反映其代表作品系他人代笔", **kw):
    url = f"/public/report/?id={app_id}"
    return client.post(url, {"reporter": reporter, "contact": contact, "content": content}, token_from=url, **kw)


def _objections():
    return db.session.scalars(select(Objection).order_by(Objection.id)).all()


def test_notice_page_links_each_person_to_the_form(client, listed):
    page = client.text("/public/notice/")
    for app in listed:
        assert f'href="/public/report/?id={app.id}"' in page
    assert page.count("反映问题") >= len(listed)
    form = client.text(f"/public/report/?id={listed[0].id}")
    assert "公示甲" in form and 'name="csrf_token"' in form and "匿名" in form


def test_anonymous_report_gets_a_receipt_and_reaches_the_office(client, world, listed):
    r = _report(client, listed[0].id)
    text = r.get_data(as_text=True)
    [obj] = _objections()
    assert r.status_code == 200
    assert obj.receipt_no == f"{world.cycle.year}-G-{obj.id:06d}"
    assert f"受理编号 <strong id=\"receipt-no\">{obj.receipt_no}</strong>" in text and "匿名反映" in text
    assert obj.source == ObjectionSource.public and obj.reporter is None and obj.contact == CONTACT
    assert obj.recorded_by_id is None and obj.application_id == listed[0].id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "objection_public"))
    assert event.application_id == listed[0].id and obj.receipt_no in event.reason

    client.login("office")
    page = client.text("/admin/consultation/notice/")
    block = page[page.index(f'id="objection-{obj.id}"'):]
    block = block[:block.index("</form>")]
    assert "反映其代表作品系他人代笔（匿名）" in block
    assert f"来源：公示页面 · 受理编号 {obj.receipt_no} · 联系方式：{CONTACT}" in block
    # the office's existing flow: 登记核查, then 书记处认定
    notice = "/admin/consultation/notice/"
    client.post("/admin/consultation/notice/objection/", {"op": "check", "objection_id": obj.id,
                                                          "check_note": "经核实，作品系本人创作"}, token_from=notice)
    client.post("/admin/consultation/notice/objection/", {"op": "decide", "objection_id": obj.id, "upheld": "0"},
                token_from=notice)
    db.session.expire_all()
    obj = db.session.get(Objection, obj.id)
    assert obj.check_note == "经核实，作品系本人创作" and obj.upheld is False and obj.decided_at is not None
    details = client.text(f"/admin/applications/details/?id={listed[0].id}")
    assert f"来源：公示页面，受理编号 {obj.receipt_no}" in details


def test_named_report_keeps_the_name_for_the_office(client, listed):
    _report(client, listed[1].id, reporter="王读者")
    [obj] = _objections()
    assert obj.reporter == "王读者"
    client.login("office")
    assert "反映其代表作品系他人代笔（王读者）" in client.text("/admin/consultation/notice/")


def test_contact_never_public_nor_shown_to_units(app, client, listed):
    _report(client, listed[0].id, reporter="反映人丙丁")
    [obj] = _objections()
    for url in ("/public/", "/public/notice/", f"/public/report/?id={listed[0].id}", "/public/members/"):
        assert CONTACT not in client.text(url), url
    client.login("admin_a")  # the unit of the reported person
    ids = {"app": [a.id for a in listed], "group": []}
    walked = 0
    for url in _get_urls(app, ids):
        r = client.get(url)
        assert r.status_code < 500, url
        body = _body(r)
        assert CONTACT not in body and "反映人丙丁" not in body, url
        walked += r.status_code == 200
    assert walked > 5
    assert "公示甲" in client.text(f"/admin/applications/details/?id={listed[0].id}")  # the walk saw the person


def test_markup_is_escaped_everywhere(client, listed):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = _report(client, listed[0].id, reporter="<b>名</b>", content=payload)
    assert "<b>名</b>" not in r.get_data(as_text=True) and "&lt;b&gt;名&lt;/b&gt;" in r.get_data(as_text=True)
    client.login("office")
    for url in ("/admin/consultation/notice/", f"/admin/applications/details/?id={listed[0].id}"):
        page = client.text(url)
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(" in page, url


def test_oversized_or_incomplete_report_is_refused_and_kept(client, listed):
    big = "抄" * (PUBLIC_CONTENT_MAX + 1)
    r = _report(client, listed[0].id, content=big)
    text = r.get_data(as_text=True)
    assert r.status_code == 400 and f"反映的问题不能超过 {PUBLIC_CONTENT_MAX} 个字" in text
    assert big in text and CONTACT in text  # what was typed is still in the form
    r = _report(client, listed[0].id, contact="  ")
    assert r.status_code == 400 and "请填写联系方式" in r.get_data(as_text=True)
    r = _report(client, listed[0].id, content="")
    assert r.status_code == 400 and "请填写反映的问题" in r.get_data(as_text=True)
    assert _objections() == []


def test_without_csrf_token_nothing_is_stored(client, listed):
    r = client.post(f"/public/report/?id={listed[0].id}", {"contact": CONTACT, "content": "无令牌"}, csrf=False)
    assert r.status_code == 400 and _objections() == []


def test_only_people_on_an_open_notice(client, world, listed):
    other = add_app(db.session, world, "未公示者", Status.expert_passed)
    db.session.commit()
    r = client.get(f"/public/report/?id={other.id}")
    assert r.status_code == 404 and "不在正在公示的名单中" in r.get_data(as_text=True)
    url = f"/public/report/?id={listed[0].id}"
    r = client.post(f"/public/report/?id={other.id}", {"contact": CONTACT, "content": "x"}, token_from=url)
    assert r.status_code == 404 and _objections() == []
    assert client.get("/public/report/?id=abc").status_code == 404


@pytest.fixture
def limited(app, database_url):
    with limited_client(database_url) as (client, _):
        yield client


def test_reports_are_throttled_per_address(limited, listed):
    here, there = {"REMOTE_ADDR": "10.9.9.9"}, {"REMOTE_ADDR": "10.9.9.8"}
    for i in range(5):  # PUBLIC_REPORT_LIMIT: 5 per hour
        assert _report(limited, listed[0].id, content=f"第{i}次", environ_base=here).status_code == 200
    r = _report(limited, listed[0].id, content="第六次", environ_base=here)
    assert r.status_code == 429 and "提交过于频繁，请稍后再试" in r.get_data(as_text=True)
    assert int(r.headers["Retry-After"]) > 0
    assert limited.get(f"/public/report/?id={listed[0].id}", environ_base=here).status_code == 200  # reading: free
    assert _report(limited, listed[0].id, content="另一地址", environ_base=there).status_code == 200
    assert db.session.scalar(select(func.count(Objection.id))) == 6
