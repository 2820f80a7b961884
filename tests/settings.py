"""Test settings: the real settings, with a throwaway key, fast password hashing and a private
folder of collected static files (so concurrent test runs never race on one folder)."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 50)
os.environ.setdefault("RATE_LIMIT", "off")
# In os.environ so that app servers a test starts in a subprocess use the same folder.
os.environ.setdefault("ADVISOR_TEST_STATIC_ROOT", tempfile.mkdtemp(prefix="advisor-static-"))

from advisor.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT = os.environ["ADVISOR_TEST_STATIC_ROOT"]
# No random deletes in the middle of a test; tests/web/test_drafts.py turns it on.
HOUSEKEEPING_CHANCE = 0
