"""The shared result page /d/<token>/ and its Markdown and JSON exports."""

import gzip
import json
import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from decisions import services
from decisions.domain import engine
from decisions.domain.fields import DEFAULT_PROMPT_MODEL
from decisions.models import Decision
from decisions.web import markdown, present
from tests.helpers import FINE_TUNING_ANSWERS

pytestmark = pytest.mark.django_db

# The default pair: Llama 3.3 70B on Together prompted (A), Llama 3.1 8B on Fireworks prompted (B)
# and fine-tuned (C, served on an hourly deployment, so priced at the 8B's per-token rate).
LARGE, SMALL = "Llama-3.3-70B-Instruct-Turbo", "llama-v3p1-8b-instruct"
# Two signals (the small model falls short, so fine-tuning pays back against the large one at
# 2,000,000 a month; a strict schema), no blocker, no hybrid trigger: fine-tuning.
FINE_TUNING = {**FINE_TUNING_ANSWERS, "small_model": "falls_short"}
ANSWERS_FOR = {
    "fine_tuning": FINE_TUNING,
    # The signals plus both hybrid triggers: the reasoning split.
    "hybrid": {**FINE_TUNING, "reasoning": "complex", "fresh_knowledge": True},
    # Two blockers beside the signals.
    "prompting": {**FINE_TUNING, "labeled_examples": 20, "change_frequency": "weekly"},
    # A strict schema and facts that change: a fine-tuned model with retrieval.
    "retrieval_hybrid": {**FINE_TUNING_ANSWERS, "fresh_knowledge": True},
    # Saving only from volume, and the break-even (397,784) within a fifth of 450,000.
    "borderline": {**FINE_TUNING, "output_format": "free_text", "monthly_requests": 450_000},
    "no_volume": {**FINE_TUNING_ANSWERS, "monthly_requests": 0},
    # The small model not tried: the strict schema alone calls for fine-tuning.
    "not_tried": FINE_TUNING_ANSWERS,
}
LABELS = {"prompting": "Prompting", "fine_tuning": "Fine-tuning", "hybrid": "Hybrid"}
VERDICT_OF = {
    "retrieval_hybrid": "hybrid", "borderline": "fine_tuning", "no_volume": "fine_tuning",
    "not_tried": "fine_tuning",
}


def make(
    case: str = "fine_tuning", title: str = "Support triage", **cost_details
) -> Decision:
    decision, _ = services.record_decision(
        engine.Answers(**ANSWERS_FOR[case]), title=title, cost_details=cost_details
    )
    assert decision.recommendation == VERDICT_OF.get(case, case)
    return decision


