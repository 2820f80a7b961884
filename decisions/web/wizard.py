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

What a draft is (its id, its storage in the session, its prefill) lives in drafts.py; how a
step's form is laid out, in layout.py and templates/bootstrap5/.
"""

import functools
import uuid

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlSessionWizardView

from decisions import services
from decisions.domain import costs, engine
from decisions.domain.fields import (
    COST_QUESTIONS,
    QUESTIONS,
    STEPS,
    answer_lines,
)
from decisions.platform.headers import never_cache
from decisions.platform.ratelimit import (
    limit_decision_creation,
    limit_new_sessions,
    too_many_response,
)
from decisions.web import drafts, layout
from decisions.web.forms import COST_DETAIL_NAMES, STEP_FORMS

STEP_URL_NAME = "decisions:assess_step"


@require_GET
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """Hand out a new draft id and send the person to its first step, prefill parameters
    included. Stores nothing: the draft is saved with its first answer."""
    url = reverse(STEP_URL_NAME, kwargs={"draft": drafts.new_draft_id(), "step": STEPS[0].name})
    query = drafts.prefill_query(request)
    return redirect(f"{url}?{query}" if query else url)


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}, request))


class AssessmentWizard(NamedUrlSessionWizardView):
    form_list = list(STEP_FORMS.items())
    storage_name = "decisions.web.drafts.DraftStorage"
    template_name = "decisions/wizard_step.html"

    def dispatch(self, request: HttpRequest, *args, draft: uuid.UUID, **kwargs) -> HttpResponse:
        self.draft = draft
        finished = request.session.get(drafts.FINISHED_KEY, {}).get(draft.hex)
        if finished:
            # Refresh, Back or a second click after the final submit: show the one result.
            return redirect("decisions:result", token=finished)
        if drafts.storage_key(draft) not in request.session and not drafts.is_handed_out(draft):
            return render(request, "decisions/draft_missing.html", status=404)
        return super().dispatch(request, *args, **kwargs)

    def begin(self) -> None:
        """Fill a new draft (not in the session yet) with its prefill and the price sheet as
        it is now (one or two queries). Writes nothing to the session."""
        prices = drafts.price_snapshot()
        today = timezone.now().date()
        choices = drafts.price_choices(prices, today)
        self.storage.data = {
            "step": STEPS[0].name,
            # Prefill messages show on the page a GET renders; a POST has no page to show.
            "step_data": drafts.prefill(self.request, choices, warn=self.request.method == "GET"),
            "step_files": {},
            "extra_data": {
                # The model lists are worked out again from the prices and the day, when needed.
                "prices": drafts.pack_prices(prices),
                drafts.STARTED_KEY: today.isoformat(),
                # The decision's draft_id: not the id in the URL, which whoever sees the URL
                # could reuse in their own session, but one that only ever lives in this session.
                "record_id": uuid.uuid4().hex,
            },
        }

    def save_new_draft(self) -> HttpResponse | None:
        """Save a new draft in the session on its first POST; a 429 when this would start one
        session too many from this client's address (one query, two with a new session)."""
        session = self.request.session
        if not session.session_key and (retry_after := limit_new_sessions(self.request)):
            return too_many_response(self.request, retry_after, "new assessments")
        kept = [hex_ for hex_ in session.get(drafts.DRAFTS_KEY, []) if hex_ != self.draft.hex]
        while len(kept) >= drafts.MAX_DRAFTS:
            session.pop(drafts.storage_key(uuid.UUID(kept.pop(0))), None)
        session[drafts.DRAFTS_KEY] = [*kept, self.draft.hex]
        self.storage.save()
        return None

    def record_id(self) -> uuid.UUID:
        # Drafts saved before record_id existed use their URL id, as they always did.
        return uuid.UUID(self.storage.extra_data.get("record_id", self.draft.hex))

    def get_form_list(self) -> dict[str, type[forms.Form]]:
        """Every step: this wizard has no conditional steps (no condition_dict), so this is
        formtools' list without its per-call check of the conditions (a step page asks for the
        list about a dozen times); formtools' own way if conditions are ever given."""
        if self.condition_dict:
            return super().get_form_list()
        return self.form_list.copy()

    def get_prefix(self, request: HttpRequest, *args, **kwargs) -> str:
        return drafts.wizard_prefix(self.draft)

    def get_step_url(self, step: str) -> str:
        before, after = _step_url_around(step, get_script_prefix())
        return f"{before}{self.draft}{after}"

    def get_form_step_data(self, form: forms.Form) -> dict[str, list[str]]:
        """Only this step's own fields, as typed: no CSRF token, buttons or junk in the session."""
        keys = (form.add_prefix(name) for name in form.fields)
        return {key: form.data.getlist(key) for key in keys if key in form.data}

    def get_form_kwargs(self, step: str | None = None) -> dict[str, object]:
        if step != "volume":
            return {}
        return drafts.draft_choices(self.storage.extra_data)

    def prices(self) -> list[dict[str, object]]:
        """The price sheet as it was when this draft started (no query)."""
        return drafts.draft_prices(self.storage.extra_data)

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
            query = drafts.prefill_query(self.request)
            return f"?{query}" if query else ""
        return self.edit_query()

    def edit_query(self) -> str:
        """Changing one answer from the review step goes back to review, even via Back. Only
        ?edit=1 is kept: which answer is being changed (?field=) matters to the page the
        review's link opens, not to the pages after it."""
        return "?edit=1" if "edit" in self.request.GET else ""

    def to_unanswered_step(self, step: str) -> HttpResponse:
        messages.info(self.request, "Answer this step first; your answers so far are kept.")
        return redirect(self.get_step_url(step))

    def first_incomplete_step(self, before: str) -> str | None:
        """The first step ahead of `before` whose answers are missing or invalid (no query)."""
        for step in self.get_form_list():
            if step == before:
                return None
            if not self.storage.is_accepted(step) and self.get_cleaned_data_for_step(step) is None:
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
        self.storage.set_step_data(step, self.get_form_step_data(form), valid=form.is_valid())
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
        finished = list(session.get(drafts.FINISHED_KEY, {}).items())[-(drafts.MAX_FINISHED - 1):]
        session[drafts.FINISHED_KEY] = {**dict(finished), self.draft.hex: decision.token}
        session.pop(drafts.storage_key(self.draft), None)
        return redirect(decision)

    def get_context_data(self, form: forms.Form, **kwargs) -> dict[str, object]:
        """Not formtools' context: it builds a ManagementForm (a form, its field deep-copied)
        only for the page to print that form's one hidden field, which the page writes out from
        `management` instead, named as ManagementForm names it (pinned by test_wizard.py)."""
        step = self.steps.current
        index = self.steps.step0
        field = f"{self.prefix}-current_step"
        context = {"view": self, "form": form, **kwargs}
        context.update(
            management={"name": field, "id": f"id_{field}", "value": step},
            form_html=layout.render_form(form, changing=self.request.GET.get("field", "")),
            step_number=index + 1,
            step_count=len(STEPS),
            step=STEPS[index],
            progress=progress_list(index),
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
                    "change_url": self.change_url(line.question.step, line.question.name),
                }
                for line in answer_lines(answers, questions)
            ]

        return lines(), lines(COST_QUESTIONS)

    def change_url(self, step: str, name: str) -> str:
        """The link from the review step to change one answer: its step, on the way back to
        review, scrolled to the question; ?field= names it, so a cost detail's step shows its
        cost details open (a fragment never reaches the server)."""
        anchor = layout.question_anchor(STEP_FORMS[step], self.get_form_prefix(step), name)
        return f"{self.get_step_url(step)}?edit=1&field={name}#{anchor}"


@functools.cache
def _step_url_around(step: str, script_prefix: str) -> tuple[str, str]:
    """A step's URL before and after its draft id: reversed once per step and script prefix
    (which reverse() reads), not once per link. A draft id is a UUID, written as str() does."""
    url = reverse(STEP_URL_NAME, kwargs={"draft": _PLACEHOLDER, "step": step})
    before, _, after = url.partition(str(_PLACEHOLDER))
    return before, after


_PLACEHOLDER = uuid.UUID(int=0)


@functools.cache
def progress_list(index: int) -> SafeString:
    """The progress list at step `index`, the same in every draft: rendered once per process."""
    progress = [
        {"number": n, "title": step.title, "state": _state(n - 1, index)}
        for n, step in enumerate(STEPS, start=1)
    ]
    return render_to_string("decisions/_progress.html", {"progress": progress})


def _state(position: int, current: int) -> str:
    if position < current:
        return "done"
    return "current" if position == current else "todo"


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

