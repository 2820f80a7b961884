"""The assessment wizard: five steps on django-formtools' named-URL session wizard.

Each assessment is a draft with its own id in its URLs and its own slot in the session, so
two tabs never mix answers. Opening the form stores nothing: /assess/ only hands out a new,
signed draft id, and the draft (and the session, and its cookie) is first saved by the first
POST of an answer, which passes CSRF and a per-address budget of new sessions. Beyond
formtools' defaults, this wizard:

- keeps what was typed on the current step when the person goes Back (formtools #284);
- rejects a missing, forged or mismatched management form with a 400 (formtools #38);
- sends a person who skips ahead back to the first step that still needs an answer;
- creates the decision in the final POST, once per draft, then redirects to the result.
"""

import re
import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from formtools.wizard.forms import ManagementForm
from formtools.wizard.storage.base import BaseStorage
from formtools.wizard.storage.session import SessionStorage
from formtools.wizard.views import NamedUrlSessionWizardView

from decisions import services
from decisions.domain import costs, engine
from decisions.domain.fields import (
    BY_NAME,
    COST_BY_NAME,
    COST_QUESTIONS,
    QUESTIONS,
    STEPS,
    answer_lines,
)
from decisions.models import Decision, ModelPrice
from decisions.platform.ratelimit import (
    limit_decision_creation,
    limit_new_sessions,
    too_many_response,
)
from decisions.web.forms import COST_DETAIL_NAMES, STEP_FORMS

STEP_URL_NAME = "decisions:assess_step"
PREFIX = "assessment_"
FINISHED_KEY = "finished_assessments"  # session: draft hex -> share token
DRAFTS_KEY = "assessment_drafts"  # session: draft hexes, oldest first
MAX_DRAFTS = 20  # drafts one browser keeps; the oldest go first
MAX_FINISHED = 50  # finished drafts one browser remembers, to send their URLs to the result
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Query parameters a new draft is prefilled from; kept in the first step's form action so the
# first POST, which saves the draft, sees them too.
PREFILL_PARAMETERS = ("from", *BY_NAME, *COST_DETAIL_NAMES, "title")
VOLUME_PRESETS = (
    (10_000, "a small internal tool"),
    (100_000, "a team-wide feature"),
    (1_000_000, "a product feature at scale"),
    (10_000_000, "a high-traffic product"),
)


def _storage_key(draft: uuid.UUID) -> str:
    return f"wizard_{PREFIX}{draft.hex}"  # formtools prepends "wizard_" to the prefix


def new_draft_id() -> uuid.UUID:
    """A draft id this site handed out: 8 random bytes, then 8 bytes of their HMAC."""
    nonce = uuid.uuid4().bytes[:8]
    return uuid.UUID(bytes=nonce + _draft_mac(nonce))


def is_handed_out(draft: uuid.UUID) -> bool:
    """Whether new_draft_id() made this id (no query): a made-up id finds no new draft."""
    return constant_time_compare(draft.bytes[8:], _draft_mac(draft.bytes[:8]))


def _draft_mac(nonce: bytes) -> bytes:
    return salted_hmac("decisions.web.wizard.draft", nonce, algorithm="sha256").digest()[:8]


def _price_snapshot() -> list[dict[str, object]]:
    """The price sheet as it is when a draft starts (one query). The draft keeps this copy in
    the session, so its steps never read the sheet again and its estimate uses these prices."""
    return [row.price().as_dict() for row in ModelPrice.objects.all()]


def _price_choices(snapshot: list[dict[str, object]]) -> dict[str, list[tuple[str, str]]]:
    """The volume form's model lists (no query). Every fine-tunable model is listed, those a new
    customer cannot fine-tune today marked so, since a team may already be using one."""
    today = timezone.now().date()
    everything, tunable = [], []
    for price in (costs.Price(**fields) for fields in snapshot):
        everything.append((price.name, f"{price.name} ({price.provider})"))
        if price.open_on(today):
            tunable.append((price.name, f"{price.name} ({price.provider})"))
        elif price.fine_tuning or price.has_fine_tuning_prices:
            availability = price.availability()
            why = "no fine-tuning price" if price.fine_tuning == costs.OPEN else (
                availability[:1].lower() + availability[1:]
            )
            tunable.append((price.name, f"{price.name} ({price.provider}; {why})"))
    return {"model_choices": everything, "tunable_choices": tunable}


