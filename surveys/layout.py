"""How the answer page lays out a survey: sections, fields, conditions and summaries."""

from django.utils.translation import gettext as _

from .forms import AnswerForm
from .models import Kind, Response
from .questionnaire import Questionnaire


def answer_sections(questionnaire: Questionnaire, form: AnswerForm) -> list[dict]:
    asked = {q.pk for q in form.questions}
    by_pk = {q.pk: q for q in questionnaire.questions}
    sections = []
    for section in questionnaire.sections:
        items = []
        for question in questionnaire.by_section[section.pk]:
            if question.pk not in asked:
                continue
            item = {
                "question": question,
                "fields": [form[name] for name in form.field_names(question)],
                "breakdown": question.kind == Kind.BREAKDOWN,
            }
            condition = by_pk.get(question.condition_question_id)
            if condition is not None:
                labels = [
                    o.label for o in condition.option_list if o.pk in question.condition_option_ids
                ]
                item["condition_field"] = condition.field_name
                item["condition_values"] = ",".join(
                    map(str, sorted(question.condition_option_ids))
                )
                item["condition_text"] = _(
                    "Answer only if you answered “%(question)s” with: %(options)s."
                ) % {
                    "question": condition.text,
                    "options": _(" or ").join(f"“{label}”" for label in labels),
                }
            items.append(item)
        if items:
            sections.append({"section": section, "items": items})
    return sections


def _display(field, values: list[str]) -> str:
    choices = dict(getattr(field, "choices", None) or [])
    shown = [str(choices.get(v, v)) for v in values if v != ""]
    return _(", ").join(shown) if shown else _("(no answer)")


def kept_changes(form: AnswerForm, kept: dict[str, dict]) -> list[dict]:
    """What another contact changed meanwhile, beside what this save would have written."""
    return [
        {
            "label": form.fields[name].label if name in form.fields else name,
            "by": change.get("by_name", ""),
            "theirs": _display(form.fields.get(name), change["value"]),
            "yours": _display(form.fields.get(name), change["yours"]),
        }
        for name, change in kept.items()
    ]


def submitted_summary(questionnaire: Questionnaire, response: Response) -> list[dict]:
    """The answers last submitted, by section, as text."""
    if response.submitted_at is None:
        return []
    answers = {
        a.question_id: a
        for a in response.answers.prefetch_related("choices__option", "choices__recoded_to")
    }
    sections = []
    for section in questionnaire.sections:
        rows = []
        for question in questionnaire.by_section[section.pk]:
            answer = answers.get(question.pk)
            if answer is not None:
                rows.append((question, _answer_text(question, answer)))
        if rows:
            sections.append({"section": section, "rows": rows})
    return sections


def _answer_text(question, answer) -> str:
    choices = list(answer.choices.all())
    if question.kind == Kind.BREAKDOWN:
        parts = [f"{c.option.label} {c.value.normalize():f}%" for c in choices if c.value]
        return _(", ").join(parts) or _("(no answer)")
    if choices:
        return _(", ").join(
            _("%(option)s (%(description)s)")
            % {"option": c.option.label, "description": c.other_text}
            if c.other_text
            else c.option.label
            for c in choices
        )
    if answer.number is not None:
        return f"{answer.number.normalize():f}{question.unit}"
    return answer.text or _("(no answer)")
