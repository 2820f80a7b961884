"""How much a page weighs on a first visit: the page and every stylesheet, script, image and
font it links, as they cross the wire (bench/run.py's page weight table)."""

import gzip
import http.client
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bench.report import ACCEPT_ENCODING, HOST, Weight


def fetch(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPResponse, bytes]:
    """One request; the body as sent (still compressed, if it was)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


def wire_bytes(response: http.client.HTTPResponse, body: bytes) -> int:
    """Status line, headers and body as they crossed the wire."""
    head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
    head += sum(len(f"{name}: {value}\r\n".encode()) for name, value in response.headers.items())
    return head + len(body)


def decoded(response: http.client.HTTPResponse, body: bytes) -> bytes | None:
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        try:
            import brotli  # noqa: PLC0415  (optional: whitenoise only makes .br files with it)
        except ImportError:
            return None
        return brotli.decompress(body)
    return body


class Links(HTMLParser):
    """What a browser fetches for a page: stylesheets, preloads, icons, scripts, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = set(values.get("rel", "").lower().split())
        if tag == "link" and rel & {"stylesheet", "preload", "modulepreload", "icon"}:
            self.urls.append(values.get("href", ""))
        elif tag in {"script", "img"} and values.get("src"):
            self.urls.append(values["src"])


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+['"]([^'"]+)['"]""")


def page_weight(port: int, page: str, path: str, cookie: str = "") -> Weight:
    """The page and everything it loads, as a first visit with an empty cache fetches it."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING}
    if cookie:
        headers["Cookie"] = cookie
    status, response, body = fetch(port, path, headers)
    weight = Weight(page, status, wire_bytes(response, body))
    parser = Links()
    parser.feed((decoded(response, body) or b"").decode("utf-8", "replace"))
    queue = [urljoin(path, url) for url in parser.urls]
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if url in seen or parts.scheme not in {"", "http"} or url.startswith("data:"):
            continue
        if parts.netloc and parts.netloc != f"{HOST}:{port}":
            weight.assets.append((f"{url} (another host!)", 0))
            continue
        seen.add(url)
        asset_path = parts.path + (f"?{parts.query}" if parts.query else "")
        _, response, body = fetch(port, asset_path, headers)
        weight.assets.append((parts.path, wire_bytes(response, body)))
        if parts.path.endswith(".css"):
            text = (decoded(response, body) or b"").decode("utf-8", "replace")
            for found in (*CSS_URL.findall(text), *CSS_IMPORT.findall(text)):
                if not found.startswith(("data:", "#")):
                    queue.append(urljoin(parts.path, found))
    return weight


