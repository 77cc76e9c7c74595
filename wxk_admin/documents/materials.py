"""申报材料清单 (001 第三条(二), 002 第三条(二)1) — what the applicant hands in, with copies per item,
built from the declared works; the 告知 the applicant reads; 「本人已阅读并同意」 and a signature line.

「申报材料清单（一式一份）：请根据提供的材料种类和数量进行填写，在认真阅读相关告知信息并确认同意后，亲笔签名。」
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import profiles
from ..enums import Track
from ..models import Application
from .form import GENERATED_NOTE, direct_route
from .pdf import render_pdf

TITLE = "申报材料清单"
HEADERS = ("序号", "材料名称", "说明", "份数", "原件/复印件", "备注")
AGREE = "本人已阅读并同意"
NOTICE = (
    "申报材料须与网上申请表所填内容一致；出版作品无法提供原件的，须提供封面、版权页复印件及中国版本图书馆在版编目（CIP）数据打印件。",
    "期刊、报纸发表作品如非原件，须提供当期刊物封面（或当日报纸版头）、目录及作品全文复印件。",
    "网络作品须提供节选打印件，注明发表时间、网站名称、平均订阅量，并附作品字数、完结情况及订阅量截图；申请者须拥有作品著作权。",
    "除中央和国家机关申请者外，纸质申请材料一律通过所属团体会员单位提交；中央和国家机关申请者须由两名会员亲笔签署推荐意见。",
    "申请材料只在当年有效且不退还。未获批准并再次申请者，须重新申请。",
    "本人承诺所提交的申报材料真实、完整，所列作品均为本人创作（翻译），如有不实，本人愿承担由此产生的一切后果。",
)


@dataclass
class Checklist:
    name: str
    serial_no: str
    cycle: str
    unit: str
    category: str
    rows: list[tuple[str, str, int, str]]  # (材料名称, 说明, 份数, 原件/复印件)
    title: str = TITLE
    notice: tuple[str, ...] = NOTICE
    agree: str = AGREE
    note: str = GENERATED_NOTE


def _titles(items, attr: str = "title", limit: int = 8) -> str:
    names = "、".join(f"《{getattr(i, attr)}》" for i in items[:limit])
    return names + ("等" if len(items) > limit else "")


def checklist_rows(application: Application) -> list[tuple[str, str, int, str]]:
    """(材料名称, 说明, 份数, 原件/复印件) for this application's declared works."""
    rows = [("入会申请表", "网上申请系统生成，双面打印，本人签名" + ("" if application.is_direct_route else "，单位盖章"),
             2, "原件"),
            ("两寸证件照", "用于办理会员证", 2, "")]
    for book in application.books:
        rows.append(("出版文学作品", f"《{book.title}》{book.publisher or ''}", 1, "原件或封面、版权页及 CIP 数据复印件"))
    if application.publications:
        rows.append(("期刊、报纸发表作品", f"{_titles(application.publications)}共 {len(application.publications)} 篇",
                     len(application.publications), "原件或复印件"))
    for work in application.web_works:
        rows.append(("网络文学作品", f"《{work.title}》{work.site or ''}，节选及字数、完结、订阅量截图", 1, "打印件"))
    for work in application.film_works:
        rows.append(("影视、戏剧作品", f"《{work.title}》文学脚本、影像材料及公映、公演证明", 1, ""))
    if application.awards:
        rows.append(("获奖证书", "、".join(a.name for a in application.awards[:8]), len(application.awards), "复印件"))
    if application.reprints:
        rows.append(("作品转载、评论材料", _titles(application.reprints), len(application.reprints), "复印件"))
    if application.track in (Track.translation, Track.editing):
        rows.append(("专业技术职称资格证书", "", 1, "复印件"))
    if application.track == Track.translation:
        rows.append(("翻译作品原文", "不少于20页", 1, "复印件"))
    for item in application.materials:
        if item.name not in {r[0] for r in rows}:  # items the office recorded beyond the declared works
            rows.append((item.name, "", item.copies, "原件" if item.original else "复印件"))
    return rows


def checklist(application: Application) -> Checklist:
    profile = profiles.of(application.cycle.association if application.cycle else None)
    return Checklist(
        name=application.name or "",
        serial_no=application.serial_no or "（待编号）",
        cycle=application.cycle.name if application.cycle else "",
        unit=application.unit.name if application.unit else direct_route(profile),
        category=profile.category_label(application.category) if application.category else "",
        rows=checklist_rows(application),
    )


def materials_basename(application: Application) -> str:
    return f"{application.name or '申请人'}申报材料清单"


def materials_pdf(application: Application) -> bytes:
    return render_pdf("materials.html", doc=checklist(application))
