"""THE authorisation table (issue 9.3): every endpoint × every role → the expected outcome.

``tests/test_security_authz.py`` walks ``app.url_map``; an endpoint/method with no
row here FAILS the test — a new endpoint must be declared before it ships.

How to add a row
----------------
``ROWS["endpoint"]`` (all its methods) or ``ROWS["POST endpoint"]`` (one method) =
``(params, anonymous, applicant, unit_admin, office, expert, it_admin)``.

``params`` is a query string (GET) or form body (POST; a valid CSRF token is
added).  Placeholders name objects of the test world; each is replaced by an
object INSIDE the caller's scope and, when the outcome is ``SCOPED``, again by
one OUTSIDE it (see ``OBJECTS`` in the test):

    @app   an application    @msg  a 站内信     @user   an account (IT)   @proxy  a proxy account
    @unit  a unit            @cycle a cycle     @audit  an audit event    @cip    a CIP record
    @expert an expert profile @group an expert group  @item a material item  @self the caller's id

Outcomes:

    OK      GET: 200.  POST: reached and handled (< 500, not 403, not sent to login)
    REACH   the access layer let the caller through; the handler may still answer 302/400/404 (< 500)
    NO      refused or not found without 403: < 500, database unchanged, the object never shown
    DENY    403, database unchanged, an ``access_denied`` row in the audit log
    LOGIN   302 to the login page, database unchanged
    SCOPED  inside the caller's scope → OK (POST: REACH);  outside → NO
    SKIP    not probed here, with the reason in a comment (covered by a named test)

The supervisor (纪检监察, issue 15.1) is the last column.  A ``ROWS`` row may leave it out: then a GET
takes its outcome from ``SUPERVISOR`` (an endpoint missing there fails the test like a missing row) and
every other method is ``DENY`` — the read-only role's POSTs are refused by one hook (views/oversight.py)
whatever the view would do.  ``SUPERVISOR_MAY_POST`` lists the few it may still send.

``MODEL_VIEWS`` declares the standard Flask-Admin model views compactly by the
permissions each role has (r read, c create, u edit, d delete, x export); they
expand into rows for index/details/new/edit/delete/action/export/ajax.  A row in
``ROWS`` overrides an expanded one.
"""
from __future__ import annotations

OK, REACH, NO, DENY, LOGIN, SCOPED, SKIP = "OK", "REACH", "NO", "DENY", "LOGIN", "SCOPED", "SKIP"
ROLES = ("anonymous", "applicant", "unit_admin", "office", "expert", "it_admin", "supervisor")

# endpoint prefix: (object placeholder, scoped?, {role: permissions})
MODEL_VIEWS = {
    "units": ("@unit", False, {"office": "rx", "it_admin": "rcudx"}),
    "cycles": ("@cycle", False, {"office": "rcux", "it_admin": "rcudx"}),
    "users": ("@user", False, {"it_admin": "rcux"}),
    "audit": ("@audit", False, {"it_admin": "rx", "supervisor": "r"}),
    "inbox": ("@msg", True, {r: "r" for r in ROLES[1:]}),
    "cip_records": ("@cip", False, {"office": "rx", "it_admin": "rcudx"}),
    "experts": ("@expert", False, {"office": "rcux", "it_admin": "rcudx"}),
    # 站外通知 (issue 15.5): id 1 need not exist (details row below); tests/test_outbox_views.py opens real ones
    "outbox": ("1", False, {"office": "r", "it_admin": "r"}),
}


