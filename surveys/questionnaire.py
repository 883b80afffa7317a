"""A survey's structure, loaded once, and the one rule of which questions a response sees.

The answer form, the results and the exports all read the survey through this, so a
question's visibility is decided in one place and the page costs the same few queries
whatever the number of questions.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import Option, Question, Section, Survey


@dataclass
class Questionnaire:
    survey: Survey
    sections: list[Section]
    questions: list[Question]
    by_section: dict[int, list[Question]] = field(default_factory=dict)

    def for_class(self, membership_class_id: int) -> list[Question]:
        """The questions an institution of this class may be asked, in order."""
        return [q for q in self.questions if asks_class(q, membership_class_id)]


def load(survey: Survey) -> Questionnaire:
    sections = list(survey.sections.all())
    questions = list(
        Question.objects.filter(survey=survey)
        .select_related("section", "bank")
        .prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("order", "pk")),
            "classes",
            "condition_options",
        )
    )
    by_section: dict[int, list[Question]] = {section.pk: [] for section in sections}
    for question in questions:
        question.class_ids = {c.pk for c in question.classes.all()}
        question.condition_option_ids = {o.pk for o in question.condition_options.all()}
        question.option_list = list(question.options.all())
        by_section[question.section_id].append(question)
    return Questionnaire(survey, sections, questions, by_section)


def asks_class(question: Question, membership_class_id: int) -> bool:
    return not question.class_ids or membership_class_id in question.class_ids


def shown_questions(questions: list[Question], chosen: dict[int, set[int]]) -> set[int]:
    """Ids of the questions shown, given the option ids chosen per question id.

    A conditional question is shown when its earlier question was shown and answered with
    one of its options; conditions point backwards, so one pass in order decides all.
    """
    shown: set[int] = set()
    for question in questions:
        condition = question.condition_question_id
        if condition is None or (
            condition in shown and chosen.get(condition, set()) & question.condition_option_ids
        ):
            shown.add(question.pk)
    return shown
