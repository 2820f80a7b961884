"""The assessment wizard, driven through its real interface as formtools' own tests do."""

import re
import uuid

import pytest
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from decisions.domain.fields import DEFAULT_PROMPT_MODEL, DEFAULT_TUNE_MODEL
from decisions.models import Decision, ModelPrice
from decisions.web.drafts import DRAFTS_KEY, MAX_DRAFTS
from decisions.web.forms import STEP_FORMS
from decisions.web.layout import render_form
from tests.helpers import ANSWERS, STEPS, Draft, page

pytestmark = pytest.mark.django_db

def test_start_opens_the_first_step_of_a_new_draft(client):
    draft = Draft(client)
    response = draft.get("volume")
    assert response.status_code == 200
    assert "How many completions a month will this task run?" in page(response)


def test_each_start_makes_a_different_draft(client):
    assert Draft(client).id != Draft(client).id


def test_progress_says_step_n_of_5_and_names_every_step(client):
    draft = Draft(client)
    draft.fill(upto="stability")
    html = page(draft.get("stability"))
    assert "Step 3 of 5" in html
    assert "(step 3 of 5)" in html.split("</title>")[0]
    for name in ("Volume", "Data", "Stability", "Delivery", "Review"):
        assert name in html
    assert re.search(r'aria-current="step">\s*<span[^>]*>3</span>\s*<span[^>]*>Stability', html)


def test_a_valid_step_moves_on_to_the_next(client):
    draft = Draft(client)
    response = draft.post("volume", ANSWERS["volume"])
    assert response.status_code == 302
    assert response.url == draft.url("data")


@pytest.mark.parametrize(
    "typed", ["1,000,000", "1000000", " 1 000 000 ", "1_000_000", "1.000.000"]
)
def test_numbers_accept_separators(client, typed):
    draft = Draft(client)
    draft.fill(upto="review", monthly_requests=typed)
    draft.post("review", {"title": ""})
    assert Decision.objects.get().monthly_requests == 1_000_000


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the number of completions a month, for example 250,000."),
        ("lots", "Enter the number of completions a month as a whole number"),
        ("1.5", "Enter the number of completions a month as a whole number"),
        ("1,5", "Enter the number of completions a month as a whole number"),
        ("2.000,50", "Enter the number of completions a month as a whole number"),
        ("-5", "Enter a number of completions a month of 0 or more."),
        ("1000000000001", "Enter a number of completions a month of 1,000,000,000,000 or fewer."),
        ("9" * 5000, "Enter a number of completions a month of 1,000,000,000,000 or fewer."),
    ],
)
def test_invalid_number_reshows_the_step_with_the_message_beside_the_field(client, typed, message):
    draft = Draft(client)
    response = draft.post("volume", {"monthly_requests": typed, "prompt_tokens": "1500"})
    assert response.status_code == 200
    html = page(response)
    assert html.count(message) == 2  # in the error summary and beside the field
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert 'href="#id_volume-monthly_requests"' in html
    assert 'aria-invalid="true"' in html
    described = "id_volume-monthly_requests_helptext id_volume-monthly_requests_error"
    assert f'aria-describedby="{described}"' in html


def test_the_largest_allowed_volume_is_stored_exactly(client):
    draft = Draft(client)
    draft.fill(upto="review", monthly_requests="1,000,000,000,000", labeled_examples="1000000000")
    draft.post("review", {"title": ""})
    decision = Decision.objects.get()
    assert decision.monthly_requests == 10**12
    assert decision.labeled_examples == 10**9


def test_a_tampered_choice_reshows_the_step_with_a_plain_message(client):
    draft = Draft(client)
    draft.fill(upto="stability")
    response = draft.post(
        "stability", {**ANSWERS["stability"], "change_frequency": "hourly"}
    )
    assert response.status_code == 200
    assert "Select how often the task&#x27;s requirements change." in page(response)


def test_missing_radio_answers_are_each_named(client):
    draft = Draft(client)
    draft.fill(upto="delivery")
    html = page(draft.post("delivery", {}))
    for message in ("Select how fast an answer must come back.",
                    "Select what the output must look like.",
                    "Select how much reasoning the task needs."):
        assert message in html
    assert 'href="#id_delivery-latency_0"' in html


