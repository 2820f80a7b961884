"""Drafts of an assessment: their signed ids, their slot in the session, and what a new one
starts with (the price sheet as it is now, and answers prefilled from a link or a result).

The wizard (wizard.py) keeps each draft in formtools' storage API through DraftStorage.
"""

import base64
import datetime
import functools
import json
import re
import uuid
import zlib
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from formtools.wizard.storage.base import BaseStorage

from decisions.domain import costs
from decisions.domain.fields import BY_NAME
from decisions.models import Decision, ModelPrice
from decisions.web.forms import COST_DETAIL_NAMES, STEP_FORMS

PREFIX = "assessment_"
FINISHED_KEY = "finished_assessments"  # session: draft hex -> share token
DRAFTS_KEY = "assessment_drafts"  # session: draft hexes, oldest first
MAX_DRAFTS = 20  # drafts one browser keeps; the oldest go first
MAX_FINISHED = 50  # finished drafts one browser remembers, to send their URLs to the result
VALID_KEY = "accepted_steps"  # draft's extra data: steps whose stored answers passed their form
STARTED_KEY = "started"  # draft's extra data: the day (ISO date) it started and took its prices
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Query parameters a new draft is prefilled from; kept in the first step's form action so the
# first POST, which saves the draft, sees them too.
PREFILL_PARAMETERS = ("from", *BY_NAME, *COST_DETAIL_NAMES, "title")


def wizard_prefix(draft: uuid.UUID) -> str:
    """The wizard's prefix for this draft (the view's get_prefix), which names its form fields."""
    return f"{PREFIX}{draft.hex}"


def storage_key(draft: uuid.UUID) -> str:
    """The draft's key in the session: formtools' storage puts "wizard_" before the prefix
    (pinned by tests/web/test_drafts.py)."""
    return f"wizard_{wizard_prefix(draft)}"


def new_draft_id() -> uuid.UUID:
    """A draft id this site handed out: 8 random bytes, then 8 bytes of their HMAC."""
    nonce = uuid.uuid4().bytes[:8]
    return uuid.UUID(bytes=nonce + draft_mac(nonce))


def is_handed_out(draft: uuid.UUID) -> bool:
    """Whether new_draft_id() made this id (no query): a made-up id finds no new draft."""
    return constant_time_compare(draft.bytes[8:], draft_mac(draft.bytes[:8]))


def draft_mac(nonce: bytes) -> bytes:
    # The salt keeps the module's old name: a new one would void every id already handed out.
    return salted_hmac("decisions.web.wizard.draft", nonce, algorithm="sha256").digest()[:8]


class DraftStorage(BaseStorage):
    """formtools' storage API over one slot of the session, except that:

    - reading a draft does not mark the session changed (formtools' SessionStorage does on
      every read): a step GET reads the session and writes nothing, so it neither costs a query
      nor queues for SQLite's write lock;
    - a draft not in the session yet lives in this object only, until save() puts it there:
      showing the first step of a new draft writes no session and sets no session cookie.

    BaseStorage reads and writes everything through `data`, the storage API's one property
    (pinned by tests/web/test_drafts.py).
    """

    def __init__(self, prefix: str, request: HttpRequest, file_storage=None) -> None:
        super().__init__(prefix, request, file_storage)
        self.unsaved: dict | None = None
        if self.prefix not in request.session:
            self.unsaved = {}
            self.init_data()

    @property
    def is_saved(self) -> bool:
        return self.unsaved is None

    @property
    def data(self) -> dict:
        return self.request.session[self.prefix] if self.unsaved is None else self.unsaved

    @data.setter
    def data(self, value: dict) -> None:
        if self.unsaved is None:
            self.request.session[self.prefix] = value  # marks the session changed
        else:
            self.unsaved = value

    def save(self) -> None:
        """Keep this new draft in the session from now on."""
        self.request.session[self.prefix] = self.unsaved
        self.unsaved = None

    @property
    def current_step(self) -> str | None:
        return self.data[self.step_key]

    @current_step.setter
    def current_step(self, step: str) -> None:
        if self.data[self.step_key] != step:
            self.data[self.step_key] = step
            self.changed()

    def set_step_data(self, step: str, cleaned_data: dict, *, valid: bool = False) -> None:
        """Store a step's answers as typed; `valid` records that its form accepted them, so
        later steps need not validate them again (the final POST always does)."""
        super().set_step_data(step, cleaned_data)
        accepted = [name for name in self.extra_data.get(VALID_KEY, []) if name != step]
        self.extra_data[VALID_KEY] = [*accepted, step] if valid else accepted
        self.changed()

    def is_accepted(self, step: str) -> bool:
        """Whether this step's stored answers passed its form when they were stored."""
        return step in self.extra_data.get(VALID_KEY, ())

    def changed(self) -> None:
        """The draft's dict was changed in place: a saved draft's session must be written."""
        if self.is_saved:
            self.request.session.modified = True


def price_snapshot() -> list[dict[str, object]]:
    """The price sheet as it is when a draft starts (one query). The draft keeps this copy in
    the session (packed by pack_prices), so its steps never read the sheet again and its
    estimate uses these prices."""
    return [row.price().as_dict() for row in ModelPrice.objects.all()]


