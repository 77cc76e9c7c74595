"""Chinese error pages (400, 403, 404, 405, 500) instead of Werkzeug's English ones.

429 (login throttling) is answered by ``security.py``.  A value out of range that got past a
view's parsing (``params.py``) — an integer the database cannot bind, a date that overflows, a
text longer than its column — is bad input, not a server error: 400 with a Chinese message.
"""
from __future__ import annotations

from flask import current_app, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from .extensions import db

PAGES = {
    400: ("请求无效", "提交的数据无效，请返回上一页重试。"),
    403: ("无权访问", "您无权访问此页面或此记录。如需访问，请联系管理员。"),
    404: ("页面不存在", "您访问的页面不存在，或记录已被删除。"),
    405: ("请求方式不允许", "此页面不接受这种请求方式。"),
    500: ("服务器内部错误", "服务器处理请求时出错，请稍后再试；如问题持续，请联系管理员。"),
}
CSRF_MESSAGE = "页面已过期或缺少安全令牌，请刷新页面后重新提交。"
OUT_OF_RANGE_MESSAGE = "提交的数值、日期或文字超出允许的范围（数字过大、日期无效或内容过长），请检查后重新提交。"


def render_error(code: int, message: str | None = None):
    title, default = PAGES[code]
    return render_template("errors/error.html", code=code, title=title, message=message or default), code


def _http_error(exc: HTTPException):
    response = make_response(render_error(exc.code))
    for name, value in exc.get_headers():  # e.g. ``Allow`` of a 405
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _csrf_error(exc: CSRFError):
    return render_error(400, CSRF_MESSAGE)


def _out_of_range(exc):
    db.session.rollback()  # nothing of the refused request is kept
    current_app.logger.warning("out-of-range input on %s %s: %s", request.method, request.path,
                               str(exc).splitlines()[0][:200])
    return render_error(400, OUT_OF_RANGE_MESSAGE)


# No query-string value a page of this console builds comes near this (filters, searches, return URLs);
# a longer one is refused before any view reads it (a 100 kB search would reach the database as LIKE).
MAX_QUERY_VALUE = 4096
OVERLONG_QUERY_MESSAGE = "链接中的参数过长，请返回上一页重新操作。"


def _refuse_overlong_query():
    if any(len(value) > MAX_QUERY_VALUE for _, value in request.args.items(multi=True)):
        return render_error(400, OVERLONG_QUERY_MESSAGE)
    return None


def init_app(app) -> None:
    app.before_request(_refuse_overlong_query)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OverflowError, _out_of_range)
    app.register_error_handler(DataError, _out_of_range)
    for code in PAGES:
        app.register_error_handler(code, _http_error)
