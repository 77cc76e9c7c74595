"""Issue 14: the 入会申请表 as a PDF form — content, pages, header, photo box, signature boxes, downloads."""
from __future__ import annotations

from wxk_admin.documents.pdf import PHOTO_BOX_MM
from wxk_admin.enums import Status
from wxk_admin.extensions import db

from ..support.documents import LONG_EMPLOYER, long_application
from ..support.pdf import compact, page_count, page_image, pdf_text

INTERNAL = ("资格初审", "不符合条件", "发表作品字数不足（内部）", "CIP 存疑", "CIP核验", "同意推荐（内部意见）",
            "团体会员意见", "状态", "会员处已确认")


def _form_pdf(client, app_id):
    r = client.get(f"/admin/documents/form.pdf?id={app_id}")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    return r


def test_pdf_holds_every_label_and_value_and_nothing_internal(client, world, profile):
    app = long_application(db.session, world)
    client.login("admin_a")
    r = _form_pdf(client, app.id)
    assert "%E6%AC%A7%E9%98%B3%E9%95%BF%E7%AF%87%E5%85%A5%E4%BC%9A%E7%94%B3%E8%AF%B7%E8%A1%A8.pdf" in \
        r.headers["Content-Disposition"]  # 欧阳长篇入会申请表.pdf
    text = compact(pdf_text(r.data))
    for expected in (profile.form.title, "一、个人信息", "二、申报类别", "三、出版专集", "四、发表作品",
                     "五、网络作品", "六、影视戏剧作品", "七、获奖情况", "八、作品转载、评论", "九、声明及推荐意见",
                     "姓名", "欧阳长篇", "身份证号", app.id_number, "工作单位及职务", LONG_EMPLOYER, "移动电话",
                     app.mobile, "出生日期", app.birth_date.isoformat(), "门类", profile.label(app.category), "甲省作家协会",
                     "申请序列号", app.serial_no, "书名", "ISBN", "CIP核字号", "刊物或报纸名称", "网站持有出版许可证",
                     "星河彼岸", "起点中文网", "小镇春秋", "某某省五个一工程奖", "评《长河落日》", "两寸证件照",
                     "根据网上申请内容生成，不可修改"):
        assert compact(expected) in text, expected
    for book in app.books:
        for value in (book.title, book.isbn, book.cip_no, book.published_on.isoformat(), str(book.word_count_k)):
            assert compact(value) in text, value
    for publication in app.publications:
        assert compact(publication.title) in text and publication.issue in text
    # ISBN, CIP number and dates each on one line of the page
    lines = pdf_text(r.data).splitlines()
    for book in app.books:
        assert any(book.isbn in line for line in lines) and any(book.cip_no in line for line in lines)
    for word in map(profile.say, INTERNAL):
        assert compact(word) not in text, word


def test_signature_boxes_unit_route_and_direct_route(client, world, profile):
    unit_app = long_application(db.session, world, books=1, publications=1)
    client.login("admin_a")
    text = compact(pdf_text(_form_pdf(client, unit_app.id).data))
    declaration = compact(profile.form.declaration) or "所列作品均为本人创作"  # the association's own, else ours
    for label in ("申请人声明", declaration, "申请人签名：", "日期：", "团体会员单位推荐意见", "（盖章）",
                  "负责人签名：", profile.say("会员处"), "收到日期：", "经办人："):
        assert label in text, label
    assert "推荐人一" not in text

    direct = long_application(db.session, world, key="direct_long", unit=None, books=1, publications=1,
                              name="直报长篇")
    names = [r.name for r in direct.recommenders]
    client.logout()
    client.login("office")
    text = compact(pdf_text(_form_pdf(client, direct.id).data))
    for label in ("推荐人一意见", "推荐人二意见", "推荐人签名：", "会员证号：", "申请人签名：", "收到日期：", "经办人：",
                  f"直接申报（{profile.rules.direct_route}）", *names):
        assert label in text, label
    assert "团体会员单位推荐意见" not in text and "（盖章）" not in text


