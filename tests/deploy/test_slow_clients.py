"""Slow clients cannot starve the others (slowloris): while 120 connections trickle their request
headers a byte at a time, /healthz and the landing page still answer, each within a second.

Real gunicorn with gunicorn.conf.py (the configuration of `make run` and the Dockerfile) and
two worker processes, on the loopback. With gunicorn's sync workers, two such connections were
enough to stop every answer for 30 s.
"""

import socket
import threading
import urllib.request
from contextlib import ExitStack, suppress

import pytest

pytestmark = pytest.mark.server

TRICKLERS = 120
# The first line of a request, sent one byte per round: the headers never end.
TRICKLE = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"
ROUND_SECONDS = 0.2
PROBE_TIMEOUT = 1.0  # seconds a probe may wait for its whole answer


class Trickler:
    """Many connections, each sent one more byte of a request head every ROUND_SECONDS."""

    def __init__(self, port: int, count: int, stack: ExitStack) -> None:
        self.sockets = [
            stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            for _ in range(count)
        ]
        self.sent = 0
        self.started = threading.Event()  # every connection has sent part of its request
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        stack.callback(self.stop)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        for byte in TRICKLE:
            if self._stop.is_set():
                return
            for sock in self.sockets:
                with suppress(OSError):  # the server gave up on it: a defence too
                    sock.sendall(bytes([byte]))
            self.sent += 1
            if self.sent == 3:
                self.started.set()
            self._stop.wait(ROUND_SECONDS)

    def still_open(self) -> int:
        """How many connections the server has not closed (it would read as end of file)."""
        count = 0
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                count += sock.recv(1) != b""  # an early answer would count as open too
            except BlockingIOError:
                count += 1  # nothing to read: open
            except OSError:
                pass
        return count


def probe(url: str) -> int:
    # A loopback URL this test built; the timeout bounds the whole wait for the answer.
    with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as response:  # noqa: S310
        response.read()
        return response.status


def test_trickling_connections_leave_health_and_pages_answering(app_database, start_gunicorn):
    base = start_gunicorn(app_database.url, workers=2)
    port = int(base.rsplit(":", 1)[1])
    with ExitStack() as stack:
        trickler = Trickler(port, TRICKLERS, stack)
        trickler.start()
        assert trickler.started.wait(timeout=30)

        # Four probes of at most a second each: all within the 5 s a request head may take.
        answers = [(path, probe(base + path)) for path in ("/healthz", "/") * 2]

        # The slow connections were still held open while the others were served.
        assert trickler.still_open() == TRICKLERS
        assert answers == [("/healthz", 200), ("/", 200)] * 2


def test_a_request_head_still_unfinished_after_keepalive_is_dropped(app_database, start_gunicorn):
    """Even while it keeps sending, a connection gets `keepalive` (5 s) for its whole request
    head, then gunicorn closes it: a slow client cannot hold its place for ever."""
    base = start_gunicorn(app_database.url)
    with ExitStack() as stack:
        trickler = Trickler(int(base.rsplit(":", 1)[1]), 1, stack)
        trickler.start()
        (connection,) = trickler.sockets
        connection.settimeout(len(TRICKLE) * ROUND_SECONDS)  # the trickle would last 9.6 s
        assert connection.recv(1024) == b""  # closed, without an answer
        assert trickler.sent < len(TRICKLE)
