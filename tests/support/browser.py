"""Browser helpers shared by the Playwright journeys."""
from __future__ import annotations

from .helpers import PASSWORD


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/admin/account/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def browser_logout(page) -> None:
    page.click("#logout-button")
    page.wait_for_load_state("networkidle")


def edit_on_details(page, app_id: int, fields: dict[str, str], reason: str) -> None:
    """On the application's details page: 修改信息, fill ``fields`` (selector → text) and the reason, save."""
    page.goto(f"/admin/applications/details/?id={app_id}")
    page.click("#btn-edit")
    for selector, text in fields.items():
        page.fill(selector, text)
    page.fill("#change_reason", reason)
    page.click("#btn-save-edit")
    page.wait_for_load_state("networkidle")


CSP_REPORT = "Content Security Policy"


def watch_for_violations(page) -> list[str]:
    """Collect what Chromium reports against the page: Content-Security-Policy violations in the console and
    uncaught script errors.  The ``page`` fixture fails the test when the list is not empty at its end."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if CSP_REPORT in msg.text else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    return problems
