"""The shape of a rule set, and its validation.

A rule set is DATA: tracks (主要从事) → alternative conditions (any one suffices)
→ measurable requirements (all of them, or ``AnyOf`` a few), each requirement
naming a *measure* (``measures.MEASURES``) and a threshold::

    Condition("(3)", "第(3)项", clause="(3)在中国大陆公开出版独立创作的文学作品不少于3部…",
              requires=(Requirement("books", 3), Requirement("books_provincial", 2)),
              summary="出版独立创作文学作品{books}部（省级及以上{books_provincial}部）")

Parameterised measures are written ``name(arg)``, e.g. ``web_chars(5000)`` or
``org_years(prefecture,county/leader)``; ``validate`` checks every name a rule
set uses against the measures that exist.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Collection
from dataclasses import dataclass

from ...enums import Track


@dataclass(frozen=True)
class Requirement:
    """``measure`` must reach ``at_least``; ``label`` overrides the measure's label in explanations."""

    measure: str
    at_least: int
    label: str | None = None


@dataclass(frozen=True)
class AnyOf:
    """At least one of the requirements is met (「或」 inside a condition)."""

    options: tuple[Requirement, ...]


@dataclass(frozen=True)
class Condition:
    """One alternative of a track.  ``manual``: the clause cannot be computed (e.g. missing from the source)."""

    key: str
    title: str
    clause: str
    requires: tuple[Requirement | AnyOf, ...] = ()
    summary: str = ""
    manual: bool = False


@dataclass(frozen=True)
class Relaxation:
    """「可适当放宽年限要求」: if the nearest condition lacks only ``measures`` and any of
    ``if_any`` is positive, a person decides (manual) instead of 不符合条件."""

    clause: str
    measures: tuple[str, ...]
    if_any: tuple[str, ...]
    note: str = "申请者同时具有文学创作成果，可适当放宽年限要求，需人工判断"


@dataclass(frozen=True)
class TrackRules:
    track: Track
    clause: str
    conditions: tuple[Condition, ...]
    relaxation: Relaxation | None = None


@dataclass(frozen=True)
class Exemption:
    """Quantities waived when any ``evidence`` measure is positive → manual judgement."""

    clause: str
    evidence: tuple[str, ...]
    tracks: tuple[Track, ...]
    note: str


@dataclass(frozen=True)
class Check:
    """A precondition (e.g. identity) that yields manual when ``measure`` is not evidently ≥ 1."""

    measure: str
    clause: str
    failure: str


@dataclass(frozen=True)
class RuleSet:
    name: str
    title: str
    tracks: dict[Track, TrackRules]
    exemption: Exemption | None = None
    checks: tuple[Check, ...] = ()
    # Web pieces shorter than this are not counted (Jiangsu: 少于5万字 … 不包括).
    web_min_chars: int = 0
    # Books published before this date have no CIP record: a person checks them.
    cip_records_from: dt.date = dt.date(2003, 1, 1)
    # Region for ``in_region``: names found in 户籍 / unit name, and unit association codes.
    region_places: tuple[str, ...] = ()
    region_associations: tuple[str, ...] = ()


class UnknownRuleset(KeyError):
    pass


class InvalidRuleset(ValueError):
    """A rule set that names a measure that does not exist (or a track under the wrong key)."""


_NAME = re.compile(r"^(?P<base>[a-z_]+)(?:\((?P<arg>[^()]*)\))?$")
# Summaries may also name the applicant's title as words (not a measure: it is not a number).
SUMMARY_WORDS = ("title_label",)


def split_measure(name: str) -> tuple[str, str | None] | None:
    """``"web_chars(5000)"`` → ``("web_chars", "5000")``; None when the name is not written as a measure."""
    m = _NAME.match(name)
    return (m["base"], m["arg"]) if m else None


def _summary_fields(summary: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(summary) if name]


def validate(ruleset: RuleSet, measures: Collection[str]) -> None:
    """Raise ``InvalidRuleset`` listing every name in ``ruleset`` that is not one of ``measures``."""
    problems: list[str] = []

    def check(where: str, names) -> None:
        for name in names:
            parts = split_measure(name)
            if name not in SUMMARY_WORDS and (parts is None or parts[0] not in measures):
                problems.append(f"{where}：未知的度量「{name}」")

    for track, rules in ruleset.tracks.items():
        if rules.track != track:
            problems.append(f"{track.label}：键与所列类别（{rules.track.label}）不一致")
        for cond in rules.conditions:
            where = f"{track.label} {cond.title}"
            check(where, [r.measure for item in cond.requires
                          for r in (item.options if isinstance(item, AnyOf) else (item,))])
            check(f"{where} 说明", _summary_fields(cond.summary))
        if rules.relaxation:
            check(f"{track.label} 放宽年限", rules.relaxation.measures + rules.relaxation.if_any)
    if ruleset.exemption:
        check("数量豁免", ruleset.exemption.evidence)
    check("前置条件", [c.measure for c in ruleset.checks])
    if problems:
        raise InvalidRuleset("\n".join([f"资格规则「{ruleset.name}」有误："] + problems))
