"""Issue 17 points 1–3: a field or a repeating section added to the model reaches every screen.

Each test does what the README's 「新增字段」 says, in a copy of the checkout: one addition to
``models.py``, ``flask --app wsgi db migrate``, ``flask --app wsgi db upgrade`` — then drives that
app through HTTP in a fresh interpreter (the ``drive_*`` functions below run there, against the
copy) and asserts each surface.  On every backend of WXK_TEST_BACKENDS.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
COPIED = ("wxk_admin", "templates", "migrations", "static", "wsgi.py", "pyproject.toml")
TEST_FILES = ("__init__.py", "support/__init__.py", "support/factories.py", "support/helpers.py", "support/applicant.py",
              "support/pdf.py", "support/consultation.py", "views/__init__.py", "views/test_filters.py",
              "views/test_lowcode.py")

NEW_FIELD = ('    hobby_note: Mapped[str | None] = mapped_column(String(100), info=meta("爱好备注", list=True, '
             'filter=True, search=True))\n'
             '    wechat_id: Mapped[str | None] = mapped_column(String(50), info=meta("微信号", personal=True))\n')
# A new scalar section: its declaration after 申报类别, and its one field after that section's last column.
NEW_SCALAR_SECTION = '    "works": {"title": "创作简况", "form": True, "details": True},\n'
NEW_SCALAR_FIELD = ('    works_summary: Mapped[str | None] = mapped_column(String(200), info=meta("创作简况说明", '
                    'section="works"))\n')
NEW_SECTION = '''

@_child("作品研讨会", "seminars", facts="场")
class Seminar(ChildRow, db.Model):
    __tablename__ = "seminars"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="", info=meta("研讨会名称", required=True))
    organiser: Mapped[str | None] = mapped_column(String(100), info=meta("主办单位"))
    held_on: Mapped[dt.date | None] = mapped_column(Date, info=meta("举办时间"))
'''


# ---------------------------------------------------------------- the copy and its three steps


def checkout_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        else:
            shutil.copy2(source, copy / name)
    for name in TEST_FILES:
        (copy / "tests" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "tests" / name, copy / "tests" / name)
    return copy


def run(copy: Path, database_url: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(copy), "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
           "FLASK_DEBUG": "0"}
    done = subprocess.run(args, cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout


def three_steps(copy: Path, database_url: str, message: str) -> str:
    """``db upgrade`` (the existing database), then the README's steps 2 and 3; the new migration's text."""
    flask = str(Path(sys.executable).parent / "flask")
    run(copy, database_url, flask, "--app", "wsgi", "db", "upgrade")
    before = set((copy / "migrations" / "versions").glob("*.py"))
    run(copy, database_url, flask, "--app", "wsgi", "db", "migrate", "-m", message)
    created = set((copy / "migrations" / "versions").glob("*.py")) - before
    assert len(created) == 1, "db migrate wrote no migration"
    run(copy, database_url, flask, "--app", "wsgi", "db", "upgrade")
    return created.pop().read_text()


def drive(copy: Path, database_url: str, function: str) -> str:
    code = f"from tests.views.test_lowcode import {function}; {function}({database_url!r})"
    return run(copy, database_url, sys.executable, "-c", code)


# ---------------------------------------------------------------- the tests (in this checkout)


def test_a_new_column_reaches_every_screen(tmp_path, backend):
    from ..conftest import throwaway_database  # here: the drivers below import this module in the copy

    copy = checkout_copy(tmp_path)
    models = copy / "wxk_admin" / "models.py"
    text = models.read_text()
    anchor = re.search(r"    household_registration: Mapped.*\n", text)
    models.write_text(text[:anchor.end()] + NEW_FIELD + text[anchor.end():])
    with throwaway_database(backend, tmp_path, "wxk_lowcode") as url:
        migration = three_steps(copy, url, "hobby note")
        assert "hobby_note" in migration and "wechat_id" in migration and "add_column" in migration
        assert "ALL SURFACES CHECKED" in drive(copy, url, "drive_new_field")


def test_a_new_repeating_section_reaches_every_screen(tmp_path, backend):
    from ..conftest import throwaway_database

    copy = checkout_copy(tmp_path)
    models = copy / "wxk_admin" / "models.py"
    models.write_text(models.read_text() + NEW_SECTION)
    with throwaway_database(backend, tmp_path, "wxk_lowcode") as url:
        migration = three_steps(copy, url, "seminars")
        assert "create_table('seminars'" in migration or 'create_table("seminars"' in migration
        assert "ALL SURFACES CHECKED" in drive(copy, url, "drive_new_section")


def test_a_new_scalar_section_reaches_details_and_the_printed_form(tmp_path, backend):
    from ..conftest import throwaway_database

    copy = checkout_copy(tmp_path)
    models = copy / "wxk_admin" / "models.py"
    text = models.read_text()
    anchor = re.search(r'    "track": \{"title": "申报类别".*\n', text)
    text = text[:anchor.end()] + NEW_SCALAR_SECTION + text[anchor.end():]
    anchor = re.search(r"    exemption_claim: Mapped.*\n.*\n", text)  # the last column of 申报类别
    models.write_text(text[:anchor.end()] + NEW_SCALAR_FIELD + text[anchor.end():])
    with throwaway_database(backend, tmp_path, "wxk_lowcode") as url:
        migration = three_steps(copy, url, "works summary")
        assert "works_summary" in migration and "add_column" in migration
        assert "ALL SURFACES CHECKED" in drive(copy, url, "drive_new_scalar_section")


# ---------------------------------------------------------------- drivers (run inside the copy)


def _app(database_url: str):
    import uuid

    from wxk_admin import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False,
                       "SECRET_KEY": uuid.uuid4().hex * 2})


@contextlib.contextmanager
def _office_on_a_fresh_world(database_url: str, **values):
    """The copy's app on a fresh world, a_submitted carrying ``values`` (the new field's), the office logged in:
    (the app, the world, that application, the office's client)."""
    from tests.support.factories import make_world
    from tests.support.helpers import Client
    from wxk_admin.models import db

    app = _app(database_url)
    with app.app_context():
        world = make_world(db.session)
        shown = world.apps["a_submitted"]
        for name, value in values.items():
            setattr(shown, name, value)
        db.session.commit()
        office = Client(app.test_client())
        office.login("office")
        yield app, world, shown, office


def _sheet_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)


