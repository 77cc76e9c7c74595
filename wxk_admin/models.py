"""The data model of the platform (SPEC §1–§5).

Each column declares once, in ``info``, how the console treats it: its Chinese
label and whether it is listed, filterable, searchable and exportable (see
``meta``).  Views, the export column chooser and the application form download
read these declarations, so a new column plus its migration is all it takes to
appear, labelled, everywhere.
"""
from __future__ import annotations

import datetime as dt
import enum as _enum

from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    event,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .enums import (
    Category,
    Circulation,
    ContactMethod,
    Eligibility,
    Gender,
    ObjectionSource,
    OrganisationLevel,
    OrganisationPost,
    ProfessionalTitle,
    PublisherLevel,
    RecusalReason,
    Responsibility,
    Role,
    Status,
    Track,
    UnitKind,
    VoteChoice,
)
from .domain.names import name_sort_key

# Deterministic constraint names keep Alembic migrations portable (SQLite batch mode needs them).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


def meta(label: str, *, list: bool = False, filter: bool | str = False, search: bool = False,
         export: bool = True, form: bool = True, sort: bool | None = None, section: str | None = None,
         order: int | None = None, list_order: int | None = None, roles=None, required=False,
         details: bool = True, cell: str | None = None, export_default: int | None = None,
         filter_label: str | None = None, personal: bool = False) -> dict:
    """Console metadata of a column: ``info=meta('姓名', list=True, search=True)``.

    Every screen reads it (``layout``): ``list`` / ``list_order`` / ``sort`` the application list,
    ``filter`` a filter (True: equal to a value; "dates", "serials", "contains": those filters of
    ``views/filters.py``), ``search`` the text search, ``export`` / ``export_default`` the export
    chooser and its default ticks (in that order), ``form`` the applicant's form and 修改信息.
    ``section`` starts a section of ``APPLICATION_SECTIONS``: the columns after it belong to it until
    the next ``section=``; ``order`` places a column inside its section (else declaration order);
    ``details=False`` keeps it off the details page.  ``required``: True, or the tracks (values) for
    which the form requires it.  ``roles``: only these roles see the list column and its filter.
    ``cell``: the list column's name when its cell is computed (``推荐单位`` shows the unit's name);
    ``filter_label``: the filter's name when it is not the label (a date filter compares days).
    ``personal``: the applicant's personal data (ID, contact, birth date, 政治面貌, 户籍): never on the
    experts' reading page.
    """
    return {"label": label, "list": list, "filter": filter, "search": search,
            "export": export, "form": form, "sort": list if sort is None else sort, "section": section,
            "order": order, "list_order": list_order, "roles": frozenset(roles) if roles else None,
            "required": required, "details": details, "cell": cell, "export_default": export_default,
            "filter_label": filter_label or label, "personal": personal}


