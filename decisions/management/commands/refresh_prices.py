"""Refresh the price sheet's base, cached-input and output prices from the genai-prices package.

genai-prices (kept by Pydantic) ships its price data inside the package: this reads the
installed version, sends nothing over the network, and leaves every fine-tuning figure, status and
date alone (the package has none; those stay hand-kept with their sources). Rows it does not know
are left as they are. Upgrade the package first (pip install -U genai-prices) for newer prices.
"""

import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from decisions.models import ModelPrice

# Price-sheet providers as genai-prices names them.
PROVIDER_IDS = {
    "OpenAI": "openai",
    "Google": "google",
    "Together AI": "together",
    "Fireworks AI": "fireworks",
    "Amazon Bedrock": "aws",
    "Mistral": "mistral",
}
FIELDS = (("input_per_m", "input_mtok"), ("cached_input_per_m", "cache_read_mtok"),
          ("output_per_m", "output_mtok"))


def lookup(name: str, provider: str, when: datetime.datetime) -> dict[str, Decimal | None] | None:
    """The package's prices per million tokens for one model, or None when it does not list it
    (or lists only tiered prices, which a flat price sheet cannot hold)."""
    from genai_prices import Usage, calc_price

    provider_id = PROVIDER_IDS.get(provider)
    if provider_id is None:
        return None
    try:
        found = calc_price(
            Usage(input_tokens=1, output_tokens=1), name, provider_id=provider_id,
            genai_request_timestamp=when,
        )
    except LookupError:
        return None
    prices = {}
    for field, attribute in FIELDS:
        value = getattr(found.model_price, attribute, None)
        if value is not None and not isinstance(value, Decimal):
            return None  # tiered by prompt length
        prices[field] = value
    if prices["input_per_m"] is None or prices["output_per_m"] is None:
        return None
    return prices


class Command(BaseCommand):
    help = "Refresh base, cached-input and output prices from the installed genai-prices package."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        import genai_prices

        version = getattr(genai_prices, "__version__", "unknown")
        now = datetime.datetime.now(datetime.UTC)
        changed = 0
        with transaction.atomic():
            for row in ModelPrice.objects.select_for_update().order_by("provider", "name"):
                prices = lookup(row.name, row.provider, now)
                if prices is None:
                    self.stdout.write(f"{row.name}: not in genai-prices {version}; kept")
                    continue
                changes = {
                    field: value for field, value in prices.items()
                    if value is not None and getattr(row, field) != value
                }
                for field, value in changes.items():
                    self.stdout.write(f"{row.name}: {field} {getattr(row, field)} -> {value}")
                    setattr(row, field, value)
                if changes:
                    changed += 1
                    if not dry_run:
                        row.note = _noted(row.note, version)
                        row.save()
            if dry_run:
                transaction.set_rollback(True)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"{changed} model(s) {verb}, from genai-prices {version}.")


def _noted(note: str, version: str) -> str:
    stamp = f"Base prices refreshed from genai-prices {version}."
    return note if stamp in note else f"{note} {stamp}".strip()
