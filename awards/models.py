import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.prefectures import PREFECTURES
from portal.validators import validate_name


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("Call not open yet")
    CALL = "call", _("Call for entries")
    JUDGING = "judging", _("Judging")
    ANNOUNCED = "announced", _("Results announced")


class Edition(models.Model):
    """One year's award. Its phase follows from its dates; the secretariat moves a phase
    on by setting the date to now (admin actions), so "by date" and "by hand" agree."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("call text"), blank=True)
    call_opens_at = models.DateTimeField(_("call opens at"))
    nomination_deadline = models.DateTimeField(
        _("third-party nomination deadline"),
        help_text=_("Nominations of another organisation's programme or person close first."),
    )
    entry_deadline = models.DateTimeField(_("entry deadline"))
    decision_on = models.DateField(_("decision on"), null=True, blank=True)
    announced_at = models.DateTimeField(
        _("announced at"),
        null=True,
        blank=True,
        help_text=_("Decisions stay hidden from everyone but the secretariat until then."),
    )

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(call_opens_at__lte=models.F("nomination_deadline"))
                & Q(nomination_deadline__lte=models.F("entry_deadline")),
                name="edition_dates_in_order",
                violation_error_message=_(
                    "The call opens before the nomination deadline, which is not after the "
                    "entry deadline."
                ),
            )
        ]

    def __str__(self):
        return self.name

    def phase(self, now=None) -> Phase:
        now = now or timezone.now()
        if now < self.call_opens_at:
            return Phase.UPCOMING
        if now < self.entry_deadline:
            return Phase.CALL
        if self.announced_at is None or now < self.announced_at:
            return Phase.JUDGING
        return Phase.ANNOUNCED

    def accepts_entries(self, now=None) -> bool:
        return self.phase(now) == Phase.CALL

    def accepts_nominations(self, now=None) -> bool:
        now = now or timezone.now()
        return self.call_opens_at <= now < self.nomination_deadline

    def is_announced(self, now=None) -> bool:
        return self.phase(now) == Phase.ANNOUNCED


class Track(models.Model):
    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Programme")
        INDIVIDUAL = "individual", _("Individual practitioner")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="tracks"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(pgettext_lazy("award track", "description"), blank=True)
    title_label = models.CharField(
        _("label of the title field"),
        max_length=100,
        help_text=_("E.g. 'Programme name' or 'Name of the practitioner'."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["edition", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind"], name="one_track_per_kind")
        ]

    def __str__(self):
        return self.name


class TrackSection(models.Model):
    """A section of a track's entry form (background, what was done, results...): data."""

    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="sections"
    )
    key = models.SlugField(_("code"))
    label = models.CharField(_("heading"), max_length=200)
    help_text = models.TextField(_("guidance"), blank=True)
    max_length = models.PositiveIntegerField(_("maximum characters"), default=2000)
    required = models.BooleanField(_("required for submission"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("entry form section")
        verbose_name_plural = _("entry form sections")
        ordering = ["track", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["track", "key"], name="section_key_unique_in_track")
        ]

    def __str__(self):
        return self.label


class Prize(models.Model):
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="prizes"
    )
    name = models.CharField(_("name"), max_length=200)
    viewpoint = models.TextField(_("viewpoint"), blank=True)
    winners = models.PositiveSmallIntegerField(_("number of winners"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("prize")
        verbose_name_plural = _("prizes")
        ordering = ["edition", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="prize_name_unique")
        ]

    def __str__(self):
        return self.name


class EntryQuerySet(models.QuerySet):
    def active(self):
        """Entries that count: not merged into another, not withdrawn."""
        return self.exclude(status__in=[Entry.Status.MERGED, Entry.Status.WITHDRAWN])


class Entry(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Nominated, awaiting the nominee's consent")
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        MERGED = "merged", _("Merged into another entry")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Nomination(models.TextChoices):
        SELF = "self", _("Self-nomination")
        THIRD_PARTY = "third_party", _("Third-party nomination")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.PROTECT, related_name="entries"
    )
    track = models.ForeignKey(Track, verbose_name=_("track"), on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    nomination = models.CharField(
        _("nomination"), max_length=12, choices=Nomination.choices, default=Nomination.SELF
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_entries",
        help_text=_("Who completes the entry; empty until a nominee consents."),
    )
    title = models.CharField(pgettext_lazy("award entry", "title"), max_length=200)
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("member organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="award_entries",
    )
    organisation_name = models.CharField(
        _("applicant organisation"), max_length=200, validators=[validate_name]
    )
    co_applicants = models.TextField(
        _("partner organisations"),
        blank=True,
        help_text=_("One organisation per line."),
    )
    co_applicant_organisations = models.ManyToManyField(
        "members.Organisation",
        verbose_name=_("partner member organisations"),
        blank=True,
        related_name="award_co_entries",
    )
    prefecture = models.PositiveSmallIntegerField(
        _("prefecture"), choices=PREFECTURES, null=True, blank=True
    )
    summary = models.TextField(_("summary"), max_length=400, blank=True)
    sections = models.JSONField(_("sections"), default=dict, blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=200, blank=True, help_text=_("Separated by commas.")
    )
    contact_name = models.CharField(
        _("contact person"), max_length=100, blank=True, validators=[validate_name]
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_entries",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["edition", "track", "pk"]

    def __str__(self):
        return self.title or str(_("(untitled)"))

    @property
    def reference(self) -> str:
        return f"{self.edition.year}-{self.pk:04d}"

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.replace("、", ",").split(",") if word]

    def section_items(self) -> list[tuple["TrackSection", str]]:
        """(section, text) in the track's order; prefetch track__sections for lists."""
        return [
            (section, self.sections.get(section.key, "")) for section in self.track.sections.all()
        ]

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SUBMITTED)


class Nomination(models.Model):
    """A third party proposing another organisation's programme or person."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="nominations"
    )
    nominator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominator"),
        on_delete=models.PROTECT,
        related_name="award_nominations",
    )
    nominator_organisation = models.CharField(
        _("nominator's organisation"), max_length=200, validators=[validate_name]
    )
    reason = models.TextField(_("reason for the nomination"))
    nominee_name = models.CharField(
        _("nominee contact"), max_length=100, validators=[validate_name]
    )
    nominee_email = models.EmailField(_("nominee email"))
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("nominated at"), auto_now_add=True)
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consented by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)

    class Meta:
        verbose_name = _("third-party nomination")
        verbose_name_plural = _("third-party nominations")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.nominator_organisation} → {self.entry}"


def attachment_path(instance, filename):
    """A random path: nobody can guess an attachment's URL, and none is served directly."""
    return f"awards/attachments/{uuid.uuid4().hex}"


class Attachment(models.Model):
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="attachments"
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


class EligibilityQuestion(models.Model):
    """An applicant asking whether a programme suits the award; kept with the draft."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="questions"
    )
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("eligibility question")
        verbose_name_plural = _("eligibility questions")
        ordering = ["asked_at"]

    def __str__(self):
        return self.question[:50]


# --- Judging ---------------------------------------------------------------------


class Judge(models.Model):
    """A committee member of one edition; their organisation and prefecture feed the
    conflict checks."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="judges"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="award_judgeships",
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("member organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    prefecture = models.PositiveSmallIntegerField(
        _("prefecture"), choices=PREFECTURES, null=True, blank=True
    )

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        ordering = ["edition", "-is_chair", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "user"], name="judge_once_per_edition"),
            models.UniqueConstraint(
                fields=["edition"],
                condition=Q(is_chair=True),
                name="one_chair_per_edition",
                violation_error_message=_("An edition has one chair."),
            ),
        ]

    def __str__(self):
        return (self.affiliation and f"{self.user} ({self.affiliation})") or str(self.user)


