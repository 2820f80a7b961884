"""A Decision: one team's answers, the engine's verdict on them, and the link that shares it."""

import secrets
import unicodedata

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from decisions.domain import costs, engine


def _choices(name: str, pairs: tuple[tuple[str, str], ...]) -> type[models.TextChoices]:
    """TextChoices built from the engine's own (value, label) pairs, so the two never drift."""
    return models.TextChoices(name, [(value.upper(), (value, label)) for value, label in pairs])


ChangeFrequency = _choices("ChangeFrequency", engine.CHANGE_FREQUENCY_CHOICES)
Phase = _choices("Phase", engine.PHASE_CHOICES)
Latency = _choices("Latency", engine.LATENCY_CHOICES)
OutputFormat = _choices("OutputFormat", engine.OUTPUT_FORMAT_CHOICES)
Reasoning = _choices("Reasoning", engine.REASONING_CHOICES)
SmallModel = _choices("SmallModel", engine.SMALL_MODEL_CHOICES)
Strength = _choices("Strength", engine.STRENGTH_CHOICES)
Recommendation = _choices("Recommendation", tuple(engine.RECOMMENDATION_LABELS.items()))


class FineTuning(models.TextChoices):
    NONE = "", "Not offered"
    OPEN = costs.OPEN, "Open to new customers"
    CLOSED = costs.CLOSED, "Closed to new customers"
    RETIRED = costs.RETIRED, "Retired"

TITLE_MAX_LENGTH = 120
# Bidirectional overrides and isolates can make a title display as something it is not.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def title_problem(title: str) -> str | None:
    """Why a title cannot be stored as typed, in words, or None when it can."""
    if len(title.strip()) > TITLE_MAX_LENGTH:
        return f"Shorten the name to {TITLE_MAX_LENGTH} characters or fewer."
    # NUL and lone surrogates cannot be stored (PostgreSQL refuses both); no control character
    # belongs in a one-line title.
    if any(unicodedata.category(c) in {"Cc", "Cs"} or c in _BIDI_CONTROLS for c in title):
        return "Remove control characters from the name."
    return None


TOKEN_BYTES = 18  # secrets.token_urlsafe(18): 24 URL-safe characters, 144 random bits
TOKEN_LENGTH = 24


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _in_range(name: str, maximum: int) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gte": 0, f"{name}__lte": maximum}), name=f"{name}_in_range"
    )


def _known(name: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__in": choices.values}), name=f"{name}_known"
    )


class ModelPriceQuerySet(models.QuerySet):
    def offered_for_fine_tuning(self) -> "ModelPriceQuerySet":
        """Models a tune_model may name: priced for fine-tuning, or with an availability status
        (a closed one gets no estimate, and the page says why)."""
        return self.filter(
            ~Q(fine_tuning="")
            | Q(ft_input_per_m__isnull=False, ft_output_per_m__isnull=False,
                training_per_m__isnull=False)
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
        "shortest cacheable prompt, tokens", default=costs.DEFAULT_MIN_CACHE_TOKENS
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

    objects = ModelPriceQuerySet.as_manager()

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

    def has_fine_tuning(self) -> bool:
        """Whether the sheet prices fine-tuning this model (open to new customers or not)."""
        return None not in (self.ft_input_per_m, self.ft_output_per_m, self.training_per_m)

    def price(self) -> costs.Price:
        """The pure-Python Price the estimate works with (no query)."""
        return costs.Price(
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


# The default pair is one a new customer can fine-tune today (a test holds the seeded sheet to it).
DEFAULT_PROMPT_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
DEFAULT_TUNE_MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"
MODEL_FIELDS = ("prompt_model", "tune_model")
COST_DETAIL_FIELDS = costs.COST_FIELDS


class Source(models.TextChoices):
    FORM = "form", "Form"
    API = "api", "API"


class DecisionQuerySet(models.QuerySet):
    def shared(self) -> "DecisionQuerySet":
        """Decisions whose public link still works."""
        return self.filter(revoked_at__isnull=True)

    def revoked(self) -> "DecisionQuerySet":
        return self.filter(revoked_at__isnull=False)

    def revoke(self) -> int:
        """Turn off the public links that still work (one UPDATE); returns how many."""
        return self.shared().update(revoked_at=timezone.now())

    def restore(self) -> int:
        """Turn revoked public links back on (one UPDATE); returns how many."""
        return self.revoked().update(revoked_at=None)


class Decision(models.Model):
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    draft_id = models.UUIDField(
        unique=True, null=True, blank=True, editable=False,
        help_text="The wizard draft this decision finished; makes the final submit idempotent.",
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FORM)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # The answers, as typed columns (engine.Answers field names).
    monthly_requests = models.BigIntegerField()
    prompt_tokens = models.PositiveIntegerField(default=1500)
    labeled_examples = models.BigIntegerField()
    domain_language = models.BooleanField()
    change_frequency = models.CharField(max_length=16, choices=ChangeFrequency.choices)
    phase = models.CharField(max_length=16, choices=Phase.choices)
    fresh_knowledge = models.BooleanField()
    latency = models.CharField(max_length=16, choices=Latency.choices)
    output_format = models.CharField(max_length=16, choices=OutputFormat.choices)
    reasoning = models.CharField(max_length=16, choices=Reasoning.choices)
    small_model = models.CharField(
        max_length=16, choices=SmallModel.choices, default=SmallModel.NOT_TRIED
    )

    # Optional cost details (the volume step's "Cost details"), with their defaults.
    input_tokens = models.PositiveIntegerField(default=500)
    output_tokens = models.PositiveIntegerField(default=300)
    tuned_prompt_tokens = models.PositiveIntegerField(
        "instruction kept with the fine-tuned model (tokens)", default=100
    )
    retrieved_tokens = models.PositiveIntegerField("retrieved tokens per request", default=1000)
    prompt_caching = models.BooleanField(default=True)
    prompt_model = models.CharField(max_length=60, blank=True, default=DEFAULT_PROMPT_MODEL)
    tune_model = models.CharField(max_length=60, blank=True, default=DEFAULT_TUNE_MODEL)
    epochs = models.PositiveSmallIntegerField(default=3)
    engineering_days = models.PositiveIntegerField(default=10)
    day_rate = models.PositiveIntegerField("cost of an engineering day (USD)", default=800)

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
            _in_range("monthly_requests", engine.MAX_MONTHLY_REQUESTS),
            _in_range("prompt_tokens", engine.MAX_PROMPT_TOKENS),
            _in_range("labeled_examples", engine.MAX_LABELED_EXAMPLES),
            _in_range("input_tokens", costs.MAX_TOKENS_PER_REQUEST),
            _in_range("output_tokens", costs.MAX_TOKENS_PER_REQUEST),
            _in_range("tuned_prompt_tokens", costs.MAX_TOKENS_PER_REQUEST),
            _in_range("retrieved_tokens", costs.MAX_TOKENS_PER_REQUEST),
            _in_range("engineering_days", costs.MAX_ENGINEERING_DAYS),
            _in_range("day_rate", costs.MAX_DAY_RATE),
            models.CheckConstraint(
                condition=Q(epochs__gte=1, epochs__lte=costs.MAX_EPOCHS), name="epochs_in_range"
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
        return reverse("decisions:result", args=[self.token])

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
        return {name: getattr(self, name) for name in (*COST_DETAIL_FIELDS, *MODEL_FIELDS)}


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
