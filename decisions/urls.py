"""URLs of the decisions app: landing, health, wizard, results, exports and API."""

from django.urls import path, register_converter

from decisions.platform.headers import never_cache
from decisions.web import api, views, wizard


class TokenConverter:
    """Share tokens: URL-safe base64 only, of a sane length, so junk never reaches the database."""

    regex = r"[A-Za-z0-9_-]{16,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")

app_name = "decisions"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("assess/", wizard.start, name="assess"),
    path(
        "assess/<uuid:draft>/<str:step>/",
        # Steps hold a person's answers and a CSRF token: never kept in any cache.
        never_cache(
            wizard.AssessmentWizard.as_view(url_name=wizard.STEP_URL_NAME, done_step_name="done")
        ),
        name="assess_step",
    ),
    path("d/<token:token>/", views.result, name="result"),
    path("d/<token:token>.json", views.result_json, name="result_json"),
    path("d/<token:token>.md", views.result_markdown, name="result_markdown"),
    path("api/decisions", api.decisions, name="api_decisions"),
    path("api/openapi.json", api.openapi_json, name="api_openapi"),
]
