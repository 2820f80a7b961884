"""The one view of the minimal site."""

from django.http import HttpRequest, HttpResponse

PAGE = (
    b'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Minimal</title></head>'
    b"<body><main><h1>Minimal</h1><p>A fixed page.</p></main></body></html>\n"
)


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE)
