"""Advisor settings, read from the environment with safe defaults.

Every value comes from an environment variable parsed by a small typed helper that
refuses a value it does not understand, so a typo fails at start-up, not in production.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}.")


def env_list(name: str, default: str) -> list[str]:
    raw = os.environ.get(name, default)
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} must list at least one value, separated by commas.")
    return items


def env_int(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {value}.")
    return value


def env_rate(name: str, default: str) -> str | None:
    """A rate such as "30/m" (per s, m, h or d), or None when set to "off"."""
    raw = os.environ.get(name, default).strip().lower()
    if raw in {"off", "none", "0"}:
        return None
    count, _, period = raw.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(
            f"{name} must look like 30/m (a count per s, m, h or d) or be off, not {raw!r}."
        )
    return raw


def secret_key(debug: bool) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    key_file = os.environ.get("SECRET_KEY_FILE", "").strip()
    if not key and key_file:
        try:
            key = Path(key_file).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE {key_file!r}: {error.strerror}.") from None
    if key:
        return key
    if debug:
        return "django-insecure-development-only-key-never-use-in-production"
    raise ImproperlyConfigured(
        "Set SECRET_KEY or SECRET_KEY_FILE: Advisor will not start with DEBUG off and no secret "
        "key. `make run` generates one into .secret_key for local use, and manage.py beside it "
        "uses that one too."
    )


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = secret_key(DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
HTTPS = env_bool("HTTPS", False)
TRUST_PROXY = env_bool("TRUST_PROXY", False)
RATE_LIMIT = env_rate("RATE_LIMIT", "30/m")
# New sessions (a browser's first answer) one client address may start: bounds the session
# table against a client that drops its cookies (decisions/web/drafts.py).
DRAFT_RATE_LIMIT = env_rate("DRAFT_RATE_LIMIT", "100/h")
# Shared result pages are kept rendered in each worker's memory (decisions/web/result_cache.py),
# keyed by RELEASE (a deploy may pass its git commit; empty: a hash of the code, templates and
# static manifest). A kept page is served RESULT_RECHECK_SECONDS before the database is asked
# again whether its link still works, so a revoked link stops working on every replica within
# that many seconds (at most 10, as DESIGN promises; 0 asks on every request).
RELEASE = os.environ.get("RELEASE", "").strip()
RESULT_RECHECK_SECONDS = env_int("RESULT_RECHECK_SECONDS", 5, maximum=10)
# The chance that a POST is followed by deleting expired rows (decisions/platform/housekeeping.py).
HOUSEKEEPING_CHANCE = 0.01

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "formtools",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "decisions",
]

# The questionnaire is rendered by crispy-bootstrap5; its markup is overridden in
# templates/bootstrap5/.
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MIDDLEWARE = [
    # First: it logs the final status of every error response, redacted.
    "decisions.platform.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "decisions.platform.headers.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A kept shared result page is the same for everyone: served before sessions, CSRF and auth.
    "decisions.web.kept_pages.KeptResultMiddleware",
    # browser_only: Django's own middleware, passing the JSON API's requests (/api/) straight
    # on: the API reads no session, user or message. (So CSRF_USE_SESSIONS must stay off: the
    # CSRF middleware would then need a session for the API's requests too.)
    "decisions.platform.browser_only.SessionMiddleware",
    # Deletes expired drafts, rate windows and idempotency keys after about 1 POST in 100.
    "decisions.platform.housekeeping.HousekeepingMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "decisions.platform.browser_only.AuthenticationMiddleware",
    "decisions.platform.browser_only.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "advisor.urls"
WSGI_APPLICATION = "advisor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def in_greenlets() -> bool:
    """True in gunicorn's gevent worker (gunicorn.conf.py), which patches threading first."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


# PostgreSQL connections each gunicorn worker keeps open for its requests to share.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 4, minimum=1, maximum=100)


