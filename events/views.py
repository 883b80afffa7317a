import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members.permissions import can, require
from newsletter.rendering import markdown_to_html
from portal import kana
from portal.mail import portal_url
from portal.uploads import safe_name

from . import attendance, calendar, documents, eligibility, forms, reports, selectors, services
from .models import CalendarFeed, Event, Material, Registration, Seat, Session

# Members and the public


def index(request):
    """Upcoming and past events the visitor may see, filtered by kind, block and month."""
    now = timezone.now()
    visible = selectors.visible_events(request.roles)
    form = forms.EventFilterForm(request.GET or None, months=selectors.months_of(visible))
    events = selectors.with_dates(selectors.filtered(visible, **form.filters()))
    events = events.prefetch_related("classes")
    upcoming, past = selectors.upcoming_and_past(list(events), now)
    _priced(*upcoming, *past)
    return render(
        request,
        "events/index.html",
        {"form": form, "upcoming": upcoming, "past": past, "filtered": form.has_changed()},
    )


def _priced(*events):
    """The figures a page shows of events (annotated by `with_dates`): places left, and the
    fees tax included."""
    selectors.places_left(events)
    for event in events:
        event.member_fee_taxed = selectors.with_tax(event.member_fee)
        event.non_member_fee_taxed = selectors.with_tax(event.non_member_fee)


def _visible_event(request, pk, *prefetch):
    events = selectors.visible_events(request.roles).prefetch_related("classes", *prefetch)
    event = get_object_or_404(selectors.with_dates(events), pk=pk)
    _priced(event)
    return event


def _login_links(request, event):
    here = urlencode({"next": reverse("events:detail", args=[event.pk])})
    return {
        "login_url": f"{reverse('account_login')}?{here}",
        "signup_url": f"{reverse('account_signup')}?{here}",
    }


def detail(request, pk):
    now = timezone.now()
    event = _visible_event(
        request,
        pk,
        selectors.sessions_prefetch(),
        Prefetch("materials", queryset=Material.objects.order_by("pk")),
    )
    own = selectors.own_registration(event, request.user)
    registered = own is not None and own.status == Registration.Status.REGISTERED
    materials = [
        (material, selectors.material_released(material, own, event.ends_at, now))
        for material in event.materials.all()
    ]
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "description_html": markdown_to_html(event.description),  # sanitised by nh3
            "co_hosts": [line.strip() for line in event.co_hosts.splitlines() if line.strip()],
            "eligibility": eligibility.eligibility(event, request.user, request.roles),
            "registration_open": event.registration_open(now),
            "own": own,
            "registered": registered,
            "show_meeting_url": registered
            and selectors.meeting_url_shown(event, event.starts_at, now),
            "materials": materials if registered else [],
            "started": event.starts_at is not None and event.starts_at <= now,
            **_login_links(request, event),
        },
    )


