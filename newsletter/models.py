from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import LocalisedName
from portal import kana
from portal.validators import validate_name


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
    name = models.CharField(_("name"), max_length=100, blank=True, validators=[validate_name])
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
    # Mailman's scoring: a hard bounce adds 1, a soft one 0.5, at most once a day.
    bounce_score = models.DecimalField(
        _("bounce score"), max_digits=4, decimal_places=1, default=Decimal(0)
    )
    last_bounce_on = models.DateField(_("last bounce on"), null=True, blank=True)
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

    @property
    def is_active(self) -> bool:
        return bool(self.confirmed_at and not self.unsubscribed_at and not self.bounced_at)


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


class Masthead(models.Model):
    """The header and footer shared by issues: the network's details, written once.

    The unsubscribe and preference links are added below the footer by the portal, so no
    masthead can leave them out.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    header = models.TextField(_("header (Markdown)"), blank=True)
    footer = models.TextField(_("footer (Markdown)"), blank=True)

    class Meta:
        verbose_name = _("header and footer")
        verbose_name_plural = _("headers and footers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class IssueQuerySet(models.QuerySet):
    def published(self):
        """Issues whose sending has started: they are in the archive."""
        return self.filter(sent_at__isnull=False)


class Issue(models.Model):
    """One newsletter issue: written in Markdown, approved by a second person, sent once."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        SCHEDULED = "scheduled", _("scheduled")
        SENT = "sent", _("sent")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public")
        MEMBERS = "members", _("members only")

    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(
        _("body (Markdown)"),
        help_text=_("Headings with #, lists with -, links as [text](https://…)."),
    )
    masthead = models.ForeignKey(
        Masthead,
        verbose_name=_("header and footer"),
        on_delete=models.PROTECT,
        related_name="issues",
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="issues")
    visibility = models.CharField(
        _("archive visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    # The audience: subscribers of the topics, narrowed by any of these that are set.
    membership_classes = models.ManyToManyField(
        "members.MembershipClass",
        verbose_name=_("only membership classes"),
        blank=True,
        related_name="+",
    )
    blocks = models.ManyToManyField(
        "members.RegionalBlock",
        verbose_name=_("only regional blocks"),
        blank=True,
        related_name="+",
    )
    prefectures = models.JSONField(_("only prefectures"), default=list, blank=True)
    roles = models.JSONField(_("only contacts with the roles"), default=list, blank=True)
    send_at = models.DateTimeField(
        _("send at"), null=True, blank=True, help_text=_("Empty: send when approved and sent.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    test_sent_at = models.DateTimeField(_("test sent at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    mailing = models.OneToOneField(
        "outbox.Mailing",
        verbose_name=_("mailing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issue",
    )
    # Subject and body folded by portal.kana, for the archive's Japanese search.
    search_text = models.TextField(editable=False, default="")

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        ordering = ["-sent_at", "-created_at"]
        indexes = [models.Index(fields=["-sent_at"], name="issue_archive_order")]

    def __str__(self):
        return self.subject

    def save(self, *args, **kwargs):
        self.search_text = kana.search_text(self.subject, self.body)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class AddressProblem(models.Model):
    """A task for the secretariat: an address hard-bounced, so the contact needs updating."""

    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        related_name="problems",
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("address to check")
        verbose_name_plural = _("addresses to check")
        ordering = ["resolved_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_problem_per_subscriber",
            )
        ]

    def __str__(self):
        return f"{self.subscriber}: {self.reason}"
