"""How an application is laid out for people, read from the models' declarations (``models.meta``).

Sections (``APPLICATION_SECTIONS``) and their fields in reading order for the form, the details
page and the 申请表 download; the list's columns, sort, search and filters; required fields by
track.  Nothing here names a column: a new column with its ``info`` reaches every screen.

The declarations are fixed once the models are imported, so what is read from them is kept per process
(``@cache``): the details page asked for its sections on every request, ~1 ms each time.
"""
from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, exists, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm.attributes import set_committed_value

from ..models import APPLICATION_FILTERS, APPLICATION_SECTIONS, CHILD_SECTIONS, Application


def _sectioned(model) -> list[tuple[str | None, object]]:
    """(section, column) in declaration order: a column's ``section=`` holds for the columns after it."""
    current, out = None, []
    for column in sa_inspect(model).columns:
        current = column.info.get("section") or current
        out.append((current, column))
    return out


@cache
def section_keys(section: str, *, form: bool | None = None) -> tuple[str, ...]:
    """The labelled columns of ``section`` in reading order (``order=`` first, then declaration order);
    ``form=True``: only the form's fields."""
    placed = [(c.info.get("order") or 1000, i, c) for i, (s, c) in enumerate(_sectioned(Application))
              if s == section and c.key in _labelled_keys()
              and (form is None or (c.info.get("form", True) is not False) == form)
              and (form or c.info.get("details", True))]
    return tuple(c.key for _, _, c in sorted(placed, key=lambda t: t[:2]))


def form_sections() -> list[str]:
    return [key for key, section in APPLICATION_SECTIONS.items() if section["form"]]


@cache
def details_sections() -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """(title, field keys, beside) of the details page's scalar sections, in declared order: a section the
    applicant fills in shows its form fields; one the console records (``form: False``) goes beside them."""
    return tuple((section["title"], section_keys(key, form=True), False) if section["form"]
                 else (section["title"], section_keys(key), True)
                 for key, section in APPLICATION_SECTIONS.items() if section["details"])


def _ordered(model, flag: str, order_key: str) -> list:
    flagged = [(c.info.get(order_key) or 1000, i, c) for i, c in enumerate(sa_inspect(model).columns)
               if c.info.get(flag)]
    return [c for _, _, c in sorted(flagged, key=lambda t: t[:2])]


def list_name(column) -> str:
    return column.info.get("cell") or column.key


def visible_to(column_or_roles, role) -> bool:
    roles = column_or_roles.info.get("roles") if hasattr(column_or_roles, "info") else column_or_roles
    return not roles or role in roles


def list_columns(model=Application) -> list:
    """Columns flagged ``list=True``, in ``list_order``."""
    return _ordered(model, "list", "list_order")


def sortable_names(model=Application) -> tuple[str, ...]:
    return tuple(list_name(c) for c in list_columns(model) if c.info.get("sort"))


def searchable_keys(model=Application) -> tuple[str, ...]:
    return tuple(c.key for c in sa_inspect(model).columns if c.info.get("search"))


def filter_declarations(model=Application) -> list[tuple[str, object, str, frozenset | None]]:
    """(kind, column or None, label, roles) of every filter: the flagged columns in declaration
    order ("equal" for ``filter=True``), then the declared filters that are no one column's."""
    out = [("equal" if c.info["filter"] is True else c.info["filter"], c, c.info.get("filter_label") or c.info["label"],
            c.info.get("roles"))
           for c in sa_inspect(model).columns if c.info.get("filter")]
    if model is Application:
        out += [(kind, None, label, roles) for kind, label, roles in APPLICATION_FILTERS]
    return out


def export_default_keys(model=Application) -> tuple[str, ...]:
    return tuple(c.key for c in _ordered(model, "export_default", "export_default"))


def required_keys(model=Application) -> tuple[str, ...]:
    """Fields the form always requires (``required=True``)."""
    return tuple(c.key for c in sa_inspect(model).columns if c.info.get("required") is True)


def required_by_track(model=Application) -> dict[str, tuple[str, ...]]:
    """Track value → the fields the form requires for it (``required=("editing", ...)``)."""
    out: dict[str, tuple[str, ...]] = {}
    for c in sa_inspect(model).columns:
        tracks = c.info.get("required")
        if tracks and tracks is not True:
            for track in tracks:
                out[track] = out.get(track, ()) + (c.key,)
    return out


def _child_model(relationship: str):
    """The model of a repeating section (``CHILD_SECTIONS``' relationship name)."""
    return getattr(Application, relationship).property.mapper.class_


