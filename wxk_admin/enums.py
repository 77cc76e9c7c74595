"""Controlled vocabularies of the platform, each value with its Chinese label.

Values are short English codes (stable in the database and in URLs); labels are
what every screen, export and form shows.  Views read ``choices()`` so a label
is written exactly once.
"""
from __future__ import annotations

import enum


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a Chinese label: ``Member('code', '中文')``."""

    def __new__(cls, value: str, label: str):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    def __str__(self) -> str:  # so Jinja and f-strings show the code, not 'Cls.member'
        return self.value

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def label_of(cls, value) -> str:
        if value is None or value == "":
            return ""
        try:
            return cls(value).label
        except ValueError:
            return str(value)


class Role(LabelledEnum):
    applicant = ("applicant", "申请者")
    unit_admin = ("unit_admin", "团体会员管理员")
    office = ("office", "创联部会员处")
    expert = ("expert", "专家")
    it_admin = ("it_admin", "系统管理员")


class UnitKind(LabelledEnum):
    regional = ("regional", "地方作协")
    industry = ("industry", "行业作协")
    direct = ("direct", "直接申报")


class Status(LabelledEnum):
    """申请状态 — the states of SPEC §3.  Transitions live in ``workflow.py``."""

    draft = ("draft", "草稿")
    submitted = ("submitted", "待团体会员审核")
    rejected = ("rejected", "已驳回")
    unit_confirmed = ("unit_confirmed", "团体会员已确认")
    office_confirmed = ("office_confirmed", "会员处已确认")
    materials_received = ("materials_received", "纸质材料已收齐")
    expert_review = ("expert_review", "专家咨询中")
    expert_passed = ("expert_passed", "专家咨询通过")
    expert_failed = ("expert_failed", "专家咨询未通过")
    secretariat_approved = ("secretariat_approved", "书记处审议通过")
    secretariat_rejected = ("secretariat_rejected", "书记处审议未通过")
    on_notice = ("on_notice", "公示中")
    admitted = ("admitted", "已公布入会")
    disqualified = ("disqualified", "取消申请资格")


# Coloured badges (Bootstrap 4 contextual classes) for the list and details.
STATUS_BADGE = {
    Status.draft: "secondary",
    Status.submitted: "primary",
    Status.rejected: "danger",
    Status.unit_confirmed: "info",
    Status.office_confirmed: "success",
    Status.materials_received: "success",
    Status.expert_review: "warning",
    Status.expert_passed: "success",
    Status.expert_failed: "dark",
    Status.secretariat_approved: "success",
    Status.secretariat_rejected: "dark",
    Status.on_notice: "warning",
    Status.admitted: "success",
    Status.disqualified: "danger",
}

# Finished states: an application here is no longer "live" for the one-unit rule.
CLOSED_STATUSES = frozenset(
    {Status.rejected, Status.expert_failed, Status.secretariat_rejected, Status.admitted, Status.disqualified}
)


class Track(LabelledEnum):
    """主要从事 — the applicant's main line of work."""

    creation = ("creation", "文学创作")
    criticism = ("criticism", "文学理论批评")
    translation = ("translation", "文学翻译")
    editing = ("editing", "文学编辑")
    organisation = ("organisation", "文学组织工作")


class Category(LabelledEnum):
    """门类 — exactly one per application."""

    novel = ("novel", "小说")
    prose = ("prose", "散文")
    poetry = ("poetry", "诗歌")
    children = ("children", "儿童文学")
    web = ("web", "网络文学")
    reportage = ("reportage", "纪实报告文学")
    criticism = ("criticism", "文学理论评论")
    translation = ("translation", "文学翻译")
    screenplay = ("screenplay", "影视戏剧编剧")
    editing = ("editing", "文学编辑")
    organisation = ("organisation", "文学组织工作")


class Gender(LabelledEnum):
    male = ("male", "男")
    female = ("female", "女")


class ProfessionalTitle(LabelledEnum):
    """专业技术职称, ordered from none to the highest (rules compare by position)."""

    none = ("none", "无")
    junior = ("junior", "初级")
    intermediate = ("intermediate", "中级")
    associate_senior = ("associate_senior", "副高")
    senior = ("senior", "正高")

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)


class Responsibility(LabelledEnum):
    """著作方式 of a declared book."""

    sole = ("sole", "独著")
    co = ("co", "合著")
    edited = ("edited", "编著")
    translated = ("translated", "译著")


class PublisherLevel(LabelledEnum):
    provincial = ("provincial", "中央/省级及以上出版社")
    other = ("other", "其他出版社")


class VenueLevel(LabelledEnum):
    """Level of a journal or newspaper (发表作品 / 刊物级别)."""

    national_key = ("national_key", "全国重点文学期刊")
    core = ("core", "中文核心期刊")
    provincial = ("provincial", "省级及以上")
    public = ("public", "全国公开发行")
    internal = ("internal", "内部刊物")
    anthology = ("anthology", "多人合集/选本")


class OrganisationLevel(LabelledEnum):
    """Where an organisation-track applicant holds their post."""

    prefecture = ("prefecture", "设区市/地市级作协、文联")
    county = ("county", "区县级作协、文联")
    provincial_unit = ("provincial_unit", "省作协团体会员单位")


class OrganisationPost(LabelledEnum):
    leader = ("leader", "主要领导职务")
    staff = ("staff", "专职文学组织工作")


class Eligibility(LabelledEnum):
    """资格初审 — the computed result of ``rules.py``."""

    eligible = ("eligible", "符合条件")
    not_eligible = ("not_eligible", "不符合条件")
    manual = ("manual", "需人工判断")


class MaterialHolder(LabelledEnum):
    unit = ("unit", "团体会员")
    office = ("office", "会员处")


class VoteChoice(LabelledEnum):
    passed = ("passed", "通过")
    failed = ("failed", "不通过")


class RecusalReason(LabelledEnum):
    relative = ("relative", "直系亲属")
    other = ("other", "其他利害关系")


class ContactMethod(LabelledEnum):
    phone = ("phone", "电话")
    sms = ("sms", "短信")
