"""In-process half of `make bench`: queries per request, CPU time per request, and profiles.

Runs the real settings (DEBUG off) against the benchmark's database, through Django's test
Client, so it sees what a gunicorn worker does minus the network. Time is CPU time of this
process, which other programs on the machine disturb far less than wall-clock time. bench/run.py
starts it in a subprocess with the benchmark's environment and reads the JSON it prints; it also
runs alone:

    DATABASE_URL=sqlite:////tmp/x.sqlite3 SECRET_KEY=... python bench/inprocess.py --token TOKEN
    DJANGO_SETTINGS_MODULE=bench.minimal.settings python bench/inprocess.py --minimal
"""

import argparse
import cProfile
import json
import os
import pstats
import re
import sys
import time
import timeit
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advisor.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402

from bench import engine_bench  # noqa: E402
from bench.journey import ANSWERS, API_ANSWERS  # noqa: E402
from decisions.domain.engine import decide  # noqa: E402

HOST = "127.0.0.1"
API_BODY = json.dumps(API_ANSWERS)
# Where time goes, by the file a function lives in (first match wins).
AREAS = (
    ("database", ("django/db/", "sqlite3", "psycopg", "decisions/platform/sqlite/")),
    ("templates", ("django/template/", "django/templatetags/")),
    ("forms", ("django/forms/",)),
    ("formtools", ("formtools/",)),
    ("sessions, auth, messages", ("django/contrib/sessions/", "django/contrib/auth/",
                                  "django/contrib/messages/", "django/core/signing")),
    ("middleware", ("django/middleware/", "whitenoise/", "axes/")),
    ("urls", ("django/urls/",)),
    ("advisor code", ("/decisions/", "/advisor/")),
    ("other django", ("django/",)),
    ("python", ("",)),
)


def client() -> Client:
    return Client(SERVER_NAME=HOST, HTTP_ACCEPT_ENCODING="gzip, br")


def count_queries(request: Callable[[], HttpResponse]) -> tuple[HttpResponse, list[str]]:
    """The response and every SQL statement it ran (in-process, no test transaction exists,
    so nothing needs excluding)."""
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = request()
    return response, statements


def expect(response: HttpResponse, status: int, what: str) -> HttpResponse:
    if response.status_code != status:
        raise SystemExit(f"{what}: status {response.status_code}, expected {status}")
    return response


def wizard_draft(browser: Client) -> str:
    """A new draft's first step URL."""
    response = expect(browser.get("/assess/"), 302, "GET /assess/")
    return response.url


def step_urls(first: str) -> dict[str, str]:
    base = first.rsplit("/", 2)[0]
    return {step: f"{base}/{step}/" for step in ANSWERS}


def step_form(url: str, step: str) -> dict[str, str]:
    draft = re.search(r"/assess/([0-9a-f-]{36})/", url).group(1).replace("-", "")
    form = {f"{step}-{name}": value for name, value in ANSWERS[step].items()}
    form[f"assessment_{draft}-current_step"] = step
    return form


def measure_wizard() -> dict[str, list[str]]:
    """Queries of each step's GET and POST in one complete assessment."""
    browser = client()
    queries: dict[str, list[str]] = {}
    response, queries["GET /assess/ (new draft)"] = count_queries(lambda: browser.get("/assess/"))
    urls = step_urls(expect(response, 302, "GET /assess/").url)
    for step, url in urls.items():
        response, queries[f"GET step {step}"] = count_queries(lambda url=url: browser.get(url))
        expect(response, 200, f"GET {url}")
        form = step_form(url, step)
        response, queries[f"POST step {step}"] = count_queries(
            lambda url=url, form=form: browser.post(url, form)
        )
        expect(response, 302, f"POST {url}")
    response, queries["GET result, just finished (with session)"] = count_queries(
        lambda: browser.get(response.url)
    )
    expect(response, 200, "GET result with session")
    return queries


def filled_draft(upto: str) -> tuple[Client, dict[str, str]]:
    """A visitor whose draft has every step before `upto` answered, and the draft's step URLs."""
    browser = client()
    urls = step_urls(wizard_draft(browser))
    for step in list(ANSWERS)[: list(ANSWERS).index(upto)]:
        expect(browser.post(urls[step], step_form(urls[step], step)), 302, f"POST {step}")
    return browser, urls


