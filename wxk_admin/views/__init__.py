"""The Flask-Admin console: one ``Admin``; each views module adds its own views in ``register``.

Menus follow each view's roles (a view the user may not open is not shown): Flask-Admin's own menu, built on
every page (a per-role cache of its HTML measured no faster, benchmarks/README.md).
"""
from __future__ import annotations

import datetime as dt

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from ..models import Cycle
from ..rules import RULESETS
from ..web import csp_nonce
from . import account, applicant, applications, cip, consultation, documents, outbox, reference
from .base import enum_columns
from .index import HomeView
from .oversight import refuse_changes

# In menu order.  Each module has ``register(admin)``.
VIEW_MODULES = (
    account,       # 登录 / 修改密码 (issue 2)
    applicant,     # 我的申请, registration, proxy accounts (issue 4)
    applications,  # 申请入会管理: list, details, review (issues 2, 3, 7)
    consultation,  # 材料、专家咨询、书记处、公示、入会 (issue 8)
    cip,           # CIP 数据 (issue 5)
    reference,     # units, cycles, accounts, audit, 站内信 (issue 2)
    documents,     # printable forms, lists, 年度统计 (issue 14)
    outbox,        # 站外通知: e-mail / SMS delivery state, 通知模板 (issue 15.5)
)


def init_admin(app) -> Admin:
    profile = app.extensions["wxk_profile"]
    admin = Admin(app, name=profile.names.platform, theme=Bootstrap4Theme(swatch="default", fluid=True),
                  index_view=HomeView(name="首页", url="/admin"), csp_nonce_generator=csp_nonce)
    for module in VIEW_MODULES:
        module.register(admin)
    _offer_own_association(admin, profile)
    app.before_request(refuse_changes)  # read-only roles (纪检监察): no POST reaches a view
    return admin


def _offer_own_association(admin: Admin, profile) -> None:
    """协会配置 on this app's views: 所属协会 offers and reads the deployment's association only (and a cycle
    its rule set: the other's title names the other association); every vocabulary and column label in its words."""
    for item in admin._menu:  # the menu's words: 专家咨询与公示 → 专家评审与公示
        for entry in (item, *item._children):
            entry.name = profile.say(entry.name)
    for view in admin._views:
        view.name = profile.say(view.name)
        model = getattr(view, "model", None)
        if model is None:
            continue
        choices = getattr(view, "form_choices", None) or {}
        vocabularies = enum_columns(model)
        # every vocabulary in the association's words (联络部已确认, 专家评审中); a view's narrower list stays narrow
        own = {name: profile.relabel(vocabulary, choices.get(name) or vocabulary.choices())
               for name, vocabulary in vocabularies.items()}
        shown = {name: profile.relabel(vocabulary, (view.column_choices or {}).get(name) or vocabulary.choices())
                 for name, vocabulary in vocabularies.items()}
        fixed = {}
        if "association" in choices:
            fixed["association"] = [(profile.code, profile.names.association)]
        if "ruleset" in choices:
            fixed["ruleset"] = [(profile.rules.ruleset, RULESETS[profile.rules.ruleset].title)]
        if model is Cycle:
            args = dict(view.form_args or {})
            for name, extra in _new_cycle_defaults(profile).items():
                args[name] = {**args.get(name, {}), **extra}
            view.form_args = args
        labels = getattr(view, "column_labels", None)
        if labels:  # 会员处意见 → 联络部意见 …
            view.column_labels = {key: profile.say(text) for key, text in labels.items()}
        view.form_choices = {**choices, **own, **fixed}
        view.column_choices = {**(view.column_choices or {}), **shown, **fixed}
        view._refresh_cache()


def _new_cycle_defaults(profile) -> dict:
    """新建申请年度 starts as the coming year in the association's calendar, under its rule set (WTForms calls
    the defaults each time a form is made)."""
    def year() -> int:
        today = dt.date.today()
        return today.year if today < dt.date(today.year, *profile.calendar.fill_start) else today.year + 1

    args = {name: {"default": lambda name=name: profile.calendar.dates(year())[name]}
            for name in ("fill_start", "fill_end", "materials_deadline")}
    args["year"] = {"default": year}
    args["name"] = {"default": lambda: f"{year()}年度{profile.names.short}个人会员申请"}
    args["association"] = {"default": profile.code}
    args["ruleset"] = {"default": profile.rules.ruleset}
    return args
