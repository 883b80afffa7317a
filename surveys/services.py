"""Writes of the surveys app: responses, drafts, submission, reopening, copying, recoding.

Every write to a response locks its row first, so two contacts of one institution saving
at once are applied one after the other and each sees the other's version.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.models import Membership, Organisation

from .forms import LONG_TEXT_MAX, AnswerForm, Payload
from .models import Answer, Choice, Option, Question, Response, Section, Survey
from .questionnaire import Questionnaire


def targeted_organisations(survey: Survey):
    """Current members of the classes (and blocks) the survey asks."""
    memberships = Membership.objects.current().filter(membership_class__in=survey.classes.all())
    organisations = Organisation.objects.filter(pk__in=memberships.values("organisation_id"))
    if survey.blocks.exists():
        organisations = organisations.filter(block__in=survey.blocks.all())
    return organisations


def response_for(survey: Survey, organisation: Organisation) -> Response | None:
    """The institution's response, created on first visit; None when it is not asked."""
    response = Response.objects.filter(survey=survey, organisation=organisation).first()
    if response is not None:
        return response
    membership = (
        Membership.objects.current()
        .filter(organisation=organisation, membership_class__in=survey.classes.all())
        .first()
    )
    if (
        membership is None
        or not targeted_organisations(survey).filter(pk=organisation.pk).exists()
    ):
        return None
    response, _created = Response.objects.get_or_create(
        survey=survey,
        organisation=organisation,
        defaults={
            "membership_class_id": membership.membership_class_id,
            "block_id": organisation.block_id,
        },
    )
    return response


def invitees(survey: Survey, *, classes=None, blocks=None, organisations=None):
    """The current memberships of the institutions the survey asks, narrowed (by the
    secretariat, when it invites) to these classes and blocks, and to these organisation
    ids (e.g. an event's attendees, `events.feedback`); all of them by default."""
    memberships = Membership.objects.current().filter(
        organisation__in=targeted_organisations(survey),
        membership_class__in=survey.classes.all(),
    )
    if classes:
        memberships = memberships.filter(membership_class__in=classes)
    if blocks:
        memberships = memberships.filter(organisation__block__in=blocks)
    if organisations is not None:
        memberships = memberships.filter(organisation__in=organisations)
    return memberships