def endpoints(token: str) -> dict[str, tuple[Callable[[], HttpResponse], int]]:
    """Each measured request, repeatable, with the status it must return."""
    visitor = client()
    stepper, urls = filled_draft("stability")
    reviewer, review_urls = filled_draft("review")
    landing = visitor.get("/").content.decode()
    css = re.search(r'href="(/static/vendor/bootstrap/[^"]+\.css)"', landing).group(1)
    form = step_form(urls["stability"], "stability")
    return {
        "landing": (lambda: visitor.get("/"), 200),
        "wizard step GET": (lambda: stepper.get(urls["stability"]), 200),
        "wizard step POST": (lambda: stepper.post(urls["stability"], form), 302),
        "wizard review GET": (lambda: reviewer.get(review_urls["review"]), 200),
        "result page": (lambda: visitor.get(f"/d/{token}/"), 200),
        "JSON export": (lambda: visitor.get(f"/d/{token}.json"), 200),
        "Markdown export": (lambda: visitor.get(f"/d/{token}.md"), 200),
        "API POST": (
            lambda: visitor.post("/api/decisions", API_BODY, content_type="application/json"),
            201,
        ),
        "static CSS": (lambda: visitor.get(css), 200),
    }


def per_request_ms(request: Callable[[], HttpResponse], number: int) -> float:
    """CPU milliseconds per request: the best of three runs of `number` requests."""
    runs = timeit.repeat(request, number=number, repeat=3, timer=time.process_time)
    return min(runs) / number * 1000


def calls_per_request(request: Callable[[], HttpResponse], number: int = 5) -> int:
    """Python function calls per request: unlike time, the same however busy the machine is,
    so a change's effect shows even when timings are noise."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(number):
        request()
    profiler.disable()
    return round(pstats.Stats(profiler).total_calls / number)


def area(filename: str) -> str:
    for name, markers in AREAS:
        if any(marker in filename for marker in markers):
            return name
    return "python"


def profile(request: Callable[[], HttpResponse], number: int) -> dict[str, object]:
    """Where a request's time goes: own time by area, and the slowest functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(number):
        request()
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_area: dict[str, float] = defaultdict(float)
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():
        by_area[area(filename)] += own
        short = re.sub(r"^.*/(site-packages|lib/python3\.\d+)/", "", filename)
        short = short.replace(str(ROOT) + "/", "")
        rows.append((cumulative, own, calls, f"{short}:{line}({function})"))
    total = sum(by_area.values()) or 1.0

    def listed(selected: list[tuple[float, float, int, str]]) -> list[dict[str, object]]:
        return [
            {
                "function": name,
                "cumulative_ms": round(cumulative / number * 1000, 3),
                "own_ms": round(own / number * 1000, 3),
                "calls": round(calls / number, 1),
            }
            for cumulative, own, calls, name in selected
        ]

    noise = ("cProfile", "<lambda>", "test/client.py", "{method 'disable'")
    rows = [row for row in rows if not any(skip in row[3] for skip in noise)]
    return {
        "ms": round(total / number * 1000, 3),
        "areas": {
            name: round(seconds / total * 100, 1)
            for name, seconds in sorted(by_area.items(), key=lambda item: -item[1])
        },
        "own": listed(sorted(rows, key=lambda row: -row[1])[:10]),
        "app": listed(
            sorted(
                (row for row in rows if row[3].startswith("decisions/")),
                key=lambda row: -row[0],
            )[:8]
        ),
    }


def engine_microseconds() -> float:
    """engine_bench.py's headline: mean µs per decide() over its varied answers, best of 5."""
    cases = engine_bench.varied_answers()
    economics = engine_bench.ECONOMICS
    runs = timeit.repeat(
        lambda: [decide(answers, economics) for answers in cases], number=1, repeat=5
    )
    return min(runs) / len(cases) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", help="share token of a stored decision")
    parser.add_argument("--minimal", action="store_true", help="time the minimal site's page")
    parser.add_argument("--number", type=int, default=40, help="requests per timing run")
    parser.add_argument("--profile", nargs="*", default=[], help="endpoint names to profile")
    args = parser.parse_args()
    if args.minimal:
        visitor = client()
        page = lambda: visitor.get("/")  # noqa: E731
        expect(page(), 200, "minimal page")
        json.dump({"ms": {"minimal page": round(per_request_ms(page, args.number * 5), 3)},
                   "calls": {"minimal page": calls_per_request(page)}}, sys.stdout)
        return
    if not args.token:
        parser.error("--token is required")

    started = time.monotonic()
    report: dict[str, object] = {"wizard": measure_wizard()}
    queries, timings, calls, profiles = {}, {}, {}, {}
    for name, (request, status) in endpoints(args.token).items():
        expect(request(), status, name)  # warm: templates compiled, connection open
        _, queries[name] = count_queries(request)
        timings[name] = round(per_request_ms(request, args.number), 3)
        calls[name] = calls_per_request(request)
        if name in args.profile:
            profiles[name] = profile(request, args.number)
    report.update(queries=queries, ms=timings, calls=calls, profiles=profiles)
    report["engine_us"] = round(engine_microseconds(), 1)
    report["seconds"] = round(time.monotonic() - started, 1)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
