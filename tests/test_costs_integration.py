"""The cost estimate where a result appears: the result page, its exports, the API and the admin."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User

from decisions import costs, engine
from decisions.models import Decision, ModelPrice
from tests.examples import FINE_TUNING_ANSWERS

pytestmark = pytest.mark.django_db

# High volume and a strict schema: fine-tuning, at 2,000,000 requests a month.
ANSWERS = FINE_TUNING_ANSWERS
NOTE_START = "As of 2025; check the provider's pricing page"
PRICES_URL = "/admin/decisions/modelprice/"


def record(title: str = "Support triage", answers: dict | None = None, **details) -> Decision:
    decision, _ = Decision.objects.record(
        engine.Answers(**(answers or ANSWERS)), title=title, cost_details=details
    )
    return decision


def expected(prompt: str = "gpt-4.1", tune: str = "gpt-4.1-mini", **inputs) -> costs.CostEstimate:
    prices = {price.name: price.price() for price in ModelPrice.objects.all()}
    numbers = {name: ANSWERS[name] for name in ("monthly_requests", "prompt_tokens")}
    numbers["labeled_examples"] = ANSWERS["labeled_examples"]
    return costs.estimate(costs.CostInputs(**{**numbers, **inputs}), prices[prompt], prices[tune])


def page_of(client, decision: Decision) -> str:
    response = client.get(f"/d/{decision.token}/")
    assert response.status_code == 200
    return response.content.decode()


def panel(page: str) -> str:
    """The HTML of the "What it costs" section."""
    match = re.search(r'<section class="result-section cost-panel".*?</section>', page, re.S)
    assert match, "no cost panel"
    return match.group(0)


def figure(html: str, key: str) -> str:
    """The text of one figure (label and value) in the panel, tags removed."""
    match = re.search(rf'<div class="cost-figure" data-cost="{key}">(.*?)</div>', html, re.S)
    assert match, f"no figure {key}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def add_untunable_model(name: str = "claude-sonnet-4") -> ModelPrice:
    return ModelPrice.objects.create(
        name=name, provider="Anthropic", input_per_m=3, output_per_m=15,
        as_of=datetime.date(2025, 5, 1), source_url="https://www.anthropic.com/pricing",
        note="Anthropic offers no self-serve fine-tuning of this model.",
    )


# --- The panel ---


def test_panel_shows_the_monthly_costs_for_a_known_case(client):
    est = expected()
    assert (est.prompting_monthly, est.fine_tuned_monthly) == (Decimal(12800), Decimal(2720))
    html = panel(page_of(client, record()))
    assert figure(html, "prompting_monthly") == (
        "Prompting gpt-4.1 $12,800 a month $0.0064 a request"
    )
    assert figure(html, "fine_tuned_monthly").startswith("Fine-tuned gpt-4.1-mini $2,720 a month")
    assert figure(html, "monthly_saving") == "Saving with fine-tuning $10,080 a month"


def test_panel_shows_the_one_off_cost_and_when_it_pays_back(client):
    est = expected()
    html = panel(page_of(client, record()))
    assert figure(html, "one_off").startswith(
        f"One-off cost of fine-tuning {costs.format_money(est.one_off)} Training $9.60"
    )
    assert "engineering $8,000 (10 days at $800)" in figure(html, "one_off")
    assert figure(html, "break_even_months") == (
        f"Pays back in {costs.format_months(est.break_even_months)}"
    )
    assert figure(html, "break_even_volume") == (
        f"Pays back within a year from {est.break_even_volume:,} requests a month"
    )


def test_panel_shows_the_summary_sentences(client):
    html = panel(page_of(client, record()))
    assert expected().summary() in html


def test_panel_uses_the_cost_details_given(client):
    details = {"prompt_model": "gpt-4o-mini", "tune_model": "gpt-4.1-nano", "input_tokens": 900,
               "output_tokens": 50, "epochs": 2, "engineering_days": 3, "day_rate": 1200}
    est = expected("gpt-4o-mini", "gpt-4.1-nano", input_tokens=900, output_tokens=50, epochs=2,
                   engineering_days=3, day_rate=1200)
    html = panel(page_of(client, record(**details)))
    assert f"{costs.format_money(est.prompting_monthly)} a month" in figure(
        html, "prompting_monthly"
    )
    assert "Prompting gpt-4o-mini" in html and "Fine-tuned gpt-4.1-nano" in html
    assert "engineering $3,600 (3 days at $1,200)" in html


def test_panel_names_the_price_date_models_source_and_note(client):
    html = panel(page_of(client, record()))
    assert (
        'Prices as of <time datetime="2025-06-01">1 June 2025</time> for gpt-4.1 and gpt-4.1-mini.'
    ) in html
    assert "check the provider&#x27;s pricing page before relying on these figures" in html
    assert '<a href="https://openai.com/api/pricing/"' in html
    assert html.count(NOTE_START.replace("'", "&#x27;")) == 1  # one note, shared by both models


def test_panel_follows_what_would_change_with_headings_in_order(client):
    page = page_of(client, record())
    headings = re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", page, re.S)
    titles = [re.sub(r"<[^>]+>", "", text).strip() for _, text in headings]
    levels = [int(level) for level, _ in headings]
    at = titles.index("What it costs")
    assert titles[at - 1] == "What would change the answer"
    assert (levels[at], titles[at + 1], levels[at + 1]) == (2, "Monthly cost by volume", 3)
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


# --- The chart and its table ---


def test_chart_is_an_inline_svg_with_title_and_description(client):
    html = panel(page_of(client, record()))
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="cost-chart-title cost-chart-desc"' in svg
    assert '<title id="cost-chart-title">Monthly cost by volume: Support triage</title>' in svg
    desc = re.search(r'<desc id="cost-chart-desc">(.*?)</desc>', svg, re.S).group(1)
    assert "At your 2,000,000 requests a month, prompting costs $12,800" in desc
    assert 'width="100%"' in svg
    assert "<script" not in svg and "style=" not in svg


def test_chart_title_escapes_the_decision_title(client):
    page = page_of(client, record(title='<script>alert("x")</script> & co'))
    assert "<script>alert" not in page
    assert (
        "<title id=\"cost-chart-title\">Monthly cost by volume: "
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</title>"
    ) in page


def test_chart_numbers_are_in_a_table_with_caption_and_scoped_headers(client):
    est = expected()
    html = panel(page_of(client, record()))
    table = re.search(r'<div class="table-responsive">\s*<table.*?</table>', html, re.S).group(0)
    assert "<caption>Monthly cost in US dollars at each volume" in table
    assert table.count('<th scope="col">') == 4
    assert '<th scope="col">Prompting gpt-4.1, a month</th>' in table
    rows = [
        tuple(re.sub(r'<span class="cell-label">.*?</span>', "", cell) for cell in cells)
        for cells in re.findall(
            r'<tr(?: class="cost-table-marked")?>\s*<th scope="row">(.*?)</th>\s*'
            r"<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td[^>]*>(.*?)</td>",
            table,
        )
    ]
    assert ("2,000,000", "$12,800", "$2,720", "Your volume") in rows
    assert (f"{est.break_even_volume:,}", "$848", "$180", "Pays back within a year") in rows


# --- When a figure or the whole estimate is missing ---


def test_no_price_says_so_plainly(client):
    decision = record()
    Decision.objects.filter(pk=decision.pk).update(cost_estimate=None)
    html = panel(page_of(client, decision))
    assert (
        "No price was available for gpt-4.1 and gpt-4.1-mini, so this decision has no cost "
        "estimate."
    ) in html
    assert "<svg" not in html and "<table" not in html


def test_models_missing_from_the_price_sheet_give_no_estimate(client):
    decision = record(prompt_model="retired-model")
    assert decision.cost_estimate is None
    html = panel(page_of(client, decision))
    assert "No price was available for retired-model and gpt-4.1-mini" in html


def test_unreadable_stored_estimate_is_a_message_not_an_error(client):
    decision = record()
    Decision.objects.filter(pk=decision.pk).update(cost_estimate={"inputs": "mangled"})
    html = panel(page_of(client, decision))
    assert "The cost estimate stored with this decision could not be read." in html
    assert "cost estimate" in client.get(f"/d/{decision.token}.md").content.decode()


def test_tune_model_without_fine_tuning_prices_shows_the_reason(client):
    add_untunable_model()
    decision = record(tune_model="claude-sonnet-4")
    html = panel(page_of(client, decision))
    reason = (
        "Anthropic has no fine-tuning price for claude-sonnet-4, so the fine-tuned cost cannot "
        "be estimated."
    )
    assert figure(html, "fine_tuned_monthly") == f"Fine-tuned claude-sonnet-4 {reason}"
    assert html.count(f'<dd class="cost-reason">{reason}</dd>') == 1  # said once, not per figure
    assert "</span>No fine-tuning price</td>" in html
    assert "Only prompting is drawn" in html
    assert "1 May 2025" in html  # the older of the two price dates


def test_fine_tuning_that_never_pays_back_says_why(client):
    # No long prompt to save: the fine-tuned model's dearer tokens cost more than prompting.
    decision = record(answers={**ANSWERS, "prompt_tokens": 0}, tune_model="gpt-4.1")
    html = panel(page_of(client, decision))
    assert figure(html, "monthly_saving").startswith(
        "Saving with fine-tuning None: fine-tuning costs"
    )
    assert "so it never pays back" in figure(html, "break_even_months")
    assert "so no volume pays back" in figure(html, "break_even_volume")


# --- The stored snapshot ---


def test_page_shows_the_prices_stored_with_the_decision(client):
    decision = record()
    ModelPrice.objects.filter(name="gpt-4.1").update(input_per_m=Decimal("20.00"))
    html = panel(page_of(client, decision))
    assert "$12,800 a month" in figure(html, "prompting_monthly")


@pytest.mark.parametrize("stored", [True, False])
def test_result_page_stays_at_one_query(client, django_assert_num_queries, stored):
    decision = record()
    if not stored:
        Decision.objects.filter(pk=decision.pk).update(cost_estimate=None)
    with django_assert_num_queries(1):
        assert client.get(f"/d/{decision.token}/").status_code == 200


# --- Exports ---


def test_markdown_export_has_a_what_it_costs_section(client):
    est = expected()
    text = client.get(f"/d/{record().token}.md").content.decode()
    section = text.split("## What it costs\n")[1].split("\n## ")[0]
    assert est.summary() in section
    assert "- Prompting gpt-4.1: **$12,800 a month**. $0.0064 a request." in section
    assert "- Fine-tuned gpt-4.1-mini: **$2,720 a month**." in section
    assert f"- Pays back within a year from: **{est.break_even_volume:,} requests a month**" in (
        section
    )
    assert "Prices as of 1 June 2025 for gpt-4.1 and gpt-4.1-mini" in section
    assert "<https://openai.com/api/pricing/>" in section
    assert NOTE_START in section
    assert text.index("## Why") < text.index("## What it costs") < text.index("## The tradeoffs")


def test_markdown_export_has_the_chart_data_as_a_table(client):
    text = client.get(f"/d/{record().token}.md").content.decode()
    assert (
        "| Requests a month | Prompting gpt-4.1, a month | Fine-tuned gpt-4.1-mini, a month "
        "| Marked in the chart |\n|---:|---:|---:|---|\n"
    ) in text
    assert "| 2,000,000 | $12,800 | $2,720 | Your volume |" in text


def test_markdown_export_without_a_price_says_so(client):
    decision = record()
    Decision.objects.filter(pk=decision.pk).update(cost_estimate=None)
    text = client.get(f"/d/{decision.token}.md").content.decode()
    assert "## What it costs\n\nNo price was available for gpt-4.1 and gpt-4.1-mini" in text


def test_markdown_export_gives_the_missing_part_reason(client):
    add_untunable_model()
    text = client.get(f"/d/{record(tune_model='claude-sonnet-4').token}.md").content.decode()
    assert "- Fine-tuned claude-sonnet-4: Anthropic has no fine-tuning price" in text
    assert "| 2,000,000 | $12,800 | No fine-tuning price | Your volume |" in text


def test_json_export_includes_the_stored_costs_and_details(client):
    decision = record(epochs=5)
    data = json.loads(client.get(f"/d/{decision.token}.json").content)
    assert data["costs"] == decision.cost_estimate
    assert data["costs"]["prompting_monthly"] == 12800.0
    assert data["cost_details"]["epochs"] == 5
    assert data["cost_details"]["tune_model"] == "gpt-4.1-mini"


def test_json_export_without_a_price_has_null_costs(client):
    decision = record()
    Decision.objects.filter(pk=decision.pk).update(cost_estimate=None)
    assert json.loads(client.get(f"/d/{decision.token}.json").content)["costs"] is None


def test_api_decision_page_shows_its_cost_details(client):
    body = {**ANSWERS, "tune_model": "gpt-4o-mini", "engineering_days": 20}
    response = client.post("/api/decisions", body, content_type="application/json")
    assert response.status_code == 201
    html = panel(page_of(client, Decision.objects.get(token=response.json()["token"])))
    assert "Fine-tuned gpt-4o-mini" in html
    assert "engineering $16,000 (20 days at $800)" in html


# --- The price sheet in the admin ---


def staff(*permissions: str) -> User:
    user = User.objects.create_user("lead", password="unused-in-tests", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    return user


def price_form(price: ModelPrice, **changes) -> dict[str, str]:
    data = {
        "name": price.name, "provider": price.provider, "as_of": price.as_of.isoformat(),
        "source_url": price.source_url, "note": price.note, "_save": "Save",
    }
    for name in (
        "input_per_m", "output_per_m", "ft_input_per_m", "ft_output_per_m", "training_per_m",
        "hosting_per_hour",
    ):
        value = getattr(price, name)
        data[name] = "" if value is None else str(value)
    return {**data, **changes}


def test_admin_lists_the_seeded_models_with_their_prices(client):
    client.force_login(staff("view_modelprice"))
    response = client.get(PRICES_URL)
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o-mini"):
        assert f">{name}</a>" in page
    for column in ("Provider", "Fine-tuned input, per million tokens", "Training", "As of"):
        assert column.lower() in page.lower()


def test_admin_searches_and_filters_the_price_sheet(client):
    add_untunable_model()
    client.force_login(staff("view_modelprice"))
    searched = client.get(PRICES_URL, {"q": "nano"}).content.decode()
    assert ">gpt-4.1-nano</a>" in searched and ">gpt-4.1-mini</a>" not in searched
    filtered = client.get(PRICES_URL, {"provider": "Anthropic"}).content.decode()
    assert ">claude-sonnet-4</a>" in filtered and ">gpt-4.1</a>" not in filtered


def test_admin_groups_the_price_fields(client):
    client.force_login(staff("view_modelprice", "change_modelprice"))
    price = ModelPrice.objects.get(name="gpt-4.1")
    page = client.get(f"{PRICES_URL}{price.pk}/change/").content.decode()
    positions = [page.index(heading) for heading in ("Base prices", "Fine-tuning (", "Source")]
    assert positions == sorted(positions)


def test_lead_edits_a_price_and_only_later_decisions_use_it(client):
    older = record("Before the change")
    client.force_login(staff("view_modelprice", "change_modelprice"))
    price = ModelPrice.objects.get(name="gpt-4.1")
    response = client.post(
        f"{PRICES_URL}{price.pk}/change/", price_form(price, input_per_m="4.00")
    )
    assert response.status_code == 302
    price.refresh_from_db()
    assert price.input_per_m == Decimal("4.00")

    later = record("After the change")
    assert later.cost_estimate["prompt_model"]["input_per_m"] == 4.0
    assert later.cost_estimate["prompting_monthly"] > older.cost_estimate["prompting_monthly"]
    older_before = older.cost_estimate
    older.refresh_from_db()
    assert older.cost_estimate == older_before
    assert older.cost_estimate["prompting_monthly"] == 12800.0
    assert "$12,800 a month" in figure(panel(page_of(client, older)), "prompting_monthly")


def test_staff_without_change_permission_cannot_edit_prices(client):
    client.force_login(staff("view_modelprice"))
    price = ModelPrice.objects.get(name="gpt-4.1")
    response = client.post(
        f"{PRICES_URL}{price.pk}/change/", price_form(price, input_per_m="0.01")
    )
    assert response.status_code == 403
    price.refresh_from_db()
    assert price.input_per_m == Decimal("2.0000")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"training_per_m": "-1"}, "training_per_m"),
        ({"ft_output_per_m": ""}, "ft_output_per_m"),
        ({"input_per_m": "cheap"}, "input_per_m"),
    ],
)
def test_admin_refuses_prices_the_estimate_cannot_use(client, changes, field):
    client.force_login(staff("view_modelprice", "change_modelprice"))
    price = ModelPrice.objects.get(name="gpt-4.1")
    response = client.post(f"{PRICES_URL}{price.pk}/change/", price_form(price, **changes))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    price.refresh_from_db()
    assert price.training_per_m == Decimal("25.0000")
    assert price.ft_output_per_m == Decimal("12.0000")


def test_decision_detail_in_the_admin_shows_the_stored_costs(client):
    decision = record()
    client.force_login(staff("view_decision"))
    page = client.get(f"/admin/decisions/decision/{decision.pk}/change/").content.decode()
    assert "Cost estimate" in page
    assert "$12,800 a month" in page
    assert "Prices as of 1 June 2025 for gpt-4.1 and gpt-4.1-mini" in page
