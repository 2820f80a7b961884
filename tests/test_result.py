"""The shared result page /d/<token>/ and its Markdown and JSON exports."""

import gzip
import json
import re

import pytest
from django.utils import timezone

from decisions import engine, exports
from decisions.models import Decision
from tests.examples import FINE_TUNING_ANSWERS

pytestmark = pytest.mark.django_db

# Two signals (high volume, strict schema), no blocker, no hybrid trigger: fine-tuning.
ANSWERS_FOR = {
    "fine_tuning": FINE_TUNING_ANSWERS,
    # A signal plus both hybrid triggers.
    "hybrid": {**FINE_TUNING_ANSWERS, "reasoning": "complex", "fresh_knowledge": True},
    # Two blockers beside the signals.
    "prompting": {**FINE_TUNING_ANSWERS, "labeled_examples": 20, "change_frequency": "weekly"},
}
LABELS = {"prompting": "Prompting", "fine_tuning": "Fine-tuning", "hybrid": "Hybrid"}


def make(recommendation: str = "fine_tuning", title: str = "Support triage") -> Decision:
    decision, _ = Decision.objects.record(
        engine.Answers(**ANSWERS_FOR[recommendation]), title=title
    )
    assert decision.recommendation == recommendation
    return decision


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


def test_reasons_quote_the_answers(client):
    page = page_of(client, make())
    assert "You expect 2,000,000 completions a month" in page
    assert "Your output must match an exact schema every time" in page


def test_prompting_reasons_quote_the_few_examples(client):
    page = page_of(client, make("prompting"))
    assert "You have 20 labeled examples, fewer than the 100" in page


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
    assert ("fine-tuned small model" in page) is explained


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


def test_stale_page_still_takes_one_query(client, django_assert_num_queries):
    decision = make()
    Decision.objects.filter(pk=decision.pk).update(engine_version="0.0")
    with django_assert_num_queries(1):
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
    assert "\n- You expect 2,000,000 completions a month, at or over the 1,000,000" in text
    assert "\n- With fewer than 100 labeled examples, this would be prompting.\n" in text


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
    payload = {
        "recommendation": "fine_tuning",
        "summary": "Fine-tuning: a | b.",
        "title": "*Ops* | <b>\nteam</b>",
        "reasons": [],
        "rows": [
            {
                "key": "latency",
                "dimension": "Lat|ency",
                "prompting": "a|b",
                "fine_tuning": "c",
                "favours": "fine_tuning",
            },
        ],
        "what_would_change": [],
        "answers": {},
        "created": "2025-03-14T09:30:00+00:00",
        "url": "http://example.test/d/x/",
    }
    text = exports.markdown(payload)
    assert text.startswith(r"# Advisor: Fine-tuning for \*Ops\* \| \<b\> team\</b\>" + "\n")
    assert r"| Lat\|ency | a\|b | c | Fine-tuning |" in text
    assert "Decided on 14 March 2025 at 09:30 UTC." in text


def test_json_export_is_the_stored_payload(client):
    decision = make()
    response = client.get(f"/d/{decision.token}.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    data = json.loads(response.content)
    result_keys = set(engine.decide(decision.answers()).as_dict())
    assert result_keys | {
        "token", "url", "title", "answers", "created", "cost_details", "costs"
    } == set(data)
    assert data["token"] == decision.token
    assert data["url"] == f"http://testserver/d/{decision.token}/"
    assert data["answers"] == FINE_TUNING_ANSWERS
    assert data["recommendation"] == "fine_tuning"
    assert data["rows"] == decision.result["rows"]
    assert data["created"] == decision.created.isoformat()
    assert data["costs"] == decision.cost_estimate
    assert data["cost_details"]["prompt_model"] == "gpt-4.1"


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
