"""gunicorn settings, shared by `make run`, `make bench`, the Dockerfile and the server tests.

Environment: BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (worker processes, default
2 x cores + 1), ACCESS_LOG (a file, "-" for stdout, the default, or empty for none).
"""

import errno
import gc
import multiprocessing
import os
import socket

from gunicorn.glogging import Logger


def _workers() -> int:
    raw = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not raw:
        return multiprocessing.cpu_count() * 2 + 1
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"WEB_CONCURRENCY must be a whole number, 1 or more, not {raw!r}.")
    return int(raw)


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = _workers()
# gevent: every connection is a greenlet, so a client that sends its request slowly (or never
# finishes its headers) costs a little memory, not a worker. gunicorn's sync worker blocks on
# that read, and its gthread worker blocks a thread once the first byte is in: a handful of
# slow clients would stop every answer. gevent's worker gives a request head `keepalive`
# seconds to arrive, then drops the connection. Up to worker_connections connections a worker.
worker_class = "gevent"
worker_connections = 1000
# Each worker loads the app itself: no state is shared through the master, and a restart of one
# worker picks up nothing stale. It must: the settings pool PostgreSQL connections only in a
# gevent-patched process, and psycopg picks its gevent-friendly wait when it is imported; loaded
# in the master, before the worker patches, every query would block the whole worker.
preload_app = False
# The workers' heartbeat files: on tmpfs where there is one, since a container's /tmp may sit
# on a slow overlay disk and stall the heartbeat.
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's documented place for heartbeat files
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None
# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = 30
# On SIGTERM (a deploy, `docker stop`), workers finish the requests they hold, for up to this long.
graceful_timeout = 20
keepalive = 5
# gunicorn 25+ opens a control socket at one fixed path per user ($HOME/.gunicorn/gunicorn.ctl):
# several instances on one host (replicas, tests) would fight over it, and nothing here uses it.
control_socket_disable = True
# Recycle workers now and then, so a slow leak never grows unbounded; the jitter keeps them
# from all restarting at once.
max_requests = 5000
max_requests_jitter = 500

# Django alone decides whether a request came over HTTPS: through SECURE_PROXY_SSL_HEADER, and
# only when TRUST_PROXY is on. gunicorn would otherwise believe X-Forwarded-Proto from any peer
# in FORWARDED_ALLOW_IPS (the loopback by default) and tell Django the request was secure.
secure_scheme_headers = {}
forwarder_headers = ""


def on_starting(server) -> None:
    """A port already taken (a second `make run`, say) stops gunicorn at once with one line
    saying how to pick another, rather than five "Connection in use" retries and no hint."""
    if os.environ.get("GUNICORN_FD") or os.environ.get("LISTEN_FDS"):
        return  # the sockets are inherited (a binary upgrade, systemd): in use by design
    for address in server.cfg.address:
        if not isinstance(address, tuple):
            continue  # a unix socket or an inherited file descriptor
        host, port = address
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                raise SystemExit(
                    f"Port {port} on {host} is already in use (another Advisor, or another "
                    f"program). Stop it, or listen elsewhere: BIND={host}:{port + 1} make run"
                ) from None


def post_worker_init(worker) -> None:
    """Everything the worker loaded at start-up (Django, the app, its libraries: some 90,000
    objects) lives as long as the worker does. gc.freeze() moves it out of the garbage
    collector's reach, so a full collection walks only what requests allocate: it was about
    5% of an API POST's time."""
    gc.freeze()


class RedactingLogger(Logger):
    """The access log without share tokens or draft ids, as decisions.platform.request_log logs
    errors: a share link is the key to a result, and logs travel further than the database."""

    def atoms(self, resp, req, environ, request_time):
        # Imported here, in a worker that has loaded the app, not in the master reading this file.
        from decisions.platform.request_log import redact_path

        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms["U"] or "")
        atoms["r"] = f"{atoms['m']} {atoms['U']} {atoms['H']}"
        return atoms


logger_class = RedactingLogger
accesslog = os.environ.get("ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
