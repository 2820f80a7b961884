"""Settings of the minimal site: no database, no templates, Security and Common middleware only.

The security headers match Advisor's, so SecurityMiddleware does the same work in both.
"""

import os

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or "bench-minimal-site-serves-one-fixed-page"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "bench.minimal.urls"
WSGI_APPLICATION = "bench.minimal.wsgi.application"
DATABASES: dict[str, dict] = {}
USE_I18N = False
USE_TZ = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
