"""The six worked cases of docs/advice.md as a person sees them: the result page on a desktop
and a phone, the Markdown export and the admin detail, each checked in Chromium and saved as a
screenshot by `make screenshots` (build/screenshots/advice/)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from decisions import services
from decisions.domain.engine import Answers
from decisions.models import Decision
from decisions.web.chart import FONT_SIZE, WIDTH
from tests.advice_cases import CASES
from tests.browser.journey import DESKTOP, PHONE, screenshot, scrolls_sideways

pytestmark = pytest.mark.browser

ZERO_DOLLARS = re.compile(r"\$0\.00(?!\d)")
BLOCKING = ("moderate", "serious", "critical")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _decisions() -> dict[str, Decision]:
    return {
        name: services.record_decision(Answers(**answers), title=name, cost_details=details)[0]
        for name, (answers, details, *_) in CASES.items()
    }


def _no_blocking_axe(page) -> list[str]:
    page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.django_db(transaction=True)
def test_each_case_reads_well_on_desktop_and_phone(live_server, new_context):
    decisions = _decisions()
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = new_context(**viewport).new_page()
        for name, decision in decisions.items():
            _, _, recommendation, strength, _ = CASES[name]
            page.goto(live_server.url + decision.get_absolute_url())
            expect(page.locator("[data-recommendation]")).to_have_attribute(
                "data-recommendation", recommendation
            )
            expect(page.locator("[data-strength]")).to_have_attribute("data-strength", strength)
            text = page.locator("main").inner_text()
            assert not ZERO_DOLLARS.search(text), f"{name}: '$0.00' on the page"
            if recommendation == "hybrid":
                assert "saves" not in page.locator(".cost-panel").inner_text()
            assert not scrolls_sideways(page), f"{name} scrolls sideways on the {label}"
            chart = page.locator(".cost-chart-figure svg")
            if chart.count():  # its text scales with it: no larger than a heading's on a desktop
                text_px = FONT_SIZE * chart.bounding_box()["width"] / WIDTH
                body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
                assert text_px <= 1.3 * body_px, f"{name}: chart text {text_px:.0f}px on {label}"
            assert _no_blocking_axe(page) == [], name
            screenshot(page, f"advice/{_slug(name)}-{label}")


@pytest.mark.django_db(transaction=True)
def test_each_case_reads_well_as_markdown_and_in_the_admin(live_server, new_context):
    decisions = _decisions()
    user = get_user_model().objects.create_superuser("lead", "lead@example.com", "a-long-pass-9")
    page = new_context(**DESKTOP).new_page()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("a-long-pass-9")
    page.get_by_role("button", name="Log in").click()
    for name, decision in decisions.items():
        page.goto(f"{live_server.url}/d/{decision.token}.md")
        markdown = page.locator("body").inner_text()
        assert "## What it costs" in markdown and not ZERO_DOLLARS.search(markdown), name
        screenshot(page, f"advice/{_slug(name)}-markdown")
        page.goto(f"{live_server.url}/admin/decisions/decision/{decision.pk}/change/")
        expect(page.get_by_text("How firm")).to_be_visible()
        assert decision.result["summary"] in page.locator("#content").inner_text()
        screenshot(page, f"advice/{_slug(name)}-admin")
