"""One form per wizard step. Field names are engine.Answers field names."""

import re

from django import forms

from decisions.domain import costs, engine
from decisions.domain.fields import BY_NAME, COST_BY_NAME, Question
from decisions.models import DEFAULT_PROMPT_MODEL, DEFAULT_TUNE_MODEL, title_problem
from decisions.web.layout import step_helper


class CountField(forms.IntegerField):
    """A whole number typed by a person: "1,000,000", "1 000 000" and "1000000" all work."""

    def __init__(
        self, *, noun: str, example: str, maximum: int, minimum: int = 0, **kwargs
    ) -> None:
        self.noun, self.example = noun, example
        super().__init__(min_value=minimum, max_value=maximum, **kwargs)
        self.error_messages = {
            **self.error_messages,
            "required": f"Enter the number of {noun}, for example {example}.",
            "invalid": f"Enter the number of {noun} as a whole number, for example {example}.",
            "min_value": f"Enter a number of {noun} of {minimum} or more.",
            "max_value": f"Enter a number of {noun} of {maximum:,} or fewer.",
        }
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    widget = forms.TextInput

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if value and not _WHOLE_NUMBER.fullmatch(value):
                # "1.5", "2.000,50" or "1,5": never guess which part is the decimal.
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            value = re.sub(r"[,._ ]", "", value)
            # A 5,000-digit string would hit Python's int() digit limit: far over any maximum.
            if len(value) > 15:
                raise forms.ValidationError(self.error_messages["max_value"], code="max_value")
        return super().to_python(value)


# Digits, optionally grouped in threes by one kind of separator: 1000000, 1,000,000, 1 000 000,
# 1.000.000 or 1_000_000.
_WHOLE_NUMBER = re.compile(r"-?\d+|-?\d{1,3}(?:([,._ ])\d{3})(?:\1\d{3})*")


