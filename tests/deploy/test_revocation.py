"""A revoked link stops working on every replica within 10 seconds, although each keeps the
rendered result in its own memory (decisions.web.result_cache)."""

import json
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.helpers import FINE_TUNING_ANSWERS, ROOT, fetch, server_environment

pytestmark = pytest.mark.server

REVOCATION_BOUND = 10  # seconds: DESIGN section 2


def test_a_link_revoked_in_the_database_is_gone_on_another_replica(app_database, start_gunicorn):
    a, b = start_gunicorn(app_database.url), start_gunicorn(app_database.url)
    opener = urllib.request.build_opener()
    status, _, body = fetch(
        opener, f"{a}/api/decisions", json.dumps(FINE_TUNING_ANSWERS).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 201, body
    path = f"/d/{json.loads(body)['token']}/"
    for base in (a, b, b):  # B renders the page and keeps it, then serves it from memory
        assert fetch(opener, base + path)[0] == 200

    # A lead revokes it through the model, as the admin's action does, from a third process.
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from decisions.models import Decision; "
         f"assert Decision.objects.filter(token={path[3:-1]!r}).revoke() == 1"],
        cwd=ROOT, env=server_environment(DATABASE_URL=app_database.url), check=True,
        capture_output=True, timeout=60,
    )
    deadline = time.monotonic() + REVOCATION_BOUND
    statuses = []
    while time.monotonic() < deadline and statuses[-1:] != [410]:
        statuses.append(fetch(opener, b + path)[0])
        if statuses[-1] != 410:
            time.sleep(0.25)
    assert statuses[-1] == 410, f"still {statuses[-1]} after {REVOCATION_BOUND} s"
    assert set(statuses) <= {200, 410}
    assert fetch(opener, a + path)[0] == 410
