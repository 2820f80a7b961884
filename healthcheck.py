"""The container's health check (Dockerfile HEALTHCHECK): GET /healthz where gunicorn listens.

Reads BIND as gunicorn.conf.py does, probing the loopback when gunicorn listens on every address,
and sends the first ALLOWED_HOSTS entry as Host, or Django would refuse the probe with a 400.
Exits 0 when /healthz answers 200 within 4 s, 1 otherwise. No Django import: it runs every 30 s.
"""

import os
import sys
import urllib.request

from gunicorn.util import parse_address

# gunicorn listens on every address: the probe goes through the loopback of the same family.
_LOOPBACK = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104


def probe_url(bind: str) -> str:
    address = parse_address(bind)
    if not isinstance(address, tuple):
        raise SystemExit(f"healthcheck: cannot probe BIND={bind!r} over TCP")
    host, port = address
    host = _LOOPBACK.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    url = probe_url(os.environ.get("BIND", "127.0.0.1:8000"))
    host = os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".*") or "127.0.0.1"
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except OSError as error:  # HTTPError (a 503) included
        print(f"healthcheck: {url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
