"""Survey results, counted in the database.

Each question is counted over the submitted responses to which it was shown (an Answer
row exists exactly then), so class-limited and conditional questions get their own
denominator. Multiple choice counts institutions per option; an "other" description the
secretariat recoded counts for the option it was recoded to. A fixed handful of queries
serves any number of questions and responses.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.models import MembershipClass, RegionalBlock

from .models import TEXT_KINDS, Answer, Choice, Kind, Option, Question, Response, Section, Survey
from .questionnaire import Questionnaire, load

SMALL_GROUP = 3  # anonymous surveys hide breakdown groups smaller than this
TEXT_SAMPLE = 20  # free-text answers listed per question on the results page

GROUPINGS = {
    "class": ("membership_class_id", MembershipClass),
    "block": ("block_id", RegionalBlock),
}


@dataclass
class Cell:
    count: int = 0
    shown: int = 0
    average: Decimal | None = None
    hidden: bool = False  # a small group of an anonymous survey

    @property
    def percent(self) -> Decimal | None:
        if not self.shown:
            return None
        return (Decimal(100) * self.count / self.shown).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class OptionRow:
    option: Option
    total: Cell
    groups: list[Cell] = field(default_factory=list)


@dataclass
class Group:
    key: int
    label: str
    respondents: int
    hidden: bool


@dataclass
class QuestionResult:
    question: Question
    shown: int
    answered: int
    average: Decimal | None
    rows: list[OptionRow]
    texts: list[dict]
    text_count: int
    columns: list[tuple[Group, Cell]] = field(default_factory=list)
    audience: str = ""  # "正会員のみ": the classes a class-limited question is asked
    chart: object = None  # its bar chart (charts.attach), for choice and breakdown questions

    @property
    def averaged(self) -> bool:
        """Shares averaged over those who answered, not institutions counted per option."""
        return self.question.kind == Kind.BREAKDOWN

    @property
    def base(self) -> str:
        """What the percentages (or averages) are of: the institutions it was shown to,
        or, for averages, those that answered."""
        values = {"shown": self.shown, "answered": self.answered}
        if self.question.kind in (Kind.BREAKDOWN, Kind.NUMBER):
            return (
                ngettext(
                    "Averages over the %(answered)d institution that answered "
                    "(shown to %(shown)d).",
                    "Averages over the %(answered)d institutions that answered "
                    "(shown to %(shown)d).",
                    self.answered,
                )
                % values
            )
        if self.rows:
            return (
                ngettext(
                    "Percentages of the %(shown)d institution shown this question "
                    "(%(answered)d answered).",
                    "Percentages of the %(shown)d institutions shown this question "
                    "(%(answered)d answered).",
                    self.shown,
                )
                % values
            )
        return (
            ngettext(
                "Shown to %(shown)d institution, answered by %(answered)d.",
                "Shown to %(shown)d institutions, answered by %(answered)d.",
                self.shown,
            )
            % values
        )


@dataclass
class SectionResult:
    section: Section
    audience: str  # the classes every question of the section is limited to, if any
    questions: list[QuestionResult]


@dataclass
class Results:
    survey: Survey
    respondents: int
    questions: list[QuestionResult]
    groups: list[Group]
    by: str | None
    sections: list[SectionResult] = field(default_factory=list)
    by_count: bool = False


def _add(sums: dict, key, row) -> None:
    total, numbers = sums.get(key, (Decimal(0), 0))
    sums[key] = (total + (row["total"] or 0), numbers + row["numbers"])


def _mean(total, numbers: int) -> Decimal | None:
    return Decimal(total) / numbers if numbers else None


def _round(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)


def audience(class_names: list[str]) -> str:
    """「正会員のみ」: who a class-limited question or section is asked."""
    if not class_names:
        return ""
    return _("%(classes)s only") % {"classes": _(", ").join(class_names)}


def _class_names(question: Question) -> list[str]:
    return [c.name for c in sorted(question.classes.all(), key=lambda c: (c.order, c.pk))]


def _by_count(rows: list[OptionRow], averaged: bool) -> list[OptionRow]:
    """Most chosen first (highest average share for a breakdown); ties keep their order."""
    if averaged:
        return sorted(rows, key=lambda r: -(r.total.average or 0))
    return sorted(rows, key=lambda r: -r.total.count)


def _sections(questionnaire: Questionnaire, out: list[QuestionResult]) -> list[SectionResult]:
    """The results under their sections, with the audience of a section whose questions are
    all limited to the same classes, and of a question limited otherwise."""
    by_question = {result.question.pk: result for result in out}
    sections = []
    for section in questionnaire.sections:
        results_here = [
            by_question[q.pk] for q in questionnaire.by_section[section.pk] if q.pk in by_question
        ]
        if not results_here:
            continue
        limits = {frozenset(r.question.class_ids) for r in results_here}
        common = limits.pop() if len(limits) == 1 else frozenset()
        section_audience = audience(_class_names(results_here[0].question)) if common else ""
        for result in results_here:
            if result.question.class_ids and not common:
                result.audience = audience(_class_names(result.question))
        sections.append(SectionResult(section, section_audience, results_here))
    return sections


def results(
    questionnaire: Questionnaire,
    *,
    by: str | None = None,
    staff: bool = False,
    by_count: bool = False,
) -> Results:
    """All questions' results; `by` ("class" or "block") adds a cross-tabulation and
    `staff` (the secretariat) sees free-text answers with the institution, and small groups,
    unless the survey is anonymous. `by_count` lists each question's options most chosen
    first, instead of in the questionnaire's order."""
    survey = questionnaire.survey
    submitted = Response.objects.submitted().filter(survey=survey)
    group_field = GROUPINGS[by][0] if by in GROUPINGS else None
    names = staff and not survey.anonymous

    groups = _groups(submitted, by, protect=survey.anonymous or not staff) if group_field else []

    # Sums and counts, not averages, so that the totals over groups follow exactly.
    answer_keys = ["question_id"] + ([f"response__{group_field}"] if group_field else [])
    answer_stats = (
        Answer.objects.filter(response__in=submitted)
        .values(*answer_keys)
        .annotate(
            shown=Count("id"),
            answered=Count("id", filter=Q(answered=True)),
            total=Sum("number"),
            numbers=Count("number"),
        )
        .order_by()
    )
    group_keys = [f"response__{group_field}"] if group_field else []
    choice_stats = (
        Choice.objects.filter(response__in=submitted)
        .values("option_id", "recoded_to_id", *group_keys)
        .annotate(count=Count("id"), total=Sum("value"), numbers=Count("value"))
        .order_by()
    )
    # An "other" recoded to an option the institution also ticked counts it once, not twice.
    doubled = {
        (row["recoded_to"], row.get(group_keys[0]) if group_keys else None): row["n"]
        for row in Choice.objects.filter(response__in=submitted, recoded_to__isnull=False)
        .filter(
            Exists(Choice.objects.filter(answer=OuterRef("answer"), option=OuterRef("recoded_to")))
        )
        .values("recoded_to", *group_keys)
        .annotate(n=Count("id"))
        .order_by()
    }

    shown, answered, number_sums = {}, {}, {}
    group_shown, group_average = {}, {}
    for row in answer_stats:
        question = row["question_id"]
        if group_field:
            key = (question, row[f"response__{group_field}"])
            group_shown[key] = row["shown"]
            group_average[key] = _mean(row["total"], row["numbers"])
        shown[question] = shown.get(question, 0) + row["shown"]
        answered[question] = answered.get(question, 0) + row["answered"]
        _add(number_sums, question, row)
    averages = {question: _mean(*sums) for question, sums in number_sums.items()}

    # Per option as counted (recoded "other" under its new option), per group if any.
    counts, chosen, group_counts, value_sums, group_sums = {}, {}, {}, {}, {}
    for row in choice_stats:
        option = row["recoded_to_id"] or row["option_id"]
        key = (option, row[group_keys[0]] if group_keys else None)
        chosen[row["option_id"]] = chosen.get(row["option_id"], 0) + row["count"]
        counts[option] = counts.get(option, 0) + row["count"]
        group_counts[key] = group_counts.get(key, 0) + row["count"]
        _add(value_sums, option, row)
        _add(group_sums, key, row)
    for key, n in doubled.items():
        counts[key[0]] -= n
        group_counts[key] -= n
    option_averages = {option: _mean(*sums) for option, sums in value_sums.items()}

    texts = _texts(questionnaire, submitted, names)
    text_counts = {}
    for question in questionnaire.questions:
        if question.kind in TEXT_KINDS:
            text_counts[question.pk] = answered.get(question.pk, 0)
        else:
            text_counts[question.pk] = sum(
                chosen.get(o.pk, 0) for o in question.option_list if o.is_other
            )

    out = []
    for question in questionnaire.questions:
        q_shown = shown.get(question.pk, 0)
        rows = []
        for option in question.option_list:
            total = Cell(counts.get(option.pk, 0), q_shown, _round(option_averages.get(option.pk)))
            cells = []
            for group in groups:
                key = (option.pk, group.key)
                count, average = group_counts.get(key, 0), _mean(*group_sums.get(key, (0, 0)))
                shown_here = group_shown.get((question.pk, group.key), 0)
                cells.append(Cell(count, shown_here, _round(average), group.hidden))
            rows.append(OptionRow(option, total, cells))
        if by_count:
            rows = _by_count(rows, question.kind == Kind.BREAKDOWN)
        result = QuestionResult(
            question=question,
            shown=q_shown,
            answered=answered.get(question.pk, 0),
            average=_question_average(question, rows, averages),
            rows=rows,
            texts=texts.get(question.pk, []),
            text_count=text_counts.get(question.pk, 0),
            columns=[
                (
                    g,
                    Cell(
                        shown=group_shown.get((question.pk, g.key), 0),
                        average=_round(group_average.get((question.pk, g.key))),
                        hidden=g.hidden,
                    ),
                )
                for g in groups
            ],
        )
        out.append(result)
    respondents = sum(g.respondents for g in groups) if group_field else submitted.count()
    return Results(
        survey,
        respondents,
        out,
        groups,
        by if group_field else None,
        sections=_sections(questionnaire, out),
        by_count=by_count,
    )


