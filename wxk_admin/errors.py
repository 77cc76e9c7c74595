"""Chinese error pages (400, 403, 404, 405, 500) instead of Werkzeug's English ones.

429 (login throttling) is answered by ``security.py``.
"""
from __future__ import annotations

from flask import make_response, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

PAGES = {
    400: ("请求无效", "提交的数据无效，请返回上一页重试。"),
    403: ("无权访问", "您无权访问此页面或此记录。如需访问，请联系管理员。"),
    404: ("页面不存在", "您访问的页面不存在，或记录已被删除。"),
    405: ("请求方式不允许", "此页面不接受这种请求方式。"),
    500: ("服务器内部错误", "服务器处理请求时出错，请稍后再试；如问题持续，请联系管理员。"),
}
CSRF_MESSAGE = "页面已过期或缺少安全令牌，请刷新页面后重新提交。"


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


def init_app(app) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    for code in PAGES:
        app.register_error_handler(code, _http_error)
