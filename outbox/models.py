from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Mailing(models.Model):
    """One bulk send (a newsletter issue, dues notices, survey invitations...).

    Its recipients are fixed as Delivery rows when it starts; workers send those. The
    renderer (a name registered in outbox.renderers) turns a delivery into a message.
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

    `key` tells apart several messages of one mailing to the same address when each is about
    something else (two invoices billed to one treasurer); a newsletter leaves it empty.

    A sender claims rows (status SENDING, its owner token, a lease it renews while it works)
    and marks each one sent, only while it still owns it, as soon as the relay accepts it.
    Rows of a sender that died go back to QUEUED when its slot is taken again or its lease
    ends (outbox/engine.py).
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
    key = models.CharField(_("about"), max_length=100, blank=True, default="")
    name = models.CharField(_("name"), max_length=100, blank=True)
    # The ids the renderer reads its rows by (an invoice, a newsletter subscriber...).
    context = models.JSONField(_("context"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # "<slot>:<random>" of the sender that claimed the row; empty when nobody holds it.
    owner = models.CharField(_("claimed by"), max_length=40, blank=True, default="")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("one message of a mailing", "delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "address", "key"], name="one_delivery_per_mailing_and_address"
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


class Pace(models.Model):
    """The relay's rate limit shared by every sender: the time the next message may go.

    One row; each send moves it on by one interval under the row lock, so senders in any
    number of processes space their messages evenly (outbox.engine.pace)."""

    next_at = models.DateTimeField()

    def __str__(self):
        return f"next message at {self.next_at:%H:%M:%S.%f}"