def _question_average(question: Question, rows: list[OptionRow], averages: dict):
    if question.kind == Kind.NUMBER:
        return _round(averages.get(question.pk))
    if question.kind == Kind.RATING:
        scored = [(r.total.count, r.option.value) for r in rows if r.option.value is not None]
        total = sum(count for count, _value in scored)
        if total:
            return _round(Decimal(sum(count * value for count, value in scored)) / total)
    return None


def _groups(submitted, by: str, *, protect: bool) -> list[Group]:
    """The groups with respondents. Protected, groups under SMALL_GROUP are hidden, and so
    is the next smallest while the hidden ones add up to fewer than SMALL_GROUP: otherwise
    the total minus the groups shown would give a hidden group's answers away."""
    field_name, model = GROUPINGS[by]
    respondents = dict(
        submitted.values_list(field_name)
        .annotate(n=Count("id"))
        .order_by()
        .values_list(field_name, "n")
    )
    groups = [
        Group(item.pk, str(item), respondents[item.pk], hidden=False)
        for item in model.objects.filter(pk__in=respondents).order_by("order", "pk")
    ]
    if protect:
        for group in groups:
            group.hidden = group.respondents < SMALL_GROUP
        hidden = sum(g.respondents for g in groups if g.hidden)
        for group in sorted(groups, key=lambda g: g.respondents):
            if not hidden or hidden >= SMALL_GROUP:
                break
            if not group.hidden:
                group.hidden = True
                hidden += group.respondents
    return groups


