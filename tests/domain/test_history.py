"""Issue 13.2(b) and 13.3 — the 操作记录 of an application as each role reads it.

The secret stage (who voted, who recused and why) is for the office and IT only, never with a choice;
修改信息 reads field by field, by Chinese label, before → after, 身份证号 masked except for IT.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from wxk_admin.domain.consultation.recusal import declare_recusal
from wxk_admin.domain.consultation.voting import cast_vote
from wxk_admin.domain.audit import Actor, UnknownAction, record
from wxk_admin.enums import AuditAction, Status
from wxk_admin.models import AuditEvent, db

from ..support.consultation import actor, experts_in_a_group, in_review
from ..support.visible import reader_text as visible_text

RECUSAL_NOTE = "申请者是本人表妹-回避说明"
VOTE_NOTE = "审读意见-只给本人看"


def history_text(html: str) -> str:
    match = re.search(r'<ul[^>]*id="history"[^>]*>(.*?)</ul>', html, re.S)
    return visible_text(match.group(1)) if match else ""


@pytest.fixture
def expert_stage(world):
    """An application under expert review: 甲 voted 不通过 with a note, 乙 recused with a note, 丙 has not voted."""
    s = db.session
    voter, recused, waiting, group = experts_in_a_group(s, world, ("voter", "评审专家甲"), ("recused", "评审专家乙"),
                                                        ("waiting", "评审专家丙"))
    app = in_review(s, world, "被审读者", group)
    s.commit()
    cast_vote(s, actor(voter), app.id, "failed", VOTE_NOTE)
    declare_recusal(s, actor(recused), app.id, "other", RECUSAL_NOTE)
    s.commit()
    return app


@pytest.mark.parametrize("username", ["admin_a", "voter", "recused", "waiting"])
def test_unit_admin_and_experts_never_read_the_expert_stage(client, world, expert_stage, username):
    client.login(username)
    html = client.text(f"/admin/applications/details/?id={expert_stage.id}")
    text = visible_text(html)
    others = {"voter": "评审专家甲", "recused": "评审专家乙"}
    others.pop(username, None)  # one's own name is in the navbar
    for secret in ("专家投票", "专家申请回避", RECUSAL_NOTE, VOTE_NOTE, *others.values()):
        assert secret not in text, (username, secret)
    if username == "admin_a":  # the unit still reads its application's own history
        assert expert_stage.name in text and "操作记录" in text


@pytest.mark.parametrize("username", ["office", "it"])
def test_office_and_it_read_that_experts_voted_and_recused_but_no_choice(client, world, expert_stage, username):
    client.login(username)
    history = history_text(client.text(f"/admin/applications/details/?id={expert_stage.id}"))
    assert "评审专家甲" in history and "专家投票" in history
    assert "评审专家乙" in history and "专家申请回避" in history
    assert "通过" not in history  # neither 通过 nor 不通过 of any one expert
    assert VOTE_NOTE not in history


# ---------------------------------------------------------------- 修改信息: before → after by label


class _FormReader(HTMLParser):
    """The fields of a page's form as a browser would post them (checked radios and boxes only)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: list[tuple[str, str]] = []
        self._select = self._textarea = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and not name.startswith("csrf"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            if a.get("type") not in ("submit", "button"):
                self.data.append((name, a.get("value") or ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, self._text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def _edit_form(client, app_id) -> list[tuple[str, str]]:
    reader = _FormReader()
    reader.feed(client.text(f"/admin/applications/edit/?id={app_id}"))
    return reader.data


def _set(form: list, changes: dict) -> list:
    out = [(k, changes[k] if k in changes else v) for k, v in form]
    return out + [(k, v) for k, v in changes.items() if k not in dict(form)]


def with_check_digit(first17: str) -> str:
    """GB 11643: the 18th character from the weighted sum of the first 17."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def _edited(world):
    """甲一, edited by its unit admin: phone, ID number and the first book's title; and a reason."""
    app = world.apps["a_submitted"]
    old = {"mobile": app.mobile, "id_number": app.id_number, "title": app.books[0].title}
    return app, old


def test_unit_admin_edit_reads_by_label_before_and_after_with_the_id_number_masked(client, world):
    app, old = _edited(world)
    client.login("admin_a")
    form = _edit_form(client, app.id)
    assert dict(form)["mobile"] == old["mobile"] and dict(form)["books-0-title"] == old["title"]
    new_id = with_check_digit("11010119900307123" if not old["id_number"].startswith("11010119900307123")
                              else "11010119900307124")
    form = _set(form, {"mobile": "13900001111", "books-0-title": "新的书名", "id_number": new_id,
                       "birth_date": "1990-03-07", "change_reason": "申请者来电更正"})
    r = client.post(f"/admin/applications/edit/?id={app.id}", form, token_from=f"/admin/applications/edit/?id={app.id}",
                    follow_redirects=True)
    assert "已修改" in r.get_data(as_text=True)
    event = db.session.query(AuditEvent).filter_by(action="edit", application_id=app.id).one()
    assert set(event.after) >= {"mobile", "books-0-title", "id_number"}

    for username in ("admin_a", "office"):
        client.login(username)
        history = history_text(client.text(f"/admin/applications/details/?id={app.id}"))
        assert "修改信息" in history and "admin_a" in history and "申请者来电更正" in history
        assert "移动电话" in history and old["mobile"] in history and "13900001111" in history
        assert "出版专集第1行 书名" in history and old["title"] in history and "新的书名" in history
        assert "身份证号" in history
        assert new_id not in history and old["id_number"] not in history
        assert f"{new_id[:6]}********{new_id[-4:]}" in history
        assert "mobile" not in history and "books-0-title" not in history

    client.login("it")
    history = history_text(client.text(f"/admin/applications/details/?id={app.id}"))
    assert new_id in history and old["id_number"] in history  # IT reads the number in full

    # IT's 操作记录: the same changes as a readable table, not JSON
    details = visible_text(client.text(f"/admin/audit/details/?id={event.id}"))
    assert "修改内容" in details and "出版专集第1行 书名" in details and "新的书名" in details
    assert new_id in details
    assert "{" not in details and "books-0-title" not in details and "入会申请" in details


# ---------------------------------------------------------------- one labelled vocabulary


def test_an_unlabelled_action_cannot_be_written(world):
    app = world.apps["a_submitted"]
    with pytest.raises(UnknownAction):
        record(db.session, Actor(world.users["it"]), "frobnicate", app)
    event = record(db.session, Actor(world.users["it"]), AuditAction.edit, app, application_id=app.id)
    assert event.action == "edit"


def test_every_transition_and_every_literal_action_in_the_code_is_labelled():
    import ast
    from pathlib import Path

    import wxk_admin
    from wxk_admin.domain.workflow import TRANSITIONS

    assert set(TRANSITIONS) <= {a.value for a in AuditAction}
    found = set()
    for path in Path(wxk_admin.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "record" and len(node.args) >= 3 and isinstance(node.args[2], ast.Constant):
                found.add(node.args[2].value)
            for kw in node.keywords:
                if kw.arg == "action" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    found.add(kw.value.value)
    assert len(found) > 30
    assert found - {a.value for a in AuditAction} == set()
    assert all(re.search(r"[\u4e00-\u9fff]", a.label) for a in AuditAction)


def test_it_log_reads_in_chinese_and_finds_edits_by_their_chinese_name(client, world):
    from wxk_admin.domain import workflow

    app = world.apps["a_submitted"]
    workflow.apply(db.session, app, "unit_confirm", Actor(world.users["admin_a"]))
    record(db.session, Actor(world.users["admin_a"]), "edit", app, application_id=app.id,
           before={"mobile": "13800000000"}, after={"mobile": "13900000000"})
    db.session.commit()
    client.login("it")
    text = visible_text(client.text("/admin/audit/"))
    assert "团体会员确认信息" in text and "入会申请" in text
    assert Status.submitted.label in text and Status.unit_confirmed.label in text
    for latin in ("unit_confirm", "Application", "unit_confirmed", "submitted"):
        assert not re.search(rf"\b{latin}\b", text), latin
    found = visible_text(client.text("/admin/audit/?search=修改信息"))
    assert "修改信息" in found and "团体会员确认信息" not in found