def text_of(html: str) -> str:
    """What a person reads: tags dropped, entities decoded, white space folded."""
    import html as entities

    return " ".join(entities.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def cost_panel(page: str) -> str:
    match = re.search(r'<section class="result-section cost-panel".*?</section>', page, re.S)
    assert match, "no cost panel"
    return match.group(0)


def figures(page: str) -> dict[str, str]:
    """Each cost figure's text (label, value, detail) by its data-cost key."""
    found = re.findall(r'<div class="cost-figure" data-cost="(\w+)">(.*?)</div>', page, re.S)
    return {key: text_of(body) for key, body in found}


def page_of(client, decision: Decision) -> str:
    response = client.get(f"/d/{decision.token}/")
    assert response.status_code == 200
    return response.content.decode()


def disclosure(page: str, css_class: str) -> str:
    """The HTML inside <details class="<css_class>">."""
    match = re.search(rf'<details class="{css_class}[^"]*">(.*?)</details>', page, re.S)
    assert match, f"no <details class={css_class}>"
    return match.group(1)


# --- The verdict ---


@pytest.mark.parametrize("recommendation", ["prompting", "fine_tuning", "hybrid"])
def test_verdict_is_marked_with_its_value_and_label(client, recommendation):
    page = page_of(client, make(recommendation))
    assert re.search(
        rf'data-recommendation="{recommendation}">{LABELS[recommendation]}</span>', page
    )
    assert page.count("data-recommendation=") == 1


def test_verdict_shows_summary_title_and_date(client):
    decision = make()
    page = page_of(client, decision)
    assert decision.result["summary"] in page
    assert "Recommendation for Support triage" in page
    created = timezone.localtime(decision.created)
    assert f"{created.day} {created:%B %Y}" in page
    assert f'datetime="{created.strftime("%Y-%m-%dT%H:%M:%S%z")}"' in page  # no microseconds


def test_page_has_one_h1_and_section_headings(client):
    page = page_of(client, make())
    assert page.count("<h1") == 1
    for heading in (
        "Why",
        "The tradeoffs that bear on your answers",
        "What would change the answer",
        "Your answers",
        "Share this result",
    ):
        assert re.search(rf"<h2[^>]*>{heading}</h2>", page)


def test_stored_snapshot_is_shown_not_recomputed(client):
    decision = make()
    snapshot = {**decision.result, "summary": "Fine-tuning: as decided back then."}
    Decision.objects.filter(pk=decision.pk).update(result=snapshot)
    page = page_of(client, decision)
    assert "Fine-tuning: as decided back then." in page
    assert "our rules have changed" not in page.lower()


# --- Why, tradeoffs, what would change ---


def test_reasons_quote_the_answers_and_the_teams_own_figures(client):
    page = page_of(client, make())
    # C: 2,000,000 x 900 tokens x $0.20/M = $360 + retraining ($1.08 + $800) / 12 = $426.76;
    # A: 2,000,000 x 2,300 x $0.88/M = $4,048; $3,621.24 saved pays back $8,001.08 in 2.2 months.
    assert (
        f"At 2,000,000 completions a month, fine-tuned {SMALL} would cost $427 a month "
        f"against $4,048 for prompting {LARGE}"
    ) in page
    assert "pays back its $8,001 one-off cost in 2.2 months" in page
    assert "Your output must match an exact schema every time" in page


def test_prompting_reasons_quote_the_few_examples(client):
    page = page_of(client, make("prompting"))
    assert "You have 20 labeled examples: too few to beat a prompt that carries them." in page


def test_only_the_bearing_rows_carry_data_row(client):
    decision = make("hybrid")
    page = page_of(client, decision)
    shown = re.findall(r'<tr data-row="([a-z_]+)" data-favours="([a-z_]+)">', page)
    assert shown == [
        ("inference_cost", "fine_tuning"),
        ("consistency", "fine_tuning"),
        ("knowledge_cutoff", "prompting"),
    ]
    assert page.count("data-row=") == 3


def test_bearing_rows_show_both_cells(client):
    page = page_of(client, make())
    assert "Higher (longer prompts = more tokens)" in page
    assert "Lower (shorter prompts, smaller model)" in page


def test_favoured_side_is_marked_in_words_not_colour_alone(client):
    page = page_of(client, make("hybrid"))
    assert page.count('<span class="favoured-badge">') == 3
    row = re.search(r'<tr data-row="knowledge_cutoff".*?</tr>', page, re.S).group(0)
    prompting_cell, fine_tuning_cell = re.findall(r"<td.*?</td>", row, re.S)
    assert "Favoured" in prompting_cell and "Favoured" not in fine_tuning_cell
    assert "by your answers: Prompting" in prompting_cell


def test_tradeoff_table_has_caption_and_scoped_headers(client):
    page = page_of(client, make())
    tradeoffs = page.split('aria-labelledby="tradeoffs-heading"')[1].split("</section>")[0]
    assert "<caption>" in tradeoffs
    assert tradeoffs.count('<th scope="col">') == 6  # both tables
    assert '<th scope="row">Inference cost</th>' in page


def test_full_table_discloses_all_seven_rows_without_data_row(client):
    page = page_of(client, make())
    full = disclosure(page, "full-table")
    assert "<summary>Show the full table</summary>" in full
    body = full.split("<tbody>")[1]
    assert body.count("<tr>") == 7
    assert "data-row" not in full
    for dimension in ("Setup cost", "Data required", "Updateability", "Knowledge cutoff"):
        assert dimension in body


def test_what_would_change_is_shown_as_sentences(client):
    decision = make()
    page = page_of(client, decision)
    assert "<li>With fewer than 100 labeled examples, this would be prompting.</li>" in page
    assert "<li>With multi-step reasoning or tool use, this would be hybrid.</li>" in page
    assert page.count("this would be") == len(decision.result["what_would_change"])


def test_combined_change_is_shown_when_no_single_answer_flips_it(client):
    page = page_of(client, make("prompting"))
    assert (
        "With 100 or more labeled examples and requirements that change only quarterly, "
        "this would be fine-tuning."
    ) in page


@pytest.mark.parametrize(
    ("recommendation", "explained"),
    [("hybrid", True), ("fine_tuning", False), ("prompting", False)],
)
def test_hybrid_split_is_explained_only_for_hybrid(client, recommendation, explained):
    page = page_of(client, make(recommendation))
    assert ("How the hybrid split works" in page) is explained
    split = "smaller fine-tuned model handles the final structured output step"
    assert (split in page) is explained


def test_hybrid_explanation_matches_the_kind_of_hybrid(client):
    reasoning = page_of(client, make("hybrid"))
    retrieval = page_of(client, make("retrieval_hybrid"))
    split = re.compile(r'<section class="result-section hybrid-explanation".*?</section>', re.S)
    reasoning_split, retrieval_split = split.search(reasoning)[0], split.search(retrieval)[0]
    assert "a large reasoning model" in reasoning_split
    assert "retrieval" not in reasoning_split
    assert "retrieval supplies the facts that change" in retrieval_split
    assert "reasoning model" not in retrieval_split


# --- How firm the verdict is ---


def test_a_clear_verdict_is_marked_clear_in_words(client):
    page = page_of(client, make())
    strength = re.search(r'<p [^>]*data-strength="(\w+)"[^>]*>(.*?)</p>', page, re.S)
    assert strength, "no data-strength"
    assert strength[1] == "clear"
    assert text_of(strength[2]).startswith("Clear:")
    assert page.count("data-strength=") == 1


def test_a_borderline_verdict_says_which_answer_to_firm_up(client):
    decision = make("borderline")
    page = page_of(client, decision)
    strength = re.search(r'<p [^>]*data-strength="(\w+)"[^>]*>(.*?)</p>', page, re.S)
    assert strength[1] == "borderline"
    assert text_of(strength[2]) == (
        "Borderline: an estimate a little off would change the verdict. Firm up your monthly "
        "volume before you commit."
    )
    # (8,001.08 / 12 + 66.76) / ($0.002024 - $0.00018) = 397,784: about 400,000.
    assert "With fewer than about 400,000 completions a month, this would be prompting." in page
    changes = re.search(r'<ul class="changes">(.*?)</ul>', page, re.S)[1]
    assert "about 400,000" in changes and "397,784" not in changes


def test_a_decision_from_before_engine_2_shows_no_strength(client):
    decision = make()
    old = {k: v for k, v in decision.result.items() if k not in ("strength", "strength_note")}
    Decision.objects.filter(pk=decision.pk).update(result=old, strength="")
    assert "data-strength" not in page_of(client, decision)
    assert client.get(f"/d/{decision.token}.json").json()["strength"] is None


# --- What it costs ---


def test_cost_panel_shows_the_three_options_a_b_and_c(client):
    shown = figures(page_of(client, make()))
    assert list(shown)[:3] == ["A", "B", "C"]
    assert shown["A"] == f"Prompting {LARGE} $4,048 a month $0.0020 a request"
    assert shown["B"] == f"Prompting {SMALL} $920 a month $0.00046 a request"
    assert shown["C"] == (
        f"Fine-tuned {SMALL} $427 a month $0.00018 a request, at the base model's per-token "
        "rate, to compare like with like, plus $67 a month fixed"
    )
    assert shown["saving"].startswith(f"Fine-tuning against prompting {LARGE} $3,621 a month saved")
    assert shown["payback"] == "Pays back in 2.2 months"
    assert shown["break_even"] == (
        "Pays back from about 400,000 completions a month The least volume at which fine-tuning "
        "pays back within 12 months: 397,784 completions a month at today's figures."
    )


def test_cost_panel_shows_the_hourly_deployment_apart_from_the_comparison(client):
    shown = figures(page_of(client, make()))
    assert list(shown)[:4] == ["A", "B", "C", "dedicated"]
    assert shown["dedicated"].startswith(
        "Dedicated deployment for the fine-tuned model $8.00 an hour, $5,840 a month running "
        f"all month Fireworks AI serves fine-tuned {SMALL} only on a deployment billed by the hour."
    )
    assert "$5,840" not in shown["C"] and "$5,840" not in shown["saving"]


def test_the_saving_is_counted_against_the_small_model_unless_it_falls_short(client):
    shown = figures(page_of(client, make("not_tried")))
    # Against B: $920 - $426.76 = $493.24 a month, 16.2 months to pay back $8,001.08.
    assert shown["saving"].startswith(f"Fine-tuning against prompting {SMALL} $493 a month saved")
    assert "not counted" in shown["saving"]
    assert shown["payback"] == "Pays back in 16 months: longer than the 12 months it can earn"


def test_no_volume_shows_no_zero_dollar_figures(client):
    decision = make("no_volume")
    page = page_of(client, decision)
    markdown = client.get(f"/d/{decision.token}.md").content.decode()
    for text in (text_of(cost_panel(page)), markdown):
        assert "$0.00 " not in text and "$0.00." not in text and "$0 " not in text
        assert not re.search(r"\$0(\.0+)?\b(?!\.\d)", text), re.search(r".{60}\$0\b.{20}", text)
    assert "No volume yet, so there are no monthly figures" in page
    shown = figures(page)
    assert shown["A"] == f"Prompting {LARGE} $0.0020 a request"
    assert shown["payback"] == "Pays back in No volume yet"


def test_a_volume_of_one_is_worded_in_the_singular(client):
    decision, _ = services.record_decision(engine.Answers(**{**FINE_TUNING, "monthly_requests": 1}))
    page = page_of(client, decision)
    wrong = re.search(r"[^>]{0,60}\b1 completions[^<]{0,40}", text_of(page))
    assert wrong is None, f"plural after 1 on the result page: {wrong[0]!r}"


def test_a_reasoning_hybrid_is_costed_as_what_it_runs_and_claims_no_saving(client):
    page = page_of(client, make("hybrid"))
    panel = text_of(cost_panel(page))
    assert "It saves nothing; it buys consistent output." in panel
    shown = figures(page)
    assert shown["H"].startswith(
        f"Hybrid: prompting {LARGE} plus fine-tuned {SMALL} $6,635 a month "
        f"$827 a month more than prompting {LARGE} alone"
    )
    assert "saving" not in shown  # no "saved" figure
    assert " saved" not in panel
    # A: 3,300 x $0.88/M x 2,000,000 = $5,808; C: 1,900 x $0.20/M x 2,000,000 = $760 plus
    # ($2.28 + $800) / 12 = $66.86; $8,002.28 / ($5,808 - $826.86) = 1.6 months.
    assert shown["payback"] == "Pays back in 1.6 months, if it replaced prompting"
    why = text_of(page.split('id="why-heading"')[1].split("</section>")[0])
    assert "In this hybrid it does not" in why
    assert "more than prompting" in why


def test_a_reasoning_hybrids_verdict_claims_no_saving(client):
    """DESIGN 3b: a hybrid claims no saving. The reasons and the cost panel say the hybrid
    costs more than prompting alone, so the verdict's summary must not say fine-tuning pays back.
    """
    decision = make("hybrid")
    summary = decision.result["summary"]
    verdict = text_of(page_of(client, decision).split("</h1>")[1].split("</p>")[0])
    assert "pays back" not in verdict, (
        f"the hybrid's summary claims a saving the page denies: {summary!r}"
    )


def test_a_reasoning_hybrids_break_even_volume_is_hedged_like_its_payback(client):
    """In a reasoning hybrid the fine-tuned model never replaces prompting, so no volume makes
    the hybrid pay back: a break-even volume may only be given as "if it replaced prompting",
    as the payback figure beside it is."""
    shown = figures(page_of(client, make("hybrid")))
    assert shown["payback"].endswith("if it replaced prompting")
    if "break_even" in shown:
        assert "if it replaced prompting" in shown["break_even"], (
            f"the hybrid's break-even figure claims an unhedged pay-back: {shown['break_even']!r}"
        )


def test_a_closed_tune_model_gets_no_fine_tuning_figures_and_says_why(client):
    page = page_of(client, make(tune_model="gpt-4.1-mini"))
    panel = text_of(cost_panel(page))
    assert (
        "OpenAI has closed fine-tuning of gpt-4.1-mini to new customers since 7 May 2026. "
        "There is no fine-tuning estimate."
    ) in panel
    assert list(figures(page)) == ["A"]
    assert "Pays back" not in panel


def verdict_card(page: str) -> str:
    match = re.search(r'<section class="card verdict-card.*?</section>', page, re.S)
    assert match, "no verdict card"
    return match.group(0)


@pytest.mark.parametrize(
    ("tune_model", "words"),
    [
        ("gpt-4.1-mini", "OpenAI has closed fine-tuning of gpt-4.1-mini to new customers"),
        ("gpt-4.1-nano", "gpt-4.1-nano was retired on 23 October 2026."),
    ],
)
def test_a_verdict_on_a_model_no_one_new_can_fine_tune_says_so_beside_it(client, tune_model, words):
    decision = make(tune_model=tune_model)
    card = text_of(verdict_card(page_of(client, decision)))
    assert f"Check the model first. {words}" in card
    assert "Choose a model a new customer can fine-tune today, such as" in card
    exported = client.get(f"/d/{decision.token}.md").content.decode()
    assert f"**Check the model first.** {words}" in exported.split("## Why")[0]


def test_a_verdict_on_an_unpriced_open_model_rests_on_quality_and_sends_no_one_elsewhere(client):
    card = text_of(verdict_card(page_of(client, make(tune_model="amazon.nova-lite-v1:0"))))
    assert (
        "Fine-tuning is not priced. The price sheet has no fine-tuning price for "
        "amazon.nova-lite-v1:0, so this verdict rests on quality alone, not on cost: check "
        "Amazon Bedrock's fine-tuning prices before you commit."
    ) in card
    assert "Choose a model" not in card


def test_a_stored_panel_without_its_model_still_warns_in_the_panels_words(client):
    # A hand-edited or damaged row: the presenter cannot tell which case it is, so it shows the
    # stored reason as it is, never a 500.
    decision = make(tune_model="gpt-4.1-mini")
    panel = {**decision.cost_estimate}
    del panel["tune_model"]
    Decision.objects.filter(pk=decision.pk).update(cost_estimate=panel)
    decision.refresh_from_db()
    card = text_of(verdict_card(page_of(client, decision)))
    assert "Check the model first. OpenAI has closed fine-tuning of gpt-4.1-mini" in card


def test_an_open_model_or_a_prompting_verdict_adds_no_warning_to_the_verdict(client):
    assert "data-unpriced" not in verdict_card(page_of(client, make()))
    prompting = make("prompting", tune_model="gpt-4.1-mini")
    assert "data-unpriced" not in verdict_card(page_of(client, prompting))


def test_an_estimate_from_the_earlier_cost_model_shows_its_own_summary_and_a_note(client):
    decision = make()
    Decision.objects.filter(pk=decision.pk).update(
        cost_estimate={"summary": "Prompting gpt-4.1 costs $12,800 a month.",
                       "prompting_monthly": 12800.0}
    )
    panel = text_of(cost_panel(page_of(client, decision)))
    assert panel.startswith("What it costs Prompting gpt-4.1 costs $12,800 a month.")
    assert "earlier cost model" in panel
    assert "data-cost" not in panel


# --- Answers ---


def test_answers_are_in_words_and_collapsed(client):
    page = page_of(client, make())
    answers = disclosure(page, "answers-disclosure")
    assert "How many completions a month will this task run?" in answers
    assert "2,000,000 a month" in answers
    assert "Strict schema" in answers
    assert "Hardly ever" not in answers  # words are the option label, not its hint
    assert "Rarely" in answers
    assert '<details class="answers-disclosure" open' not in page


# --- Share ---


def test_share_link_is_absolute_in_a_labelled_read_only_field(client):
    decision = make()
    page = page_of(client, decision)
    url = f"http://testserver/d/{decision.token}/"
    assert '<label for="share-link"' in page
    field = re.search(r'<input id="share-link"[^>]*>', page).group(0)
    assert f'value="{url}"' in field
    assert "readonly" in field


def test_exports_and_restart_are_linked(client):
    decision = make()
    page = page_of(client, decision)
    assert f'href="/d/{decision.token}.md"' in page
    assert f'href="/d/{decision.token}.json"' in page
    assert f'href="/assess/?from={decision.token}">Start from these answers</a>' in page


def test_copy_button_is_hidden_until_javascript_and_script_is_external(client):
    page = page_of(client, make())
    button = re.search(r"<button[^>]*>Copy link</button>", page).group(0)
    assert " hidden" in button
    assert re.search(r'<script src="/static/js/share\.[0-9a-f]+\.js" defer></script>', page)
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None  # no inline script
    assert 'aria-live="polite"' in page


def test_page_loads_nothing_from_another_host(client):
    decision = make()
    page = page_of(client, decision)
    # Besides the share link and the chart's namespace name (never fetched), an address on the
    # page is only ever a link a person may follow: the price sheet's source.
    addresses = set(re.findall(r"https?://[^\s\"'<>]+", page)) - {
        f"http://testserver/d/{decision.token}/", "http://www.w3.org/2000/svg",
    }
    for address in addresses:
        assert page.count(address) == page.count(f'<a href="{address}"'), address
    assert not re.search(r"""\b(src|srcset|data|poster|action)=["']?(https?:)?//""", page)
    assert not re.search(r"""<link[^>]*href=["']?(https?:)?//""", page)
    assert 'src="//' not in page and 'href="//' not in page


# --- Stale engine ---


def test_stale_engine_notice_names_todays_verdict(client):
    decision = make()
    old = {**decision.result, "recommendation": "prompting", "summary": "Prompting: old rules."}
    Decision.objects.filter(pk=decision.pk).update(
        engine_version="0.0", recommendation="prompting", result=old
    )
    page = page_of(client, decision)
    assert 'data-recommendation="prompting">Prompting</span>' in page
    assert "Our rules have changed since this was decided." in page
    assert "<strong data-current-recommendation>Fine-tuning</strong>" in page


def test_no_stale_notice_when_old_rules_agree_with_todays(client):
    decision = make()
    Decision.objects.filter(pk=decision.pk).update(engine_version="0.0")
    page = page_of(client, decision)
    assert "Our rules have changed" not in page


# --- Privacy, unfurling ---


def test_page_is_not_indexable(client):
    decision = make()
    response = client.get(f"/d/{decision.token}/")
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("suffix", ["/", ".json", ".md"])
def test_page_and_exports_are_unlisted_and_keep_the_token_private(client, suffix):
    decision = make()
    response = client.get(f"/d/{decision.token}{suffix}")
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin")
    assert "private" in response.headers["Cache-Control"]


def test_open_graph_tags_use_title_and_summary(client):
    decision = make()
    page = page_of(client, decision)
    assert '<meta property="og:title" content="Advisor: Fine-tuning for Support triage">' in page
    assert f'<meta property="og:description" content="{decision.result["summary"]}">' in page
    assert "<title>Advisor: Fine-tuning for Support triage</title>" in page


def test_open_graph_title_without_a_title_is_the_verdict(client):
    page = page_of(client, make("hybrid", title=""))
    assert '<meta property="og:title" content="Advisor: Hybrid">' in page
    assert "Recommendation</span>" in page


def test_title_is_escaped(client):
    page = page_of(client, make(title='<script>alert("x")</script>'))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


# --- Missing, malformed, withdrawn ---


def test_unknown_token_is_not_found_with_a_way_back(client):
    response = client.get("/d/" + "A" * 24 + "/")
    assert response.status_code == 404
    assert 'href="/"' in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "A" * 15,
        "A" * 65,
        "A" * 500,
        "%00" * 8,
        "A" * 20 + "%00",
        "%00",
        "..%2F..%2Fetc%2Fpasswd",
        "../" * 6,
        "ÄÖÜäöüßéèêñçøåæ",
        "токен-токен-токен",
        "🙂" * 20,
        "A" * 20 + "%20",
        "A" * 20 + ".",
        "%FF%FE" * 10,
        "A" * 20 + "'--",
        "<script>alert(1)</script>",
    ],
)
@pytest.mark.parametrize("suffix", ["/", ".json", ".md"])
def test_malformed_token_is_not_found(client, token, suffix):
    response = client.get(f"/d/{token}{suffix}")
    assert response.status_code == 404


