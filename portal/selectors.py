"""Reads that bring the apps together on the portal's own pages."""

from django.db.models import Exists

from assemblies import selectors as assembly_selectors
from members import selectors as member_selectors
from surveys import selectors as survey_selectors


def member_dashboard(organisation_id: int, fiscal_year: int) -> dict:
    """What the dashboard shows of an organisation. One query when no survey or vote awaits
    it (most of the year); the lists are read only when their Exists() says there is one."""
    organisation = member_selectors.overview(
        organisation_id,
        fiscal_year,
        awaits_answers=Exists(survey_selectors.awaiting_answers()),
        awaits_votes=Exists(assembly_selectors.awaiting_votes()),
    )
    if organisation is None:
        return {"organisation": None}
    return {
        "organisation": organisation,
        "fiscal_year": fiscal_year,
        "membership": organisation.current_membership,
        "year": organisation.this_year,
        "surveys": (
            list(survey_selectors.awaiting_answers(organisation))
            if organisation.awaits_answers
            else []
        ),
        "assemblies": (
            list(assembly_selectors.awaiting_votes(organisation))
            if organisation.awaits_votes
            else []
        ),
    }
