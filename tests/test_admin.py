"""The Decision admin as a lead uses it: list, filters, search, detail, export, links, sign-in."""

import csv
import io
import logging
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils.html import escape

from decisions import services
from decisions.domain.engine import Answers
from decisions.models import Decision
from decisions.web.csv import safe_cell

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/decisions/decision/"

# Differ in every answer: A is fine-tuning (clear), B is prompting.
ANSWERS_A = {
    "monthly_requests": 2_000_000, "labeled_examples": 1_500, "domain_language": True,
    "change_frequency": "rarely", "phase": "production", "fresh_knowledge": False,
    "latency": "critical", "output_format": "strict", "reasoning": "simple",
    "small_model": "falls_short",
}
ANSWERS_B = {
    "monthly_requests": 1_000, "labeled_examples": 10, "domain_language": False,
    "change_frequency": "weekly", "phase": "exploring", "fresh_knowledge": True,
    "latency": "batch", "output_format": "free_text", "reasoning": "complex",
    "small_model": "good_enough",
}
# Fine-tuning only because it pays back, with the break-even volume (397,784 with the default
# models: (8,001.08 / 12 + 66.76) / (2,300 x $0.88/M - 900 x $0.20/M)) within a fifth of 450,000:
# borderline.
ANSWERS_BORDERLINE = {
    "monthly_requests": 450_000, "labeled_examples": 800, "domain_language": False,
    "change_frequency": "rarely", "phase": "production", "fresh_knowledge": False,
    "latency": "interactive", "output_format": "free_text", "reasoning": "simple",
    "small_model": "falls_short",
}


def record(title: str = "Support triage", **overrides) -> Decision:
    decision, _ = services.record_decision(Answers(**{**ANSWERS_A, **overrides}), title=title)
    return decision


def change_url(decision: Decision) -> str:
    return f"{LIST_URL}{decision.pk}/change/"


def run_action(client: Client, action: str, decisions: list[Decision], **extra):
    data = {"action": action, "_selected_action": [d.pk for d in decisions], "index": 0}
    return client.post(LIST_URL, data, **extra)


def summary(content: str) -> dict[str, int]:
    """The verdict counts shown above the list, by verdict."""
    return {
        verdict: int(count)
        for verdict, count in re.findall(
            r'data-verdict="(\w+)">.*?class="verdict-count">(\d+)<', content
        )
    }


@pytest.fixture
def pair() -> tuple[Decision, Decision]:
    a = record("Alpha invoices")
    b, _ = services.record_decision(Answers(**ANSWERS_B), title="Beta chatbot")
    Decision.objects.filter(pk=a.pk).update(created=datetime(2025, 1, 15, 9, 30, tzinfo=UTC))
    Decision.objects.filter(pk=b.pk).update(
        created=datetime(2024, 6, 1, 12, 0, tzinfo=UTC), engine_version="0.9"
    )
    Decision.objects.filter(pk=b.pk).revoke()
    a.refresh_from_db()
    b.refresh_from_db()
    return a, b


# --- Access ---


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_admin_site_is_named(admin_client):
    response = admin_client.get("/admin/")

    assert "Advisor admin" in response.content.decode()


# --- The list ---


def test_list_shows_every_column_formatted(admin_client, pair):
    a, _ = pair

    content = admin_client.get(LIST_URL).content.decode()

    # With the time: several decisions on one day are told apart.
    assert '<th class="field-decided">' in content and ">2025-01-15 09:30</a></th>" in content
    assert ">Requests a month<" in content
    assert "Alpha invoices" in content
    assert '<span class="verdict-badge verdict-fine_tuning">Fine-tuning</span>' in content
    assert '<td class="field-strength">Clear</td>' in content
    assert '<td class="field-monthly_volume">2M</td>' in content
    assert '<td class="field-examples">1,500</td>' in content
    assert '<td class="field-why">Pays back in ' in content
    assert '<td class="field-rules">2.0</td>' in content
    assert f'<a href="/d/{a.token}/" target="_blank" rel="noopener">Open' in content


def test_list_marks_revoked_links_instead_of_linking(admin_client, pair):
    _, b = pair

    content = admin_client.get(LIST_URL).content.decode()

    assert f'href="/d/{b.token}/"' not in content
    assert '<span class="link-revoked">Revoked</span>' in content