@pytest.mark.parametrize("suffix", [".json", ".md"])
def test_unknown_token_export_is_not_found(client, suffix):
    assert client.get("/d/" + "B" * 24 + suffix).status_code == 404


@pytest.mark.parametrize("suffix", ["/", ".json", ".md"])
def test_revoked_link_is_gone(client, suffix):
    decision = make()
    Decision.objects.filter(pk=decision.pk).revoke()
    response = client.get(f"/d/{decision.token}{suffix}")
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link was withdrawn" in page
    assert decision.result["summary"] not in page
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize(
    ("suffix", "content_type"),
    [(".json", "application/json"), (".md", "text/markdown; charset=utf-8")],
)
def test_a_revoked_export_says_so_in_its_own_format(client, suffix, content_type):
    decision = make()
    Decision.objects.filter(pk=decision.pk).revoke()
    response = client.get(f"/d/{decision.token}{suffix}")
    assert response.headers["Content-Type"] == content_type
    if suffix == ".json":
        assert "withdrawn" in response.json()["errors"]["__all__"][0]


@pytest.mark.parametrize("suffix", ["/", ".json", ".md"])
def test_post_is_not_allowed(client, suffix):
    decision = make()
    assert client.post(f"/d/{decision.token}{suffix}").status_code == 405


