"""入会申请表 — the application form (Flask-WTF), generated from the models' ``info`` labels.

The form only carries text: parsing and every rule live in ``domain.applying`` so
that the applicant's 填写入会申请 and the unit admin's 修改信息 share them.

    form = ApplicationForm.from_request(request.form)     # what was posted
    cleaned = applying.clean(form.raw())
    ...
    form = ApplicationForm.for_values(cleaned.values, unstored=cleaned.unstored)   # to show again
    render_template(..., form=form, errors=problems)      # templates/applicant/_application_form.html

Repeating sections are ``FieldList(FormField(...))`` named ``books-0-title`` …;
a row whose 「删除」 box (``delete_row``) is ticked, or that is left blank, is dropped on save.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FieldList, Form, FormField, SelectChoice, SelectField, StringField, TextAreaField

from .domain import applying, layout
from .domain.applying import SCALAR_SPECS, SECTION_SPECS, SECTION_TITLES, FieldSpec
from .models import Publication

# Rows offered empty at the end of each section, so that the form works without JavaScript.
EMPTY_ROWS_WHEN_NONE = 2
EMPTY_ROWS_AFTER = 1

HINTS = {
    "id_number": "18 位，最后一位可为 X",
    "mobile": "11 位手机号码",
    "isbn": "10 位或 13 位，如 978-7-5321-1234-5",
    "cip_no": "版权页「中国版本图书馆CIP数据核字(2016)第189798号」，填 (2016)第189798号 或 10 位数字",
    "poem_lines": "诗歌可按行数填写，按 10 行 = 1000 字折算",
    "word_count_k": "单位：千字",
    "editing_years": "主要从事文学编辑者必填",
    "exemption_claim": "作品被全国重点文学期刊转载或获重要奖项的，请说明",
}
INPUT_TYPES = {"date": "date", "int": "number"}


def _field(spec: FieldSpec):
    kw = {"render_kw": {}}
    if spec.key in HINTS:
        kw["description"] = HINTS[spec.key]
    if spec.kind == "bool":
        return BooleanField(spec.label, default=spec.key in ("is_literary", "mainland", "site_licensed", "original",
                                                             "screened"), **kw)
    if spec.kind == "enum":
        choices = [SelectChoice(value, label) for value, label in [("", "请选择")] + spec.enum.choices()]
        return SelectField(spec.label, choices=choices, validate_choice=False, **kw)
    if spec.kind == "text":
        return TextAreaField(spec.label, **kw)
    if spec.kind in INPUT_TYPES:
        kw["render_kw"]["data-kind"] = spec.kind
        if spec.kind == "int":
            kw["render_kw"]["inputmode"] = "numeric"
    if spec.length:
        kw["render_kw"]["maxlength"] = max(spec.length, 60)  # longer text is kept in a draft and flagged
    return StringField(spec.label, **kw)


def _row_form(section: str) -> type[Form]:
    attrs = {spec.key: _field(spec) for spec in SECTION_SPECS[section]}
    attrs["delete_row"] = BooleanField("删除此行")
    attrs["specs"] = SECTION_SPECS[section]
    return type(f"{section.title().replace('_', '')}RowForm", (Form,), attrs)


ROW_FORMS = {section: _row_form(section) for section in SECTION_SPECS}


class _ApplicationFormBase(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every POST; templates carry the token themselves

    scalar_specs = SCALAR_SPECS
    section_titles = SECTION_TITLES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 门类 as the deployment's association lists and names them (协会配置: Jiangsu's 编剧, 文学评论 …).
        if "category" in self._fields:
            self["category"].choices = [SelectChoice("", "请选择")] + [
                SelectChoice(code, label) for code, label in current_app.extensions["wxk_profile"].categories]

    # ------------------------------------------------------------ building

    @classmethod
    def from_request(cls, formdata) -> "ApplicationForm":
        return cls(formdata=formdata)

    @classmethod
    def for_values(cls, values: dict, unstored: dict | None = None, *, empty_rows: bool = True
                   ) -> "ApplicationForm":
        """The form showing typed ``values`` (``applying.clean`` or ``application_values``) plus raw text kept aside."""
        data = {}
        for spec in SCALAR_SPECS:
            data[spec.key] = _as_text(spec, values.get(spec.key))
        for section, specs in SECTION_SPECS.items():
            data[section] = [{s.key: _as_text(s, row.get(s.key)) for s in specs} for row in values.get(section) or []]
        form = cls(formdata=None, data=data)
        for key, text in (unstored or {}).items():
            target = form.field_by_name(key)
            if target is not None:
                target.data = text
        if empty_rows:
            form.add_empty_rows()
        return form

    @classmethod
    def for_application(cls, application, *, empty_rows: bool = True) -> "ApplicationForm":
        return cls.for_values(applying.application_values(application), application.draft_input,
                              empty_rows=empty_rows)

    def add_empty_rows(self) -> None:
        for section in SECTION_SPECS:
            field_list = self[section]
            n = EMPTY_ROWS_WHEN_NONE if not field_list.entries else EMPTY_ROWS_AFTER
            if section == "recommenders":
                n = max(n, applying.RECOMMENDERS_NEEDED - len(field_list.entries))
            for _ in range(n):
                entry = field_list.append_entry()
                for spec in SECTION_SPECS[section]:
                    if spec.kind == "bool":
                        entry.form[spec.key].data = entry.form[spec.key].default
                    else:
                        entry.form[spec.key].data = ""

    # ------------------------------------------------------------ reading

    def raw(self) -> dict:
        """What was posted, as plain text per field and lists of row dicts per section."""
        out = {}
        for spec in SCALAR_SPECS:
            out[spec.key] = self[spec.key].data
        for section in SECTION_SPECS:
            out[section] = [dict(entry.form.data) for entry in self[section].entries]
        return out

    def field_by_name(self, name: str):
        """The field called ``name`` (``mobile``, ``books-0-isbn``), or None."""
        if name in self._fields:
            return self._fields[name]
        parts = name.split("-")
        if len(parts) == 3 and parts[0] in SECTION_SPECS and parts[1].isdigit():
            entries = self[parts[0]].entries
            i = int(parts[1])
            if i < len(entries):
                return entries[i].form._fields.get(parts[2])
        return None

    # ------------------------------------------------------------ showing

    def scalar_sections(self):
        """(key, title, fields) of the form's sections of single fields, as the model declares them."""
        return [(key, title, [self[k] for k in keys]) for key, title, keys in layout.form_scalar_sections()]

    def sections(self):
        """(name, title, FieldList, specs) for each repeating section, in order."""
        return [(section, SECTION_TITLES[section], self[section], SECTION_SPECS[section]) for section in SECTION_SPECS]


