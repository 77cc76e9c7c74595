"""Issue 13.1 / 13.6 / 13.7 in a real browser: an applicant born before their district existed ticks several
levels of one journal and submits; the flash says it once; the unit admin reads where the piece counts."""
import datetime as dt

import pytest

from wxk_admin.domain import applying
from wxk_admin.domain.audit import Actor
from wxk_admin.enums import Status
from wxk_admin.models import db

from ..support.applicant import VALID, application_of, cip_record, new_applicant
from ..support.browser import browser_login

pytestmark = pytest.mark.browser


def test_applicant_ticks_every_level_of_a_journal_and_submits(page, world):
    cip_record()
    person = new_applicant(unit=world.unit_a)
    draft_values = {k: v for k, v in VALID.items() if not k.startswith("publications-0-level_")}
    draft_values.update({"birth_date": "1957-04-18", "id_number": "440106195704187378",  # 天河区 exists from 1985
                         "publications-0-title": "花城里的河", "publications-0-venue": "花城"})
    application = applying.start_application(db.session, Actor(person), world.cycle)
    rows: dict = {}
    for key, value in draft_values.items():
        section, _, rest = key.partition("-0-")
        if rest:
            rows.setdefault(section, {})[rest] = value
        else:
            rows[key] = value
    applying.save_draft(db.session, application, {k: ([v] if isinstance(v, dict) else v) for k, v in rows.items()},
                        Actor(person))
    db.session.commit()

    browser_login(page, "zhang")
    page.goto("/admin/my-application/form/")
    for box in ("#publications-0-level_provincial", "#publications-0-level_core", "#publications-0-level_national_key"):
        assert not page.is_checked(box)
        page.check(box)
    page.click("#btn-submit")
    page.wait_for_load_state("networkidle")
    flashes = page.locator(".alert-dismissable").all_inner_texts()
    assert [f.replace("×", "").strip() for f in flashes] == ["申请已提交，等待所属团体会员审核，结果将以站内信通知。"]
    submitted = application_of(person)
    assert submitted.status == Status.submitted and submitted.birth_date == dt.date(1957, 4, 18)
    pub = submitted.publications[0]
    assert pub.level_provincial and pub.level_core and pub.level_national_key
    assert "保存草稿" not in page.content()

    page.click("#logout-button")
    browser_login(page, "admin_a")
    page.goto(f"/admin/applications/details/?id={submitted.id}")
    counted = page.locator("#eligibility-counted").inner_text()
    assert "发表作品《花城里的河》（12,000 字）计入：报刊发表、省级及以上发表、中文核心期刊、全国重点文学期刊" in counted
