"""The applicant's side (issue 4): the application's data, drafts, submission, registration, proxy accounts.

One concept per module; this package re-exports what views and commands call, so ``applying.submit(...)`` reads
as before:

- ``fields``      the form's fields and labels, parsing what was typed (``clean``), the stored values and their diff
- ``validation``  formats, required fields, what blocks submission
- ``drafts``      the applicant's own application (through ``access``), starting, copying, saving (``save_sections``)
- ``submission``  提交 / 重新提交: every check, then the workflow's ``submit``
- ``accounts``    usernames and self-registration
- ``proxies``     the unit admin's proxy accounts (operation guide 四)
- ``home``        the applicant's home: status, next step, downloads

Cycles (年度, the filling window) are ``domain.cycles``; passwords ``domain.passwords``.  The flow of a form:

    cleaned = clean(raw)                       # raw form strings → typed values (+ what no column can hold)
    problems = input_problems(cleaned, application, today)   # every message, keyed by form field name
    save_sections(session, application, cleaned.values, actor, reason=..., expected_version=...)
"""
from __future__ import annotations

from .accounts import register_applicant, units_for_registration
from .drafts import (EDITABLE_STATES, NotYours, application_in_cycle, copy_previous, own_application,
                     previous_application, save_draft, save_sections, start_application)
from .fields import (SCALAR_SPECS, SECTION_SPECS, SECTION_TITLES, Cleaned, FieldSpec, Problems, application_values,
                     clean, label_of)
from .home import DOWNLOAD_STATES, next_step
from .proxies import (ProxyRefused, create_proxy, hand_over, own_proxy, proxy_accounts, reset_proxy_password,
                      switch_back, switch_to_proxy)
from .submission import ONE_UNIT_MESSAGE, SubmitRefused, save_and_submit, submit
from .validation import (RECOMMENDERS_NEEDED, format_problems, input_problems, required_problems,
                         submission_format_problems)

__all__ = [
    "register_applicant", "units_for_registration",
    "EDITABLE_STATES", "NotYours", "application_in_cycle", "copy_previous", "own_application", "previous_application",
    "save_draft", "save_sections", "start_application",
    "SCALAR_SPECS", "SECTION_SPECS", "SECTION_TITLES", "Cleaned", "FieldSpec", "Problems", "application_values",
    "clean", "label_of",
    "DOWNLOAD_STATES", "next_step",
    "ProxyRefused", "create_proxy", "hand_over", "own_proxy", "proxy_accounts", "reset_proxy_password", "switch_back",
    "switch_to_proxy",
    "ONE_UNIT_MESSAGE", "SubmitRefused", "save_and_submit", "submit",
    "RECOMMENDERS_NEEDED", "format_problems", "input_problems", "required_problems", "submission_format_problems",
]
