"""A long application for the document tests: every section filled, long texts, many rows."""
from __future__ import annotations

import datetime as dt
import zlib

from wxk_admin.enums import Eligibility, Status
from wxk_admin.models import Award, Book, FilmWork, Publication, Reprint, WebWork

from .factories import make_app

LONG_EMPLOYER = "某某省某某市文学艺术界联合会创作研究室暨文学期刊编辑部副主任兼文学评论专业委员会秘书长"


def long_application(session, world, key="long", unit="a", books=9, publications=30, **kw):
    """An application of several pages: many books and publications, a web work, a film, awards, reprints."""
    unit_obj = {"a": world.unit_a, "b": world.unit_b, None: None}[unit]
    applicant = {"a": world.users["appl_a"], "b": world.users["appl_b"], None: world.users["appl_direct"]}[unit]
    app = make_app(session, world, key, unit_obj, applicant, kw.pop("status", Status.office_confirmed),
                   name=kw.pop("name", "欧阳长篇"), **kw)
    app.serial_no = app.serial_no or f"{world.cycle.year}-{zlib.crc32(key.encode()) % 1_000_000:06d}"
    app.employer_and_post = LONG_EMPLOYER
    app.eligibility = Eligibility.not_eligible
    app.eligibility_note = "发表作品字数不足（内部）"
    app.cip_flagged = True
    app.unit_opinion = "同意推荐（内部意见）"
    app.books[:] = [Book(position=i, title=f"长河落日第{i + 1}部：一部关于江南小镇三代人命运的长篇小说",
                         publisher="人民文学出版社", published_on=dt.date(2015 + i % 9, 1 + i % 12, 1),
                         isbn=f"97875648844{i % 10}{(i * 7) % 10}", cip_no=f"2016{189790 + i:06d}",
                         word_count_k=300 + i, genre="长篇小说", cip_status="not_found")
                    for i in range(books)]
    app.publications[:] = [Publication(position=i, title=f"散文《故乡的河》之{i + 1}", venue="人民文学",
                                       issue=f"2020年第{1 + i % 12}期", published_on=dt.date(2020, 1 + i % 12, 5),
                                       genre="散文", word_count=8000 + i)
                           for i in range(publications)]
    app.web_works.append(WebWork(title="星河彼岸", site="起点中文网", word_count=2_000_000, avg_subscriptions=12000,
                                 completed=True, published_on=dt.date(2019, 3, 1)))
    app.film_works.append(FilmWork(title="小镇春秋", producer="某某影视文化有限公司", kind="电视剧",
                                   premiered_on=dt.date(2021, 10, 1), word_count=400000))
    app.awards.append(Award(name="某某省五个一工程奖", work="长河落日", level="省级", grantor="某某省委宣传部", year=2022))
    app.reprints.append(Reprint(title="评《长河落日》", venue="文艺报", kind="评论", national_key=True,
                                published_on=dt.date(2022, 5, 1)))
    session.commit()
    return app
