"""年度统计 — the figures the association reports each year, per cycle (issue 14.5).

Every figure is a SQL aggregate over the applications the user may see (``access.application_filter``:
the office and IT everything, a unit admin their unit only), drafts excluded.  "Admitted" means
已公布入会.  Ages are counted at the end of the cycle's year (年度 − 出生年份).  Pass rates: an
application "reached" a stage when its state is that stage or later on the main path (as on the
dashboard); a stage's rate is reached-the-next ÷ decided there (passed + turned down there).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from ..domain import access
from .. import profiles
from ..enums import Category, Gender, Status, Track
from ..models import Application, Cycle, GroupUnit, WebWork
from .pdf import render_pdf
from .xlsx import print_on_a4, safe_value, workbook_bytes

AGE_BANDS = (("35 岁及以下", None, 35), ("36–45 岁", 36, 45), ("46–60 岁", 46, 60), ("60 岁以上", 61, None))
HAN = "汉族"
DIRECT = "直接申报（中央和国家机关）"
TOTAL = "合计"
# (stage, the state that passes it, the state that fails there)
STAGES = (("团体会员审核", Status.unit_confirmed, Status.rejected),
          ("会员处确认", Status.office_confirmed, None),
          ("专家咨询", Status.expert_passed, Status.expert_failed),
          ("书记处审议", Status.secretariat_approved, Status.secretariat_rejected))
PATH = (Status.submitted, Status.unit_confirmed, Status.office_confirmed, Status.materials_received,
        Status.expert_review, Status.expert_passed, Status.secretariat_approved, Status.on_notice, Status.admitted)
# A finished application counts as having reached the stage where it stopped.
STOPPED_AT = {Status.rejected: Status.submitted, Status.expert_failed: Status.expert_review,
              Status.secretariat_rejected: Status.expert_passed, Status.disqualified: Status.submitted}


@dataclass
class StatTable:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple]
    chart: bool = True  # a bar chart of the first two columns

    @property
    def bars(self) -> list[tuple[str, int]]:
        """The chart's rows (templates/documents/_charts.html): the first two columns, without the total."""
        return [(str(r[0]), int(r[1])) for r in self.rows if r[0] != TOTAL]


@dataclass
class Statistics:
    cycle: Cycle
    scope_label: str
    tables: list[StatTable]

    def table(self, key: str) -> StatTable:
        return next(t for t in self.tables if t.key == key)


def _rank(status) -> int:
    status = Status(status)
    status = STOPPED_AT.get(status, status)
    return PATH.index(status) if status in PATH else 0