def form_child_sections() -> list[tuple[str, type]]:
    """(relationship, row class) of the repeating sections the applicant fills in."""
    out = []
    for relationship, _title in CHILD_SECTIONS:
        model = _child_model(relationship)
        if getattr(model, "in_form", True):
            out.append((relationship, model))
    return out


LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_datetime(value: dt.datetime) -> str:
    """Stored times are naive UTC (``models.utcnow``): shown in Beijing time, to the minute."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


@cache
def labelled_columns(model) -> tuple:
    """Columns a person reads: labelled, exportable, not keys."""
    return tuple(c for c in sa_inspect(model).columns
                 if c.info.get("label") and c.info.get("export", True) and not c.foreign_keys and not c.primary_key)


@cache
def other_fields() -> tuple[str, ...]:
    """Labelled form fields outside every section (declared before the first ``section=``)."""
    return tuple(c.key for s, c in _sectioned(Application)
                 if s is None and c.key in _labelled_keys() and c.info.get("form", True) is not False)


@cache
def _labelled_keys() -> frozenset[str]:
    return frozenset(c.key for c in labelled_columns(Application))


def label(model, key: str) -> str:
    return sa_inspect(model).columns[key].info.get("label", key)


def display(value):
    """A value as a person reads it: enum labels, 是/否, dates without microseconds."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return local_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    label_text = getattr(value, "label", None)
    return label_text if label_text is not None else value


def field_rows(application: Application, keys) -> list[tuple[str, object]]:
    return [(label(Application, k), display(getattr(application, k))) for k in keys]


@cache
def _sections_with_rows():
    """SELECT, for one application (``:application_id``), whether each repeating section has rows."""
    return select(*(exists().where(_child_model(name).application_id == bindparam("application_id"))
                    for name, _title in CHILD_SECTIONS))


@cache
def _section_rows(name: str):
    """SELECT the rows of one repeating section of ``:application_id``, in the relationship's order; built once
    (the relationship's own lazy load costs ~0.1 ms more of Python each time)."""
    model = _child_model(name)
    return select(model).where(model.application_id == bindparam("application_id")).order_by(model.position)


def _load_sections(application: Application) -> None:
    """One statement says which repeating sections have rows; the empty ones are set empty without a query
    each (an application fills three or four of its eight sections: the details page read all eight), the
    others read by a statement built once."""
    state = sa_inspect(application)
    if state.session is None or not any(name in state.unloaded for name, _title in CHILD_SECTIONS):
        return
    has_rows = state.session.execute(_sections_with_rows(), {"application_id": application.id}).one()
    for (name, _title), present in zip(CHILD_SECTIONS, has_rows):
        if name in state.unloaded:
            rows = state.session.scalars(_section_rows(name), {"application_id": application.id}) if present else ()
            set_committed_value(application, name, list(rows))


@cache
def child_headings() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(title, column labels) of every repeating section, in order."""
    return tuple((title, tuple(c.info["label"] for c in labelled_columns(_child_model(name))))
                 for name, title in CHILD_SECTIONS)


def child_sections(application: Application) -> list[tuple[str, list[str], list[list]]]:
    """(title, column labels, rows of display values) for every repeating section."""
    _load_sections(application)
    out = []
    for (relationship, _), (title, labels) in zip(CHILD_SECTIONS, child_headings()):
        columns = labelled_columns(_child_model(relationship))
        rows = [[display(getattr(item, c.key)) for c in columns] for item in getattr(application, relationship)]
        out.append((title, list(labels), rows))
    return out


def reading_sections(application: Application, *, personal: bool = True) -> list[tuple[str, list]]:
    """(title, rows) of what the applicant filled in, as the details page's main column orders it (its
    declared sections, then 其他信息); ``personal=False``: without the columns declared ``personal``
    (the experts' reading page).  Sections left empty are dropped."""
    columns = sa_inspect(Application).columns
    sections = [(title, keys) for title, keys, beside in details_sections() if not beside]
    sections += [("其他信息", other_fields())]
    out = [(title, field_rows(application, [k for k in keys if personal or not columns[k].info.get("personal")]))
           for title, keys in sections]
    return [(title, rows) for title, rows in out if rows]


def form_scalar_sections() -> list[tuple[str, str, tuple[str, ...]]]:
    """(section, title, field keys) of the form's scalar sections, in order; 其他信息 last if any."""
    out = [(key, APPLICATION_SECTIONS[key]["title"], section_keys(key, form=True)) for key in form_sections()]
    return out + ([("other", "其他信息", other_fields())] if other_fields() else [])


# The form's scalar fields, from the declarations above.
PERSONAL = section_keys("personal", form=True)
TRACK = section_keys("track", form=True)
FORM_FIELDS = tuple(key for _, _, keys in form_scalar_sections() for key in keys)
