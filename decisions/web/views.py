"""Views: look up, validate, call the engine or a model method, then redirect or render."""

import functools
import hashlib
import re
import sys
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.safestring import SafeString, mark_safe
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from decisions import fastjson, services
from decisions.domain import engine
from decisions.domain.tradeoffs import TRADEOFFS
from decisions.models import Decision
from decisions.platform import storage
from decisions.platform.headers import never_cache
from decisions.web import chart, markdown, present, result_cache


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    """The same page for everyone, rendered once per process; rendered for this request only
    when a flash message waits to be shown."""
    if _messages_waiting(request):
        return render(request, "decisions/landing.html")
    return HttpResponse(_landing_page())


@functools.cache
def _landing_page() -> bytes:
    return loader.render_to_string("decisions/landing.html").encode()


def _messages_waiting(request: HttpRequest) -> bool:
    """Whether a flash message waits for this visitor. The messages framework's fallback
    storage keeps every message, or a marker for those that overflowed into the session, in
    its cookie, so the cookie alone says (no query)."""
    return CookieStorage.cookie_name in request.COOKIES


@require_safe  # load balancers probe with HEAD too
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" when the database answers, has every table and takes writes; 503 saying what is
    wrong otherwise (decisions.platform.storage.health_problem: four statements)."""
    problem = storage.health_problem()
    if problem:
        return HttpResponse(problem, status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form expired or came from elsewhere: say so and offer a way on."""
    return render(request, "403_csrf.html", status=403)


# --- The shared result and its exports (/d/<token>/, .json, .md) ---

ROBOTS_TAG = "noindex, nofollow"


def _unlisted(response: HttpResponse) -> HttpResponse:
    """Headers for anything behind a share token: never indexed, the token never sent on as a
    referrer, and kept out of shared caches so a revoked link stops working at once."""
    response.headers["X-Robots-Tag"] = ROBOTS_TAG
    response.headers["Referrer-Policy"] = "no-referrer"
    # Set outright (nothing before sets it), which is cheaper than patch_cache_control's merge.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _decision(token: str) -> Decision:
    """The decision behind a share token, revoked or not (one query); 404 when there is none."""
    try:
        return Decision.objects.get(token=token)
    except Decision.DoesNotExist:
        raise Http404("No result has this link.") from None


WITHDRAWN = "This link was withdrawn by the team that made it; the result is no longer shared."


def _gone(request: HttpRequest, export: str = "") -> HttpResponse:
    """410 in the form that was asked for: a page, JSON for scripts, or Markdown text."""
    if export == "json":
        response = JsonResponse({"errors": {"__all__": [WITHDRAWN]}}, status=410)
    elif export == "md":
        text = f"# Result withdrawn\n\n{WITHDRAWN}\n"
        response = HttpResponse(text, status=410, content_type="text/markdown; charset=utf-8")
    else:
        response = render(request, "decisions/result_gone.html", status=410)
    return _unlisted(response)


@require_safe
def result(request: HttpRequest, token: str) -> HttpResponse:
    """The stored verdict as it was given, with a notice when today's rules would differ.

    Served from this process's memory (result_cache) while the link is known to work: no query;
    otherwise one, to look the decision up or recheck that its link was not revoked.
    """
    if _messages_waiting(request):
        return _result_with_messages(request, token)
    key = result_cache.key(token, f"{request.scheme}://{request.get_host()}")
    entry = result_cache.get(key)
    if entry is None or entry.needs_recheck():
        # The moment before the database is asked: the page is trusted from then on, so a
        # revocation that lands during the query still counts within the recheck time.
        asked = time.monotonic()
        decision = _decision(token)
        if decision.is_revoked:
            result_cache.forget(key)
            return _gone(request)
        if decision.engine_version != engine.ENGINE_VERSION:
            # Its "today's rules would differ" notice depends on today's prices: never kept.
            return _conditional(request, HttpResponse(_render_result(request, decision)))
        if entry is None:
            entry = result_cache.put(key, _render_result(request, decision), asked)
        else:
            result_cache.rechecked(entry, asked)
    return _kept_page(request, entry)


