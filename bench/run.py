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
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import journey  # noqa: E402
from bench.report import (  # noqa: E402
    ACCEPT_ENCODING,
    CONNECTIONS,
    DOC,
    HOST,
    MINIMAL_SECONDS,
    RATIO_TARGETS,
    ROUNDS,
    ROW_SECONDS,
    SECONDS,
    SETTLE,
    WARMUP,
    WORKERS,
    Results,
    machine,
    report,
    write_doc,
)
from bench.weight import fetch, page_weight  # noqa: E402
from bench.wrk import BenchError, wrk_run  # noqa: E402

API_ANSWERS = journey.API_ANSWERS
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


def check_status(port: int, path: str, expected: int, headers: dict[str, str]) -> None:
    status, _, body = fetch(port, path, headers)
    if status != expected:
        raise BenchError(f"GET {path} answered {status}, not {expected}: {body[:300]!r}")


# --- Report ---


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
                say(f"wrk: {name} and the minimal page in turn, {ROUNDS} times")
                wrk_run(wrk, scripts, app.url(path), SETTLE, headers, body)
                runs = []
                for _ in range(ROUNDS):
                    load = wrk_run(wrk, scripts, app.url(path), ROW_SECONDS, headers, body)
                    results.minimal.append(
                        wrk_run(wrk, scripts, minimal.url(), MINIMAL_SECONDS, plain)
                    )
                    load.ceiling = (results.minimal[-2].rps + results.minimal[-1].rps) / 2
                    runs.append(load)
                load = sorted(runs, key=lambda run: run.ratio)[len(runs) // 2]
                load.name = name
                errors = sum(run.errors for run in runs)
                if errors != load.errors:
                    load.errors = errors
                    load.note = f"{errors} in {ROUNDS} runs"
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
        say(f"wrote the tables into {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
