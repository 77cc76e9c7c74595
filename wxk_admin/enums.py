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
    supervisor = ("supervisor", "纪检监察")  # reads the whole process, changes nothing (issue 15.1)


class UnitKind(LabelledEnum):
    regional = ("regional", "地方作协")
    industry = ("industry", "行业作协")
    direct = ("direct", "直接申报")


class Association(LabelledEnum):
    """所属协会 of a unit and of a 申请年度 (which rules and which intake apply)."""

    cwa = ("cwa", "中国作家协会")
    jiangsu = ("jiangsu", "江苏省作家协会")


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


class Circulation(LabelledEnum):
    """How a journal or newspaper of 发表作品 circulates.  Its levels (省级及以上, 中文核心期刊,
    全国重点文学期刊) are separate yes/no properties of the row: one journal can hold all three."""

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


class AuditAction(LabelledEnum):
    """操作记录 — every action the audit log may hold (``audit.record`` refuses any other).

    Workflow transitions are logged under their transition name, so each has a member here
    (a test checks ``workflow.TRANSITIONS`` against this list).
    """

    # the workflow (SPEC §3)
    submit = ("submit", "提交申请")
    unit_confirm = ("unit_confirm", "团体会员确认信息")
    unit_reject = ("unit_reject", "团体会员驳回申请")
    office_confirm = ("office_confirm", "会员处确认并编号")
    office_return = ("office_return", "退回团体会员")
    direct_confirm = ("direct_confirm", "会员处确认并编号（直接申报）")
    direct_reject = ("direct_reject", "会员处驳回申请（直接申报）")
    materials_received = ("materials_received", "纸质材料已收齐")
    assign_experts = ("assign_experts", "分配咨询组")
    expert_pass = ("expert_pass", "专家咨询通过")
    expert_fail = ("expert_fail", "专家咨询未通过")
    secretariat_approve = ("secretariat_approve", "书记处审议通过")
    secretariat_reject = ("secretariat_reject", "书记处审议未通过")
    open_notice = ("open_notice", "列入公示")
    admit = ("admit", "公布入会")
    uphold_objection = ("uphold_objection", "异议成立，取消资格")
    disqualify = ("disqualify", "取消申请资格")
    # the application form
    create_application = ("create_application", "创建申请")
    copy_previous = ("copy_previous", "复制上一年度申请")
    save_draft = ("save_draft", "保存草稿")
    edit = ("edit", "修改信息")
    extend_window = ("extend_window", "延长填写期限")
    recheck_eligibility = ("recheck_eligibility", "重新计算资格初审")
    cip_check = ("cip_check", "重新核验 CIP")
    # accounts and sign-in
    register = ("register", "注册账户")
    create = ("create", "新建")
    delete = ("delete", "删除")
    login = ("login", "登录")
    login_failed = ("login_failed", "登录失败")
    login_locked = ("login_locked", "账户锁定期间尝试登录")
    login_inactive = ("login_inactive", "已停用账户尝试登录")
    login_throttled = ("login_throttled", "登录过于频繁被限制")
    logout = ("logout", "退出登录")
    password_change = ("password_change", "修改密码")
    password_reset = ("password_reset", "重置密码")
    unlock = ("unlock", "解除锁定")
    deactivate = ("deactivate", "停用账户")
    access_denied = ("access_denied", "越权访问被拒绝")
    create_proxy = ("create_proxy", "新增代申请账户")
    hand_over_proxy = ("hand_over_proxy", "交由本人使用")
    switch_to_proxy = ("switch_to_proxy", "以该账户身份填写")
    switch_to_proxy_failed = ("switch_to_proxy_failed", "以该账户身份填写失败")
    switch_back = ("switch_back", "返回管理员账户")
    # data in and out
    export = ("export", "导出")
    backup = ("backup", "备份数据库")
    restore = ("restore", "恢复数据库")
    import_units = ("import_units", "导入团体会员单位")
    import_cip = ("import_cip", "导入 CIP 数据")
    # materials, experts, secretariat, notice, onboarding (SPEC §4)
    material_add = ("material_add", "增加申报材料")
    material_mark = ("material_mark", "登记纸质材料收到")
    group_create = ("group_create", "组建咨询组")
    group_draw = ("group_draw", "随机抽取咨询组")
    group_member_add = ("group_member_add", "增加咨询组成员")
    group_member_remove = ("group_member_remove", "移出咨询组成员")
    recusal_declare = ("recusal_declare", "专家申请回避")
    recusal_record = ("recusal_record", "登记专家回避")
    vote = ("vote", "专家投票")
    vote_discard = ("vote_discard", "回避专家的投票作废")
    vote_close = ("vote_close", "截止投票")
    notice_open = ("notice_open", "开始公示")
    notice_close = ("notice_close", "结束公示")
    notice_publish = ("notice_publish", "公布入会名单")
    objection_record = ("objection_record", "登记公示异议")
    objection_public = ("objection_public", "公示页面反映问题")
    objection_check = ("objection_check", "核查公示异议")
    objection_decide = ("objection_decide", "认定公示异议")
    onboarding_contact = ("onboarding_contact", "入会手续联系")
    onboarding_update = ("onboarding_update", "登记入会手续")
    outbox_template = ("outbox_template", "修改通知模板")


# Events of the secret expert stage: shown to the office and IT only, never with an expert's choice.
EXPERT_STAGE_ACTIONS = frozenset({AuditAction.vote, AuditAction.vote_discard, AuditAction.recusal_declare,
                                  AuditAction.recusal_record})


class ObjectionSource(LabelledEnum):
    """来源 of a 公示异议: typed in by the office, or sent from the public notice page (issue 15.4)."""

    office = ("office", "会员处登记")
    public = ("public", "公示页面")


class AuditTarget(LabelledEnum):
    """对象类型 of an audit event: the model (or thing) it concerns."""

    Application = ("Application", "入会申请")
    User = ("User", "账户")
    GroupUnit = ("GroupUnit", "团体会员单位")
    Cycle = ("Cycle", "申请年度")
    Message = ("Message", "站内信")
    MaterialItem = ("MaterialItem", "申报材料")
    ExpertProfile = ("ExpertProfile", "专家信息")
    ExpertGroup = ("ExpertGroup", "咨询组")
    Recusal = ("Recusal", "专家回避")
    Vote = ("Vote", "专家投票")
    Notice = ("Notice", "公示")
    Objection = ("Objection", "公示异议")
    CipRecord = ("CipRecord", "CIP 数据")
    OutboxTemplate = ("OutboxTemplate", "通知模板")
    Endpoint = ("Endpoint", "页面")
    Database = ("Database", "数据库")
