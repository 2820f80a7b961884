"""A load driver for whole wizard journeys, as a browser makes them, over keep-alive connections.

wrk replays one request; an assessment is a dozen that depend on each other (a fresh draft id, a
session cookie, a CSRF token per page, redirects). Here each thread is a stream of new visitors:
GET /assess/, then GET and POST each step, then GET the result it was sent to, for a fixed time.
The same driver also measures its own ceiling on the minimal site (`ceiling`), so a journey's
requests per second can be compared with a ceiling measured the same way.
"""

import http.client
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode, urlsplit

# Valid on every step, a fine-tuning verdict (as ANSWERS in tests/helpers.py; bench imports no
# test).
ANSWERS = {
    "volume": {"monthly_requests": "2,000,000", "prompt_tokens": "1500"},
    "data": {"labeled_examples": "800", "domain_language": "no", "small_model": "falls_short"},
    "stability": {"change_frequency": "rarely", "phase": "production", "fresh_knowledge": "no"},
    "delivery": {"latency": "interactive", "output_format": "strict", "reasoning": "simple"},
    "review": {"title": "Bench journey"},
}
# The same answers as the API takes them.
API_ANSWERS = {
    "monthly_requests": 2_000_000, "prompt_tokens": 1500, "labeled_examples": 800,
    "domain_language": False, "small_model": "falls_short", "change_frequency": "rarely",
    "phase": "production", "fresh_knowledge": False, "latency": "interactive",
    "output_format": "strict", "reasoning": "simple", "title": "Bench",
}
STEP_PATH = re.compile(r"/assess/([0-9a-f-]{36})/([a-z]+)/")
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class JourneyError(Exception):
    """A response a person following the happy path would not get."""


class Browser:
    """One visitor: a keep-alive connection and a cookie jar (when the server closes the
    connection after a response, http.client opens a new one by itself)."""

    def __init__(self, host: str, port: int) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.latencies: list[float] = []

    def close(self) -> None:
        self.connection.close()

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPResponse, bytes]:
        headers = {"Accept-Encoding": "gzip, br"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            raise JourneyError(f"{method} {path}: {error}") from None
        self.latencies.append(time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            try:
                jar = SimpleCookie(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response, content

    def get(self, path: str, expect: int) -> tuple[http.client.HTTPResponse, bytes]:
        status, response, content = self.request("GET", path)
        if status != expect:
            raise JourneyError(f"GET {path}: {status}, expected {expect}")
        return response, content

    def post(self, path: str, form: dict[str, str]) -> str:
        """POST a form that must redirect; returns where to."""
        status, response, content = self.request("POST", path, form)
        if status != 302:
            raise JourneyError(f"POST {path}: {status}, expected 302: {content[:200]!r}")
        return urlsplit(response.headers["Location"]).path


def assess(browser: Browser) -> int:
    """One complete assessment as a new visitor; returns the requests it took."""
    browser.cookies.clear()
    before = len(browser.latencies)
    response, _ = browser.get("/assess/", expect=302)
    path = urlsplit(response.headers["Location"]).path
    for step, answers in ANSWERS.items():
        match = STEP_PATH.fullmatch(path)
        if not match or match.group(2) != step:
            raise JourneyError(f"expected step {step}, was sent to {path}")
        _, page = browser.get(path, expect=200)
        token = CSRF_FIELD.search(page)
        if not token:
            raise JourneyError(f"GET {path}: no CSRF token in the form")
        form = {f"{step}-{name}": value for name, value in answers.items()}
        form[f"assessment_{match.group(1).replace('-', '')}-current_step"] = step
        form["csrfmiddlewaretoken"] = token.group(1).decode()
        path = browser.post(path, form)
    if not path.startswith("/d/"):
        raise JourneyError(f"the last step sent to {path}, not a result")
    browser.get(path, expect=200)
    return len(browser.latencies) - before


def ceiling(browser: Browser) -> int:
    """One GET of the minimal site's page: the driver's own ceiling."""
    browser.get("/", expect=200)
    return 1


@dataclass
class Outcome:
    seconds: float = 0.0
    completed: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def requests_each(self) -> float:
        return self.requests / self.completed if self.completed else 0.0

    def percentile_ms(self, percent: int) -> float:
        if len(self.latencies) < 2:
            return 0.0
        return statistics.quantiles(self.latencies, n=100)[percent - 1] * 1000


def drive(
    host: str, port: int, task: Callable[[Browser], int], threads: int, seconds: float
) -> Outcome:
    """Run `task` in `threads` threads until `seconds` pass; a task started in time finishes
    and counts, so the rate is over the time actually spent."""
    outcome = Outcome()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def work() -> None:
        browser = Browser(host, port)
        try:
            while time.monotonic() < deadline:
                mark = len(browser.latencies)
                try:
                    done = task(browser)
                except JourneyError as error:
                    with lock:
                        outcome.errors.append(str(error))
                        outcome.requests += len(browser.latencies) - mark
                    continue
                with lock:
                    outcome.completed += 1
                    outcome.requests += done
        finally:
            browser.close()
            with lock:
                outcome.latencies.extend(browser.latencies)

    started = time.monotonic()
    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    outcome.seconds = time.monotonic() - started
    return outcome
