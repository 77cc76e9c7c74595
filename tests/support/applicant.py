"""Shared data for the applicant and proxy tests: a valid application as the form posts it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from wxk_admin.enums import Category, Track
from wxk_admin.models import Application, CipRecord, db

BIRTH = dt.date(1980, 5, 12)
ISBN = "9787020024759"


def id_number(birth: dt.date = BIRTH, area: str = "110105", seq: str = "123") -> str:
    body = f"{area}{birth:%Y%m%d}{seq}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


ID = id_number()

VALID = {
    "name": "张晓河",
    "pen_name": "北岸",
    "gender": "male",
    "ethnicity": "汉族",
    "birth_date": BIRTH.isoformat(),
    "id_number": ID,
    "employer_and_post": "某中学教师",
    "mobile": "13812345678",
    "email": "zxh@example.cn",
    "postcode": "100020",
    "track": "creation",
    "category": "novel",
    "style": "长篇小说",
    "books-0-title": "河流的故乡",
    "books-0-publisher": "作家出版社",
    "books-0-publisher_level": "provincial",
    "books-0-published_on": "2016-05-01",
    "books-0-isbn": ISBN,
    "books-0-cip_no": "(2016)第189798号",
    "books-0-word_count_k": "210",
    "books-0-responsibility": "sole",
    "books-0-is_literary": "y",
    "books-0-mainland": "y",
    "publications-0-title": "渡口",
    "publications-0-venue": "人民文学",
    "publications-0-circulation": "public",
    "publications-0-level_provincial": "y",
    "publications-0-level_core": "y",
    "publications-0-level_national_key": "y",
    "publications-0-issue": "2019年第3期",
    "publications-0-word_count": "12000",
}

FORM = "/admin/my-application/form/"
HOME = "/admin/my-application/"


def editable_as_it_stands(app) -> None:
    """A creative-track novelist with a consistent ID and birth date, so that 修改信息's form validates as the
    application stands (the factories' random data may not)."""
    app.birth_date, app.id_number = BIRTH, ID
    app.track, app.category, app.style = Track.creation, Category.novel, "长篇小说"


def cip_record(title="河流的故乡", author="张晓河", publisher="作家出版社", isbn=ISBN, cip_no="2016189798"):
    """The CIP record matching the book of VALID, so that submission's CIP check passes."""
    record = CipRecord(cip_no=cip_no, isbn=isbn, title=title, first_author=author, responsibility_mode="著",
                       publisher=publisher, pub_place="北京", pub_date="2016.05", clc="I247.5", source="local")
    db.session.add(record)
    db.session.commit()
    return record


def post_form(client, data: dict, action: str = "draft", *, app_id=None, version=None, follow=True):
    payload = dict(data)
    payload["action"] = action
    if version is not None:
        payload["version"] = str(version)
    url = FORM + (f"?id={app_id}" if app_id else "")
    return client.post(url, payload, token_from=HOME, follow_redirects=follow)


def assert_listed_for_unit_a_only(client, name: str = "张晓河") -> None:
    """Unit A's admin finds ``name`` in 申请入会管理, unit B's does not (the client ends logged in as admin_b)."""
    client.login("admin_a")
    assert name in client.text("/admin/applications/")
    client.logout()
    client.login("admin_b")
    assert name not in client.text("/admin/applications/")


def application_of(user) -> Application | None:
    db.session.expire_all()
    return db.session.scalars(select(Application).where(Application.applicant_id == user.id)
                              .order_by(Application.id.desc())).first()


def new_applicant(username: str = "zhang", unit=None, full_name: str = "张晓河"):
    """An applicant with no application yet (the world's applicants already have one)."""
    from wxk_admin.enums import Role

    from .factories import make_user

    user = make_user(db.session, username, Role.applicant, unit, full_name=full_name)
    db.session.commit()
    return user
