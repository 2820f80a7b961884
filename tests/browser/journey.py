"""What a person does in the browser, shared by the journey and accessibility tests.

Each helper acts the way a person would (click or tap the label, type into the box, press the
button) and then checks what is on screen before moving on.
"""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from decisions.domain import costs, engine
from decisions.domain.fields import (
    BY_NAME,
    DEFAULT_PROMPT_MODEL,
    DEFAULT_TUNE_MODEL,
    STEPS,
    questions_for,
)
from decisions.services import decide_and_price

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 375, "height": 740}, "has_touch": True, "is_mobile": True}


@dataclass(frozen=True)
class Scenario:
    """One team's answers, as typed or chosen on the form, and the verdict they should get."""

    title: str
    expected: str  # the recommendation the page must show
    typed: dict[str, str] = field(default_factory=dict)

    def answers(self) -> engine.Answers:
        values: dict[str, object] = {}
        for name, text in self.typed.items():
            question = BY_NAME[name]
            if question.is_bool:
                values[name] = text == "yes"
            elif question.options:
                values[name] = text
            else:
                values[name] = int(text.replace(",", ""))
        return engine.Answers(**values)

    def words(self) -> list[str]:
        """Each answer as the review step and the result page say it back."""
        answers = self.answers().as_dict()
        return [BY_NAME[name].in_words(answers[name]) for name in self.typed]


# The cost details every scenario leaves as they are: the defaults, the default model pair.
DEFAULT_COST_DETAILS = {
    **costs.COST_DETAIL_DEFAULTS,
    "prompt_model": DEFAULT_PROMPT_MODEL,
    "tune_model": DEFAULT_TUNE_MODEL,
}

SUPPORT_TRIAGE = Scenario(
    "Support triage",
    "fine_tuning",
    {
        "monthly_requests": "2,000,000",
        "prompt_tokens": "1500",
        "labeled_examples": "800",
        "domain_language": "no",
        "small_model": "falls_short",
        "change_frequency": "rarely",
        "phase": "production",
        "fresh_knowledge": "no",
        "latency": "interactive",
        "output_format": "strict",
        "reasoning": "simple",
    },
)
EARLY_PROTOTYPE = Scenario(
    "Early prototype",
    "prompting",
    {
        "monthly_requests": "5000",
        "prompt_tokens": "1500",
        "labeled_examples": "20",
        "domain_language": "no",
        "small_model": "not_tried",
        "change_frequency": "weekly",
        "phase": "exploring",
        "fresh_knowledge": "no",
        "latency": "batch",
        "output_format": "free_text",
        "reasoning": "simple",
    },
)
PRICING_ASSISTANT = Scenario(
    "Pricing assistant",
    "hybrid",
    {
        "monthly_requests": "3,000,000",
        "prompt_tokens": "2500",
        "labeled_examples": "1200",
        "domain_language": "yes",
        "small_model": "falls_short",
        "change_frequency": "quarterly",
        "phase": "launching",
        "fresh_knowledge": "yes",
        "latency": "critical",
        "output_format": "strict",
        "reasoning": "complex",
    },
)


def press(target: Locator, *, tap: bool) -> None:
    if tap:
        target.tap()
    else:
        target.click()


def choose(page: Page, step: str, name: str, value: str, *, tap: bool = False) -> None:
    """Click (or tap) the label of one radio option, as a person does."""
    radio = page.locator(f'input[type="radio"][name="{step}-{name}"][value="{value}"]')
    press(page.locator(f'label[for="{radio.get_attribute("id")}"]'), tap=tap)
    expect(radio).to_be_checked()


def type_into(page: Page, step: str, name: str, text: str, *, tap: bool = False) -> None:
    box = page.locator(f"#id_{step}-{name}")
    press(box, tap=tap)
    box.fill(text)


def expect_step(page: Page, number: int) -> None:
    """The step's question is the heading and the progress says where we are."""
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(STEPS[number - 1].heading)
    expect(heading).to_contain_text(f"Step {number} of {len(STEPS)}")


def fill_step(page: Page, scenario: Scenario, step: str, *, tap: bool = False) -> None:
    for question in questions_for(step):
        value = scenario.typed[question.name]
        if question.options:
            choose(page, step, question.name, value, tap=tap)
        else:
            type_into(page, step, question.name, value, tap=tap)


def start(page: Page, base_url: str, *, tap: bool = False, on_page=None) -> None:
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Should you prompt, fine-tune, or do both?"
    )
    if on_page:
        on_page("landing")
    press(page.get_by_role("link", name="Start now"), tap=tap)
    expect_step(page, 1)


