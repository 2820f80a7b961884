"""URLs of the decisions app: landing, health, wizard, results, exports and API."""

from django.urls import path

from decisions import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
]