def test_head_is_allowed(client):
    decision = make()
    assert client.head(f"/d/{decision.token}/").status_code == 200


# --- Cost ---


@pytest.mark.parametrize("suffix", ["/", ".json", ".md"])
def test_page_and_exports_take_one_query(client, django_assert_num_queries, suffix):
    decision = make()
    with django_assert_num_queries(1):
        assert client.get(f"/d/{decision.token}{suffix}").status_code == 200


def test_stale_page_takes_one_more_query_for_todays_prices(client, django_assert_num_queries):
    """Today's verdict for an older decision needs today's economics: the price sheet, once."""
    decision = make()
    Decision.objects.filter(pk=decision.pk).update(engine_version="0.0")
    with django_assert_num_queries(2):
        client.get(f"/d/{decision.token}/")


# --- Exports ---


def test_markdown_export_is_markdown_for_a_design_doc(client):
    decision = make()
    response = client.get(f"/d/{decision.token}.md")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("inline")
    text = response.content.decode()
    assert text.startswith("# Advisor: Fine-tuning for Support triage\n")
    assert "**Recommendation: Fine-tuning**" in text
    assert decision.result["summary"] in text
    assert "Decided on " in text


def test_markdown_export_lists_reasons_and_what_would_change(client):
    decision = make()
    text = client.get(f"/d/{decision.token}.md").content.decode()
    assert (
        f"\n- At 2,000,000 completions a month, fine-tuned {SMALL} would cost $427 a month"
    ) in text
    assert "\n- With fewer than 100 labeled examples, this would be prompting.\n" in text
    changes = text.split("## What would change the answer\n")[1].split("\n## ")[0]
    assert changes.endswith(
        "\n\nThese changes keep today's cost figures; a real change would move the figures too.\n"
    )


