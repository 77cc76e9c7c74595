"""Eligibility rules (资格初审): the public face.  The parts live in ``wxk_admin/domain/rules/``:

- ``schema.py``      the shape of a rule set (RuleSet → TrackRules → Condition → Requirement / AnyOf, Exemption,
                     Check, Relaxation) and ``validate`` (every measure a rule set names exists);
- ``rulesets.py``    the rule sets as data (001 ``cwa-2022``, 002 ``jiangsu-2022``), ``RULESETS``, the default;
- ``measures.py``    facts computed from an application's rows (``Facts``, ``MEASURES``, the totals);
- ``evaluation.py``  the one evaluator: facts + rule set → ``Result``; pure, it writes nothing;
- ``storage.py``     the result stored on the application (``refresh``, no commit) and ``recheck_cycle`` (commits
                     per batch, one audit record per changed result); ``domain/checks.py`` calls ``refresh``.

Adding a third association's rules is adding a ``RuleSet`` to ``RULESETS``.

Public API:
    evaluate(application_like, ruleset_name) -> Result   (pure: no session, no app context)
    refresh(session, application) -> None                 (stores eligibility, note, detail; no commit)
    ruleset_for(application, session=None) -> str          (the cycle's rule set, else the deployment default)
    default_ruleset() -> str                               (the app's WXK_DEFAULT_RULESET, via set_default_source; else cwa-2022)
    set_default_source(reader) -> None                     (installed by the app factory)
    get_ruleset(name) -> RuleSet                           (raises UnknownRuleset)
    validate(ruleset) -> None                              (raises InvalidRuleset)
    recheck_cycle(session, cycle, progress=None) -> dict   (whole cycle; audit per changed result; commits per batch)
"""
from __future__ import annotations

from .domain.rules.evaluation import Result, evaluate, validate
from .domain.rules.measures import MEASURES
from .domain.rules.rulesets import FALLBACK_RULESET, RULESETS, default_ruleset, get_ruleset, set_default_source
from .domain.rules.schema import (
    AnyOf,
    Check,
    Condition,
    Exemption,
    InvalidRuleset,
    Relaxation,
    Requirement,
    RuleSet,
    TrackRules,
    UnknownRuleset,
)
from .domain.rules.storage import recheck_cycle, refresh, ruleset_for

__all__ = [
    "evaluate", "refresh", "ruleset_for", "default_ruleset", "set_default_source", "get_ruleset", "validate",
    "recheck_cycle", "Result", "RULESETS", "FALLBACK_RULESET", "MEASURES",
    "RuleSet", "TrackRules", "Condition", "Requirement", "AnyOf", "Exemption", "Check", "Relaxation",
    "UnknownRuleset", "InvalidRuleset",
]
