import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Assembly(models.Model):
    """A general assembly (総会). Shares are fractions, so that two thirds is exact."""

    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    held_on = models.DateField(_("held on"))
    record_date = models.DateField(
        _("record date"), help_text=_("The voter roll is frozen as it stood on this day.")
    )
    opens_at = models.DateTimeField(_("voting opens at"))
    closes_at = models.DateTimeField(_("voting closes at"))
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum: share (numerator)"), default=1)
    quorum_denominator = models.PositiveSmallIntegerField(
        _("quorum: share (denominator)"), default=2
    )
    quorum_strict = models.BooleanField(
        _("quorum: more than the share"),
        default=True,
        help_text=_("On: more than the share (a majority). Off: at least the share."),
    )
    secret_ballot = models.BooleanField(_("secret ballot"), default=True)
    unpaid_loses_vote = models.BooleanField(
        _("unpaid dues of the previous fiscal year remove the vote"), default=False
    )
    roll_frozen_at = models.DateTimeField(_("roll frozen at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("voting opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("voting closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("general assembly")
        verbose_name_plural = _("general assemblies")
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="assembly_opens_before_it_closes",
            ),
            models.CheckConstraint(
                condition=models.Q(quorum_denominator__gt=0),
                name="assembly_quorum_denominator_positive",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assemblies:detail", args=[self.pk])

    def is_open(self, now=None) -> bool:
        """Ballots and proxies are taken once the secretariat opened the vote, inside the
        window, until it is closed."""
        now = now or timezone.now()
        return (
            self.opened_at is not None
            and self.closed_at is None
            and self.opens_at <= now < self.closes_at
        )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class RollEntry(models.Model):
    """An organisation on the voter roll, as frozen at the record date."""

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("general assembly"), on_delete=models.CASCADE, related_name="roll"
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="roll_entries",
    )
    votes = models.PositiveSmallIntegerField(_("votes"))
    eligible = models.BooleanField(_("may vote"), default=True)
    counts_for_headcount = models.BooleanField(_("counts for the headcount"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        ordering = ["organisation__name_kana"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "organisation"], name="one_roll_entry_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.votes})"


class Threshold(models.Model):
    """What an item needs to pass: a share of the votes exercised and, optionally, of the
    voting members by headcount (e.g. ordinary: more than 1/2; special: at least 2/3 of
    the votes and 1/2 of the members)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    votes_numerator = models.PositiveSmallIntegerField(_("votes: share (numerator)"))
    votes_denominator = models.PositiveSmallIntegerField(_("votes: share (denominator)"))
    votes_strict = models.BooleanField(_("votes: more than the share"), default=True)
    headcount_numerator = models.PositiveSmallIntegerField(
        _("headcount: share (numerator)"), null=True, blank=True
    )
    headcount_denominator = models.PositiveSmallIntegerField(
        _("headcount: share (denominator)"), null=True, blank=True
    )
    headcount_strict = models.BooleanField(_("headcount: more than the share"), default=False)

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(votes_denominator__gt=0), name="threshold_denominator_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    headcount_numerator__isnull=True, headcount_denominator__isnull=True
                )
                | models.Q(
                    headcount_numerator__isnull=False,
                    headcount_denominator__isnull=False,  # NULL > 0 would pass a CHECK
                    headcount_denominator__gt=0,
                ),
                name="threshold_headcount_share_complete",
                violation_error_message=_(
                    "Give both parts of the headcount share (the denominator above 0), or neither."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def rule(self) -> str:
        """The rule in words, in the active language: "more than 1/2 of the votes exercised"."""
        share = {"share": f"{self.votes_numerator}/{self.votes_denominator}"}
        if self.votes_strict:
            votes = gettext("more than %(share)s of the votes exercised") % share
        else:
            votes = gettext("at least %(share)s of the votes exercised") % share
        if self.headcount_numerator is None:
            return votes
        share = {"share": f"{self.headcount_numerator}/{self.headcount_denominator}"}
        if self.headcount_strict:
            heads = gettext("more than %(share)s of the voting members") % share
        else:
            heads = gettext("at least %(share)s of the voting members") % share
        return gettext("%(votes)s and %(headcount)s") % {"votes": votes, "headcount": heads}

    def label(self) -> str:
        """What pages call it: the name the secretariat gave it (普通決議), or, on the English
        pages, where that Japanese name would stand untranslated, the rule itself."""
        if (get_language() or "").startswith("en"):
            return self.rule()
        return self.name


class Choice(models.TextChoices):
    FOR = "for", _("for")
    AGAINST = "against", _("against")
    ABSTAIN = "abstain", _("abstain")


class AgendaItem(models.Model):
    assembly = models.ForeignKey(
        Assembly,
        verbose_name=_("general assembly"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    threshold = models.ForeignKey(
        Threshold, verbose_name=_("threshold"), on_delete=models.PROTECT, related_name="+"
    )
    chair_choice = models.CharField(
        _("the chair's vote for the proxies given to the chair"),
        max_length=10,
        choices=Choice.choices,
        blank=True,
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


def attachment_path(instance, filename):
    """A random path: nobody can guess an attachment's URL, and none is served directly."""
    return f"assemblies/attachments/{uuid.uuid4().hex}"


class AgendaAttachment(models.Model):
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_path)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.title


class Participation(models.Model):
    """How an organisation on the roll takes part: once, in one way. A proxy holder's
    ballots count with the weight of every roll entry that gave it a proxy."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("votes online")
        IN_PERSON = "in_person", _("attends in person")
        PROXY_CHAIR = "proxy_chair", _("proxy to the chair")
        PROXY_MEMBER = "proxy_member", _("proxy to another member")

    entry = models.OneToOneField(
        RollEntry,
        verbose_name=_("voter roll entry"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="participation",
    )
    mode = models.CharField(_("participation"), max_length=20, choices=Mode.choices)
    proxy_to = models.ForeignKey(
        RollEntry,
        verbose_name=_("proxy holder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proxies_held",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participation")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(proxy_to=models.F("entry")), name="no_proxy_to_oneself"
            ),
            models.CheckConstraint(
                condition=models.Q(mode="proxy_member", proxy_to__isnull=False)
                | (~models.Q(mode="proxy_member") & models.Q(proxy_to__isnull=True)),
                name="proxy_holder_only_for_member_proxies",
            ),
        ]

    def __str__(self):
        return f"{self.entry_id}: {self.mode}"


class Ballot(models.Model):
    """One voter's vote on one item; the database allows only one."""

    Choice = Choice

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="ballots"
    )
    voter = models.ForeignKey(
        RollEntry, verbose_name=_("voter"), on_delete=models.PROTECT, related_name="ballots"
    )
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices)
    cast_at = models.DateTimeField(_("cast at"), auto_now=True)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["item", "voter"], name="one_ballot_per_voter_and_item")
        ]

    def __str__(self):
        return f"{self.item_id}/{self.voter_id}"


