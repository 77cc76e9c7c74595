"""The one refusal every domain function raises (issue 19.2).

A domain function that says no raises ``Refused`` (or a subclass naming the case: a transition, a conflict,
a proxy account, a notification template) with the Chinese message the user reads, and leaves the caller
to roll back.  Views catch this one class through ``views.outcome`` instead of each family of errors.
"""
from __future__ import annotations


class Refused(Exception):
    """The domain refused the request; ``str(exc)`` is the Chinese reason for the user."""
