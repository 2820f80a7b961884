"""Kept result pages served early in the middleware stack.

A shared result page kept in this process (decisions.web.result_cache) is the same for every
visitor, so it needs none of what the middleware after this one is for: a session, a CSRF token,
the signed-in user, flash messages, the lockout check. As Django's own FetchFromCacheMiddleware
does for its cache, this answers such a request straight away, with exactly the response the
view would give (decisions.web.views.kept_result) plus the two headers the skipped middleware
would have added. (Not seeing the session, it neither deletes a malformed session cookie nor
adds "Vary: Cookie", as SessionMiddleware would for one.) Everything else goes on down the
stack: any other path or method, a page this process does not keep or must recheck with the
database, a visitor with flash messages waiting.

Its place in settings.MIDDLEWARE: after the request log, the security headers and whitenoise,
which every response needs; before the session middleware.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_script_prefix, resolve, reverse

from decisions.web import views

_SAFE_METHODS = frozenset({"GET", "HEAD"})
_RESULT = "decisions:result"


class KeptResultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Every result's path_info starts so (the script prefix is not in path_info): a cheap
        # test before the resolver is asked.
        path = reverse(_RESULT, args=["x" * 16]).removeprefix(get_script_prefix())
        self.prefix = "/" + path.removesuffix("x" * 16 + "/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in _SAFE_METHODS and request.path_info.startswith(self.prefix):
            response = self._kept(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _kept(self, request: HttpRequest) -> HttpResponse | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name != _RESULT:
            return None
        response = views.kept_result(request, match.kwargs["token"])
        if response is not None:
            # What CommonMiddleware and XFrameOptionsMiddleware add to the view's response.
            if not response.streaming and not response.has_header("Content-Length"):
                response.headers["Content-Length"] = str(len(response.content))
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response
