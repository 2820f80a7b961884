"""Top-level URLs: the admin and the decisions app."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("decisions.urls")),
]

# Says which form limit a request went over; 403, 404 and 500 use Django's views and templates.
handler400 = "decisions.views.bad_request"
