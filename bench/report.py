"""The report half of `make bench`: the run's parameters and targets, what one run measured, and
the tables (with each target's pass or miss) that bench/run.py prints and writes into
docs/performance.md."""

import contextlib
import datetime
import importlib.metadata
import os
import platform
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench import journey

ROOT = Path(__file__).resolve().parent.parent

HOST = "127.0.0.1"
WORKERS = 3
WRK_THREADS = 2
CONNECTIONS = 8
SECONDS = 5  # the wizard journeys
WARMUP = 2  # once per server, before its first measurement
SETTLE = 1  # before each further endpoint: its templates compiled in every worker
# Each endpoint is measured in ROUNDS short runs, each followed by a run of the minimal page: a
# run's ratio is to the mean of the minimal runs either side of it, and the row shows the run of
# the median ratio. This machine's speed drifts by a factor of two within a minute (other
# tenants): runs of seconds, interleaved, keep both sides of a ratio on the same machine.
ROUNDS = 3
ROW_SECONDS = 2
MINIMAL_SECONDS = 2
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
        f"wrk -t{WRK_THREADS} -c{CONNECTIONS}, {ROUNDS} runs of {ROW_SECONDS} s per row, each "
        f"followed by {MINIMAL_SECONDS} s of the minimal page, with Accept-Encoding: "
        f"{ACCEPT_ENCODING}, loopback only.",
        "",
    ]
    misses: list[str] = []

    if results.minimal:
        runs = ", ".join(f"{x.rps:,.0f}" for x in results.minimal)
        cpu = timings.get("minimal page")
        out += [f"Minimal Django page (the ceiling): {results.minimal_rps:,.0f} req/s, the mean "
                f"of {len(results.minimal)} runs of {MINIMAL_SECONDS} s ({runs}), one before the "
                "first row and one after each run of a row; a row shows its run of median ratio "
                "to the two minimal runs either side"
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
        # Each against its own minimal runs: the two were measured at different moments.
        share = by_name["result page"].ratio / by_name["landing"].ratio
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


# --- The run ---


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
