"""A Decision: one team's answers, the engine's verdict on them, and the link that shares it."""

import secrets
import uuid

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from decisions import engine


def _choices(name: str, pairs: tuple[tuple[str, str], ...]) -> type[models.TextChoices]:
    """TextChoices built from the engine's own (value, label) pairs, so the two never drift."""
    return models.TextChoices(name, [(value.upper(), (value, label)) for value, label in pairs])


ChangeFrequency = _choices("ChangeFrequency", engine.CHANGE_FREQUENCY_CHOICES)
Phase = _choices("Phase", engine.PHASE_CHOICES)
Latency = _choices("Latency", engine.LATENCY_CHOICES)
OutputFormat = _choices("OutputFormat", engine.OUTPUT_FORMAT_CHOICES)
Reasoning = _choices("Reasoning", engine.REASONING_CHOICES)
Recommendation = _choices("Recommendation", tuple(engine.RECOMMENDATION_LABELS.items()))

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

    def record(
        self,
        answers: engine.Answers,
        *,
        title: str = "",
        draft_id: uuid.UUID | None = None,
        source: str = Source.FORM,
    ) -> tuple["Decision", bool]:
        """Decide on `answers` and store the decision: one INSERT.

        With a `draft_id`, recording the same draft again returns the decision already made
        for it (one more query) instead of a second one: refresh and double-click are harmless.
        Returns (decision, created).
        """
        result = engine.decide(answers)
        decision = self.model(
            title=title.strip(),
            draft_id=draft_id,
            source=source,
            recommendation=result.recommendation,
            result=result.as_dict(),
            engine_version=result.engine_version,
            **answers.as_dict(),
        )
        try:
            with transaction.atomic():
                decision.save(force_insert=True)
        except IntegrityError:
            if draft_id is None:
                raise
            return self.get(draft_id=draft_id), False
        return decision, True


class Decision(models.Model):
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    draft_id = models.UUIDField(
        unique=True, null=True, blank=True, editable=False,
        help_text="The wizard draft this decision finished; makes the final submit idempotent.",
    )
    title = models.CharField(max_length=120, blank=True)
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

    # The verdict as given at the time: later rule changes never rewrite it.
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices)
    result = models.JSONField(help_text="engine.Result.as_dict() when the decision was made.")
    engine_version = models.CharField(max_length=16)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            _in_range("monthly_requests", engine.MAX_MONTHLY_REQUESTS),
            _in_range("prompt_tokens", engine.MAX_PROMPT_TOKENS),
            _in_range("labeled_examples", engine.MAX_LABELED_EXAMPLES),
            _known("change_frequency", ChangeFrequency),
            _known("phase", Phase),
            _known("latency", Latency),
            _known("output_format", OutputFormat),
            _known("reasoning", Reasoning),
            _known("recommendation", Recommendation),
        ]

    def __str__(self) -> str:
        return f"{self.title or 'Untitled'}: {self.get_recommendation_display()}"

    def get_absolute_url(self) -> str:
        return f"/d/{self.token}/"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def answers(self) -> engine.Answers:
        """The stored answers as the engine's Answers (no query)."""
        return engine.Answers(**{name: getattr(self, name) for name in engine.ANSWER_FIELDS})

    def current_result(self) -> engine.Result | None:
        """What today's engine says, when it would differ from the stored verdict (no query)."""
        if self.engine_version == engine.ENGINE_VERSION:
            return None
        result = engine.decide(self.answers())
        return None if result.recommendation == self.recommendation else result