def test_back_keeps_what_was_typed_on_the_current_step_even_if_invalid(client):
    draft = Draft(client)
    draft.fill(upto="stability")
    response = draft.post(
        "stability", {"change_frequency": "weekly", "phase": ""}, wizard_goto_step="data"
    )
    assert response.status_code == 302
    assert response.url == draft.url("data")
    back = page(draft.get("data"))
    assert 'value="800"' in back  # the previous step's answers are there too
    again = page(draft.get("stability"))
    assert re.search(r'value="weekly" checked', again)
    assert "There is a problem" not in again  # shown as typed, not as an error


def test_back_from_a_number_step_keeps_an_unfinished_number(client):
    draft = Draft(client)
    draft.fill(upto="data")
    draft.post("data", {"labeled_examples": "12x"}, wizard_goto_step="volume")
    assert 'value="12x"' in page(draft.get("data"))


def test_an_accepted_step_changed_to_junk_on_the_way_back_is_asked_again(client):
    draft = Draft(client)
    draft.fill(upto="stability")  # data was accepted once
    draft.post("data", {"labeled_examples": "12x"}, wizard_goto_step="volume")
    response = draft.get("stability")
    assert response.status_code == 302 and response.url == draft.url("data")


def test_the_first_submit_button_is_continue_so_enter_never_goes_back(client):
    draft = Draft(client)
    draft.fill(upto="data")
    html = page(draft.get("data"))
    form = html[html.index("<form"):]
    first_button = re.search(r"<button[^>]*>([^<]*)</button>", form)
    assert "wizard_goto_step" not in first_button.group(0)
    assert first_button.group(1) == "Continue"


def test_review_lists_every_answer_in_words_with_change_links(client):
    draft = Draft(client)
    draft.fill()
    html = page(draft.get("review"))
    for words in ("2,000,000 a month", "1,500 tokens", "800 examples", "Falls short", "Rarely",
                  "In production", "Interactive", "Strict schema", "Simple"):
        assert words in html
    assert html.count("Change<span") == 21  # eleven answers and ten cost details
    for words in ("500 tokens", "300 tokens", "100 tokens", "1,000 tokens",
                  f"{DEFAULT_PROMPT_MODEL} (Together AI)", f"{DEFAULT_TUNE_MODEL} (Fireworks AI)",
                  "10 days", "$800"):
        assert words in html
    assert f'href="{draft.url("stability")}?edit=1&amp;field=change_frequency#div_id_stability-' \
           'change_frequency">Change<span class="visually-hidden"> how often requirements ' \
           "change</span>" in html
    assert "Get my recommendation" in html


def test_review_lists_the_small_model_answer_with_a_link_back_to_the_data_step(client):
    draft = Draft(client)
    draft.fill(small_model="good_enough")
    html = page(draft.get("review"))
    row = re.search(
        r"<dt>Prompted with your prompt, is the model you would fine-tune good enough\?</dt>"
        r"\s*<dd[^>]*>([^<]*)</dd>\s*<dd[^>]*>"
        r"<a href=\"([^\"]+)\">Change<span[^>]*> ([^<]+)</span>",
        html,
    )
    assert row, "no small-model row on the review step"
    assert row.groups() == (
        "Good enough", f"{draft.url('data')}?edit=1&amp;field=small_model#div_id_data-small_model",
        "whether the small model is good enough",
    )


def test_review_lists_the_prompt_caching_answer(client):
    draft = Draft(client)
    draft.fill(prompt_caching="no")
    html = page(draft.get("review"))
    assert re.search(
        r"<dt>Bill the static prompt at the cached-input price\?</dt>\s*<dd[^>]*>No</dd>", html
    )


def test_the_data_step_refuses_a_missing_small_model_beside_the_field_and_in_the_summary(client):
    draft = Draft(client)
    draft.fill(upto="data")
    response = draft.post("data", {"labeled_examples": "800", "domain_language": "no"})
    assert response.status_code == 200
    html = page(response)
    message = "Select whether the model you would fine-tune is good enough when prompted."
    assert html.count(message) == 2  # in the error summary and beside the field
    assert "There is a problem" in html
    assert f'href="#id_data-small_model_0">{message}</a>' in html
    assert 'id="id_data-small_model_error"' in html
    assert 'aria-describedby="id_data-small_model_helptext id_data-small_model_error"' in html
    assert draft.get("stability").url == draft.url("data")  # not answered, so no way on


