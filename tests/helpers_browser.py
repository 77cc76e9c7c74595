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
