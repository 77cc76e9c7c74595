"""The Flask-Admin templates we copy stay copies of the installed Flask-Admin (issue 19.3).

``templates/admin/master.html`` is no copy: it extends Flask-Admin's ``admin/base.html`` by its blocks (the test
below keeps it so).  ``templates/exports/list.html`` is a cut-down ``admin/model/list.html`` (the list table built in Python);
``templates/admin/model/row_actions.html`` is the original with one line changed (an inline ``onclick`` the
Content-Security-Policy refuses, moved to static/js/wxk-console.js): the test below also proves it differs from its
original in that line only.  ``templates/admin/actions.html`` and ``admin/model/layout.html`` are no copies: each
replaces the one macro with such an ``onclick`` and imports the original (``flask_admin/…``) for the others.

IF THIS TEST FAILS after a Flask-Admin upgrade: diff the new original against the one the copy was made
from (``pip download flask-admin==2.2.1``), carry every change into the copy (blocks, markup, scripts,
``v='…'`` of each asset), then record the new hashes below.  Do not just update the hashes.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import flask_admin
import pytest

REPO = Path(__file__).resolve().parents[2]
FLASK_ADMIN = Path(flask_admin.__file__).resolve().parent
BOOTSTRAP4 = FLASK_ADMIN / "templates" / "bootstrap4"

# original (under flask_admin/templates/bootstrap4) -> (our copy, sha256 of the original it was made from)
COPIES = {
    "admin/model/list.html": ("templates/exports/list.html",
                              "21003d92feb9a75c9cbb3b816b2ebdd5e8479917edac2483c803561c5cfb5159"),
}
# Copies that differ from the original in one line: (sha256 of the original, the line's text in our copy).
ONE_LINE_COPIES = {
    "admin/model/row_actions.html": ("4dc1ade152ecd029860ea8248d10d60ec558571d798ccb20017cd2cc4bb42a7d",
                                     "<button data-confirm="),
}
# Ours that replace one macro of the original and import it for the rest: (sha256 of the original, that macro).
ONE_MACRO_REPLACED = {
    "admin/actions.html": ("685288ebd9108462ae72a04b894303142f1f6b953834295a85f4c4e8d233a514", "dropdown"),
    "admin/model/layout.html": ("9801f7f6e21b6dfef6231ea0a2e297ff9903692e894ac1f72e84bd6dddea8cbe", "filter_options"),
}
MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\(")
# Where the copies' Flask-Admin assets come from in the original: the list and the actions macro.
VERSION_SOURCES = ("admin/model/list.html", "admin/actions.html")

ORIGINAL_ASSET = re.compile(r"admin_static\.url\(filename='([^']+)'.*?v='([^']+)'")
COPIED_ASSET = ORIGINAL_ASSET


def _assets(text: str, pattern: re.Pattern) -> dict[str, str]:
    """{file: version}; the swatch path is cut at its variable part ('…/swatch/{swatch}/…', '…/swatch/' ~ …)."""
    return {name.split("{", 1)[0]: version for name, version in pattern.findall(text)}


def test_master_extends_flask_admins_base_instead_of_copying_it():
    """Every console page is Flask-Admin's base.html (its menu, static URLs, CSP nonces) plus our blocks."""
    master = (REPO / "templates/admin/master.html").read_text(encoding="utf-8")
    tags = re.findall(r"{%-?\s*(\w+)", master)
    assert tags[0] == "extends" and "{% extends 'admin/base.html' %}" in master
    assert "<html" not in master and "<body" not in master and "<nav" not in master
    assert "{{ super() }}" in master.split("{% block head_css %}", 1)[1].split("{% endblock %}", 1)[0]
    assert "{{ super() }}" in master.split("{% block tail_js %}", 1)[1].split("{% endblock %}", 1)[0]


def test_flask_admin_is_the_release_the_copies_were_made_from():
    assert flask_admin.__version__.startswith("2.2."), flask_admin.__version__