def test_list_shows_newest_first(admin_client, pair):
    content = admin_client.get(LIST_URL).content.decode()

    assert content.index("Alpha invoices") < content.index("Beta chatbot")


def test_list_pages_by_fifty(admin_client):
    for n in range(51):
        record(f"Decision {n}")

    response = admin_client.get(LIST_URL)

    assert len(response.context["cl"].result_list) == 50
    assert "?p=2" in response.content.decode()


def test_list_queries_do_not_grow_with_rows(admin_client, django_assert_max_num_queries):
    for n in range(30):
        record(f"Decision {n}")

    with django_assert_max_num_queries(12):
        response = admin_client.get(LIST_URL)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("recommendation__exact=fine_tuning", "Alpha invoices"),
        ("recommendation__exact=prompting", "Beta chatbot"),
        ("change_frequency__exact=weekly", "Beta chatbot"),
        ("phase__exact=production", "Alpha invoices"),
        ("latency__exact=critical", "Alpha invoices"),
        ("output_format__exact=free_text", "Beta chatbot"),
        ("reasoning__exact=complex", "Beta chatbot"),
        ("domain_language__exact=1", "Alpha invoices"),
        ("fresh_knowledge__exact=1", "Beta chatbot"),
        ("engine_version__exact=0.9", "Beta chatbot"),
        ("small_model__exact=falls_short", "Alpha invoices"),
        ("small_model__exact=good_enough", "Beta chatbot"),
        ("created__year=2025", "Alpha invoices"),
        ("created__year=2024&created__month=6", "Beta chatbot"),
        ("share_link=active", "Alpha invoices"),
        ("share_link=revoked", "Beta chatbot"),
    ],
)
def test_filter_shows_only_matching_decisions(admin_client, pair, query, shown):
    hidden = {"Alpha invoices", "Beta chatbot"} - {shown}

    content = admin_client.get(f"{LIST_URL}?{query}").content.decode()

    assert shown in content
    assert hidden.pop() not in content


def test_range_filters_offer_any_first_as_django_offers_all(admin_client, pair):
    content = admin_client.get(LIST_URL).content.decode()
    for title in ("monthly volume", "labeled examples", "prompt length"):
        section = content.split(f"By {title}", 1)[1].split("</ul>", 1)[0]
        options = re.findall(r'<a href="[^"]*">([^<]+)</a>', section)
        assert options[0] == "Any", (title, options)


@pytest.mark.parametrize(
    "query",
    [
        "recommendation__exact=nonsense",
        "share_link=bogus",
        "created__year=abc",
        "monthly_requests__gt=lots",
        "p=999",
        "q=%00",
        "o=99",
        "engine_version=%00",
        "recommendation__exact=a%00b",
        "created__year=99999999999",
        "created__year=2026&created__month=123456",
    ],
)
def test_junk_list_parameters_never_fail(admin_client, pair, query):
    response = admin_client.get(f"{LIST_URL}?{query}")

    assert response.status_code in {200, 302, 400}


@pytest.mark.parametrize(
    "query",
    [
        "created__year=0",
        "created__year=9999",
        "created__year=9999&created__month=12",
        "created__year=9999&created__month=12&created__day=31",
        "created__year=2026&created__month=13",
        "created__year=2026&created__month=0",
        "created__year=2026&created__month=1&created__day=32",
        "created__year=2026&created__month=2&created__day=30",
        "created__year=two&created__month=1",
        "created__year=2026&created__month=%EF%BC%91",
        "created__year=2026&created__month=-1",
        "created__month=13",
        "created__day=x",
    ],
)
def test_impossible_date_filters_are_a_400_in_words(admin_client, pair, query):
    response = admin_client.get(f"{LIST_URL}?{query}")

    assert response.status_code == 400
    assert "A date filter" in response.content.decode()


def test_the_last_listable_month_lists_nothing_rather_than_failing(admin_client, pair):
    response = admin_client.get(f"{LIST_URL}?created__year=9999&created__month=11")

    assert response.status_code == 200
    assert "Alpha invoices" not in response.content.decode()


