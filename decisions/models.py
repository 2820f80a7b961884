"""A Decision: one team's answers, the engine's verdict on them, and the link that shares it."""

import functools
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from decisions.domain import engine, prices
from decisions.domain.fields import (
    BY_NAME,
    COST_BY_NAME,
    COST_DETAIL_NAMES,
    RECOMMENDATION_CHOICES,
    STRENGTH_CHOICES,
    TITLE,
    choices,
)
from decisions.domain.question import COUNT, MODEL, Question
from decisions.managers import DecisionQuerySet, ModelPriceManager


def _choices(name: str, pairs: tuple[tuple[str, str], ...]) -> type[models.TextChoices]:
    """TextChoices built from the catalogue's own (value, label) pairs, so the two never drift."""
    return models.TextChoices(name, [(value.upper(), (value, label)) for value, label in pairs])


ChangeFrequency = _choices("ChangeFrequency", choices("change_frequency"))
Phase = _choices("Phase", choices("phase"))
Latency = _choices("Latency", choices("latency"))
OutputFormat = _choices("OutputFormat", choices("output_format"))
Reasoning = _choices("Reasoning", choices("reasoning"))
SmallModel = _choices("SmallModel", choices("small_model"))
Strength = _choices("Strength", STRENGTH_CHOICES)
Recommendation = _choices("Recommendation", RECOMMENDATION_CHOICES)


class FineTuning(models.TextChoices):
    NONE = "", "Not offered"
    OPEN = prices.OPEN, "Open to new customers"
    CLOSED = prices.CLOSED, "Closed to new customers"
    RETIRED = prices.RETIRED, "Retired"


TOKEN_BYTES = 18  # secrets.token_urlsafe(18): 24 URL-safe characters, 144 random bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _in_range(question: Question) -> models.CheckConstraint:
    name = question.name
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gte": question.minimum, f"{name}__lte": question.maximum}),
        name=f"{name}_in_range",
    )


def _column(question: Question, field_class: type[models.Field], **options) -> models.Field:
    """A Decision column for one answer or cost detail: its default, help text and (for a count)
    its range, from the catalogue."""
    if question.default is not None:
        options["default"] = question.default
    if question.kind == MODEL:
        options.update(max_length=question.maximum, blank=True)
    if question.kind == COUNT:
        options["validators"] = [
            MinValueValidator(question.minimum), MaxValueValidator(question.maximum)
        ]
    return field_class(question.short, help_text=question.hint, **options)


def _known(name: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__in": choices.values}), name=f"{name}_known"
    )


