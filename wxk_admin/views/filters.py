"""Filters of the application list (issue 7 owns this module)."""
from __future__ import annotations


def application_filters():
    """The filters of 申请入会管理; options that change are computed per request."""
    return ("status", "category", "style", "track", "submitted_at", "serial_no", "eligibility", "cip_flagged")
