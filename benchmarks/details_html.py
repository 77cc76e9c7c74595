"""The details pages of the demo data as each role reads them, written to a folder, to diff before / after a
change meant to keep the page's content (issue 19.6: speed-ups must not change a byte a user reads).

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/flask --app wsgi wxk demo     # once
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python benchmarks/details_html.py /tmp/before
    … change …
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python benchmarks/details_html.py /tmp/after
    diff -r /tmp/before /tmp/after

The applications: the one with the most audit events and with the most books, and the first of each status;
the roles: office, both unit admins, IT, the supervisor, an expert (refused).  CSRF tokens and CSP nonces,
new on every response, are set aside.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from tests.support.helpers import Client  # noqa: E402
from wxk_admin import create_app  # noqa: E402
from wxk_admin.models import Application, AuditEvent, Book, db  # noqa: E402

USERS = ("office", "unit_bj", "unit_js", "it", "supervisor", "expert1")
DEMO_PASSWORD = "Wxk-demo-2027"
VOLATILE = [(re.compile(r'name="csrf_token"[^>]*value="[^"]*"'), "CSRF"),
            (re.compile(r'value="[^"]*" name="csrf_token"'), "CSRF"),
            (re.compile(r'csrf_token" content="[^"]*"'), "CSRFMETA"),
            (re.compile(r'nonce="[^"]*"'), 'nonce=""')]


def rich_ids() -> list[int]:
    ids = set(db.session.scalars(select(func.min(Application.id)).group_by(Application.status)))
    for table in (AuditEvent, Book):
        ids.add(db.session.scalar(select(table.application_id).where(table.application_id.is_not(None))
                                  .group_by(table.application_id)
                                  .order_by(func.count().desc(), table.application_id).limit(1)))
    return sorted(i for i in ids if i)


def main(out: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "RATELIMIT_ENABLED": False})
    with app.app_context():
        ids = rich_ids()
    out.mkdir(parents=True, exist_ok=True)
    for username in USERS:
        client = Client(app.test_client())
        client.login(username, DEMO_PASSWORD)
        for app_id in ids:
            response = client.get(f"/admin/applications/details/?id={app_id}&url=/admin/applications/")
            text = response.get_data(as_text=True)
            for pattern, stand_in in VOLATILE:
                text = pattern.sub(stand_in, text)
            (out / f"{username}-{app_id}.html").write_text(f"{response.status_code}\n{text}")
    print(f"{len(USERS) * len(ids)} pages in {out}: applications {ids}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