def _card(html: str, card_id: str) -> str:
    """The text of one form card (``<div class="card ..." id="section-...">``) up to the next card."""
    start = html.index(f'id="{card_id}"')
    following = html.find('<div class="card mb-3', start)
    return html[start:following if following > 0 else None]


def _reading_pages(world, application, *, expert_key: str = "lowcode_expert") -> tuple[str, str]:
    """The applicant's read-only page and an expert's reading page of ``application`` (submitted; put in
    expert review here)."""
    from flask import current_app

    from tests.support.helpers import Client
    from tests.support.consultation import add_expert, group_with
    from wxk_admin.enums import Status
    from wxk_admin.models import db

    owner = Client(current_app.test_client())
    owner.login(application.applicant.username)
    readonly = owner.text(f"/admin/my-application/form/?id={application.id}")
    assert "申请已提交，当前不能修改" in readonly, "not the read-only page"
    expert = add_expert(db.session, expert_key, application.category.label)
    application.status = Status.expert_review
    application.serial_no = f"{world.cycle.year}-000777"
    application.expert_group_id = group_with(db.session, world, [expert], category=application.category).id
    db.session.commit()
    reader = Client(current_app.test_client())
    reader.login(expert_key)
    reading = reader.text(f"/admin/expert/app/?id={application.id}")
    assert "我的审读意见与投票" in reading, "not the expert's reading page"
    return readonly, reading


