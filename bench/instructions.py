"""Instructions per request, counted by valgrind: a measure of work that other programs on the
machine cannot disturb, beside `make bench`'s requests per second, which they can.

Each page is requested in-process through the WSGI application (the production settings, DEBUG
off, no network and no gunicorn), once with no measured requests and once with REQUESTS of them,
both under callgrind; the difference over REQUESTS is one request's instructions, the Python
interpreter's and the C libraries' (SQLite, orjson, zlib) alike. Instructions are not time: a
cache miss costs more than an add. They compare two versions of the code exactly, and two pages
roughly.

    .venv/bin/python bench/instructions.py          # needs valgrind (Debian package valgrind)
"""

import gc
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.journey import API_ANSWERS  # noqa: E402

REQUESTS = 40
WARM_UP = 30  # requests before counting starts, in both runs: templates compiled, caches filled
API_BODY = json.dumps(API_ANSWERS).encode()
PAGES = {  # name: (settings module, method, path); "<token>" is a stored decision's
    "minimal page": ("bench.minimal.settings", "GET", "/"),
    "landing": ("advisor.settings", "GET", "/"),
    "result page": ("advisor.settings", "GET", "/d/<token>/"),
    "API POST": ("advisor.settings", "POST", "/api/decisions"),
}


def drive(method: str, path: str, count: int) -> None:
    """Request `path` WARM_UP + `count` times through the WSGI application."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    body = API_BODY if method == "POST" else b""

    def request() -> None:
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_ACCEPT_ENCODING": "gzip, br", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http", "wsgi.version": (1, 0),
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        statuses = []
        response = application(environ, lambda status, headers, exc_info=None: statuses.append(
            status))
        b"".join(response)
        response.close()
        if not statuses[0].startswith(("200", "201")):
            raise SystemExit(f"{method} {path} answered {statuses[0]}")

    for _ in range(WARM_UP):
        request()
    gc.freeze()  # as gunicorn.conf.py's post_worker_init does in each worker
    for _ in range(count):
        request()


def make_decision() -> str:
    """A decision stored from the API POST's answers: its share token, for the result page."""
    from decisions import services
    from decisions.domain import engine

    answers = {name: value for name, value in API_ANSWERS.items() if name != "title"}
    decision, _ = services.record_decision(engine.Answers.from_mapping(answers))
    return decision.token


def counted(env: dict[str, str], method: str, path: str, count: int) -> int:
    """Instructions callgrind counted for a whole driver process."""
    with tempfile.NamedTemporaryFile(prefix="callgrind-") as out:
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", sys.executable,
             __file__, "--drive", method, path, str(count)],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not found:
        raise SystemExit(f"{method} {path} under valgrind failed:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    if not shutil.which("valgrind"):
        print("valgrind is not installed: `sudo apt-get install valgrind` (Debian, Ubuntu).")
        return 2
    with tempfile.TemporaryDirectory(prefix="advisor-instructions-") as tmp:
        env = {
            **os.environ, "SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_DEBUG": "off",
            "RATE_LIMIT": "off", "HTTPS": "off", "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp}/instructions.sqlite3",
            "DJANGO_SETTINGS_MODULE": "advisor.settings",
        }
        env.pop("SECRET_KEY_FILE", None)
        for command in (["migrate"], ["collectstatic", "--noinput"]):
            subprocess.run([sys.executable, "manage.py", *command, "-v0"], cwd=ROOT, env=env,
                           check=True, capture_output=True)
        token = subprocess.run(
            [sys.executable, __file__, "--make-decision"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.split()[-1]
        per_request = {}
        for name, (settings, method, path) in PAGES.items():
            page_env = {**env, "DJANGO_SETTINGS_MODULE": settings}
            path = path.replace("<token>", token)
            before = counted(page_env, method, path, 0)
            per_request[name] = (counted(page_env, method, path, REQUESTS) - before) / REQUESTS
            print(f"{name}: {per_request[name] / 1e6:.2f} M instructions per request", flush=True)
    minimal = per_request["minimal page"]
    print("\n| page | M instructions per request | × the minimal page |\n|---|---|---|")
    for name, count in per_request.items():
        print(f"| {name} | {count / 1e6:.2f} | {count / minimal:.1f} |")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] in (["--drive"], ["--make-decision"]):
        import django

        django.setup()
        if sys.argv[1] == "--drive":
            drive(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        else:
            print(make_decision())
    else:
        sys.exit(main())
