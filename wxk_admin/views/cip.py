"""CIP 核验: the CIP record table (IT), the import page (IT) and 核验 CIP 信息 for one application."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import Length, Optional

from ..domain import access, cip, cip_sources
from ..documents import xlsx
from ..domain.audit import record
from ..enums import Role
from ..extensions import db
from ..models import Application, CipRecord, utcnow
from ..security import current_actor
from .base import CREATE, DELETE, EDIT, EXPORT, READ, SecureBaseView, SecureModelView, role_of
from .outcome import outcome, scoped_or_404

CATEGORY = "CIP 核验"
COMPARE_ROLES = frozenset({Role.unit_admin, Role.office, Role.it_admin, Role.expert})
RECHECK_ROLES = frozenset({Role.unit_admin, Role.office, Role.it_admin})
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _cip_no_cell(view, context, model, name):
    return cip_sources.format_cip_no(model.cip_no)


def _clc_cell(view, context, model, name):
    if model.clc and not model.clc.upper().startswith("I"):
        return Markup('<span class="text-danger" title="非 I 类（文学）">{}</span>').format(model.clc)
    return model.clc or ""


class CipRecordView(SecureModelView):
    """CIP 数据 — IT maintains the local table; the office reads it."""

    roles = frozenset({Role.it_admin, Role.office})
    permissions = {Role.it_admin: frozenset({READ, CREATE, EDIT, DELETE, EXPORT}),
                   Role.office: frozenset({READ, EXPORT})}
    column_list = ("cip_no", "isbn", "title", "first_author", "responsibility_mode", "publisher", "pub_date", "clc",
                   "source", "fetched_at")
    column_default_sort = ("fetched_at", True)
    column_filters = ("source", "responsibility_mode", "clc", "publisher")
    column_formatters = {"cip_no": _cip_no_cell, "clc": _clc_cell}
    column_choices = {"source": [("local", "本地导入"), ("http", "远程缓存")]}
    form_excluded_columns = ("source", "fetched_at")
    form_columns = ("cip_no", "isbn", "title", "subtitle", "parallel_title", "first_author", "other_authors",
                    "responsibility_mode", "edition", "pub_place", "publisher", "pub_date", "clc", "subjects")
    # Typed in any printed form (longer than the canonical column); normalised by cip.check_record.
    form_extra_fields = {
        "cip_no": StringField("CIP 核字号", validators=[Optional(), Length(max=60)],
                              description="如 中国版本图书馆CIP数据核字(2016)第189798号、(2016)第189798号 或 2016189798"),
        "isbn": StringField("ISBN", validators=[Optional(), Length(max=40)],
                            description="ISBN-10 或 ISBN-13，保存为 13 位"),
    }

    def scope(self, user):
        # Shared reference data (published CIP records), no owner per row: IT and the office read it all.
        return access.every_row(user)

    def on_model_change(self, form, model, is_created):
        cip.check_record(db.session, model)  # normalised, or refused with every reason (flashed)
        if is_created:
            model.source = "local"
        model.fetched_at = utcnow()
        super().on_model_change(form, model, is_created)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="wxk-cip-import")


class CipImportView(SecureBaseView):
    """导入 CIP 数据 — upload, per-row report, explicit confirmation to import only the good rows."""

    roles = frozenset({Role.it_admin})

    @expose("/", methods=("GET", "POST"))
    def index(self):
        report, payload, filename, error = None, None, "", None
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                error = "请选择要导入的 .xlsx 或 .csv 文件"
            else:
                filename = upload.filename
                data = upload.read(MAX_UPLOAD_BYTES + 1)
                try:
                    if len(data) > MAX_UPLOAD_BYTES:
                        raise ValueError("文件超过 10 MB")
                    rows = xlsx.read_table(filename, data)
                except ValueError as exc:
                    error = str(exc)
                else:
                    with outcome() as done:  # a file without errors is imported at once
                        report = cip.import_rows(db.session, rows, current_actor(), confirm=False,
                                                 source_name=filename)
                        if report.imported:
                            done.say(f"已导入 {report.created + report.updated} 条 CIP 数据"
                                     f"（新增 {report.created}，更新 {report.updated}）")
                        elif report.rows:  # errors: nothing imported; the good rows wait for 确认导入
                            if report.good:
                                payload = _serializer().dumps({"name": filename, "rows": rows})
                            done.say(f"{len(report.bad)} 行有错误，未导入任何数据", "error")
                        else:
                            error = "文件中没有数据行"
        return self.render("cip/import.html", report=report, payload=payload, filename=filename, error=error,
                           labels=cip_sources.FIELD_LABELS)

    @expose("/confirm/", methods=("POST",))
    def confirm_view(self):
        try:
            data = _serializer().loads(request.form.get("payload", ""))
        except BadSignature:
            flash("导入数据已失效或被修改，请重新上传文件", "error")
            return redirect(url_for(".index"))
        with outcome() as done:
            report = cip.import_rows(db.session, data["rows"], current_actor(), confirm=True,
                                     source_name=data["name"])
            if report.imported:
                done.say(f"已导入 {len(report.good)} 行正确数据（新增 {report.created}，更新 {report.updated}），"
                         f"跳过 {len(report.bad)} 行错误数据")
            else:
                done.say("没有可导入的正确数据", "error")
        return self.render("cip/import.html", report=report, payload=None, filename=data["name"], error=None,
                           labels=cip_sources.FIELD_LABELS)


class CipCompareView(SecureBaseView):
    """核验 CIP 信息 for one application (reached from its details page; not in the menu)."""

    roles = COMPARE_ROLES

    def is_visible(self):
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("applications.index_view"))

    @expose("/compare/")
    def compare_view(self):
        application = scoped_or_404(Application, request.args.get("id"))
        # A GET never writes: remote answers are shown, not cached (the recheck POST caches them).
        result = cip.check_application(db.session, application, cache=False)
        stale = bool(application.cip_flagged) != result.flagged or any(
            b.book.cip_status != b.status for b in result.books)
        return self.render("cip/compare.html", app=application, result=result, stale=stale,
                           can_recheck=role_of(current_user) in RECHECK_ROLES,
                           badge=cip.STATUS_BADGE, format_cip_no=cip_sources.format_cip_no)

    @expose("/recheck/", methods=("POST",))
    def recheck_view(self):
        if role_of(current_user) not in RECHECK_ROLES:
            abort(403)
        application = scoped_or_404(Application, request.form.get("id"))
        before = {"cip_flagged": bool(application.cip_flagged),
                  "books": {b.id: b.cip_status for b in application.books}}
        with outcome(stale="该申请刚被他人修改，请刷新后重试") as done:
            cip.refresh_flag(db.session, application)
            after = {"cip_flagged": bool(application.cip_flagged),
                     "books": {b.id: b.cip_status for b in application.books}}
            record(db.session, current_actor(), "cip_check", application, application_id=application.id,
                   before=before, after=after, reason="核验 CIP 信息：更新 CIP 存疑标记")
            done.say("已重新核验并更新 CIP 存疑标记" + ("（存疑）" if application.cip_flagged else "（无存疑）"))
        return redirect(url_for(".compare_view", id=application.id))


def register(admin) -> None:
    admin.add_view(CipRecordView(CipRecord, name="CIP 数据", category=CATEGORY, endpoint="cip_records"))
    admin.add_view(CipImportView(name="导入 CIP 数据", category=CATEGORY, endpoint="cip_import",
                                 url="/admin/cip-import"))
    admin.add_view(CipCompareView(name="核验 CIP 信息", endpoint="cip", url="/admin/cip"))
