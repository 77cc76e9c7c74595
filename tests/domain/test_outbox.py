"""Issue 15.5 — the outbox: queued with the event, sent after the commit by ``wxk send-outbox``.

A real SMTP server (aiosmtpd) and a real HTTP SMS gateway stub listen on 127.0.0.1.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from wxk_admin.domain import outbox, workflow
from wxk_admin.domain.consultation.notice import close_notice, open_notice
from wxk_admin.domain.audit import Actor
from wxk_admin.enums import Status
from wxk_admin.models import OutboxChannel, OutboxMessage, OutboxState, db, utcnow
from wxk_admin.domain.senders import HttpSmsSender

ID_NUMBER = "11010519491231002X"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, str(msg["Subject"]).strip(), msg.get_content()))  # folded header
        return "250 OK"


@pytest.fixture
def smtp_server():
    mailbox = _Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    yield mailbox
    controller.stop()


class _Gateway:
    """An SMS gateway on 127.0.0.1: ``mode`` is "ok", "500" or "slow" (answers after the client gave up)."""

    def __init__(self):
        self.mode = "ok"
        self.requests = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.requests.append((self.path, json.loads(body.decode("utf-8"))))
                if gateway.mode == "slow":
                    time.sleep(1.0)
                status = 500 if gateway.mode == "500" else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": true}')
                except OSError:
                    pass  # the client timed out and left

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms?to={{mobile}}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    gw = _Gateway()
    yield gw
    gw.close()


@pytest.fixture
def senders_configured(app, monkeypatch, smtp_server, gateway):
    for key, value in {"NOTIFY_SENDERS": "smtp,sms", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port,
                       "MAIL_DEFAULT_SENDER": "huiyuanchu@example.cn", "SMS_HTTP_URL": gateway.url,
                       "SMS_HTTP_TIMEOUT": 0.3, "SMS_HTTP_RETRIES": 0, "SMS_HTTP_BACKOFF": 0.01}.items():
        monkeypatch.setitem(app.config, key, value)
    return smtp_server, gateway


def send_outbox(app, *args):
    result = app.test_cli_runner().invoke(args=["wxk", "send-outbox", *args])
    db.session.expire_all()
    return result


def _rows(**where):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    return db.session.scalars(query).all()


def _with_contacts(application, email_address="zhang.san@example.cn", mobile="13812341234"):
    application.email, application.mobile, application.id_number = email_address, mobile, ID_NUMBER
    db.session.commit()
    return application


# ---------------------------------------------------------------- queued with the event, sent after the commit

def test_rejection_goes_by_email_and_sms_after_commit(app, world, senders_configured, profile):
    mailbox, gw = senders_configured
    application = _with_contacts(world.apps["a_submitted"])
    workflow.apply(db.session, application, "unit_reject", Actor(world.users["admin_a"]), opinion="申请材料不全")
    assert mailbox.messages == [] and gw.requests == []  # queued only: nothing leaves inside the transaction
    db.session.commit()
    assert [(r.channel, r.recipient, r.state) for r in _rows()] == [
        (OutboxChannel.email, "zhang.san@example.cn", OutboxState.pending),
        (OutboxChannel.sms, "13812341234", OutboxState.pending)]

    result = send_outbox(app)
    assert result.exit_code == 0, result.output
    assert "已发送 2 条" in result.output
    [(to, subject, body)] = mailbox.messages
    assert to == ["zhang.san@example.cn"]
    assert subject == f"【{profile.names.association}】您的入会申请已被驳回"
    assert "甲一" in body and "甲省作家协会" in body and "理由：申请材料不全" in body
    [(path, payload)] = gw.requests
    assert path == "/sms?to=13812341234"
    assert payload["mobile"] == "13812341234"
    assert "您的入会申请已被驳回" in payload["content"] and "申请材料不全" in payload["content"]
    assert [(r.state, r.attempts, r.sent_via) for r in _rows()] == [(OutboxState.sent, 1, "smtp"),
                                                                    (OutboxState.sent, 1, "sms")]

    send_outbox(app)  # a second pass sends nothing again
    assert len(mailbox.messages) == 1 and len(gw.requests) == 1


def test_a_rolled_back_transition_queues_and_sends_nothing(app, world, senders_configured):
    mailbox, gw = senders_configured
    application = _with_contacts(world.apps["a_submitted"])
    workflow.apply(db.session, application, "unit_reject", Actor(world.users["admin_a"]), opinion="申请材料不全")
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    result = send_outbox(app)
    assert "已发送 0 条" in result.output
    assert mailbox.messages == [] and gw.requests == []


def test_log_sender_only_records(app, world, profile):
    _with_contacts(world.apps["direct_submitted"])
    workflow.apply(db.session, world.apps["direct_submitted"], "direct_reject", Actor(world.users["office"]),
                   opinion="非文学类作品")
    db.session.commit()
    result = send_outbox(app)  # NOTIFY_SENDERS defaults to log
    assert "已发送 2 条" in result.output
    assert {(r.state, r.sent_via) for r in _rows()} == {(OutboxState.sent, "log")}
    assert profile.say("会员处驳回") in _rows()[0].body  # a direct application has no unit: the office rejected it


def test_return_to_unit_goes_to_the_unit_admins_mobiles(app, world):
    world.users["admin_a"].mobile = "13900001111"
    world.users["admin_b"].mobile = "13900002222"
    application = world.apps["a_submitted"]
    application.status = Status.unit_confirmed
    db.session.commit()
    workflow.apply(db.session, application, "office_return", Actor(world.users["office"]), opinion="推荐意见缺盖章")
    db.session.commit()
    [row] = _rows()
    assert (row.kind, row.channel, row.recipient) == ("returned", OutboxChannel.sms, "13900001111")
    assert "甲一" in row.body and "推荐意见缺盖章" in row.body and row.body.startswith("甲省作家协会：")


def test_notice_and_admission_go_out(app, world, profile):
    application = _with_contacts(world.apps["b_submitted"], mobile="13700001234")
    application.status = Status.secretariat_approved
    db.session.commit()
    start = dt.date.today()
    notice = open_notice(db.session, Actor(world.users["office"]), world.cycle, start)
    db.session.commit()
    rows = _rows(kind="notice_open")
    assert {r.channel for r in rows} == {OutboxChannel.email, OutboxChannel.sms}
    assert f"公示期为{start.isoformat()}至{(start + dt.timedelta(days=7)).isoformat()}" in rows[0].body
    close_notice(db.session, Actor(world.users["office"]), notice, today=notice.ends_on)
    db.session.commit()
    admitted = _rows(kind="admitted")
    assert admitted and admitted[0].subject == f"【{profile.names.association}】祝贺您成为会员"
    assert "会员登记表" in admitted[0].body and "乙一" in admitted[0].body


def test_material_reminder_near_the_deadline_once(app, world):
    application = _with_contacts(world.apps["a_submitted"])
    application.status, application.serial_no = Status.office_confirmed, f"{world.cycle.year}-000001"
    db.session.commit()
    far = world.cycle.materials_deadline - dt.timedelta(days=30)
    assert outbox.queue_material_reminders(db.session, today=far) == 0
    near = world.cycle.materials_deadline - dt.timedelta(days=3)
    assert outbox.queue_material_reminders(db.session, today=near) == 1
    db.session.commit()
    assert outbox.queue_material_reminders(db.session, today=near) == 0  # reminded once
    rows = _rows(kind="materials_reminder")
    assert len(rows) == 2 and f"申请序列号 {world.cycle.year}-000001" in rows[0].body
    assert world.cycle.materials_deadline.isoformat() in rows[0].body


# ---------------------------------------------------------------- never an ID number

def test_no_message_ever_contains_the_id_number(app, world):
    application = _with_contacts(world.apps["a_submitted"])
    world.unit_a.name = f"甲省作家协会{ID_NUMBER}"
    application.name = f"甲一{ID_NUMBER.lower()}"
    application.pen_name = ID_NUMBER
    db.session.commit()
    every = "".join("{" + p + "}" for p in outbox.PLACEHOLDERS)
    for kind in outbox.DEFAULT_TEMPLATES:  # IT's wording reaches every field, and even types a number in
        outbox.save_template(db.session, Actor(world.users["it"]), kind, f"主题{every}", f"正文{every} 110105194912310037")
    db.session.commit()
    workflow.apply(db.session, application, "unit_reject", Actor(world.users["admin_a"]),
                   opinion=f"身份证号 {ID_NUMBER} 与身份证件不符")
    db.session.commit()
    texts = [r.subject + r.body for r in _rows()]
    texts += ["".join(outbox.render(db.session, kind, application, ID_NUMBER)) for kind in outbox.DEFAULT_TEMPLATES]
    assert texts and all(ID_NUMBER not in t and ID_NUMBER.lower() not in t and "110105194912310037" not in t
                         for t in texts)
    assert "（已隐去）" in texts[0] and "身份证件不符" in texts[0]


@pytest.mark.parametrize("subject, body, message", [
    ("驳回", "{姓名}，您的身份证号 {身份证号}", "正文不得包含身份证号"),
    ("驳回 {证件号码}", "{姓名}", "邮件主题不得包含身份证号"),
    ("驳回", "{姓名} {电话}", "正文中的占位符「{电话}」无效"),
    ("驳回", "{姓名.__class__}", "正文中的占位符「{姓名.__class__}」无效"),
    ("驳回", "{姓名", "正文中的花括号不成对"),
    ("", "{姓名}", "邮件主题不能为空"),
])
def test_bad_templates_are_refused(app, world, subject, body, message):
    with pytest.raises(outbox.TemplateError, match=message.replace("{", r"\{").replace("}", r"\}")
                       .replace(".", r"\.").replace("(", r"\(")):
        outbox.save_template(db.session, Actor(world.users["it"]), "rejected", subject, body)
    db.session.rollback()
    assert outbox.template_of(db.session, "rejected") == outbox.DEFAULT_TEMPLATES["rejected"][1:]


# ---------------------------------------------------------------- retries, back-off, 失败

def _one_sms(world):
    application = _with_contacts(world.apps["a_submitted"], email_address="")
    workflow.apply(db.session, application, "unit_reject", Actor(world.users["admin_a"]), opinion="申请材料不全")
    db.session.commit()
    [row] = _rows()
    return row


@pytest.mark.parametrize("mode, error", [("500", "短信网关返回错误（状态码 500）"), ("slow", "短信网关超时（0.3 秒）")])
def test_failing_gateway_is_retried_with_back_off_then_fails(app, world, gateway, mode, error):
    gateway.mode = mode
    row = _one_sms(world)
    sender = HttpSmsSender(gateway.url, timeout=0.3, retries=1, backoff=0.01)
    senders = {OutboxChannel.sms: sender}
    t0 = utcnow() + dt.timedelta(seconds=1)

    def run(at):
        return outbox.deliver(db.session, senders, now=at, commit=db.session.commit, max_attempts=3, backoff_base=60)

    run(t0)
    db.session.refresh(row)
    assert (row.state, row.attempts, row.last_error) == (OutboxState.retrying, 1, error)
    assert row.next_attempt_at == t0 + dt.timedelta(seconds=60)
    assert len(gateway.requests) == 2  # the sender's own retry inside one attempt

    assert run(t0 + dt.timedelta(seconds=59)).retrying == 0  # not due yet: back-off respected
    assert len(gateway.requests) == 2

    run(t0 + dt.timedelta(seconds=60))
    db.session.refresh(row)
    assert (row.state, row.attempts) == (OutboxState.retrying, 2)
    assert row.next_attempt_at == t0 + dt.timedelta(seconds=60 + 120)  # doubled

    report = run(t0 + dt.timedelta(seconds=180))
    db.session.refresh(row)
    assert report.failed == 1
    assert (row.state, row.attempts, row.next_attempt_at, row.last_error) == (OutboxState.failed, 3, None, error)

    run(t0 + dt.timedelta(days=30))  # 失败 is final
    assert len(gateway.requests) == 6


def test_gateway_that_recovers_sends_on_the_retry(app, world, gateway):
    gateway.mode = "500"
    row = _one_sms(world)
    senders = {OutboxChannel.sms: HttpSmsSender(gateway.url, timeout=0.3, retries=0)}
    t0 = utcnow() + dt.timedelta(seconds=1)
    outbox.deliver(db.session, senders, now=t0, commit=db.session.commit)
    gateway.mode = "ok"
    outbox.deliver(db.session, senders, now=t0 + outbox.backoff(1), commit=db.session.commit)
    db.session.refresh(row)
    assert (row.state, row.attempts, row.last_error) == (OutboxState.sent, 2, None)


def test_cli_keeps_mail_for_later_when_the_smtp_server_is_down(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_SENDERS", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nobody listens
    application = _with_contacts(world.apps["a_submitted"])
    workflow.apply(db.session, application, "unit_reject", Actor(world.users["admin_a"]), opinion="申请材料不全")
    db.session.commit()
    result = send_outbox(app)
    assert result.exit_code == 0, result.output
    assert "重试中 1 条" in result.output
    email_row, sms_row = _rows()
    assert (email_row.state, email_row.attempts) == (OutboxState.retrying, 1)
    assert "无法连接邮件服务器" in email_row.last_error
    assert (sms_row.state, sms_row.attempts) == (OutboxState.pending, 0)  # no SMS sender configured: left alone


@pytest.mark.parametrize("config, message", [
    ({"NOTIFY_SENDERS": "pigeon"}, "NOTIFY_SENDERS 中有未知的发送方式：pigeon"),
    ({"NOTIFY_SENDERS": "smtp", "MAIL_USE_TLS": True, "MAIL_USE_SSL": True}, "MAIL_USE_TLS 与 MAIL_USE_SSL 只能启用其一"),
    ({"NOTIFY_SENDERS": "sms", "SMS_HTTP_URL": ""}, "未设置短信网关地址 SMS_HTTP_URL"),
    ({"NOTIFY_SENDERS": "sms", "SMS_HTTP_URL": "http://127.0.0.1:9/", "SMS_HTTP_BODY": "{mobile"},
     "SMS_HTTP_BODY 不是有效的 JSON"),
])
def test_cli_refuses_a_bad_configuration(app, world, monkeypatch, config, message):
    for key, value in config.items():
        monkeypatch.setitem(app.config, key, value)
    _with_contacts(world.apps["a_submitted"])
    workflow.apply(db.session, world.apps["a_submitted"], "unit_reject", Actor(world.users["admin_a"]),
                   opinion="申请材料不全")
    db.session.commit()
    result = send_outbox(app)
    assert result.exit_code != 0 and message in result.output
    assert {r.state for r in _rows()} == {OutboxState.pending}  # nothing touched


def test_loop_worker_sends_until_a_signal_stops_it(app, world):
    import os
    import signal

    _with_contacts(world.apps["a_submitted"])
    workflow.apply(db.session, world.apps["a_submitted"], "unit_reject", Actor(world.users["admin_a"]),
                   opinion="申请材料不全")
    db.session.commit()
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        result = send_outbox(app, "--loop", "--interval", "0.2")
    finally:
        timer.cancel()
    assert result.exit_code == 0, result.output
    assert result.output.count("已发送") >= 2  # several passes, the first sent both messages
    assert "已发送 2 条" in result.output and result.output.rstrip().endswith("已停止发送")
    assert {r.state for r in _rows()} == {OutboxState.sent}
    assert signal.getsignal(signal.SIGTERM) is before  # the test process's own handler is back