class ModelPrice(models.Model):
    """One row of the price sheet the cost estimate reads; edited by a lead in the admin."""

    name = models.CharField(max_length=60, unique=True, help_text="The model's API name.")
    provider = models.CharField(max_length=60)
    input_per_m = models.DecimalField(
        "input, per million tokens", max_digits=10, decimal_places=4
    )
    cached_input_per_m = models.DecimalField(
        "cached input, per million tokens", max_digits=12, decimal_places=6,
        null=True, blank=True, help_text="Blank when the provider does not cache prompts.",
    )
    min_cache_tokens = models.PositiveIntegerField(
        "shortest cacheable prompt, tokens", default=prices.DEFAULT_MIN_CACHE_TOKENS
    )
    output_per_m = models.DecimalField(
        "output, per million tokens", max_digits=10, decimal_places=4
    )
    batch_discount = models.DecimalField(
        "batch discount", max_digits=4, decimal_places=3, null=True, blank=True,
        help_text="The share the batch API takes off, 0.5 for half price; blank for no batch.",
    )
    ft_input_per_m = models.DecimalField(
        "fine-tuned input, per million tokens", max_digits=10, decimal_places=4,
        null=True, blank=True, help_text="Blank when the provider offers no fine-tuning.",
    )
    ft_output_per_m = models.DecimalField(
        "fine-tuned output, per million tokens", max_digits=10, decimal_places=4,
        null=True, blank=True, help_text="Blank when the provider offers no fine-tuning.",
    )
    training_per_m = models.DecimalField(
        "training, per million tokens", max_digits=10, decimal_places=4, null=True, blank=True
    )
    hosting_per_hour = models.DecimalField(
        "hosting, per hour", max_digits=10, decimal_places=4, default=0,
        help_text="What a fine-tuned deployment costs to keep running; 0 for pay per token.",
    )
    storage_per_month = models.DecimalField(
        "storage of a fine-tuned model, per month", max_digits=10, decimal_places=4, default=0
    )
    fine_tuning = models.CharField(
        "fine-tuning for a new customer", max_length=8, blank=True, choices=FineTuning.choices,
        default=FineTuning.NONE,
    )
    fine_tuning_since = models.DateField(
        "closed or retired on", null=True, blank=True,
        help_text="When fine-tuning closed to new customers, or the model was retired.",
    )
    fine_tuning_source = models.URLField(
        "source for fine-tuning availability", max_length=300, blank=True
    )
    retires_on = models.DateField(
        null=True, blank=True,
        help_text="When the model and its fine-tunes stop serving, where announced.",
    )
    as_of = models.DateField(
        null=True, blank=True,
        help_text="The date the source page states for these prices; blank when it states none.",
    )
    source_url = models.URLField("source", max_length=300)
    note = models.TextField(blank=True)

    objects = ModelPriceManager()

    class Meta:
        ordering = ["provider", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    input_per_m__gte=0, output_per_m__gte=0, hosting_per_hour__gte=0,
                    storage_per_month__gte=0,
                ),
                name="model_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(batch_discount__isnull=True)
                | Q(batch_discount__gte=0, batch_discount__lt=1),
                name="model_price_batch_discount_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"

    def price(self) -> prices.Price:
        """The pure-Python Price the estimate works with (no query)."""
        return prices.Price(
            name=self.name,
            provider=self.provider,
            input_per_m=self.input_per_m,
            cached_input_per_m=self.cached_input_per_m,
            output_per_m=self.output_per_m,
            batch_discount=self.batch_discount,
            min_cache_tokens=self.min_cache_tokens,
            ft_input_per_m=self.ft_input_per_m,
            ft_output_per_m=self.ft_output_per_m,
            training_per_m=self.training_per_m,
            hosting_per_hour=self.hosting_per_hour,
            storage_per_month=self.storage_per_month,
            fine_tuning=self.fine_tuning,
            fine_tuning_since=self.fine_tuning_since or "",
            fine_tuning_source=self.fine_tuning_source,
            retires_on=self.retires_on or "",
            as_of=self.as_of or "",
            source_url=self.source_url,
            note=self.note,
        )


class Source(models.TextChoices):
    FORM = "form", "Form"
    API = "api", "API"


@functools.lru_cache(maxsize=16)
def _result_path_around(script_prefix: str, urlconf: str) -> tuple[str, str]:
    """What reverse() writes before and after a token in a result's path, under this script
    prefix and URLconf."""
    sample = "T" * 16
    before, _, after = reverse("decisions:result", args=[sample], urlconf=urlconf).partition(sample)
    return before, after