def _as_text(spec: FieldSpec, value):
    if spec.kind == "bool":
        return bool(value)
    if value is None:
        return ""
    if spec.kind == "enum":
        return getattr(value, "value", value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _build_form_class() -> type:
    attrs = {spec.key: _field(spec) for spec in SCALAR_SPECS}
    for section in SECTION_SPECS:
        attrs[section] = FieldList(FormField(ROW_FORMS[section]), label=SECTION_TITLES[section], min_entries=0)
    return type("ApplicationForm", (_ApplicationFormBase,), attrs)


ApplicationForm = _build_form_class()


def counted_characters(row_form) -> int | None:
    """折合字数 of a 发表作品 row as shown beside it (诗歌按10行1000字计)."""
    def as_int(field):
        try:
            return int(str(field.data or "").replace(",", ""))
        except ValueError:
            return None

    pub = Publication(word_count=as_int(row_form["word_count"]), poem_lines=as_int(row_form["poem_lines"]))
    if pub.poem_lines is None and pub.word_count is None:
        return None
    return pub.counted_characters


def multidict(data: dict) -> MultiDict:
    """Flatten ``{'books': [{'title': ..}]}`` into form names (``books-0-title``) — handy in tests and imports."""
    out = MultiDict()
    for key, value in data.items():
        if isinstance(value, list):
            for i, row in enumerate(value):
                for k, v in row.items():
                    if v is True:
                        out.add(f"{key}-{i}-{k}", "y")
                    elif v not in (None, False):
                        out.add(f"{key}-{i}-{k}", v)
        elif value is True:
            out.add(key, "y")
        elif value not in (None, False):
            out.add(key, value)
    return out