def expand_model_view(prefix: str, obj: str, scoped: bool, perms: dict[str, str]) -> dict[str, tuple]:
    """The standard rows of one Flask-Admin model view, from its declared permissions."""

    def col(fn):
        return tuple(LOGIN if role == "anonymous" else fn(perms.get(role)) for role in ROLES)

    seen = SCOPED if scoped else OK
    write = SCOPED if scoped else REACH

    def gate(letter, yes, no_perm=NO):
        return lambda p: DENY if not p else (yes if letter in p else no_perm)

    return {
        f"{prefix}.index_view": ("",) + col(lambda p: DENY if not p else OK),
        f"{prefix}.details_view": (f"id={obj}",) + col(gate("r", seen)),
        f"GET {prefix}.create_view": ("",) + col(gate("c", OK)),
        f"POST {prefix}.create_view": ("",) + col(gate("c", REACH)),
        f"GET {prefix}.edit_view": (f"id={obj}",) + col(gate("u", seen)),
        f"POST {prefix}.edit_view": (f"id={obj}",) + col(gate("u", write)),
        f"{prefix}.delete_view": (f"id={obj}",) + col(gate("d", write)),
        f"{prefix}.action_view": (f"action=delete&rowid={obj}",) + col(gate("d", write)),
        f"{prefix}.export": ("export_type=csv",) + col(gate("x", OK)),
        f"{prefix}.ajax_lookup": ("name=x&query=a",) + col(lambda p: DENY if not p else REACH),
        f"{prefix}.ajax_update": (f"list_form_pk={obj}",) + col(gate("u", REACH)),
    }


