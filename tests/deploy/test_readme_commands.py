"""Every command the README shows works as written on a fresh clone after `make run`.

manage.py is copied into a temporary folder with a `.secret_key` beside it, as `make run` leaves
one in a clone, and run with no SECRET_KEY or SECRET_KEY_FILE in the environment: the way a
person types `.venv/bin/python manage.py createsuperuser` in a new terminal.
"""

import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.helpers import ROOT, server_environment

README = (ROOT / "README.md").read_text()
# Shown in the README but not run here: environment lines, and tools that need what this machine
# lacks (a Docker engine, a PostgreSQL server to dump, a running Advisor for curl).
NOT_RUN_HERE = {"export", "docker", "pg_dump", "curl"}


def readme_commands() -> list[str]:
    """Each command of the README's sh blocks, its continued and quoted lines joined."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL):
        pending = ""
        for line in block.replace("\\\n", " ").splitlines():
            pending = f"{pending} {line}".strip()
            try:
                words = shlex.split(pending, comments=True)
            except ValueError:  # a quote that closes on a later line
                continue
            pending = ""
            if words and not re.fullmatch(r"[A-Z_]+=.*", words[0]):  # KEY=value: environment
                commands.append(shlex.join(words))
    return commands


def manage_commands() -> list[list[str]]:
    """The arguments of every `manage.py` command in the README."""
    return [
        shlex.split(command)[2:] for command in readme_commands()
        if re.match(r"(\.venv/bin/)?python manage\.py ", command)
    ]


def test_the_readme_shows_only_commands_these_tests_know():
    for command in readme_commands():
        program = shlex.split(command)[0]
        assert program in {"make", ".venv/bin/python", "python", *NOT_RUN_HERE}, command


@pytest.mark.parametrize("target", sorted({
    shlex.split(command)[1] for command in readme_commands() if command.startswith("make ")
}))
def test_every_make_target_in_the_readme_exists(target):
    result = subprocess.run(
        ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def clone(tmp_path: Path, migrated_sqlite: Path) -> Path:
    """A folder holding manage.py, the .secret_key `make run` made, and a migrated database."""
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / ".secret_key").write_text("local-key-" + "k" * 50 + "\n")
    with closing(sqlite3.connect(migrated_sqlite)) as source, \
            closing(sqlite3.connect(tmp_path / "db.sqlite3")) as copy:
        source.backup(copy)
    return tmp_path


def run_manage(folder: Path, *args: str, **variables: str) -> subprocess.CompletedProcess:
    """manage.py in `folder` with the real settings and no secret key in the environment."""
    environment = server_environment(DATABASE_URL=f"sqlite:///{folder}/db.sqlite3", **variables)
    for name in ("SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_SETTINGS_MODULE"):
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, str(folder / "manage.py"), *args], cwd=folder, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_every_manage_command_in_the_readme_runs_with_the_local_key(clone):
    commands = manage_commands()
    assert ["createsuperuser"] in commands and ["axes_reset"] in commands
    for args in commands:
        variables = {}
        if args == ["createsuperuser"]:  # as typed, it asks; the same, with the answers given
            args = [*args, "--noinput", "--username", "lead", "--email", "lead@example.com"]
            variables["DJANGO_SUPERUSER_PASSWORD"] = "a long passphrase for the lead"
        result = run_manage(clone, *args, **variables)
        assert result.returncode == 0, f"{args}: {result.stderr}"
    with closing(sqlite3.connect(clone / "db.sqlite3")) as database:
        users = database.execute("SELECT username, is_superuser FROM auth_user").fetchall()
    assert users == [("lead", 1)]


def test_manage_without_any_key_says_so_in_one_line(clone):
    (clone / ".secret_key").unlink()
    result = run_manage(clone, "check")
    assert result.returncode != 0
    assert result.stderr.startswith("manage.py: Set SECRET_KEY or SECRET_KEY_FILE")
    assert "Traceback" not in result.stderr


def test_a_busy_port_stops_gunicorn_with_a_hint_to_set_bind():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "gunicorn", "advisor.wsgi", "-c", "gunicorn.conf.py"],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
            env=server_environment(BIND=f"127.0.0.1:{port}"),
        )
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"BIND=127.0.0.1:{port + 1} make run" in result.stderr
    assert "Connection in use" not in result.stderr
