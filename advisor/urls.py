"""Top-level URLs: the admin and the decisions app."""

from django.contrib import admin
from django.urls import include, path

from decisions.admin import sign_in

urlpatterns = [
    # Ahead of the admin's own sign-in URL, which it wraps: signing in leads to the decisions.
    path("admin/login/", sign_in),
    path("admin/", admin.site.urls),
    path("", include("decisions.urls")),
]

# Says which form limit a request went over; 403 and 404 use Django's views and templates.
handler400 = "decisions.web.views.bad_request"
# A storage fault (database down, read-only, full, missing a table) is a 503; anything else, 500.
handler500 = "decisions.web.views.server_error"
