"""Building a survey on one screen: the survey's admin page edits its sections and its
questions, each question's options (lines of text in the question's own row) and class
limits, with every picker limited to that survey's own sections, questions, options and
classes, read once per page whatever the number of questions.

A condition's answers are offered as 「Q3 質問文 — 選択肢」: labels such as はい repeat from
question to question, so an option alone would not say which question it answers.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import MembershipClass

from . import selectors, services
from .models import CHOICE_KINDS, BankQuestion, Kind, Option, Question, Section, Survey

OPTION_KINDS = CHOICE_KINDS | {Kind.BREAKDOWN}
OTHER_MARK = "*"
SCORE_LIMIT = 32767  # Option.value is a small integer


@dataclass(frozen=True)
class OptionSpec:
    code: str
    label: str
    value: int | None = None
    is_other: bool = False


def format_options(options) -> str:
    """The options as the builder's text: "code | label", then " | score" for a rated
    point; an "other (please describe)" option starts with "*"."""
    lines = []
    for option in options:
        parts = [option.code, option.label]
        if option.value is not None:
            parts.append(str(option.value))
        lines.append((f"{OTHER_MARK} " if option.is_other else "") + " | ".join(parts))
    return "\n".join(lines)


def parse_options(text: str) -> list[OptionSpec]:
    """The builder's option lines, in order; a line of a label alone gets the next free
    number as its code. Raises ValidationError naming each line at fault."""
    rows, errors = [], []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        is_other = line.startswith(OTHER_MARK)
        parts = [part.strip() for part in line.removeprefix(OTHER_MARK).split("|")]
        if len(parts) > 3:
            errors.append(_("Line %(n)d: at most “code | label | score”.") % {"n": number})
            continue
        if len(parts) == 1:
            code, label, score = None, parts[0], None
        else:
            code, label, score = [*parts, None][:3]
        value = None
        if score:
            try:
                value = int(score)
            except ValueError:
                value = None
            if value is None or abs(value) > SCORE_LIMIT:
                errors.append(_("Line %(n)d: the score must be a whole number.") % {"n": number})
                continue
        if not label:
            errors.append(_("Line %(n)d has no label.") % {"n": number})
        elif code and len(code) > Option._meta.get_field("code").max_length:
            errors.append(_("Line %(n)d: the code is too long.") % {"n": number})
        elif len(label) > Option._meta.get_field("label").max_length:
            errors.append(_("Line %(n)d: the label is too long.") % {"n": number})
        else:
            rows.append((code, label, value, is_other))
    used = [code for code, *_rest in rows if code]
    duplicates = sorted({code for code in used if used.count(code) > 1})
    if duplicates:
        errors.append(
            _("Each option needs its own code: %(codes)s.") % {"codes": ", ".join(duplicates)}
        )
    if errors:
        raise ValidationError(errors)
    taken, specs, free = set(used), [], 1
    for code, label, value, is_other in rows:
        if not code:
            while str(free) in taken:
                free += 1
            code = str(free)
            taken.add(code)
        specs.append(OptionSpec(code, label, value, is_other))
    return specs


def option_label(option: Option) -> str:
    """「Q3 質問文 — 選択肢」"""
    return f"{option.question.code} {option.question.text} — {option.label}"


class Pickers:
    """A survey's own sections, choice questions and their options, and the classes it asks
    (every class while it is being created), read once for the page: each question's row
    offers these and nothing of another survey."""

    def __init__(self, survey_id: int | None):
        self.survey_id = survey_id
        self.sections = list(Section.objects.filter(survey_id=survey_id)) if survey_id else []
        self.options = (
            list(
                Option.objects.filter(
                    question__survey_id=survey_id, question__kind__in=CHOICE_KINDS
                )
                .select_related("question")
                .order_by(*(f"question__{f}" for f in Question._meta.ordering), "order", "pk")
            )
            if survey_id
            else []
        )
        questions = {o.question_id: o.question for o in self.options}
        self.questions = list(questions.values())
        classes = MembershipClass.objects.order_by("order", "pk")
        if survey_id:
            classes = classes.filter(pk__in=_asked_classes(survey_id))
        self.classes = list(classes)
        self.banks = list(BankQuestion.objects.all())

    @classmethod
    def of(cls, request, survey_id) -> "Pickers":
        """Once per request: the admin asks for each field's choices several times."""
        cached = getattr(request, "_survey_pickers", None)
        if cached is None or cached.survey_id != survey_id:
            cached = request._survey_pickers = cls(survey_id)
        return cached

    def limit(self, field_name: str, field, empty_label=None):
        """Offer this survey's choices for the field: its queryset for validation, a fixed
        list for display (copied with the field into each row, read once)."""
        if field_name == "section":
            field.queryset = Section.objects.filter(survey_id=self.survey_id)
            items = [(s.pk, str(s)) for s in self.sections]
            if self.sections:  # a question added goes into the last section, unless moved
                field.initial = self.sections[-1].pk
        elif field_name == "condition_question":
            field.queryset = Question.objects.filter(
                survey_id=self.survey_id, kind__in=CHOICE_KINDS
            )
            items = [(q.pk, str(q)) for q in self.questions]
        elif field_name == "condition_options":
            field.queryset = Option.objects.filter(
                question__survey_id=self.survey_id, question__kind__in=CHOICE_KINDS
            )
            items = [(o.pk, option_label(o)) for o in self.options]
        elif field_name == "classes":
            field.queryset = MembershipClass.objects.filter(pk__in=[c.pk for c in self.classes])
            items = [(c.pk, str(c)) for c in self.classes]
        elif field_name == "bank":
            items = [(b.pk, str(b)) for b in self.banks]
        else:
            return field
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        blank = [] if multiple else [("", empty_label or "---------")]
        field.choices = [*blank, *items]
        return field


