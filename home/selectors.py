"""Reads that bring the apps together on the dashboard."""

from assemblies import selectors as assembly_selectors
from awards import selectors as award_selectors
from dues import selectors as dues_selectors
from members import selectors as member_selectors
from surveys import selectors as survey_selectors


def member_dashboard(organisation_id: int, fiscal_year: int) -> dict:
    """What the dashboard shows of an organisation, in four queries whatever the data."""
    organisation = member_selectors.overview(organisation_id, fiscal_year)
    if organisation is None:
        return {"organisation": None}
    return {
        "organisation": organisation,
        "fiscal_year": fiscal_year,
        "membership": organisation.current_membership,
        "year": organisation.this_year,
        "surveys": list(survey_selectors.awaiting_answers(organisation)),
        "assemblies": list(assembly_selectors.awaiting_votes(organisation)),
        "overdue": dues_selectors.overdue_of(organisation.pk),
    }


def judge_dashboard(user) -> dict:
    """What the dashboard shows a judge: the open rounds and what is left to score (one
    query)."""
    rounds = award_selectors.judging_summary(user)
    for row in rounds:
        row["left"] = row["assigned"] - row["scored"]
    return {"judging": rounds}