def kept_result(request: HttpRequest, token: str) -> HttpResponse | None:
    """The result page of `token` when this process keeps it and may still trust it (no query),
    exactly as result() would answer; None when result() must do more (ask the database, or
    render the page for a visitor with flash messages waiting)."""
    if _messages_waiting(request):
        return None
    entry = result_cache.get(result_cache.key(token, f"{request.scheme}://{request.get_host()}"))
    if entry is None or entry.needs_recheck():
        return None
    return _kept_page(request, entry)


def _kept_page(request: HttpRequest, entry: result_cache.Entry) -> HttpResponse:
    # request.META, not request.headers: the latter copies every header on first use.
    gzipped = _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) is not None
    response = HttpResponse(entry.gzipped if gzipped else entry.body)
    # One validator for both encodings, weak when compressed, as Django's GZipMiddleware does.
    response.headers["ETag"] = f"W/{entry.etag}" if gzipped else entry.etag
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"  # the view's own response: no Vary before
    return _conditional(request, response)


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _result_with_messages(request: HttpRequest, token: str) -> HttpResponse:
    """The page rendered for this visitor alone, with the flash messages that wait for them."""
    decision = _decision(token)
    if decision.is_revoked:
        return _gone(request)
    context = _result_context(request, decision)
    return _unlisted(render(request, "decisions/result.html", context))


def _render_result(request: HttpRequest, decision: Decision) -> bytes:
    """The page for whoever asks: rendered without the request, so nothing of one visitor's
    (session, messages, CSRF token) can be kept and shown to the next."""
    return loader.render_to_string(
        "decisions/result.html", _result_context(request, decision)
    ).encode()


def _result_context(request: HttpRequest, decision: Decision) -> dict[str, object]:
    shown = present.present(decision, request.build_absolute_uri(decision.get_absolute_url()))
    current = services.current_result(decision)
    return {
        "shown": shown,
        "full_table": TRADEOFFS,
        "markdown_url": reverse("decisions:result_markdown", args=[decision.token]),
        "json_url": reverse("decisions:result_json", args=[decision.token]),
        "start_from_url": f"{reverse('decisions:assess')}?{urlencode({'from': decision.token})}",
        "current_label": engine.RECOMMENDATION_LABELS[current.recommendation] if current else "",
        "cost_chart": _cost_chart(shown),
        "clear_text": present.CLEAR,
        "changes_keep_figures": present.CHANGES_KEEP_FIGURES,
    }


