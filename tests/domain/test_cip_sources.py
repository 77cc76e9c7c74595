"""The pluggable CIP sources (issue 5, point 2): a real HTTP service on 127.0.0.1, no mocked client.

Issue 5: 「when the remote source is down or slow, the check falls back to the local table and says so on
screen — reviewing never blocks on it」; 「a remote answer that is not valid JSON or lacks fields is treated
as not found and logged」.
"""
from __future__ import annotations

import logging
import time

import pytest

from sqlalchemy import func, select

from wxk_admin.domain import cip, cip_sources
from wxk_admin.models import CipRecord, db

from ..support.cip import (FakeCipService, closed_port_url, give_books, http_config, isbn13, spec_answer, spec_book,
                          spec_record)

SPEC_ISBN = "9787501527090"


@pytest.fixture
def cip_log(caplog):
    """Captured warnings of wxk_admin.domain.cip (Alembic's fileConfig in the test set-up disables existing loggers)."""
    logger = logging.getLogger("wxk_admin.domain.cip")
    was_disabled, logger.disabled = logger.disabled, False
    with caplog.at_level(logging.WARNING, logger="wxk_admin.domain.cip"):
        yield caplog
    logger.disabled = was_disabled


def _count():
    return db.session.scalar(select(func.count(CipRecord.id)))


def test_local_source_finds_by_cip_number_or_isbn(world):
    db.session.add(spec_record())
    db.session.commit()
    local = cip_sources.build_chain(db.session, {"CIP_SOURCES": "local"})
    assert local.lookup(cip_no="2005070730").record.title == "梦里花落知多少"
    assert local.lookup(isbn=SPEC_ISBN).record.cip_no == "2005070730"
    assert local.lookup(cip_no="2005999999").record is None
    # the public lookup takes any printed form
    assert cip_sources.lookup(db.session, cip_no="中国版本图书馆CIP数据核字(2005)第70730号",
                              config={"CIP_SOURCES": "local"}).isbn == SPEC_ISBN
    assert cip_sources.lookup(db.session, isbn="ISBN 7-5015-2709-1", config={"CIP_SOURCES": "local"}) is not None


def test_http_answer_is_normalised_and_cached_into_the_local_table(world):
    with FakeCipService() as service:
        service.answers[SPEC_ISBN] = ("json", spec_answer())
        chain = cip_sources.build_chain(db.session, http_config(service.url))
        found = chain.lookup(isbn=SPEC_ISBN)
        assert found.source == "http" and not found.degraded
        assert (found.record.cip_no, found.record.isbn, found.record.source) == ("2005070730", SPEC_ISBN, "http")
        db.session.commit()
        assert _count() == 1
        # The next check finds it locally: the remote is not asked again.
        again = cip_sources.build_chain(db.session, http_config(service.url)).lookup(isbn=SPEC_ISBN)
        assert again.source == "local" and service.hits[SPEC_ISBN] == 1


def test_answer_wrapped_in_record_with_chinese_keys(world):
    with FakeCipService() as service:
        service.answers[SPEC_ISBN] = ("json", {"record": {"正书名": "梦里花落知多少", "ISBN": "7-5015-2709-1",
                                                          "出版者": "知识出版社", "中图分类号": "i247.5"}})
        found = cip_sources.build_chain(db.session, http_config(service.url, sources="http")).lookup(isbn=SPEC_ISBN)
        assert (found.record.title, found.record.publisher, found.record.clc) == ("梦里花落知多少", "知识出版社", "I247.5")


def test_unknown_isbn_is_not_found_without_degrading(world):
    unknown = isbn13(1)
    with FakeCipService() as service:
        service.answers[isbn13(2)] = ("json", {"found": False})
        chain = cip_sources.build_chain(db.session, http_config(service.url))
        result = chain.lookup(isbn=unknown)                    # 404
        assert result.record is None and not result.degraded
        assert service.hits[unknown] == 1                      # a 404 is an answer: no retry
        result = chain.lookup(isbn=isbn13(2))                  # {"found": false}
        assert result.record is None and not result.degraded
    assert _count() == 0


def test_malformed_json_is_not_found_and_logged(world, cip_log):
    with FakeCipService() as service:
        service.answers[SPEC_ISBN] = ("raw", b"{not json")
        result = cip_sources.build_chain(db.session, http_config(service.url)).lookup(isbn=SPEC_ISBN)
        assert result.record is None and not result.degraded
        assert "not JSON" in cip_log.text
    assert _count() == 0