class DraftStorage(SessionStorage):
    """formtools' session storage, except that:

    - reading a draft does not mark the session changed (formtools' does on every read): a step
      GET reads the session and writes nothing, so it neither costs a query nor queues for
      SQLite's write lock;
    - a draft not in the session yet lives in this object only, until save() puts it there:
      showing the first step of a new draft writes no session and sets no session cookie.
    """

    def __init__(self, prefix: str, request: HttpRequest, file_storage=None) -> None:
        BaseStorage.__init__(self, prefix, request, file_storage)  # not formtools' init_data()
        self.unsaved: dict | None = None
        if self.prefix not in request.session:
            self.unsaved = {}
            self.init_data()

    @property
    def is_saved(self) -> bool:
        return self.unsaved is None

    def _get_data(self) -> dict:
        return self.request.session[self.prefix] if self.unsaved is None else self.unsaved

    def _set_data(self, value: dict) -> None:
        if self.unsaved is None:
            SessionStorage._set_data(self, value)
        else:
            self.unsaved = value

    data = property(_get_data, _set_data)

    def save(self) -> None:
        """Keep this new draft in the session from now on."""
        self.request.session[self.prefix] = self.unsaved
        self.unsaved = None

    def _set_current_step(self, step: str) -> None:
        if self.data[self.step_key] != step:
            super()._set_current_step(step)
            self.request.session.modified = self.is_saved or self.request.session.modified

    def set_step_data(self, step: str, cleaned_data: dict) -> None:
        super().set_step_data(step, cleaned_data)
        self.request.session.modified = self.is_saved or self.request.session.modified