def drive_new_field(database_url: str) -> None:
    from sqlalchemy import select

    from tests.support.applicant import FORM, VALID, application_of, new_applicant, post_form
    from tests.support.helpers import Client, redirect_target
    from tests.views.test_filters import filter_arg, names
    from wxk_admin.models import AuditEvent, db

    with _office_on_a_fresh_world(database_url, hobby_note="集邮与昆曲") as (app, world, shown, office):

        # The list: a labelled column with the value; its filter; the search.
        html = office.text("/admin/applications/")
        header = html[html.index("<thead"):html.index("</thead>")]
        assert "爱好备注" in header, "no 爱好备注 column in the list"
        assert "集邮与昆曲" in html
        arg = filter_arg(office, "爱好备注", "包含")
        assert names(office.text(f"/admin/applications/?flt0_{arg}=昆曲")) == {"甲一"}
        assert names(office.text("/admin/applications/?search=昆曲")) == {"甲一"}

        # The details page, the 申请表 download, the export chooser and the export.
        details = office.text(f"/admin/applications/details/?id={shown.id}")
        assert re.search(r"爱好备注</t[hd]>\s*<td[^>]*>集邮与昆曲", details), "details: no 爱好备注"
        form_xlsx = office.get(f"/admin/applications/download/?id={shown.id}").data
        assert "爱好备注" in _sheet_text(form_xlsx) and "集邮与昆曲" in _sheet_text(form_xlsx)
        assert 'value="hobby_note"' in office.text("/admin/applications/export/")
        export = office.post("/admin/applications/export/", [("columns", "name"), ("columns", "hobby_note"),
                                                              ("format", "xlsx")], token_from="/admin/applications/")
        exported = _sheet_text(export.data)
        assert "爱好备注" in exported and "集邮与昆曲" in exported

        # The applicant's form: in 个人信息, validated by its length, kept in a draft.
        applicant = new_applicant("lowcode", unit=world.unit_a)
        client = Client(app.test_client())
        client.login("lowcode")
        personal = _card(client.text(FORM), "section-personal")
        assert "爱好备注" in personal and 'name="hobby_note"' in personal
        too_long = "长" * 101
        page = post_form(client, dict(VALID, hobby_note=too_long)).get_data(as_text=True)
        assert "处内容格式不正确，已原样保留" in page
        assert too_long in _card(client.text(FORM), "section-personal"), "the draft lost the typed text"
        draft = application_of(applicant)
        refused = post_form(client, dict(VALID, hobby_note=too_long), "submit", app_id=draft.id,
                            version=draft.version).get_data(as_text=True)
        assert "爱好备注：不能超过 100 个字" in refused
        draft = application_of(applicant)
        post_form(client, dict(VALID, hobby_note="书法"), app_id=draft.id, version=draft.version)
        assert application_of(applicant).hobby_note == "书法"

        # 修改信息 by the unit admin, read back in the history as before → after.
        admin = Client(app.test_client())
        admin.login("admin_a")
        edit_page = admin.text(f"/admin/applications/edit/?id={shown.id}")
        assert 'name="hobby_note"' in edit_page and "集邮与昆曲" in edit_page
        db.session.expire_all()
        posted = dict(VALID, name=shown.name, hobby_note="评弹", version=str(shown.version), change_reason="来电更正")
        response = admin.post(f"/admin/applications/edit/?id={shown.id}", posted)
        assert redirect_target(response) == ("/admin/applications/details/",
                                             {"id": [str(shown.id)], "url": ["/admin/applications/"]})
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.application_id == shown.id,
                                                            AuditEvent.action == "edit")).one()
        assert event.before["hobby_note"] == "集邮与昆曲" and event.after["hobby_note"] == "评弹"
        history = admin.text(f"/admin/applications/details/?id={shown.id}")
        assert re.search(r"<td>爱好备注</td><td>集邮与昆曲</td><td>评弹</td>", history), "history: no before → after"

        # The applicant's read-only page shows both new fields; the expert's reading page only the one not
        # declared ``personal``.
        shown.wechat_id = "weixin-jiayi-007"
        db.session.commit()
        readonly, reading = _reading_pages(world, shown)
        assert re.search(r"爱好备注</th><td>评弹</td>", readonly), "read-only page: no 爱好备注"
        assert re.search(r"微信号</th><td>weixin-jiayi-007</td>", readonly), "read-only page: no 微信号"
        assert re.search(r"爱好备注</th><td>评弹</td>", reading), "expert page: no 爱好备注"
        assert "微信号" not in reading and "weixin-jiayi-007" not in reading, "expert page shows a personal field"
    print("ALL SURFACES CHECKED")


