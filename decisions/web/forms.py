"""One form per wizard step, built from the catalogue (decisions.domain.fields): each field's
label, hint, range, default and error messages are the catalogue's. Field names are
engine.Answers and costs.CostInputs field names."""

import re

from django import forms

from decisions.domain.fields import COST_DETAIL_NAMES as COST_DETAIL_NAMES  # the wizard's
from decisions.domain.fields import COST_QUESTIONS, MODEL_FIELDS, QUESTIONS, STEPS, TITLE
from decisions.domain.question import (
    CONTROL_CHARACTERS,
    COUNT,
    MODEL,
    YES_NO,
    Question,
    whole_number,
)
from decisions.web.layout import step_helper

# Digits, optionally grouped in threes by one kind of separator: 1000000, 1,000,000, 1 000 000,
# 1.000.000 or 1_000_000.
_WHOLE_NUMBER = re.compile(r"-?\d+|-?\d{1,3}(?:([,._ ])\d{3})(?:\1\d{3})*")


class CountField(forms.IntegerField):
    """A whole number typed by a person: "1,000,000", "1 000 000" and "1000000" all work."""

    widget = forms.TextInput

    def __init__(self, question: Question, **kwargs) -> None:
        super().__init__(min_value=question.minimum, max_value=question.maximum, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "required": question.missing,
            "invalid": question.not_a_number,
            "min_value": question.too_small,
            "max_value": question.too_big,
        }
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if value and not _WHOLE_NUMBER.fullmatch(value):
                # "1.5", "2.000,50" or "1,5": never guess which part is the decimal.
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            value = re.sub(r"[,._ ]", "", value)
            if value:
                # A number too long to convert is out of range all the same, and says so.
                value = whole_number(value)
        return super().to_python(value)


def form_field(question: Question) -> forms.Field:
    """The form field for one catalogue entry. An optional one starts at its default, and a
    blank answer means the default (VolumeForm.clean)."""
    required = question.required or question.must_answer
    common = {
        "label": question.label,
        "help_text": question.hint,
        "required": required,
        "initial": None if required else question.default,
    }
    if question.kind == COUNT:
        return CountField(question, **common)
    if question.kind == MODEL:
        # The choices are the price sheet's, given to the form when it is made.
        return forms.ChoiceField(**common, error_messages={"invalid_choice": question.select})
    if question.kind == YES_NO and not required:
        common["initial"] = "yes" if question.default else "no"
    return forms.TypedChoiceField(
        **common,
        choices=[(option.value, option.label) for option in question.options],
        coerce=(lambda value: value == "yes") if question.is_bool else str,
        empty_value="" if required else None,
        widget=forms.RadioSelect,
        error_messages={"required": question.missing, "invalid_choice": question.missing},
    )


def _declared(step: str) -> dict[str, forms.Field]:
    """The step's questions (the volume step's cost details last), as form fields."""
    asked = (*QUESTIONS, *COST_QUESTIONS)
    return {question.name: form_field(question) for question in asked if question.step == step}


class StepForm(forms.Form):
    """What every step's form shares (the place for a hook every step needs)."""


class _VolumeForm(StepForm):
    """Volume, plus the optional cost details (they feed the cost estimate, not the verdict).

    The model lists come from the price sheet; the wizard passes them in so one request reads
    the sheet once however many times it builds this form.
    """

    def __init__(self, *args, model_choices=(), tunable_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prompt_model"].choices = model_choices
        self.fields["tune_model"].choices = tunable_choices

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        # A blank optional answer means "use the default", as the hint promises; a model not on
        # this price sheet means none.
        for name, field in self.fields.items():
            if cleaned.get(name) in (None, "") and name not in self.errors and not field.required:
                default = field.initial
                if name in MODEL_FIELDS and default not in dict(field.choices):
                    default = ""
                elif isinstance(field, forms.TypedChoiceField):
                    default = field.coerce(default)
                cleaned[name] = default
        return cleaned


def _step_form(name: str, step: str, base: type[StepForm] = StepForm) -> type[StepForm]:
    return type(base)(name, (base,), {"__module__": __name__, **_declared(step)})


VolumeForm = _step_form("VolumeForm", "volume", _VolumeForm)
DataForm = _step_form("DataForm", "data")
StabilityForm = _step_form("StabilityForm", "stability")
DeliveryForm = _step_form("DeliveryForm", "delivery")


class ReviewForm(StepForm):
    title = forms.CharField(
        label=TITLE.label,
        help_text=TITLE.hint,
        max_length=TITLE.maximum,
        required=False,
        error_messages={
            "max_length": TITLE.too_long,
            "null_characters_not_allowed": CONTROL_CHARACTERS,
        },
    )

    def clean_title(self) -> str:
        problem = TITLE.text_problem(self.cleaned_data["title"])
        if problem:
            raise forms.ValidationError(problem)
        return self.cleaned_data["title"]


STEP_FORMS: dict[str, type[forms.Form]] = {
    "volume": VolumeForm,
    "data": DataForm,
    "stability": StabilityForm,
    "delivery": DeliveryForm,
    "review": ReviewForm,
}
assert tuple(STEP_FORMS) == tuple(step.name for step in STEPS)

# How crispy-forms renders each step (decisions/web/layout.py). No `required` attribute: the
# wizard's form is novalidate, and the error pattern, not the browser, says what is missing.
for _form_class in STEP_FORMS.values():
    _form_class.helper = step_helper(_form_class)
    _form_class.use_required_attribute = False
