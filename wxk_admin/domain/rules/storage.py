"""Reading and writing results in the database: which rule set a stored application falls under, its stored
result (``eligibility``, ``eligibility_note``, ``eligibility_detail``) and the whole-cycle recheck with its audit
record.  The only part of the rules that writes; ``checks.refresh`` calls it on every save.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..audit import Actor, record
from ...enums import Eligibility
from ...models import Application, Cycle
from .evaluation import evaluate
from .rulesets import default_ruleset
from .schema import UnknownRuleset


def ruleset_for(application, session=None) -> str:
    """The rule set named by the application's cycle, else the deployment default."""
    cycle = getattr(application, "cycle", None)
    if cycle is None and session is not None and getattr(application, "cycle_id", None):
        cycle = session.get(Cycle, application.cycle_id)  # a pending application: its relationship is not loaded
    return (getattr(cycle, "ruleset", None) or "").strip() or default_ruleset()


def refresh(session, application) -> None:
    """Compute and store ``eligibility``, ``eligibility_note`` and ``eligibility_detail``; never commits.

    Assigns only what changed, so an unchanged result does not bump ``Application.version``.
    """
    name = ruleset_for(application, session)
    try:
        result = evaluate(application, name)
        outcome, note, detail = result.outcome, result.note, result.detail
    except UnknownRuleset:
        outcome, note = Eligibility.manual, f"未知的资格规则「{name}」，需人工判断"
        detail = {"ruleset": name, "outcome": outcome.value, "outcome_label": outcome.label, "note": note,
                  "flags": [note], "conditions": [], "totals": [], "excluded": [], "checks": []}
    if application.eligibility != outcome:
        application.eligibility = outcome
    if application.eligibility_note != note:
        application.eligibility_note = note
    if application.eligibility_detail != detail:
        application.eligibility_detail = detail


def recheck_cycle(session, cycle, progress: Callable[[int], None] | None = None,
                  batch: int = 200) -> dict[str, int]:
    """Recompute every application of ``cycle``; returns counts per outcome plus ``changed`` and ``total``.

    Commits per batch; a batch hit by a concurrent edit (optimistic lock) is reloaded and redone.
    Each application whose 资格初审 result changes gets an audit record.
    """
    ids = list(session.scalars(select(Application.id).where(Application.cycle_id == cycle.id)
                               .order_by(Application.id)))
    counts = {e.value: 0 for e in Eligibility} | {"changed": 0, "total": len(ids)}
    actor = Actor(None, "cli")
    reason = f"flask wxk recheck --cycle {cycle.year}（{cycle.ruleset}）"
    loaders = [selectinload(getattr(Application, rel)) for rel in
               ("books", "publications", "web_works", "film_works", "awards", "reprints")]
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        for attempt in range(3):
            part = {key: 0 for key in counts if key != "total"}
            apps = session.scalars(select(Application).where(Application.id.in_(chunk)).options(*loaders)
                                   .execution_options(populate_existing=True)).all()
            for application in apps:
                before = (application.eligibility.value if application.eligibility else None,
                          application.eligibility_note)
                refresh(session, application)
                after = (application.eligibility.value, application.eligibility_note)
                part[application.eligibility.value] += 1
                if before != after:
                    part["changed"] += 1
                    record(session, actor, "recheck_eligibility", application, application_id=application.id,
                           before={"eligibility": before[0], "eligibility_note": before[1]},
                           after={"eligibility": after[0], "eligibility_note": after[1]}, reason=reason)
            try:
                session.commit()
                break
            except StaleDataError:
                session.rollback()
                if attempt == 2:
                    raise
        for key, value in part.items():
            counts[key] += value
        if progress:
            progress(len(chunk))
    return counts
