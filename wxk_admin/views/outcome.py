"""How a view carries out a change and fetches a row (issue 19.2): one way, written once.

``outcome`` runs the domain call(s) of a request, commits and flashes the success message; when the domain
refuses (``domain.errors.Refused``: a transition, a conflict, a proxy account, a template …) it rolls back
— nothing the refused call did stays — and flashes the Chinese reason instead of failing with a 500::

    with outcome("已登记") as done:
        dom.mark_material(db.session, current_actor(), ...)
    if done.refused:
        return self._render(form=request.form, error=done.message, code=400)
    return redirect(...)

``scoped_or_404`` fetches a row by the id a request names, inside the user's scope (``domain.access``), and
answers anything else — a row of another unit, no row, an id that is no id — with the Chinese 404 page.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from flask import abort, flash
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..domain import access
from ..domain.errors import Refused
from ..extensions import db


@dataclass
class Done:
    """What became of the change: ``refused`` holds the domain's refusal (None when it was committed)."""

    success: str | None = None  # flashed after the commit; the block may set it from what the call returned
    category: str = "success"
    refused: Exception | None = None
    cancelled: bool = False

    @property
    def message(self) -> str:
        return str(self.refused) if self.refused is not None else ""

    def say(self, message: str, category: str = "success") -> None:
        self.success, self.category = message, category

    def cancel(self) -> None:
        """Roll back instead of committing, saying nothing: for a domain call that answers its problems
        (a form's errors the page shows) rather than raising them."""
        self.cancelled = True


@contextmanager
def outcome(success: str | None = None, *, failure: str = "{}", flash_refusal: bool = True,
            keep_on: tuple[type[Exception], ...] = (), stale: str | None = None) -> Iterator[Done]:
    """Commit the block's changes and flash ``success``; on a refusal roll back and flash the reason.

    ``failure`` frames the reason (``"通知模板未保存：{}"``); ``flash_refusal=False`` leaves it to the page,
    which shows it beside what was typed.  A refusal of a type in ``keep_on`` commits what was done before
    it (the draft saved before a refused submission, the audit of a refused password).  ``stale``: the
    message for a row someone else changed meanwhile (SQLAlchemy's version check at commit).
    """
    done = Done(success)
    try:
        yield done
        if done.cancelled:
            db.session.rollback()
            return
        db.session.commit()
    except Refused as exc:
        _refused(done, exc, failure, flash_refusal, commit=isinstance(exc, keep_on))
    except StaleDataError:
        if stale is None:
            raise
        _refused(done, Refused(stale), failure, flash_refusal, commit=False)
    else:
        if done.success:
            flash(done.success, done.category)


def _refused(done: Done, exc: Exception, failure: str, show: bool, *, commit: bool) -> None:
    if commit:
        db.session.commit()
    else:
        db.session.rollback()
    done.refused = exc
    if show:
        flash(failure.format(exc), "error")


def scoped_or_404(model, raw_id, user=None, options=()):
    """The ``model`` row of id ``raw_id`` the current user may see (``access.scoped_row``), else abort 404."""
    row = access.scoped_row(db.session, user if user is not None else current_user, model, raw_id, options)
    if row is None:
        abort(404)
    return row