def create_responses(survey: Survey, *, classes=None, blocks=None, organisations=None) -> int:
    """A response row for every targeted institution (of these classes and blocks, and
    these organisation ids, if given) that has none yet (before inviting)."""
    memberships = (
        invitees(survey, classes=classes, blocks=blocks, organisations=organisations)
        .exclude(organisation__survey_responses__survey=survey)
        .values_list("organisation_id", "membership_class_id", "organisation__block_id")
    )
    rows = [
        Response(survey=survey, organisation_id=o, membership_class_id=c, block_id=b)
        for o, c, b in memberships
    ]
    Response.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def check_open(survey: Survey) -> None:
    now = timezone.now()
    if survey.is_closed(now):
        raise ValidationError(
            _("The survey closed on %(day)s: answers can no longer change.")
            % {"day": date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")}
        )
    if not survey.is_open(now):
        raise ValidationError(_("The survey is not open yet."))


# --- Drafts -----------------------------------------------------------------------------


@dataclass
class SaveResult:
    response: Response
    # Fields another contact changed since this page was loaded: their value was kept.
    kept: dict[str, dict]
    others: list[str]


# What a draft keeps of one field: more is not typing but abuse, and would bloat the row.
# A value may be longer than a long text may be, so that submitting a text a little too long
# is refused with its length ("at most 4000 characters"), not cut to fit without a word.
DRAFT_VALUES_MAX, DRAFT_VALUE_MAX = 100, 2 * LONG_TEXT_MAX


def field_values(data: QueryDict, names) -> dict[str, list[str]]:
    """The posted values of the form's fields only, capped in number and length, without
    NUL characters: PostgreSQL's jsonb can't hold them, and submission drops control
    characters anyway (forms.normalise_text)."""
    return {
        name: [
            v.replace("\x00", "")[:DRAFT_VALUE_MAX] for v in data.getlist(name)[:DRAFT_VALUES_MAX]
        ]
        for name in names
    }


def save_draft(
    response_id: int, values: dict[str, list[str]], *, base_version: int, user
) -> SaveResult:
    """Merge the fields posted into the draft, field by field.

    A field another user changed after `base_version` keeps that user's value: the later
    save is told (in `kept`) instead of overwriting it, and nothing typed is lost.
    """
    with transaction.atomic():
        response = (
            Response.objects.select_for_update().select_related("survey").get(pk=response_id)
        )
        check_open(response.survey)
        if response.is_submitted:
            raise ValidationError(_("The response is submitted: reopen it to change answers."))
        draft = dict(response.draft)
        kept, others = {}, set()
        version = response.version + 1
        for name, value in values.items():
            current = draft.get(name)
            if current and current["v"] > base_version and current["by"] != user.pk:
                others.add(name)
                if current["value"] != value:
                    kept[name] = {"yours": value, **current}
                continue
            if current is None and not any(value):
                continue
            if current is None or current["value"] != value:
                draft[name] = {"value": value, "v": version, "by": user.pk, "by_name": _name(user)}
        response.draft = draft
        response.version = version
        response.updated_at = timezone.now()
        response.updated_by = user
        response.save(update_fields=["draft", "version", "updated_at", "updated_by"])
    for name, change in draft.items():
        if change["v"] > base_version and change["by"] != user.pk:
            others.add(name)
    return SaveResult(response, kept, sorted(others))


def _name(user) -> str:
    person = getattr(user, "person", None)
    return str(person) if person is not None else user.email


def draft_data(response: Response) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, change in response.draft.items():
        data.setlist(name, change["value"])
    return data


def draft_initial(response: Response) -> dict:
    return {name: change["value"] for name, change in response.draft.items()}


# --- Submission ---------------------------------------------------------------------------


def answer_form(questionnaire: Questionnaire, response: Response, data=None) -> AnswerForm:
    questions = questionnaire.for_class(response.membership_class_id)
    if data is None:
        return AnswerForm(questions, initial=_single_values(questions, draft_initial(response)))
    return AnswerForm(questions, data)


def _single_values(questions, initial: dict) -> dict:
    """Initial values as the fields expect them: one value, or a list for multiple choice."""
    multiple = {q.field_name for q in questions if q.kind == Question.Kind.MULTIPLE}
    return {k: (v if k in multiple else (v[0] if v else "")) for k, v in initial.items()}


def submit(response_id: int, questionnaire: Questionnaire, *, user) -> AnswerForm:
    """Validate the saved draft and, when it holds, store it as the answers.

    Returns the bound form: its errors say what to fix, next to each field.
    """
    with transaction.atomic():
        response = (
            Response.objects.select_for_update().select_related("survey").get(pk=response_id)
        )
        check_open(response.survey)
        form = answer_form(questionnaire, response, draft_data(response))
        if not form.is_valid():
            return form
        _store(response, form.payloads)
        response.submitted_at = timezone.now()
        response.reopened = False
        response.updated_by = user
        response.save(update_fields=["submitted_at", "reopened", "updated_by"])
    return form


def _store(response: Response, payloads: list[Payload]) -> None:
    response.answers.all().delete()
    answers = Answer.objects.bulk_create(
        Answer(
            response=response,
            question=p.question,
            answered=p.answered,
            text=p.text,
            number=p.number,
        )
        for p in payloads
    )
    Choice.objects.bulk_create(
        Choice(answer=answer, response=response, option=option, value=value, other_text=other)
        for answer, payload in zip(answers, payloads, strict=True)
        for option, value, other in payload.choices
    )


def reopen(response_id: int, *, user) -> Response:
    """Back to editing until the close; the answers last submitted count meanwhile."""
    with transaction.atomic():
        response = (
            Response.objects.select_for_update().select_related("survey").get(pk=response_id)
        )
        check_open(response.survey)
        if not response.is_submitted:
            raise ValidationError(_("The response is not submitted."))
        response.reopened = True
        response.updated_by = user
        response.save(update_fields=["reopened", "updated_by"])
    return response


# --- Secretariat --------------------------------------------------------------------------


def ensure_section(survey: Survey) -> Section:
    """The survey's first section, made when it has none: a new survey takes questions at
    once (the admin calls it when a survey is saved)."""
    section = survey.sections.order_by("order", "pk").first()
    if section is None:
        section = Section.objects.create(survey=survey, order=0, title=_("Questions"))
    return section


def set_options(question: Question, specs) -> None:
    """The question's options as the builder lists them (code, label, score, other), in
    order. An option is matched by its code, so answers and conditions that point at it
    stay with it; one no longer listed is removed (the builder keeps those in use)."""
    existing = {option.code: option for option in Option.objects.filter(question=question)}
    listed = {spec.code for spec in specs}
    Option.objects.filter(question=question).exclude(code__in=listed).delete()
    new, changed = [], []
    for order, spec in enumerate(specs, 1):
        option = existing.get(spec.code)
        values = {
            "order": order,
            "label": spec.label,
            "value": spec.value,
            "is_other": spec.is_other,
        }
        if option is None:
            new.append(Option(question=question, code=spec.code, **values))
        elif any(getattr(option, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(option, name, value)
            changed.append(option)
    Option.objects.bulk_create(new)
    Option.objects.bulk_update(changed, ["order", "label", "value", "is_other"])


@transaction.atomic
def copy_survey(survey: Survey, *, title: str | None = None) -> Survey:
    """Next year's survey: same sections, questions, options, limits and conditions,
    dates a year later, nothing answered or sent yet."""
    year = timedelta(days=364)
    copy = Survey.objects.create(
        title=title or _("%(title)s (copy)") % {"title": survey.title},
        introduction=survey.introduction,
        opens_at=survey.opens_at + year,
        closes_at=survey.closes_at + year,
        anonymous=survey.anonymous,
        reminder_limit=survey.reminder_limit,
        reminder_interval_days=survey.reminder_interval_days,
        copied_from=survey,
    )
    copy.classes.set(survey.classes.all())
    copy.blocks.set(survey.blocks.all())
    sections = {s.pk: _clone(s, survey=copy) for s in survey.sections.all()}
    questions, options = {}, {}
    originals = list(survey.questions.prefetch_related("options", "classes", "condition_options"))
    for question in originals:
        new = _clone(
            question, survey=copy, section=sections[question.section_id], condition_question=None
        )
        new.classes.set(question.classes.all())
        questions[question.pk] = new
        for option in question.options.all():
            options[option.pk] = _clone(option, question=new)
    for question in originals:
        if question.condition_question_id:
            new = questions[question.pk]
            new.condition_question = questions[question.condition_question_id]
            new.save(update_fields=["condition_question"])
            new.condition_options.set([options[o.pk] for o in question.condition_options.all()])
    return copy


def _clone(obj, **changes):
    fields = {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key
    }
    clone = type(obj)(**fields)
    for name, value in changes.items():
        setattr(clone, name, value)
    clone.save()
    return clone