def test_markdown_export_without_a_cost_panel_has_no_cost_figures_note(client):
    decision = make()
    Decision.objects.filter(pk=decision.pk).update(cost_estimate=None)
    text = client.get(f"/d/{decision.token}.md").content.decode()
    assert "\n- With fewer than 100 labeled examples, this would be prompting.\n" in text
    assert "keep today's cost figures" not in text


def test_markdown_export_of_a_clear_verdict_says_it_is_clear(client):
    decision = make()
    text = client.get(f"/d/{decision.token}.md").content.decode()
    assert (
        "**Recommendation: Fine-tuning**\n\nClear: none of your numbers sits near a point where "
        "the verdict would change.\n\n"
    ) in text


def test_markdown_export_has_the_strength_note(client):
    decision = make("borderline")
    text = client.get(f"/d/{decision.token}.md").content.decode()
    assert (
        "**Recommendation: Fine-tuning**\n\nBorderline: an estimate a little off would change "
        "the verdict. Firm up your monthly volume before you commit.\n"
    ) in text


def test_markdown_export_has_the_cost_figures_and_table(client):
    decision = make()
    text = client.get(f"/d/{decision.token}.md").content.decode()
    costs = text.split("## What it costs\n")[1].split("\n## ")[0]
    assert costs.startswith(f"\nAt 2,000,000 completions a month, prompting {LARGE} costs $4,048")
    assert f"- Prompting {LARGE}: **$4,048 a month**. $0.0020 a request" in costs
    assert f"- Prompting {SMALL}: **$920 a month**." in costs
    assert f"- Fine-tuned {SMALL}: **$427 a month**." in costs
    assert (
        "- Dedicated deployment for the fine-tuned model: **$8.00 an hour, $5,840 a month "
        "running all month**."
    ) in costs
    assert "- Pays back in: **2.2 months**." in costs
    assert "- Pays back from: **about 400,000 completions a month**." in costs
    header = (
        f"| Requests a month | Prompting {LARGE}, a month | Prompting {SMALL}, a month | "
        f"Fine-tuned {SMALL}, a month, with the one-off cost spread over 12 months | "
        "Marked in the chart |\n|---:|---:|---:|---:|---|\n"
    )
    assert header in costs
    # C with the one-off spread over 12 months: $426.76 + $8,001.08 / 12 = $1,093.52.
    assert "| 2,000,000 | $4,048 | $920 | $1,094 | Your volume |" in costs
    assert "| 397,784 | $805 | $183 | $805 | Pays back from here |" in costs
    # Only the Fireworks row is dated; the Together row cites genai-prices, undated.
    assert "llama-v3p1-8b-instruct as of 7 October 2026" in costs
    assert "Llama-3.3-70B-Instruct-Turbo (its source states no date)" in costs


