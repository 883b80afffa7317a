"""Exchange meetings (情報・意見交換会) and training (研修): events with sessions, who
registered, the waiting list, attendance per session and certificates. Fees are billed by
`dues` (an invoice line per participant); this app keeps which invoice holds whose fee."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dues.models import Invoice
from members.models import MembershipClass, Organisation, Person, RegionalBlock
from portal import names
from portal.validators import validate_name


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Event(models.Model):
    class Kind(models.TextChoices):
        EXCHANGE = "exchange", _("exchange meeting (情報・意見交換会)")
        TRAINING = "training", _("training (研修)")
        SEMINAR = "seminar", _("seminar (セミナー)")
        ASSEMBLY = "assembly", _("held with the general assembly (総会併催)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown, as in the newsletter.")
    )
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Shown on the events page.")
    )
    block = models.ForeignKey(
        RegionalBlock,
        verbose_name=_("regional block"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Where it is held; empty for a national or online event."),
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("venue address"), max_length=300, blank=True)
    online = models.BooleanField(_("online"), default=False)
    meeting_url = models.URLField(
        _("meeting URL"), blank=True, help_text=_("Shown only to registered participants.")
    )
    meeting_url_lead_minutes = models.PositiveSmallIntegerField(
        _("meeting URL shown from (minutes before the start)"), default=30
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    classes = models.ManyToManyField(
        MembershipClass,
        verbose_name=_("member classes who may register"),
        blank=True,
        related_name="+",
    )
    open_to_public = models.BooleanField(
        _("open to the public"),
        default=False,
        help_text=_("Anyone with an account may register, and the page is public."),
    )
    member_fee = models.PositiveIntegerField(_("fee for members (yen, tax excluded)"), default=0)
    non_member_fee = models.PositiveIntegerField(
        _("fee for non-members (yen, tax excluded)"), default=0
    )
    cancellation_deadline = models.DateTimeField(
        _("free cancellation until"), null=True, blank=True
    )
    cancellation_fee_percent = models.PositiveSmallIntegerField(
        _("cancellation fee after the deadline (percent of the fee)"),
        default=100,
        validators=[MaxValueValidator(100)],
    )
    cancellation_policy = models.TextField(_("cancellation policy"), blank=True)
    co_hosts = models.TextField(
        _("co-hosts"), blank=True, help_text=_("One per line, e.g. 幹事機関 or a ministry.")
    )
    offer_days = models.PositiveSmallIntegerField(
        _("days to confirm a place offered from the waiting list"), default=3
    )
    feedback_survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("feedback survey"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-registration_opens_at", "-pk"]

    def __str__(self):
        return self.title

    def registration_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.registration_opens_at <= now < self.registration_closes_at

    def fee_for(self, member: bool) -> int:
        return self.member_fee if member else self.non_member_fee


class Session(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: the event's capacity.")
    )
    required = models.BooleanField(_("required for the certificate"), default=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title


class Material(models.Model):
    class Release(models.TextChoices):
        BEFORE = "before", _("to participants before the event")
        AFTER = "after", _("to participants after the event")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="event-materials/%Y/")
    file_name = models.CharField(_("file name"), max_length=200, editable=False)
    content_type = models.CharField(max_length=100, editable=False)
    release = models.CharField(
        _("released"), max_length=10, choices=Release.choices, default=Release.BEFORE
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["pk"]

    def __str__(self):
        return self.title


class Registration(models.Model):
    """One participant of an event, whoever registered them; the waiting list is the
    registrations in WAITING, in order of arrival."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        WAITING = "waiting", _("on the waiting list")
        OFFERED = "offered", _("place offered, to confirm")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("offer expired")

    HOLDING = (Status.REGISTERED, Status.OFFERED)  # statuses that take a place
    ACTIVE = (Status.REGISTERED, Status.OFFERED, Status.WAITING)

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_registrations",
        help_text=_("The institution billed; for a non-member, set it before invoicing."),
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    family_name = models.CharField(_("family name"), max_length=50, validators=[validate_name])
    given_name = models.CharField(_("given name"), max_length=50, validators=[validate_name])
    family_name_kana = models.CharField(_("family name (kana)"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=50, blank=True)
    email = models.EmailField(_("email address"))
    affiliation = models.CharField(
        _("affiliation"), max_length=200, blank=True, validators=[validate_name]
    )
    affiliation_kana = models.CharField(_("affiliation (kana)"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    member = models.BooleanField(_("member rate"), default=False)
    fee = models.PositiveIntegerField(_("fee (yen, tax excluded)"), default=0)
    charge = models.PositiveIntegerField(
        _("to bill (yen, tax excluded)"),
        default=0,
        help_text=_("The fee, a cancellation fee after the deadline, or nothing."),
    )
    one_invoice_per_institution = models.BooleanField(
        _("one invoice for the institution"), default=False
    )
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    offered_at = models.DateTimeField(_("place offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    token = models.UUIDField(_("check-in code"), default=uuid.uuid4, unique=True, editable=False)
    certificate_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    certificate_number = models.PositiveIntegerField(
        _("certificate number"), null=True, blank=True, editable=False
    )
    certificate_pdf = models.FileField(
        _("certificate PDF"), upload_to="certificates/%Y/", blank=True, editable=False
    )
    certificate_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "event",
                models.functions.Lower("email"),
                condition=Q(status__in=["registered", "waiting", "offered"]),
                name="one_active_registration_per_address",
            ),
            models.UniqueConstraint(
                fields=["certificate_year", "certificate_number"],
                name="certificate_number_unique_per_year",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self):
        return names.display_name(self)

    @property
    def certificate_display_number(self) -> str:
        if self.certificate_number is None:
            return ""
        return f"{self.certificate_year}-{self.certificate_number:04d}"


class Seat(models.Model):
    """A registration's place in one session, and whether it was taken (attendance)."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="seats",
    )
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="seats"
    )
    attended_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="one_seat_per_session"
            )
        ]

    def __str__(self):
        return f"{self.registration} / {self.session}"


class CertificateSequence(models.Model):
    """The last certificate number of a year; locked while a number is taken (no gaps)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class CalendarFeed(models.Model):
    """A user's private calendar address: the token is the only credential a calendar app
    can send, so it is long, random and can be replaced."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)
