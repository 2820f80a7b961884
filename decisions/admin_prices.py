"""The price sheet in the admin: a lead keeps the prices current; each decision keeps a copy of the
prices it used. Registered by decisions.admin, which imports this module.
"""

from django import forms
from django.contrib import admin

from decisions.admin_filters import LookupGuard
from decisions.domain.prices import MONEY_FIELDS
from decisions.models import ModelPrice

PRICE_FIELDS = MONEY_FIELDS  # checked not negative below
LIST_PRICE_FIELDS = ("input_per_m", "cached_input_per_m", "output_per_m", "training_per_m")


class ModelPriceForm(forms.ModelForm):
    """Prices the estimate can use: none negative, fine-tuned prices both given or both blank."""

    source_url = forms.URLField(
        label="Source", max_length=300, assume_scheme="https",
        help_text="The provider's pricing page the prices were read from.",
    )
    fine_tuning_source = forms.URLField(
        label="Source for fine-tuning availability", max_length=300, assume_scheme="https",
        required=False,
    )

    class Meta:
        model = ModelPrice
        fields = (
            "name", "provider", *PRICE_FIELDS, "batch_discount", "min_cache_tokens",
            "fine_tuning", "fine_tuning_since", "fine_tuning_source", "retires_on", "as_of",
            "source_url", "note",
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        for name in PRICE_FIELDS:
            value = cleaned.get(name)
            if value is not None and value < 0:
                self.add_error(name, "Enter a price of 0 or more.")
        has_input = cleaned.get("ft_input_per_m") is not None
        if has_input != (cleaned.get("ft_output_per_m") is not None):
            self.add_error(
                "ft_output_per_m" if has_input else "ft_input_per_m",
                "Enter both fine-tuned prices, or leave both blank when the model cannot be "
                "fine-tuned.",
            )
        status, since = cleaned.get("fine_tuning"), cleaned.get("fine_tuning_since")
        if status == "retired" and since is None:
            self.add_error("fine_tuning_since", "Enter the date the model was retired.")
        return cleaned


@admin.register(ModelPrice)
class ModelPriceAdmin(LookupGuard, admin.ModelAdmin):
    """A lead keeps the prices current; each decision keeps a copy of the prices it used."""

    form = ModelPriceForm
    list_display = ("name", "provider", *LIST_PRICE_FIELDS, "fine_tuning", "as_of")
    list_display_links = ("name",)
    list_filter = ("provider", "fine_tuning")
    search_fields = ("name", "provider")
    ordering = ("provider", "name")
    fieldsets = (
        (None, {"fields": ("name", "provider")}),
        (
            "Base prices (US dollars)",
            {"fields": (
                "input_per_m", "cached_input_per_m", "min_cache_tokens", "output_per_m",
                "batch_discount",
            )},
        ),
        (
            "Fine-tuning (US dollars; leave blank when the model cannot be fine-tuned)",
            {"fields": (
                "ft_input_per_m", "ft_output_per_m", "training_per_m", "hosting_per_hour",
                "storage_per_month",
            )},
        ),
        (
            "Can a new customer fine-tune it today?",
            {"fields": ("fine_tuning", "fine_tuning_since", "fine_tuning_source", "retires_on")},
        ),
        ("Source", {"fields": ("as_of", "source_url", "note")}),
    )