def pack_prices(snapshot: list[dict[str, object]]) -> str:
    """A price snapshot as a draft keeps it in the session: a table (the field names, then each
    row's values) as compact JSON, compressed, in base64. A fifth of the size of the rows as
    JSON objects, and one plain string to the session's JSON decoder: every request of a
    visitor decodes the whole session, while only the volume step, the review and the final
    POST read the prices (unpack_prices)."""
    names = list(snapshot[0]) if snapshot else []
    table = [names, *([row[name] for name in names] for row in snapshot)]
    text = json.dumps(table, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(zlib.compress(text.encode())).decode("ascii")


@functools.lru_cache(maxsize=64)
def _unpacked(packed: str) -> tuple[tuple[str, ...], tuple[tuple, ...]]:
    # Keyed by the whole packed snapshot: every draft started on one price sheet shares it.
    names, *rows = json.loads(zlib.decompress(base64.b64decode(packed)))
    return tuple(names), tuple(tuple(row) for row in rows)


def unpack_prices(packed: str | list) -> list[dict[str, object]]:
    """The snapshot pack_prices() packed, as new dicts; a draft saved before prices were
    packed keeps them as a list of dicts, returned as it is."""
    if not isinstance(packed, str):
        return packed
    names, rows = _unpacked(packed)
    return [dict(zip(names, row, strict=True)) for row in rows]


def price_choices(
    snapshot: list[dict[str, object]], today: datetime.date | None = None
) -> dict[str, list[tuple[str, str]]]:
    """The volume form's model lists (no query) on `today` (default: today). Every
    fine-tunable model is listed, those a new customer cannot fine-tune that day marked so,
    since a team may already be using one."""
    today = today or timezone.now().date()
    everything, tunable = [], []
    for price in (costs.Price(**fields) for fields in snapshot):
        everything.append((price.name, f"{price.name} ({price.provider})"))
        if price.open_on(today):
            tunable.append((price.name, f"{price.name} ({price.provider})"))
        elif price.offered_for_fine_tuning:
            why = price.availability(today)
            why = why[:1].lower() + why[1:]
            tunable.append((price.name, f"{price.name} ({price.provider}; {why})"))
    return {"model_choices": everything, "tunable_choices": tunable}


@functools.lru_cache(maxsize=64)
def packed_choices(packed: str, started: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """The volume form's model lists of a packed snapshot as they were on the day the draft
    started (an ISO date), kept per process by the whole snapshot and the date."""
    choices = price_choices(unpack_prices(packed), datetime.date.fromisoformat(started))
    return {name: tuple(options) for name, options in choices.items()}


def draft_prices(extra_data: dict) -> list[dict[str, object]]:
    """The price sheet as it was when this draft started, from its extra data (no query)."""
    return unpack_prices(extra_data.get("prices", []))


def draft_choices(extra_data: dict) -> dict[str, object]:
    """The volume form's model lists as they were when this draft started (no query)."""
    packed = extra_data.get("prices")
    if isinstance(packed, str):
        return dict(packed_choices(packed, extra_data[STARTED_KEY]))
    # Drafts saved before prices were packed kept the lists, or before that worked them out.
    choices = extra_data.get("choices")
    return choices if choices is not None else price_choices(draft_prices(extra_data))


def prefill_value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def prefill(
    request: HttpRequest, choices: dict[str, list[tuple[str, str]]], *, warn: bool = True
) -> dict[str, dict[str, list[str]]]:
    """Raw step data from ?from=<token> and from query parameters named like answers
    (`choices`: the volume form's model lists, from price_choices()).

    Values that would not pass their field are dropped: a prefill never shows an error.
    """
    values: dict[str, str] = {}
    token = request.GET.get("from", "")
    if token:
        source = (
            Decision.objects.shared().filter(token=token).first()
            if TOKEN_RE.fullmatch(token)
            else None
        )
        if source is None and warn:
            messages.warning(
                request, "That result could not be found, so this assessment starts empty."
            )
        if source is not None:
            names = (*BY_NAME, *COST_DETAIL_NAMES)
            values = {name: prefill_value(getattr(source, name)) for name in names}
            values["title"] = source.title
    for name in (*BY_NAME, *COST_DETAIL_NAMES, "title"):
        if name in request.GET:
            values[name] = request.GET[name][:200]

    step_data: dict[str, dict[str, list[str]]] = {}
    for step, form_class in STEP_FORMS.items():
        kwargs = choices if step == "volume" else {}
        for name, field in form_class(**kwargs).fields.items():
            if name not in values:
                continue
            try:
                field.clean(values[name])
            except forms.ValidationError:
                continue
            step_data.setdefault(step, {})[f"{step}-{name}"] = [values[name]]
    return step_data


def prefill_query(request: HttpRequest) -> str:
    """The prefill parameters of this request, as a query string."""
    return urlencode(
        [(name, value[:200]) for name, value in request.GET.items() if name in PREFILL_PARAMETERS]
    )
