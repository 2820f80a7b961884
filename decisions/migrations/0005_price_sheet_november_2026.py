"""Seed the November 2026 price sheet: cached-input and batch prices, and whether a new customer
can fine-tune each model today, with sources (decisions/price_sheet.py)."""

import datetime
from decimal import Decimal

from django.db import migrations

from decisions.domain.price_sheet import ROWS

_DECIMALS = (
    "input_per_m", "cached_input_per_m", "output_per_m", "batch_discount", "ft_input_per_m",
    "ft_output_per_m", "training_per_m", "hosting_per_hour", "storage_per_month",
)
_DATES = ("fine_tuning_since", "retires_on", "as_of")


def _fields(row):
    fields = dict(row)
    for name in _DECIMALS:
        if fields.get(name) is not None:
            fields[name] = Decimal(fields[name])
    for name in _DATES:
        if fields.get(name):
            fields[name] = datetime.date.fromisoformat(fields[name])
    return fields


def seed(apps, schema_editor):
    ModelPrice = apps.get_model("decisions", "ModelPrice")
    blank = {
        "cached_input_per_m": None, "batch_discount": None, "ft_input_per_m": None,
        "ft_output_per_m": None, "training_per_m": None, "hosting_per_hour": Decimal(0),
        "storage_per_month": Decimal(0), "fine_tuning": "", "fine_tuning_since": None,
        "fine_tuning_source": "", "retires_on": None, "min_cache_tokens": 1024,
    }
    for row in ROWS:
        fields = _fields(row)
        name = fields.pop("name")
        ModelPrice.objects.update_or_create(name=name, defaults={**blank, **fields})


def unseed(apps, schema_editor):
    """Back to the sheet of 0003: its four OpenAI rows stay, the rest go."""
    kept = ("gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o-mini")
    apps.get_model("decisions", "ModelPrice").objects.exclude(name__in=kept).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0004_engine_2")]

    operations = [migrations.RunPython(seed, unseed)]