def reached(status_counts: dict, stage: Status) -> int:
    """How many applications reached ``stage`` on the main path (or went beyond it)."""
    return sum(n for status, n in status_counts.items() if _rank(status) >= PATH.index(stage))


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def cycle_statistics(session, user, cycle: Cycle, previous: int = 4) -> Statistics:
    scope = (access.application_filter(user), Application.status != Status.draft)
    in_cycle = (*scope, Application.cycle_id == cycle.id)
    admitted = (*in_cycle, Application.status == Status.admitted)
    profile = profiles.of(cycle.association)

    def grouped(column, *where):
        return session.execute(select(column, func.count(Application.id)).where(*where).group_by(column)).all()

    status_counts = {Status(s): n for s, n in grouped(Application.status, *in_cycle)}
    tables = [StatTable("status", "申请按阶段及结果", ("阶段/结果", "人数"),
                        [(s.label, status_counts.get(s, 0)) for s in Status if s != Status.draft]
                        + [(TOTAL, sum(status_counts.values()))])]

    by_category = dict(grouped(Application.category, *admitted))
    tables.append(StatTable("category", "入会人数按门类", ("门类", "人数"),
                            [(profile.category_label(c), by_category.get(c, 0)) for c in Category]))
    # Grouped by plain columns and labelled here: PostgreSQL refuses a GROUP BY on an expression whose
    # bound parameters differ from the SELECT's.
    units: dict[str, int] = {}
    for name, n in session.execute(select(GroupUnit.name, func.count(Application.id)).select_from(Application)
                                   .outerjoin(GroupUnit, GroupUnit.id == Application.unit_id).where(*admitted)
                                   .group_by(GroupUnit.name)).all():
        units[name or DIRECT] = units.get(name or DIRECT, 0) + n
    tables.append(StatTable("unit", "入会人数按推荐单位", ("推荐单位", "人数"),
                            sorted(units.items(), key=lambda kv: (-kv[1], kv[0]))))
    by_route = dict(grouped(Application.unit_id.is_(None), *admitted))
    tables.append(StatTable("route", "入会人数按申报途径", ("申报途径", "人数"),
                            [("团体会员推荐", by_route.get(False, 0)), ("直接申报", by_route.get(True, 0))]))
    by_track = dict(grouped(Application.track, *admitted))
    tables.append(StatTable("track", "入会人数按主要从事", ("主要从事", "人数"),
                            [(t.label, by_track.get(t, 0)) for t in Track]))
    by_gender = dict(grouped(Application.gender, *admitted))
    tables.append(StatTable("gender", "入会人数按性别", ("性别", "人数"),
                            [(g.label, by_gender.get(g, 0)) for g in Gender] + [("未填", by_gender.get(None, 0))]))
    by_ethnicity = {"han": 0, "minority": 0, "none": 0}
    for ethnicity, n in grouped(Application.ethnicity, *admitted):
        by_ethnicity["none" if not ethnicity else "han" if ethnicity == HAN else "minority"] += n
    tables.append(StatTable("ethnicity", "入会人数按民族", ("民族", "人数"),
                            [("汉族", by_ethnicity["han"]), ("少数民族", by_ethnicity["minority"]),
                             ("未填", by_ethnicity["none"])]))
    birth_year = func.extract("year", Application.birth_date)
    ages: dict[str, int] = {}
    for year, n in grouped(birth_year, *admitted):
        label = "未填" if year is None else next(
            band for band, low, high in AGE_BANDS
            if (low is None or cycle.year - int(year) >= low) and (high is None or cycle.year - int(year) <= high))
        ages[label] = ages.get(label, 0) + n
    tables.append(StatTable("age", f"入会人数按年龄（截至{cycle.year}年底）", ("年龄段", "人数"),
                            [(band, ages.get(band, 0)) for band, *_ in AGE_BANDS] + [("未填", ages.get("未填", 0))]))
    web_category = by_category.get(Category.web, 0)
    with_web_works = session.scalar(select(func.count(func.distinct(WebWork.application_id)))
                                    .join(Application, Application.id == WebWork.application_id)
                                    .where(*admitted)) or 0
    tables.append(StatTable("web", "网络文学作家", ("项目", "人数"),
                            [("门类为网络文学", web_category), ("申报网络作品", with_web_works)]))

    rates = []
    for stage, passes, fails in STAGES:
        previous_stage = PATH[PATH.index(passes) - 1]
        passed = reached(status_counts, passes)
        failed = status_counts.get(fails, 0) if fails else 0
        entered = reached(status_counts, previous_stage) if fails is None else passed + failed
        rates.append((stage, entered, passed, _percent(passed, entered)))
    tables.append(StatTable("rates", "各环节通过率", ("环节", "审核人数", "通过人数", "通过率"), rates, chart=False))

    cycles = session.scalars(select(Cycle).where(Cycle.association == cycle.association, Cycle.year <= cycle.year)
                             .order_by(Cycle.year.desc()).limit(previous + 1)).all()
    history = []
    for c in reversed(cycles):
        counts = {Status(s): n for s, n in grouped(Application.status, *scope, Application.cycle_id == c.id)}
        total = sum(counts.values())
        admitted_n = counts.get(Status.admitted, 0)
        history.append((c.name, total, reached(counts, Status.unit_confirmed), reached(counts, Status.expert_passed),
                        reached(counts, Status.secretariat_approved), admitted_n, _percent(admitted_n, total)))
    tables.append(StatTable("history", "历年对比", ("年度", "申请", "团体会员确认", "专家咨询通过", "书记处审议通过",
                                                "公布入会", "入会率"), history, chart=False))
    scope_label = user.unit.name if getattr(user, "unit", None) is not None and user.role == "unit_admin" \
        else "全部团体会员及直接申报"
    return Statistics(cycle, scope_label, [_said(t, profile.say) for t in tables])


def _said(table: StatTable, say) -> StatTable:
    """A table's own words (titles, headers, stage names) as the association says them; names of units,
    ethnicities … are data and stay."""
    rows = [(say(r[0]), *r[1:]) for r in table.rows] if table.key in ("status", "rates") else table.rows
    return replace(table, title=say(table.title), headers=tuple(say(h) for h in table.headers), rows=rows)


def statistics_pdf(stats: Statistics) -> bytes:
    return render_pdf("statistics.html", stats=stats)


def statistics_xlsx(stats: Statistics) -> bytes:
    """One sheet per table, each with its title, the scope and the cycle."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in stats.tables:
        ws = wb.create_sheet(table.title[:31])
        ws.append([safe_value(f"{stats.cycle.name}{table.title}（{stats.scope_label}）")])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([safe_value(h) for h in table.headers])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append([safe_value(v) for v in row])
        ws.column_dimensions["A"].width = 30
        for col in "BCDEFG":
            ws.column_dimensions[col].width = 14
        print_on_a4(ws, title_rows="2:2")
    return workbook_bytes(wb)