def test_a_tampered_small_model_answer_is_refused_in_words(client):
    draft = Draft(client)
    draft.fill(upto="data")
    response = draft.post("data", {**ANSWERS["data"], "small_model": "perfect"})
    assert response.status_code == 200
    message = "Select whether the model you would fine-tune is good enough when prompted."
    assert page(response).count(message) == 2


@pytest.mark.parametrize(
    ("typed", "label"),
    [("good_enough", "Good enough"), ("falls_short", "Falls short"),
     ("not_tried", "Not tried yet")],
)
def test_each_small_model_answer_is_offered_and_stored(client, typed, label):
    draft = Draft(client)
    draft.fill(upto="data")
    html = page(draft.get("data"))
    assert re.search(rf'value="{typed}"[^>]*>\s*<label[^>]*>{label}</label>', html)
    draft.fill(small_model=typed)
    draft.post("review", {"title": ""})
    assert Decision.objects.get().small_model == typed


def test_change_from_review_returns_to_review_with_the_change_applied(client):
    draft = Draft(client)
    draft.fill()
    assert draft.get("data", data={"edit": "1"}).status_code == 200
    response = draft.post(
        "data", {"labeled_examples": "40", "domain_language": "no", "small_model": "not_tried"},
        query="?edit=1",
    )
    assert response.status_code == 302
    assert response.url == draft.url("review")
    html = page(draft.get("review"))
    assert "40 examples" in html and "Not tried yet" in html


def change_link(html: str, label: str) -> str:
    """The review step's "Change" link for the answer `label` names, as a browser reads it."""
    href = re.search(
        rf'<a href="([^"]+)">Change<span class="visually-hidden"> {label}</span>', html
    ).group(1)
    return href.replace("&amp;", "&")


def test_a_change_link_opens_its_step_at_the_question(client):
    draft = Draft(client)
    draft.fill()
    link = change_link(page(draft.get("review")), "monthly volume")
    assert link == f"{draft.url('volume')}?edit=1&field=monthly_requests" \
                   "#div_id_volume-monthly_requests"
    html = page(client.get(link))
    assert 'id="div_id_volume-monthly_requests"' in html
    assert '<details class="cost-details mb-4">' in html  # nothing to open for a main answer


def test_a_change_link_for_a_cost_detail_opens_the_cost_details_at_it(client):
    draft = Draft(client)
    draft.fill()
    link = change_link(page(draft.get("review")), "output tokens per request")
    assert link == f"{draft.url('volume')}?edit=1&field=output_tokens#div_id_volume-output_tokens"
    html = page(client.get(link))
    details = html[html.index('<details class="cost-details mb-4" open>'):]
    assert 'id="div_id_volume-output_tokens"' in details[:details.index("</details>")]
    assert f'action="{draft.url("volume")}?edit=1"' in html  # back to review, nothing more
    # The step's remembered markup (decisions/web/layout.py) keeps the two states apart.
    assert '<details class="cost-details mb-4">' in page(draft.get("volume"))


@pytest.mark.parametrize("field", ["junk", "monthly_requests", "title", "", "<b>", "x" * 5000])
def test_a_change_link_naming_no_cost_detail_leaves_them_closed(client, field):
    draft = Draft(client)
    draft.fill()
    response = client.get(draft.url("volume"), {"edit": "1", "field": field})
    assert response.status_code == 200
    assert '<details class="cost-details mb-4">' in page(response)


def test_a_cost_detail_changed_from_review_goes_back_to_review(client):
    draft = Draft(client)
    draft.fill()
    response = draft.post("volume", {**ANSWERS["volume"], "output_tokens": "250"},
                          query="?edit=1")
    assert response.url == draft.url("review")
    assert "250 tokens" in page(draft.get("review"))


