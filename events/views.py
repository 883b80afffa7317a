from django.shortcuts import get_object_or_404, render

from members.permissions import require
from newsletter.rendering import markdown_to_html

from . import selectors


def index(request):
    events = selectors.with_dates(selectors.visible_events(request.roles)).order_by("starts_at")
    return render(request, "events/index.html", {"events": events})


def detail(request, pk):
    events = selectors.visible_events(request.roles).prefetch_related(
        selectors.sessions_prefetch()
    )
    event = get_object_or_404(selectors.with_dates(events), pk=pk)
    return render(
        request,
        "events/detail.html",
        {"event": event, "description": markdown_to_html(event.description)},
    )


@require("events.register")
def mine(request):
    registrations = selectors.registrations_of(request.user, request.roles)
    return render(request, "events/mine.html", {"registrations": registrations})


# The secretariat
# Check-in on the day (from a phone), the sign-in sheet, the report and the certificates.
# Staff pages ask the model permissions of the admin (members.permissions RULES).

from django.contrib import messages  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.db.models import Count, OuterRef, Q, Subquery  # noqa: E402
from django.http import Http404, HttpResponse  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.http import urlencode  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from django.views.decorators.http import require_http_methods  # noqa: E402

from members.permissions import can  # noqa: E402
from portal import kana  # noqa: E402

from . import attendance, documents, reports, services  # noqa: E402
from .models import Event, Registration, Seat, Session  # noqa: E402

CHECK_IN_ACTIONS = ("check_in", "undo")


def _sessions_with_counts(event):
    registered = Q(seats__registration__status=Registration.Status.REGISTERED)
    return list(
        Session.objects.filter(event=event)
        .annotate(
            registered=Count("seats", filter=registered),
            attended=Count("seats", filter=registered & Q(seats__attended_at__isnull=False)),
        )
        .order_by("starts_at", "pk")
    )


def current_session(sessions, now=None):
    """The session running now, else the next one starting later today, else None."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.pk)):
        if session.ends_at > now and timezone.localdate(session.starts_at) == today:
            return session
        if session.starts_at <= now < session.ends_at:
            return session
    return None


def _matches(registration, terms) -> bool:
    """Every term found in the name, its reading or the affiliation, folded as the
    directory's search folds (width, kana, spaces)."""
    text = kana.search_text(
        registration.family_name + registration.given_name,
        registration.family_name_kana + registration.given_name_kana,
        registration.family_name,
        registration.given_name,
        registration.family_name_kana,
        registration.given_name_kana,
    )
    return all(term in text for term in terms)


def _apply_check_in(request, registration, session_id) -> None:
    action = request.POST.get("action")
    if action not in CHECK_IN_ACTIONS:
        raise Http404
    try:
        if action == "check_in":
            attendance.check_in(registration, session_id, request.user)
            messages.success(request, _("%(name)s is checked in.") % {"name": registration})
        else:
            attendance.undo_check_in(registration, session_id)
            messages.success(
                request, _("The check-in of %(name)s is undone.") % {"name": registration}
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))


def _session_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require("events.check_in")
@require_http_methods(["GET", "POST"])
def check_in(request, pk):
    """The reception's page on a phone: pick the session, find the person by name (kanji or
    kana, any width), press 「受付」."""
    event = get_object_or_404(Event, pk=pk)
    sessions = _sessions_with_counts(event)
    by_id = {s.pk: s for s in sessions}
    source = request.POST if request.method == "POST" else request.GET
    session = by_id.get(_session_id(source.get("session"))) or current_session(sessions)
    if session is None and sessions:
        session = sessions[0]
    query = source.get("q", "").strip()
    if request.method == "POST":
        registration = get_object_or_404(
            Registration, pk=_session_id(request.POST.get("registration")), event=event
        )
        if session is None:
            raise Http404
        _apply_check_in(request, registration, session.pk)
        params = {"session": session.pk, **({"q": query} if query else {})}
        return redirect(f"{reverse('events:check_in', args=[event.pk])}?{urlencode(params)}")
    participants = []
    if session is not None:
        seat = Seat.objects.filter(registration=OuterRef("pk"), session=session)
        registrations = (
            Registration.objects.filter(
                event=event,
                status=Registration.Status.REGISTERED,
                seats__session=session,
            )
            .select_related("organisation")
            .annotate(attended_at=Subquery(seat.values("attended_at")[:1]))
            .order_by("family_name_kana", "given_name_kana", "pk")
        )
        terms = [kana.normalise(term) for term in query.split()]
        participants = [r for r in registrations if _matches(r, terms)]
    return render(
        request,
        "events/staff/check_in.html",
        {
            "event": event,
            "sessions": sessions,
            "session": session,
            "query": query,
            "participants": participants,
        },
    )


@require("events.check_in")
@require_http_methods(["GET", "POST"])
def check_in_code(request, token):
    """What the QR code of the confirmation mail opens on a staff phone: the person, their
    sessions, and check-in for the session running now (or next today)."""
    registration = get_object_or_404(
        Registration.objects.select_related("event", "organisation"), token=token
    )
    seats = list(registration.seats.select_related("session").order_by("session__starts_at"))
    current = current_session([seat.session for seat in seats])
    if request.method == "POST":
        session_id = _session_id(request.POST.get("session"))
        if session_id not in {seat.session_id for seat in seats}:
            raise Http404
        _apply_check_in(request, registration, session_id)
        return redirect("events:check_in_code", token=registration.token)
    return render(
        request,
        "events/check_in_code.html",
        {"registration": registration, "seats": seats, "current": current},
    )


@require("events.manage")
def sign_in_sheet(request, pk):
    """The 受付名簿 to print: the event's registered participants (of one session if asked),
    by institution reading, then name reading."""
    event = get_object_or_404(Event, pk=pk)
    session = None
    if request.GET.get("session"):
        session = get_object_or_404(Session, pk=_session_id(request.GET["session"]), event=event)
    response = HttpResponse(
        documents.render_sign_in_sheet(event, session), content_type="application/pdf"
    )
    suffix = f"-{session.pk}" if session else ""
    response["Content-Disposition"] = f'inline; filename="sign-in-{event.pk}{suffix}.pdf"'
    return response


@require("events.manage")
def report(request, pk):
    event = get_object_or_404(Event, pk=pk)
    return render(
        request,
        "events/staff/report.html",
        {"event": event, "report": reports.report(event)},
    )


@require("events.register")
def certificate(request, pk):
    """A certificate of completion, for the participant, whoever registered them, their
    institution's contacts and the secretariat; 404 for anyone else or without a number."""
    registration = get_object_or_404(Registration, pk=pk, certificate_number__isnull=False)
    allowed = services.may_manage(registration, request.user, request.roles) or can(
        request.roles, "events.manage"
    )
    if not allowed:
        raise Http404
    return documents.certificate_response(documents.ensure_certificate_pdf(registration.pk))