def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The response, or 304 Not Modified when the client's If-None-Match names its ETag; an
    ETag from the body when the view set none. Either way unlisted: a browser must ask again
    each time, so a revoked link stops working."""
    if not response.has_header("ETag"):
        response.headers["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:24]}"'
    _unlisted(response)
    if "HTTP_IF_NONE_MATCH" not in request.META:
        return response
    conditional = get_conditional_response(
        request, etag=response.headers["ETag"], response=response
    )
    return _unlisted(conditional) if conditional is not response else response


def _cost_chart(shown: present.Presentation) -> SafeString | str:
    """The cost chart as inline SVG markup (no query), or "" when there is no estimate."""
    if shown.costs is None:
        return ""
    costs = shown.costs
    svg = chart.svg_for(costs.panel, title=costs.chart_title, id_prefix="cost-chart")
    # Trusted markup: cost_chart escapes every piece of text it writes, the title included.
    return mark_safe(svg)  # noqa: S308


NOT_FOUND = "No result has this link. Check that it was copied whole."


@csrf_exempt  # read-only: any other method gets require_safe's 405, not a CSRF 403
@require_safe
def result_json(request: HttpRequest, token: str) -> HttpResponse:
    """The stored result as JSON: the same payload the API returns (one query)."""
    decision = Decision.objects.filter(token=token).first()
    if decision is None:
        return _unlisted(JsonResponse({"errors": {"__all__": [NOT_FOUND]}}, status=404))
    if decision.is_revoked:
        return _gone(request, "json")
    payload = decision.to_dict(request.build_absolute_uri(decision.get_absolute_url()))
    # Written as the API writes it, indented for people (json's pure-Python indenting encoder
    # took most of this view's time).
    body = fastjson.dumps(payload, indent=True)
    return _conditional(request, HttpResponse(body, content_type="application/json"))


@csrf_exempt  # read-only: any other method gets require_safe's 405, not a CSRF 403
@require_safe
def result_markdown(request: HttpRequest, token: str) -> HttpResponse:
    """The stored result as Markdown, to paste into a design doc (one query)."""
    decision = Decision.objects.filter(token=token).first()
    if decision is None:
        text = f"# Result not found\n\n{NOT_FOUND}\n"
        return _unlisted(
            HttpResponse(text, status=404, content_type="text/markdown; charset=utf-8")
        )
    if decision.is_revoked:
        return _gone(request, "md")
    shown = present.present(decision, request.build_absolute_uri(decision.get_absolute_url()))
    response = HttpResponse(markdown.markdown(shown), content_type="text/markdown; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="advisor-{decision.token}.md"'
    return _conditional(request, response)


# --- Error pages (handler400 and handler500 in advisor/urls.py; 403 and 404 are Django's) ---

STORAGE_UNAVAILABLE = (
    "Advisor cannot use its database right now. "
    f"Try again in {storage.RETRY_AFTER_SECONDS} seconds."
)
# The views whose answers are JSON: their storage faults are JSON too.
_JSON_VIEWS = {"api_decisions", "api_openapi", "result_json"}


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a storage fault is a 503 in the form that was asked for, with Retry-After;
    anything else is Django's own 500 page (templates/500.html)."""
    if not storage.fault_in(sys.exc_info()[1]):
        return defaults.server_error(request)
    return storage_unavailable(request)


def storage_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for the API and the JSON export, text for the Markdown one,
    and a page saying the answers are kept for everything else."""
    if _url_name(request) in _JSON_VIEWS:
        response = JsonResponse({"errors": {"__all__": [STORAGE_UNAVAILABLE]}}, status=503)
    elif _url_name(request) == "result_markdown":
        response = HttpResponse(
            f"# Advisor is unavailable\n\n{STORAGE_UNAVAILABLE}\n", status=503,
            content_type="text/markdown; charset=utf-8",
        )
    else:
        # Like 500.html, a page that needs nothing from the database (no session, no user).
        context = {
            "retry_after": storage.RETRY_AFTER_SECONDS, "sent_form": request.method == "POST",
        }
        page = loader.render_to_string("503.html", context)
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(storage.RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


def _url_name(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is None:  # the fault came before the URL was resolved
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ""
    return match.url_name or ""


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A 400 that says plainly which limit a form went over, or that the request was malformed.

    Never reads request.POST: after a size or field-count refusal it would raise again.
    A session that could not be saved because of a storage fault is that fault's 503.
    """
    if storage.fault_in(exception):
        return storage_unavailable(request)
    context = {}
    if isinstance(exception, RequestDataTooBig):
        context = {
            "heading": "That form was too large to accept",
            "message": (
                f"Advisor accepts up to {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024} KB in one "
                "form, and this one was bigger. Go back, shorten what you typed and send it "
                "again; the answers you saved are kept."
            ),
        }
    elif isinstance(exception, TooManyFieldsSent):
        context = {
            "heading": "That form had too many fields to accept",
            "message": (
                f"Advisor accepts up to {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields in one "
                "form. Go back, reload the page and send it again; the answers you saved are kept."
            ),
        }
    return render(request, "400.html", context, status=400)