def _texts(questionnaire: Questionnaire, submitted, names: bool) -> dict[int, list[dict]]:
    """The first free-text and "other" answers of each question, in one query: a union of
    one short, ordered query per question."""
    parts = []
    for question in questionnaire.questions:
        if question.kind in TEXT_KINDS:
            parts.append(
                Answer.objects.filter(response__in=submitted, question=question)
                .exclude(text="")
                .annotate(
                    group=F("question_id"),
                    description=F("text"),
                    organisation=F("response__organisation__name"),
                    option_label=F("question__code"),
                )
            )
        for option in question.option_list:
            if option.is_other:
                parts.append(
                    Choice.objects.filter(response__in=submitted, option=option)
                    .exclude(other_text="")
                    .annotate(
                        group=F("option__question_id"),
                        description=F("other_text"),
                        organisation=F("response__organisation__name"),
                        option_label=Coalesce("recoded_to__label", "option__label"),
                    )
                )
    if not parts:
        return {}
    fields = ["id", "group", "description", "organisation", "option_label"]
    samples = [part.values(*fields).order_by("id")[:TEXT_SAMPLE] for part in parts]
    texts: dict[int, list[dict]] = {}
    for row in samples[0].union(*samples[1:], all=True):
        if not names:
            row.pop("organisation")
        texts.setdefault(row["group"], []).append(row)
    return texts


def all_texts(question: Question, *, names: bool):
    """Every free-text or "other" answer of a question, for the full list page."""
    submitted = Response.objects.submitted().filter(survey=question.survey_id)
    if question.kind in TEXT_KINDS:
        rows = (
            Answer.objects.filter(response__in=submitted, question=question)
            .exclude(text="")
            .annotate(description=F("text"), option_label=F("question__code"))
        )
        organisation = "response__organisation__name"
    else:
        rows = (
            Choice.objects.filter(
                response__in=submitted, option__question=question, option__is_other=True
            )
            .exclude(other_text="")
            .annotate(
                description=F("other_text"),
                option_label=Coalesce("recoded_to__label", "option__label"),
            )
        )
        organisation = "response__organisation__name"
    fields = ["id", "description", "option_label"] + ([organisation] if names else [])
    return rows.order_by("id").values(*fields)


def bank_comparison(bank) -> list[Results]:
    """The results of a bank question in every survey that asked it, oldest first (a few
    queries per survey: one survey a year)."""
    out = []
    for question in bank.questions.select_related("survey").order_by("survey__opens_at"):
        questionnaire = load(question.survey)
        questionnaire.questions = [q for q in questionnaire.questions if q.pk == question.pk]
        out.append(results(questionnaire, staff=True))
    return out