def enum_type(enum_cls: type[_enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint listing the values."""
    return Enum(enum_cls, name=name, native_enum=False, create_constraint=True,
                values_callable=lambda e: [m.value for m in e], length=32,
                validate_strings=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False,
                                                    info=meta("创建时间", form=False))


# ---------------------------------------------------------------- reference data


class GroupUnit(TimestampMixin, db.Model):
    """团体会员单位 — a provincial/industry association, or a direct route."""

    __tablename__ = "group_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, info=meta("单位代码", list=True, search=True))
    name: Mapped[str] = mapped_column(String(100), unique=True, info=meta("单位名称", list=True, search=True))
    kind: Mapped[UnitKind] = mapped_column(enum_type(UnitKind, "unit_kind"), index=True,
                                           info=meta("类型", list=True, filter=True))
    association: Mapped[str] = mapped_column(String(32), default="cwa", index=True,
                                             info=meta("所属协会", list=True, filter=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True, info=meta("启用", list=True, filter=True))

    def __str__(self) -> str:
        return self.name


class Cycle(TimestampMixin, db.Model):
    """年度申请 — one association's yearly intake with its windows and rule set."""

    __tablename__ = "cycles"
    __table_args__ = (
        UniqueConstraint("association", "year", name="uq_cycles_association_year"),
        CheckConstraint("fill_end >= fill_start", name="fill_window_order"),
        CheckConstraint("serial_counter >= 0", name="serial_counter_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association: Mapped[str] = mapped_column(String(32), default="cwa", index=True,
                                             info=meta("所属协会", list=True, filter=True))
    year: Mapped[int] = mapped_column(Integer, index=True, info=meta("年度", list=True, filter=True))
    name: Mapped[str] = mapped_column(String(100), info=meta("名称", list=True, search=True))
    fill_start: Mapped[dt.date] = mapped_column(Date, info=meta("网上填写开始", list=True))
    fill_end: Mapped[dt.date] = mapped_column(Date, info=meta("网上填写截止", list=True))
    materials_deadline: Mapped[dt.date] = mapped_column(Date, info=meta("纸质材料截止", list=True))
    ruleset: Mapped[str] = mapped_column(String(32), default="cwa-2022", info=meta("资格规则", list=True))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, index=True,
                                             info=meta("当前年度", list=True, filter=True))
    # Last 申请序列号 handed out; incremented under a row lock (see workflow.assign_serial).
    serial_counter: Mapped[int] = mapped_column(Integer, default=0, nullable=False,
                                                info=meta("已分配序列号", form=False))

    def __str__(self) -> str:
        return self.name

    def filling_open(self, today: dt.date) -> bool:
        return self.fill_start <= today <= self.fill_end


# ---------------------------------------------------------------- people


class User(UserMixin, TimestampMixin, db.Model):
    """账户 — every person who logs in, whatever the role."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("failed_logins >= 0", name="failed_logins_nonneg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, info=meta("用户名", list=True, search=True))
    password_hash: Mapped[str] = mapped_column(String(255), info=meta("密码散列", form=False, export=False))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"), index=True,
                                       info=meta("角色", list=True, filter=True))
    full_name: Mapped[str] = mapped_column(String(50), default="", info=meta("姓名", list=True, search=True))
    mobile: Mapped[str | None] = mapped_column(String(20), info=meta("手机", search=True))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("group_units.id"), index=True,
                                                info=meta("所属单位", filter=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True, info=meta("启用", list=True, filter=True))
    is_proxy: Mapped[bool] = mapped_column(Boolean, default=False, info=meta("代申请账户", list=True, filter=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=meta("创建人", form=False))
    handed_over_at: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("交由本人使用时间", form=False))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, info=meta("须修改密码"))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, info=meta("连续登录失败次数", form=False))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("锁定至", form=False))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("最近登录", list=True, form=False))
    # Rotated on password change / deactivation so that other sessions end (checked per request).
    session_token: Mapped[str | None] = mapped_column(String(64), info=meta("会话令牌", form=False, export=False))

    unit: Mapped[GroupUnit | None] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return f"{self.full_name or self.username}（{self.username}）"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        # The token is part of the id so that rotating it logs out every other session.
        return f"{self.id}:{self.session_token or ''}"


# ---------------------------------------------------------------- the application


# Sections of an application as people read it (form, details page, 申请表), in order: a column's
# ``meta(section=...)`` starts one; ``form``: in the applicant's form (and the printed 申请表); ``details``: on
# the details page (beside the applicant's sections when not in the form).
APPLICATION_SECTIONS = {
    "personal": {"title": "个人信息", "form": True, "details": True},
    "track": {"title": "申报类别", "form": True, "details": True},
    "review": {"title": "审核意见", "form": False, "details": True},
    "later": {"title": "后续环节", "form": False, "details": False},  # shown on their own pages
}
EVERY_UNIT_ROLES = frozenset({Role.office, Role.it_admin, Role.supervisor})  # who sees every unit's applications

# Filters of the application list that are no one column's value: (kind, label, roles or None).
# ``views/filters.py`` implements each kind; column filters are declared by ``meta(filter=...)``.
APPLICATION_FILTERS: list[tuple[str, str, frozenset | None]] = [
    ("pending_objection", "有未处理异议", None),
    ("duplicate_works", "作品重复申报", None),  # integrity.py (issue 15.2)
    ("applied_before", "往年申请过", None),  # integrity.py (issue 15.3), within the viewer's scope
]


class Application(TimestampMixin, db.Model):
    """入会申请 — one person's application in one cycle."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("cycle_id", "serial_no", name="uq_applications_cycle_serial"),
        CheckConstraint("editing_years IS NULL OR editing_years >= 0", name="editing_years_nonneg"),
        CheckConstraint("organisation_years IS NULL OR organisation_years >= 0", name="org_years_nonneg"),
        # Only a draft lacks 提交时间 (submitting stamps it): the lists may then say "submitted_at IS NOT
        # NULL", which lets PostgreSQL's newest-first index scan start past the drafts (NULLs sort first).
        CheckConstraint("status = 'draft' OR submitted_at IS NOT NULL", name="submitted_unless_draft"),
        Index("ix_applications_unit_status_submitted", "unit_id", "status", "submitted_at"),
        Index("ix_applications_cycle_serial_seq", "cycle_id", "serial_seq"),
        Index("ix_applications_submitted_id", "submitted_at", "id"),
        # Covering indexes of the list's default sort (newest first): the page's ids come from the index
        # alone, for the office (status) and for a unit admin (unit, status) — deep pages stay cheap.
        Index("ix_applications_list_cover", "submitted_at", "id", "status", "unit_id"),
        Index("ix_applications_unit_list_cover", "unit_id", "submitted_at", "id", "status"),
        # The list's common filters (状态, 门类, 推荐单位, 年度) alone and in pairs (issue 19.6): equality on the
        # filtered columns, then the default sort, then status where the scope (not a draft) must read it — the
        # page's ids and the capped count are then an index seek, the same work at 10,000 and 1,000,000 rows
        # (a filter the index cannot answer walks the table).  unit + status: ix_applications_unit_status_submitted.
        Index("ix_applications_status_list", "status", "submitted_at", "id"),
        Index("ix_applications_category_list", "category", "submitted_at", "id", "status"),
        Index("ix_applications_cycle_list", "cycle_id", "submitted_at", "id", "status"),
        Index("ix_applications_status_category_list", "status", "category", "submitted_at", "id"),
        Index("ix_applications_cycle_status_list", "cycle_id", "status", "submitted_at", "id"),
        Index("ix_applications_cycle_category_list", "cycle_id", "category", "submitted_at", "id", "status"),
        Index("ix_applications_unit_category_list", "unit_id", "category", "submitted_at", "id", "status"),
        Index("ix_applications_unit_cycle_list", "unit_id", "cycle_id", "submitted_at", "id", "status"),
        # A unit admin's scope is 推荐单位: two filters make the unit's pairs (migration 0010; unit + 状态 + 年度
        # is ix_applications_cycle_unit_status below).
        Index("ix_applications_unit_status_category_list", "unit_id", "status", "category", "submitted_at", "id"),
        Index("ix_applications_unit_cycle_category_list", "unit_id", "cycle_id", "category", "submitted_at", "id",
              "status"),
        # 首页's counts of the current cycle by unit and status, by 门类 and status: each read from its index
        # alone, in its order (migration 0009; at 100,000 rows with fresh statistics SQLite otherwise scanned
        # the table or another index, ~200 ms each).
        Index("ix_applications_cycle_unit_status", "cycle_id", "unit_id", "status", "submitted_at"),
        Index("ix_applications_cycle_category_status", "cycle_id", "category", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the list's composite indexes that lead with it (cycle, unit, status, category: __table_args__).
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), info=meta("年度", filter=True))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("group_units.id"),
                                                info=meta("推荐单位", filter=True, list=True, list_order=9, sort=True,
                                                          roles=EVERY_UNIT_ROLES, cell="unit_name"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info=meta("申请账户", form=False))
    status: Mapped[Status] = mapped_column(enum_type(Status, "status"), default=Status.draft,
                                           info=meta("状态", list=True, list_order=5, filter=True, form=False,
                                                     section="review", order=1))
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False, info=meta("版本", form=False, export=False))

    # Personal 个人信息
    name: Mapped[str] = mapped_column(String(50), default="", index=True,
                                      info=meta("姓名", section="personal", list=True, list_order=1, search=True,
                                                required=True, export_default=1))
    # 拼音 order of 姓名 (names.name_sort_key): set with every assignment of ``name`` (the event below) and in
    # wxk generate's bulk rows; "" until a name is given.
    name_sort_key: Mapped[str] = mapped_column(String(255), nullable=False, server_default="", index=True,
                                               info=meta("姓名排序", form=False, export=False))
    pen_name: Mapped[str | None] = mapped_column(
        String(50), index=True, info=meta("常用名", list=True, list_order=2, search=True, export_default=2))
    gender: Mapped[Gender | None] = mapped_column(enum_type(Gender, "gender"),
                                                  info=meta("性别", filter=True, required=True))
    ethnicity: Mapped[str | None] = mapped_column(String(20), info=meta("民族"))
    birth_date: Mapped[dt.date | None] = mapped_column(Date, info=meta("出生日期", required=True, personal=True))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True,
                                                  info=meta("身份证号", search=True, required=True, personal=True))
    political_status: Mapped[str | None] = mapped_column(String(20), info=meta("政治面貌", personal=True))
    education: Mapped[str | None] = mapped_column(String(20), info=meta("学历"))
    employer_and_post: Mapped[str | None] = mapped_column(
        String(200), info=meta("工作单位及职务", filter="contains", export_default=6))
    professional_title: Mapped[ProfessionalTitle | None] = mapped_column(
        enum_type(ProfessionalTitle, "professional_title"),
        info=meta("专业技术职称", filter=True, required=("translation", "editing")))
    mobile: Mapped[str | None] = mapped_column(String(20), index=True,
                                               info=meta("移动电话", search=True, required=True, export_default=7,
                                                         personal=True))
    email: Mapped[str | None] = mapped_column(String(120), info=meta("电子邮箱", personal=True))
    address: Mapped[str | None] = mapped_column(String(200), info=meta("通讯地址", personal=True))
    postcode: Mapped[str | None] = mapped_column(String(10), info=meta("邮编", personal=True))
    household_registration: Mapped[str | None] = mapped_column(String(100), info=meta("户籍所在地", personal=True))

    # Track and category 申报类别
    track: Mapped[Track | None] = mapped_column(enum_type(Track, "track"), index=True,
                                                info=meta("主要从事", filter=True, section="track", required=True))
    category: Mapped[Category | None] = mapped_column(enum_type(Category, "category"),
                                                      info=meta("门类", list=True, list_order=3, filter=True,
                                                                required=True, export_default=5))
    style: Mapped[str | None] = mapped_column(String(50), index=True,
                                              info=meta("创作样式", list=True, list_order=4, filter=True, export_default=4))
    editing_years: Mapped[int | None] = mapped_column(Integer, info=meta("从事文学编辑年限", required=("editing",)))
    organisation_level: Mapped[OrganisationLevel | None] = mapped_column(
        enum_type(OrganisationLevel, "organisation_level"), info=meta("组织工作单位层级", required=("organisation",)))
    organisation_post: Mapped[OrganisationPost | None] = mapped_column(
        enum_type(OrganisationPost, "organisation_post"), info=meta("组织工作职务", required=("organisation",)))
    organisation_years: Mapped[int | None] = mapped_column(Integer,
                                                           info=meta("从事组织工作年限", required=("organisation",)))
    exemption_claim: Mapped[str | None] = mapped_column(
        Text, info=meta("重点期刊转载或重要奖项说明"))
    # 保存草稿 keeps everything typed: text that no column can hold (a malformed date, a negative
    # count) is kept here as typed, keyed by form field name, and shown again (applying.py).
    draft_input: Mapped[dict | None] = mapped_column(JSON, info=meta("草稿中格式有误的原始输入", form=False,
                                                                     export=False, section="review"))

    # Review 审核
    unit_opinion: Mapped[str | None] = mapped_column(Text, info=meta("团体会员意见", form=False, order=4))
    office_opinion: Mapped[str | None] = mapped_column(Text, info=meta("会员处意见", form=False, order=6))
    reject_reasons: Mapped[str | None] = mapped_column(Text, info=meta("驳回理由", form=False, order=8))
    serial_no: Mapped[str | None] = mapped_column(String(20), index=True,
                                                  info=meta("申请序列号", list=True, list_order=6, search=True, form=False,
                                                            filter="serials", order=2, export_default=3))
    serial_seq: Mapped[int | None] = mapped_column(Integer, info=meta("序号", form=False, export=False))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True,
                                                             info=meta("提交时间", list=True, list_order=7, form=False,
                                                                       filter="dates", filter_label="提交日期", order=3))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=utcnow, onupdate=utcnow,
                                                           info=meta("更新时间", form=False, details=False))
    unit_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime,
                                                                  info=meta("团体会员确认时间", form=False, order=5))
    office_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime,
                                                                    info=meta("会员处确认时间", form=False, order=7))

    # Computed checks (never typed in)
    eligibility: Mapped[Eligibility | None] = mapped_column(enum_type(Eligibility, "eligibility"), index=True,
                                                            info=meta("资格初审", list=True, list_order=8, filter=True,
                                                                      form=False, order=9))
    eligibility_note: Mapped[str | None] = mapped_column(Text, info=meta("资格初审说明", form=False, order=10))
    eligibility_detail: Mapped[dict | None] = mapped_column(JSON, info=meta("资格计算明细", form=False, export=False))
    cip_flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True,
                                              info=meta("CIP 存疑", filter=True, form=False, section="later"))

    # After confirmation 专家咨询、书记处、公示、入会
    expert_group_id: Mapped[int | None] = mapped_column(ForeignKey("expert_groups.id"), index=True,
                                                        info=meta("咨询组", form=False))
    secretariat_present: Mapped[int | None] = mapped_column(Integer, info=meta("书记处出席人数", form=False))
    secretariat_for: Mapped[int | None] = mapped_column(Integer, info=meta("书记处赞成票", form=False))
    secretariat_against: Mapped[int | None] = mapped_column(Integer, info=meta("书记处反对票", form=False))
    secretariat_abstain: Mapped[int | None] = mapped_column(Integer, info=meta("书记处弃权票", form=False))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), index=True,
                                                  info=meta("公示批次", form=False))
    disqualify_reason: Mapped[str | None] = mapped_column(Text, info=meta("取消资格原因", form=False))
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("入会告知时间", form=False))
    notified_via: Mapped[ContactMethod | None] = mapped_column(enum_type(ContactMethod, "contact_method"),
                                                               info=meta("告知方式", form=False))
    notified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=meta("告知人", form=False))
    registration_form_done: Mapped[bool] = mapped_column(Boolean, default=False, info=meta("会员登记表已填", form=False))
    photos_received: Mapped[bool] = mapped_column(Boolean, default=False, info=meta("照片已收", form=False))
    dues_paid: Mapped[bool] = mapped_column(Boolean, default=False, info=meta("会费已缴", form=False))

    cycle: Mapped[Cycle] = relationship()
    unit: Mapped[GroupUnit | None] = relationship()
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    books: Mapped[list[Book]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                             order_by="Book.position")
    publications: Mapped[list[Publication]] = relationship(back_populates="application",
                                                           cascade="all, delete-orphan",
                                                           order_by="Publication.position")
    web_works: Mapped[list[WebWork]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                    order_by="WebWork.position")
    film_works: Mapped[list[FilmWork]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                      order_by="FilmWork.position")
    awards: Mapped[list[Award]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                               order_by="Award.position")
    reprints: Mapped[list[Reprint]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                   order_by="Reprint.position")
    recommenders: Mapped[list[Recommender]] = relationship(back_populates="application",
                                                           cascade="all, delete-orphan",
                                                           order_by="Recommender.position")
    materials: Mapped[list[MaterialItem]] = relationship(back_populates="application",
                                                         cascade="all, delete-orphan",
                                                         order_by="MaterialItem.position")

    # Optimistic locking: SQLAlchemy adds "AND version = :old" to every UPDATE.
    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return f"{self.name}（{self.serial_no or '未编号'}）"

    @property
    def is_direct_route(self) -> bool:
        return self.unit_id is None


