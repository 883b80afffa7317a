"""Reads that bring the apps together on the portal's own pages."""

from assemblies import selectors as assembly_selectors
from members import selectors as member_selectors
from portal import fragments
from surveys import selectors as survey_selectors


def _open_or_opening() -> dict:
    return {
        "surveys": survey_selectors.surveys_not_closed(),
        "windows": assembly_selectors.voting_windows(),
    }


def member_dashboard(organisation_id: int, fiscal_year: int) -> dict:
    """What the dashboard shows of an organisation: one query, and one more for the surveys
    or the votes that await it only while a survey asks it or an assembly takes votes. Which
    surveys and votes are open comes from the cache: asking every visit costs more than the
    rest of the page's reads together."""
    organisation = member_selectors.overview(organisation_id, fiscal_year)
    if organisation is None:
        return {"organisation": None}
    membership = organisation.current_membership
    open_now = fragments.remember(
        _open_or_opening, "dashboard.open", fragments.stamp("surveys", "assemblies")
    )
    return {
        "organisation": organisation,
        "fiscal_year": fiscal_year,
        "membership": membership,
        "year": organisation.this_year,
        "surveys": survey_selectors.awaiting_answers(
            organisation,
            membership.membership_class_id if membership else None,
            open_now["surveys"],
        ),
        "assemblies": assembly_selectors.awaiting_votes(organisation, open_now["windows"]),
    }