def _asked_classes(survey_id: int):
    return Survey.classes.through.objects.filter(survey_id=survey_id).values("membershipclass_id")


OPTIONS_HELP = gettext_lazy(
    "One option per line, in order: “code | label”, and “ | score” for a point of a rating "
    "scale (e.g. “1 | 大きかった | 4”). A line with only a label gets the next number as "
    "its code. Start the line with “*” for an “other (please describe)” option. An option "
    "keeps its answers while its code stays."
)


class QuestionForm(forms.ModelForm):
    """A question with its options and its limits, as a row of the survey's page (or the
    question's own page): the checks across fields that the answer page relies on."""

    options = forms.CharField(
        label=gettext_lazy("options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=OPTIONS_HELP,
    )

    class Meta:
        model = Question
        fields = [
            "section",
            "order",
            "code",
            "text",
            "kind",
            "required",
            "options",
            "help_text",
            "max_choices",
            "minimum",
            "maximum",
            "unit",
            "classes",
            "condition_question",
            "condition_options",
            "bank",
        ]

    def __init__(self, *args, asked_classes: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked_classes = asked_classes
        if self.instance.pk:
            self.fields["options"].initial = format_options(self.instance.options.all())
        section = self.fields.get("section")
        if section is not None and len(section.choices) <= 1:
            # No section yet (a new survey): the question goes into the first one, made
            # when the survey is saved.
            section.required = False

    def clean_options(self) -> list[OptionSpec]:
        return parse_options(self.cleaned_data.get("options") or "")

    def _survey(self):
        survey = self.cleaned_data.get("survey")
        if survey is None and self.instance.survey_id:
            survey = self.instance.survey
        return survey

    def clean(self):
        data = super().clean()
        survey, section = self._survey(), data.get("section")
        kind = data.get("kind")
        if survey is not None and section is not None and section.survey_id != survey.pk:
            self.add_error("section", _("Choose a section of this survey."))
        self._check_options(kind, data.get("options"))
        self._check_condition(survey, section, data)
        self._check_classes(survey, data.get("classes") or [])
        if kind != Kind.MULTIPLE and data.get("max_choices"):
            self.add_error("max_choices", _("Only multiple choice questions have a maximum."))
        low, high = data.get("minimum"), data.get("maximum")
        if low is not None and high is not None and low > high:
            self.add_error("maximum", _("The maximum is below the minimum."))
        if self.instance.pk and kind != self.instance.kind and self.instance.answers.exists():
            self.add_error("kind", _("Answers exist: the type can no longer change."))
        return data

    def _check_options(self, kind, specs) -> None:
        if specs is None or kind is None:
            return
        if kind in OPTION_KINDS and not specs:
            self.add_error("options", _("This type of question needs at least one option."))
        elif kind not in OPTION_KINDS and specs:
            self.add_error("options", _("This type of question has no options: clear them."))
        elif kind != Kind.RATING and any(s.value is not None for s in specs):
            self.add_error("options", _("Only the points of a rating scale have scores."))
        elif kind == Kind.BREAKDOWN and any(s.is_other for s in specs):
            self.add_error("options", _("A percentage breakdown has no “other” option."))
        if not self.instance.pk:
            return
        kept = {s.code for s in specs}
        removed = {o.pk: o for o in self.instance.options.all() if o.code not in kept}
        used = selectors.options_in_use(removed) if removed else set()
        if used:
            self.add_error(
                "options",
                _("Answered or used in a condition, these options must stay: %(labels)s.")
                % {"labels": _(", ").join(removed[pk].label for pk in sorted(used))},
            )

    def _check_condition(self, survey, section, data) -> None:
        condition = data.get("condition_question")
        chosen = data.get("condition_options") or []
        if condition is None:
            if chosen:
                self.add_error(
                    "condition_question", _("Choose the question these answers belong to.")
                )
            return
        if survey is not None and condition.survey_id != survey.pk:
            self.add_error("condition_question", _("Choose a question of this survey."))
        elif condition.kind not in CHOICE_KINDS:
            self.add_error("condition_question", _("A condition needs a choice question."))
        elif section is not None and _position(condition) >= _position_of(
            section, data.get("order") or 0, self.instance.pk
        ):
            self.add_error("condition_question", _("A condition must be an earlier question."))
        if not chosen:
            self.add_error("condition_options", _("Choose the answers that show this question."))
        elif any(o.question_id != condition.pk for o in chosen):
            self.add_error("condition_options", _("Choose answers of the condition question."))

    def _check_classes(self, survey, classes) -> None:
        asked = self.asked_classes
        if asked is None and survey is not None and survey.pk:
            asked = set(survey.classes.values_list("pk", flat=True))
        if asked is not None and any(c.pk not in asked for c in classes):
            self.add_error("classes", _("Choose among the classes the survey asks."))

    def _save_m2m(self):
        super()._save_m2m()
        if "options" in self.changed_data:
            services.set_options(self.instance, self.cleaned_data["options"])


def _position_of(section, order: int, pk: int | None) -> tuple:
    """Where a question stands in the survey, as the answer page orders them."""
    return (section.order, section.pk, order, pk or float("inf"))


def _position(question: Question) -> tuple:
    return _position_of(question.section, question.order, question.pk)


class SectionFormSet(forms.BaseInlineFormSet):
    """Removing a section would take its questions with it: refused while it has any."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and form.instance.questions.exists():
                raise ValidationError(
                    _("“%(title)s” still has questions: move or delete them first.")
                    % {"title": form.instance.title}
                )