def test_two_drafts_in_one_browser_never_mix(client):
    first, second = Draft(client), Draft(client)
    first.fill(labeled_examples="40")
    second.fill(labeled_examples="900")
    assert "40 examples" in page(first.get("review"))
    assert "900 examples" in page(second.get("review"))
    first.post("review", {"title": "First"})
    second.post("review", {"title": "Second"})
    stored = dict(Decision.objects.values_list("title", "labeled_examples"))
    assert stored == {"First": 40, "Second": 900}


def test_a_half_finished_draft_resumes_from_its_url(client):
    draft = Draft(client)
    draft.fill(upto="stability")
    client.get("/")  # wander off
    html = page(draft.get("data"))
    assert 'value="800"' in html


def test_nothing_is_stored_before_the_final_step(client):
    draft = Draft(client)
    draft.fill()
    assert Decision.objects.count() == 0


def test_final_submit_creates_one_decision_and_redirects_to_its_result(client):
    draft = Draft(client)
    draft.fill()
    response = draft.post("review", ANSWERS["review"])
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response.url == f"/d/{decision.token}/"
    assert decision.title == "Support triage"
    # The draft's own id, kept in its session only: never the id others may see in its URL.
    assert decision.draft_id is not None and decision.draft_id != draft.id
    assert decision.source == "form"
    assert decision.recommendation == "fine_tuning"
    assert decision.result["recommendation"] == "fine_tuning"


def test_posting_the_final_step_again_makes_no_second_decision(client):
    draft = Draft(client)
    draft.fill()
    first = draft.post("review", ANSWERS["review"])
    again = draft.post("review", ANSWERS["review"])
    assert again.status_code == 302 and again.url == first.url
    assert Decision.objects.count() == 1


def test_a_double_click_racing_the_session_makes_one_decision(client):
    """Two final POSTs that both loaded the session before either saved it."""
    draft = Draft(client)
    draft.fill()
    before = dict(client.session.items())
    first = draft.post("review", ANSWERS["review"])
    session = client.session
    session.clear()
    session.update(before)
    session.save()
    second = draft.post("review", ANSWERS["review"])
    assert second.url == first.url
    assert Decision.objects.count() == 1


def test_a_finished_draft_sends_back_and_refresh_to_the_result(client):
    draft = Draft(client)
    draft.fill()
    result_url = draft.post("review", ANSWERS["review"]).url
    for step in STEPS:
        response = draft.get(step)
        assert response.status_code == 302 and response.url == result_url


def test_start_from_these_answers_prefills_a_new_draft(client):
    original = Draft(client)
    original.fill(labeled_examples="40", latency="critical", small_model="good_enough")
    original.post("review", ANSWERS["review"])
    source = Decision.objects.get()
    copy = Draft(client, f"?from={source.token}")
    assert copy.id != original.id
    assert 'value="2000000"' in page(copy.get("volume"))
    copy.fill(upto="data")
    copied = page(copy.get("data"))
    assert 'value="40"' in copied
    assert re.search(r'value="good_enough" checked', copied)
    response = copy.post(
        "data", {"labeled_examples": "400", "domain_language": "no", "small_model": "falls_short"}
    )
    assert response.url == copy.url("stability")
    copy.client.get(copy.url("stability"))
    for step in ("stability", "delivery"):
        assert copy.client.post(copy.url(step), {
            f"assessment_{copy.id.hex}-current_step": step,
            **{f"{step}-{k}": v for k, v in page_choices(copy, step).items()},
        }).status_code == 302
    assert "Latency-critical" in page(copy.get("review"))
    copy.post("review", {"title": "Copy"})
    source.refresh_from_db()
    assert source.labeled_examples == 40 and Decision.objects.count() == 2


def page_choices(draft: Draft, step: str) -> dict[str, str]:
    """The radio answers a step shows as checked."""
    html = page(draft.get(step))
    return dict(re.findall(rf'name="{step}-(\w+)" id="[^"]+" value="(\w+)" checked', html))


def test_query_parameters_prefill_valid_answers_and_ignore_invalid_ones(client):
    draft = Draft(client, "?monthly_requests=2000000&latency=critical&phase=sideways"
                          "&labeled_examples=-4")
    assert 'value="2000000"' in page(draft.get("volume"))
    draft.fill(upto="delivery")  # the wizard's own answers overwrite the prefill
    response = draft.get("stability")
    assert "There is a problem" not in page(response)