def test_junk_price_sheet_filters_never_fail(admin_client):
    response = admin_client.get("/admin/decisions/modelprice/?provider=%00")

    assert response.status_code == 400


def test_search_finds_title_words(admin_client, pair):
    content = admin_client.get(f"{LIST_URL}?q=INVOICE").content.decode()

    assert "Alpha invoices" in content
    assert "Beta chatbot" not in content


def test_search_finds_exact_token(admin_client, pair):
    _, b = pair

    content = admin_client.get(f"{LIST_URL}?q={b.token}").content.decode()

    assert "Beta chatbot" in content
    assert "Alpha invoices" not in content


def test_search_ignores_partial_token(admin_client, pair):
    _, b = pair

    content = admin_client.get(f"{LIST_URL}?q={b.token[:10]}").content.decode()

    assert "Beta chatbot" not in content


# --- The summary above the list ---


def test_summary_counts_every_verdict_including_zero(admin_client, pair):
    record("Gamma")

    content = admin_client.get(LIST_URL).content.decode()

    assert summary(content) == {"prompting": 1, "fine_tuning": 2, "hybrid": 0}


def test_summary_follows_the_filter(admin_client, pair):
    record("Gamma")

    content = admin_client.get(f"{LIST_URL}?share_link=revoked").content.decode()

    assert summary(content) == {"prompting": 1, "fine_tuning": 0, "hybrid": 0}


def test_summary_follows_the_search(admin_client, pair):
    content = admin_client.get(f"{LIST_URL}?q=alpha").content.decode()

    assert summary(content) == {"prompting": 0, "fine_tuning": 1, "hybrid": 0}


# --- The detail page ---


def test_detail_page_has_no_save_button(admin_client, pair):
    a, _ = pair

    content = admin_client.get(change_url(a)).content.decode()

    assert 'name="_save"' not in content
    assert 'name="_continue"' not in content


def test_detail_page_gives_every_answer_in_words(admin_client, pair):
    a, _ = pair

    content = admin_client.get(change_url(a)).content.decode()

    assert escape("How many completions a month will this task run?") in content
    assert "2,000,000 a month" in content
    assert "1,500 examples" in content
    assert "Latency-critical" in content
    assert "Strict schema" in content
    assert escape("Prompted with your prompt, is the model you would fine-tune good enough?") \
        in content
    assert "Falls short" in content


def test_detail_page_shows_how_firm_a_clear_verdict_is(admin_client, pair):
    a, _ = pair

    content = admin_client.get(change_url(a)).content.decode()

    assert re.search(r"<label>How firm:</label>\s*<div class=\"readonly\">Clear</div>", content)


def test_detail_page_says_which_answer_to_firm_up_on_a_borderline_verdict(admin_client):
    decision, _ = services.record_decision(Answers(**ANSWERS_BORDERLINE), title="Close call")
    assert decision.strength == "borderline"

    content = admin_client.get(change_url(decision)).content.decode()

    assert re.search(
        r"<label>How firm:</label>\s*<div class=\"readonly\">Borderline: an estimate a little "
        r"off would change the verdict. Firm up your monthly volume before you commit.</div>",
        content,
    )


def test_detail_page_says_an_old_decision_was_never_rated(admin_client, pair):
    _, b = pair
    Decision.objects.filter(pk=b.pk).update(strength="")

    content = admin_client.get(change_url(b)).content.decode()

    assert "Not rated: decided before rules version 2.0." in content


def test_detail_page_shows_the_cost_figures_a_b_and_c(admin_client, pair):
    a, _ = pair

    content = admin_client.get(change_url(a)).content.decode()

    assert "Prompting Llama-3.3-70B-Instruct-Turbo" in content
    assert "Prompting llama-v3p1-8b-instruct" in content
    assert "Fine-tuned llama-v3p1-8b-instruct" in content
    assert not re.search(r"\$0\.00(?!\d)", content)


def test_strength_filter_finds_the_borderline_verdicts(admin_client, pair):
    services.record_decision(Answers(**ANSWERS_BORDERLINE), title="Close call")

    content = admin_client.get(f"{LIST_URL}?strength__exact=borderline").content.decode()

    assert "Close call" in content
    assert "Alpha invoices" not in content and "Beta chatbot" not in content
    assert '<td class="field-strength">Borderline</td>' in content