def answer_steps(
    page: Page, scenario: Scenario, *, tap: bool = False,
    on_page: Callable[[str], None] | None = None, show_errors: bool = False,
) -> None:
    """From the first step to the review step, checking each step appears in turn."""
    if show_errors:
        # Nothing typed yet: the step comes back with the problem at the top and by the field.
        press(page.get_by_role("button", name="Continue"), tap=tap)
        expect(page).to_have_title(re.compile(r"^Error: "))
        expect(page.get_by_role("alert")).to_contain_text("There is a problem")
        expect(page.locator("#id_volume-monthly_requests_error")).to_be_visible()
        if on_page:
            on_page("volume-errors")
    for number, step in enumerate(STEPS[:-1], start=1):
        expect_step(page, number)
        fill_step(page, scenario, step.name, tap=tap)
        if on_page:
            on_page(step.name)
        press(page.get_by_role("button", name="Continue"), tap=tap)
    expect_review(page, scenario)


def expect_review(page: Page, scenario: Scenario) -> None:
    expect_step(page, len(STEPS))
    main = page.get_by_role("main")
    for words in scenario.words():
        expect(main).to_contain_text(words)
    expect(page.get_by_role("link", name="Change monthly volume")).to_be_visible()


def submit(page: Page, scenario: Scenario, *, tap: bool = False, on_page=None) -> None:
    type_into(page, "review", "title", scenario.title, tap=tap)
    if on_page:
        on_page("review")
    press(page.get_by_role("button", name="Get my recommendation"), tap=tap)
    expect_verdict(page, scenario)


def expect_verdict(page: Page, scenario: Scenario) -> None:
    """The verdict, how firm it is, its reasons in the team's own numbers, the rows that bear on
    them and the three ways of running the task, priced."""
    result, estimate = decide_and_price(scenario.answers(), DEFAULT_COST_DETAILS)
    assert result.recommendation == scenario.expected, "the scenario no longer fits the rules"
    verdict = page.locator("[data-recommendation]")
    expect(verdict).to_have_attribute("data-recommendation", scenario.expected)
    expect(verdict).to_have_text(engine.RECOMMENDATION_LABELS[scenario.expected])
    expect(verdict).to_be_visible()
    strength = page.locator("[data-strength]")
    expect(strength).to_have_attribute("data-strength", result.strength)
    expect(strength).to_contain_text(result.strength_note or "Clear:")
    expect(strength).to_be_visible()
    assert estimate is not None and estimate.economics is not None
    for option in estimate.options:
        figure = page.locator(f'[data-cost="{option.key}"]')
        expect(figure).to_contain_text(option.label)
        expect(figure).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text(re.compile(r"\$0\.00(?!\d)"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(scenario.title)
    for reason in result.reasons:
        expect(page.get_by_text(reason.text, exact=True)).to_be_visible()
    expect(page.locator("[data-row]")).to_have_count(len(result.rows))
    for row in result.rows:
        shown = page.locator(f'[data-row="{row.key}"]')
        expect(shown).to_be_visible()
        expect(shown).to_contain_text(row.dimension)
        expect(shown).to_have_attribute("data-favours", row.favours)


def screenshot(page: Page, name: str) -> None:
    """A full-page picture for people to look at; SCREENSHOTS=0 turns them off."""
    if os.environ.get("SCREENSHOTS", "1") == "0":
        return
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


class Album:
    """Numbered full-page screenshots of one journey: build/screenshots/<name>/NN-<page>.png."""

    def __init__(self, page: Page, name: str) -> None:
        self.page, self.name, self.count = page, name, 0

    def __call__(self, label: str) -> None:
        self.count += 1
        screenshot(self.page, f"{self.name}/{self.count:02d}-{label}")


def focus_by_tab(page: Page, is_focused: Callable[[], bool], *, limit: int = 40) -> None:
    """Press Tab until `is_focused()` holds, as a keyboard user moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused():
            return
    raise AssertionError(f"{limit} presses of Tab never reached the element")


def tab_to(page: Page, target: Locator) -> None:
    focus_by_tab(page, lambda: target.evaluate("el => el === document.activeElement"))


def choose_by_keys(page: Page, step: str, name: str, value: str) -> None:
    """Tab into the radio group, then arrow keys (or Space) to the option."""
    group = f"{step}-{name}"
    values = page.locator(f'input[type="radio"][name="{group}"]').evaluate_all(
        "radios => radios.map(radio => radio.value)"
    )
    focus_by_tab(page, lambda: page.evaluate("document.activeElement.name") == group)
    offset = values.index(value) - values.index(page.evaluate("document.activeElement.value"))
    if offset == 0:
        page.keyboard.press("Space")
    for _ in range(abs(offset)):
        page.keyboard.press("ArrowDown" if offset > 0 else "ArrowUp")
    radio = page.locator(f'input[type="radio"][name="{group}"][value="{value}"]')
    expect(radio).to_be_focused()
    expect(radio).to_be_checked()


def type_by_keys(page: Page, step: str, name: str, text: str) -> None:
    box = page.locator(f"#id_{step}-{name}")
    tab_to(page, box)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    expect(box).to_have_value(text)