#                                   params                               anon   applicant unit_admin office  expert  it_admin
ROWS: dict[str, tuple] = {
    # ------------------------------------------------------------ site, account (issue 2)
    "web.root":                     ("",                                  REACH, REACH,   REACH,     REACH,  REACH,  REACH),
    "admin.index":                  ("",                                  LOGIN, REACH,   OK,        OK,     OK,     OK),
    # a redirect to the login page (which sends a logged-in user on home)
    "account.index":                ("",                                  LOGIN, LOGIN,   LOGIN,     LOGIN,  LOGIN,  LOGIN),
    "GET account.login_view":       ("",                                  OK,    REACH,   REACH,     REACH,  REACH,  REACH),
    "POST account.login_view":      ("username=&password=",               OK,    OK,      OK,        OK,     OK,     OK),
    # logging out ends the probing session: tests/test_security_sessions.py covers it
    "account.logout_view":          ("",                                  SKIP,  SKIP,    SKIP,      SKIP,   SKIP,   SKIP),
    "GET account.password_view":    ("",                                  LOGIN, OK,      OK,        OK,     OK,     OK),
    "POST account.password_view":   ("old_password=wrong&new_password=x&repeat_password=y",
                                                                          LOGIN, OK,      OK,        OK,     OK,     OK),
    # 标为已读 (issue 18.7): each user their own 站内信
    "inbox.mark_read_view":         ("id=@msg",                           LOGIN, SCOPED,  SCOPED,    SCOPED, SCOPED, SCOPED),
    "admin.static":                 ("filename=admin/css/bootstrap4/admin.css", OK, OK,   OK,        OK,     OK,     OK),

    # ------------------------------------------------------------ 申请入会管理 (issues 2, 3, 7)
    "applications.index_view":      ("",                                  LOGIN, DENY,    OK,        OK,     DENY,   OK),
    "applications.details_view":    ("id=@app",                           LOGIN, DENY,    SCOPED,    SCOPED, DENY,   OK),
    "GET applications.edit_view":   ("id=@app",                           LOGIN, DENY,    SCOPED,    NO,     DENY,   OK),
    "POST applications.edit_view":  ("id=@app&name=甲改&seen_version=1",  LOGIN, DENY,    SCOPED,    NO,     DENY,   REACH),
    "GET applications.create_view": ("",                                  LOGIN, DENY,    NO,        NO,     DENY,   NO),
    "POST applications.create_view": ("name=x",                           LOGIN, DENY,    NO,        NO,     DENY,   NO),
    "applications.delete_view":     ("id=@app",                           LOGIN, DENY,    NO,        NO,     DENY,   NO),
    "applications.ajax_update":     ("list_form_pk=@app&name=x",          LOGIN, DENY,    SCOPED,    DENY,   DENY,   REACH),
    "applications.ajax_lookup":     ("name=x&query=a",                    LOGIN, DENY,    REACH,     REACH,  DENY,   REACH),
    "applications.download_view":   ("id=@app",                           LOGIN, DENY,    SCOPED,    SCOPED, DENY,   OK),
    "GET applications.transition_view": ("id=@app&name=unit_confirm",     LOGIN, DENY,    SCOPED,    NO,     DENY,   NO),
    "POST applications.transition_view": ("id=@app&name=unit_confirm&opinion=同意",
                                                                          LOGIN, DENY,    SCOPED,    NO,     DENY,   NO),
    "applications.bulk_view":       ("name=unit_confirm&rowid=@app",      LOGIN, DENY,    SCOPED,    DENY,   DENY,   DENY),
    "applications.action_view":     ("action=bulk_unit_confirm&rowid=@app", LOGIN, DENY,  SCOPED,    NO,     DENY,   NO),
    "applications.export":          ("export_type=csv",                   LOGIN, DENY,    REACH,     REACH,  DENY,   REACH),
    "GET applications.export_view": ("",                                  LOGIN, DENY,    OK,        OK,     DENY,   OK),
    "POST applications.export_view": ("mode=selected&rowid=@app&columns=name&format=xlsx",
                                                                          LOGIN, DENY,    SCOPED,    SCOPED, DENY,   OK),

    # ------------------------------------------------------------ 我的申请, registration, proxy accounts (issue 4)
    "applicant.index":              ("",                                  LOGIN, OK,      DENY,      DENY,   DENY,   DENY),
    "GET applicant.form_view":      ("id=@app",                           LOGIN, SCOPED,  DENY,      DENY,   DENY,   DENY),
    "POST applicant.form_view":     ("id=@app&action=save&name=甲一改",   LOGIN, SCOPED,  DENY,      DENY,   DENY,   DENY),
    "applicant.copy_previous_view": ("",                                  LOGIN, REACH,   DENY,      DENY,   DENY,   DENY),
    "applicant.download_view":      ("kind=form&id=@app",                 LOGIN, SCOPED,  DENY,      DENY,   DENY,   DENY),
    # ------------------------------------------------------------ printable documents (issue 14)
    "documents.index":              ("",                                  LOGIN, REACH,   REACH,     REACH,  DENY,   REACH),
    "documents.form_pdf":           ("id=@app",                           LOGIN, SCOPED,  SCOPED,    SCOPED, DENY,   OK),
    "documents.materials_pdf":      ("id=@app",                           LOGIN, SCOPED,  SCOPED,    SCOPED, DENY,   OK),
    "documents.materials_xlsx":     ("id=@app",                           LOGIN, SCOPED,  SCOPED,    SCOPED, DENY,   OK),
    "member_lists.index":           ("",                                  LOGIN, DENY,    DENY,      OK,     DENY,   OK),
    "statistics.index":             ("",                                  LOGIN, DENY,    OK,        OK,     DENY,   OK),
    "GET register.index":           ("",                                  OK,    REACH,   REACH,     REACH,  REACH,  REACH),
    "POST register.index":          ("username=&password=",               OK,    REACH,   REACH,     REACH,  REACH,  REACH),
    "proxy_accounts.index":         ("",                                  LOGIN, DENY,    OK,        DENY,   DENY,   DENY),
    "GET proxy_accounts.new_view":  ("",                                  LOGIN, DENY,    OK,        DENY,   DENY,   DENY),
    "POST proxy_accounts.new_view": ("username=&password=",               LOGIN, DENY,    OK,        DENY,   DENY,   DENY),
    "proxy_accounts.reset_view":    ("id=@proxy",                         LOGIN, DENY,    SCOPED,    DENY,   DENY,   DENY),
    "proxy_accounts.hand_over_view": ("id=@proxy",                        LOGIN, DENY,    SCOPED,    DENY,   DENY,   DENY),
    "proxy_accounts.switch_view":   ("id=@proxy&password=wrong-password", LOGIN, DENY,    SCOPED,    DENY,   DENY,   DENY),
    # only reachable while switched into a proxy account; otherwise sent home, nothing changes
    "proxy_return.index":           ("",                                  NO,    NO,      NO,        NO,     NO,     NO),

    # ------------------------------------------------------------ CIP (issue 5)
    "cip.index":                    ("",                                  LOGIN, DENY,    REACH,     REACH,  REACH,  REACH),
    "cip.compare_view":             ("id=@app",                           LOGIN, DENY,    SCOPED,    SCOPED, SCOPED, OK),
    "cip.recheck_view":             ("id=@app",                           LOGIN, DENY,    SCOPED,    SCOPED, DENY,   REACH),
    "GET cip_import.index":         ("",                                  LOGIN, DENY,    DENY,      DENY,   DENY,   OK),
    "POST cip_import.index":        ("",                                  LOGIN, DENY,    DENY,      DENY,   DENY,   REACH),
    "cip_import.confirm_view":      ("payload=bogus",                     LOGIN, DENY,    DENY,      DENY,   DENY,   REACH),

    # ------------------------------------------------------------ materials, experts, consultation (issue 8)
    "materials.index":              ("",                                  LOGIN, DENY,    OK,        OK,     DENY,   DENY),
    "materials.mark":               ("item_id=@item&received=1",          LOGIN, DENY,    SCOPED,    SCOPED, DENY,   DENY),
    "materials.mark_all":           ("application_id=@app",               LOGIN, DENY,    SCOPED,    SCOPED, DENY,   DENY),
    "materials.add_item":           ("application_id=@app&name=身份证复印件&copies=1",
                                                                          LOGIN, DENY,    SCOPED,    SCOPED, DENY,   DENY),
    "materials.received":           ("ids=@app",                          LOGIN, DENY,    DENY,      SCOPED, DENY,   DENY),
    "materials.missing":            ("",                                  LOGIN, DENY,    OK,        OK,     DENY,   DENY),
    "materials.missing_xlsx":       ("",                                  LOGIN, DENY,    OK,        OK,     DENY,   DENY),
    "consultation.index":           ("",                                  LOGIN, DENY,    DENY,      REACH,    DENY,   DENY),
    "consultation.groups_view":     ("",                                  LOGIN, DENY,    DENY,      OK,     DENY,   DENY),
    "consultation.group_create":    ("category=novel",                    LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "consultation.group_member":    ("group_id=@group",                   LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "GET consultation.assign_view": ("",                                  LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "POST consultation.assign_view": ("ids=@app",                         LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "consultation.votes_view":      ("",                                  LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "consultation.votes_close":     ("group_id=@group",                   LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "consultation.recusal":         ("application_id=@app",               LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "GET consultation.secretariat_view": ("",                             LOGIN, DENY,    DENY,      OK,     DENY,   DENY),
    "POST consultation.secretariat_view": ("application_id=@app",         LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "consultation.notice_view":     ("",                                  LOGIN, DENY,    DENY,      OK,     DENY,   DENY),
    "consultation.notice_open":     ("",                                  LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "consultation.notice_objection": ("application_id=@app",              LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "consultation.notice_close":    ("",                                  LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "GET consultation.onboarding_view": ("",                              LOGIN, DENY,    DENY,      OK,     DENY,   DENY),
    "POST consultation.onboarding_view": ("application_id=@app",          LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "consultation.disqualify":      ("application_id=@app",               LOGIN, DENY,    DENY,      REACH,  DENY,   DENY),
    "expert_review.index":          ("",                                  LOGIN, DENY,    DENY,      DENY,   OK,     DENY),
    "expert_review.app_view":       ("id=@app",                           LOGIN, DENY,    DENY,      DENY,   SCOPED, DENY),
    "expert_review.vote":           ("application_id=@app&choice=pass",   LOGIN, DENY,    DENY,      DENY,   SCOPED, DENY),
    "expert_review.recuse":         ("application_id=@app&reason=relative", LOGIN, DENY,  DENY,      DENY,   SCOPED, DENY),

    # ------------------------------------------------------------ public pages (issue 8): anyone
    "public.index":                 ("",                                  OK,    OK,      OK,        OK,     OK,     OK),
    "public.notice":                ("",                                  OK,    OK,      OK,        OK,     OK,     OK),
    "public.members":               ("",                                  OK,    OK,      OK,        OK,     OK,     OK),
    "public.members_xlsx":          ("",                                  OK,    OK,      OK,        OK,     OK,     OK),
    # 反映问题 (issue 15.4): only people on an open notice (none in this world); tests/test_public_objections.py
    "GET public.report":            ("id=@app",                           NO,    NO,      NO,        NO,     NO,     NO),
    "POST public.report":           ("id=@app&contact=x&content=y",       NO,    NO,      NO,        NO,     NO,     NO),

    # ------------------------------------------------------------ 站外通知 (issue 15.5)
    "outbox.details_view":          ("id=1",                              LOGIN, DENY,    DENY,      REACH,  DENY,   REACH),
    "outbox_templates.index":       ("",                                  LOGIN, DENY,    DENY,      DENY,   DENY,   OK),
    "outbox_templates.save_view":   ("kind=rejected&subject=【{协会}】驳回&body={姓名}：{理由}",
                                                                          LOGIN, DENY,    DENY,      DENY,   DENY,   OK),
}

# The supervisor's GETs (see the module docstring), by the keys of ROWS.  Read: the list and details (no
# personal data: tests/test_supervisor.py), the consultation pages, the public site; refused: every working
# page of the other roles, and every download of a form (it carries 身份证号 and contact data).
SUPERVISOR: dict[str, str] = {
    "web.root": REACH, "admin.index": OK, "account.index": LOGIN, "GET account.login_view": REACH,
    "account.logout_view": SKIP, "GET account.password_view": OK, "admin.static": OK,
    "applications.index_view": OK, "applications.details_view": SCOPED, "GET applications.edit_view": NO,
    "GET applications.create_view": NO, "applications.ajax_lookup": REACH, "applications.download_view": DENY,
    "GET applications.transition_view": NO, "applications.export": NO, "GET applications.export_view": DENY,
    "applicant.index": DENY, "GET applicant.form_view": DENY, "applicant.download_view": DENY,
    "documents.index": DENY, "documents.form_pdf": DENY, "documents.materials_pdf": DENY,
    "documents.materials_xlsx": DENY, "member_lists.index": DENY, "statistics.index": DENY,
    "GET register.index": REACH, "proxy_accounts.index": DENY, "GET proxy_accounts.new_view": DENY,
    "proxy_return.index": NO,
    "cip.index": DENY, "cip.compare_view": DENY, "GET cip_import.index": DENY,
    "materials.index": DENY, "materials.missing": DENY, "materials.missing_xlsx": DENY,
    "consultation.index": REACH, "consultation.groups_view": OK, "GET consultation.assign_view": REACH,
    "consultation.votes_view": REACH, "GET consultation.secretariat_view": OK, "consultation.notice_view": OK,
    "GET consultation.onboarding_view": OK,
    "expert_review.index": DENY, "expert_review.app_view": DENY,
    "public.index": OK, "public.notice": OK, "public.members": OK, "public.members_xlsx": OK,
    "GET public.report": NO,
    "outbox.details_view": DENY, "outbox_templates.index": DENY,
}
SUPERVISOR_MAY_POST = {"POST account.login_view": OK, "POST account.password_view": OK,
                       "POST account.logout_view": SKIP}  # (logging out ends the probe: as for every role)

# Not under test: Flask's own static files.
IGNORED_ENDPOINTS = {"static"}


def all_rows() -> dict[str, tuple]:
    rows: dict[str, tuple] = {}
    for prefix, (obj, scoped, perms) in MODEL_VIEWS.items():
        rows.update(expand_model_view(prefix, obj, scoped, perms))
    rows.update(ROWS)
    for key, row in rows.items():
        assert len(row) in (len(ROLES), 1 + len(ROLES)), f"{key}: {len(row)} columns, expected {1 + len(ROLES)}"
    return rows


def row_for(rows: dict[str, tuple], endpoint: str, method: str) -> tuple | None:
    row = rows.get(f"{method} {endpoint}") or rows.get(endpoint)
    if row is None:
        return None
    if method != "GET":  # the read-only supervisor: refused, whatever the row says
        return row[:len(ROLES)] + (SUPERVISOR_MAY_POST.get(f"{method} {endpoint}", DENY),)
    if len(row) == len(ROLES):
        outcome = SUPERVISOR.get(f"{method} {endpoint}") or SUPERVISOR.get(endpoint)
        return None if outcome is None else row + (outcome,)
    return row
