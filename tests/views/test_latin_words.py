"""Issue 13.4 — every word a user reads is Chinese: a walk over every GET page of every role.

Over rich data (applications in every state, an expert group with a vote and a recusal, a notice with an
objection, onboarding, 站内信, CIP records and an audit event of every kind) each role opens every GET
endpoint of the URL map — each at least once, pages that take an id with ids of its own objects — and the
visible text (no tags, scripts, styles, hidden elements or attribute values) may hold no Latin word outside
a short allow list.  Codes that mix letters and digits (I247.5, 2027-000101) are not words.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest

from wxk_admin.domain.consultation.recusal import declare_recusal
from wxk_admin.domain.consultation.voting import cast_vote
from wxk_admin.domain.consultation.notice import open_notice, record_objection
from wxk_admin.domain.consultation.onboarding import record_contact, set_onboarding
from wxk_admin import profiles
from wxk_admin.domain.audit import Actor, record, send_message
from wxk_admin.enums import AuditAction, Role, Status
from wxk_admin.models import CipRecord, db

from ..support.consultation import actor, add_app, add_expert, group_with, in_review
from ..support.visible import reader_text

# International abbreviations and format names read as such in Chinese forms.
ALLOWED = {"ISBN", "ISSN", "CIP", "IT", "IP", "PDF", "xlsx", "Excel", "CSV", "csv", "UTF"}
EMAIL = re.compile(r"[\w.+*-]+@[\w-]+(\.[\w-]+)+")  # * : masked addresses (站外通知, zh***@example.cn)
URL = re.compile(r"(https?://|/)[\w./?=&%#:+-]+")
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z_]+(?![A-Za-z0-9_])")


def latin_words(text: str, usernames: set[str]) -> set[str]:
    text = URL.sub(" ", EMAIL.sub(" ", text))
    return {w for w in WORD.findall(text) if w not in ALLOWED and w not in usernames}


@pytest.fixture
def rich(world):
    """Every state, every stage, every kind of audit event."""
    s = db.session
    office = actor(world.users["office"])
    for i, status in enumerate(Status):
        add_app(s, world, f"state_{status.value}", status, name=f"状态{i}号")
    voter = add_expert(s, "expert_voter", full_name="评审专家甲")
    recused = add_expert(s, "expert_recused", full_name="评审专家乙")
    group = group_with(s, world, [voter, recused, world.users["expert"]])
    reviewed = in_review(s, world, "审读中", group)
    s.commit()
    cast_vote(s, actor(voter), reviewed.id, "passed", "审读意见")
    declare_recusal(s, actor(recused), reviewed.id, "relative")
    approved = add_app(s, world, "待公示", Status.secretariat_approved, name="待公示者")
    s.commit()
    notice = open_notice(s, office, world.cycle, dt.date.today(), ids=[approved.id])
    record_objection(s, office, approved.id, "来信人", "反映作品署名问题")
    admitted = world.apps[f"state_{Status.admitted.value}"]
    record_contact(s, office, admitted.id, "phone")
    set_onboarding(s, office, admitted.id, registration_form_done=True, photos_received=False, dues_paid=False)
    s.add(CipRecord(title="河流的故乡", isbn="9787020000000", cip_no="2016189798", first_author="张晓河",
                    publisher="作家出版社", clc="I247.5", subjects="长篇小说－中国－当代"))
    send_message(s, world.users["appl_a"], "您的入会申请已被驳回", "请补充材料后重新提交", application_id=admitted.id)
    for user in world.users.values():
        send_message(s, user, profiles.of(world.cycle.association).say("会员处退回入会申请"), "请核对",
                     application_id=admitted.id)  # as workflow words it for the cycle's association
    # One audit event of every kind the log may hold, edits with a before and an after.
    app = world.apps["a_submitted"]
    it = Actor(world.users["it"], "127.0.0.1")
    targets = {"Application": app, "User": world.users["appl_a"], "Cycle": world.cycle, "GroupUnit": world.unit_a,
               "ExpertGroup": group, "Notice": notice}
    for a in AuditAction:
        record(s, it, a, targets["Application"], application_id=app.id,
               before={"mobile": "13800000000", "category": "novel", "books-0-title": "旧书名"},
               after={"mobile": "13900000000", "category": "poetry", "books-0-title": "新书名"})
    for name, target in targets.items():
        record(s, it, AuditAction.edit, target, before={}, after={})
    record(s, it, AuditAction.extend_window, world.cycle, before={"fill_end": "2027-02-28"},
           after={"fill_end": "2027-03-15"})
    record(s, it, AuditAction.vote_close, group, after={"applications": 1, "passed": 1})
    s.commit()
    return {"group": group, "notice": notice, "reviewed": reviewed, "experts": [voter, recused]}


def _ids(model, limit=15) -> list[int]:
    return list(db.session.scalars(db.select(model.id).order_by(model.id.desc()).limit(limit)))


def _urls(app, rich) -> dict[str, list[str]]:
    """endpoint → URLs to open: the bare page; model pages that take an id with ids of the view's own model;
    other pages with the id of an application under review and the expert group; each workflow form with an
    application it applies to."""
    from wxk_admin.models import Application
    from wxk_admin.domain.workflow import TRANSITIONS

    views = {view.endpoint: view for view in app.extensions["admin"][0]._views}
    by_model = {}
    sample = [rich["reviewed"].id, *_ids(Application, 3)]
    out = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static") or "ajax" in rule.endpoint:
            continue
        if rule.arguments:
            continue  # export/<type>, download/<kind>: files, not pages
        base = rule.rule
        prefix, _, name = rule.endpoint.rpartition(".")
        model = getattr(views.get(prefix), "model", None)
        if name in ("details_view", "edit_view") and model is not None:
            if model not in by_model:
                by_model[model] = _ids(model)
            urls = [f"{base}?id={i}" for i in by_model[model]]
        elif name == "transition_view":
            urls = [f"{base}?id={a.id}&name={t.name}" for t in TRANSITIONS.values() if t.generic
                    for a in db.session.scalars(db.select(Application).where(Application.status.in_(t.sources))
                                                .order_by(Application.id).limit(1))]
        elif name in ("index_view", "create_view"):
            urls = [base]
        else:
            urls = [base, *(f"{base}?id={i}" for i in sample), f"{base}?group={rich['group'].id}"]
        out[rule.endpoint] = urls
    return out


USERS = {Role.applicant: "appl_a", Role.unit_admin: "admin_a", Role.office: "office", Role.expert: "expert",
         Role.it_admin: "it"}


def test_no_latin_word_on_any_page_of_any_role(app, client, world, rich):
    from wxk_admin.models import User

    # Identifiers the fixtures chose: user names and unit codes.
    usernames = set(db.session.scalars(db.select(User.username))) | {world.unit_a.code, world.unit_b.code}
    urls = _urls(app, rich)
    assert len(urls) > 40
    found = defaultdict(set)  # word → where
    opened = defaultdict(int)
    for role, username in [(None, None), *USERS.items()]:
        c = client.__class__(app.test_client())
        if username:
            c.login(username)
        for endpoint, variants in sorted(urls.items()):
            for url in variants:
                r = c.get(url)
                if r.status_code != 200 or r.mimetype != "text/html":
                    continue
                opened[(role, endpoint)] += 1
                for word in latin_words(reader_text(r.get_data(as_text=True)), usernames):
                    found[word].add(f"{username or '未登录'} {url}")
    assert len({e for _, e in opened}) > 30
    assert sum(1 for (role, _) in opened if role == Role.it_admin) > 15
    problems = {w: sorted(where)[:3] for w, where in found.items()}
    assert problems == {}, "\n".join(f"{w}: {where}" for w, where in sorted(problems.items()))
