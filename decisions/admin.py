"""The Decision admin: where a lead reviews, filters, exports and revokes past decisions.

A decision is a record, so the admin only reads it; the one change a lead makes is turning its
public link off or on again. The price sheet's admin is decisions.admin_prices.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from decisions import admin_filters, admin_prices, services  # noqa: F401 - admin_prices registers the price sheet
from decisions.admin_filters import (
    DecidedFilter,
    ExamplesFilter,
    LookupGuard,
    PromptFilter,
    ReasonFilter,
    ShareLinkFilter,
    VerdictFilter,
    VolumeFilter,
)
from decisions.domain import engine
from decisions.domain.fields import QUESTIONS
from decisions.domain.money import format_count
from decisions.models import Decision, Recommendation
from decisions.web import admin_summary, csv, overview_chart, present

admin.site.site_header = "Advisor admin"
admin.site.site_title = "Advisor admin"
admin.site.index_title = "Review decisions"
# The navigation sidebar takes 300 of 1280 px from the decisions list; the breadcrumb and the
# index lead everywhere it does.
admin.site.enable_nav_sidebar = False


def _label(recommendation: str) -> str:
    return engine.RECOMMENDATION_LABELS.get(recommendation, recommendation)


def verdict_badge(recommendation: str):
    return format_html(
        '<span class="verdict-badge verdict-{}">{}</span>',
        recommendation, _label(recommendation),
    )


def _links(count: int) -> str:
    return f"{count} share link" if count == 1 else f"{count} share links"


@admin.register(Decision)
class DecisionAdmin(LookupGuard, admin.ModelAdmin):
    # Fits 1280 px beside the filters: the other answers are on each decision's page.
    list_display = (
        "decided", "display_title", "verdict", "strength", "monthly_volume", "examples", "why",
        "rules", "public_link",
    )
    list_display_links = ("decided", "display_title")
    list_filter = (
        DecidedFilter, ("recommendation", VerdictFilter), "strength", ReasonFilter, VolumeFilter,
        ExamplesFilter, PromptFilter,
        # Every answer with options, titled with the catalogue's words for it (its column's name).
        *(question.name for question in QUESTIONS if question.options),
        "engine_version", ShareLinkFilter,
    )
    date_hierarchy = "created"
    ordering = ("-created", "-id")
    list_per_page = 50
    search_fields = ("title",)
    search_help_text = "Search titles, or paste a share token."
    actions = ("export_csv", "revoke_links", "restore_links")
    fieldsets = (
        (None, {"fields": (
            "display_title", "created", "source", "share_link", "token", "engine_version",
        )}),
        ("Answers", {"fields": ("answers_in_words",)}),
        ("Result", {"fields": (
            "verdict", "strength_in_words", "summary", "reasons", "tradeoff_rows",
            "what_would_change",
        )}),
        ("Cost estimate", {"fields": ("cost_figures",)}),
    )
    readonly_fields = (
        "display_title", "share_link", "answers_in_words", "verdict", "strength_in_words",
        "summary", "reasons", "tradeoff_rows", "what_would_change", "cost_figures",
    )

    class Media:
        css = {"all": ("admin_extra/decisions.css",)}

    # --- Permissions: read-only, except for the share link ---

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Decision | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Decision | None = None) -> bool:
        # Revoking hides a decision from the public; the record itself stays.
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("decisions.change_decision")

    # --- Pages of its own: the overview, and where signing in leads ---

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("overview/", self.admin_site.admin_view(self.overview_view),
                 name=f"{prefix}_overview"),
            path("start/", self.admin_site.admin_view(self.start_view), name=f"{prefix}_start"),
            *super().get_urls(),
        ]

    def start_view(self, request: HttpRequest) -> HttpResponse:
        """Where signing in leads: the decisions list, for whoever may see it."""
        if self.has_view_permission(request):
            return redirect("admin:decisions_decision_changelist")
        return redirect("admin:index")

    def overview_view(self, request: HttpRequest) -> HttpResponse:
        """Decisions per month by verdict and the most common reasons, for the decisions the
        list's filters and search select (the same query string)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        problem = self.lookup_problem(request)
        if problem:
            return HttpResponseBadRequest(problem)
        try:
            cl = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("A filter in the address is not one the list offers.")
        months = admin_summary.per_month(cl.queryset)
        series = list(Recommendation.choices)
        changelist = reverse("admin:decisions_decision_changelist")
        filterable = {rule.code for rule in engine.RULES}
        title = "Decisions per month, by verdict"
        context = {
            **self.admin_site.each_context(request),
            "title": "Overview of decisions",
            "opts": self.opts,
            "cl": cl,
            "filters_in_words": admin_filters.filters_in_words(cl),
            "total": sum(month.total for month in months),
            "months": months,
            "series": series,
            "chart": overview_chart.svg_for(
                series, [(month.label, month.counts) for month in months], title=title
            ),
            "chart_title": title,
            "verdict_totals": [
                sum(month.counts[i] for month in months) for i in range(len(series))
            ],
            # Each reason leads to the list of the decisions that gave it (version 1.x codes no
            # rule has any more cannot be filtered on).
            "reasons": [
                (reason, changelist + cl.get_query_string({"reason": reason.code})
                 if reason.code in filterable else "")
                for reason in admin_summary.top_reasons(cl.queryset)
            ],
            "list_url": changelist + cl.get_query_string(),
        }
        return TemplateResponse(request, "admin/decisions/decision/overview.html", context)

    # --- Search and the verdict summary ---

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        results, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        token = search_term.strip()
        if token:
            results |= queryset.filter(token=token)
        return results, may_have_duplicates

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        response = super().changelist_view(request, extra_context)
        # A redirect (after an action, or on a bad filter) or a CSV file has no list to count.
        if not isinstance(response, TemplateResponse) or "cl" not in response.context_data:
            return response
        rows = (
            response.context_data["cl"].queryset.order_by()
            .values("recommendation").annotate(count=Count("id"))
        )
        counts = {r["recommendation"]: r["count"] for r in rows}
        response.context_data["verdict_summary"] = [
            {"value": value, "label": label, "count": counts.get(value, 0)}
            for value, label in Recommendation.choices
        ]
        response.context_data["overview_url"] = (
            reverse("admin:decisions_decision_overview")
            + response.context_data["cl"].get_query_string()
        )
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None):
        decision = self.get_object(request, object_id)
        if decision is not None:
            current = services.current_result(decision)
            extra_context = {
                **(extra_context or {}),
                "engine_differs": current is not None,
                "current_verdict": _label(current.recommendation) if current else "",
                "current_engine_version": engine.ENGINE_VERSION,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- Columns ---

    @admin.display(description="Title", ordering="title")
    def display_title(self, decision: Decision) -> str:
        return decision.title or "Untitled"

    @admin.display(description="Verdict", ordering="recommendation")
    def verdict(self, decision: Decision):
        return verdict_badge(decision.recommendation)

    @admin.display(description="Decided", ordering="created")
    def decided(self, decision: Decision) -> str:
        return f"{timezone.localtime(decision.created):%Y-%m-%d %H:%M}"

    @admin.display(description="Requests a month", ordering="monthly_requests")
    def monthly_volume(self, decision: Decision) -> str:
        # "2M" at a glance; the decision's page gives every digit.
        return format_count(decision.monthly_requests)

    @admin.display(description="Examples", ordering="labeled_examples")
    def examples(self, decision: Decision) -> str:
        return f"{decision.labeled_examples:,}"

    @admin.display(description="Why")
    def why(self, decision: Decision) -> str:
        return admin_summary.why(decision.result, decision.cost_estimate)

    @admin.display(description="Rules", ordering="engine_version")
    def rules(self, decision: Decision) -> str:
        return decision.engine_version

    @admin.display(description="Result")
    def public_link(self, decision: Decision):
        if decision.is_revoked:
            return format_html('<span class="link-revoked">{}</span>', "Revoked")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Open'
            '<span class="advisor-sr-only"> the result of {} (opens in a new tab)</span></a>',
            decision.get_absolute_url(), decision.title or "this decision",
        )

    # --- The detail page ---

    @admin.display(description="Share link")
    def share_link(self, decision: Decision):
        if decision.is_revoked:
            return f"Revoked on {timezone.localtime(decision.revoked_at):%Y-%m-%d %H:%M %Z}"
        return format_html(
            'Active: <a href="{}" target="_blank" rel="noopener">{}'
            '<span class="advisor-sr-only"> (opens in a new tab)</span></a>',
            decision.get_absolute_url(), decision.get_absolute_url(),
        )

    @admin.display(description="Answers")
    def answers_in_words(self, decision: Decision):
        return format_html(
            '<table class="decision-table"><tbody>{}</tbody></table>',
            format_html_join(
                "", '<tr><th scope="row">{}</th><td>{}</td></tr>',
                ((line.question.label, line.words) for line in present.answers(decision)),
            ),
        )

    @admin.display(description="How firm")
    def strength_in_words(self, decision: Decision) -> str:
        if not decision.strength:
            return "Not rated: decided before rules version 2.0."
        note = decision.result.get("strength_note", "")
        return note or decision.get_strength_display()

    @admin.display(description="Summary")
    def summary(self, decision: Decision) -> str:
        return decision.result.get("summary", "")

    @admin.display(description="Reasons")
    def reasons(self, decision: Decision):
        reasons = present.reasons(decision)
        if not reasons:
            return "None"
        return format_html(
            '<ul class="decision-list">{}</ul>',
            format_html_join(
                "", "<li>{} <span class=\"favours\">(favours {})</span></li>",
                ((reason.text, _label(reason.favours)) for reason in reasons),
            ),
        )

    @admin.display(description="Tradeoff rows")
    def tradeoff_rows(self, decision: Decision):
        rows = present.rows(decision)
        if not rows:
            return "None"
        return format_html(
            '<table class="decision-table"><thead><tr><th scope="col">Dimension</th>'
            '<th scope="col">Prompting</th><th scope="col">Fine-tuning</th>'
            '<th scope="col">Favours</th></tr></thead><tbody>{}</tbody></table>',
            format_html_join(
                "", '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>',
                (
                    (row.dimension, row.prompting, row.fine_tuning, _label(row.favours))
                    for row in rows
                ),
            ),
        )

    @admin.display(description="What would change it")
    def what_would_change(self, decision: Decision):
        changes = present.changes(decision)
        if not changes:
            return "Nothing: no change to the answers gives another verdict."
        return format_html(
            '<ul class="decision-list">{}</ul>',
            format_html_join("", "<li>{}</li>", ((text,) for text in changes)),
        )

    @admin.display(description="Cost estimate")
    def cost_figures(self, decision: Decision):
        shown, message = present.present_costs(decision)
        if shown is None:
            return message
        return format_html(
            '<p>{}</p><table class="decision-table"><tbody>{}</tbody></table>'
            "<p>Prices: {}; as stored with the decision.</p>",
            shown.summary,
            format_html_join(
                "", '<tr><th scope="row">{}</th><td>{}</td></tr>',
                ((f.label, f"{f.value}. {f.detail}" if f.detail else f.value)
                 for f in shown.figures),
            ),
            "; ".join(date.text for date in shown.price_dates),
        )

    # --- Actions ---

    @admin.action(description="Export selected decisions as CSV", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="decisions-{stamp}.csv"'
        csv.write_csv(queryset.order_by("-created", "-id").iterator(), response)
        return response

    @admin.action(description="Revoke the share links of selected decisions",
                  permissions=["revoke"])
    def revoke_links(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.revoke()
        self.message_user(request, f"Revoked {_links(count)}.")

    @admin.action(description="Restore the share links of selected decisions",
                  permissions=["revoke"])
    def restore_links(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.restore()
        self.message_user(request, f"Restored {_links(count)}.")


def sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's sign-in page; asked to lead nowhere in particular, it leads to the decisions
    list (through the start page, which sends anyone who may not see the list to the index)."""
    index = reverse("admin:index")
    asked = request.POST.get("next", request.GET.get("next", ""))
    extra = {"next": reverse("admin:decisions_decision_start")} if asked in ("", index) else {}
    return admin.site.login(request, extra_context=extra)


