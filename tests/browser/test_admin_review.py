"""The admin pages a lead reviews with, in Chromium at 1280 px: signing in lands on the decisions
list, the one address that answers "what did we decide last month for high-volume tasks, and
why?" fits the screen, and every admin page Advisor adds or changes passes axe. Screenshots go
to build/screenshots/admin/."""

from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from decisions import services
from decisions.domain.engine import Answers
from decisions.models import Decision
from tests.browser.journey import DESKTOP, screenshot, scrolls_sideways
from tests.helpers import TUNED

pytestmark = pytest.mark.browser

BLOCKING = ("moderate", "serious", "critical")
LIST_PATH = "/admin/decisions/decision/"
QUESTION = LIST_PATH + "?decided=last-month&volume=1m-10m,over-10m"

PROMPTED = {
    **TUNED, "labeled_examples": 10, "change_frequency": "weekly", "phase": "exploring",
    "fresh_knowledge": True, "reasoning": "complex", "small_model": "not_tried",
}


def _month(back: int) -> datetime:
    today = timezone.now()
    month = today.year * 12 + today.month - 1 - back
    return datetime(month // 12, month % 12 + 1, 10, 12, 0, tzinfo=UTC)


def _decisions() -> None:
    made = [
        ("Invoice extraction for the accounts payable team", TUNED, {}, 1),
        ("Search ranking", TUNED, {"monthly_requests": 20_000_000}, 1),
        ("Agent planner for field engineers' weekly schedules", PROMPTED,
         {"monthly_requests": 5_000_000}, 1),
        ("Hybrid: contract review with current case law", TUNED,
         {"fresh_knowledge": True, "monthly_requests": 3_000_000}, 1),
        ("Small pilot", TUNED, {"monthly_requests": 50_000}, 1),
        ("This month's big job", TUNED, {}, 0),
    ]
    for title, base, changes, back in made:
        decision, _ = services.record_decision(Answers(**{**base, **changes}), title=title)
        Decision.objects.filter(pk=decision.pk).update(created=_month(back))


def _axe(page: Page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']]}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in BLOCKING
    ]


def _sign_in(page: Page, live_server) -> None:
    get_user_model().objects.create_superuser("lead", "lead@example.com", "a-long-pass-9")
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("a-long-pass-9")
    page.get_by_role("button", name="Log in").click()


@pytest.mark.django_db(transaction=True)
def test_the_question_fits_one_screen_and_passes_axe(live_server, new_context):
    _decisions()
    page = new_context(**DESKTOP).new_page()
    problems = []

    _sign_in(page, live_server)
    expect(page).to_have_url(live_server.url + LIST_PATH)
    # The URL changes when the list's navigation starts: axe waits for the page itself.
    expect(page.locator("#result_list")).to_be_visible()
    page.wait_for_load_state()
    problems += [f"list: {p}" for p in _axe(page)]
    assert not scrolls_sideways(page), "the full list scrolls sideways at 1280 px"

    page.goto(live_server.url + QUESTION)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator(".verdict-summary")).to_contain_text("Prompting 1")
    expect(page.locator(".verdict-summary")).to_contain_text("Fine-tuning 2")
    expect(page.locator(".verdict-summary")).to_contain_text("Hybrid 1")
    why = page.locator("#result_list td.field-why")
    expect(why.first).to_be_visible()
    invoices = Decision.objects.get(title__startswith="Invoice extraction")
    payback = invoices.cost_estimate["payback_months"]
    assert f"Pays back in {payback:.1f} months" in " ".join(why.all_inner_texts())
    # Every column is on screen: the public link, the last one, ends inside the window.
    last = page.locator("#result_list td.field-public_link").first.bounding_box()
    assert last is not None and last["x"] + last["width"] <= 1280
    assert not scrolls_sideways(page), "the question's list scrolls sideways at 1280 px"
    problems += [f"question: {p}" for p in _axe(page)]
    screenshot(page, "admin/question-last-month-high-volume")

    page.get_by_role("link", name="Overview of these decisions").click()
    expect(page.get_by_role("heading", name="Decisions per month, by verdict")).to_be_visible()
    expect(page.locator("#per-month-table tfoot")).to_contain_text("4")
    assert not scrolls_sideways(page), "the overview scrolls sideways at 1280 px"
    problems += [f"overview: {p}" for p in _axe(page)]
    screenshot(page, "admin/overview-last-month-high-volume")

    page.locator("div.breadcrumbs").get_by_role("link", name="Decisions").click()
    expect(page).to_have_url(live_server.url + QUESTION.replace(",", "%2C"))
    page.locator("#result_list td.field-display_title a").first.click()
    expect(page.get_by_text("How firm")).to_be_visible()
    assert not scrolls_sideways(page), "a decision's page scrolls sideways at 1280 px"
    problems += [f"detail: {p}" for p in _axe(page)]

    page.goto(live_server.url + "/admin/")
    expect(page.get_by_role("link", name="Overview: decisions per month")).to_be_visible()
    problems += [f"index: {p}" for p in _axe(page)]

    assert problems == [], "axe found problems:\n" + "\n".join(problems)
