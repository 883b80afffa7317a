import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Survey(models.Model):
    """A questionnaire answered by institutions (one response each), not by people."""

    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    classes = models.ManyToManyField(
        "members.MembershipClass",
        verbose_name=_("membership classes asked"),
        related_name="+",
    )
    blocks = models.ManyToManyField(
        "members.RegionalBlock",
        verbose_name=_("regional blocks asked"),
        related_name="+",
        blank=True,
        help_text=_("Leave empty to ask every block."),
    )
    anonymous = models.BooleanField(
        _("anonymous results"),
        default=False,
        help_text=_(
            "Results and exports never name institutions, and breakdowns hide groups of "
            "fewer than 3 respondents."
        ),
    )
    reminder_limit = models.PositiveSmallIntegerField(
        _("reminders at most"),
        default=2,
        help_text=_("The last one also goes to the representative."),
    )
    reminder_interval_days = models.PositiveSmallIntegerField(
        _("days between reminders"), default=7
    )
    results_published_at = models.DateTimeField(
        _("results published at"),
        null=True,
        blank=True,
        help_text=_("From then on, members can read the results page."),
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")),
                name="survey_opens_before_it_closes",
                violation_error_message=_("A survey opens before it closes."),
            )
        ]

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def is_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    @property
    def results_published(self) -> bool:
        return (
            self.results_published_at is not None and self.results_published_at <= timezone.now()
        )


class Section(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    description = models.TextField(pgettext_lazy("survey", "description"), blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = pgettext_lazy("survey", "sections")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class BankQuestion(models.Model):
    """The same question asked in several years: links them so their results compare."""

    code = models.SlugField(_("code"), unique=True)
    text = models.CharField(pgettext_lazy("survey", "question"), max_length=500)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("question bank entry")
        verbose_name_plural = _("question bank")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code}: {self.text}"


class Kind(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    SHORT_TEXT = "short_text", _("short text")
    LONG_TEXT = "long_text", _("long text")
    RATING = "rating", _("rating scale")
    NUMBER = "number", pgettext_lazy("survey", "number")
    BREAKDOWN = "breakdown", _("percentage breakdown (sums to 100)")


CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.RATING})
# "（複数回答可）" typed into a question's text, as paper questionnaires print it: the pages
# add the mark from the question's type, so the text's own would show it twice.
MULTIPLE_MARK = re.compile(
    r"\s*[（(]\s*(?:複数回答(?:可)?|multiple (?:answers?|choices?)(?: allowed)?)\s*[)）]\s*$",
    re.IGNORECASE,
)
TEXT_KINDS = frozenset({Kind.SHORT_TEXT, Kind.LONG_TEXT})