@require("events.register")
def register(request, pk):
    """The registration page: a contact's details filled in, one click to register
    (colleagues and sessions optional); anyone else eligible registers themself."""
    now = timezone.now()
    event = _visible_event(request, pk, selectors.sessions_prefetch())
    allowed = eligibility.eligibility(event, request.user, request.roles)
    context = {"event": event, "eligibility": allowed}
    if not allowed.allowed:
        return render(request, "events/register.html", context, status=403)
    if not event.registration_open(now):
        messages.error(request, _("Registration for this event is not open."))
        return redirect("events:detail", event.pk)
    sessions = list(event.sessions.all())
    data = request.POST if request.method == "POST" else None
    if allowed.member:
        form = forms.MemberRegistrationForm(
            data,
            event=event,
            sessions=sessions,
            contact=allowed.contact,
            staff=forms.unregistered_staff(allowed.contact, event),
            fee=event.member_fee,
        )
        rows = forms.ColleagueRows(data, prefix="extra")
        valid = data is not None and form.is_valid() and rows.is_valid()
        participants = _member_participants(request, allowed.contact, form, rows) if valid else []
        options = {
            "organisation": allowed.organisation,
            "member": True,
            "one_invoice_per_institution": valid and form.cleaned_data.get("one_invoice", False),
        }
        if valid and not participants:
            form.add_error(None, _("Choose at least one participant."))
    else:
        user = request.user
        initial = {
            "email": user.email,
            "family_name": user.last_name,
            "given_name": user.first_name,
        }
        form = forms.NonMemberRegistrationForm(
            data, initial=initial, event=event, sessions=sessions
        )
        rows = None
        valid = data is not None and form.is_valid()
        participants = [{**form.participant(), "user": request.user}] if valid else []
        options = {}
    if participants:
        try:
            done = services.register(
                event.pk,
                participants,
                registered_by=request.user,
                session_ids=form.session_ids(),
                now=now,
                **options,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _report(request, event, done)
            return redirect("events:mine")
    context.update(
        form=form,
        rows=rows,
        fee=event.member_fee_taxed if allowed.member else event.non_member_fee_taxed,
    )
    return render(request, "events/register.html", context)


def _member_participants(request, contact, form, rows) -> list[dict]:
    """What the member's form names: the contact, checked colleagues, typed colleagues."""
    participants = []
    if form.cleaned_data.get("include_self"):
        participants.append(
            {
                **{f: getattr(contact, f) for f in forms.PARTICIPANT},
                "email": contact.email or request.user.email,
                "department": contact.department,
                "person": contact,
                "user": request.user,
            }
        )
    for person in form.cleaned_data.get("colleagues") or ():
        participants.append(
            {
                **{f: getattr(person, f) for f in forms.PARTICIPANT},
                "department": person.department,
                "person": person,
                "user": person.user,
            }
        )
    for row in rows:
        if row.has_changed():
            participants.append(row.participant())
    return participants


def _report(request, event, registrations):
    held = [str(r) for r in registrations if r.status == Registration.Status.REGISTERED]
    waiting = [str(r) for r in registrations if r.status == Registration.Status.WAITING]
    if held:
        messages.success(
            request,
            _("Registered for “%(event)s”: %(names)s. A confirmation is on its way by mail.")
            % {"event": event.title, "names": "、".join(held)},
        )
    if waiting:
        messages.warning(
            request,
            _(
                "The event is full: on the waiting list for “%(event)s”: %(names)s. "
                "A place that becomes free is offered by mail, in order of registration."
            )
            % {"event": event.title, "names": "、".join(waiting)},
        )


@require("events.register")
def mine(request):
    """The user's registrations, their institution's for a contact, upcoming then past."""
    now = timezone.now()
    registrations = list(selectors.registrations_of(request.user, request.roles))
    organisation_id = request.roles.organisation_id
    for registration in registrations:
        registration.fee_taxed = selectors.with_tax(registration.fee)
        registration.charge_taxed = selectors.with_tax(registration.charge)
        started = registration.starts_at is not None and registration.starts_at <= now
        registration.may_cancel = registration.status in Registration.ACTIVE and not started
        registration.may_confirm = (
            registration.status == Registration.Status.OFFERED
            and registration.offer_expires_at is not None
            and registration.offer_expires_at > now
        )
        registration.invoice_link = (
            registration.invoice_id is not None
            and organisation_id is not None
            and registration.invoice.organisation_id == organisation_id
            and can(request.roles, "dues.view_own")
        )
    upcoming = [r for r in registrations if r.ends_at is None or r.ends_at >= now]
    past = [r for r in registrations if r.ends_at is not None and r.ends_at < now]
    return render(request, "events/mine.html", {"upcoming": upcoming, "past": past})


def _managed(request, pk) -> Registration:
    """A registration the user may manage (`services.may_manage`); anyone else's is a 404."""
    registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
    if not services.may_manage(registration, request.user, request.roles):
        raise Http404
    return registration


@require("events.register")
def cancel(request, pk):
    """GET: what cancelling costs now, per the event's policy; POST: cancel."""
    now = timezone.now()
    registration = _managed(request, pk)
    if request.method == "POST":
        try:
            services.cancel(registration.pk, now=now)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The registration of %(name)s for “%(event)s” is cancelled.")
                % {"name": registration, "event": registration.event.title},
            )
        return redirect("events:mine")
    event = registration.event
    first_start, _last_end = selectors.event_dates(event.pk)
    held = registration.status == Registration.Status.REGISTERED
    charge = services.late_cancellation_fee(event, registration, now) if held else 0
    return render(
        request,
        "events/cancel.html",
        {
            "registration": registration,
            "event": event,
            "active": registration.status in Registration.ACTIVE,
            "started": first_start is not None and first_start <= now,
            "charge": charge,
            "charge_taxed": selectors.with_tax(charge),
            "before_deadline": event.cancellation_deadline is None
            or now <= event.cancellation_deadline,
        },
    )


@require_POST
@require("events.register")
def confirm(request, pk):
    """Take up a place offered from the waiting list."""
    registration = _managed(request, pk)
    try:
        services.confirm_offer(registration.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The place for %(name)s at “%(event)s” is confirmed.")
            % {"name": registration, "event": registration.event.title},
        )
    return redirect("events:mine")


def _own_place(request, event_id) -> Registration:
    """The user's own registration holding a place in the event, or a 404."""
    registration = (
        Registration.objects.filter(
            event_id=event_id, user=request.user, status=Registration.Status.REGISTERED
        )
        .order_by("pk")
        .first()
    )
    if registration is None:
        raise Http404
    return registration


@require("events.register")
def material(request, pk):
    """A material of an event, to its participants once released (`material_released`)."""
    item = get_object_or_404(Material.objects.select_related("event"), pk=pk)
    registration = _own_place(request, item.event_id)
    _first_start, last_end = selectors.event_dates(item.event_id)
    if not selectors.material_released(item, registration, last_end, timezone.now()):
        raise Http404
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=safe_name(item.file_name or item.file.name),
        content_type=item.content_type or "application/octet-stream",
    )


def _ics(content: bytes, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require("events.register")
def ics(request, pk):
    """The event's sessions the participant holds a place in, as an .ics file."""
    registration = _own_place(request, pk)
    sessions = (
        registration.event.sessions.filter(seats__registration=registration)
        .select_related("event")
        .order_by("starts_at", "pk")
    )
    return _ics(
        calendar.calendar(sessions, name=registration.event.title, stamp=timezone.now()),
        f"event-{pk}.ics",
    )


@require("events.register")
def calendar_page(request):
    """The user's private calendar feed: its address, made or replaced on a POST."""
    if request.method == "POST":
        token = secrets.token_urlsafe(32)
        CalendarFeed.objects.update_or_create(user=request.user, defaults={"token": token})
        messages.success(request, _("Your calendar address is ready. Copy it into your calendar."))
        return redirect("events:calendar")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = portal_url(reverse("events:feed", args=[feed.token])) if feed else ""
    return render(request, "events/calendar.html", {"feed": feed, "feed_url": url})


def feed(request, token):
    """The sessions of a user's registrations, for a calendar app: the token is the key."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    return _ics(
        calendar.calendar(
            selectors.feed_sessions(feed.user),
            name=_("Innovation Net events"),
            stamp=timezone.now(),
        )
    )


# The secretariat
# Check-in on the day (from a phone), the sign-in sheet, the report and the certificates.
# Staff pages ask the model permissions of the admin (members.permissions RULES).

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
