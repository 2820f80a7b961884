"""Seed the price sheet with OpenAI's documented per-million-token prices (as of 2025)."""

import datetime
from decimal import Decimal

from django.db import migrations

SOURCE = "https://openai.com/api/pricing/"
NOTE = (
    "As of 2025; check the provider's pricing page before relying on these figures. "
    "OpenAI announced in 2026 that it is winding down self-serve fine-tuning, so fine-tuning "
    "these models may no longer be open to new customers."
)
# name: (training, fine-tuned input, fine-tuned output, base input, base output), USD per 1M tokens
PRICES = {
    "gpt-4.1": ("25.00", "3.00", "12.00", "2.00", "8.00"),
    "gpt-4.1-mini": ("5.00", "0.80", "3.20", "0.40", "1.60"),
    "gpt-4.1-nano": ("1.50", "0.20", "0.80", "0.10", "0.40"),
    "gpt-4o-mini": ("3.00", "0.30", "1.20", "0.15", "0.60"),
}


def seed(apps, schema_editor):
    ModelPrice = apps.get_model("decisions", "ModelPrice")
    for name, (training, ft_in, ft_out, base_in, base_out) in PRICES.items():
        ModelPrice.objects.update_or_create(
            name=name,
            defaults={
                "provider": "OpenAI",
                "input_per_m": Decimal(base_in),
                "output_per_m": Decimal(base_out),
                "ft_input_per_m": Decimal(ft_in),
                "ft_output_per_m": Decimal(ft_out),
                "training_per_m": Decimal(training),
                "hosting_per_hour": Decimal(0),
                "as_of": datetime.date(2025, 6, 1),
                "source_url": SOURCE,
                "note": NOTE,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("decisions", "ModelPrice").objects.filter(name__in=PRICES).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0002_cost_estimates")]

    operations = [migrations.RunPython(seed, unseed)]
