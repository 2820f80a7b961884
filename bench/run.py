"""`make bench`: how fast Advisor serves, compared with Django's own ceiling on this machine.

Starts Advisor production-like (gunicorn with gunicorn.conf.py, DEBUG off, a fresh SQLite file,
RATE_LIMIT off, 3 workers) and, on the very same gunicorn settings, the minimal site in
bench/minimal (one fixed page, Security and Common middleware only). Then, one after the other
and on the loopback only, measures with wrk each page's requests per second and latency and
its ratio to the minimal page, drives whole wizard journeys, weighs each page over the wire,
counts queries per request in-process, and prints the tables with each target's pass or miss.

Absolute numbers depend on the machine and on whatever else runs on it; the ratios are what to
compare across machines. A missed target is reported, never an error: this exits 0 unless the
benchmark itself could not run. --write-doc records the tables in docs/performance.md.
"""

import argparse
import contextlib
import datetime
import gzip
import http.client
import importlib.metadata
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import journey  # noqa: E402

HOST = "127.0.0.1"
WORKERS = 3
WRK_THREADS = 2
CONNECTIONS = 8
SECONDS = 5
WARMUP = 2  # once per server, before its first measurement
SETTLE = 1  # before each further endpoint: its templates compiled in every worker
# The minimal page is measured before the first endpoint and after each one, for this long: an
# endpoint's ratio is to the mean of the minimal runs either side of it, so a neighbour's build
# starting halfway through the benchmark skews one row, not every ratio.
MINIMAL_SECONDS = 3
ACCEPT_ENCODING = "gzip, br"
DOC = ROOT / "docs" / "performance.md"
DOC_START = "<!-- bench:start (written by `bench/run.py --write-doc`; edit outside) -->"
DOC_END = "<!-- bench:end -->"

RATIO_TARGETS = {"landing": 0.6, "wizard step GET": 0.2, "result page": 0.45, "API POST": 0.25}
# A shared result should cost no more than a static page: its req/s to the landing page's.
RESULT_TO_LANDING_TARGET = 0.9
QUERY_TARGETS = {"result page": 1, "wizard step": 3}
WEIGHT_TARGET = 60 * 1024  # bytes over the wire, the page with everything it loads
REQUESTS_TARGET = 5  # fewer than this many requests per page
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
API_ANSWERS = journey.API_ANSWERS
# wrk prints its summary for people; this line is for us.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d "
    .. "status=%d timeout=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""
WRK_POST_JSON = """
wrk.method = "POST"
wrk.body = [[{body}]]
wrk.headers["Content-Type"] = "application/json"
"""


class BenchError(Exception):
    """The benchmark itself could not run (as opposed to a target being missed)."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Processes ---


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """A gunicorn started with gunicorn.conf.py in its own process group, stopped with it."""

    def __init__(self, name: str, module: str, env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.module = module
        self.env = env
        self.log_path = logs / f"{name}.log"
        self.port = 0
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.port = free_port()
        env = {**self.env, "BIND": f"{HOST}:{self.port}", "WEB_CONCURRENCY": str(WORKERS)}
        command = [sys.executable, "-m", "gunicorn", self.module, "-c", "gunicorn.conf.py"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])
        return ""

    def wait_until_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} exited at start-up:\n{self.log_tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    pass
                status, _, _ = fetch(self.port, "/")
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"{self.name} did not answer within {seconds:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """TERM the whole group (master and workers), then KILL whatever is left."""
        if self.process is None:
            return
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)  # a worker that outlived its master, if any
        self.process.wait()
        self.process = None


def run_checked(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BenchError(f"{what} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


def ensure_wrk() -> str | None:
    """wrk's path, installed from Debian's packages when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("wrk is missing: installing it with apt-get (Debian package wrk)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "install", "-y", "-q", "wrk"], ["apt-get", "update", "-q"],
                        ["apt-get", "install", "-y", "-q", "wrk"]):
            if subprocess.run(command, env=env, capture_output=True).returncode == 0 and (
                shutil.which("wrk")
            ):
                return shutil.which("wrk")
    say(
        "wrk is not installed, so requests per second are not measured (page weight and queries "
        "still are). Install it with `sudo apt-get install wrk` (Debian, Ubuntu) or "
        "`brew install wrk` (macOS), then run `make bench` again."
    )
    return None


