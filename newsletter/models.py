from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import LocalisedName


class Topic(LocalisedName):
    """What an issue is about; readers choose the topics they want."""

    slug = models.SlugField(_("code"), unique=True)

    class Meta(LocalisedName.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Subscriber(models.Model):
    """An address that may receive the newsletter: a member contact or an outside reader.

    Outside readers count only once they confirm (double opt-in); anyone who unsubscribes
    or hard-bounces receives nothing until they subscribe again.
    """

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    person = models.OneToOneField(
        "members.Person",
        verbose_name=_("member contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subscriber",
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), blank=True, related_name="subscribers"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    bounce_score = models.PositiveSmallIntegerField(_("bounce score"), default=0)
    bounced_at = models.DateTimeField(
        _("stopped by bounces at"),
        null=True,
        blank=True,
        help_text=_("Mail stops after a hard bounce; update the contact and clear this."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["email"]

    def __str__(self):
        return self.email


class SubscriptionEvent(models.Model):
    """Every subscribe, confirm and unsubscribe, with when and where it came from."""

    class Action(models.TextChoices):
        SUBSCRIBE = "subscribe", _("subscribed")
        CONFIRM = "confirm", _("confirmed")
        TOPICS = "topics", _("changed topics")
        UNSUBSCRIBE = "unsubscribe", _("unsubscribed")
        BOUNCE = "bounce", _("stopped by bounces")
        COMPLAINT = "complaint", _("complained (marked as spam)")

    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    source = models.CharField(
        _("source"),
        max_length=40,
        help_text=_("e.g. public form, one-click header, profile page, admin, bounce webhook"),
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription event")
        verbose_name_plural = _("subscription events")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.subscriber}: {self.get_action_display()}"


class Mailing(models.Model):
    """One bulk send (a newsletter issue, dues notices, survey invitations...).

    Its recipients are fixed as Delivery rows when it starts; workers send those. The
    renderer (a dotted path) turns a delivery into a message.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("sending")
        PAUSED = "paused", _("paused")
        DONE = "done", _("done")

    name = models.CharField(_("name"), max_length=200)
    renderer = models.CharField(_("renderer"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENDING
    )
    pause_reason = models.CharField(_("why paused"), max_length=300, blank=True)
    # Failures in a row; reaching settings.MAILING_MAX_FAILURES_IN_A_ROW pauses the mailing.
    failures_in_a_row = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class Delivery(models.Model):
    """One message of a mailing to one address; unique, so nobody gets it twice.

    A worker claims rows (status SENDING with a lease) and marks each one sent as soon as
    the server accepts it; rows of a worker that died go back to QUEUED when the lease ends.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    mailing = models.ForeignKey(
        Mailing, verbose_name=_("mailing"), on_delete=models.CASCADE, related_name="deliveries"
    )
    address = models.EmailField(_("address"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    # Whatever the renderer needs beyond the address (e.g. an invoice id).
    context = models.JSONField(_("context"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("one message of a mailing", "delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "address"], name="one_delivery_per_mailing_and_address"
            )
        ]
        indexes = [
            models.Index(fields=["mailing", "status", "next_attempt_at"], name="delivery_queue"),
            models.Index(fields=["status", "lease_until"], name="delivery_lease"),
        ]

    def __str__(self):
        return self.address

    @property
    def message_id(self) -> str:
        """Fixed per delivery, so that a message sent again is recognisable as the same."""
        return f"<m{self.mailing_id}.d{self.pk}@{settings.MAIL_MESSAGE_ID_DOMAIN}>"
