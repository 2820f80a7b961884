"""The middleware only a browser's requests need, passed by for the JSON API's.

The API (every path under /api/) is stateless and cookie-free: it reads no session, signed-in
user or flash message. Django runs every middleware for every request; for an API POST these
three cost about 4% of its work and change nothing in its response.

Each class here is Django's own middleware (a subclass, so the admin's checks still find it in
settings.MIDDLEWARE), handing a request under API_PREFIX straight to the next one. Every other
request goes through Django's code unchanged. Django's CSRF middleware and django-axes's stay as
they are: their checks look for their own names, and for the API (exempt from CSRF, no
sign-in) they cost next to nothing.
"""

from collections.abc import Callable

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.http import HttpRequest, HttpResponseBase

API_PREFIX = "/api/"  # request.path_info of every API URL (decisions/urls.py); a test pins it


def for_the_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


class _BrowserOnly:
    get_response: Callable[[HttpRequest], HttpResponseBase]

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if for_the_api(request):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(_BrowserOnly, sessions.SessionMiddleware):
    pass


class AuthenticationMiddleware(_BrowserOnly, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(_BrowserOnly, messages.MessageMiddleware):
    pass