CHILD_SECTIONS: list[tuple[str, str]] = []  # (relationship name, Chinese section title), filled below
# (relationship name, title, unit) of the sections whose row count is an eligibility fact (``_child(facts=)``).
FACT_SECTIONS: list[tuple[str, str, str]] = []


class ChildRow:
    """Shared columns of the repeating sections of an application."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0, info=meta("序号", export=False, form=False))


def _child(section_title: str, relationship_name: str, *, form: bool = True, facts: bool | str = False):
    """Registers a repeating section (``form``: the applicant fills it in; ``facts``: its row count is
    shown among the 资格初审 facts, counted in that unit — True: 项); the class needs
    ``application_id`` and, unless ``Application`` names it already, gets its relationship here."""
    def register(cls):
        CHILD_SECTIONS.append((relationship_name, section_title))
        if facts:
            FACT_SECTIONS.append((relationship_name, section_title, "项" if facts is True else facts))
        cls.section_title = section_title
        cls.in_form = form
        if not hasattr(Application, relationship_name):
            setattr(Application, relationship_name,
                    relationship(cls, cascade="all, delete-orphan", order_by=cls.position,
                                 back_populates="application"))
            cls.application = relationship(Application, back_populates=relationship_name)
        return cls
    return register


@event.listens_for(Application.name, "set")
def _keep_name_sort_key(target, value, oldvalue, initiator):
    target.name_sort_key = name_sort_key(value)


@_child("出版专集", "books")
class Book(ChildRow, db.Model):
    __tablename__ = "books"
    __table_args__ = (CheckConstraint("word_count_k IS NULL OR word_count_k >= 0", name="word_count_nonneg"),)

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="", info=meta("书名", required=True))
    publisher: Mapped[str | None] = mapped_column(String(100), info=meta("出版社", required=True))
    publisher_level: Mapped[PublisherLevel | None] = mapped_column(enum_type(PublisherLevel, "publisher_level"),
                                                                   info=meta("出版社级别"))
    published_on: Mapped[dt.date | None] = mapped_column(Date, info=meta("出版时间", required=True))
    isbn: Mapped[str | None] = mapped_column(String(20), index=True, info=meta("ISBN", required=True))
    cip_no: Mapped[str | None] = mapped_column(String(40), info=meta("CIP 核字号"))
    word_count_k: Mapped[int | None] = mapped_column(Integer, info=meta("字数（千字）"))
    responsibility: Mapped[Responsibility | None] = mapped_column(enum_type(Responsibility, "responsibility"),
                                                                  info=meta("著作方式", required=True))
    is_literary: Mapped[bool] = mapped_column(Boolean, default=True, info=meta("文学作品"))
    mainland: Mapped[bool] = mapped_column(Boolean, default=True, info=meta("中国大陆出版"))
    genre: Mapped[str | None] = mapped_column(String(30), info=meta("体裁"))
    cip_status: Mapped[str | None] = mapped_column(String(20), info=meta("CIP 核验结果", form=False))
    # Normalised ISBN-13 / CIP number for 作品重复申报 (integrity.py sets them on every flush).
    isbn_key: Mapped[str | None] = mapped_column(String(13), index=True,
                                                 info=meta("ISBN（规范化）", form=False, export=False))
    cip_key: Mapped[str | None] = mapped_column(String(10), index=True,
                                                info=meta("CIP 核字号（规范化）", form=False, export=False))

    application: Mapped[Application] = relationship(back_populates="books")


@_child("发表作品", "publications")
class Publication(ChildRow, db.Model):
    __tablename__ = "publications"
    __table_args__ = (
        CheckConstraint("word_count IS NULL OR word_count >= 0", name="word_count_nonneg"),
        CheckConstraint("poem_lines IS NULL OR poem_lines >= 0", name="poem_lines_nonneg"),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="", info=meta("作品名称", required=True))
    venue: Mapped[str | None] = mapped_column(String(100), info=meta("刊物或报纸名称", required=True))
    circulation: Mapped[Circulation | None] = mapped_column(enum_type(Circulation, "circulation"),
                                                            info=meta("发行范围"))
    # Independent levels (issue 13.6): 《花城》 is 省级及以上, 中文核心期刊 and 全国重点文学期刊 at once.
    level_provincial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                                   info=meta("省级及以上"))
    level_core: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                             info=meta("中文核心期刊"))
    level_national_key: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                                     info=meta("全国重点文学期刊"))
    issue: Mapped[str | None] = mapped_column(String(50), info=meta("期号/日期"))
    published_on: Mapped[dt.date | None] = mapped_column(Date, info=meta("发表时间"))
    genre: Mapped[str | None] = mapped_column(String(30), info=meta("体裁"))
    word_count: Mapped[int | None] = mapped_column(Integer, info=meta("字数"))
    poem_lines: Mapped[int | None] = mapped_column(Integer, info=meta("诗歌行数"))
    is_translation: Mapped[bool] = mapped_column(Boolean, default=False, info=meta("翻译作品"))
    is_criticism: Mapped[bool] = mapped_column(Boolean, default=False, info=meta("理论批评作品"))
    # Digest of the normalised title + journal + issue for 作品重复申报 (integrity.py sets it on every flush).
    piece_key: Mapped[str | None] = mapped_column(String(32), index=True,
                                                  info=meta("作品键（规范化）", form=False, export=False))

    application: Mapped[Application] = relationship(back_populates="publications")

    @property
    def counted_characters(self) -> int:
        """字数, with poems given in lines counted at 10 lines = 1000 characters (诗歌按10行1000字计)."""
        if self.poem_lines:
            return self.poem_lines * 100
        return self.word_count or 0


@_child("网络作品", "web_works")
class WebWork(ChildRow, db.Model):
    __tablename__ = "web_works"
    __table_args__ = (
        CheckConstraint("word_count IS NULL OR word_count >= 0", name="word_count_nonneg"),
        CheckConstraint("avg_subscriptions IS NULL OR avg_subscriptions >= 0", name="subs_nonneg"),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="", info=meta("作品名称", required=True))
    site: Mapped[str | None] = mapped_column(String(100), info=meta("发表网站", required=True))
    site_licensed: Mapped[bool] = mapped_column(Boolean, default=True, info=meta("网站持有出版许可证"))
    word_count: Mapped[int | None] = mapped_column(Integer, info=meta("字数", required=True))
    avg_subscriptions: Mapped[int | None] = mapped_column(Integer, info=meta("平均订阅量"))
    completed: Mapped[bool] = mapped_column(Boolean, default=False, info=meta("完本"))
    original: Mapped[bool] = mapped_column(Boolean, default=True, info=meta("原创"))
    published_on: Mapped[dt.date | None] = mapped_column(Date, info=meta("发表时间"))

    application: Mapped[Application] = relationship(back_populates="web_works")


@_child("影视戏剧作品", "film_works")
class FilmWork(ChildRow, db.Model):
    __tablename__ = "film_works"
    __table_args__ = (CheckConstraint("word_count IS NULL OR word_count >= 0", name="word_count_nonneg"),)

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="", info=meta("作品名称", required=True))
    producer: Mapped[str | None] = mapped_column(String(100), info=meta("出品/首播/演出单位", required=True))
    kind: Mapped[str | None] = mapped_column(String(20), info=meta("类型（电影/电视剧/戏剧）"))
    premiered_on: Mapped[dt.date | None] = mapped_column(Date, info=meta("公映/公演时间"))
    screened: Mapped[bool] = mapped_column(Boolean, default=True, info=meta("已公映/公演"))
    word_count: Mapped[int | None] = mapped_column(Integer, info=meta("字数"))

    application: Mapped[Application] = relationship(back_populates="film_works")


@_child("获奖情况", "awards")
class Award(ChildRow, db.Model):
    __tablename__ = "awards"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="", info=meta("奖项名称", required=True))
    work: Mapped[str | None] = mapped_column(String(200), info=meta("获奖作品"))
    level: Mapped[str | None] = mapped_column(String(30), info=meta("奖项级别"))
    grantor: Mapped[str | None] = mapped_column(String(100), info=meta("颁奖单位"))
    year: Mapped[int | None] = mapped_column(Integer, info=meta("获奖年份"))

    application: Mapped[Application] = relationship(back_populates="awards")


@_child("作品转载、评论", "reprints")
class Reprint(ChildRow, db.Model):
    __tablename__ = "reprints"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="", info=meta("作品/评论名称", required=True))
    venue: Mapped[str | None] = mapped_column(String(100), info=meta("转载/评论刊物", required=True))
    kind: Mapped[str | None] = mapped_column(String(10), info=meta("类型（转载/评论）"))
    national_key: Mapped[bool] = mapped_column(Boolean, default=False, info=meta("全国重点文学期刊"))
    published_on: Mapped[dt.date | None] = mapped_column(Date, info=meta("时间"))

    application: Mapped[Application] = relationship(back_populates="reprints")


@_child("推荐人", "recommenders")
class Recommender(ChildRow, db.Model):
    __tablename__ = "recommenders"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50), default="", info=meta("推荐人姓名", required=True))
    member_no: Mapped[str | None] = mapped_column(String(30), info=meta("会员证号", required=True))
    employer: Mapped[str | None] = mapped_column(String(100), info=meta("工作单位"))

    application: Mapped[Application] = relationship(back_populates="recommenders")


@_child("申报材料清单", "materials", form=False)
class MaterialItem(ChildRow, db.Model):
    __tablename__ = "material_items"
    __table_args__ = (CheckConstraint("copies >= 0", name="copies_nonneg"),)

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="", info=meta("材料名称"))
    copies: Mapped[int] = mapped_column(Integer, default=1, info=meta("份数"))
    original: Mapped[bool] = mapped_column(Boolean, default=False, info=meta("原件"))
    unit_received_at: Mapped[dt.date | None] = mapped_column(Date, info=meta("团体会员收到日期"))
    unit_received_by: Mapped[str | None] = mapped_column(String(50), info=meta("团体会员经手人"))
    office_received_at: Mapped[dt.date | None] = mapped_column(Date, info=meta("会员处收到日期"))
    office_received_by: Mapped[str | None] = mapped_column(String(50), info=meta("会员处经手人"))

    application: Mapped[Application] = relationship(back_populates="materials")


CHILD_MODELS = (Book, Publication, WebWork, FilmWork, Award, Reprint, Recommender, MaterialItem)


# ---------------------------------------------------------------- messages and audit


class Message(TimestampMixin, db.Model):
    """站内信."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_recipient_read", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, info=meta("收件人"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=meta("发件人"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True,
                                                       info=meta("相关申请"))
    subject: Mapped[str] = mapped_column(String(200), info=meta("主题", list=True, search=True))
    body: Mapped[str] = mapped_column(Text, default="", info=meta("内容"))
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("阅读时间", list=True))

    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    sender: Mapped[User | None] = relationship(foreign_keys=[sender_id])

    @classmethod
    def unread_count(cls, recipient_id):
        """SELECT the number of unread 站内信 of ``recipient_id`` (a value, or ``User.id`` to correlate)."""
        return select(func.count(cls.id)).where(cls.recipient_id == recipient_id, cls.read_at.is_(None))


