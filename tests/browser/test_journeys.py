"""Whole journeys in a real Chromium: what a person clicks, types and sees."""

import dataclasses
import re

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, expect

from decisions.domain.fields import STEPS, questions_for
from decisions.models import Decision
from tests.browser.journey import (
    DESKTOP,
    EARLY_PROTOTYPE,
    PHONE,
    PRICING_ASSISTANT,
    SUPPORT_TRIAGE,
    Album,
    answer_steps,
    choose,
    choose_by_keys,
    expect_review,
    expect_step,
    expect_verdict,
    fill_step,
    press,
    scrolls_sideways,
    start,
    submit,
    tab_to,
    type_by_keys,
    type_into,
)

pytestmark = pytest.mark.browser

COPY = re.compile(r"^Copy")



def test_journey_desktop_from_landing_to_a_link_a_teammate_opens(live_server, new_context):
    context = new_context(**DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    album = Album(page, "desktop")

    start(page, live_server.url, on_page=album)
    answer_steps(page, SUPPORT_TRIAGE, on_page=album)
    submit(page, SUPPORT_TRIAGE, on_page=album)
    album("result")

    page.get_by_role("button", name=COPY).click()
    expect(page.get_by_text("Copied", exact=True)).to_be_visible()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.url
    assert "/d/" in link

    teammate = new_context(**DESKTOP)
    assert teammate.cookies() == []
    their_page = teammate.new_page()
    their_page.goto(link)
    expect_verdict(their_page, SUPPORT_TRIAGE)


def test_journey_keyboard_only_with_javascript_off(live_server, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + "/")
    tab_to(page, page.get_by_role("link", name="Start now"))
    page.keyboard.press("Enter")

    scenario = PRICING_ASSISTANT
    for number, step in enumerate(STEPS[:-1], start=1):
        expect_step(page, number)
        for question in questions_for(step.name):
            value = scenario.typed[question.name]
            if question.options:
                choose_by_keys(page, step.name, question.name, value)
            else:
                type_by_keys(page, step.name, question.name, value)
        tab_to(page, page.get_by_role("button", name="Continue"))
        page.keyboard.press("Enter")

    expect_review(page, scenario)
    type_by_keys(page, "review", "title", scenario.title)
    page.keyboard.press("Enter")  # in the text box: sends the form, never goes Back
    expect_verdict(page, scenario)
    # Without JavaScript there is no Copy button; the link is there to select and copy.
    expect(page.get_by_role("button", name=COPY)).to_be_hidden()
    expect(page.get_by_role("textbox", name=re.compile("link", re.IGNORECASE))).to_have_value(
        page.url
    )


def test_journey_phone_by_tapping_never_scrolls_sideways(live_server, new_context):
    page = new_context(**PHONE).new_page()
    album = Album(page, "phone")
    wide = []

    def look(label: str) -> None:
        album(label)
        if scrolls_sideways(page):
            wide.append(label)

    start(page, live_server.url, tap=True, on_page=look)
    answer_steps(page, PRICING_ASSISTANT, tap=True, on_page=look)
    submit(page, PRICING_ASSISTANT, tap=True, on_page=look)
    look("result")
    press(page.get_by_text("Show the full table"), tap=True)
    full_table = page.get_by_role("table", name="All seven tradeoffs").last
    expect(full_table).to_be_visible()
    look("result-full-table")

    assert wide == [], f"these pages scroll sideways at 375 px: {wide}"


def test_journey_back_keeps_answers_and_change_returns_to_review(live_server, new_context):
    page = new_context(**DESKTOP).new_page()
    start(page, live_server.url)
    for step in ("volume", "data"):
        fill_step(page, SUPPORT_TRIAGE, step)
        page.get_by_role("button", name="Continue").click()

    # Two of three answers on step 3, then Back: even an unfinished step is kept.
    expect_step(page, 3)
    choose(page, "stability", "change_frequency", "quarterly")
    choose(page, "stability", "phase", "launching")
    page.get_by_role("button", name="Back").click()
    expect_step(page, 2)
    expect(page.locator("#id_data-labeled_examples")).to_have_value("800")
    page.get_by_role("button", name="Continue").click()
    expect_step(page, 3)
    expect(page.get_by_label("Quarterly", exact=True)).to_be_checked()
    expect(page.get_by_label("Launching", exact=True)).to_be_checked()
    expect(page.locator('input[name="stability-fresh_knowledge"]:checked')).to_have_count(0)

    edited = dataclasses.replace(
        SUPPORT_TRIAGE,
        typed={**SUPPORT_TRIAGE.typed, "change_frequency": "quarterly", "phase": "launching"},
    )
    choose(page, "stability", "fresh_knowledge", "no")
    page.get_by_role("button", name="Continue").click()
    fill_step(page, edited, "delivery")
    page.get_by_role("button", name="Continue").click()
    expect_review(page, edited)

    page.get_by_role("link", name="Change monthly volume").click()
    expect_step(page, 1)
    expect(page.locator("#id_volume-monthly_requests")).to_have_value("2,000,000")
    type_into(page, "volume", "monthly_requests", "50,000")
    page.get_by_role("button", name="Continue").click()

    edited = dataclasses.replace(
        edited, typed={**edited.typed, "monthly_requests": "50,000"}
    )
    expect_review(page, edited)
    expect(page.get_by_role("main")).not_to_contain_text("2,000,000")

    # A cost detail's Change link opens its folded details, scrolled to the question.
    page.get_by_role("link", name="Change output tokens per request").click()
    expect_step(page, 1)
    expect(page.get_by_label("Output tokens per request")).to_be_in_viewport()
    page.get_by_role("button", name="Continue").click()
    expect_review(page, edited)
    submit(page, edited)


def test_journey_two_tabs_two_assessments_each_keeps_its_own_answers(live_server, new_context):
    context = new_context(**DESKTOP)
    first, second = context.new_page(), context.new_page()
    start(first, live_server.url)
    start(second, live_server.url)
    for number, step in enumerate(STEPS[:-1], start=1):
        for page, scenario in ((first, SUPPORT_TRIAGE), (second, EARLY_PROTOTYPE)):
            page.bring_to_front()  # switch tabs, as a person does
            expect_step(page, number)
            fill_step(page, scenario, step.name)
            page.get_by_role("button", name="Continue").click()
    expect_review(first, SUPPORT_TRIAGE)
    expect_review(second, EARLY_PROTOTYPE)

    submit(second, EARLY_PROTOTYPE)
    first.bring_to_front()
    submit(first, SUPPORT_TRIAGE)
    second.bring_to_front()
    second.reload()
    expect_verdict(second, EARLY_PROTOTYPE)
    assert first.url != second.url


def test_journey_double_click_on_the_final_submit_makes_one_decision(live_server, new_context):
    page = new_context(**DESKTOP).new_page()
    start(page, live_server.url)
    answer_steps(page, SUPPORT_TRIAGE)
    type_into(page, "review", "title", SUPPORT_TRIAGE.title)
    page.get_by_role("button", name="Get my recommendation").dblclick()
    expect_verdict(page, SUPPORT_TRIAGE)
    assert Decision.objects.count() == 1
    assert page.url.endswith(Decision.objects.get().get_absolute_url())


def test_journey_no_request_leaves_the_origin_and_no_script_fails(live_server, new_context):
    context = new_context(**DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", console)

    start(page, live_server.url)
    answer_steps(page, SUPPORT_TRIAGE, show_errors=True)
    submit(page, SUPPORT_TRIAGE)
    page.get_by_role("button", name=COPY).click()
    expect(page.get_by_text("Copied", exact=True)).to_be_visible()
    for summary in page.locator("details > summary").all():
        summary.click()  # open the folded parts: the full table, the answers

    result_url = page.url
    Decision.objects.filter(token=result_url.rstrip("/").rsplit("/", 1)[1]).update(
        revoked_at=timezone.now()
    )
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("This link was withdrawn")
    missing_url = live_server.url + "/no-such-page/"
    page.goto(missing_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    # The browser logs the 410 and 404 statuses of those two pages themselves; nothing else.
    expected_errors = {
        f"console: Failed to load resource: the server responded with a status of {status} "
        f"({url})"
        for status, url in (("410 (Gone)", result_url), ("404 (Not Found)", missing_url))
    }

    elsewhere = [
        url for url in requests
        if not (url.startswith(live_server.url + "/") or url.startswith("data:"))
    ]
    assert elsewhere == []
    assert len(requests) > 20  # the listener saw the whole journey
    assert [error for error in errors if error not in expected_errors] == []


def test_journey_the_data_step_asks_whether_the_small_model_is_good_enough(
    live_server, new_context
):
    page = new_context(**DESKTOP).new_page()
    start(page, live_server.url)
    fill_step(page, SUPPORT_TRIAGE, "volume")
    page.get_by_role("button", name="Continue").click()
    expect_step(page, 2)
    type_into(page, "data", "labeled_examples", "800")
    choose(page, "data", "domain_language", "no")
    page.get_by_role("button", name="Continue").click()  # the small-model question unanswered

    message = "Select whether the model you would fine-tune is good enough when prompted."
    expect_step(page, 2)
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator("#id_data-small_model_error")).to_have_text(f"Error: {message}")
    page.get_by_role("link", name=message).click()  # the summary leads to the question
    expect(page.locator("#id_data-small_model_0")).to_be_in_viewport()
    expect(page.locator("#id_data-labeled_examples")).to_have_value("800")  # kept as typed
    choose(page, "data", "small_model", "not_tried")
    page.get_by_role("button", name="Continue").click()
    expect_step(page, 3)
