"""How an application is laid out for people: its sections, in reading order.

Used by the details page and the printable form download, so both show the
same fields in the same order.  Labels come from the models' ``info``; any
labelled column not placed in a section lands in 「其他信息」 by itself.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import inspect as sa_inspect

from .models import CHILD_SECTIONS, Application

PERSONAL = ("name", "pen_name", "gender", "ethnicity", "birth_date", "id_number", "political_status", "education",
            "professional_title", "employer_and_post", "mobile", "email", "address", "postcode",
            "household_registration")
TRACK = ("track", "category", "style", "editing_years", "organisation_level", "organisation_post",
         "organisation_years", "exemption_claim")
REVIEW = ("status", "serial_no", "submitted_at", "unit_opinion", "unit_confirmed_at", "office_opinion",
          "office_confirmed_at", "reject_reasons", "eligibility", "eligibility_note")


LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_datetime(value: dt.datetime) -> str:
    """Stored times are naive UTC (``models.utcnow``): shown in Beijing time, to the minute."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def labelled_columns(model) -> list:
    """Columns a person reads: labelled, exportable, not keys."""
    return [c for c in sa_inspect(model).columns
            if c.info.get("label") and c.info.get("export", True) and not c.foreign_keys and not c.primary_key]


def other_fields() -> tuple[str, ...]:
    placed = set(PERSONAL) | set(TRACK) | set(REVIEW)
    return tuple(c.key for c in labelled_columns(Application)
                 if c.key not in placed and c.info.get("form", True) is not False)


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


def child_sections(application: Application) -> list[tuple[str, list[str], list[list]]]:
    """(title, column labels, rows of display values) for every repeating section."""
    out = []
    for relationship, title in CHILD_SECTIONS:
        model = getattr(Application, relationship).property.mapper.class_
        columns = labelled_columns(model)
        rows = [[display(getattr(item, c.key)) for c in columns] for item in getattr(application, relationship)]
        out.append((title, [c.info["label"] for c in columns], rows))
    return out
