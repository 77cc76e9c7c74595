"""站外通知 (issue 15.5): the delivery state of each e-mail / SMS (office, IT) and the templates per kind (IT)."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import FilterEqual
from markupsafe import Markup

from ..domain import access, outbox
from ..enums import Role
from ..models import OutboxChannel, OutboxMessage, OutboxState, db
from ..web import say
from ..security import current_actor
from .base import READ, SecureBaseView, SecureModelView
from .outcome import outcome

MENU = "会员发展"


def _label(getter):
    return lambda view, context, model, name: getter(model)


class ChoiceFilter(FilterEqual):
    """Equal to one of its options only: an unknown value (an enum column would refuse it with a 500) is
    ignored with Flask-Admin's 「无效的筛选器值」."""

    def validate(self, value):
        return value in {key for key, _label in self.options} and super().validate(value)


class OutboxMessageView(SecureModelView):
    """发送状态 — read-only: who was told what, by which way, and whether it went."""

    roles = frozenset({Role.office, Role.it_admin})
    permissions = {Role.office: frozenset({READ}), Role.it_admin: frozenset({READ})}
    column_list = ("created_at", "kind", "channel", "recipient", "application", "state", "attempts",
                   "next_attempt_at", "last_error")
    column_details_list = ("created_at", "kind", "channel", "recipient", "application", "subject", "body", "state",
                           "attempts", "next_attempt_at", "sent_at", "sent_via", "last_error")
    column_labels = {"application": "相关申请", "recipient": "收件人"}
    column_searchable_list = ()
    column_filters = (
        ChoiceFilter(OutboxMessage.state, "发送状态", options=[(s.value, s.label) for s in OutboxState]),
        ChoiceFilter(OutboxMessage.kind, "通知类型", options=list(outbox.KIND_LABELS.items())),
        ChoiceFilter(OutboxMessage.channel, "发送方式", options=[(c.value, c.label) for c in OutboxChannel]),
    )
    column_default_sort = ("id", True)
    column_sortable_list = ("created_at", "state", "attempts", "next_attempt_at")
    column_formatters = {
        "kind": _label(lambda m: outbox.KIND_LABELS.get(m.kind, m.kind)),
        "channel": _label(lambda m: OutboxChannel(m.channel).label),
        "state": _label(lambda m: OutboxState(m.state).label),
        "recipient": _label(lambda m: outbox.mask(m.recipient)),
        "application": _label(lambda m: m.application.name + (f"（{m.application.serial_no}）"
                                                               if m.application.serial_no else "")
                               if m.application else ""),
        "sent_via": _label(lambda m: {"log": "仅记录（未实际发送）", "smtp": "邮件服务器", "sms": "短信网关"}
                           .get(m.sent_via or "", m.sent_via or "")),
        "body": _label(lambda m: Markup("<br>").join(m.body.splitlines())),
    }
    column_formatters_detail = column_formatters
    audit_changes = False

    def scope(self, user):
        # The office and IT follow the delivery of every notification (recipients are masked in the cells).
        return access.every_row(user)

    def is_action_allowed(self, name):
        return False


class OutboxTemplateView(SecureBaseView):
    """通知模板 — IT words each kind; placeholders are checked, an ID-number placeholder refused."""

    roles = frozenset({Role.it_admin})

    def _page(self, errors=None, submitted=None):
        rows = []
        for kind, label in outbox.KIND_LABELS.items():
            subject, body = (submitted or {}).get(kind) or outbox.template_of(db.session, kind, say)
            rows.append({"kind": kind, "label": label, "subject": subject, "body": body,
                         "error": (errors or {}).get(kind)})
        return self.render("outbox/templates.html", rows=rows, placeholders=outbox.PLACEHOLDERS)

    @expose("/")
    def index(self):
        return self._page()

    @expose("/save/", methods=("POST",))
    def save_view(self):
        kind = request.form.get("kind", "")
        subject, body = request.form.get("subject", ""), request.form.get("body", "")
        with outcome(failure="通知模板未保存：{}") as done:
            outbox.save_template(db.session, current_actor(), kind, subject, body)
            done.say(f"已保存通知模板「{outbox.KIND_LABELS[kind]}」")
        if done.refused:
            return self._page({kind: done.message}, {kind: (subject, body)}), 400
        return redirect(url_for(".index") + f"#tpl-{kind}")


def register(admin) -> None:
    admin.add_view(OutboxMessageView(OutboxMessage, name="站外通知", endpoint="outbox", category=MENU))
    admin.add_view(OutboxTemplateView(name="通知模板", endpoint="outbox_templates", url="/admin/outbox-templates",
                                      category="系统管理"))
