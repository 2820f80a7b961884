"""Settings come from the environment and refuse what they do not understand."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_KEY = "k3y-" + "a1B2c3D4e5F6g7H8i9J0" * 4


def run_django(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Start Django in a fresh process with exactly these settings variables."""
    base = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARS}
    base["DJANGO_SETTINGS_MODULE"] = "advisor.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


_SETTINGS_VARS = {
    "DJANGO_DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS", "DATABASE_URL",
    "HTTPS", "TRUST_PROXY", "RATE_LIMIT", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_POOL_SIZE",
}


def test_production_refuses_to_start_without_secret_key():
    # What gunicorn and the Docker image load, beside any .secret_key `make run` left: only
    # manage.py falls back to that file.
    base = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARS}
    result = subprocess.run(
        [sys.executable, "-c", "import advisor.wsgi"], cwd=ROOT, capture_output=True,
        text=True, timeout=120, env={**base, "DJANGO_SETTINGS_MODULE": "advisor.settings"},
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY or SECRET_KEY_FILE" in result.stderr


def test_debug_starts_without_secret_key():
    result = run_django({"DJANGO_DEBUG": "true"}, "check")
    assert result.returncode == 0, result.stderr


def test_secret_key_file_is_read(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(REAL_KEY + "\n")
    result = run_django({"SECRET_KEY_FILE": str(key_file)}, "check")
    assert result.returncode == 0, result.stderr


def test_missing_secret_key_file_is_named(tmp_path):
    result = run_django({"SECRET_KEY_FILE": str(tmp_path / "absent")}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY_FILE" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be one of"),
        ("HTTPS", "si", "HTTPS must be one of"),
        ("ALLOWED_HOSTS", " , ", "ALLOWED_HOSTS must list at least one value"),
        ("RATE_LIMIT", "lots", "RATE_LIMIT must look like 30/m"),
        ("RATE_LIMIT", "30/week", "RATE_LIMIT must look like 30/m"),
        ("DATABASE_URL", "nonsense://x", "DATABASE_URL is not a database URL"),
        # A revoked link must stop working everywhere within 10 seconds.
        ("RESULT_RECHECK_SECONDS", "60", "RESULT_RECHECK_SECONDS must be at most 10, not 60"),
        ("RESULT_RECHECK_SECONDS", "soon", "RESULT_RECHECK_SECONDS must be a whole number"),
        ("DATABASE_POOL_SIZE", "0", "DATABASE_POOL_SIZE must be at least 1, not 0"),
        ("DATABASE_POOL_SIZE", "many", "DATABASE_POOL_SIZE must be a whole number"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(name, value, message):
    result = run_django({"SECRET_KEY": REAL_KEY, name: value}, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_deploy_check_is_clean_under_production_settings():
    result = run_django(
        {"SECRET_KEY": REAL_KEY, "HTTPS": "true", "ALLOWED_HOSTS": "advisor.example.com"},
        "check", "--deploy", "--fail-level", "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_turns_on_redirect_secure_cookies_and_hsts():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    result = run_django({"SECRET_KEY": REAL_KEY, "HTTPS": "on"}, "shell", "-v", "0", "-c", code)
    assert result.stdout.split() == ["True", "True", "True", "True"], result.stderr
