"""Exports of submitted responses: one row per response, one or more columns per question.

Excel carries a codebook sheet (column, question, type, option codes, and the two markers
below); CSV is UTF-8 with a BOM for Excel on Windows.

A question's cells are never left blank for want of an answer: NOT_ASKED marks a question
that was not shown to the respondent (its class limit or its display condition left it out:
no Answer row), SKIPPED one that was shown and left unanswered (an Answer row, not
answered). An answered question's unused cells stay blank (an "other" description nobody
wrote) or 0 (an option not ticked).

Anonymous surveys export no institution, no submission time, rows in random order, and no
class or block of fewer than 3 respondents. Three queries whatever the size: responses,
answers, choices.
"""

from collections import Counter
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from portal.exports import rows_csv_response, workbook_response

from .models import Answer, Choice, Kind, Response
from .questionnaire import Questionnaire
from .results import SMALL_GROUP

# The cells of a question not shown to the respondent, and of one shown but not answered.
NOT_ASKED = gettext_lazy("(not asked)")
SKIPPED = gettext_lazy("(skipped)")


@dataclass
class Column:
    header: str
    question: object
    option: object = None
    other: bool = False


def columns(questionnaire: Questionnaire) -> list[Column]:
    out = []
    for q in questionnaire.questions:
        if q.kind == Kind.MULTIPLE or q.kind == Kind.BREAKDOWN:
            out += [Column(f"{q.code}_{o.code}", q, o) for o in q.option_list]
        else:
            out.append(Column(q.code, q))
        if q.kind != Kind.BREAKDOWN and any(o.is_other for o in q.option_list):
            out.append(Column(f"{q.code}_other", q, other=True))
    return out


def _fixed_headers(anonymous: bool) -> list[str]:
    if anonymous:
        return [_("response"), _("membership class"), _("regional block")]
    return [
        _("response"),
        _("institution"),
        _("membership class"),
        _("regional block"),
        _("submitted at"),
    ]


def _small(labels: list[str]) -> set[str]:
    """Classes or blocks with fewer respondents than results.SMALL_GROUP."""
    return {label for label, n in Counter(labels).items() if n < SMALL_GROUP}


def rows(questionnaire: Questionnaire):
    survey = questionnaire.survey
    cols = columns(questionnaire)
    index = {}
    for i, col in enumerate(cols):
        key = (col.question.pk, col.option.pk if col.option else None, col.other)
        index[key] = i
    # Anonymous: in an order unrelated to who answered when (and without the time).
    responses = list(
        Response.objects.submitted()
        .filter(survey=survey)
        .order_by("?" if survey.anonymous else "pk")
        .values_list(
            "pk", "organisation__name", "membership_class__name", "block__name", "submitted_at"
        )
    )
    not_asked, skipped = str(NOT_ASKED), str(SKIPPED)
    values = {pk: [not_asked] * len(cols) for pk, *_rest in responses}
    kinds = {q.pk: q.kind for q in questionnaire.questions}
    option_codes = {o.pk: o.code for q in questionnaire.questions for o in q.option_list}
    question_columns: dict[int, list[int]] = {}
    for i, col in enumerate(cols):
        question_columns.setdefault(col.question.pk, []).append(i)
    for response, question, answered, text, number in Answer.objects.filter(
        response__survey=survey, response__submitted_at__isnull=False
    ).values_list("response_id", "question_id", "answered", "text", "number"):
        row, kind = values[response], kinds[question]
        for i in question_columns[question]:  # shown: filled in below, or skipped
            row[i] = "" if answered else skipped
        if not answered:
            continue
        if kind == Kind.MULTIPLE:  # unticked options are 0
            for i in question_columns[question]:
                if cols[i].option is not None:
                    row[i] = 0
        elif kind not in (Kind.SINGLE, Kind.RATING, Kind.BREAKDOWN):
            row[index[(question, None, False)]] = number if number is not None else text
    choices = (
        Choice.objects.filter(response__survey=survey, response__submitted_at__isnull=False)
        .order_by()
        .values_list(
            "response_id",
            "option__question_id",
            "option_id",
            "recoded_to_id",
            "value",
            "other_text",
        )
    )
    for response, question, chosen, recoded, value, other in choices:
        kind, option = kinds[question], recoded or chosen  # as the results count it
        if kind == Kind.MULTIPLE:
            values[response][index[(question, option, False)]] = 1
        elif kind == Kind.BREAKDOWN:
            values[response][index[(question, option, False)]] = value
        else:
            values[response][index[(question, None, False)]] = option_codes[option]
        if other:
            values[response][index[(question, None, True)]] = other
    yield _fixed_headers(survey.anonymous) + [c.header for c in cols]
    small_classes = _small([r[2] for r in responses]) if survey.anonymous else set()
    small_blocks = _small([r[3] for r in responses]) if survey.anonymous else set()
    for number, (pk, name, class_name, block, submitted_at) in enumerate(responses, 1):
        if survey.anonymous:
            class_name = "" if class_name in small_classes else class_name
            block = "" if block in small_blocks else block
            yield [number, class_name, block, *values[pk]]
        else:
            when = timezone.localtime(submitted_at).replace(tzinfo=None)
            yield [number, name, class_name, block, when, *values[pk]]


def codebook(questionnaire: Questionnaire):
    yield [
        _("column"),
        pgettext("survey", "question"),
        pgettext("survey", "type"),
        _("code"),
        _("label"),
    ]
    for col in columns(questionnaire):
        q = col.question
        if col.other:
            yield [col.header, q.text, q.get_kind_display(), "", _("other (description)")]
        elif col.option is not None:
            yield [col.header, q.text, q.get_kind_display(), col.option.code, col.option.label]
        else:
            yield [col.header, q.text, q.get_kind_display(), "", q.unit]
            for option in q.option_list:
                yield ["", "", "", option.code, option.label]
    yield []
    yield ["", "", "", str(NOT_ASKED), _("not shown to the respondent (class or condition)")]
    yield ["", "", "", str(SKIPPED), _("shown, and left unanswered")]


def _filename(questionnaire: Questionnaire) -> str:
    return f"survey-{questionnaire.survey.pk}-{timezone.localdate():%Y%m%d}"


def excel(questionnaire: Questionnaire) -> HttpResponse:
    sheets = [(_("responses"), rows(questionnaire)), (_("codebook"), codebook(questionnaire))]
    return workbook_response(sheets, _filename(questionnaire))


def csv(questionnaire: Questionnaire) -> HttpResponse:
    return rows_csv_response(rows(questionnaire), _filename(questionnaire))