class Question(models.Model):
    Kind = Kind

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(
        _("code"), max_length=20, help_text=_("Column name in exports, e.g. Q3.")
    )
    text = models.CharField(pgettext_lazy("survey", "question"), max_length=500)
    help_text = models.TextField(_("help text"), blank=True)
    kind = models.CharField(pgettext_lazy("survey", "type"), max_length=12, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=True)
    max_choices = models.PositiveSmallIntegerField(
        _("at most this many choices"),
        null=True,
        blank=True,
        help_text=_("Multiple choice only; empty for no limit."),
    )
    minimum = models.DecimalField(
        _("minimum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("maximum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("e.g. %, people"))
    classes = models.ManyToManyField(
        "members.MembershipClass",
        verbose_name=_("only for these classes"),
        related_name="+",
        blank=True,
        help_text=_("Leave empty to ask every class the survey asks."),
    )
    condition_question = models.ForeignKey(
        "self",
        verbose_name=_("shown only when this earlier question"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependants",
    )
    condition_options = models.ManyToManyField(
        "Option",
        verbose_name=_("was answered with one of"),
        related_name="+",
        blank=True,
    )
    bank = models.ForeignKey(
        BankQuestion,
        verbose_name=_("question bank entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )

    class Meta:
        verbose_name = pgettext_lazy("survey", "question")
        verbose_name_plural = _("questions")
        ordering = ["section__order", "section_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_per_survey")
        ]

    def __str__(self):
        return f"{self.code} {self.text}"

    @property
    def heading(self) -> str:
        """The text without a multiple-answer mark of its own (the pages add it by type)."""
        return MULTIPLE_MARK.sub("", self.text) if self.kind == Kind.MULTIPLE else self.text

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"

    @property
    def other_field_name(self) -> str:
        return f"q{self.pk}_other"

    def part_field_name(self, option) -> str:
        return f"q{self.pk}_p{option.pk}"


class Option(models.Model):
    """A choice, a labelled point of a rating scale, or a part of a percentage breakdown."""

    question = models.ForeignKey(
        Question,
        verbose_name=pgettext_lazy("survey", "question"),
        on_delete=models.CASCADE,
        related_name="options",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=20, help_text=_("Value in exports, e.g. 1."))
    label = models.CharField(_("label"), max_length=300)
    value = models.SmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        help_text=_("Rating scales: the point's score for the average; empty to leave it out."),
    )
    is_other = models.BooleanField(
        _("other (please describe)"),
        default=False,
        help_text=_("Choosing it asks for a description."),
    )

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_code_per_question")
        ]

    def __str__(self):
        return self.label


class ResponseQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(submitted_at__isnull=False)


class Response(models.Model):
    """An institution's one response. `draft` holds what was typed, field by field, with
    who changed it in which version; the answers are written from it on submission."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    # Class and block when asked, so results do not move when an institution changes later.
    membership_class = models.ForeignKey(
        "members.MembershipClass",
        verbose_name=_("membership class"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    block = models.ForeignKey(
        "members.RegionalBlock",
        verbose_name=_("regional block"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    draft = models.JSONField(default=dict, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("last saved at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last saved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reopened = models.BooleanField(
        _("reopened"),
        default=False,
        help_text=_("Reopened after submission: the last submitted answers still count."),
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["survey", "organisation__name_kana"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "organisation"], name="one_response_per_institution"
            )
        ]

    def __str__(self):
        return f"{self.survey} / {self.organisation}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None and not self.reopened


class Answer(models.Model):
    """A question as shown to a response: the row exists exactly when it was shown, so it
    is also the denominator of that question's counts."""

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question,
        verbose_name=pgettext_lazy("survey", "question"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    answered = models.BooleanField(_("answered"), default=False)
    text = models.TextField(_("text"), blank=True)
    number = models.DecimalField(
        pgettext_lazy("survey", "number"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self):
        return f"{self.response_id}/{self.question_id}"


class Choice(models.Model):
    """An option chosen (or a breakdown part with its value); `other_text` is the
    description of an "other" choice, normalised, and `recoded_to` the option the
    secretariat counted it as."""

    answer = models.ForeignKey(
        Answer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="choices"
    )
    # The answer's response again, so that counting choices joins responses, not answers.
    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="+"
    )
    option = models.ForeignKey(
        Option, verbose_name=_("option"), on_delete=models.PROTECT, related_name="choices"
    )
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=2, null=True, blank=True)
    other_text = models.TextField(pgettext_lazy("survey", "description"), blank=True)
    recoded_to = models.ForeignKey(
        Option,
        verbose_name=_("counted as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recoded_choices",
    )

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["option__order", "option_id"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "option"], name="one_choice_per_option")
        ]

    def __str__(self):
        return str(self.option)


class OtherAnswer(Choice):
    """An "other (please describe)" choice, as the secretariat recodes it in the admin."""

    class Meta:
        proxy = True
        verbose_name = _("“other” answer")
        verbose_name_plural = _("“other” answers")


class Reminder(models.Model):
    """Proof that reminder `number` went to a response: unique, so it goes once."""

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="reminders"
    )
    number = models.PositiveSmallIntegerField(pgettext_lazy("reminder", "number"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    escalated = models.BooleanField(_("also to the representative"), default=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["response", "number"], name="one_reminder_per_number")
        ]

    def __str__(self):
        return f"{self.response} #{self.number}"
