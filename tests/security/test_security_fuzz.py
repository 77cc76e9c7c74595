"""Issue 9.6 — fuzzing the forms with hypothesis: never a 500; a Chinese answer; a saved draft loses nothing.

Forms: 登录, 修改密码, the review form (驳回申请 with reasons / 其它 / opinion, 确认信息),
and every field of the applicant's 入会申请表 (scalar fields and the first row of
each repeating section).
"""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from wxk_admin.domain import workflow
from wxk_admin.domain.applying import SCALAR_SPECS, SECTION_SPECS
from wxk_admin.enums import Status
from wxk_admin.models import Application, db

from ..support.helpers import redirect_target

FUZZ = settings(max_examples=15, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Any text, including control characters, NUL, RTL marks and very long strings (no lone surrogates: not UTF-8).
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _chinese_answer(r, redirect_to=None):
    """A Chinese page, a 400/404, or — only where the caller names it — a redirect to ``redirect_to``."""
    assert r.status_code < 500, r.get_data(as_text=True)[-2000:]
    if r.status_code == 200:
        assert CHINESE.search(r.get_data(as_text=True))
    elif r.status_code == 302:
        assert redirect_to is not None and r.headers["Location"] == redirect_to, r.headers["Location"]
    else:
        assert r.status_code in (400, 404), r.status_code


@FUZZ
@given(username=ANY_TEXT, password=ANY_TEXT)
def test_fuzz_login(client, world, username, password):
    r = client.post("/admin/account/login/", {"username": username, "password": password})
    if r.status_code == 429:  # the address's failures are throttled (issue 18.4)
        assert "登录失败次数过多" in r.get_data(as_text=True) and r.headers["Retry-After"]
        return
    _chinese_answer(r)
    if r.status_code == 200:
        assert "用户名或密码错误" in r.get_data(as_text=True)


@FUZZ
@given(old=ANY_TEXT, new=ANY_TEXT, repeat=ANY_TEXT)
def test_fuzz_password_change(client, world, old, new, repeat):
    if not client.get("/admin/account/password/").status_code == 200:
        client.login("admin_b")
    r = client.post("/admin/account/password/", {"old_password": old, "new_password": new,
                                                 "repeat_password": repeat}, token_from="/admin/account/password/")
    _chinese_answer(r)
    assert r.status_code == 200  # the old password is never guessed: always an error page
    assert "原密码不正确" in r.get_data(as_text=True)


@FUZZ
@given(name=st.sampled_from(["unit_reject", "unit_confirm"]),
       reasons=st.lists(st.one_of(st.sampled_from(list(workflow.REJECT_REASONS) + [workflow.OTHER_REASON]), ANY_TEXT),
                        max_size=4),
       other=ANY_TEXT, opinion=ANY_TEXT, version=st.one_of(st.just(""), st.integers(-5, 5).map(str), ANY_TEXT))
def test_fuzz_review_form(client, world, name, reasons, other, opinion, version):
    target = world.apps["a_submitted"]
    db.session.expire_all()
    row = db.session.get(Application, target.id)
    if row.status != Status.submitted:
        row.status = Status.submitted  # test fixture: every example starts from 待团体会员审核
        db.session.commit()
    if client.get("/admin/applications/").status_code != 200:
        client.login("admin_a")
    data = [("id", str(target.id)), ("name", name), ("other", other), ("opinion", opinion), ("version", version)]
    data += [("reasons", r) for r in reasons]
    r = client.post(f"/admin/applications/transition/?id={target.id}&name={name}", data,
                    token_from="/admin/account/password/")
    _chinese_answer(r, redirect_to=f"/admin/applications/details/?id={target.id}&url=/admin/applications/")
    db.session.expire_all()
    row = db.session.get(Application, target.id)
    if r.status_code == 200:  # the form again, with a Chinese error: nothing changed
        assert row.status == Status.submitted


def _form_strategy():
    fields = {}
    for spec in SCALAR_SPECS:
        fields[spec.key] = ANY_TEXT if spec.kind != "bool" else st.sampled_from(["", "y"])
    for section, specs in SECTION_SPECS.items():
        for spec in specs:
            fields[f"{section}-0-{spec.key}"] = ANY_TEXT if spec.kind != "bool" else st.sampled_from(["", "y"])
    return st.fixed_dictionaries({k: st.one_of(st.just(""), v) for k, v in fields.items()})


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=_form_strategy())
def test_fuzz_application_form_save_draft_loses_nothing(client, world, values):
    draft = world.apps.get("fuzz_draft")
    if draft is None:
        draft = world.apps["a_submitted"]
        draft.status = Status.draft  # test fixture: the applicant's own draft
        db.session.commit()
        world.apps["fuzz_draft"] = draft
    if client.get("/admin/my-application/").status_code != 200:
        client.login("appl_a")
    page = client.text(f"/admin/my-application/form/?id={draft.id}")
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    data = dict(values, action="save", version=version, application_id=str(draft.id))
    r = client.post(f"/admin/my-application/form/?id={draft.id}", data, token_from="/admin/account/password/")
    _chinese_answer(r, redirect_to=f"/admin/my-application/form/?id={draft.id}")
    assert redirect_target(r) == ("/admin/my-application/form/", {"id": [str(draft.id)]})  # a draft is always saved
    shown = client.text(f"/admin/my-application/form/?id={draft.id}")
    lost = []
    for key, value in values.items():
        text = value.strip()
        if not text or value in ("y",) or any(ord(c) < 32 or 0x7F <= ord(c) <= 0xA0 or c.isspace() for c in value):
            continue  # control characters and whitespace may be normalised; every other character must come back
        if str(escape(text)) not in shown and text not in shown:
            lost.append((key, text))
    assert not lost, lost


def test_nul_characters_never_reach_the_database(client, world):
    """Found by the fuzzer on PostgreSQL: a NUL in a form field was a 500 (text columns refuse 0x00)."""
    draft = world.apps["a_submitted"]
    draft.status = Status.draft  # test fixture: the applicant's own draft
    db.session.commit()
    client.login("appl_a")
    page = client.text(f"/admin/my-application/form/?id={draft.id}")
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    r = client.post(f"/admin/my-application/form/?id={draft.id}",
                    {"action": "save", "version": version, "name": "张\x00三", "address": "\x00路\x00"},
                    token_from="/admin/account/password/")
    assert (r.status_code, r.headers["Location"]) == (302, f"/admin/my-application/form/?id={draft.id}")
    db.session.expire_all()
    assert db.session.get(Application, draft.id).name == "张三"
    client.logout()
    client.login("office")
    r = client.get("/admin/applications/?search=%00%E7%94%B2")
    assert r.status_code == 200
    r = client.post("/admin/account/login/", {"username": "off\x00ice", "password": "x"})
    assert r.status_code == 200 and "用户名或密码错误" in r.get_data(as_text=True)
