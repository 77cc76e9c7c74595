"""The domain never imports the web layer (issue 19.1): a module of ``wxk_admin`` that is not declared web-side
below imports no flask, flask_admin, flask_login and nothing from ``wxk_admin.views``.

The import graph is read from the source (``ast``), so an import hidden inside a function counts too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "wxk_admin"
WEB = ("flask", "flask_admin", "flask_login", "flask_wtf", "flask_babel", "flask_limiter", "flask_mailman")

# The web side: the factory, request handling, CLI commands, Flask extensions and forms.  models.py binds the ORM
# through Flask-SQLAlchemy and Flask-Login's UserMixin, which read no request.
WEB_SIDE = {"__init__.py", "auth.py", "errors.py", "extensions.py", "forms.py", "public.py", "security.py", "web.py",
            "models.py"}
# Known debt, to move out of the domain (issue 19): URLs and a Flask fallback still live here.
NOT_YET = {"domain/dashboard.py", "domain/cip_sources.py"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def _web_imports(path: Path) -> list[str]:
    return sorted(m for m in _imports(path)
                  if m.split(".")[0] in WEB or m.lstrip(".").startswith("views") or m.startswith("wxk_admin.views"))


DOMAIN = sorted(p for p in PACKAGE.rglob("*.py")
                if p.relative_to(PACKAGE).parts[0] not in ("views", "cli")
                and str(p.relative_to(PACKAGE)) not in WEB_SIDE | NOT_YET)


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_domain_module_imports_no_web_layer(path):
    assert _web_imports(path) == [], f"{path.name} imports the web layer"


def test_the_check_sees_a_hidden_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from flask import current_app\n    from ..views import base\n", encoding="utf-8")
    assert _web_imports(module) == ["..views", "flask"]


def test_known_debt_is_still_debt():
    """A module listed as not yet clean that has become clean must leave the list (so the list only shrinks)."""
    assert all(_web_imports(PACKAGE / name) for name in NOT_YET)