# --- HTTP ---


def fetch(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPResponse, bytes]:
    """One request; the body as sent (still compressed, if it was)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


def wire_bytes(response: http.client.HTTPResponse, body: bytes) -> int:
    """Status line, headers and body as they crossed the wire."""
    head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
    head += sum(len(f"{name}: {value}\r\n".encode()) for name, value in response.headers.items())
    return head + len(body)


def decoded(response: http.client.HTTPResponse, body: bytes) -> bytes | None:
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        try:
            import brotli  # noqa: PLC0415  (optional: whitenoise only makes .br files with it)
        except ImportError:
            return None
        return brotli.decompress(body)
    return body


class Links(HTMLParser):
    """What a browser fetches for a page: stylesheets, preloads, icons, scripts, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = set(values.get("rel", "").lower().split())
        if tag == "link" and rel & {"stylesheet", "preload", "modulepreload", "icon"}:
            self.urls.append(values.get("href", ""))
        elif tag in {"script", "img"} and values.get("src"):
            self.urls.append(values["src"])


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+['"]([^'"]+)['"]""")


@dataclass
class Weight:
    page: str
    status: int
    html: int
    assets: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.html + sum(size for _, size in self.assets)

    @property
    def requests(self) -> int:
        return 1 + len(self.assets)


def page_weight(port: int, page: str, path: str, cookie: str = "") -> Weight:
    """The page and everything it loads, as a first visit with an empty cache fetches it."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING}
    if cookie:
        headers["Cookie"] = cookie
    status, response, body = fetch(port, path, headers)
    weight = Weight(page, status, wire_bytes(response, body))
    parser = Links()
    parser.feed((decoded(response, body) or b"").decode("utf-8", "replace"))
    queue = [urljoin(path, url) for url in parser.urls]
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if url in seen or parts.scheme not in {"", "http"} or url.startswith("data:"):
            continue
        if parts.netloc and parts.netloc != f"{HOST}:{port}":
            weight.assets.append((f"{url} (another host!)", 0))
            continue
        seen.add(url)
        asset_path = parts.path + (f"?{parts.query}" if parts.query else "")
        _, response, body = fetch(port, asset_path, headers)
        weight.assets.append((parts.path, wire_bytes(response, body)))
        if parts.path.endswith(".css"):
            text = (decoded(response, body) or b"").decode("utf-8", "replace")
            for found in (*CSS_URL.findall(text), *CSS_IMPORT.findall(text)):
                if not found.startswith(("data:", "#")):
                    queue.append(urljoin(parts.path, found))
    return weight


