"""The ways an outbox message leaves (``outbox.deliver`` calls ``sender.send(message)``).

* ``LogSender`` (``NOTIFY_SENDERS=log``, the default) only records: a log line, the message marked 已发送 via log.
* ``EmailSender`` hands the message to a ``send_mail(to, subject, body)`` callable; the CLI builds it on
  Flask-Mailman's SMTP connection (``outbox_cli``), so this module stays free of Flask.
* ``HttpSmsSender`` posts to an SMS gateway configured like the CIP http source: a URL template, a JSON body
  template, a timeout and retries with back-off.

Each raises ``outbox.SendError`` with a Chinese reason (kept in 最近错误) when the message did not go.
"""
from __future__ import annotations

import json
import logging
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request

from .outbox import SendError, mask

log = logging.getLogger(__name__)

DEFAULT_SMS_BODY = '{"mobile": "{mobile}", "content": "{text}"}'


class LogSender:
    name = "log"

    def send(self, message) -> None:
        log.info("outbox #%s %s → %s: %s", message.id, message.channel.value, mask(message.recipient),
                 message.subject)


class EmailSender:
    name = "smtp"

    def __init__(self, send_mail):
        self.send_mail = send_mail

    def send(self, message) -> None:
        try:
            self.send_mail(message.recipient, message.subject, message.body)
        except smtplib.SMTPRecipientsRefused:
            raise SendError("邮件服务器拒收该收件地址") from None
        except smtplib.SMTPAuthenticationError:
            raise SendError("邮件服务器登录失败，请检查邮件账户和密码设置") from None
        except smtplib.SMTPException as exc:
            log.warning("SMTP error: %r", exc)
            raise SendError("邮件服务器返回错误，详见发送日志") from None
        except TimeoutError:
            raise SendError("连接邮件服务器超时") from None
        except OSError:
            raise SendError("无法连接邮件服务器，请检查邮件服务器地址和端口设置") from None


def _fill(template, values: dict):
    """The JSON body template with each string's {placeholders} replaced (JSON escaping stays right)."""
    if isinstance(template, str):
        out = template
        for key, value in values.items():
            out = out.replace("{" + key + "}", value)
        return out
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    return template


class HttpSmsSender:
    """``url_template`` may hold ``{mobile}`` (URL-quoted); ``body_template`` is JSON whose strings may hold
    ``{mobile}``, ``{text}`` (subject and body), ``{subject}``, ``{body}``.  2xx is sent; timeouts, connection errors and 5xx are retried
    ``retries`` times (back-off ``backoff`` s, doubling) within one attempt; then the attempt failed."""

    name = "sms"

    def __init__(self, url_template: str, *, body_template: str | None = None, timeout: float = 5.0,
                 retries: int = 2, backoff: float = 0.5):
        self.url_template = url_template
        self.body_template = json.loads(body_template or DEFAULT_SMS_BODY)  # bad JSON: refused at start-up
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff

    def _post(self, url: str, data: bytes) -> int:
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8",
                                                  "User-Agent": "wxk-admin"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                response.read(65536)
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def send(self, message) -> None:
        # An SMS has no subject line: its text is subject + body (the subject carries 【协会】).
        values = {"mobile": message.recipient, "subject": message.subject, "body": message.body,
                  "text": f"{message.subject}\n{message.body}"}
        url = self.url_template.replace("{mobile}", urllib.parse.quote(message.recipient))
        data = json.dumps(_fill(self.body_template, values), ensure_ascii=False).encode("utf-8")
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                status = self._post(url, data)
            except (TimeoutError, urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                timed_out = isinstance(reason, TimeoutError) or "timed out" in str(reason)
                last = f"短信网关超时（{self.timeout:g} 秒）" if timed_out else "无法连接短信网关"
                log.warning("SMS gateway: %s, attempt %d", last, attempt + 1)
                continue
            if 200 <= status < 300:
                return
            last = f"短信网关返回错误（状态码 {status}）"
            log.warning("SMS gateway answered %d, attempt %d", status, attempt + 1)
            if status < 500:
                break  # the gateway refused this message: asking again at once will not change its mind
        raise SendError(last or "无法连接短信网关")