def test_detail_page_shows_the_stored_result_readably(admin_client, pair):
    a, _ = pair

    content = admin_client.get(change_url(a)).content.decode()

    for reason in a.result["reasons"]:
        assert escape(reason["text"]) in content
    assert escape(a.result["summary"]) in content
    assert "Inference cost" in content and "Consistency" in content
    assert escape(a.result["what_would_change"][0]["text"]) in content
    assert '"recommendation"' not in content
    assert "{&#x27;" not in content
    assert '{"' not in content


def test_detail_page_escapes_the_title(admin_client):
    decision = record("<script>alert(1)</script>")

    content = admin_client.get(change_url(decision)).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_detail_page_says_when_todays_engine_would_differ(admin_client, pair):
    a, _ = pair
    Decision.objects.filter(pk=a.pk).update(engine_version="0.1", recommendation="hybrid")

    content = admin_client.get(change_url(a)).content.decode()

    assert "would decide differently" in content
    assert "<strong>Fine-tuning</strong>" in content


def test_detail_page_is_quiet_when_the_engine_agrees(admin_client, pair):
    a, _ = pair

    content = admin_client.get(change_url(a)).content.decode()

    assert "would decide differently" not in content


def test_changing_by_post_is_refused(admin_client, pair):
    a, _ = pair

    response = admin_client.post(change_url(a), {"title": "Rewritten", "_save": "Save"})

    assert response.status_code == 403
    a.refresh_from_db()
    assert a.title == "Alpha invoices"


def test_adding_is_refused(admin_client):
    assert admin_client.get(f"{LIST_URL}add/").status_code == 403
    assert admin_client.post(f"{LIST_URL}add/", {"title": "New"}).status_code == 403
    assert not Decision.objects.exists()


def test_deleting_is_refused(admin_client, pair):
    a, _ = pair

    response = admin_client.post(f"{LIST_URL}{a.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Decision.objects.filter(pk=a.pk).exists()


def test_unknown_decision_id_redirects_with_a_message(admin_client):
    response = admin_client.get(f"{LIST_URL}999999/change/", follow=True)

    assert response.status_code == 200
    assert "doesn’t exist" in response.content.decode()


# --- CSV export ---


def export(client: Client, decisions: list[Decision]) -> list[list[str]]:
    response = run_action(client, "export_csv", decisions)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_has_one_row_per_selected_decision(admin_client, pair):
    a, b = pair
    record("Not selected")

    header, *rows = export(admin_client, [a, b])

    # Then the reasons and the monthly costs (tests/test_admin_review.py).
    answers_and_verdict = [
        "token", "created", "title", "source", "monthly_requests", "prompt_tokens",
        "labeled_examples", "domain_language", "change_frequency", "phase", "fresh_knowledge",
        "latency", "output_format", "reasoning", "small_model", "verdict", "strength",
        "engine_version", "share_link",
    ]
    assert header[:len(answers_and_verdict)] == answers_and_verdict
    assert len(rows) == 2 and all(len(row) == len(header) for row in rows)
    assert [dict(zip(answers_and_verdict, row, strict=False)) for row in rows] == [
        {
            # A token may start with "-" (1 in 64): escaped like any other cell.
            "token": safe_cell(a.token), "created": "2025-01-15T09:30:00+00:00",
            "title": "Alpha invoices",
            "source": "form", "monthly_requests": "2000000", "prompt_tokens": "1500",
            "labeled_examples": "1500", "domain_language": "true", "change_frequency": "rarely",
            "phase": "production", "fresh_knowledge": "false", "latency": "critical",
            "output_format": "strict", "reasoning": "simple", "small_model": "falls_short",
            "verdict": "Fine-tuning", "strength": "clear", "engine_version": "2.0",
            "share_link": "active",
        },
        {
            "token": safe_cell(b.token), "created": "2024-06-01T12:00:00+00:00",
            "title": "Beta chatbot",
            "source": "form", "monthly_requests": "1000", "prompt_tokens": "1500",
            "labeled_examples": "10", "domain_language": "false", "change_frequency": "weekly",
            "phase": "exploring", "fresh_knowledge": "true", "latency": "batch",
            "output_format": "free_text", "reasoning": "complex", "small_model": "good_enough",
            "verdict": "Prompting", "strength": "clear", "engine_version": "0.9",
            "share_link": "revoked",
        },
    ]


def test_csv_strength_column_tells_clear_from_borderline_and_unrated(admin_client, pair):
    a, b = pair
    close, _ = services.record_decision(Answers(**ANSWERS_BORDERLINE), title="Close call")
    Decision.objects.filter(pk=b.pk).update(strength="")

    header, *rows = export(admin_client, [a, b, close])

    strength = {row[header.index("title")]: row[header.index("strength")] for row in rows}
    assert strength == {"Alpha invoices": "clear", "Beta chatbot": "", "Close call": "borderline"}


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"],
)
def test_csv_defuses_spreadsheet_formulas(admin_client, title):
    decision = record(title)
    Decision.objects.filter(pk=decision.pk).update(title=title)  # record() strips whitespace

    _, row = export(admin_client, [decision])

    assert row[2] == "'" + title