class AuditEvent(db.Model):
    """操作记录 — append-only: the console never edits or deletes these rows."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True,
                                                    info=meta("时间", list=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True,
                                                 info=meta("操作人", filter=True))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=meta("代为操作账户"))
    action: Mapped[str] = mapped_column(String(50), index=True, info=meta("操作", list=True, filter=True))
    target_type: Mapped[str] = mapped_column(String(50), info=meta("对象类型", list=True, filter=True))
    target_id: Mapped[int | None] = mapped_column(Integer, info=meta("对象编号", list=True))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True,
                                                       info=meta("相关申请"))
    from_state: Mapped[str | None] = mapped_column(String(32), info=meta("原状态", list=True))
    to_state: Mapped[str | None] = mapped_column(String(32), info=meta("新状态", list=True))
    before: Mapped[dict | None] = mapped_column(JSON, info=meta("修改前"))
    after: Mapped[dict | None] = mapped_column(JSON, info=meta("修改后"))
    reason: Mapped[str | None] = mapped_column(Text, info=meta("意见/理由", list=True, search=True))
    ip: Mapped[str | None] = mapped_column(String(45), info=meta("IP 地址", list=True))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])


# ---------------------------------------------------------------- CIP (SPEC §5)


class CipRecord(db.Model):
    """在版编目数据 — one CIP record, imported locally or cached from the HTTP source."""

    __tablename__ = "cip_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    cip_no: Mapped[str | None] = mapped_column(String(16), unique=True,
                                               info=meta("CIP 核字号", list=True, search=True))
    isbn: Mapped[str | None] = mapped_column(String(13), index=True, info=meta("ISBN", list=True, search=True))
    title: Mapped[str] = mapped_column(String(200), info=meta("正书名", list=True, search=True))
    subtitle: Mapped[str | None] = mapped_column(String(200), info=meta("副书名"))
    parallel_title: Mapped[str | None] = mapped_column(String(200), info=meta("并列书名"))
    first_author: Mapped[str | None] = mapped_column(String(100), info=meta("第一著作责任者", list=True, search=True))
    other_authors: Mapped[str | None] = mapped_column(String(200), info=meta("其他著作责任者"))
    responsibility_mode: Mapped[str | None] = mapped_column(String(20), info=meta("著作方式", list=True))
    edition: Mapped[str | None] = mapped_column(String(50), info=meta("版本"))
    pub_place: Mapped[str | None] = mapped_column(String(50), info=meta("出版地"))
    publisher: Mapped[str | None] = mapped_column(String(100), info=meta("出版者", list=True))
    pub_date: Mapped[str | None] = mapped_column(String(20), info=meta("出版日期"))
    clc: Mapped[str | None] = mapped_column(String(30), info=meta("中图分类号", list=True))
    subjects: Mapped[str | None] = mapped_column(Text, info=meta("主题词"))
    source: Mapped[str] = mapped_column(String(20), default="local", info=meta("来源", filter=True))
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, info=meta("获取时间"))


# ---------------------------------------------------------------- experts, secretariat, notice (SPEC §4)


class ExpertProfile(db.Model):
    """专家库 — the profile of a user with role ``expert``."""

    __tablename__ = "expert_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True, info=meta("专家账户"))
    categories: Mapped[str] = mapped_column(String(200), default="", info=meta("可审读门类（逗号分隔）"))
    term_start: Mapped[dt.date] = mapped_column(Date, info=meta("任期开始", list=True))
    term_end: Mapped[dt.date] = mapped_column(Date, info=meta("任期结束", list=True))
    work_unit: Mapped[str | None] = mapped_column(String(200), info=meta("工作单位"))
    relatives: Mapped[str | None] = mapped_column(Text, info=meta("直系亲属姓名（逗号分隔）"))

    user: Mapped[User] = relationship()

    def category_list(self) -> list[str]:
        return [c.strip() for c in (self.categories or "").split(",") if c.strip()]

    def available_on(self, day: dt.date) -> bool:
        return self.term_start <= day <= self.term_end and self.user.active


class ExpertGroup(TimestampMixin, db.Model):
    """咨询组 — the experts reading one 门类 in one cycle."""

    __tablename__ = "expert_groups"
    __table_args__ = (UniqueConstraint("cycle_id", "category", name="uq_expert_groups_cycle_category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True, info=meta("年度"))
    category: Mapped[Category] = mapped_column(enum_type(Category, "category"), info=meta("门类", list=True))
    draw_seed: Mapped[str | None] = mapped_column(String(64), info=meta("随机抽取种子"))
    vote_closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("投票截止时间", list=True))

    cycle: Mapped[Cycle] = relationship()
    members: Mapped[list[ExpertGroupMember]] = relationship(cascade="all, delete-orphan")


class ExpertGroupMember(db.Model):
    __tablename__ = "expert_group_members"
    __table_args__ = (UniqueConstraint("group_id", "expert_id", name="uq_expert_group_members_group_expert"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("expert_groups.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    expert: Mapped[User] = relationship()


class Recusal(TimestampMixin, db.Model):
    """回避 — an expert who must not see or vote on an application."""

    __tablename__ = "recusals"
    __table_args__ = (UniqueConstraint("application_id", "expert_id", name="uq_recusals_application_expert"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[RecusalReason] = mapped_column(enum_type(RecusalReason, "recusal_reason"),
                                                  info=meta("回避原因"))
    note: Mapped[str | None] = mapped_column(Text, info=meta("说明"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Vote(TimestampMixin, db.Model):
    """专家投票 — secret: only tallies leave the office's screens."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("application_id", "expert_id", name="uq_votes_application_expert"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    choice: Mapped[VoteChoice] = mapped_column(enum_type(VoteChoice, "vote_choice"), info=meta("投票"))
    reading_note: Mapped[str | None] = mapped_column(Text, info=meta("审读意见"))


