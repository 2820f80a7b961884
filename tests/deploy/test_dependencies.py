"""What the server imports is installed by the runtime dependencies alone (`make run` and the
Docker image install no test extras): a package that only a test tool pulls in would pass
`make test` and still stop the server at start-up."""

import json
import subprocess
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement

from tests.helpers import ROOT, server_environment

# What gunicorn.conf.py and the app load in a worker, as the server starts them.
SERVER_IMPORTS = ("gunicorn.workers.ggevent", "gunicorn.app.wsgiapp", "advisor.wsgi")
# And on PostgreSQL: the driver, and the pool each gevent worker keeps (advisor/settings.py).
POSTGRES_IMPORTS = ("psycopg", "psycopg_pool")


def _name(requirement: Requirement) -> str:
    return requirement.name.lower().replace("_", "-")


def _applies(requirement: Requirement, extras: set[str]) -> bool:
    """Meant for this platform and Python, and not an extra's, or one of `extras`'s."""
    return requirement.marker is None or any(
        requirement.marker.evaluate({"extra": extra}) for extra in {"", *extras}
    )


def _runtime_closure() -> set[str]:
    """The runtime dependencies in pyproject.toml, with the extras they ask for, and everything
    they require, by name."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    todo, seen = [Requirement(text) for text in declared], set()
    while todo:
        requirement = todo.pop()
        name = _name(requirement)
        if (name, frozenset(requirement.extras)) in seen:
            continue
        seen.add((name, frozenset(requirement.extras)))
        for text in metadata.requires(name) or []:
            required = Requirement(text)
            if _applies(required, requirement.extras):
                todo.append(required)
    return {name for name, _ in seen}


def test_the_server_imports_only_what_the_runtime_dependencies_install():
    script = (
        "import importlib, json, sys\n"
        "started = set(sys.modules)\n"  # the interpreter's own, and site's .pth hooks
        f"for name in {SERVER_IMPORTS + POSTGRES_IMPORTS!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - started})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=server_environment(DJANGO_SETTINGS_MODULE="advisor.settings"), check=True,
    )
    providers = metadata.packages_distributions()
    needed = {
        dist.lower().replace("_", "-")
        for module in json.loads(result.stdout.splitlines()[-1])
        for dist in providers.get(module, [])
    }
    own = {"advisor"}  # this project, when installed
    assert needed - _runtime_closure() - own == set()
