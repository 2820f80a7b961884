import pytest
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def collected_static(django_db_blocker):
    """Pages link hashed static files, so the manifest must exist as in production."""
    call_command("collectstatic", "--noinput", verbosity=0)
