"""The public site (no login): the one-week notice (公示) and the published new-member list (公布).

Only 姓名, 常用名, 单位, 门类 ever leave through here (``consultation.public_row``) —
never ID numbers, phones or addresses.  The blueprint also registers the template
helper of the consultation panel (``app_context_processor``).
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from .domain.consultation.common import Refused
from .domain.consultation.notice import (PUBLIC_CONTACT_MAX, PUBLIC_CONTENT_MAX, PUBLIC_REPORTER_MAX, current_notices,
                                         notice_rows, public_notice_app, public_row, published_members,
                                         report_objection)
from .domain.consultation.panel import panel_data
from .extensions import db, limiter
from .enums import Status
from .models import Application, Cycle, Notice
from .params import id_arg
from .security import current_actor
from .views.downloads import download
from .web import say
from .documents.xlsx import table_xlsx

bp = Blueprint("public", __name__, url_prefix="/public")

PUBLIC_COLUMNS = (("name", "姓名"), ("pen_name", "常用名"), ("unit", "单位"), ("category", "门类"))


@bp.route("/")
def index():
    """The public pages' index: the notices now open and the years whose new-member list is published."""
    notices = [(n, len(notice_rows(db.session, n))) for n in current_notices(db.session)]
    years = db.session.execute(
        select(Cycle, func.count(Application.id)).join(Application, Application.cycle_id == Cycle.id)
        .join(Notice, Notice.id == Application.notice_id)
        .where(Notice.published_at.is_not(None), Application.status == Status.admitted)
        .group_by(Cycle.id).order_by(Cycle.year.desc())).all()
    return render_template("public/index.html", notices=notices, years=years)


@bp.route("/notice/")
def notice():
    notices = current_notices(db.session)
    blocks = [(n, [(a.id, public_row(a)) for a in notice_rows(db.session, n)])
              for n in notices]
    return render_template("public/notice.html", blocks=blocks, columns=PUBLIC_COLUMNS)


REPORT_LIMITS = {"reporter": PUBLIC_REPORTER_MAX, "contact": PUBLIC_CONTACT_MAX,
                 "content": PUBLIC_CONTENT_MAX}
REPORT_THROTTLED = "提交过于频繁，请稍后再试；如情况紧急，请直接与会员处联系"


def _report_limit() -> str:
    return current_app.config.get("PUBLIC_REPORT_LIMIT", "5 per hour")


@bp.route("/report/", methods=("GET", "POST"))
# Per IP, POSTs only: reading the form is free, flooding the office's queue is not.
@limiter.limit(_report_limit, methods=["POST"], error_message=lambda: say(REPORT_THROTTLED))
def report():
    """反映问题 about one person on the notice (issue 15.4): the office checks it like any objection."""
    app = public_notice_app(db.session, request.values.get("id"))
    if app is None:
        return render_template("public/report.html", person=None, form={}, error=None), 404
    form, error = {}, None
    if request.method == "POST":
        form = request.form
        try:
            obj = report_objection(db.session, app.id, form.get("reporter"), form.get("contact"),
                                   form.get("content"), ip=request.remote_addr)
        except Refused as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            return render_template("public/report_done.html", person=public_row(app), objection=obj)
    return render_template("public/report.html", person=public_row(app), app_id=app.id, form=form,
                           error=error, limits=REPORT_LIMITS), 400 if error else 200


def _cycle_arg() -> Cycle | None:
    pk = id_arg(request.args.get("cycle"))
    return db.session.get(Cycle, pk) if pk is not None else None


@bp.route("/members/")
def members():
    cycle = _cycle_arg()
    apps = published_members(db.session, cycle.id if cycle else None)
    groups: dict[int, list[dict]] = {}
    cycles: dict[int, Cycle] = {}
    for app in apps:
        groups.setdefault(app.cycle_id, []).append(public_row(app))
        cycles[app.cycle_id] = app.cycle
    blocks = [(cycles[cid], rows) for cid, rows in groups.items()]
    return render_template("public/members.html", blocks=blocks, columns=PUBLIC_COLUMNS, cycle=cycle)


@bp.route("/members.xlsx")
def members_xlsx():
    cycle = _cycle_arg()
    apps = published_members(db.session, cycle.id if cycle else None)
    header = ["年度", "序号"] + [label for _, label in PUBLIC_COLUMNS]
    rows = ([app.cycle.name, i] + [public_row(app)[key] for key, _ in PUBLIC_COLUMNS]
            for i, app in enumerate(apps, start=1))
    return download(table_xlsx("新会员名单", header, rows), f"{cycle.name if cycle else ''}新会员名单.xlsx")


@bp.app_context_processor
def consultation_helpers():
    def consultation_panel(app):
        if not current_user.is_authenticated:
            return None
        return panel_data(db.session, current_actor(), app)

    return {"consultation_panel": consultation_panel}