def test_markdown_export_has_the_bearing_rows_as_a_table(client):
    decision = make("hybrid")
    text = client.get(f"/d/{decision.token}.md").content.decode()
    header = "| Dimension | Prompting | Fine-tuning | Your answers favour |\n|---|---|---|---|\n"
    assert header in text
    assert (
        "| Inference cost | Higher (longer prompts = more tokens) | "
        "Lower (shorter prompts, smaller model) | Fine-tuning |"
    ) in text
    assert (
        "| Consistency | Variable (prompt-sensitive) | High (baked into weights) | Fine-tuning |"
    ) in text
    assert (
        "| Knowledge cutoff | Works with any base model | Frozen to training data | Prompting |"
    ) in text
    assert "Setup cost" not in text


def test_markdown_export_has_answers_in_words_and_the_link(client):
    decision = make()
    text = client.get(f"/d/{decision.token}.md").content.decode()
    assert "- How many completions a month will this task run? **2,000,000 a month**" in text
    assert f"<http://testserver/d/{decision.token}/>" in text


def test_markdown_explains_the_hybrid_split_only_for_hybrid(client):
    hybrid = client.get(f"/d/{make('hybrid').token}.md").content.decode()
    fine_tuning = client.get(f"/d/{make().token}.md").content.decode()
    assert "## How the hybrid split works" in hybrid
    assert "## How the hybrid split works" not in fine_tuning


