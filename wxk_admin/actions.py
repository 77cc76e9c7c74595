"""The console's custom actions, declared once (issue 17.4).

Each ``Action`` says what a person reads (``label``), what it does (``calls``: a workflow transition or
a domain function), who may use it (``roles`` — a transition's come from ``workflow.TRANSITIONS``, never
restated here), what it asks before acting (``confirm``) and what it applies to (``scope``):

* ``"row"`` — one application: a button on the details page (``button_id``);
* ``"selection"`` — the rows ticked on the list: an entry of its 批量操作 menu, handled by the
  view's method ``handler``;
* ``"list"`` — the whole filtered list (导出全部);
* ``"account"`` — one 代申请账户 of a unit admin.

``endpoint`` is where the button, menu entry or form leads (a Flask-Admin endpoint); ``waiting`` names
the 首页 待办 entry that lists the applications waiting for this action.  Views, templates and the
dashboard read these declarations; tests walk them (every action reachable by exactly its roles).

Plain Python: no Flask here, so that domain code and tests may read it too.
"""
from __future__ import annotations

from dataclasses import dataclass

from .enums import Role
from .domain.workflow import TRANSITIONS, Transition

# Who reads the paper forms and exports (身份证号 and contact data): not experts, not 纪检监察.
PAPERWORK = frozenset({Role.unit_admin, Role.office, Role.it_admin})


@dataclass(frozen=True)
class Action:
    name: str
    scope: str  # row | selection | list | account
    endpoint: str
    calls: str  # "workflow:<transition>" or the domain function, "module.function"
    label: str = ""  # a transition's label when empty
    declared_roles: frozenset[Role] = frozenset()  # only for actions that are not transitions
    confirm: str | None = None  # None: the action's own next page is its confirmation (or it changes nothing)
    method: str = "GET"
    button_id: str | None = None  # the details page button
    button_class: str = "btn-primary"
    handler: str | None = None  # the view's method answering a 批量操作 entry (scope "selection")
    waiting: str | None = None  # the 首页 待办 entry listing the applications waiting for it

    @property
    def transition(self) -> Transition | None:
        kind, _, name = self.calls.partition(":")
        return TRANSITIONS[name] if kind == "workflow" else None

    @property
    def text(self) -> str:
        return self.label or self.transition.label

    @property
    def roles(self) -> frozenset[Role]:
        transition = self.transition
        return transition.roles if transition is not None else self.declared_roles

    def allows(self, role) -> bool:
        return role is not None and Role(role) in self.roles


def _transition(name: str, *, waiting: str | None = None) -> Action:
    """A details page button applying the workflow transition ``name`` through its opinion/reason form; its
    question is asked once, before a danger transition or one with flags to weigh (``workflow.cautions``)."""
    t = TRANSITIONS[name]
    return Action(name, "row", "applications.transition_view", f"workflow:{name}", method="POST",
                  confirm=f"确定{t.label}？", button_id=f"btn-{name}",
                  button_class="btn-danger" if t.danger else "btn-primary", waiting=waiting)


ACTIONS: tuple[Action, ...] = (
    # One application, from its details page (the operation guide's buttons).
    _transition("unit_confirm", waiting="待审核的入会申请"),
    _transition("unit_reject"),
    _transition("office_confirm", waiting="团体会员已确认、待会员处确认编号"),
    _transition("office_return"),
    _transition("direct_confirm", waiting="直接申报、待会员处初审"),
    _transition("direct_reject"),
    _transition("materials_received"),
    _transition("disqualify"),
    Action("edit", "row", "applications.edit_view", "domain.applying.drafts.save_sections", label="修改信息",
           declared_roles=frozenset({Role.unit_admin, Role.it_admin}), method="POST", button_id="btn-edit",
           button_class="btn-warning"),
    Action("download_form", "row", "applications.download_view", "documents.form_xlsx.build_application_form",
           label="下载申请表", declared_roles=PAPERWORK, button_id="btn-download", button_class="btn-success"),
    Action("download_form_pdf", "row", "documents.form_pdf", "documents.form.form_pdf",
           label="下载申请表（PDF）", declared_roles=PAPERWORK, button_id="btn-download-pdf",
           button_class="btn-success"),
    Action("materials_pdf", "row", "documents.materials_pdf", "documents.materials.materials_pdf",
           label="申报材料清单（PDF）", declared_roles=PAPERWORK, button_id="btn-materials-pdf",
           button_class="btn-outline-success"),
    # The ticked rows of the list (批量操作); the next page names every row and is the confirmation.
    Action("bulk_unit_confirm", "selection", "applications.action_view", "workflow:unit_confirm",
           label="批量确认", handler="bulk_transition_form"),
    Action("bulk_office_confirm", "selection", "applications.action_view", "workflow:office_confirm",
           label="批量确认并编号", handler="bulk_transition_form"),
    Action("batch_form_pdf", "selection", "applications.action_view", "documents.form.forms_pdf",
           label="批量下载申请表", declared_roles=PAPERWORK, handler="action_batch_form_pdf"),
    Action("export_selected", "selection", "applications.action_view", "domain.exports.write_xlsx",
           label="导出选中", declared_roles=PAPERWORK, handler="action_export_selected"),
    Action("export_all", "list", "applications.export_view", "domain.exports.write_xlsx", label="导出全部",
           declared_roles=PAPERWORK),
    # A unit admin's 代申请账户 (delegated accounts), on the 代申请账户 page.
    Action("create_proxy", "account", "proxy_accounts.new_view", "domain.applying.proxies.create_proxy",
           label="新增账户", declared_roles=frozenset({Role.unit_admin}), method="POST"),
    Action("reset_proxy_password", "account", "proxy_accounts.reset_view",
           "domain.applying.proxies.reset_proxy_password", label="重置密码",
           declared_roles=frozenset({Role.unit_admin}), method="POST", confirm="确定重置该账户的密码？新密码只显示一次。"),
    Action("hand_over", "account", "proxy_accounts.hand_over_view", "domain.applying.proxies.hand_over",
           label="交由本人使用", declared_roles=frozenset({Role.unit_admin}), method="POST",
           confirm="确定交由本人使用？本人下次登录时须设置新密码，之后管理员不能再以该账户身份填写。"),
    # The admin's own password, typed beside the button, is its confirmation.
    Action("switch_to_proxy", "account", "proxy_accounts.switch_view", "domain.applying.proxies.switch_to_proxy",
           label="以该账户身份填写", declared_roles=frozenset({Role.unit_admin}), method="POST"),
)

BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS}


def named(name: str) -> Action | None:
    return BY_NAME.get(name)


def of_scope(scope: str) -> list[Action]:
    return [a for a in ACTIONS if a.scope == scope]


def for_transition(name: str) -> Action | None:
    """The details page action applying transition ``name``."""
    return next((a for a in of_scope("row") if a.calls == f"workflow:{name}"), None)


def roles_of(scope: str) -> frozenset[Role]:
    """Everyone who may use some action of ``scope`` (a page that offers only those actions)."""
    return frozenset().union(*(a.roles for a in of_scope(scope)))


def allowed(name: str, role) -> bool:
    action = BY_NAME.get(name)
    return action is not None and action.allows(role)
