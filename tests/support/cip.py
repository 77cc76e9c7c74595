"""Test support for CIP: a real HTTP CIP service on 127.0.0.1, ISBN helpers, a book/record pair (SPEC §5 example)."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from stdnum import isbn as stdnum_isbn

from wxk_admin.enums import Responsibility
from wxk_admin.models import Book, CipRecord


def isbn13(n: int) -> str:
    """A valid mainland ISBN-13 (978-7-…) numbered n."""
    body = f"9787{n:08d}"
    return body + stdnum_isbn.ean.calc_check_digit(body)


class FakeCipService:
    """A CIP service answering by ISBN: ``answers[isbn] = ('json', obj) | ('raw', bytes) | ('status', code)
    | ('slow', seconds, obj)``; anything else is 404.  ``hits[isbn]`` counts requests."""

    def __init__(self):
        self.answers: dict[str, tuple] = {}
        self.hits: dict[str, int] = {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                query = parse_qs(urlsplit(self.path).query)
                key = (query.get("isbn") or query.get("cip") or [""])[0]
                service.hits[key] = service.hits.get(key, 0) + 1
                answer = service.answers.get(key, ("status", 404))
                kind = answer[0]
                if kind == "slow":
                    time.sleep(answer[1])
                    kind, answer = "json", ("json", answer[2])
                if kind == "status":
                    self.send_response(answer[1])
                    self.end_headers()
                    return
                body = json.dumps(answer[1], ensure_ascii=False).encode() if kind == "json" else answer[1]
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/cip?isbn={{isbn}}&cip={{cip_no}}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/cip?isbn={{isbn}}&cip={{cip_no}}"


def http_config(url: str, sources: str = "local,http", timeout: float = 0.5, retries: int = 1) -> dict:
    return {"CIP_SOURCES": sources, "CIP_HTTP_URL": url, "CIP_HTTP_TIMEOUT": timeout, "CIP_HTTP_RETRIES": retries,
            "CIP_HTTP_BACKOFF": 0.05}


# SPEC §5 example: 「梦里花落知多少/郭敬明著.—北京:知识出版社,2005.04 ISBN 7-5015-2709-1 … IV.I247.5
# 中国版本图书馆CIP数据核字(2005)第70730号」
def spec_book(**kw) -> Book:
    values = dict(position=0, title="梦里花落知多少", publisher="知识出版社", published_on=dt.date(2005, 4, 1),
                  isbn="ISBN 7-5015-2709-1", cip_no="中国版本图书馆CIP数据核字(2005)第70730号",
                  responsibility=Responsibility.sole, is_literary=True, word_count_k=200)
    values.update(kw)
    return Book(**values)


def spec_record(**kw) -> CipRecord:
    values = dict(cip_no="2005070730", isbn="9787501527090", title="梦里花落知多少", first_author="郭敬明",
                  responsibility_mode="著", pub_place="北京", publisher="知识出版社", pub_date="2005.04",
                  clc="I247.5", subjects="长篇小说－中国－当代", source="local")
    values.update(kw)
    return CipRecord(**values)


def spec_answer(**kw) -> dict:
    values = {"cip_no": "(2005)第70730号", "isbn": "7-5015-2709-1", "title": "梦里花落知多少",
              "first_author": "郭敬明", "responsibility_mode": "著", "pub_place": "北京", "publisher": "知识出版社",
              "pub_date": "2005.04", "clc": "I247.5"}
    values.update(kw)
    return values


def give_books(session, application, *books, name="郭敬明", pen_name=None):
    """Replace the application's books; the applicant is the SPEC example's author."""
    application.books.clear()
    session.flush()
    for position, book in enumerate(books):
        book.position = position
        application.books.append(book)
    application.name, application.pen_name = name, pen_name
    session.flush()
    return application
