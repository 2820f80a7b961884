"""Schemathesis against the served OpenAPI description: every check, every phase, one seed.

It reads /api/openapi.json from a real gunicorn (production settings, RATE_LIMIT off) and
sends what the description allows and what it forbids; the API must answer as described.
"""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20261130
EXAMPLES = 50  # per operation and phase: about 700 requests, 20 seconds


def test_the_api_answers_as_its_openapi_description_says(
    app_database, start_gunicorn, tmp_path
):
    base = start_gunicorn(app_database.url, workers=2)
    result = subprocess.run(
        [
            sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()",
            "--config-file", str(CONFIG),
            "run", f"{base}/api/openapi.json",
            "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
            "--seed", str(SEED), "--max-examples", str(EXAMPLES),
            "--generation-database", "none", "--no-color", "--output-sanitize", "false",
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
    assert "No issues found" in result.stdout
