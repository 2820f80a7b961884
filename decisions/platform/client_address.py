"""The address of the client behind a request, for login lockouts and rate limits.

REMOTE_ADDR unless TRUST_PROXY is on. Behind a trusted proxy, the right-most X-Forwarded-For
entry: the address that proxy saw. Entries left of it came from the client and can be forged.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    if settings.TRUST_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")
