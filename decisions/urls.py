"""URLs of the decisions app: landing, health, wizard, results, exports and API."""

from django.urls import path, register_converter

from decisions import views


class TokenConverter:
    """Share tokens: URL-safe base64 only, of a sane length, so junk never reaches the database."""

    regex = r"[A-Za-z0-9_-]{16,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
]
