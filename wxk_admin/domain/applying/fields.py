"""The application's fields and what was typed into them: field specs and labels, parsing, the stored values.

Field names are the form's (``forms.py``): ``id_number``, ``books-0-isbn`` …;
every problem and every audited change uses those names, so a message lands
beside its field and an audit diff reads like the form.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import Boolean, Date, Enum, Integer, String, Text
from sqlalchemy import inspect as sa_inspect
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError

from .. import layout
from ..audit import jsonable
from ..cip_sources import try_cip_no
from ...models import Application

# ---------------------------------------------------------------- the fields of the form

SCALAR_FIELDS: tuple[str, ...] = layout.FORM_FIELDS  # every form section's fields (models.meta)
SECTIONS: dict[str, type] = dict(layout.form_child_sections())  # models._child(..., form=True)
_CHILD_SKIP = {"id", "application_id", "position"}


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str  # str | text | date | int | enum | bool
    length: int | None = None
    enum: type | None = None
    nullable: bool = True


def _spec(column) -> FieldSpec:
    t = column.type
    label = column.info.get("label", column.key)
    if isinstance(t, Enum) and getattr(t, "enum_class", None) is not None:
        return FieldSpec(column.key, label, "enum", enum=t.enum_class, nullable=column.nullable)
    if isinstance(t, Boolean):
        return FieldSpec(column.key, label, "bool", nullable=column.nullable)
    if isinstance(t, Date):
        return FieldSpec(column.key, label, "date", nullable=column.nullable)
    if isinstance(t, Integer):
        return FieldSpec(column.key, label, "int", nullable=column.nullable)
    if isinstance(t, String) and t.length:
        return FieldSpec(column.key, label, "str", length=t.length, nullable=column.nullable)
    if isinstance(t, (Text, String)):
        return FieldSpec(column.key, label, "text", nullable=column.nullable)
    raise TypeError(f"no form field for {column}")


def field_specs(model, keys=None) -> list[FieldSpec]:
    columns = sa_inspect(model).columns
    if keys is None:
        keys = [c.key for c in columns if c.key not in _CHILD_SKIP and c.info.get("form", True) is not False]
    return [_spec(columns[k]) for k in keys]


SCALAR_SPECS: list[FieldSpec] = field_specs(Application, SCALAR_FIELDS)
SECTION_SPECS: dict[str, list[FieldSpec]] = {name: field_specs(model) for name, model in SECTIONS.items()}
SECTION_TITLES: dict[str, str] = {name: model.section_title for name, model in SECTIONS.items()}


def label_of(key: str) -> str:
    """The Chinese label of a form field name (``books-0-isbn`` → 出版专集第1行 ISBN)."""
    for spec in SCALAR_SPECS:
        if spec.key == key:
            return spec.label
    parts = key.split("-")
    if parts[0] in SECTIONS:
        title = SECTION_TITLES[parts[0]]
        if len(parts) >= 2 and parts[1].isdigit():
            row = f"{title}第{int(parts[1]) + 1}行"
            if len(parts) >= 3:
                spec = next((s for s in SECTION_SPECS[parts[0]] if s.key == parts[2]), None)
                return f"{row} {spec.label if spec else parts[2]}"
            return row
        return title
    return key


# ---------------------------------------------------------------- parsing what was typed

class Problems(dict):
    """Form field name → list of Chinese messages."""

    def add(self, key: str, message: str) -> None:
        self.setdefault(key, [])
        if message not in self[key]:
            self[key].append(message)

    def merge(self, other: dict, *, skip_present: bool = False) -> "Problems":
        for key, messages in other.items():
            if skip_present and key in self:
                continue
            for m in messages:
                self.add(key, m)
        return self


@dataclass
class Cleaned:
    """The typed values of a form, what could not be stored (kept as typed), and format problems."""

    values: dict
    unstored: dict = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)


DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?\s*$")
INT_MAX = 2_000_000_000
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE_RE = re.compile(r"^\d{6}$")


def parse_date(text: str) -> dt.date | None:
    """2020-01-31, 2020/1/31, 2020.01.31, 2020年1月31日; a month alone (2005.04) means its first day."""
    match = DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    return dt.date(year, month, day)


def normalise_mobile(text: str) -> str:
    """A mobile number as 11 digits: spaces, dashes and the +86 / 0086 prefix dropped."""
    compact = re.sub(r"[\s-]", "", text)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    return compact


def _parse_value(spec: FieldSpec, raw, key: str, cleaned: Cleaned):
    """The typed value of one field; problems and unstorable text recorded on ``cleaned``."""
    if spec.kind == "bool":
        return bool(raw) and str(raw).lower() not in ("", "0", "false", "off", "n", "no")
    text = "" if raw is None else str(raw).strip()
    if spec.key == "id_number":
        # A final x is the check digit X; anything else stays as typed, so a draft shows what was typed.
        text = text.replace(" ", "")
        if text.endswith("x"):
            text = text[:-1] + "X"
    elif spec.key == "mobile":
        text = normalise_mobile(text)
    elif spec.key == "isbn" and text:
        try:
            text = stdnum_isbn.validate(text)  # compact digits when valid; checked in check()
        except ValidationError:
            pass
    elif spec.key == "cip_no" and text:
        text = try_cip_no(text)[0] or text  # canonical when valid; checked in validation
    empty = "" if not spec.nullable else None
    if not text:
        return empty
    if spec.kind in ("str", "text"):
        if spec.length and len(text) > spec.length:
            cleaned.problems.add(key, f"不能超过 {spec.length} 个字")
            cleaned.unstored[key] = text
            return empty
        return text
    if spec.kind == "date":
        try:
            return parse_date(text)
        except ValueError:
            cleaned.problems.add(key, "日期格式不正确，请按「2020-01-31」的格式填写")
            cleaned.unstored[key] = text
            return None
    if spec.kind == "int":
        digits = text.replace(",", "").replace("，", "")
        if re.fullmatch(r"\d+", digits) and int(digits) <= INT_MAX:
            return int(digits)
        cleaned.problems.add(key, "请填写不小于 0 的整数")
        cleaned.unstored[key] = text
        return None
    if spec.kind == "enum":
        try:
            return spec.enum(text)
        except ValueError:
            by_label = {m.label: m for m in spec.enum}
            if text in by_label:
                return by_label[text]
            cleaned.problems.add(key, "请从列表中选择")
            cleaned.unstored[key] = text
            return None
    raise TypeError(spec.kind)  # pragma: no cover


def _row_is_blank(specs, row: dict) -> bool:
    return all(not str(row.get(s.key) or "").strip() for s in specs if s.kind != "bool")


def clean(raw: dict) -> Cleaned:
    """Typed values from a form's raw data (``form.data`` of ``forms.ApplicationForm``, or a plain dict).

    Repeating sections are lists of dicts; rows marked ``delete_row`` and blank
    rows are dropped, so row numbers (and field names) follow the kept rows.
    """
    cleaned = Cleaned(values={})
    for spec in SCALAR_SPECS:
        cleaned.values[spec.key] = _parse_value(spec, raw.get(spec.key), spec.key, cleaned)
    for section, specs in SECTION_SPECS.items():
        rows = []
        for row in raw.get(section) or []:
            if not isinstance(row, dict) or row.get("delete_row") or row.get("_delete") or _row_is_blank(specs, row):
                continue
            index = len(rows)
            rows.append({s.key: _parse_value(s, row.get(s.key), f"{section}-{index}-{s.key}", cleaned)
                         for s in specs})
        cleaned.values[section] = rows
    return cleaned


# ---------------------------------------------------------------- the application as values

def application_values(application: Application) -> dict:
    values = {spec.key: getattr(application, spec.key) for spec in SCALAR_SPECS}
    for section, specs in SECTION_SPECS.items():
        values[section] = [{s.key: getattr(row, s.key) for s in specs} for row in getattr(application, section)]
    return values


def _jsonable_values(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, list):
            out[key] = [{k: jsonable(v) for k, v in row.items()} for row in value]
        else:
            out[key] = jsonable(value)
    return out


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Changed fields, keyed by form field name; a row added or removed appears whole (``books-2``)."""
    b, a = _jsonable_values(before), _jsonable_values(after)
    old, new = {}, {}
    for key in SCALAR_FIELDS:
        if b.get(key) != a.get(key):
            old[key], new[key] = b.get(key), a.get(key)
    for section in SECTIONS:
        rows_b, rows_a = b.get(section) or [], a.get(section) or []
        for i in range(max(len(rows_b), len(rows_a))):
            rb = rows_b[i] if i < len(rows_b) else None
            ra = rows_a[i] if i < len(rows_a) else None
            if rb is None or ra is None:
                old[f"{section}-{i}"], new[f"{section}-{i}"] = rb, ra
                continue
            for k in ra:
                if rb.get(k) != ra.get(k):
                    old[f"{section}-{i}-{k}"], new[f"{section}-{i}-{k}"] = rb.get(k), ra.get(k)
    return old, new