def _choice(question: Question, message: str) -> forms.TypedChoiceField:
    coerce = (lambda value: value == "yes") if question.is_bool else str
    return forms.TypedChoiceField(
        label=question.label,
        help_text=question.hint,
        choices=[(option.value, option.label) for option in question.options],
        coerce=coerce,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def _count(question: Question, noun: str, example: str, maximum: int, **kwargs) -> CountField:
    return CountField(
        label=question.label, help_text=question.hint, noun=noun, example=example,
        maximum=maximum, **kwargs,
    )


def _cost_count(name: str, noun: str, maximum: int, minimum: int = 0) -> CountField:
    question = COST_BY_NAME[name]
    return CountField(
        label=question.label, help_text=question.hint, noun=noun,
        example=f"{costs.COST_DETAIL_DEFAULTS[name]:,}", maximum=maximum, minimum=minimum,
        initial=costs.COST_DETAIL_DEFAULTS[name], required=False,
    )


def _cost_choice(name: str) -> forms.TypedChoiceField:
    question = COST_BY_NAME[name]
    field = _choice(question, f"Select yes or no for {question.short}.")
    field.required = False
    field.initial = "yes" if costs.COST_DETAIL_DEFAULTS[name] else "no"
    field.empty_value = None
    return field


def _model_choice(name: str, default: str) -> forms.ChoiceField:
    question = COST_BY_NAME[name]
    message = f"Choose {question.short.replace('model', 'a model')} from the list."
    return forms.ChoiceField(
        label=question.label, help_text=question.hint, required=False, initial=default,
        error_messages={"invalid_choice": message},
    )


PROMPT_TOKENS_DEFAULT = 1500  # as engine.Answers


class VolumeForm(forms.Form):
    """Volume, plus the optional cost details (they feed the cost estimate, not the verdict).

    The model lists come from the price sheet; the wizard passes them in so one request reads
    the sheet once however many times it builds this form.
    """

    monthly_requests = _count(
        BY_NAME["monthly_requests"], "completions a month", "250,000", engine.MAX_MONTHLY_REQUESTS
    )
    prompt_tokens = _count(
        BY_NAME["prompt_tokens"], "prompt tokens", "1,500", engine.MAX_PROMPT_TOKENS,
        initial=PROMPT_TOKENS_DEFAULT, required=False,
    )
    input_tokens = _cost_count("input_tokens", "input tokens", costs.MAX_TOKENS_PER_REQUEST)
    output_tokens = _cost_count("output_tokens", "output tokens", costs.MAX_TOKENS_PER_REQUEST)
    tuned_prompt_tokens = _cost_count(
        "tuned_prompt_tokens", "instruction tokens", costs.MAX_TOKENS_PER_REQUEST
    )
    retrieved_tokens = _cost_count(
        "retrieved_tokens", "retrieved tokens", costs.MAX_TOKENS_PER_REQUEST
    )
    prompt_caching = _cost_choice("prompt_caching")
    prompt_model = _model_choice("prompt_model", DEFAULT_PROMPT_MODEL)
    tune_model = _model_choice("tune_model", DEFAULT_TUNE_MODEL)
    epochs = _cost_count("epochs", "training epochs", costs.MAX_EPOCHS, minimum=1)
    engineering_days = _cost_count(
        "engineering_days", "engineering days", costs.MAX_ENGINEERING_DAYS
    )
    day_rate = _cost_count("day_rate", "US dollars a day", costs.MAX_DAY_RATE)

    def __init__(self, *args, model_choices=(), tunable_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prompt_model"].choices = model_choices
        self.fields["tune_model"].choices = tunable_choices

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        # A blank optional number means "use the default", as the hint promises.
        defaults = {"prompt_tokens": PROMPT_TOKENS_DEFAULT, **costs.COST_DETAIL_DEFAULTS}
        for name, default in defaults.items():
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = default
        for name in ("prompt_model", "tune_model"):
            field = self.fields[name]
            if not cleaned.get(name) and name not in self.errors:
                offered = {choice for choice, _ in field.choices}
                cleaned[name] = field.initial if field.initial in offered else ""
        return cleaned


COST_DETAIL_NAMES = (*costs.COST_FIELDS, "prompt_model", "tune_model")


class DataForm(forms.Form):
    labeled_examples = _count(
        BY_NAME["labeled_examples"], "labeled examples", "800", engine.MAX_LABELED_EXAMPLES
    )
    domain_language = _choice(
        BY_NAME["domain_language"], "Select yes if the model mishandles your specialised terms."
    )
    small_model = _choice(
        BY_NAME["small_model"],
        "Select whether the model you would fine-tune is good enough when prompted.",
    )


class StabilityForm(forms.Form):
    change_frequency = _choice(
        BY_NAME["change_frequency"], "Select how often the task's requirements change."
    )
    phase = _choice(BY_NAME["phase"], "Select where the project is now.")
    fresh_knowledge = _choice(
        BY_NAME["fresh_knowledge"], "Select yes if answers depend on facts that change."
    )


class DeliveryForm(forms.Form):
    latency = _choice(BY_NAME["latency"], "Select how fast an answer must come back.")
    output_format = _choice(BY_NAME["output_format"], "Select what the output must look like.")
    reasoning = _choice(BY_NAME["reasoning"], "Select how much reasoning the task needs.")


class ReviewForm(forms.Form):
    title = forms.CharField(
        label="Name this assessment (optional)",
        help_text="Teammates see it on the shared result, for example Support triage.",
        max_length=120,
        required=False,
        error_messages={
            "max_length": "Enter a name of 120 characters or fewer.",
            "null_characters_not_allowed": "Remove control characters from the name.",
        },
    )

    def clean_title(self) -> str:
        problem = title_problem(self.cleaned_data["title"])
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

# How crispy-forms renders each step (decisions/web/layout.py). No `required` attribute: the
# wizard's form is novalidate, and the error pattern, not the browser, says what is missing.
for _form_class in STEP_FORMS.values():
    _form_class.helper = step_helper(_form_class)
    _form_class.use_required_attribute = False