class AuditEvent(models.Model):
    """Who did what, when, in an assembly. Written by the services; read-only in the admin.
    With secret ballots a ballot event says that a vote was cast or changed, never which."""

    class Action(models.TextChoices):
        ROLL_FROZEN = "roll_frozen", _("roll frozen")
        OPENED = "opened", _("vote opened")
        CLOSED = "closed", _("vote closed")
        BALLOT_CAST = "ballot_cast", _("vote cast")
        BALLOT_CHANGED = "ballot_changed", _("vote changed")
        PROXY_GIVEN = "proxy_given", _("proxy given")
        PROXY_WITHDRAWN = "proxy_withdrawn", _("proxy withdrawn")
        ATTENDANCE_RECORDED = "attendance_recorded", _("attendance recorded")
        CHAIR_VOTE = "chair_vote", _("chair's vote recorded")
        CORRECTED = "corrected", _("roll entry corrected")

    assembly = models.ForeignKey(
        Assembly,
        verbose_name=_("general assembly"),
        on_delete=models.CASCADE,
        related_name="audit",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    entry = models.ForeignKey(
        RollEntry, verbose_name=_("voter roll entry"), on_delete=models.SET_NULL, null=True
    )
    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.SET_NULL, null=True
    )
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        verbose_name = _("assembly audit event")
        verbose_name_plural = _("assembly audit trail")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class VoterReminder(models.Model):
    """A reminder mailed to an organisation that has not taken part yet; the rows are the
    claim that keeps a repeated request from mailing twice."""

    entry = models.ForeignKey(
        RollEntry,
        verbose_name=_("voter roll entry"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = pgettext_lazy("reminder", "reminder")
        verbose_name_plural = pgettext_lazy("reminder", "reminders")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.entry_id} {self.sent_at:%Y-%m-%d %H:%M}"