def test_answer_lacking_fields_is_not_found_and_logged(world, cip_log):
    with FakeCipService() as service:
        service.answers[SPEC_ISBN] = ("json", {"isbn": SPEC_ISBN, "publisher": "知识出版社"})   # no title
        service.answers[isbn13(3)] = ("json", {"title": "某书", "isbn": "978-7-5015-2709-1"})  # bad checksum
        chain = cip_sources.build_chain(db.session, http_config(service.url))
        assert chain.lookup(isbn=SPEC_ISBN).record is None
        assert chain.lookup(isbn=isbn13(3)).record is None
        assert "缺少正书名" in cip_log.text and "ISBN 校验位错误" in cip_log.text
    assert _count() == 0


def test_server_error_is_retried_with_back_off_then_falls_back_to_local(world):
    with FakeCipService() as service:
        service.answers[SPEC_ISBN] = ("status", 500)
        service.answers[isbn13(4)] = ("status", 503)
        db.session.add(spec_record())
        db.session.commit()
        # http first, local second: the local record is used and the page is told why.
        chain = cip_sources.build_chain(db.session, http_config(service.url, sources="http,local", retries=2))
        result = chain.lookup(isbn=SPEC_ISBN)
        assert service.hits[SPEC_ISBN] == 3                    # 1 + 2 retries
        assert result.record is not None and result.source == "local"
        assert result.degraded and "远程 CIP 服务暂不可用（服务器错误 500）" in result.unavailable[0]
        # Once down, the same chain (one page) does not wait for it again.
        again = chain.lookup(isbn=isbn13(4))
        assert isbn13(4) not in service.hits and again.degraded and again.record is None


def test_slow_service_times_out_and_the_check_goes_on(world):
    with FakeCipService() as service:
        service.answers[SPEC_ISBN] = ("slow", 2.0, spec_answer())
        db.session.add(spec_record())
        db.session.commit()
        chain = cip_sources.build_chain(db.session, http_config(service.url, sources="http,local", timeout=0.3,
                                                                retries=1))
        started = time.monotonic()
        result = chain.lookup(isbn=SPEC_ISBN)
        elapsed = time.monotonic() - started
        assert elapsed < 1.5, elapsed                         # 2 × 0.3 s timeout + 0.05 s back-off
        assert service.hits[SPEC_ISBN] == 2
        assert result.source == "local" and "超时" in result.unavailable[0]


def test_service_down_falls_back_to_local(world):
    db.session.add(spec_record())
    db.session.commit()
    result = cip_sources.build_chain(db.session, http_config(closed_port_url(), sources="http,local")).lookup(
        isbn=SPEC_ISBN)
    assert result.source == "local" and "无法连接" in result.unavailable[0]


def test_check_of_an_application_reports_the_fallback(world):
    """local,http: a book the local table knows is checked; one it does not is 未能核验, not blocked."""
    application = world.apps["a_submitted"]
    give_books(db.session, application, spec_book(), spec_book(title="无记录之书", isbn=isbn13(9), cip_no=None))
    db.session.add(spec_record())
    db.session.commit()
    config = http_config(closed_port_url())
    result = cip.check_application(db.session, application, config=config)
    assert [b.status for b in result.books] == [cip.STATUS_OK, cip.STATUS_UNCHECKED]
    assert result.notes and "远程 CIP 服务暂不可用" in result.notes[0]
    assert cip.submission_problems(db.session, application, config=config) == []
    cip.refresh_flag(db.session, application, config=config)
    assert application.cip_flagged is True and application.books[1].cip_status == "未能核验"


def test_http_source_without_url_is_skipped(world):
    chain = cip_sources.build_chain(db.session, {"CIP_SOURCES": "local,http", "CIP_HTTP_URL": ""})
    assert chain.names == ["local"]


def test_no_caching_when_asked_not_to(world):
    with FakeCipService() as service:
        service.answers[SPEC_ISBN] = ("json", spec_answer())
        chain = cip_sources.build_chain(db.session, http_config(service.url), cache=False)
        assert chain.lookup(isbn=SPEC_ISBN).record.title == "梦里花落知多少"
        db.session.commit()
    assert _count() == 0
