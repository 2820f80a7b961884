#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path

# The key `make run` generated beside this file. Management commands typed by hand next to that
# server (createsuperuser, axes_reset, migrate) use it when no key is set, so they sign with the
# same key. gunicorn and the Docker image never read it: without SECRET_KEY or SECRET_KEY_FILE
# they still refuse to start.
LOCAL_KEY = Path(__file__).resolve().parent / ".secret_key"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advisor.settings")
    key_set = os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")
    if not key_set and LOCAL_KEY.exists():
        os.environ["SECRET_KEY_FILE"] = str(LOCAL_KEY)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A setting Advisor does not understand: one line naming it, not a traceback.
        sys.exit(f"{Path(sys.argv[0]).name}: {error}")


if __name__ == "__main__":
    main()
