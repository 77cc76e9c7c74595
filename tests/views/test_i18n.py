"""Issue 2.4 — the console is in Simplified Chinese: Flask-Admin's own strings translated, our labels Chinese.

The pages are read as a user sees them: visible text plus the attributes a user
reads (placeholder, title, button values) and the filter names offered.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import flask_admin
from babel.messages.mofile import read_mo
from sqlalchemy import select

from wxk_admin.models import db

from .test_menus import console_views

CJK = re.compile(r"[\u4e00-\u9fff]")
# Labels that are international abbreviations, read as such in Chinese forms.
ABBREVIATIONS = {"ISBN", "CIP", "IP", "ISSN"}


def chinese_label(label: str) -> bool:
    return bool(CJK.search(label)) or label.strip() in ABBREVIATIONS

# Flask-Admin's UI strings that must never show in English (checked as whole words).
ENGLISH_UI = ["Add Filter", "Search", "List", "Create", "Delete", "Edit", "Export", "With selected", "Save",
              "Cancel", "Details", "Apply", "Reset Filters", "Home", "Previous", "Next", "Actions",
              "Record does not exist", "Are you sure", "Save and Add Another", "Save and Continue Editing",
              "View Record", "Edit Record", "Delete Record", "Select all", "Filter", "Forbidden", "Not Found",
              "Method Not Allowed", "Bad Request", "Permission denied"]

# Every msgid Flask-Admin ships a Chinese translation for (its own UI vocabulary).
_MO = Path(flask_admin.__file__).parent / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "admin.mo"


def flask_admin_msgids() -> list[str]:
    with _MO.open("rb") as fh:
        catalog = read_mo(fh)
    ids = []
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else (message.id[0] if message.id else "")
        # Whole phrases only: skip the tiny ones (e.g. "No") and the ones with placeholders.
        if msgid and len(msgid) >= 5 and "%" not in msgid and "{" not in msgid and re.search("[A-Za-z]{4}", msgid):
            ids.append(msgid)
    return ids


class _Visible(HTMLParser):
    """What a user reads: text outside <script>/<style>, and placeholder / title / button values."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        for name in ("placeholder", "title"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag in ("input", "button") and (attrs.get("type") in ("submit", "button", "reset")) and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_left(html: str, phrases=ENGLISH_UI) -> list[str]:
    text = visible_text(html)
    return [p for p in phrases if re.search(rf"(?<![A-Za-z_]){re.escape(p)}(?![A-Za-z_])", text)]


def filter_names(html: str) -> list[str]:
    """The filter names offered on a list page (Flask-Admin embeds them as JSON in #filter-groups-data)."""
    match = re.search(r'id="filter-groups-data"[^>]*>(.*?)</', html, re.S)
    if not match:
        return []
    return list(json.loads(match.group(1)))


def column_headers(html: str) -> list[str]:
    headers = re.findall(r'<th class="column-header[^"]*"[^>]*>(.*?)</th>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in headers]


# ---------------------------------------------------------------- Flask-Admin's own strings


def test_flask_admin_strings_are_chinese_on_a_list_page(client, world):
    client.login("it")
    html = client.text("/admin/units/")
    text = visible_text(html)
    for chinese in ("添加筛选器", "查询", "列表", "创建"):  # 查询: the guide's word for Flask-Admin's 搜索
        assert chinese in text, chinese
    assert english_left(html) == []
    assert '<html lang="zh' in html or "zh_CN" in html or "zh-CN" in html or CJK.search(text)


def test_no_flask_admin_english_on_any_console_page_of_any_role(app, client, world):
    """Every list / create / details / edit page each role can open, checked against Flask-Admin's catalog."""
    msgids = flask_admin_msgids()
    assert "Add Filter" in msgids and len(msgids) > 50
    checked = 0
    for username in ("it", "office", "admin_a", "expert", "appl_a"):
        c = client.__class__(app.test_client())
        c.login(username)
        pages = ["/admin/", "/admin/account/password/"]
        for view, url in console_views(app):
            pages.append(url)
            if hasattr(view, "create_view"):
                pages += [url + "new/", url + "details/?id=1", url + "edit/?id=1"]
        for url in pages:
            r = c.get(url, follow_redirects=True)
            if r.status_code != 200:
                continue
            html = r.get_data(as_text=True)
            assert english_left(html) == [], (username, url)
            assert english_left(html, msgids) == [], (username, url)
            checked += 1
    assert checked > 20


def test_login_page_and_error_pages_are_chinese(app, client, world):
    html = client.text("/admin/account/login/")
    assert "用户名" in html and "密码" in html and "登录" in html
    assert english_left(html) == []
    r = client.get("/admin/no-such-page/")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)
    assert english_left(r.get_data(as_text=True)) == []
    r = client.get("/admin/account/logout/")
    assert r.status_code == 405 and "请求方式不允许" in r.get_data(as_text=True)
    assert "POST" in r.headers.get("Allow", "")
    r = client.post("/admin/account/login/", {"username": "it", "password": "x"}, csrf=False)
    assert r.status_code == 400 and "请刷新页面后重新提交" in r.get_data(as_text=True)
    client.login("admin_a")
    r = client.get("/admin/users/")
    assert r.status_code == 403 and "无权访问" in r.get_data(as_text=True)
    assert english_left(r.get_data(as_text=True)) == []


