"""Regional issues and proposals to the state (地域の諸課題・要望等の集約と国への提言).

The flow, and the models that hold each step:

1. A **call** (`Call`, 募集) for a fiscal year, with its themes (`Theme`), the membership
   classes that may submit and a window (`opens_at` ≤ now < `closes_at`).
2. Member institutions write **submissions** (`Submission`): a draft any contact of the
   institution edits until the window closes, then submitted; withdrawn keeps the row (a
   proposal item that cited it shows a note, so cited submissions are never deleted).
   Ministries concerned are rows of `Ministry` (data), attachments `SubmissionAttachment`.
3. Other institutions **endorse** (`Endorsement`, 賛同): one per institution and submission
   (a unique constraint backs the service). The secretariat hides an endorsement's comment
   with a reason, never deletes it; every hide/unhide is a `ModerationEvent`, written in the
   same transaction (so are those on `DraftComment`).
4. The secretariat **compiles** the year's `Proposal` (提言, one per fiscal year): front
   matter, then `ProposalItem`s by theme, each citing submissions (`Citation`). An item
   names its submitting institutions and blocks unless `hide_submitters` is set on the
   item, or the submission asked not to be named (`Submission.hide_name`).
5. During the comment period members comment on the draft item by item (`DraftComment`).
6. The final version is exported as .docx and PDF, each export a `ProposalVersion` (files
   stored once with their SHA-256, never re-rendered).
7. **Follow-up**: each item's status after submission with the ministry's answer; every
   change is an `ItemFollowUp` row (the history), and the item keeps the latest status in
   `follow_up_status` for lists and filters (`services` write both in one transaction).

Search: `Submission.search_text` and `ProposalItem.search_text` hold the texts folded by
`portal.kana.search_text`, so that a query folded by `kana.normalise` finds them with a
plain substring match, in kana or kanji, of any width.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import LocalisedName
from portal import kana


class Theme(LocalisedName):
    """A theme a call asks about (人材育成, 産学官金連携, 財源, 制度要望): data."""

    class Meta(LocalisedName.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Ministry(LocalisedName):
    """A ministry a submission or item is addressed to (経済産業省, 文部科学省, 農林水産省,
    その他): data, so that the secretariat adds one without a release."""

    class Meta(LocalisedName.Meta):
        verbose_name = _("ministry")
        verbose_name_plural = _("ministries")


class Call(models.Model):
    """A call for regional issues (募集) for one fiscal year."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), db_index=True)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("Markdown, shown above the call.")
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="calls")
    eligible_classes = models.ManyToManyField(
        "members.MembershipClass",
        verbose_name=_("classes that may submit"),
        related_name="+",
        help_text=_("An institution whose current membership is of one of these submits."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call for issues")
        verbose_name_plural = _("calls for issues")
        ordering = ["-fiscal_year", "-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="call_opens_before_it_closes",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:call", args=[self.pk])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def has_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    MEMBERS = "members", _("members only")


class Submission(models.Model):
    """An institution's regional issue and request, answering a call."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    Visibility = Visibility

    call = models.ForeignKey(
        Call,
        verbose_name=_("call for issues"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="proposal_submissions",
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="submissions"
    )
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    # A draft may lack any of the texts; services.submit asks for them.
    background = models.TextField(
        _("situation in the region"),
        blank=True,
        help_text=_("The issue as the region sees it (背景)."),
    )
    request = models.TextField(
        _("request"), blank=True, help_text=_("What the state is asked to do (要望).")
    )
    ministries = models.ManyToManyField(
        Ministry, verbose_name=_("ministries concerned"), related_name="submissions", blank=True
    )
    supporting_data = models.TextField(_("supporting data"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    hide_name = models.BooleanField(
        _("do not name our institution in the proposal"),
        default=False,
        help_text=_("The proposal cites the issue without the institution's name and block."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Title, background, request and supporting data folded by kana.search_text.
    search_text = models.TextField(editable=False, default="")
    # Bumped on every save of the draft, so that a second contact editing from an older copy
    # is told instead of overwriting (services.save_draft).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-submitted_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["call", "status"], name="submission_call_status")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="submitted") | models.Q(submitted_at__isnull=False),
                name="submitted_submission_has_submitted_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn") | models.Q(withdrawn_at__isnull=False),
                name="withdrawn_submission_has_withdrawn_at",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.derive_fields()
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("proposals:submission", args=[self.pk])

    DERIVED_FIELDS = ("search_text",)

    def derive_fields(self) -> None:
        self.search_text = kana.search_text(
            self.title, self.background, self.request, self.supporting_data
        )

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


def attachment_path(instance, filename):
    """A random path: nobody can guess an attachment's URL, and none is served directly."""
    return f"proposals/attachments/{uuid.uuid4().hex}"


class SubmissionAttachment(models.Model):
    """A file supporting a submission, typed by content (portal.uploads) and served only by
    a view that checks the reader may see the submission."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class Moderated(models.Model):
    """What the secretariat may hide (a comment), with who hid it, when and why. Hidden
    text stays in the database but is never shown outside the admin."""

    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Endorsement(Moderated):
    """An institution's support for a submission (賛同), with an optional comment such as
    「当機関も同様の課題あり」: one per institution and submission."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        related_name="endorsements",
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="proposal_endorsements",
    )
    comment = models.TextField(_("comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "organisation"],
                name="one_endorsement_per_organisation",
                violation_error_message=_("Your institution already endorses this issue."),
            )
        ]

    def __str__(self):
        return f"{self.organisation} → {self.submission}"


class Proposal(models.Model):
    """The year's proposal to the state (提言): front matter, then items by theme."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        COMMENTING = "commenting", _("open for comments")
        FINAL = "final", _("final")
        SUBMITTED = "submitted", _("submitted to the ministries")

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), unique=True)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    front_matter = models.TextField(_("front matter"), blank=True, help_text=_("Markdown."))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    comment_opens_at = models.DateTimeField(_("comments open at"), null=True, blank=True)
    comment_closes_at = models.DateTimeField(_("comments close at"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted to the ministries on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-fiscal_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comment_opens_at__isnull=True)
                | models.Q(comment_closes_at__isnull=True)
                | models.Q(comment_opens_at__lt=models.F("comment_closes_at")),
                name="proposal_comments_open_before_they_close",
            )
        ]

    def __str__(self):
        return self.title

    def comments_open(self, now=None) -> bool:
        """Members comment while the draft is out for comments, inside its period."""
        now = now or timezone.now()
        return (
            self.status == self.Status.COMMENTING
            and self.comment_opens_at is not None
            and self.comment_closes_at is not None
            and self.comment_opens_at <= now < self.comment_closes_at
        )


class FollowUpStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")  # 提出済み
    ANSWERED = "answered", _("answered")  # 回答あり
    REFLECTED = "reflected", _("reflected in policy")  # 施策に反映
    CONTINUED = "continued", _("request continued")  # 継続要望


class ProposalItem(models.Model):
    """One item of a proposal: the secretariat's text, citing the submissions it groups."""

    FollowUpStatus = FollowUpStatus

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="items"
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    ministries = models.ManyToManyField(
        Ministry, verbose_name=_("ministries concerned"), related_name="items", blank=True
    )
    hide_submitters = models.BooleanField(
        _("hide the submitting institutions"),
        default=False,
        help_text=_("Cite the issues without naming their institutions and blocks."),
    )
    submissions = models.ManyToManyField(
        Submission,
        verbose_name=_("cited submissions"),
        through="Citation",
        related_name="items",
        blank=True,
    )
    # The latest ItemFollowUp's status (blank before the proposal is submitted), kept here
    # for lists and filters; ItemFollowUp rows are the history.
    follow_up_status = models.CharField(
        _("follow-up status"), max_length=12, choices=FollowUpStatus.choices, blank=True
    )
    # Title and text folded by kana.search_text.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("proposal item")
        verbose_name_plural = _("proposal items")
        ordering = ["proposal", "order", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.derive_fields()
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    DERIVED_FIELDS = ("search_text",)

    def derive_fields(self) -> None:
        self.search_text = kana.search_text(self.title, self.text)


class Citation(models.Model):
    """A submission an item groups. PROTECT: a cited submission stays (withdrawn, it leaves
    a note on the item)."""

    item = models.ForeignKey(
        ProposalItem,
        verbose_name=_("proposal item"),
        on_delete=models.CASCADE,
        related_name="citations",
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.PROTECT,
        related_name="citations",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["item", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "submission"], name="one_citation_per_item_and_submission"
            )
        ]

    def __str__(self):
        return f"{self.item_id} ← {self.submission_id}"


class DraftComment(Moderated):
    """A member's comment on one item of the draft, during the comment period."""

    item = models.ForeignKey(
        ProposalItem,
        verbose_name=_("proposal item"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="proposal_comments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment on the draft")
        verbose_name_plural = _("comments on the draft")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.organisation}: {self.item}"


class ModerationEvent(models.Model):
    """Who hid or showed again which comment, when and why: written by the services in the
    same transaction as the change, read-only in the admin. Exactly one target is set."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", _("hidden")
        SHOWN = "shown", _("shown again")

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("reason"))
    endorsement = models.ForeignKey(
        Endorsement,
        verbose_name=_("endorsement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moderation",
    )
    comment = models.ForeignKey(
        DraftComment,
        verbose_name=_("comment on the draft"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moderation",
    )

    class Meta:
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation trail")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(endorsement__isnull=False, comment__isnull=True)
                | models.Q(endorsement__isnull=True, comment__isnull=False),
                name="moderation_event_has_one_target",
            )
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    @property
    def target(self):
        return self.endorsement or self.comment


def version_path(instance, filename):
    return f"proposals/versions/{uuid.uuid4().hex}/{filename}"


class ProposalVersion(models.Model):
    """One export of a proposal, numbered per proposal: its .docx and PDF, each stored once
    with its SHA-256 and never rendered again."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    docx = models.FileField(_("Word file"), upload_to=version_path, editable=False)
    docx_sha256 = models.CharField(_("Word file SHA-256"), max_length=64, editable=False)
    pdf = models.FileField(_("PDF"), upload_to=version_path, editable=False)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("proposal version")
        verbose_name_plural = _("proposal versions")
        ordering = ["proposal", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="one_proposal_version_per_number"
            )
        ]

    def __str__(self):
        return f"{self.proposal} v{self.number}"


class ItemFollowUp(models.Model):
    """A step in an item's follow-up after the proposal is submitted (提出済み → 回答あり →
    施策に反映 or 継続要望), with the ministry's answer and its date. The rows are the
    history; the item keeps the latest status (`ProposalItem.follow_up_status`)."""

    item = models.ForeignKey(
        ProposalItem,
        verbose_name=_("proposal item"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    status = models.CharField(_("status"), max_length=12, choices=FollowUpStatus.choices)
    ministry = models.ForeignKey(
        Ministry,
        verbose_name=_("ministry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answer = models.TextField(_("the ministry's answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["item", "recorded_at", "pk"]

    def __str__(self):
        return f"{self.item}: {self.get_status_display()}"