def test_long_application_runs_to_several_pages_with_the_header_on_each(client, world, profile):
    app = long_application(db.session, world, books=12, publications=45)
    client.login("it")
    data = _form_pdf(client, app.id).data
    pages = page_count(data)
    assert pages >= 3
    for page in range(1, pages + 1):
        text = compact(pdf_text(data, page))
        assert profile.form.title in text and "姓名：欧阳长篇" in text, page
        assert f"申请序列号：{app.serial_no}" in text and f"第{page}页共{pages}页" in text, page


def test_a_typical_application_is_two_pages(client, world):
    client.login("admin_a")
    data = _form_pdf(client, world.apps["a_submitted"].id).data
    assert page_count(data) == 2
    text = compact(pdf_text(data))
    assert "第1页共2页" in text and "第2页共2页" in text
    assert "五、网络作品无" in text  # an empty section: one line saying 无


def test_page_one_is_not_blank_and_has_the_photo_box_where_declared(client, world):
    app = long_application(db.session, world)
    client.login("admin_a")
    dpi = 72
    image = page_image(_form_pdf(client, app.id).data, 1, dpi)
    assert abs(image.size[0] - 210 / 25.4 * dpi) <= 1 and abs(image.size[1] - 297 / 25.4 * dpi) <= 1  # A4
    pixels = image.load()
    width, height = image.size
    dark = sum(1 for x in range(width) for y in range(height) if pixels[x, y] < 128)
    assert dark > 0.02 * width * height  # text and rules: not a blank page

    def px(mm):
        return round(mm / 25.4 * dpi)

    left, top = px(PHOTO_BOX_MM["left"]), px(PHOTO_BOX_MM["top"])
    right, bottom = px(PHOTO_BOX_MM["left"] + PHOTO_BOX_MM["width"]), px(PHOTO_BOX_MM["top"] + PHOTO_BOX_MM["height"])

    def dark_near(x, y):
        return any(pixels[x + dx, y + dy] < 190 for dx in (-1, 0, 1) for dy in (-1, 0, 1))

    for y in range(top + 3, bottom - 3, 5):  # the left and right borders
        assert dark_near(left, y) and dark_near(right, y), y
    for x in range(left + 3, right - 3, 5):  # the top and bottom borders
        assert dark_near(x, top) and dark_near(x, bottom), x
    inside_top = [pixels[x, y] for x in range(left + 4, right - 4) for y in range(top + 4, top + px(12))]
    assert min(inside_top) > 200  # empty room for the photo above its caption
    just_left = [pixels[left - 3, y] for y in range(top + 4, bottom - 4)]
    assert min(just_left) > 200  # nothing of the personal table runs under the photo


def test_applicant_downloads_the_pdf_only_after_office_confirmation(client, world, profile):
    app = world.apps["a_submitted"]
    client.login("appl_a")
    r = client.get(f"/admin/documents/form.pdf?id={app.id}", follow_redirects=True)
    assert profile.say("会员处确认后才能下载申请表和申报材料清单") in r.get_data(as_text=True)
    assert not r.data.startswith(b"%PDF")
    app.status = Status.office_confirmed  # test fixture: the office has confirmed
    db.session.commit()
    assert "下载申请表（PDF）" in client.text(f"/admin/my-application/?id={app.id}")
    text = compact(pdf_text(_form_pdf(client, app.id).data))
    assert "甲一" in text and "申请人签名：" in text
    assert client.get(f"/admin/documents/form.pdf?id={world.apps['b_submitted'].id}").status_code == 404


def test_reviewers_download_in_their_scope_only(client, world):
    client.login("admin_a")
    details = client.text(f"/admin/applications/details/?id={world.apps['a_submitted'].id}")
    assert "下载申请表（PDF）" in details
    assert client.get(f"/admin/documents/form.pdf?id={world.apps['b_submitted'].id}").status_code == 404
    assert client.get("/admin/documents/form.pdf?id=abc").status_code == 404


