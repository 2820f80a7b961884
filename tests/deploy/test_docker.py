"""The Dockerfile, checked without a Docker engine: its health check probes the port BIND names,
its command is the gunicorn configuration the server tests run, and it needs no set-up command
besides `migrate` (which the README's upgrade step runs)."""

import json
import re
import shlex
import socket
import subprocess
import sys

import pytest

from tests.helpers import ROOT, server_environment

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instruction(name: str) -> str:
    """The arguments of the Dockerfile's one `name` instruction, continuation lines joined."""
    text = DOCKERFILE.replace("\\\n", " ")
    found = re.findall(rf"^{name}\s+(.*)$", text, flags=re.MULTILINE)
    assert len(found) == 1, found
    return found[0].strip()


def exec_form(arguments: str) -> list[str]:
    return json.loads(arguments)


def test_the_image_runs_gunicorn_with_the_shared_configuration():
    assert exec_form(instruction("CMD")) == ["gunicorn", "advisor.wsgi", "-c", "gunicorn.conf.py"]
    assert "BIND=0.0.0.0:8000" in instruction("ENV")
    assert instruction("USER") == "advisor"


def test_the_image_holds_no_local_key():
    # manage.py falls back to .secret_key: the image must not carry a developer's.
    assert ".secret_key" in (ROOT / ".dockerignore").read_text().split()


def test_the_image_makes_no_cache_table():
    # `migrate` alone must make every table the app needs; a second command would be forgotten.
    assert "createcachetable" not in DOCKERFILE


def healthcheck_command() -> list[str]:
    options, _, command = instruction("HEALTHCHECK").partition("CMD ")
    assert "--timeout=5s" in options
    return exec_form(command)


@pytest.mark.server
def test_health_check_probes_the_port_bind_names(app_database, start_gunicorn):
    base = start_gunicorn(app_database.url)
    port = int(base.rsplit(":", 1)[1])
    command = healthcheck_command()
    assert command[0] == "python"

    def health(bind: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=30,
            env=server_environment(BIND=bind, ALLOWED_HOSTS="127.0.0.1,localhost"),
        )

    # As in the image: every address, on a port other than 8000.
    assert health(f"0.0.0.0:{port}").returncode == 0
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        idle = unused.getsockname()[1]
    refused = health(f"0.0.0.0:{idle}")
    assert refused.returncode == 1
    assert f"http://127.0.0.1:{idle}/healthz" in refused.stderr


def test_health_check_refuses_a_bind_it_cannot_probe():
    result = subprocess.run(
        [sys.executable, "healthcheck.py"], cwd=ROOT, capture_output=True, text=True, timeout=30,
        env=server_environment(BIND="unix:/run/advisor.sock"),
    )
    assert result.returncode != 0
    assert "cannot probe BIND='unix:/run/advisor.sock'" in result.stderr
    assert shlex.join(healthcheck_command()) == "python healthcheck.py"
