"""Issue 4 in a real browser — guide 四: 新增账户 → 退出 → 用新增的用户名和密码登录 → 填写入会申请 → 提交 → 申请入会管理."""
import pytest
from sqlalchemy import select

from wxk_admin.enums import Status
from wxk_admin.models import Application, User, db

from ..support.applicant import BIRTH, ID, ISBN, cip_record
from ..support.browser import browser_login, browser_logout

pytestmark = pytest.mark.browser


def test_proxy_journey(page, world):
    cip_record()
    browser_login(page, "admin_a")
    page.click("nav >> text=代申请账户")
    page.click("#new-proxy")
    page.fill("#username", "daitian_b")
    page.fill("#password", "Dai-tian-2027")
    page.fill("#password2", "Dai-tian-2027")
    page.click("#create-proxy")
    page.wait_for_load_state("networkidle")
    assert page.locator("#shown-username").inner_text() == "daitian_b"
    steps = page.locator("#proxy-next-steps").inner_text()
    assert "退出" in steps and "用新增的用户名和密码登录" in steps
    browser_logout(page)

    browser_login(page, "daitian_b", "Dai-tian-2027")
    assert "/admin/my-application/" in page.url  # the applicant's home
    page.click("#fill-link")
    page.fill("#name", "张晓河")
    page.select_option("#gender", "male")
    page.fill("#birth_date", BIRTH.isoformat())
    page.fill("#id_number", ID)
    page.fill("#mobile", "13812345678")
    page.select_option("#track", "creation")
    page.select_option("#category", "novel")
    page.fill("#style", "长篇小说")
    page.fill("#books-0-title", "河流的故乡")
    page.fill("#books-0-publisher", "作家出版社")
    page.select_option("#books-0-publisher_level", "provincial")
    page.fill("#books-0-published_on", "2016-05-01")
    page.fill("#books-0-isbn", ISBN)
    page.fill("#books-0-cip_no", "(2016)第189798号")
    page.fill("#books-0-word_count_k", "210")
    page.select_option("#books-0-responsibility", "sole")
    # 添加一行 (JavaScript clones a row with the next number)
    page.click("button.add-row[data-section='awards']")
    page.fill("#awards-2-name", "某省文学奖")
    page.fill("#awards-2-year", "2019")
    page.click("#btn-submit")
    page.wait_for_load_state("networkidle")
    assert "申请已提交" in page.content(), page.locator("body").inner_text()[:2000]
    assert page.locator("#status-text").inner_text() == "待团体会员审核"

    db.session.expire_all()
    proxy = db.session.scalar(select(User).where(User.username == "daitian_b"))
    app = db.session.scalar(select(Application).where(Application.applicant_id == proxy.id))
    assert app.status == Status.submitted and [a.name for a in app.awards] == ["某省文学奖"]
    browser_logout(page)

    browser_login(page, "admin_a")
    page.click("nav >> text=申请入会管理")
    page.wait_for_load_state("networkidle")
    assert "张晓河" in page.locator("table.model-list").inner_text()
