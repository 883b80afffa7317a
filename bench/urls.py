"""The portal's URLs plus `bench/floor/`, for the bench's gunicorn only (bench/settings.py).

The floor is the cost of a request through the same server, middleware (session, user,
locale, CSP, ...) and cookie as a page, with no work of its own: bench/web.py compares each
page's latency with it."""

from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    # The same middleware as a page: request.user is read (as StaffMFAMiddleware does for
    # every request), so the session and the user are loaded as for a page.
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("", include("innonet.urls")),
]
