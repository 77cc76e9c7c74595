"""Everything derived from an application's rows, recomputed whenever they change.

Called by every path that saves application data (the applicant's form, a unit
admin's 修改信息, IT edits, imports) and by ``flask wxk recheck``.
"""
from __future__ import annotations

from . import cip
from .rules import storage
from ..models import Application


def refresh(session, application: Application) -> None:
    """Recompute the eligibility result (rules/storage.py) and the CIP flag (cip.py) of ``application``."""
    storage.refresh(session, application)
    cip.refresh_flag(session, application)