@pytest.mark.parametrize("original", sorted(COPIES))
def test_original_template_unchanged(original):
    copy, recorded = COPIES[original]
    digest = hashlib.sha256((BOOTSTRAP4 / original).read_bytes()).hexdigest()
    assert digest == recorded, f"Flask-Admin's {original} changed: re-derive {copy} from it (see the docstring)"


@pytest.mark.parametrize("original", sorted(ONE_LINE_COPIES))
def test_one_line_copies_differ_in_their_line_only(original):
    recorded, changed = ONE_LINE_COPIES[original]
    source = BOOTSTRAP4 / original
    assert hashlib.sha256(source.read_bytes()).hexdigest() == recorded, \
        f"Flask-Admin's {original} changed: re-derive templates/{original} from it (see the docstring)"
    ours = (REPO / "templates" / original).read_text(encoding="utf-8").splitlines()[1:]  # after our comment
    theirs = source.read_text(encoding="utf-8").splitlines()
    assert len(ours) == len(theirs)
    differing = [(a, b) for a, b in zip(ours, theirs) if a != b]
    assert len(differing) == 1 and changed in differing[0][0] and "onclick" in differing[0][1], differing


def _macro_body(text: str, name: str) -> str:
    return text.split(f"macro {name}(", 1)[1].split("endmacro", 1)[0]


@pytest.mark.parametrize("original", sorted(ONE_MACRO_REPLACED))
def test_one_macro_replaced_the_rest_taken_from_the_original(app, original):
    recorded, replaced = ONE_MACRO_REPLACED[original]
    source = BOOTSTRAP4 / original
    assert hashlib.sha256(source.read_bytes()).hexdigest() == recorded, \
        f"Flask-Admin's {original} changed: re-derive the {replaced} macro of templates/{original} from it"
    theirs = source.read_text(encoding="utf-8")
    ours = (REPO / "templates" / original).read_text(encoding="utf-8")
    assert app.jinja_env.loader.get_source(app.jinja_env, f"flask_admin/{original}")[0] == theirs
    assert f"{{% import 'flask_admin/{original}' as original with context %}}" in ours
    assert MACRO.findall(ours) == MACRO.findall(theirs)  # every macro the original has, in its order
    for name in MACRO.findall(theirs):
        assert (f"original.{name}(" in _macro_body(ours, name)) == (name != replaced), name
    assert "onclick=" in _macro_body(theirs, replaced) and "onclick=" not in ours


def test_copies_ask_for_the_asset_versions_flask_admin_ships():
    shipped = {}
    for name in VERSION_SOURCES:
        shipped.update(_assets((BOOTSTRAP4 / name).read_text(encoding="utf-8"), ORIGINAL_ASSET))
    assert shipped["admin/js/bs4_filters.js"] == "1.0.0"  # the pattern reads the templates
    for copy, _ in COPIES.values():
        copied = _assets((REPO / copy).read_text(encoding="utf-8"), COPIED_ASSET)
        assert copied, f"{copy}: no Flask-Admin asset found — has the markup changed?"
        for name, version in copied.items():
            assert name in shipped, f"{copy}: {name} is not in Flask-Admin's templates any more"
            assert version == shipped[name], f"{copy}: {name} v={version}, Flask-Admin ships v={shipped[name]}"
            if not name.endswith("/swatch/"):
                assert (FLASK_ADMIN / "static" / name).is_file(), f"{copy}: {name} is not in Flask-Admin's static"


def test_version_pattern_finds_a_changed_version():
    """The comparison above can fail: a copy asking for another version is caught."""
    copy = (REPO / "templates/exports/list.html").read_text(encoding="utf-8").replace("v='1.0.0'", "v='1.0.1'")
    assert _assets(copy, COPIED_ASSET)["admin/js/bs4_filters.js"] == "1.0.1"
