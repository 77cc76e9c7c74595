"""The Flask-Admin console: one ``Admin``; each views module adds its own views in ``register``.

Menus follow each view's roles (a view the user may not open is not shown).
"""
from __future__ import annotations

import importlib

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from .index import HomeView

ADMIN_NAME = "中国作协个人会员申请管理平台"

# In menu order.  Each module has ``register(admin)``.
VIEW_MODULES = (
    "account",       # 登录 / 修改密码 (issue 2)
    "applicant",     # 我的申请, registration, proxy accounts (issue 4)
    "applications",  # 申请入会管理: list, details, review (issues 2, 3, 7)
    "consultation",  # 材料、专家咨询、书记处、公示、入会 (issue 8)
    "cip",           # CIP 数据 (issue 5)
    "reference",     # units, cycles, accounts, audit, 站内信 (issue 2)
)


def init_admin(app) -> Admin:
    admin = Admin(app, name=ADMIN_NAME, theme=Bootstrap4Theme(swatch="default", fluid=True),
                  index_view=HomeView(name="首页", url="/admin"))
    for name in VIEW_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(admin)
    return admin
