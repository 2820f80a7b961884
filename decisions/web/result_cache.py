"""Rendered result pages kept in this process's memory: derived, immutable data the database can
always rebuild, keyed by release, token and the address the page was asked at (it shows its own
absolute link).

A stored decision never changes except for being revoked, so a page can be kept as long as the
code that rendered it runs. Revocation is the one thing to notice: an entry is trusted for
settings.RESULT_RECHECK_SECONDS after the database last said its link works, then the next
request asks again (one query). A revoked link so stops working on every replica within those
seconds (DESIGN section 2 allows 10), with no message between processes.

The release is settings.RELEASE when set (a deploy can pass its git commit), else a hash of the
app's code, templates and static manifest, so a deploy that changes any of them gets new ETags.
"""

import functools
import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

MAX_ENTRIES = 500  # about 44 KB each (the page and its gzip): some 22 MB a worker at most


@dataclass
class Entry:
    body: bytes
    gzipped: bytes
    etag: str  # a strong validator, quoted
    checked: float  # time.monotonic() when the database last said the link works

    def needs_recheck(self) -> bool:
        return time.monotonic() - self.checked >= settings.RESULT_RECHECK_SECONDS


Key = tuple[str, str, str]  # (release, token, scheme://host): the page shows its own link

_entries: "OrderedDict[Key, Entry]" = OrderedDict()
_lock = threading.Lock()


@functools.cache
def release() -> str:
    """This code's release id (computed once per process)."""
    if settings.RELEASE:
        return settings.RELEASE
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    files = [*(base / "decisions").rglob("*.py"), *(base / "templates").rglob("*.html")]
    if settings.STATIC_ROOT:
        files.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    for path in sorted(files):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def key(token: str, origin: str) -> Key:
    return (release(), token, origin)


def get(entry_key: Key) -> Entry | None:
    with _lock:
        entry = _entries.get(entry_key)
        if entry is not None:
            _entries.move_to_end(entry_key)
        return entry


def put(entry_key: Key, body: bytes, asked: float) -> Entry:
    """Keep a freshly rendered page, read from the database at time.monotonic() `asked`,
    dropping the oldest beyond MAX_ENTRIES."""
    tag = hashlib.sha256(release().encode() + body).hexdigest()[:24]
    entry = Entry(body, gzip.compress(body, mtime=0), f'"{tag}"', asked)
    with _lock:
        _entries[entry_key] = entry
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return entry


def rechecked(entry: Entry, asked: float) -> None:
    """The database, asked at time.monotonic() `asked`, said this entry's link still works."""
    entry.checked = asked


def forget(entry_key: Key) -> None:
    with _lock:
        _entries.pop(entry_key, None)


def clear() -> None:
    with _lock:
        _entries.clear()
