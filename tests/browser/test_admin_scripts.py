"""The admin's own JavaScript runs under the site's Content-Security-Policy: a lead signs in,
selects decisions, opens one, and fills a price with the calendar's "Today" shortcut, and no
script fails and nothing is refused (a refusal shows in the console as an error)."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import ConsoleMessage, expect

from tests.helpers import fine_tuning_decision

pytestmark = pytest.mark.browser
PASSWORD = "a long passphrase for the lead"


def test_admin_scripts_run_under_the_policy(live_server, new_context, transactional_db):
    User.objects.create_superuser("lead", "lead@example.com", PASSWORD)
    decision = fine_tuning_decision("Triage")
    page = new_context().new_page()
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # The admin's pages link no icon, so the browser asks for /favicon.ico: not a script.
        if message.type == "error" and not message.location.get("url", "").endswith(
            "/favicon.ico"
        ):
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))

    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(live_server.url + "/admin/decisions/decision/")
    page.locator("#action-toggle").check()  # actions.js selects every row and counts them
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    page.goto(live_server.url + f"/admin/decisions/decision/{decision.pk}/change/")
    expect(page.get_by_text("Triage").first).to_be_visible()

    page.goto(live_server.url + "/admin/decisions/modelprice/add/")
    # DateTimeShortcuts.js fills the date next to its "Today" link.
    page.locator(".field-as_of").get_by_role("link", name="Today").click()
    expect(page.locator("#id_as_of")).not_to_have_value("")
    assert errors == []