def make_decision(app: Server) -> str:
    """A stored decision through the API; its share token."""
    request = urllib.request.Request(  # noqa: S310  (our own server on the loopback)
        app.url("/api/decisions"), data=json.dumps(API_ANSWERS).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        if response.status != 201:
            raise BenchError(f"POST /api/decisions answered {response.status}, not 201")
        return json.load(response)["token"]


def make_draft(app: Server, upto: str) -> tuple[str, str]:
    """A draft with every step before `upto` answered: that step's path and the Cookie header."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(app.url("/assess/"), timeout=30) as response:
        path, page = urlsplit(response.url).path, response.read()
    for step, answers in journey.ANSWERS.items():
        if step == upto:
            break
        draft = journey.STEP_PATH.fullmatch(path)
        token = journey.CSRF_FIELD.search(page)
        if not draft or not token:
            raise BenchError(f"the wizard did not show step {step} with a form (at {path})")
        form = {f"{step}-{name}": value for name, value in answers.items()}
        form[f"assessment_{draft.group(1).replace('-', '')}-current_step"] = step
        form["csrfmiddlewaretoken"] = token.group(1).decode()
        data = urlencode(form).encode()
        with opener.open(app.url(path), data=data, timeout=30) as response:
            path, page = urlsplit(response.url).path, response.read()
    if not path.endswith(f"/{upto}/"):
        raise BenchError(f"filling the wizard up to {upto} ended at {path}")
    return path, "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def hashed_static(name: str) -> str:
    """The hashed URL whitenoise serves a static file at, from collectstatic's manifest."""
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"][name]


# --- Measurements ---


@dataclass
class Load:
    """One wrk run: throughput and latency."""

    name: str
    path: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    note: str = ""
    ceiling: float = 0.0  # the minimal page's req/s around this run

    @property
    def ratio(self) -> float:
        return self.rps / self.ceiling if self.ceiling else 0.0


def wrk_run(
    wrk: str, scripts: Path, url: str, seconds: int, headers: dict[str, str], body: str = ""
) -> Load:
    script = scripts / ("post.lua" if body else "get.lua")
    script.write_text((WRK_POST_JSON.format(body=body) if body else "") + WRK_REPORT)
    command = [wrk, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        [*command, url], stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=seconds + 60,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH ")), None)
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed on {url}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    numbers = {k: int(v) for k, v in (pair.split("=") for pair in line.split()[1:])}
    load = Load("", urlsplit(url).path)
    load.rps = numbers["requests"] / (numbers["duration_us"] / 1e6)
    load.p50_ms, load.p99_ms = numbers["p50_us"] / 1000, numbers["p99_us"] / 1000
    load.errors = sum(numbers[k] for k in ("connect", "read", "write", "status", "timeout"))
    if load.errors:
        load.note = ", ".join(
            f"{numbers[k]} {k}" for k in ("status", "connect", "read", "write", "timeout")
            if numbers[k]
        )
    return load


def check_status(port: int, path: str, expected: int, headers: dict[str, str]) -> None:
    status, _, body = fetch(port, path, headers)
    if status != expected:
        raise BenchError(f"GET {path} answered {status}, not {expected}: {body[:300]!r}")


def machine() -> dict[str, str]:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    wrk_version = ""
    if shutil.which("wrk"):
        output = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
        wrk_version = output.split(" [")[0].strip()
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "cpu": model,
        "load": load,
        "software": (
            f"Python {platform.python_version()}, Django {importlib.metadata.version('django')}, "
            f"gunicorn {importlib.metadata.version('gunicorn')}, SQLite {sqlite3.sqlite_version}"
            + (f", {wrk_version}" if wrk_version else "")
        ),
    }


# --- Report ---


def mark(ok: bool) -> str:
    return "pass" if ok else "**MISS**"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table, padded so it also reads well in a terminal."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return [line(header), rule, *(line(row) for row in rows)]


def shown_path(path: str) -> str:
    """A path as the report shows it: draft ids and share tokens change every run."""
    path = re.sub(r"^/assess/[0-9a-f-]{36}/", "/assess/<draft>/", path)
    return re.sub(r"^/d/[A-Za-z0-9_-]{16,64}", "/d/<token>", path)


def counted(statements: list[str]) -> int:
    """Queries, not counting transaction control (BEGIN IMMEDIATE is SQLite's, not a query)."""
    return sum(1 for sql in statements if not TRANSACTION_CONTROL.match(sql))


def kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


@dataclass
class Results:
    machine: dict[str, str]
    minimal: list[Load] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    journeys: journey.Outcome | None = None
    ceiling: journey.Outcome | None = None
    weights: list[Weight] = field(default_factory=list)
    inprocess: dict = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def minimal_rps(self) -> float:
        return sum(x.rps for x in self.minimal) / len(self.minimal) if self.minimal else 0.0


def report(results: Results) -> list[str]:
    info = results.machine
    queries = results.inprocess.get("queries", {})
    wizard = results.inprocess.get("wizard", {})
    timings = results.inprocess.get("ms", {})
    calls = results.inprocess.get("calls", {})
    out = [
        f"Measured {info['date']} on {info['cores']} cores ({info['cpu']}); load average "
        f"before the run {info['load']}.",
        f"{info['software']}. gunicorn.conf.py with {WORKERS} gevent workers for both sites; "
        f"wrk -t{WRK_THREADS} -c{CONNECTIONS} -d{SECONDS}s per row with Accept-Encoding: "
        f"{ACCEPT_ENCODING}, loopback only.",
        "",
    ]
    misses: list[str] = []

    if results.minimal:
        runs = ", ".join(f"{x.rps:,.0f}" for x in results.minimal)
        cpu = timings.get("minimal page")
        out += [f"Minimal Django page (the ceiling): {results.minimal_rps:,.0f} req/s, the mean "
                f"of {len(results.minimal)} runs of {MINIMAL_SECONDS} s ({runs}), one before the "
                "first row and one after each; a row's ratio is to the two runs either side"
                + (f". In-process it takes {cpu:.2f} CPU ms and {calls['minimal page']:,} "
                   "Python function calls." if cpu else "."), ""]
    rows = []
    for load in results.loads:
        ratio = load.ratio
        target = RATIO_TARGETS.get(load.name)
        verdict = "—"
        if target is not None:
            verdict = f"≥ {target:.2f} {mark(ratio >= target)}"
            if ratio < target:
                misses.append(load.name)
        statements = queries.get(load.name)
        query_cell = "—" if statements is None else str(counted(statements))
        if load.name == "result page" and statements is not None:
            ok = counted(statements) <= QUERY_TARGETS["result page"]
            query_cell += f" (≤ 1 {mark(ok)})"
        if load.name == "wizard step GET" and statements is not None:
            ok = counted(statements) <= QUERY_TARGETS["wizard step"]
            query_cell += f" (≤ 3 {mark(ok)})"
        rows.append([
            load.name, f"`{shown_path(load.path)}`", f"{load.rps:,.0f}", f"{load.p50_ms:.1f}",
            f"{load.p99_ms:.1f}", f"{load.ceiling:,.0f}", f"{ratio:.2f}", verdict, query_cell,
            f"{timings[load.name]:.2f}" if load.name in timings else "—",
            f"{calls[load.name]:,}" if load.name in calls else "—",
            load.note or "0",
        ])
    if rows:
        out += table(
            ["Request", "Path", "req/s", "p50 ms", "p99 ms", "minimal", "× minimal", "target",
             "queries", "CPU ms in-process", "calls in-process", "errors"],
            rows,
        )
        out.append("")

    if results.journeys:
        run, ceiling = results.journeys, results.ceiling
        ratio = run.requests_per_second / ceiling.requests_per_second if ceiling else 0.0
        out += table(
            ["Wizard journey", "assessments/s", "requests/assessment", "req/s",
             "× driver ceiling", "p50 ms", "p99 ms", "errors"],
            [[
                f"bench/journey.py, {CONNECTIONS} threads, {SECONDS} s",
                f"{run.per_second:.1f}", f"{run.requests_each:.0f}",
                f"{run.requests_per_second:,.0f}", f"{ratio:.2f}",
                f"{run.percentile_ms(50):.1f}", f"{run.percentile_ms(99):.1f}",
                str(len(run.errors)),
            ]],
        )
        out += [
            "",
            f"The journey is GET /assess/, GET and POST each of the 5 steps, GET the result. "
            f"Driver ceiling: the same Python driver on the minimal page, "
            f"{ceiling.requests_per_second:,.0f} req/s"
            + (f"; first error: {run.errors[0]}" if run.errors else "") + ".",
            "",
        ]

    if wizard:
        rows = []
        worst = 0
        for name, statements in wizard.items():
            n = counted(statements)
            if "step" in name:
                worst = max(worst, n)
            transactions = len(statements) - n
            rows.append([name, str(n), f"+{transactions} BEGIN" if transactions else ""])
        ok = worst <= QUERY_TARGETS["wizard step"]
        if not ok:
            misses.append("wizard queries")
        out += table(["Wizard request (in-process)", "queries", "transactions"], rows)
        out += ["", f"Most queries in one wizard step: {worst} (target ≤ 3: {mark(ok)}).", ""]
    for name, limit in (("result page", 1), ("wizard step GET", 3)):
        if name in queries and counted(queries[name]) > limit:
            misses.append(f"{name} queries")

    if results.weights:
        rows = []
        for weight in results.weights:
            heavy = weight.total >= WEIGHT_TARGET
            many = weight.requests >= REQUESTS_TARGET
            if heavy or many:
                misses.append(f"{weight.page} weight")
            assets = ", ".join(f"{Path(p).name} {kb(size)}" for p, size in weight.assets)
            rows.append([
                weight.page, str(weight.requests), f"< {REQUESTS_TARGET} {mark(not many)}",
                kb(weight.total), f"< 60 KB {mark(not heavy)}", kb(weight.html), assets,
            ])
        out += table(
            ["Page weight (first visit)", "requests", "target", "over the wire", "target",
             "HTML", "CSS, JS, images, fonts"],
            rows,
        )
        out.append("")

    if "engine_us" in results.inprocess:
        out += [
            f"Engine: decide() takes {results.inprocess['engine_us']:.1f} µs per call (mean over "
            "bench/engine_bench.py's varied answer sets, best of 5).",
            "",
        ]

    by_name = {load.name: load for load in results.loads}
    if "result page" in by_name and "landing" in by_name:
        share = by_name["result page"].rps / by_name["landing"].rps
        ok = share >= RESULT_TO_LANDING_TARGET
        if not ok:
            misses.append("result page against landing")
        out += ["", f"Result page against the landing page: {share:.2f} × its req/s "
                f"(target ≥ {RESULT_TO_LANDING_TARGET:.2f}: {mark(ok)}).", ""]
    profiles = results.inprocess.get("profiles", {})
    for name, found in profiles.items():
        areas = ", ".join(f"{area} {share:.0f}%" for area, share in found["areas"].items()
                          if share >= 1)
        out += [f"Profile of {name} (cProfile, in-process, {found['ms']:.2f} ms per request "
                f"under the profiler): {areas}.", "", "Most own time:", ""]
        out += [f"- {row['own_ms']:.3f} ms in {row['calls']:g} call(s): `{row['function']}`"
                for row in found["own"]]
        if found["app"]:
            out += ["", "Advisor's functions by cumulative time:", ""]
            out += [f"- {row['cumulative_ms']:.3f} ms: `{row['function']}`"
                    for row in found["app"]]
        out.append("")

    results.misses = misses
    out.append(
        "Targets missed: " + ", ".join(misses) + "." if misses else "Every target is met."
    )
    return out


def write_doc(lines: list[str]) -> None:
    block = "\n".join([DOC_START, *lines, DOC_END])
    text = DOC.read_text() if DOC.exists() else ""
    if DOC_START in text and DOC_END in text:
        before, rest = text.split(DOC_START, 1)
        after = rest.split(DOC_END, 1)[1]
        text = before + block + after
    else:
        text = f"# Performance\n\n## Latest measurement\n\n{block}\n" + (text and f"\n{text}")
    DOC.write_text(text)
    say(f"wrote the tables into {DOC.relative_to(ROOT)}")


# --- The run ---


def measure(args: argparse.Namespace, tmp: Path, results: Results) -> None:
    wrk = None if args.no_wrk else ensure_wrk()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "advisor.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "off",
        "RATE_LIMIT": "off",
        "DRAFT_RATE_LIMIT": "off",
        "HTTPS": "off",
        "TRUST_PROXY": "off",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SECRET_KEY_FILE", None)
    say("preparing: a fresh SQLite database, migrated; static files collected")
    manage = [sys.executable, "manage.py"]
    run_checked([*manage, "migrate", "--noinput", "-v0"], env, "migrate")
    run_checked([*manage, "collectstatic", "--noinput", "-v0"], env, "collectstatic")
    minimal_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.minimal.settings"}

    with contextlib.ExitStack() as servers:
        say(f"starting Advisor and the minimal site on gunicorn, {WORKERS} workers each")
        app = servers.enter_context(Server("advisor", "advisor.wsgi", env, tmp))
        minimal = servers.enter_context(Server("minimal", "bench.minimal.wsgi", minimal_env, tmp))

        token = make_decision(app)
        step_path, cookie = make_draft(app, upto="stability")
        css = hashed_static("vendor/bootstrap/bootstrap.min.css")
        plain = {"Accept-Encoding": ACCEPT_ENCODING}
        with_session = {**plain, "Cookie": cookie}
        endpoints = [
            ("landing", "/", plain, "", 200),
            ("wizard step GET", step_path, with_session, "", 200),
            ("result page", f"/d/{token}/", plain, "", 200),
            ("JSON export", f"/d/{token}.json", plain, "", 200),
            ("API POST", "/api/decisions", plain, json.dumps(API_ANSWERS), 201),
            ("static CSS", css, plain, "", 200),
        ]
        for _, path, headers, body, status in endpoints:
            if not body:
                check_status(app.port, path, status, headers)

        say("weighing pages")
        results.weights = [
            page_weight(app.port, "landing", "/"),
            page_weight(app.port, "wizard step", step_path, cookie),
            page_weight(app.port, "result page", f"/d/{token}/"),
        ]

        if wrk:
            scripts = tmp
            say(f"wrk: warming both sites up ({WARMUP} s each), then the minimal page")
            wrk_run(wrk, scripts, minimal.url(), WARMUP, plain)
            wrk_run(wrk, scripts, app.url(), WARMUP, plain)
            results.minimal.append(wrk_run(wrk, scripts, minimal.url(), MINIMAL_SECONDS, plain))
            for name, path, headers, body, _ in endpoints:
                say(f"wrk: {name}, then the minimal page")
                wrk_run(wrk, scripts, app.url(path), SETTLE, headers, body)
                load = wrk_run(wrk, scripts, app.url(path), SECONDS, headers, body)
                load.name = name
                results.minimal.append(
                    wrk_run(wrk, scripts, minimal.url(), MINIMAL_SECONDS, plain)
                )
                load.ceiling = (results.minimal[-2].rps + results.minimal[-1].rps) / 2
                results.loads.append(load)

        say(f"wizard journeys: {CONNECTIONS} threads for {SECONDS} s")
        journey.drive(HOST, app.port, journey.assess, CONNECTIONS, SETTLE)
        results.journeys = journey.drive(HOST, app.port, journey.assess, CONNECTIONS, SECONDS)
        journey.drive(HOST, minimal.port, journey.ceiling, CONNECTIONS, SETTLE)
        results.ceiling = journey.drive(HOST, minimal.port, journey.ceiling, CONNECTIONS, SECONDS)

    if args.profile_all:
        profile = list(RATIO_TARGETS)
    else:
        profile = [
            load.name for load in results.loads
            if load.name in RATIO_TARGETS
            and load.ratio < RATIO_TARGETS[load.name]
        ]
    say("in-process: queries per request, time per request"
        + (f", profiles of {', '.join(profile)}" if profile else "") + "; engine bench")
    output = run_checked(
        [sys.executable, "bench/inprocess.py", f"--token={token}",  # a token may start with "-"
         *(["--profile", *profile] if profile else [])],
        env, "bench/inprocess.py",
    )
    results.inprocess = json.loads(output)
    output = run_checked(
        [sys.executable, "bench/inprocess.py", "--minimal"], minimal_env, "bench/inprocess.py"
    )
    for key, value in json.loads(output).items():
        results.inprocess[key].update(value)


def stop_on_signal(number: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {number}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-doc", action="store_true",
                        help=f"record the tables in {DOC.relative_to(ROOT)}")
    parser.add_argument("--profile-all", action="store_true",
                        help="profile every page with a target, not only those that miss")
    parser.add_argument("--no-wrk", action="store_true", help="skip the wrk measurements")
    args = parser.parse_args()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, stop_on_signal)

    started = time.monotonic()
    results = Results(machine())
    try:
        with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
            measure(args, Path(tmp), results)
    except KeyboardInterrupt:
        say("interrupted: every process the benchmark started is stopped")
        return 130
    except BenchError as error:
        say(f"the benchmark could not finish: {error}")
        if results.weights:
            print("\n".join(report(results)))  # what was measured before it broke
        return 2
    lines = report(results)
    print("\n".join(lines))
    say(f"took {time.monotonic() - started:.0f} s")
    if args.write_doc:
        write_doc(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