def test_markdown_escapes_pipes_and_markup():
    decision = Decision(
        **FINE_TUNING,
        title="*Ops* | <b>\nteam</b>",
        recommendation="fine_tuning",
        result={
            "summary": "Fine-tuning: a | b.",
            "rows": [
                {
                    "key": "latency",
                    "dimension": "Lat|ency",
                    "prompting": "a|b",
                    "fine_tuning": "c",
                    "favours": "fine_tuning",
                },
            ],
        },
        created=datetime(2025, 3, 14, 9, 30, tzinfo=UTC),
    )
    text = markdown.markdown(present.present(decision, "http://example.test/d/x/"))
    assert text.startswith(r"# Advisor: Fine-tuning for \*Ops\* \| \<b\> team\</b\>" + "\n")
    assert r"| Lat\|ency | a\|b | c | Fine-tuning |" in text
    assert "Decided on 14 March 2025 at 09:30 UTC." in text


def test_json_export_is_the_stored_payload(client):
    decision = make()
    response = client.get(f"/d/{decision.token}.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    data = json.loads(response.content)
    text = response.content.decode()
    assert text.startswith('{\n  "') and '\n    "' in text  # indented by two, for people
    result_keys = set(engine.decide(decision.answers()).as_dict())
    assert result_keys | {
        "token", "url", "title", "answers", "created", "cost_details", "economics", "costs"
    } == set(data)
    assert data["token"] == decision.token
    assert data["url"] == f"http://testserver/d/{decision.token}/"
    assert data["answers"] == FINE_TUNING
    assert data["answers"]["small_model"] == "falls_short"
    assert data["recommendation"] == "fine_tuning"
    assert (data["strength"], data["strength_note"]) == ("clear", "")
    assert data["rows"] == decision.result["rows"]
    assert data["created"] == decision.created.isoformat()
    assert data["costs"] == decision.cost_estimate and data["costs"]["version"] == 2
    assert data["economics"] == decision.economics
    assert data["economics"]["tuned_model"] == SMALL
    assert data["cost_details"]["prompt_model"] == DEFAULT_PROMPT_MODEL


def test_the_page_is_compressed_for_browsers_that_accept_it(client):
    decision = make("fine_tuning")
    response = client.get(f"/d/{decision.token}/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"Fine-tuning" in gzip.decompress(response.content)


def test_the_page_takes_one_query_for_whoever_just_finished_the_wizard(
    client, django_assert_num_queries
):
    """Their session cookie must not cost a query (flash messages are looked up first in a
    cookie, and the session only when that overflowed)."""
    decision = make("fine_tuning")
    session = client.session
    session["anything"] = "here"
    session.save()
    with django_assert_num_queries(1):
        assert client.get(f"/d/{decision.token}/").status_code == 200


def test_price_sources_are_named_for_what_they_are(client):
    # The prompted model's prices come from the genai-prices package; Fireworks' own page
    # gives the fine-tuned model's. Each link says whose page it is.
    decision = make()
    page = client.get(decision.get_absolute_url()).content.decode()
    link = re.compile(r'<a href="([^"]+)" rel="noopener noreferrer">([^<]+)</a>')
    sources = dict(link.findall(page))
    assert sources["https://pypi.org/project/genai-prices/"] == "the genai-prices package"
    fireworks = [label for url, label in sources.items() if "fireworks" in url]
    assert fireworks and all(label.startswith("Fireworks") for label in fireworks)