def test_prefill_checks_the_prefilled_radio(client):
    draft = Draft(client, "?latency=critical")
    draft.fill(upto="delivery")
    assert re.search(r'value="critical" checked', page(draft.get("delivery")))


@pytest.mark.parametrize("token", ["nope", "x" * 30, "a" * 500])
def test_start_from_an_unknown_result_starts_empty_and_says_so(client, token):
    draft = Draft(client, f"?from={token}")
    response = draft.get("volume")
    assert "That result could not be found" in page(response)


def test_start_from_a_revoked_result_does_not_copy_it(client):
    draft = Draft(client)
    draft.fill()
    draft.post("review", ANSWERS["review"])
    decision = Decision.objects.get()
    Decision.objects.update(revoked_at=decision.created)
    copy = Draft(client, f"?from={decision.token}")
    assert 'value="2000000"' not in page(copy.get("volume"))


def test_missing_management_form_is_a_clear_400(client):
    draft = Draft(client)
    response = draft.post("volume", ANSWERS["volume"], management=False)
    assert response.status_code == 400
    assert "reload the page" in page(response)


def test_management_form_naming_another_step_is_a_400(client):
    draft = Draft(client)
    response = draft.client.post(draft.url("volume"), {
        f"assessment_{draft.id.hex}-current_step": "nonsense",
        "volume-monthly_requests": "10",
    })
    assert response.status_code == 400


def test_back_to_an_unknown_step_is_a_400(client):
    draft = Draft(client)
    response = draft.post("volume", ANSWERS["volume"], wizard_goto_step="elsewhere")
    assert response.status_code == 400


def test_an_unknown_step_in_the_url_redirects_to_the_current_step(client):
    draft = Draft(client)
    response = client.get(f"/assess/{draft.id}/elsewhere/")
    assert response.status_code == 302 and response.url == draft.url("volume")
    assert draft.post("elsewhere", {}).status_code == 400


def test_the_done_url_is_not_a_way_round_the_final_post(client):
    draft = Draft(client)
    draft.fill()
    response = client.get(f"/assess/{draft.id}/done/")
    assert response.status_code == 302
    assert Decision.objects.count() == 0


def test_skipping_ahead_goes_back_to_the_first_unanswered_step(client):
    draft = Draft(client)
    draft.fill(upto="data")
    response = draft.get("delivery")
    assert response.status_code == 302 and response.url == draft.url("data")
    response = draft.post("review", ANSWERS["review"])
    assert response.status_code == 302 and response.url == draft.url("data")
    assert Decision.objects.count() == 0


def test_an_unknown_draft_gets_a_page_with_a_way_on(client):
    response = client.get(f"/assess/{uuid.uuid4()}/volume/")
    assert response.status_code == 404
    assert "We cannot find that assessment" in page(response)
    assert 'href="/assess/"' in page(response)


def test_another_browser_opening_a_draft_url_sees_none_of_its_answers(client):
    from django.test import Client

    draft = Draft(client)
    draft.fill()
    stranger = Draft(Client())
    stranger.id = draft.id  # the same URL, in another browser
    assert 'value="2000000"' not in page(stranger.get("volume"))
    assert stranger.get("review").url == draft.url("volume")
    stranger.fill(monthly_requests="5000")
    stranger.post("review", {"title": "Stranger"})
    draft.post("review", ANSWERS["review"])
    stored = dict(Decision.objects.values_list("title", "monthly_requests"))
    assert stored == {"Stranger": 5000, "Support triage": 2_000_000}


def test_a_draft_id_that_is_not_a_uuid_is_a_404(client):
    assert client.get("/assess/not-a-draft/volume/").status_code == 404


def test_an_oversized_post_is_refused(client):
    draft = Draft(client)
    response = draft.post("volume", {"monthly_requests": "1" * 70_000})
    assert response.status_code == 400
    assert Decision.objects.count() == 0


