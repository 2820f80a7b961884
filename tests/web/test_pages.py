"""The landing page and the health check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_landing_page_explains_and_offers_start(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "prompting" in page and "fine-tuning" in page
    assert 'href="/assess/"' in page
    assert "Start now" in page


def test_pages_load_nothing_from_another_host(client):
    page = client.get("/").content.decode()
    assert "http://" not in page and "https://" not in page and 'src="//' not in page


@pytest.mark.django_db
def test_healthz_answers_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_answers_503_when_database_does_not(tmp_path):
    # A separate process whose database file cannot be opened: a real failure, not a mock.
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='localhost').get('/healthz');"
        "print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/db.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "503 database unavailable", result.stderr


@pytest.mark.django_db
def test_healthz_answers_head_probes(client):
    assert client.head("/healthz").status_code == 200
