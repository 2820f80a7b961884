"""A step sent with mistakes, as a person sees it on a desktop and on a phone.

Each picture is saved to build/screenshots/step-errors/ (SCREENSHOTS=0 turns them off), so a
change to how the questionnaire is rendered can be compared by eye; `make screenshots` runs these.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journey import (
    DESKTOP,
    PHONE,
    SUPPORT_TRIAGE,
    expect_step,
    fill_step,
    press,
    screenshot,
    start,
    type_into,
)

pytestmark = pytest.mark.browser


def expect_errors(page: Page, fields: dict[str, str]) -> None:
    """The summary at the top has focus and links to each field, whose message is beside it."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    for field_id, message in fields.items():
        expect(summary.get_by_role("link", name=message)).to_have_attribute(
            "href", re.compile(rf"^#{field_id}(_0)?$")
        )
        expect(page.locator(f"#{field_id}_error")).to_contain_text(message)


def show_step_errors(page: Page, live_server, name: str, *, tap: bool) -> None:
    start(page, live_server.url, tap=tap)
    type_into(page, "volume", "monthly_requests", "lots", tap=tap)
    type_into(page, "volume", "prompt_tokens", "99999999", tap=tap)
    press(page.get_by_role("button", name="Continue"), tap=tap)
    expect_step(page, 1)
    expect_errors(page, {
        "id_volume-monthly_requests": "Enter the number of completions a month as a whole number",
        "id_volume-prompt_tokens": "Enter a number of prompt tokens of",
    })
    expect(page.locator("#id_volume-monthly_requests")).to_have_value("lots")
    screenshot(page, f"step-errors/{name}-volume")

    fill_step(page, SUPPORT_TRIAGE, "volume", tap=tap)
    press(page.get_by_role("button", name="Continue"), tap=tap)
    expect_step(page, 2)
    press(page.get_by_role("button", name="Continue"), tap=tap)
    expect_step(page, 2)
    expect_errors(page, {
        "id_data-labeled_examples": "Enter the number of labeled examples",
        "id_data-domain_language": "Select yes if the model mishandles",
        "id_data-small_model": "Select whether the model you would fine-tune",
    })
    screenshot(page, f"step-errors/{name}-data")


def test_step_errors_desktop_show_a_summary_and_a_message_by_each_field(live_server, new_context):
    show_step_errors(new_context(**DESKTOP).new_page(), live_server, "desktop", tap=False)


def test_step_errors_phone_show_a_summary_and_a_message_by_each_field(live_server, new_context):
    show_step_errors(new_context(**PHONE).new_page(), live_server, "phone", tap=True)