def test_too_many_fields_are_refused(client):
    draft = Draft(client)
    response = draft.post("volume", {f"junk{n}": "x" for n in range(300)})
    assert response.status_code == 400


def test_a_name_over_120_characters_is_refused_in_words(client):
    draft = Draft(client)
    draft.fill()
    response = draft.post("review", {"title": "x" * 121})
    assert response.status_code == 200
    assert "Enter a name of 120 characters or fewer." in page(response)
    assert Decision.objects.count() == 0


def test_one_browser_keeps_a_bounded_number_of_drafts(client):
    drafts = [Draft(client) for _ in range(MAX_DRAFTS + 2)]
    for draft in drafts:
        draft.fill(upto="data")
    assert len(client.session[DRAFTS_KEY]) == MAX_DRAFTS
    assert drafts[0].get("data").url == drafts[0].url("volume")  # its answers are gone
    assert drafts[-1].get("data").status_code == 200


def _real_queries(context) -> list[str]:
    """Queries a request makes, without the savepoints the test's own transaction adds."""
    return [
        query["sql"] for query in context.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def _queries(request) -> list[str]:
    """The queries one request makes. Read at once: Django empties its query log when the next
    request starts."""
    with CaptureQueriesContext(connection) as context:
        request()
    return _real_queries(context)


def test_queries_per_step_are_bounded(client):
    """A new draft's first step reads the price sheet and no session; its first POST reads the
    sheet again, counts the new session against the address's budget and creates the session
    (a key check and an INSERT). From then on a step GET only reads the session; a POST reads
    and writes it; the final POST adds the one INSERT. The draft carries its own copy of the
    price sheet, so no later step reads it."""
    draft = Draft(client)
    first_get = _queries(lambda: draft.get("volume"))
    first_post = _queries(lambda: draft.post("volume", ANSWERS["volume"]))
    get_step = _queries(lambda: draft.get("data"))
    post_step = _queries(lambda: draft.post("data", ANSWERS["data"]))
    draft.fill()
    review = _queries(lambda: draft.get("review"))
    final = _queries(lambda: draft.post("review", ANSWERS["review"]))
    assert len(first_get) == 1, first_get
    assert len(first_post) == 4, first_post
    assert len(get_step) == 1, get_step
    assert len(review) == 1, review
    assert len(post_step) == 2, post_step
    assert len(final) == 3, final


def test_a_draft_prices_its_estimate_as_the_sheet_was_when_it_started(client):
    draft = Draft(client)
    draft.fill(upto="data")  # a draft starts with its first answer
    ModelPrice.objects.filter(name=DEFAULT_PROMPT_MODEL).update(input_per_m=100)
    draft.fill()
    draft.post("review", ANSWERS["review"])
    assert Decision.objects.get().cost_estimate["prompt_model"]["input_per_m"] == 0.88
    later = Draft(client)  # a draft started after the edit uses the new price
    later.fill()
    later.post("review", {"title": "Later"})
    assert Decision.objects.get(title="Later").cost_estimate["prompt_model"]["input_per_m"] == 100


def test_cost_details_are_optional_and_take_their_defaults(client):
    draft = Draft(client)
    draft.fill()
    draft.post("review", {"title": ""})
    decision = Decision.objects.get()
    assert (decision.input_tokens, decision.output_tokens, decision.epochs) == (500, 300, 3)
    assert (decision.tuned_prompt_tokens, decision.retrieved_tokens) == (100, 1000)
    assert decision.prompt_caching is True
    assert (decision.engineering_days, decision.day_rate) == (10, 800)
    assert decision.prompt_model == DEFAULT_PROMPT_MODEL
    assert decision.tune_model == DEFAULT_TUNE_MODEL
    panel = decision.cost_estimate
    assert panel["version"] == 2 and panel["volume"] == 2_000_000
    monthly = {option["key"]: option["monthly"] for option in panel["options"]}
    # 1,500 + 500 input and 300 output tokens at $0.88 a million (A) and $0.20 (B); the fine-tuned
    # 8B model needs an $8.00-an-hour deployment, shown apart, so it is compared at the base
    # $0.20 a million on 100 + 500 + 300 tokens ($360) plus retraining ($1.08 + $800) / 12.
    assert monthly == {"A": 4048.0, "B": 920.0, "C": 426.76}
    assert panel["dedicated_monthly"] == 5840.0
    assert panel["baseline"] == "A"  # the small model falls short, so training is what helps
    assert decision.economics["one_off"] == pytest.approx(8001.08, abs=0.01)


def test_cost_details_typed_on_the_volume_step_are_stored(client):
    draft = Draft(client)
    # Not the defaults: an OpenAI prompt model and the Together 8B model (open, no estimate).
    together = "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"
    draft.post("volume", {
        **ANSWERS["volume"], "input_tokens": "1,000", "output_tokens": "50",
        "tuned_prompt_tokens": "40", "retrieved_tokens": "2,500", "prompt_caching": "no",
        "prompt_model": "gpt-4o-mini", "tune_model": together, "epochs": "2",
        "engineering_days": "0", "day_rate": "1200",
    })
    for step in ("data", "stability", "delivery"):
        assert draft.post(step, ANSWERS[step]).status_code == 302
    html = page(draft.get("review"))
    for words in ("gpt-4o-mini (OpenAI)", f"{together} (Together AI)", "1,000 tokens",
                  "40 tokens", "2,500 tokens", "$1,200"):
        assert words in html
    draft.post("review", {"title": ""})
    decision = Decision.objects.get()
    assert (decision.input_tokens, decision.output_tokens) == (1000, 50)
    assert (decision.tuned_prompt_tokens, decision.retrieved_tokens) == (40, 2500)
    assert decision.prompt_caching is False
    assert (decision.prompt_model, decision.tune_model) == ("gpt-4o-mini", together)
    panel = decision.cost_estimate
    assert panel["tune_model"]["name"] == together
    assert "no fine-tuning price" in panel["unpriced"] and decision.economics is None
    assert panel["engineering_cost"] == 0.0
    assert panel["inputs"]["prompt_caching"] is False
    assert panel["caching"] == []  # nothing billed at the cached price when caching is off


def test_the_tune_model_list_marks_models_a_new_customer_cannot_fine_tune(client):
    html = page(Draft(client).get("volume"))
    tune_list = html[html.index('name="volume-tune_model"'):]
    tune_list = tune_list[: tune_list.index("</select>")]
    assert f'<option value="{DEFAULT_TUNE_MODEL}" selected>{DEFAULT_TUNE_MODEL} (Fireworks AI)' \
        "</option>" in tune_list
    assert "gpt-4.1-mini (OpenAI; closed to new customers since 7 May 2026)" in tune_list, (
        "the month in a closed model's label is lower-cased: "
        + re.search(r"gpt-4\.1-mini \(OpenAI;[^)]*\)", tune_list).group(0)
    )
    assert "gpt-4.1-nano (OpenAI; retired on 23 October 2026)" in tune_list


def test_a_closed_tune_model_chosen_in_the_wizard_gets_no_estimate_and_says_why(client):
    draft = Draft(client)
    draft.fill(tune_model="gpt-4.1-mini")
    draft.post("review", {"title": ""})
    decision = Decision.objects.get()
    assert decision.tune_model == "gpt-4.1-mini"
    assert decision.economics is None
    assert "gpt-4.1-mini" in decision.cost_estimate["unpriced"]
    assert [option["key"] for option in decision.cost_estimate["options"]] == ["A"]


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("epochs", "0", "Enter a number of training epochs of 1 or more."),
        ("retrieved_tokens", "lots",
         "Enter the number of retrieved tokens per request as a whole number"),
        ("tuned_prompt_tokens", "-1", "Enter a number of instruction tokens of 0 or more."),
        ("prompt_caching", "maybe", "Select yes or no for prompt caching."),
        ("output_tokens", "many",
         "Enter the number of output tokens per request as a whole number"),
        ("prompt_model", "gpt-99", "Choose a model to prompt from the list."),
        ("tune_model", "gpt-99", "Choose a model to fine-tune from the list."),
    ],
)
def test_a_bad_cost_detail_opens_the_details_with_the_message(client, name, typed, message):
    draft = Draft(client)
    response = draft.post("volume", {**ANSWERS["volume"], name: typed})
    html = page(response)
    assert response.status_code == 200
    assert html.count(message) == 2
    assert '<details class="cost-details mb-4" open>' in html


