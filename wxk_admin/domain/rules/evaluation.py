"""The evaluator: facts + rule set → result.  Pure: it reads the application's rows and writes nothing (storing the
result is ``storage``'s job).

``Result.detail`` (stored as ``eligibility_detail``, JSON): ruleset, ruleset_title, track, track_label,
track_clause, outcome, outcome_label, note, met, nearest, flags [str], excluded [str], counted [str], notes [str]
(for the reviewer only), checks [{measure, clause, met, note}], totals [{key, label, unit, value}],
conditions [{key, title, clause, manual, met, summary, missing [str], distance,
requirements [{measure, label, unit, at_least, value, met, missing} | {any_of: [...], met, missing}]}].
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import id_numbers
from ...enums import Eligibility, ProfessionalTitle, Track
from . import schema
from .measures import MEASURES, Facts, Values, as_enum, measure_of, totals
from .rulesets import get_ruleset
from .schema import AnyOf, Condition, Requirement, RuleSet, TrackRules


@dataclass
class Result:
    outcome: Eligibility
    note: str
    detail: dict[str, Any]
    met: str | None = None
    nearest: str | None = None
    flags: list[str] = field(default_factory=list)


def _label(req: Requirement) -> str:
    measure, arg = measure_of(req.measure)
    return req.label or measure.label.format(arg=arg)


def _gap_text(req: Requirement, value: int) -> str:
    measure, _ = measure_of(req.measure)
    if measure.unit == "title":
        titles = list(ProfessionalTitle)
        have, want = titles[value].label, titles[req.at_least].label
        return f"专业技术职称须为{want}及以上（现为{have}）"
    if measure.unit == "项":
        return f"未满足：{_label(req)}"
    gap = req.at_least - value
    return f"还差 {gap:,} {measure.unit}{_label(req)}"


def _req_row(req: Requirement, values: Values) -> dict:
    measure, _ = measure_of(req.measure)
    value = values[req.measure]
    met = value >= req.at_least
    row = {"measure": req.measure, "label": _label(req), "unit": measure.unit, "at_least": req.at_least,
           "value": value, "met": met, "missing": "" if met else _gap_text(req, value)}
    if measure.unit == "title":
        row["at_least_text"] = list(ProfessionalTitle)[req.at_least].label + "及以上"
        row["value_text"] = list(ProfessionalTitle)[value].label
    row["shortfall"] = 0.0 if met else (1.0 if req.at_least <= 0 else (req.at_least - value) / req.at_least)
    return row


def _condition_row(cond: Condition, values: Values) -> dict:
    rows, missing, distance = [], [], 0.0  # distance: mean shortfall of the requirements (0 = met)
    for item in cond.requires:
        if isinstance(item, AnyOf):
            options = [_req_row(r, values) for r in item.options]
            met = any(o["met"] for o in options)
            short = 0.0 if met else min(o["shortfall"] for o in options)
            text = "" if met else "或".join(o["missing"] for o in options)
            rows.append({"any_of": options, "met": met, "missing": text, "shortfall": short})
        else:
            rows.append(_req_row(item, values))
        if not rows[-1]["met"]:
            missing.append(rows[-1]["missing"])
            distance += rows[-1]["shortfall"]
    distance = distance / len(rows) if rows else 1.0
    met = not cond.manual and all(r["met"] for r in rows)
    summary = ""
    if met and cond.summary:
        summary = cond.summary.format_map(values)
    return {"key": cond.key, "title": cond.title, "clause": cond.clause, "manual": cond.manual, "met": met,
            "requirements": rows, "missing": missing, "summary": summary, "distance": round(distance, 6)}



def _reviewer_notes(app) -> list[str]:
    """What the reviewer should look at that neither refuses the form nor changes the outcome."""
    note = id_numbers.county_note(getattr(app, "id_number", None))
    return [note] if note else []


def _met_any(track_rules: TrackRules, values: Values) -> bool:
    return any(_condition_row(c, values)["met"] for c in track_rules.conditions)


def evaluate(app, ruleset_name: str) -> Result:
    """The eligibility of ``app`` (an Application or any object with the same attributes) under a rule set."""
    rs = get_ruleset(ruleset_name)
    facts = Facts(app, rs)
    values = Values(facts)
    track = as_enum(Track, getattr(app, "track", None))
    detail: dict[str, Any] = {
        "ruleset": rs.name, "ruleset_title": rs.title,
        "track": track.value if track else None, "track_label": track.label if track else "",
        "track_clause": "", "conditions": [], "met": None, "nearest": None, "flags": [],
        "excluded": list(facts.excluded), "counted": list(facts.counted), "checks": [],
        "totals": totals(facts, values),
        "notes": _reviewer_notes(app),
    }
    flags: list[str] = []

    def finish(outcome: Eligibility, note: str, met=None, nearest=None) -> Result:
        detail.update(outcome=outcome.value, outcome_label=outcome.label, note=note, met=met, nearest=nearest,
                      flags=flags)
        return Result(outcome, note, detail, met, nearest, flags)

    if track is None:
        flags.append("未选择主要从事类别")
        return finish(Eligibility.manual, "未选择主要从事类别，需人工判断")
    track_rules = rs.tracks.get(track)
    if track_rules is None:
        flags.append(f"{rs.title}未规定{track.label}类的条件")
        return finish(Eligibility.manual, f"本规则未规定{track.label}类的申请条件，需人工判断")
    detail["track_clause"] = track_rules.clause

    rows = [_condition_row(c, values) for c in track_rules.conditions]
    detail["conditions"] = rows
    met_row = next((r for r in rows if r["met"]), None)
    computable = [r for r in rows if not r["manual"]]
    nearest_row = min(computable, key=lambda r: r["distance"]) if computable and met_row is None else None

    check_notes = []
    for check in rs.checks:
        ok = values[check.measure] >= 1
        detail["checks"].append({"measure": check.measure, "clause": check.clause, "met": ok,
                                 "note": "" if ok else check.failure})
        if not ok:
            check_notes.append(check.failure)

    if met_row is not None:
        note = f"符合{met_row['title']}：{met_row['summary']}"
        if facts.old_books:
            again = Values(Facts(app, rs, skip_books_before=rs.cip_records_from))
            if not _met_any(track_rules, again):
                year = rs.cip_records_from.year
                flag = f"依赖{year}年以前出版的图书{'、'.join(facts.old_books)}（无CIP数据），需人工核验"
                flags.append(flag)
        flags.extend(check_notes)
        if flags:
            return finish(Eligibility.manual, note + "；" + "；".join(flags), met=met_row["key"])
        return finish(Eligibility.eligible, note, met=met_row["key"])

    shortfall = ""
    if nearest_row is not None:
        shortfall = f"最接近{nearest_row['title']}，" + "；".join(nearest_row["missing"])
    manual_rows = [r for r in rows if r["manual"]]
    for r in manual_rows:
        flags.append(f"{r['title']}{r['clause']}，需人工判断")
    exemption = rs.exemption
    if exemption and track in exemption.tracks and any(values[m] > 0 for m in exemption.evidence):
        flags.append(exemption.note)
    relax = track_rules.relaxation
    if (relax and nearest_row is not None and any(values[m] > 0 for m in relax.if_any)
            and _only_lacks(nearest_row, relax.measures)):
        flags.append(relax.note)
    if flags:
        note = "；".join(flags) + (f"（按数量：{shortfall}）" if shortfall else "")
        return finish(Eligibility.manual, note, nearest=nearest_row["key"] if nearest_row else None)
    note = shortfall or "不符合申请条件"
    return finish(Eligibility.not_eligible, note, nearest=nearest_row["key"] if nearest_row else None)


def _only_lacks(row: dict, measures: tuple[str, ...]) -> bool:
    """Whether every unmet requirement of ``row`` is one of ``measures`` (with the post/level itself right)."""
    for req in row["requirements"]:
        if req["met"]:
            continue
        options = req.get("any_of") or [req]
        if not any(o["measure"] in measures and o["value"] > 0 for o in options):
            return False
    return True


def validate(ruleset: RuleSet) -> None:
    """Raise ``InvalidRuleset`` when ``ruleset`` names a measure the evaluator does not know."""
    schema.validate(ruleset, MEASURES)