class Notice(TimestampMixin, db.Model):
    """公示 — one week on the public site."""

    __tablename__ = "notices"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="notice_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True, info=meta("年度"))
    starts_on: Mapped[dt.date] = mapped_column(Date, info=meta("公示开始", list=True))
    ends_on: Mapped[dt.date] = mapped_column(Date, info=meta("公示结束", list=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("结束处理时间", list=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("公布时间", list=True))

    cycle: Mapped[Cycle] = relationship()


class Objection(TimestampMixin, db.Model):
    """异议 — reported during the notice, checked by the office, decided by the secretariat."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    reporter: Mapped[str | None] = mapped_column(String(100), info=meta("反映人"))
    content: Mapped[str] = mapped_column(Text, info=meta("反映问题"))
    # From the public page (issue 15.4): the reporter's contact is for the office and the supervisor only.
    source: Mapped[ObjectionSource] = mapped_column(enum_type(ObjectionSource, "objection_source"),
                                                    default=ObjectionSource.office, nullable=False,
                                                    info=meta("来源"))
    contact: Mapped[str | None] = mapped_column(String(100), info=meta("联系方式"))
    receipt_no: Mapped[str | None] = mapped_column(String(20), unique=True, info=meta("受理编号"))
    check_note: Mapped[str | None] = mapped_column(Text, info=meta("核查情况"))
    upheld: Mapped[bool | None] = mapped_column(Boolean, info=meta("书记处认定属实"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("认定时间"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# ---------------------------------------------------------------- notifications outside the console (issue 15.5)


class OutboxState(_enum.Enum):
    """发送状态 of an outbox message; labels are what the office reads."""

    pending = "pending"
    sent = "sent"
    retrying = "retrying"
    failed = "failed"

    @property
    def label(self) -> str:
        return {"pending": "待发送", "sent": "已发送", "retrying": "重试中", "failed": "失败"}[self.value]


class OutboxChannel(_enum.Enum):
    email = "email"
    sms = "sms"

    @property
    def label(self) -> str:
        return {"email": "电子邮件", "sms": "短信"}[self.value]


class OutboxTemplate(TimestampMixin, db.Model):
    """通知模板 — IT's wording of one message kind (defaults in ``outbox.DEFAULT_TEMPLATES``)."""

    __tablename__ = "outbox_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), unique=True, info=meta("通知类型", list=True))
    subject: Mapped[str] = mapped_column(String(200), info=meta("邮件主题", list=True))
    body: Mapped[str] = mapped_column(Text, info=meta("正文"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=meta("修改人", form=False))


class OutboxMessage(TimestampMixin, db.Model):
    """待发通知 — one e-mail or SMS, queued in the transaction of its event, sent by ``wxk send-outbox``."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_state_next", "state", "next_attempt_at"),
                      CheckConstraint("attempts >= 0", name="attempts_nonneg"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True, info=meta("通知类型", list=True, filter=True))
    channel: Mapped[OutboxChannel] = mapped_column(enum_type(OutboxChannel, "outbox_channel"),
                                                   info=meta("发送方式", list=True, filter=True))
    recipient: Mapped[str] = mapped_column(String(120), info=meta("收件人"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True,
                                                       info=meta("相关申请"))
    subject: Mapped[str] = mapped_column(String(200), default="", info=meta("主题"))
    body: Mapped[str] = mapped_column(Text, default="", info=meta("内容"))
    state: Mapped[OutboxState] = mapped_column(enum_type(OutboxState, "outbox_state"), default=OutboxState.pending,
                                               info=meta("发送状态", list=True, filter=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False, info=meta("尝试次数", list=True))
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("下次尝试", list=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, info=meta("发送时间", list=True))
    sent_via: Mapped[str | None] = mapped_column(String(16), info=meta("发送通道"))
    last_error: Mapped[str | None] = mapped_column(Text, info=meta("最近错误", list=True))

    application: Mapped[Application | None] = relationship()