def test_cost_details_stay_closed_when_they_are_fine(client):
    html = page(Draft(client).get("volume"))
    assert '<details class="cost-details mb-4">' in html
    assert 'value="500"' in html  # defaults shown, so nobody has to type them


def test_a_blank_prompt_length_takes_the_default(client):
    draft = Draft(client)
    draft.fill(upto="review", prompt_tokens="")
    draft.post("review", {"title": ""})
    assert Decision.objects.get().prompt_tokens == 1500


def test_only_the_steps_own_fields_are_kept_in_the_session(client):
    draft = Draft(client)
    draft.post("volume", {**ANSWERS["volume"], "junk": "x" * 50_000}, wizard_goto_step="volume")
    stored = client.session[f"wizard_assessment_{draft.id.hex}"]["step_data"]["volume"]
    assert set(stored) == {"volume-monthly_requests", "volume-prompt_tokens"}


@pytest.mark.parametrize("title", ["a\x01b", "evil\u202etxt.exe", "nul\x00"])
def test_a_name_with_control_characters_is_refused_in_words(client, title):
    draft = Draft(client)
    draft.fill()
    response = draft.post("review", {"title": title})
    assert response.status_code == 200
    assert "Remove control characters from the name." in page(response)
    assert Decision.objects.count() == 0