class Round(models.Model):
    """A judging round (document review, final...), open between its two times."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="rounds"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    scores_released = models.BooleanField(
        _("scores shown to judges"),
        default=False,
        help_text=_("Judges see one another's scores only once the secretariat shows them."),
    )
    disagreement_spread = models.DecimalField(
        _("flag disagreement from a spread of"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.50"),
        help_text=_("Entries whose highest and lowest judge differ by this much are flagged."),
    )

    class Meta:
        verbose_name = _("judging round")
        verbose_name_plural = _("judging rounds")
        ordering = ["edition", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")),
                name="round_opens_before_it_closes",
                violation_error_message=_("A round opens before it closes."),
            )
        ]

    def __str__(self):
        return f"{self.edition} {self.name}"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class Criterion(models.Model):
    """A rubric line; with a prize it is that prize's "fit", shown but not totalled."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("guidance"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=Decimal(1))
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    prize = models.ForeignKey(
        Prize,
        verbose_name=_("fit for prize"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["round", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_min__lt=models.F("scale_max")),
                name="criterion_scale_not_empty",
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """An entry given to a judge in a round; it carries the judge's review of it."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="assignments"
    )
    judge = models.ForeignKey(
        Judge, verbose_name=_("judge"), on_delete=models.CASCADE, related_name="assignments"
    )
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="assignments"
    )
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "judge", "entry"], name="assigned_once_per_round"
            )
        ]

    def __str__(self):
        return f"{self.judge} · {self.entry}"


class Score(models.Model):
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="scores"
    )
    value = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="one_score_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class Conflict(models.Model):
    """A conflict of interest a judge declared (those the data shows are computed)."""

    class Kind(models.TextChoices):
        SAME_ORGANISATION = "same_organisation", _("Same organisation")
        CO_APPLICANT = "co_applicant", _("Partner organisation")
        NOMINATOR = "nominator", _("Nominated the entry")
        COLLABORATION = "collaboration", _("Collaboration")
        PERSONAL = "personal", _("Personal relationship")
        OTHER = "other", _("Other")

    judge = models.ForeignKey(
        Judge, verbose_name=_("judge"), on_delete=models.CASCADE, related_name="conflicts"
    )
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="conflicts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [
            models.UniqueConstraint(fields=["judge", "entry"], name="one_declared_conflict")
        ]

    def __str__(self):
        return f"{self.judge} · {self.entry} ({self.get_kind_display()})"


class Decision(models.Model):
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="decisions"
    )
    prize = models.ForeignKey(Prize, verbose_name=_("prize"), on_delete=models.PROTECT)
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="decisions"
    )
    reason = models.TextField(_("committee's reason"))
    comment = models.TextField(_("committee's comment (講評, published)"), blank=True)
    override_reason = models.TextField(_("why this entry wins more than one prize"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["prize__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["prize", "entry"], name="prize_once_per_entry")
        ]

    def __str__(self):
        return f"{self.prize}: {self.entry}"


class Notification(models.Model):
    """The text winners (or the others) receive, drafted and checked before it goes out."""

    class Outcome(models.TextChoices):
        WINNER = "winner", _("Winners")
        OTHER = "other", _("Other entries")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="notifications"
    )
    outcome = models.CharField(_("to"), max_length=10, choices=Outcome.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_("{title}, {organisation} and {prizes} are replaced for each entry."),
    )
    mailing = models.OneToOneField(
        "outbox.Mailing", on_delete=models.PROTECT, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("result notification")
        verbose_name_plural = _("result notifications")
        constraints = [
            models.UniqueConstraint(fields=["edition", "outcome"], name="one_text_per_outcome")
        ]

    def __str__(self):
        return f"{self.edition}: {self.get_outcome_display()}"


class AuditEvent(models.Model):
    """Who did what, when, in judging. Written by the services; read-only in the admin."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="audit"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        verbose_name = _("judging audit event")
        verbose_name_plural = _("judging audit trail")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