# ---------------------------------------------------------------- our own labels


def test_list_columns_and_filter_names_are_chinese_on_every_list_page(app, client, world):
    client.login("it")
    checked = 0
    for view, url in console_views(app):
        if not hasattr(view, "index_view"):
            continue
        r = client.get(url)
        if r.status_code != 200:
            continue
        html = r.get_data(as_text=True)
        headers = column_headers(html)
        assert headers, url
        for header in headers:
            assert chinese_label(header), (url, header)
        for name in filter_names(html):
            assert chinese_label(name), (url, name)
        checked += 1
    assert checked >= 5


def test_every_model_view_label_is_chinese(app, ctx):
    """Labels of every listed, filtered, searched, exported and form column come from Chinese declarations."""
    from wxk_admin.views.base import SecureModelView

    problems = []
    for view, url in console_views(app):
        if not isinstance(view, SecureModelView):
            continue
        names = set(view.column_list or ()) | set(view.column_export_list or ())
        names |= {f for f in (view.column_filters or ()) if isinstance(f, str)}
        for name in names:
            label = view.get_column_name(name) if isinstance(name, str) else None
            if label is not None and not chinese_label(label):
                problems.append((view.endpoint, name, label))
    assert problems == []


def test_times_are_shown_in_beijing_time(client, world):
    from wxk_admin.models import AuditEvent

    client.login("it")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")
                               .order_by(AuditEvent.id.desc())).first()
    assert event is not None
    html = client.text("/admin/audit/")
    import datetime as dt

    beijing = (event.created_at.replace(tzinfo=dt.timezone.utc) + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert beijing in html
    assert event.created_at.isoformat(sep=" ") not in html  # not the raw UTC value with microseconds


def test_audit_actions_read_in_chinese(client, world):
    client.login("it")
    html = client.text("/admin/audit/")
    table = html[html.find('<table class="table'):]
    table = re.sub(r"\s*<", "<", re.sub(r">\s*", ">", table[:table.find("</table>")]))
    assert ">登录<" in table
    assert ">login<" not in table


def test_page_size_choices_are_chinese(client, world):
    client.login("it")
    text = visible_text(client.text("/admin/units/"))
    assert "每页 50 条" in text and "20 条/页" in text
    assert not re.search(r"\d+ items?\b", text)


def test_cycles_and_units_read_association_and_rule_set_by_name(client, world, profile):
    """申请年度: 所属协会 and 资格规则 are chosen and read by their Chinese names, never cwa / cwa-2022
    (jiangsu / jiangsu-2022 in Jiangsu)."""
    from wxk_admin import profiles
    from wxk_admin.rules import RULESETS

    from ..support.visible import reader_text

    association, ruleset = profile.names.association, profile.rules.ruleset  # 中国作家协会, cwa-2022
    code = re.compile(rf"\b{profile.code}\b")
    other = next(profiles.of(c) for c in ("cwa", "jiangsu") if c != profile.code).names.association
    client.login("office")
    for url in ("/admin/cycles/", f"/admin/cycles/details/?id={world.cycle.id}", f"/admin/cycles/edit/?id={world.cycle.id}"):
        text = reader_text(client.text(url))
        assert association in text and RULESETS[ruleset].title in text, url  # 中国作家协会个人会员申请审批办法
        assert not code.search(text), url
    form = client.text(f"/admin/cycles/edit/?id={world.cycle.id}")
    assert re.search(rf'<option[^>]*value="{ruleset}"[^>]*>\s*{re.escape(RULESETS[ruleset].title)}', form)
    assert other not in form  # a deployment offers its own association only (协会配置, issue 16)
    text = reader_text(client.text("/admin/units/"))
    assert association in text and not code.search(text)