def test_back_while_changing_an_answer_stays_on_the_way_back_to_review(client):
    draft = Draft(client)
    draft.fill()
    response = draft.post("stability", ANSWERS["stability"], query="?edit=1",
                          wizard_goto_step="data")
    assert response.url == draft.url("data") + "?edit=1"
    response = draft.post("data", ANSWERS["data"], query="?edit=1")
    assert response.url == draft.url("review")


def test_skipping_ahead_says_why_the_person_was_sent_back(client):
    draft = Draft(client)
    response = draft.get("delivery", follow=True)
    assert response.redirect_chain[-1][0] == draft.url("volume")
    assert "Answer this step first" in page(response)


def test_step_pages_are_never_cached(client):
    response = Draft(client).get("volume")
    assert "no-store" in response.headers["Cache-Control"]


def test_the_domain_language_question_names_the_model_you_would_prompt(client):
    draft = Draft(client)
    draft.fill(upto="data")
    assert (
        "Does the task use specialised language that the model you would prompt gets wrong, "
        "even with a good prompt?"
    ) in page(draft.get("data"))


def test_a_question_shown_again_shows_each_draft_its_own_answer_and_error(client):
    # Each question's markup is remembered per answer and error (decisions/web/layout.py):
    # the same step in several states, twice over, must each time show what its draft holds.
    answered, other, wrong = Draft(client), Draft(client), Draft(client)
    answered.fill(upto="delivery")
    other.fill(upto="delivery", change_frequency="weekly")
    wrong.fill(upto="stability")
    for _ in range(2):
        assert page_choices(answered, "stability")["change_frequency"] == "rarely"
        assert page_choices(other, "stability")["change_frequency"] == "weekly"
        refused = page(wrong.post("stability", {"phase": "production"}))
        assert 'id="id_stability-change_frequency_error"' in refused
        assert 'id="id_stability-phase_error"' not in refused
        assert re.findall(r'value="(\w+)" checked', refused) == ["production"]
        shown = page(wrong.get("stability"))
        assert "_error" not in shown and page_choices(wrong, "stability") == {"phase": "production"}


@pytest.mark.parametrize("data", [None, {}, {"stability-phase": "junk"}])
def test_a_remembered_step_form_is_what_the_crispy_tag_prints_on_the_page(data):
    """render_form keeps crispy's rendering of a step's form per process: the first rendering
    and the remembered one are both what {% crispy form %} prints inside a page's context."""
    form_class = STEP_FORMS["stability"]
    tag = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}")
    expected = tag.render({"form": form_class(data, prefix="stability"), "step_number": 3},
                          RequestFactory().get("/"))
    assert render_form(form_class(data, prefix="stability")) == expected
    assert render_form(form_class(data, prefix="stability")) == expected