def test_csv_leaves_plain_titles_alone(admin_client):
    decision = record("Cost = tokens x calls")

    _, row = export(admin_client, [decision])

    assert row[2] == "Cost = tokens x calls"


# --- Share links ---


def test_revoke_turns_off_the_public_link(admin_client, client, pair):
    a, _ = pair
    c = record("Gamma")

    response = run_action(admin_client, "revoke_links", [a, c], follow=True)

    assert "Revoked 2 share links." in response.content.decode()
    assert not Decision.objects.shared().exists()
    assert client.get(a.get_absolute_url()).status_code == 410


def test_revoke_counts_only_links_still_on(admin_client, pair):
    a, b = pair

    response = run_action(admin_client, "revoke_links", [a, b], follow=True)

    assert "Revoked 1 share link." in response.content.decode()


def test_restore_turns_the_public_link_back_on(admin_client, client, pair):
    _, b = pair

    response = run_action(admin_client, "restore_links", [b], follow=True)

    assert "Restored 1 share link." in response.content.decode()
    b.refresh_from_db()
    assert b.revoked_at is None
    assert client.get(b.get_absolute_url()).status_code == 200


def test_view_only_staff_can_export_but_not_revoke(client, pair):
    a, _ = pair
    user = User.objects.create_user("viewer", password="x-unused-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_decision"))
    client.force_login(user)

    content = client.get(LIST_URL).content.decode()
    run_action(client, "revoke_links", [a])

    assert 'value="export_csv"' in content
    assert 'value="revoke_links"' not in content
    assert Decision.objects.get(pk=a.pk).revoked_at is None


# --- Sign-in lockout (django-axes) ---


@pytest.fixture
def lead() -> User:
    return User.objects.create_superuser("lead", "lead@example.com", "correct-horse-42")


def sign_in(client: Client, password: str, **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "lead", "password": password, "next": "/admin/"},
        **extra,
    )


def test_sign_in_works_after_a_few_wrong_passwords(client, lead):
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200

    response = sign_in(client, "correct-horse-42")

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_five_wrong_passwords_lock_the_account(client, lead, caplog):
    caplog.set_level(logging.WARNING, logger="axes")
    for _ in range(5):
        sign_in(client, "wrong")

    response = sign_in(client, "correct-horse-42")

    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in (
        response.content.decode()
    )
    assert client.get("/admin/").status_code == 302  # still not signed in
    assert any("Locking out" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


def test_lockout_holds_for_one_client_only(client, lead):
    for _ in range(5):
        sign_in(client, "wrong")

    response = sign_in(Client(REMOTE_ADDR="203.0.113.9"), "correct-horse-42")

    assert response.status_code == 302


def test_forged_forwarded_header_does_not_lift_the_lockout(client, lead):
    for _ in range(5):
        sign_in(client, "wrong")

    response = sign_in(client, "correct-horse-42", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_locked(client, lead, settings):
    settings.TRUST_PROXY = True
    for _ in range(5):
        sign_in(client, "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7")

    locked = sign_in(client, "correct-horse-42", HTTP_X_FORWARDED_FOR="198.51.100.7")
    other = sign_in(Client(), "correct-horse-42", HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert locked.status_code == 429
    assert other.status_code == 302
