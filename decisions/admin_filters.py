"""The Decision admin's list filters, and the guard that answers a filter the database cannot
take with a 400: answers in the ranges a lead thinks in, reasons, when it was decided."""

from datetime import date

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBadRequest
from django.utils import timezone

from decisions.domain import engine
from decisions.web import admin_summary


class VerdictFilter(admin.ChoicesFieldListFilter):
    """The recommendation filter, under the word the lead sees in the list: "By verdict"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = "verdict"


class ShareLinkFilter(admin.SimpleListFilter):
    title = "share link"
    parameter_name = "share_link"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return (("active", "Active"), ("revoked", "Revoked"))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "active":
            return queryset.shared()
        if self.value() == "revoked":
            return queryset.revoked()
        return queryset


class BandFilter(admin.SimpleListFilter):
    """A numeric answer in ranges a person thinks in (admin_summary.Band). More than one range can
    be chosen at once ("1M to 10M" and "10M or more"): each link adds or removes its range, and
    the parameter lists the chosen ones, comma-separated."""

    field: str
    bands: tuple[admin_summary.Band, ...]

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return [(band.slug, band.label) for band in self.bands]

    def chosen(self) -> list[admin_summary.Band]:
        slugs = set((self.value() or "").split(","))
        known = {band.slug for band in self.bands}
        if not slugs <= known:
            raise IncorrectLookupParameters(f"Unknown range for {self.title}.")
        return [band for band in self.bands if band.slug in slugs]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        query = None
        for band in self.chosen():
            query = band.q(self.field) if query is None else query | band.q(self.field)
        return queryset.filter(query)

    def choices(self, changelist):
        chosen = set() if self.value() is None else {band.slug for band in self.chosen()}
        # First, as Django's own filters put "All".
        yield {
            "selected": not chosen,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Any",
        }
        for choice, band in zip(list(super().choices(changelist))[1:], self.bands, strict=True):
            toggled = chosen ^ {band.slug}
            slugs = ",".join(b.slug for b in self.bands if b.slug in toggled)
            choice["selected"] = band.slug in chosen
            choice["query_string"] = (
                changelist.get_query_string({self.parameter_name: slugs}) if slugs
                else changelist.get_query_string(remove=[self.parameter_name])
            )
            yield choice


class VolumeFilter(BandFilter):
    title = "monthly volume"
    parameter_name = "volume"
    field = "monthly_requests"
    bands = admin_summary.VOLUME_BANDS


class ExamplesFilter(BandFilter):
    title = "labeled examples"
    parameter_name = "examples"
    field = "labeled_examples"
    bands = admin_summary.EXAMPLE_BANDS


class PromptFilter(BandFilter):
    title = "prompt length"
    parameter_name = "prompt"
    field = "prompt_tokens"
    bands = admin_summary.PROMPT_BANDS


class ReasonFilter(admin.SimpleListFilter):
    """Decisions that gave one reason, such as "Pays back" or "Too few examples"."""

    title = "reason"
    parameter_name = "reason"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return [(rule.code, admin_summary.reason_words(rule.code)) for rule in engine.RULES]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        if self.value() not in {rule.code for rule in engine.RULES}:
            raise IncorrectLookupParameters("Unknown reason.")
        return admin_summary.with_reason(queryset, self.value())


def _month_start(day: date, back: int = 0) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


class DecidedFilter(admin.SimpleListFilter):
    """When, in calendar months relative to today, so a saved link keeps meaning "last month"."""

    title = "date decided"
    parameter_name = "decided"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return (
            ("this-month", "This month"), ("last-month", "Last month"),
            ("last-3-months", "The last 3 full months"), ("this-year", "This year"),
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        today = timezone.localdate()
        spans = {
            "this-month": (_month_start(today), None),
            "last-month": (_month_start(today, 1), _month_start(today)),
            "last-3-months": (_month_start(today, 3), _month_start(today)),
            "this-year": (today.replace(month=1, day=1), None),
        }
        if self.value() not in spans:
            raise IncorrectLookupParameters("Unknown span for decided.")
        start, end = spans[self.value()]
        queryset = queryset.filter(created__date__gte=start)
        return queryset if end is None else queryset.filter(created__date__lt=end)


def date_filter_problem(year: str | None, month: str | None, day: str | None) -> str | None:
    """Why a date hierarchy filter cannot be listed, in words, or None when it can.

    The admin turns year, month and day into a range [from, to) with Python dates: a value
    that is no number or no date, or a range that would end past 9999-12-31 (a year of 9999,
    its December, or its last day), would otherwise be a 500.
    """
    parts = [part for part in (year, month, day) if part is not None]
    if not all(part.isascii() and part.isdigit() and len(part) <= 4 for part in parts):
        return "A date filter is not a date: use numbers, such as year 2026 and month 3."
    try:
        start = date(int(year or 1), int(month or 1), int(day or 1))
    except ValueError:
        return "A date filter is not a date: that year, month and day do not exist."
    if start.year == date.max.year and (month is None or start.month == 12) and (
        day is None or start == date.max
    ):
        return "A date filter reaches past 9999-12-31, the last date Advisor can list."
    return None


class LookupGuard:
    """Refuse change-list filters the database cannot take, with a 400 instead of a 500.

    PostgreSQL refuses a NUL character in any text, and an impossible date (year 0, month 13,
    day 32, a year past 9998) breaks the date hierarchy's date arithmetic.
    """

    def lookup_problem(self, request: HttpRequest) -> str | None:
        for name, values in request.GET.lists():
            if any("\x00" in value for value in (name, *values)):
                return "A filter holds a NUL character."
        hierarchy = self.date_hierarchy
        if hierarchy:
            year, month, day = (
                request.GET.getlist(f"{hierarchy}__{part}")[-1:] or [None]
                for part in ("year", "month", "day")
            )
            return date_filter_problem(year[0], month[0], day[0])
        return None

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        problem = self.lookup_problem(request)
        if problem:
            return HttpResponseBadRequest(problem)
        return super().changelist_view(request, extra_context)


def filters_in_words(cl) -> list[str]:
    """The list's active filters and search, each as "title: choice", for the overview."""
    words = []
    for spec in cl.filter_specs:
        chosen = [
            str(choice["display"]) for choice in spec.choices(cl)
            if choice["selected"] and str(choice["display"]) not in {"All", "Any"}
        ]
        if chosen:
            words.append(f"{spec.title.capitalize()}: {' or '.join(chosen)}")
    year = cl.params.get("created__year")
    if year:
        month, day = cl.params.get("created__month"), cl.params.get("created__day")
        words.append("Date: " + "-".join(p.zfill(2) for p in (year, month, day) if p))
    if cl.query:
        words.append(f"Search: {cl.query}")
    return words