def drive_new_section(database_url: str) -> None:
    from tests.support.applicant import FORM, VALID, application_of, cip_record, new_applicant, post_form
    from tests.support.factories import make_world
    from tests.support.helpers import Client
    from wxk_admin.domain import workflow
    from wxk_admin.domain.audit import Actor
    from wxk_admin.models import db

    app = _app(database_url)
    with app.app_context():
        world = make_world(db.session)
        cip_record()
        applicant = new_applicant("lowcode", unit=world.unit_a)
        client = Client(app.test_client())
        client.login("lowcode")

        # The form: the section with its title and columns, rows added and deleted.
        card = _card(client.text(FORM), "section-seminars")
        assert "作品研讨会" in card and "研讨会名称" in card and "主办单位" in card
        assert 'name="seminars-0-title"' in card and 'name="seminars-0-delete_row"' in card
        rows = {"seminars-0-title": "《河流的故乡》研讨会", "seminars-0-organiser": "省作协",
                "seminars-0-held_on": "2020-06-01", "seminars-1-title": "渡口座谈", "seminars-1-organiser": "市文联"}
        post_form(client, dict(VALID, **rows))
        draft = application_of(applicant)
        assert [s.title for s in draft.seminars] == ["《河流的故乡》研讨会", "渡口座谈"]
        # A row without its required 研讨会名称 is refused on submission, named by section and row.
        page = post_form(client, dict(VALID, **{"seminars-0-organiser": "无名"}), "submit", app_id=draft.id,
                         version=draft.version).get_data(as_text=True)
        assert "作品研讨会第1行" in page and "研讨会名称" in page
        draft = application_of(applicant)
        deleted = dict(VALID, **rows, **{"seminars-1-delete_row": "y"})
        post_form(client, deleted, app_id=draft.id, version=draft.version)
        draft = application_of(applicant)
        assert [s.title for s in draft.seminars] == ["《河流的故乡》研讨会"]
        page = post_form(client, dict(VALID, **rows, **{"seminars-1-delete_row": "y"}), "submit", app_id=draft.id,
                         version=draft.version).get_data(as_text=True)
        submitted = application_of(applicant)
        assert submitted.status.value == "submitted", page[-2000:]

        # The details page and the 申请表 download.
        office = Client(app.test_client())
        office.login("office")
        workflow.apply(db.session, submitted, "unit_confirm", Actor(world.users["admin_a"]), opinion="同意推荐")
        db.session.commit()
        details = office.text(f"/admin/applications/details/?id={submitted.id}")
        assert "作品研讨会" in details and "《河流的故乡》研讨会" in details and "省作协" in details
        sheet = _sheet_text(office.get(f"/admin/applications/download/?id={submitted.id}").data)
        assert "作品研讨会" in sheet and "研讨会名称" in sheet and "《河流的故乡》研讨会" in sheet
        # Flagged ``facts="场"``: its row count is among the 资格初审 facts.
        totals = details[details.index('id="eligibility-totals"'):]
        totals = totals[:totals.index("</table>")]
        assert re.search(r"<th[^>]*>作品研讨会</th><td[^>]*>1 场</td>", totals), "no 作品研讨会 1 场 among the facts"
    print("ALL SURFACES CHECKED")


def drive_new_scalar_section(database_url: str) -> None:
    from tests.support.applicant import FORM, new_applicant
    from tests.support.helpers import Client
    from tests.support.pdf import compact, pdf_text

    with _office_on_a_fresh_world(database_url, works_summary="长篇小说《渡口》三部曲") as (app, world, shown, office):

        # The details page: its own card, after 申报类别 and before the repeating sections.
        details = office.text(f"/admin/applications/details/?id={shown.id}")
        card = details.index('<div class="card-header">创作简况</div>')
        assert details.index('<div class="card-header">申报类别</div>') < card < details.index("出版专集（")
        assert re.search(r"创作简况说明</th><td>长篇小说《渡口》三部曲</td>", details[card:]), "details: no 创作简况说明"

        # The 申请表 (xlsx and PDF): numbered after 申报类别, the repeating sections renumbered after it.
        sheet = _sheet_text(office.get(f"/admin/applications/download/?id={shown.id}").data)
        assert sheet.index("二、申报类别") < sheet.index("三、创作简况") < sheet.index("四、出版专集")
        assert "创作简况说明" in sheet and "长篇小说《渡口》三部曲" in sheet
        pdf = compact(pdf_text(office.get(f"/admin/documents/form.pdf?id={shown.id}").data))
        assert pdf.index("二、申报类别") < pdf.index("三、创作简况") < pdf.index("四、出版专集")
        assert compact("创作简况说明") in pdf and compact("长篇小说《渡口》三部曲") in pdf

        # The applicant's form: the section's own card with its field.
        new_applicant("lowcode", unit=world.unit_a)
        client = Client(app.test_client())
        client.login("lowcode")
        works = _card(client.text(FORM), "section-works")
        assert "创作简况" in works and 'name="works_summary"' in works

        # The applicant's read-only page and the expert's reading page: the section, after 申报类别.
        for page in _reading_pages(world, shown):
            assert page.index("申报类别") < page.index("创作简况") < page.index("创作简况说明")
            assert re.search(r"创作简况说明</th><td>长篇小说《渡口》三部曲</td>", page), "no 创作简况说明"
    print("ALL SURFACES CHECKED")
