"""``flask --app wsgi wxk send-outbox [--loop]``: send the queued e-mails and SMS (after their commit).

The senders are built here from the app's configuration (``NOTIFY_SENDERS``, ``MAIL_*``, ``SMS_HTTP_*``)
and handed to the Flask-free ``outbox.deliver``.
"""
from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_mailman import EmailMessage, Mail

from ..domain import outbox
from ..extensions import db
from ..models import OutboxChannel
from ..domain.senders import EmailSender, HttpSmsSender, LogSender


def _smtp_sender(app) -> EmailSender:
    mail = Mail(app)  # reads MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD …

    def send_mail(to: str, subject: str, body: str) -> None:
        with mail.get_connection() as connection:
            EmailMessage(subject, body, app.config.get("MAIL_DEFAULT_SENDER"), [to],
                         connection=connection).send()

    return EmailSender(send_mail)


def build_senders(app) -> dict:
    """channel → sender from ``NOTIFY_SENDERS`` (e.g. ``smtp,sms``; ``log`` records the channels left)."""
    names = {n.strip().lower() for n in str(app.config.get("NOTIFY_SENDERS") or "log").split(",") if n.strip()}
    unknown = names - {"log", "smtp", "sms"}
    if unknown:
        raise click.ClickException(f"NOTIFY_SENDERS 中有未知的发送方式：{'、'.join(sorted(unknown))}"
                                   "（可用 log、smtp、sms）")
    fallback = LogSender() if "log" in names else None
    senders = {OutboxChannel.email: fallback, OutboxChannel.sms: fallback}
    if "smtp" in names:
        if app.config.get("MAIL_USE_TLS") and app.config.get("MAIL_USE_SSL"):
            raise click.ClickException("MAIL_USE_TLS 与 MAIL_USE_SSL 只能启用其一（587 端口用 TLS，465 端口用 SSL）")
        senders[OutboxChannel.email] = _smtp_sender(app)
    if "sms" in names:
        url = app.config.get("SMS_HTTP_URL")
        if not url:
            raise click.ClickException("NOTIFY_SENDERS 含 sms，但未设置短信网关地址 SMS_HTTP_URL")
        try:
            senders[OutboxChannel.sms] = HttpSmsSender(
                url, body_template=app.config.get("SMS_HTTP_BODY") or None,
                timeout=float(app.config.get("SMS_HTTP_TIMEOUT", 5)),
                retries=int(app.config.get("SMS_HTTP_RETRIES", 2)),
                backoff=float(app.config.get("SMS_HTTP_BACKOFF", 0.5)))
        except ValueError:
            raise click.ClickException("SMS_HTTP_BODY 不是有效的 JSON") from None
    return senders


def one_pass(app, senders) -> outbox.DeliveryReport:
    reminders = outbox.queue_material_reminders(db.session, days=int(app.config.get("NOTIFY_REMINDER_DAYS", 7)))
    db.session.commit()
    report = outbox.deliver(db.session, senders, commit=db.session.commit,
                            max_attempts=int(app.config.get("NOTIFY_MAX_ATTEMPTS", outbox.MAX_ATTEMPTS)),
                            backoff_base=float(app.config.get("NOTIFY_BACKOFF_SECONDS", outbox.BACKOFF_SECONDS)))
    click.echo(f"已发送 {report.sent} 条，重试中 {report.retrying} 条，失败 {report.failed} 条"
               + (f"；新增纸质材料提醒 {reminders} 件" if reminders else ""))
    for line in report.errors:
        click.echo(line, err=True)
    return report


@click.command("send-outbox")
@with_appcontext
@click.option("--loop", is_flag=True, help="作为常驻进程反复发送，直到收到 SIGTERM / SIGINT")
@click.option("--interval", default=30.0, show_default=True, help="--loop 时两次发送之间的秒数")
def send_outbox_command(loop: bool, interval: float):
    """Send the queued e-mails and SMS once (or, with --loop, until stopped by a signal)."""
    app = current_app._get_current_object()
    senders = build_senders(app)
    if not loop:
        one_pass(app, senders)
        return
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())  # finish the message in hand, then leave
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.is_set():
            try:
                one_pass(app, senders)
            finally:
                db.session.remove()
            stop.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("已停止发送")