def _prefill_value(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _prefill(
    request: HttpRequest, prices: list[dict[str, object]], *, warn: bool = True
) -> dict[str, dict[str, list[str]]]:
    """Raw step data from ?from=<token> and from query parameters named like answers.

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
            values = {name: _prefill_value(name, getattr(source, name)) for name in names}
            values["title"] = source.title
    for name in (*BY_NAME, *COST_DETAIL_NAMES, "title"):
        if name in request.GET:
            values[name] = request.GET[name][:200]

    step_data: dict[str, dict[str, list[str]]] = {}
    for step, form_class in STEP_FORMS.items():
        kwargs = _price_choices(prices) if step == "volume" else {}
        for name, field in form_class(**kwargs).fields.items():
            if name not in values:
                continue
            try:
                field.clean(values[name])
            except forms.ValidationError:
                continue
            step_data.setdefault(step, {})[f"{step}-{name}"] = [values[name]]
    return step_data


@require_GET
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """Hand out a new draft id and send the person to its first step, prefill parameters
    included. Stores nothing: the draft is saved with its first answer."""
    url = reverse(STEP_URL_NAME, kwargs={"draft": new_draft_id(), "step": STEPS[0].name})
    query = _prefill_query(request)
    return redirect(f"{url}?{query}" if query else url)


def _prefill_query(request: HttpRequest) -> str:
    return urlencode(
        [(name, value[:200]) for name, value in request.GET.items() if name in PREFILL_PARAMETERS]
    )


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}, request))


class AssessmentWizard(NamedUrlSessionWizardView):
    form_list = list(STEP_FORMS.items())
    storage_name = "decisions.web.wizard.DraftStorage"
    template_name = "decisions/wizard_step.html"

    def dispatch(self, request: HttpRequest, *args, draft: uuid.UUID, **kwargs) -> HttpResponse:
        self.draft = draft
        finished = request.session.get(FINISHED_KEY, {}).get(draft.hex)
        if finished:
            # Refresh, Back or a second click after the final submit: show the one result.
            return redirect("decisions:result", token=finished)
        if _storage_key(draft) not in request.session and not is_handed_out(draft):
            return render(request, "decisions/draft_missing.html", status=404)
        return super().dispatch(request, *args, **kwargs)

    def begin(self) -> None:
        """Fill a new draft (not in the session yet) with its prefill and the price sheet as
        it is now (one or two queries). Writes nothing to the session."""
        prices = _price_snapshot()
        self.storage.data = {
            "step": STEPS[0].name,
            # Prefill messages show on the page a GET renders; a POST has no page to show.
            "step_data": _prefill(self.request, prices, warn=self.request.method == "GET"),
            "step_files": {},
            # The decision's draft_id: not the id in the URL, which whoever sees the URL could
            # reuse in their own session, but one that only ever lives in this session.
            "extra_data": {"prices": prices, "record_id": uuid.uuid4().hex},
        }

    def save_new_draft(self) -> HttpResponse | None:
        """Save a new draft in the session on its first POST; a 429 when this would start one
        session too many from this client's address (one query, two with a new session)."""
        session = self.request.session
        if not session.session_key and (retry_after := limit_new_sessions(self.request)):
            return too_many_response(self.request, retry_after, "new assessments")
        drafts = [hex_ for hex_ in session.get(DRAFTS_KEY, []) if hex_ != self.draft.hex]
        while len(drafts) >= MAX_DRAFTS:
            session.pop(_storage_key(uuid.UUID(drafts.pop(0))), None)
        session[DRAFTS_KEY] = [*drafts, self.draft.hex]
        self.storage.save()
        return None

    def record_id(self) -> uuid.UUID:
        # Drafts saved before record_id existed use their URL id, as they always did.
        return uuid.UUID(self.storage.extra_data.get("record_id", self.draft.hex))

    def get_prefix(self, request: HttpRequest, *args, **kwargs) -> str:
        return f"{PREFIX}{self.draft.hex}"

    def get_step_url(self, step: str) -> str:
        return reverse(self.url_name, kwargs={"draft": self.draft, "step": step})

    def get_form_step_data(self, form: forms.Form) -> dict[str, list[str]]:
        """Only this step's own fields, as typed: no CSRF token, buttons or junk in the session."""
        keys = (form.add_prefix(name) for name in form.fields)
        return {key: form.data.getlist(key) for key in keys if key in form.data}

    def get_form_kwargs(self, step: str | None = None) -> dict[str, object]:
        if step != "volume":
            return {}
        if not hasattr(self, "_price_choices"):
            self._price_choices = _price_choices(self.prices())
        return self._price_choices

    def prices(self) -> list[dict[str, object]]:
        """The price sheet as it was when this draft started (no query)."""
        return self.storage.extra_data.get("prices", [])

    def get_form_initial(self, step: str) -> dict[str, object]:
        """What the person last entered on this step, valid or not, shown without errors."""
        initial = {name: field.initial for name, field in STEP_FORMS[step].base_fields.items()}
        stored = self.storage.get_step_data(step) or {}
        for key in stored:
            initial[key.removeprefix(f"{step}-")] = stored.get(key)
        return initial

    def form_query(self) -> str:
        """The step's form posts back to its URL: with ?edit=1 on the way back to review, and
        for a new draft with the prefill, which its first POST saves with it."""
        if not self.storage.is_saved:
            query = _prefill_query(self.request)
            return f"?{query}" if query else ""
        return self.edit_query()

    def edit_query(self) -> str:
        """Changing one answer from the review step goes back to review, even via Back."""
        return "?edit=1" if "edit" in self.request.GET else ""

    def to_unanswered_step(self, step: str) -> HttpResponse:
        messages.info(self.request, "Answer this step first; your answers so far are kept.")
        return redirect(self.get_step_url(step))

    def first_incomplete_step(self, before: str) -> str | None:
        """The first step ahead of `before` whose answers are missing or invalid (no query)."""
        for step in self.get_form_list():
            if step == before:
                return None
            if self.get_cleaned_data_for_step(step) is None:
                return step
        return None

    def get(self, request: HttpRequest, *args, step: str | None = None, **kwargs) -> HttpResponse:
        if not self.storage.is_saved:
            self.begin()
        if step not in self.get_form_list():
            return redirect(self.get_step_url(self.storage.current_step or self.steps.first))
        missing = self.first_incomplete_step(before=step)
        if missing:
            return self.to_unanswered_step(missing)
        self.storage.current_step = step
        return self.render(self.get_form())

    def post(self, request: HttpRequest, *args, step: str | None = None, **kwargs) -> HttpResponse:
        if step not in self.get_form_list():
            return _bad_request(request, "That step does not exist. Go back and try again.")
        management = ManagementForm(request.POST, prefix=self.prefix)
        if not management.is_valid() or management.cleaned_data["current_step"] != step:
            return _bad_request(
                request,
                "This page was sent incomplete or changed on the way. Go back, reload the page "
                "and send it again; the answers you saved are kept.",
            )
        if not self.storage.is_saved:
            self.begin()
            if refused := self.save_new_draft():
                return refused
        self.storage.current_step = step
        form = self.get_form(data=request.POST)

        goto = request.POST.get("wizard_goto_step")
        if goto is not None:
            if goto not in self.get_form_list():
                return _bad_request(request, "That step does not exist. Go back and try again.")
            # Keep what was typed here, valid or not, and never validate on the way back.
            self.storage.set_step_data(step, self.get_form_step_data(form))
            return redirect(self.get_step_url(goto) + self.edit_query())

        missing = self.first_incomplete_step(before=step)
        if missing:
            return self.to_unanswered_step(missing)
        self.storage.set_step_data(step, self.get_form_step_data(form))
        if not form.is_valid():
            return self.render(form)
        if step == self.steps.last:
            return self.finish()
        next_step = self.get_next_step(step)
        if "edit" in request.GET and self.first_incomplete_step(before=self.steps.last) is None:
            next_step = self.steps.last
        self.storage.current_step = next_step
        return redirect(self.get_step_url(next_step))

    def finish(self) -> HttpResponse:
        """Validate every step again, then record the decision once for this draft."""
        cleaned: dict[str, object] = {}
        for step in self.get_form_list():
            data = self.get_cleaned_data_for_step(step)
            if data is None:
                return redirect(self.get_step_url(step))
            cleaned.update(data)
        retry_after = limit_decision_creation(self.request)
        if retry_after is not None:
            return too_many_response(self.request, retry_after)
        title = cleaned.pop("title")
        cost_details = {name: cleaned.pop(name) for name in COST_DETAIL_NAMES}
        decision, _ = services.record_decision(
            engine.Answers(**cleaned), title=title, draft_id=self.record_id(),
            cost_details={name: value for name, value in cost_details.items() if value != ""},
            prices={fields["name"]: costs.Price(**fields) for fields in self.prices()},
        )
        session = self.request.session
        # Remember the latest finished drafts, so their URLs lead to their results.
        finished = list(session.get(FINISHED_KEY, {}).items())[-(MAX_FINISHED - 1):]
        session[FINISHED_KEY] = {**dict(finished), self.draft.hex: decision.token}
        session.pop(_storage_key(self.draft), None)
        return redirect(decision)

    def get_context_data(self, form: forms.Form, **kwargs) -> dict[str, object]:
        context = super().get_context_data(form=form, **kwargs)
        step = self.steps.current
        index = self.steps.step0
        context.update(
            step_number=index + 1,
            step_count=len(STEPS),
            step=STEPS[index],
            progress=[
                {"number": n, "title": s.title, "state": _state(n - 1, index)}
                for n, s in enumerate(STEPS, start=1)
            ],
            fields=[_field_context(b) for b in form if b.name not in COST_DETAIL_NAMES],
            cost_fields=[_field_context(b) for b in form if b.name in COST_DETAIL_NAMES],
            cost_errors=any(form.errors.get(name) for name in COST_DETAIL_NAMES),
            error_summary=_error_summary(form),
            back_step=self.steps.prev,
            is_last=step == self.steps.last,
            form_action=self.get_step_url(step) + self.form_query(),
        )
        if step == self.steps.last:
            context["review"], context["review_costs"] = self.review_lines()
        return context

    def review_lines(self) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        """Every answer in words with a link to change it, then the cost details (no query
        beyond the price sheet the volume form reads anyway)."""
        answers: dict[str, object] = {}
        for step in self.get_form_list():
            answers.update(self.get_cleaned_data_for_step(step) or {})
        model_names = dict(self.get_form_kwargs("volume")["model_choices"])
        for name in ("prompt_model", "tune_model"):
            answers[name] = model_names.get(answers.get(name), "None chosen")

        def lines(questions: tuple = QUESTIONS) -> list[dict[str, object]]:
            return [
                {
                    "question": line.question.label,
                    "words": line.words,
                    "change_label": line.question.short,
                    "change_url": f"{self.get_step_url(line.question.step)}?edit=1",
                }
                for line in answer_lines(answers, questions)
            ]

        return lines(), lines(COST_QUESTIONS)


def _state(position: int, current: int) -> str:
    if position < current:
        return "done"
    return "current" if position == current else "todo"


def _field_context(bound: forms.BoundField) -> dict[str, object]:
    """What the template needs for one field, computed here so the template only prints."""
    value = bound.value()
    question = BY_NAME.get(bound.name) or COST_BY_NAME.get(bound.name)
    described_by = [f"{bound.auto_id}_hint"] if bound.help_text else []
    if bound.errors:
        described_by.append(f"{bound.auto_id}_error")
    context: dict[str, object] = {
        "bound": bound,
        "name": bound.html_name,
        "id": bound.auto_id,
        "label": bound.label,
        "hint": bound.help_text,
        "errors": bound.errors,
        "described_by": " ".join(described_by),
        "required": bound.field.required,
    }
    if type(bound.field.widget) is forms.Select:
        selected = "" if value is None else str(value)
        context["select"] = [
            {"value": choice, "label": label, "selected": choice == selected}
            for choice, label in bound.field.choices
        ]
    elif isinstance(bound.field.widget, forms.RadioSelect):
        selected = "" if value is None else _prefill_value(bound.name, value)
        context["options"] = [
            {
                "id": f"{bound.auto_id}_{n}",
                "value": option.value,
                "label": option.label,
                "hint": option.hint,
                "checked": option.value == selected,
            }
            for n, option in enumerate(question.options if question else ())
        ]
    else:
        context["value"] = "" if value is None else value
        context["numeric"] = isinstance(bound.field, forms.IntegerField)
        if bound.name == "monthly_requests":
            context["presets"] = [
                {"value": value, "label": f"{value:,} a month: {text}"}
                for value, text in VOLUME_PRESETS
            ]
    return context


def _error_summary(form: forms.Form) -> list[dict[str, str]]:
    if not form.is_bound or form.is_valid():
        return []
    summary = []
    for bound in form:
        for error in bound.errors:
            anchor = bound.auto_id
            if isinstance(bound.field.widget, forms.RadioSelect):
                anchor = f"{bound.auto_id}_0"
            summary.append({"anchor": anchor, "message": error})
    return summary