def database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    # Django keeps a connection per thread, and under gevent each client connection is its own
    # greenlet: a persistent connection would live as long as that client's keep-alive and close
    # only when the greenlet is collected. There, a request borrows one from a pool instead.
    greenlets = in_greenlets()
    if url:
        try:
            config = dj_database_url.parse(
                url, conn_max_age=0 if greenlets else 60, conn_health_checks=True
            )
        except ValueError as error:
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    if greenlets and config["ENGINE"] == "django.db.backends.postgresql":
        # Django's psycopg pool, one per worker: a request borrows a connection and gives it back
        # when it ends. Opening one per request (TCP, authentication, a server process forked for
        # it) held an API POST to a fifth of the rate a pooled connection allows. The pool checks
        # each connection it hands out (CONN_HEALTH_CHECKS), and throws out one that a database
        # restart broke.
        config["OPTIONS"] = {
            # A server that does not answer is given up after 3 s rather than TCP's minutes, and
            # a pooled connection that a firewall or NAT silently dropped while idle is found
            # out by keepalives rather than by the next request hanging on it.
            "connect_timeout": 3,
            "keepalives": 1,
            "keepalives_idle": 60,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": 30_000,  # ms: data the server never acknowledges
            **config.get("OPTIONS", {}),
            "pool": {
                "min_size": 1,
                "max_size": DATABASE_POOL_SIZE,
                # A request waits at most this long for a connection: past it (every connection
                # in use, or the database down), it gets the 503 of decisions.platform.storage.
                "timeout": 3,
                # Connecting, when it fails, is retried for 1 s rather than for minutes with
                # growing pauses: the next request that needs a connection tries again, so
                # service resumes as soon as the database is back.
                "reconnect_timeout": 1,
            },
        }
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Django's backend, converting each statement's placeholders once (its base.py says why).
        config["ENGINE"] = "decisions.platform.sqlite"
        # The in-memory test database Django makes for its own SQLite backend; said outright,
        # since pytest-django recognises that backend only by its name.
        config["TEST"] = {"NAME": ":memory:"}
        # Several gunicorn workers write to one file: take the write lock at BEGIN and wait for
        # it, or concurrent writers fail with "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # Kept under gevent too: a SQLite connection is a file handle in this process, not a
        # server's, and it closes when its greenlet ends (5 s after the client's last request,
        # gunicorn's keepalive). Opening one per request (the PRAGMAs, the schema read, and a
        # WAL checkpoint when the last one closes) cost more than the rest of an API POST.
        config["CONN_MAX_AGE"] = 60
    return config


DATABASES = {"default": database()}
# /healthz asks the database with a connection of its own (closed after each probe) when the
# requests' connections are pooled: a worker whose pool is busy is not a database that is down.
HEALTH_DATABASE = "health"
if "pool" in DATABASES["default"].get("OPTIONS", {}):
    DATABASES[HEALTH_DATABASE] = {
        **DATABASES["default"],
        "OPTIONS": {k: v for k, v in DATABASES["default"]["OPTIONS"].items() if k != "pool"},
        "CONN_MAX_AGE": 0,
        "TEST": {"MIRROR": "default"},
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
# No other site needs our static files: no "Access-Control-Allow-Origin: *" on them, as on pages.
WHITENOISE_ALLOW_ALL_ORIGINS = False

# Wizard drafts live in the session, which lives in the database: any replica can serve
# any request of a person's assessment.
SESSION_ENGINE = "decisions.platform.sessions"  # the db backend, read with a plain SELECT
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "decisions.web.views.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Cross-Origin-Resource-Policy (decisions.platform.headers):
# no other site may load our pages, scripts or images into its own.
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (decisions.platform.headers, directive: sources): nothing by default
# ('none'), then only what the pages use, from this host: scripts, styles, images (the favicon is
# a data: URL, and Bootstrap's and the admin's icons are data: SVGs), fonts and fetches; forms
# post here; no page may be framed and no <base> may move relative links. No inline script or
# style anywhere (the site's JavaScript is in static/js, and Django 5.2's admin has no inline
# script; its one inline <style>, on change lists without actions, never shows here since every
# admin list has actions). No nonce: nothing inline needs one. MDN's HTTP Observatory scores
# this the highest.
CSP_DIRECTIVES = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
}

if HTTPS:
    SECURE_SSL_REDIRECT = True
    # The container's own health probe speaks plain HTTP on the loopback.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if TRUST_PROXY:
    # Only behind a proxy that sets these headers itself; otherwise clients could forge them.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# No CACHES: Django's default per-process memory cache is enough, since nothing shared lives in
# a cache. Rate-limit counts are rows of decisions.RateCount, made by `migrate`.

# Admin sign-in against password guessing (django-axes): five wrong passwords for one username
# from one client lock that pair out for 15 minutes (axes' default is forever), answered with
# 429 and templates/axes_lockout.html. `manage.py axes_reset` lifts every lock at once.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
# REMOTE_ADDR, or X-Forwarded-For as set by the proxy only when TRUST_PROXY is on (no ipware).
AXES_CLIENT_IP_CALLABLE = "decisions.platform.client_address.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line"},
        "request_log": {"class": "decisions.platform.request_log.HandOverToRequestLog"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    # Django's request and security lines name the raw path, share token and all: they go to
    # decisions.platform.request_log, which logs one redacted line per error response (logger
    # advisor.requests), with the traceback of a 5xx.
    "loggers": {
        "django.request": {"handlers": ["request_log"], "level": "INFO", "propagate": False},
        "django.security": {"handlers": ["request_log"], "level": "INFO", "propagate": False},
    },
}