class Decision(models.Model):
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    draft_id = models.UUIDField(
        unique=True, null=True, blank=True, editable=False,
        help_text="The wizard draft this decision finished; makes the final submit idempotent.",
    )
    title = models.CharField(max_length=TITLE.maximum, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FORM)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # The answers, as typed columns (engine.Answers field names; the catalogue's wording).
    monthly_requests = _column(BY_NAME["monthly_requests"], models.BigIntegerField)
    prompt_tokens = _column(BY_NAME["prompt_tokens"], models.PositiveIntegerField)
    labeled_examples = _column(BY_NAME["labeled_examples"], models.BigIntegerField)
    domain_language = _column(BY_NAME["domain_language"], models.BooleanField)
    change_frequency = _column(
        BY_NAME["change_frequency"], models.CharField, max_length=16,
        choices=ChangeFrequency.choices,
    )
    phase = _column(BY_NAME["phase"], models.CharField, max_length=16, choices=Phase.choices)
    fresh_knowledge = _column(BY_NAME["fresh_knowledge"], models.BooleanField)
    latency = _column(BY_NAME["latency"], models.CharField, max_length=16, choices=Latency.choices)
    output_format = _column(
        BY_NAME["output_format"], models.CharField, max_length=16, choices=OutputFormat.choices
    )
    reasoning = _column(
        BY_NAME["reasoning"], models.CharField, max_length=16, choices=Reasoning.choices
    )
    small_model = _column(
        BY_NAME["small_model"], models.CharField, max_length=16, choices=SmallModel.choices
    )

    # Optional cost details (the volume step's "Cost details"), with their defaults.
    input_tokens = _column(COST_BY_NAME["input_tokens"], models.PositiveIntegerField)
    output_tokens = _column(COST_BY_NAME["output_tokens"], models.PositiveIntegerField)
    tuned_prompt_tokens = _column(COST_BY_NAME["tuned_prompt_tokens"], models.PositiveIntegerField)
    retrieved_tokens = _column(COST_BY_NAME["retrieved_tokens"], models.PositiveIntegerField)
    prompt_caching = _column(COST_BY_NAME["prompt_caching"], models.BooleanField)
    prompt_model = _column(COST_BY_NAME["prompt_model"], models.CharField)
    tune_model = _column(COST_BY_NAME["tune_model"], models.CharField)
    epochs = _column(COST_BY_NAME["epochs"], models.PositiveSmallIntegerField)
    engineering_days = _column(COST_BY_NAME["engineering_days"], models.PositiveIntegerField)
    day_rate = _column(COST_BY_NAME["day_rate"], models.PositiveIntegerField)

    # The verdict as given at the time: later rule changes never rewrite it.
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices)
    strength = models.CharField(
        max_length=16, choices=Strength.choices, blank=True,
        help_text="How firm the verdict is; empty for decisions made before engine 2.0.",
    )
    result = models.JSONField(help_text="engine.Result.as_dict() when the decision was made.")
    engine_version = models.CharField(max_length=16)
    economics = models.JSONField(
        null=True, blank=True,
        help_text="engine.Economics.as_dict(): the cost figures the engine decided with.",
    )
    cost_estimate = models.JSONField(
        null=True, blank=True,
        help_text="costs.panel() at the time; empty when no price was known.",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            *(
                _in_range(question)
                for question in (*BY_NAME.values(), *COST_BY_NAME.values())
                if question.kind == COUNT
            ),
            _known("change_frequency", ChangeFrequency),
            _known("phase", Phase),
            _known("latency", Latency),
            _known("output_format", OutputFormat),
            _known("reasoning", Reasoning),
            _known("small_model", SmallModel),
            _known("recommendation", Recommendation),
        ]

    def __str__(self) -> str:
        return f"{self.title or 'Untitled'}: {self.get_recommendation_display()}"

    def get_absolute_url(self) -> str:
        """reverse("decisions:result", args=[self.token]), without searching the URLconf on each
        call: the path around a token is the same for every token, since a token's characters
        are never escaped in a URL."""
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        before, after = _result_path_around(get_script_prefix(), urlconf)
        return f"{before}{self.token}{after}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def to_dict(self, url: str) -> dict[str, object]:
        """The one JSON shape of a decision (DESIGN section 4), for the API and the .json export:
        the stored Result.as_dict() plus token, `url` (the absolute link), title, answers, cost
        details, the economics the engine decided with, the cost panel and created (no query).
        A decision made before engine 2.0 has no strength stored: it reads null."""
        return {
            "strength": self.strength or None,
            **self.result,
            "token": self.token,
            "url": url,
            "title": self.title,
            "answers": {name: getattr(self, name) for name in engine.ANSWER_FIELDS},
            "cost_details": self.cost_details(),
            "economics": self.economics,
            "costs": self.cost_estimate,
            "created": self.created.isoformat(),
        }

    def answers(self) -> engine.Answers:
        """The stored answers as the engine's Answers (no query)."""
        return engine.Answers(**{name: getattr(self, name) for name in engine.ANSWER_FIELDS})

    def cost_details(self) -> "dict[str, object]":
        return {name: getattr(self, name) for name in COST_DETAIL_NAMES}


class RateCount(models.Model):
    """How many decisions one client created in one fixed window: the rate limit's counter.

    decisions.platform.ratelimit adds to it with one atomic UPSERT, so any number of processes and
    replicas share one exact count; old windows are deleted by decisions.platform.housekeeping.
    """

    key = models.CharField(max_length=100, help_text="What is limited, and for whom.")
    window = models.BigIntegerField(help_text="The window's start, in seconds since 1970.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="one_count_per_window"),
        ]

    def __str__(self) -> str:
        return f"{self.key} from {self.window}: {self.count}"


class IdempotencyKey(models.Model):
    """An API client's Idempotency-Key, and the decision its first request made (24 hours)."""

    key = models.CharField(max_length=100, unique=True)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request's JSON.")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.key
