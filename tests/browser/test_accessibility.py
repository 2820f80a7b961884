"""axe-core on every page of the desktop and phone journeys, error pages included.

No rule is turned off: a page passes when axe finds nothing of impact moderate or above.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from decisions.models import Decision
from tests.browser.journey import (
    DESKTOP,
    PHONE,
    PRICING_ASSISTANT,
    SUPPORT_TRIAGE,
    answer_steps,
    start,
    submit,
)
from tests.browser.journey import screenshot as save_screenshot

pytestmark = pytest.mark.browser

BLOCKING = ("moderate", "serious", "critical")


class Audit:
    """Runs axe on each page it is shown and keeps every blocking violation found."""

    def __init__(self, page: Page, name: str) -> None:
        self.page, self.name = page, name
        self.axe = Axe()
        self.pages: list[str] = []
        self.found: list[str] = []

    def __call__(self, label: str) -> None:
        self.pages.append(label)
        # Audit what is folded away too: the cost details, the full table, the answers.
        self.page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
        for violation in self.axe.run(self.page).response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [node["target"] for node in violation["nodes"]]
                self.found.append(
                    f"{label}: {violation['id']} ({violation['impact']}) at {targets}: "
                    f"{violation['help']}"
                )

    def error_pages(self, live_server) -> None:
        """The 404 page for an unknown address and the 410 page for a withdrawn result."""
        result_url = self.page.url
        token = result_url.rstrip("/").rsplit("/", 1)[1]
        Decision.objects.filter(token=token).update(revoked_at=timezone.now())
        self.page.reload()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("This link was withdrawn")
        self("410")
        save_screenshot(self.page, f"{self.name}/extra-410")
        self.page.goto(live_server.url + "/no-such-page/")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Page not found")
        self("404")
        save_screenshot(self.page, f"{self.name}/extra-404")

    def check(self) -> None:
        assert self.found == [], "axe found problems:\n" + "\n".join(self.found)


def audit_journey(page: Page, live_server, scenario, name: str, *, tap: bool) -> None:
    audit = Audit(page, name)

    def look(label: str) -> None:
        audit(label)
        if label == "volume-errors":
            save_screenshot(page, f"{name}/extra-volume-errors")

    start(page, live_server.url, tap=tap, on_page=look)
    answer_steps(page, scenario, tap=tap, on_page=look, show_errors=True)
    submit(page, scenario, tap=tap, on_page=look)
    look("result")
    audit.error_pages(live_server)
    assert audit.pages == [
        "landing", "volume-errors", "volume", "data", "stability", "delivery", "review",
        "result", "410", "404",
    ]
    audit.check()


def test_journey_desktop_pages_pass_axe(live_server, new_context):
    page = new_context(**DESKTOP).new_page()
    audit_journey(page, live_server, SUPPORT_TRIAGE, "desktop", tap=False)


def test_journey_phone_pages_pass_axe(live_server, new_context):
    page = new_context(**PHONE).new_page()
    audit_journey(page, live_server, PRICING_ASSISTANT, "phone", tap=True)
