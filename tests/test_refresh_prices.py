"""`manage.py refresh_prices`: base and cached-input prices from the genai-prices package, the
hand-kept fine-tuning figures left alone."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from decisions.models import ModelPrice


def _run(*args: str) -> str:
    out = StringIO()
    call_command("refresh_prices", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_stale_base_price_is_refreshed_and_fine_tuning_figures_are_kept():
    row = ModelPrice.objects.get(name="gpt-4.1-mini")
    ModelPrice.objects.filter(pk=row.pk).update(
        input_per_m=Decimal("9.99"), cached_input_per_m=None
    )
    output = _run()
    row.refresh_from_db()
    assert row.input_per_m == Decimal("0.40") and row.cached_input_per_m == Decimal("0.10")
    assert "gpt-4.1-mini: input_per_m 9.9900 -> 0.4" in output
    assert (row.training_per_m, row.ft_input_per_m, row.fine_tuning) == (
        Decimal("5.00"), Decimal("0.80"), "closed"
    )
    assert "genai-prices" in row.note


@pytest.mark.django_db
def test_dry_run_says_what_would_change_and_changes_nothing():
    ModelPrice.objects.filter(name="gpt-4.1").update(output_per_m=Decimal("1"))
    output = _run("--dry-run")
    assert "gpt-4.1: output_per_m 1.0000 -> 8" in output
    assert "1 model(s) would change" in output, output
    assert ModelPrice.objects.get(name="gpt-4.1").output_per_m == Decimal("1")


@pytest.mark.django_db
def test_models_the_package_does_not_list_are_kept_as_they_are():
    ModelPrice.objects.create(
        name="in-house-model", provider="Ourselves", input_per_m=1, output_per_m=2,
        source_url="https://example.com/prices",
    )
    output = _run()
    assert "in-house-model: not in genai-prices" in output
    assert ModelPrice.objects.get(name="in-house-model").input_per_m == 1


@pytest.mark.django_db
def test_the_seeded_sheet_already_agrees_with_the_package():
    assert "0 model(s) changed" in _run()
