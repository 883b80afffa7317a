"""Reads: who sees which submission, and the pages' data in a fixed number of queries.

The one rule of visibility is `visible_submissions`: every page and download that shows a
submission (or its attachments, endorsements) goes through it and answers 404 otherwise.

- the secretariat (the admin's permission to view submissions) sees every submission;
- a member institution's contacts see their own institution's, drafts included, and every
  other institution's submitted ones, public or members-only;
- anyone else (a visitor, a login of no member institution) sees the submitted public ones.

Withdrawn and draft submissions of other institutions are seen by the secretariat alone.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Value

from members.models import Membership, RegionalBlock
from portal import kana

from .models import Call, Endorsement, Submission


def sees_all(roles) -> bool:
    return roles.has_perm("proposals.view_submission")


def sees_endorsers(roles) -> bool:
    """Who endorsed, with their comments: members and the secretariat; others the count."""
    return roles.member or sees_all(roles)


def visible_submissions(roles):
    submissions = Submission.objects.all()
    if sees_all(roles):
        return submissions
    submitted = Q(status=Submission.Status.SUBMITTED)
    if roles.member:
        return submissions.filter(submitted | Q(organisation_id=roles.organisation_id))
    return submissions.filter(submitted, visibility=Submission.Visibility.PUBLIC)


def calls(roles):
    """Every call, newest first, with its themes, the submitted issues it holds, and
    whether the viewer's institution may submit to it (by its current class)."""
    eligible = Call.eligible_classes.through.objects.filter(
        call=OuterRef("pk"),
        membershipclass__membership__organisation_id=roles.organisation_id,
        membershipclass__membership__left_on__isnull=True,
    )
    return (
        Call.objects.prefetch_related("themes")
        .annotate(
            submitted=Count("submissions", filter=Q(submissions__status="submitted")),
            class_may_submit=Exists(eligible) if roles.member else Value(False),
        )
        .order_by("-fiscal_year", "-opens_at")
    )


def class_may_submit(call: Call, organisation_id) -> bool:
    if organisation_id is None:
        return False
    return (
        Membership.objects.current()
        .filter(organisation_id=organisation_id, membership_class__in=call.eligible_classes.all())
        .exists()
    )


def _listed(submissions):
    return submissions.select_related("theme", "organisation__block", "call").annotate(
        endorsement_count=Count("endorsements")
    )


def call_submissions(roles, call):
    return _listed(visible_submissions(roles).filter(call=call)).order_by(
        "theme__order", "-submitted_at", "-pk"
    )


def own_submissions(roles):
    return _listed(Submission.objects.filter(organisation_id=roles.organisation_id)).order_by(
        "-call__fiscal_year", "-created_at", "-pk"
    )


def submission_for(roles, pk: int) -> Submission:
    """The submission with what its page shows, or Submission.DoesNotExist."""
    return (
        visible_submissions(roles)
        .select_related("call", "theme", "organisation__block", "created_by")
        .prefetch_related(
            "ministries",
            "attachments",
            Prefetch(
                "endorsements",
                queryset=Endorsement.objects.select_related("organisation__block").order_by(
                    "created_at", "pk"
                ),
            ),
        )
        .get(pk=pk)
    )


def sharing_blocks(submission: Submission):
    """The regional blocks that share the issue: the submitter's and its endorsers', each
    with the number of its institutions among them, counted in the database."""
    sharing = Q(organisations__pk=submission.organisation_id) | Q(
        organisations__proposal_endorsements__submission=submission
    )
    counted = Count("organisations", filter=sharing, distinct=True)
    return (
        RegionalBlock.objects.annotate(institutions=counted)
        .filter(institutions__gt=0)
        .order_by("order", "name")
    )


def terms(query: str) -> list[str]:
    """The words of a query, each folded as the stored search text (kana.normalise)."""
    return [folded for word in (query or "").split() if (folded := kana.normalise(word))]


def search(roles, *, query="", theme=None, block=None, ministry=None, year=None):
    """Submitted issues the viewer may see, matching every word of the query (in the
    issue's texts or its institution's names) and the filters."""
    found = visible_submissions(roles).filter(status=Submission.Status.SUBMITTED)
    for term in terms(query):
        found = found.filter(
            Q(search_text__contains=term) | Q(organisation__search_text__contains=term)
        )
    if theme is not None:
        found = found.filter(theme=theme)
    if block is not None:
        found = found.filter(organisation__block=block)
    if ministry is not None:
        found = found.filter(ministries=ministry)
    if year is not None:
        found = found.filter(call__fiscal_year=year)
    return _listed(found).order_by("-call__fiscal_year", "theme__order", "-submitted_at", "-pk")
