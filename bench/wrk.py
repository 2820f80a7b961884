"""One wrk run against one URL: requests per second, latency and errors (bench/run.py)."""

import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from bench.report import CONNECTIONS, WRK_THREADS, Load

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
