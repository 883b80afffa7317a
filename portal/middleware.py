import logging
import time

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from portal import logging as portal_logging

request_logger = logging.getLogger("portal.request")


class PortalLocaleMiddleware:
    """Japanese unless the visitor chose another language with the switch (a cookie).

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: the
    portal is Japanese by default, whatever language the browser is set to.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


class RequestIdMiddleware:
    """Gives each request an id: the proxy's X-Request-ID when it is a sane token, else a new
    one. Log lines written while the request runs carry it (portal.logging), tasks it enqueues
    take it along, and the response returns it in X-Request-ID. One line per request goes to
    the `portal.request` logger.

    The id stays current until the server closes the response (`request_finished`), so that
    Django's own "Not Found" and error lines, written after the middleware chain, carry it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = (
            portal_logging.sane_request_id(request.headers.get("X-Request-ID"))
            or portal_logging.new_request_id()
        )
        portal_logging.request_id_var.set(request_id)
        request.request_id = request_id
        started = time.monotonic()
        response = self.get_response(request)
        response.headers["X-Request-ID"] = request_id
        request_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return response


class RequestSizeMiddleware:
    """Refuses a request whose body is larger than `REQUEST_MAX_BYTES` with a page saying
    so (413), before anything reads it. The proxy has the same limit; this one holds where
    the portal is reached without it, as Django's own limits count form fields and files
    apart and never the whole body. (A body without Content-Length is read as empty.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_MAX_BYTES
        if length > limit:
            return render(request, "413.html", {"limit": limit}, status=413)
        return self.get_response(request)


def clear_request_id(**kwargs):
    """`request_finished`: the request is over, and so is its id."""
    portal_logging.request_id_var.set(None)
