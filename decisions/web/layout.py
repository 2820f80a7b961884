"""How crispy-forms lays out each wizard step: one FormHelper per form class, built once.

The markup itself lives in templates/bootstrap5/ (our overrides of crispy-bootstrap5's field
templates: the GOV.UK question pattern, a hint under each radio option); the layout objects
here only say which question goes where and hand those templates what the catalogue knows.
"""

import functools

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK, render_crispy_form
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from decisions.domain.fields import BY_NAME, COST_BY_NAME

# Typical monthly volumes offered under the volume box (a <datalist>; typing stays free).
VOLUME_PRESETS = (
    (10_000, "a small internal tool"),
    (100_000, "a team-wide feature"),
    (1_000_000, "a product feature at scale"),
    (10_000_000, "a high-traffic product"),
)


# A question's markup, once rendered by crispy, per process: a step renders the same few
# states of each question (its answer, its error) over and over. Derived from the catalogue,
# the templates and the key alone, so it is never stale within a release (DESIGN section 2).
RENDERED: dict[tuple, SafeString] = {}
MAX_RENDERED = 2000  # a radio question has a handful of states; typed numbers have many


def keep(key: tuple, html: SafeString) -> None:
    """Remember a rendering; when MAX_RENDERED are kept, start again (about 5 MB at most)."""
    if len(RENDERED) >= MAX_RENDERED:
        RENDERED.clear()
    RENDERED[key] = html


def field_state(bound: forms.BoundField) -> tuple:
    """What a field's markup depends on: its name, id, value, errors and choices (a draft's
    own model lists)."""
    return (
        bound.html_name, bound.auto_id, repr(bound.value()), tuple(bound.errors),
        tuple(getattr(bound.field, "choices", ())),
    )


def render_form(form: forms.Form, changing: str = "") -> SafeString:
    """What {% crispy form %} prints for a step's form, remembered like each question (by the
    form's class, whether it was sent, its own errors, every field's state and whether its
    cost details are open): rendered through crispy's render_crispy_form() when not kept yet.
    The form's template and field templates read nothing from the page's context (the pages
    are the same either way: pinned by tests/web/test_wizard.py).

    `changing` names the answer the person came from the review step to change: when it is
    one of this form's cost details, they are shown open. Any other name changes nothing."""
    details_open = changing in COST_BY_NAME and changing in form.fields
    key = (
        type(form), form.prefix, form.is_bound, tuple(form.non_field_errors()),
        *(field_state(form[name]) for name in form.fields), details_open,
    )
    html = RENDERED.get(key)
    if html is None:
        html = render_crispy_form(form, context={"details_open": details_open})
        if not settings.DEBUG:
            keep(key, html)
    return html


class QuestionField(Field):
    """One question, rendered by templates/bootstrap5/field.html: radios with each option's
    hint from the catalogue, a number box with its suggested values."""

    def __init__(self, name: str, *, options=(), presets=(), **attrs) -> None:
        super().__init__(name, **attrs)
        self.options = options
        self.presets = [{"value": value, "label": f"{value:,} a month: {text}"}
                        for value, text in presets]

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        key = None if extra_context else self.rendering_key(form, template_pack)
        html = RENDERED.get(key)
        if html is None:
            extra = dict(extra_context or {})
            if self.options:
                extra["question_options"] = self.radios(form[self.fields[0]])
            if self.presets:
                extra["question_presets"] = self.presets
            html = super().render(form, context, template_pack, extra_context=extra, **kwargs)
            if key and not settings.DEBUG:  # in development, an edited template shows at once
                keep(key, html)
        elif hasattr(form, "rendered_fields"):  # as crispy's render_field would have noted
            form.rendered_fields.add(self.fields[0])
        return html

    def rendering_key(self, form, template_pack) -> tuple:
        """Everything the question's markup depends on: the form, its field's state. The
        template reads nothing else from the page's context; a layout passing extra context is
        not remembered."""
        return (self, type(form), str(template_pack), *field_state(form[self.fields[0]]))

    def radios(self, bound: forms.BoundField) -> list[dict[str, object]]:
        """Each option with its hint and whether it is chosen; ids as Django's RadioSelect
        gives them, so the error summary's links (to the first option) find them."""
        value = bound.value()
        if isinstance(value, bool):  # an initial value given as the answer, not as typed
            value = "yes" if value else "no"
        chosen = "" if value is None else str(value)
        return [
            {"id": f"{bound.auto_id}_{n}", "value": option.value, "label": option.label,
             "hint": option.hint, "selected": option.value == chosen}
            for n, option in enumerate(self.options)
        ]


class Details(LayoutObject):
    """Optional questions folded away in a <details>, open when one of them has an error or
    is the answer being changed (render_form's `changing`)."""

    template = "%s/layout/details.html"

    def __init__(self, summary: str, intro: str, *fields: LayoutObject) -> None:
        self.summary, self.intro = summary, intro
        self.fields = list(fields)
        self.names = [name for item in fields for name in item.fields]

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        rendered = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return render_to_string(self.get_template_name(template_pack), {
            "details": self,
            "fields": rendered,
            "open": context.get("details_open", False)
            or any(form.errors.get(name) for name in self.names),
        })


@functools.cache
def question_anchor(form_class: type[forms.Form], prefix: str, name: str) -> str:
    """The id of a question's block on its step's page, as templates/bootstrap5/field.html
    writes it: its label or legend, hint and input, so a link there shows the whole question.
    Worked out once per question."""
    return f"div_{form_class(prefix=prefix)[name].auto_id}"


def question(name: str, field: forms.Field) -> QuestionField:
    """The layout object for one form field, from its kind and the catalogue."""
    if isinstance(field.widget, forms.RadioSelect):
        entry = BY_NAME.get(name) or COST_BY_NAME[name]
        return QuestionField(name, options=entry.options)
    if isinstance(field.widget, forms.Select):
        return QuestionField(name, css_class="input-select")
    if isinstance(field, forms.IntegerField):
        if name == "monthly_requests":
            return QuestionField(name, css_class="input-number", spellcheck="false",
                            presets=VOLUME_PRESETS, list="id_volume-monthly_requests_presets")
        return QuestionField(name, css_class="input-number", spellcheck="false")
    return QuestionField(name)


class StepHelper(FormHelper):
    """A FormHelper that works out its attributes once: a step's helper is made once per form
    class and never changed, and crispy asks for them on every render (about a tenth of the
    {% crispy %} tag's work, a reverse() that fails included). Each call gets its own copy."""

    def get_attributes(self, template_pack=TEMPLATE_PACK) -> dict:
        attributes = _attributes(self, str(template_pack))
        return {**attributes, "attrs": dict(attributes["attrs"])}


@functools.cache
def _attributes(helper: StepHelper, template_pack: str) -> dict:
    return FormHelper.get_attributes(helper, template_pack)


def step_helper(form_class: type[forms.Form]) -> FormHelper:
    """A step's helper: its questions in order, the optional cost details folded at the end.

    No <form> tag and no CSRF field: the wizard's template writes its own form around the
    management form, the progress list and the buttons.
    """
    items = [question(name, field) for name, field in form_class.base_fields.items()]
    main = [item for item in items if item.fields[0] not in COST_BY_NAME]
    optional = [item for item in items if item.fields[0] in COST_BY_NAME]
    if optional:
        main.append(Details(
            "Cost details (optional)",
            "Advisor estimates what each approach would cost a month. Keep the defaults if "
            "you are not sure.",
            *optional,
        ))
    helper = StepHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.template = "decisions/step_form.html"  # crispy's hook for the whole-form template
    helper.layout = Layout(*main)
    return helper