def test_batch_download_is_one_pdf_sorted_by_serial_number_in_scope(client, world):
    first = long_application(db.session, world, key="first", books=1, publications=1, name="排第一",
                             serial_no=f"{world.cycle.year}-000001")
    second = long_application(db.session, world, key="second", books=1, publications=1, name="排第二",
                              serial_no=f"{world.cycle.year}-000002")
    other = world.apps["b_submitted"]
    client.login("admin_a")
    r = client.post("/admin/applications/action/",
                    [("action", "batch_form_pdf"), ("rowid", str(second.id)), ("rowid", str(first.id)),
                     ("rowid", str(other.id))], token_from="/admin/applications/")
    assert r.status_code == 200 and r.data.startswith(b"%PDF"), r.get_data(as_text=True)[:300]
    text = compact(pdf_text(r.data))
    assert text.index("姓名：排第一") < text.index("姓名：排第二")
    assert other.name not in text
    pages = page_count(r.data)
    assert pages == 4  # two forms of two pages, each numbered on its own
    assert "第2页共2页" in compact(pdf_text(r.data, 2)) and "第1页共2页" in compact(pdf_text(r.data, 3))


def test_markup_in_an_application_is_printed_as_text_and_loads_nothing(client, world, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容")
    app = world.apps["a_submitted"]
    app.pen_name = "<b>粗体</b>"
    app.employer_and_post = f'<img src="file://{secret}"><iframe src="file://{secret}">'[:200]
    app.address = f'<link rel="stylesheet" href="file://{secret}">'[:200]
    db.session.commit()
    client.login("admin_a")
    text = compact(pdf_text(_form_pdf(client, app.id).data))
    assert compact("<b>粗体</b>") in text and "机密内容" not in text


def test_batch_pdf_starts_each_form_on_a_new_sheet_for_double_sided_printing(client, world):
    long = long_application(db.session, world, key="odd", books=3, publications=20, name="长表",
                            serial_no=f"{world.cycle.year}-000001")
    short = long_application(db.session, world, key="even", books=1, publications=1, name="短表",
                             serial_no=f"{world.cycle.year}-000002")
    client.login("admin_a")
    long_pages = page_count(_form_pdf(client, long.id).data)
    short_pages = page_count(_form_pdf(client, short.id).data)
    assert long_pages % 2 == 1 and short_pages == 2  # the case to show
    r = client.post("/admin/applications/action/", [("action", "batch_form_pdf"), ("rowid", str(long.id)),
                                                     ("rowid", str(short.id))], token_from="/admin/applications/")
    assert page_count(r.data) == long_pages + 1 + short_pages
    assert compact(pdf_text(r.data, long_pages + 1)) == ""  # the back of the long form's last sheet
    assert "姓名：短表" in compact(pdf_text(r.data, long_pages + 2))


def test_batch_download_refuses_more_than_the_limit_with_a_message(client, world, monkeypatch):
    from wxk_admin.views import documents

    monkeypatch.setattr(documents, "BATCH_LIMIT", 1)
    second = long_application(db.session, world, key="second", books=1, publications=1, name="第二份")
    client.login("admin_a")
    r = client.post("/admin/applications/action/", [("action", "batch_form_pdf"),
                                                     ("rowid", str(world.apps["a_submitted"].id)),
                                                     ("rowid", str(second.id))],
                    token_from="/admin/applications/", follow_redirects=True)
    assert not r.data.startswith(b"%PDF")
    assert "一次最多下载 1 份申请表，已选 2 份，请分批选择" in r.get_data(as_text=True)
    r = client.post("/admin/applications/action/", [("action", "batch_form_pdf"), ("rowid", "x")],
                    token_from="/admin/applications/", follow_redirects=True)
    assert not r.data.startswith(b"%PDF") and "请先选择要下载的申请" in r.get_data(as_text=True)
