"""Reads: who sees which submission, and the pages' data in a fixed number of queries.

The one rule of visibility is `visible_submissions`: every page and download that shows a
submission (or its attachments, endorsements) goes through it and answers 404 otherwise.

- the secretariat (the admin's permission to view submissions) sees every submission;
- a member institution's contacts see their own institution's, drafts included, and every
  other institution's submitted ones, public or members-only;
- anyone else (a visitor, a login of no member institution) sees the submitted public ones.

Withdrawn and draft submissions of other institutions are seen by the secretariat alone.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Value

from members.models import Membership, RegionalBlock
from portal import kana

from .models import Call, Citation, Endorsement, Proposal, ProposalItem, Submission


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


# --- The year's proposal (提言) ----------------------------------------------------------------
#
# Who sees a proposal: the secretariat (the admin's permission to view proposals) every one,
# drafts included; member institutions' contacts the ones out for comments, final or
# submitted; anyone else (the public) the submitted ones. Comments on the draft are for
# members and the secretariat.

MEMBER_PROPOSAL_STATUSES = (
    Proposal.Status.COMMENTING,
    Proposal.Status.FINAL,
    Proposal.Status.SUBMITTED,
)


def sees_all_proposals(roles) -> bool:
    return roles.has_perm("proposals.view_proposal")


def visible_proposals(roles):
    proposals = Proposal.objects.all()
    if sees_all_proposals(roles):
        return proposals
    if roles.member:
        return proposals.filter(status__in=MEMBER_PROPOSAL_STATUSES)
    return proposals.filter(status=Proposal.Status.SUBMITTED)


def sees_comments(roles) -> bool:
    return roles.member or sees_all_proposals(roles)


@dataclass
class CitedIssue:
    """A submission as an item cites it: its institution and block, or None for both where
    the submitter or the item hides them; a withdrawn one is a note, never left out. The
    title is shown to whoever may see the submission (`title_shown`)."""

    submission: Submission
    organisation: object
    block: object
    withdrawn: bool
    title_shown: bool

    @property
    def hidden(self) -> bool:
        return self.organisation is None


@dataclass
class ItemContent:
    item: ProposalItem
    citations: list
    endorsements_by_block: list  # (block, count), counted in the database


def _cited(citation, item, *, titles_for_members: bool) -> CitedIssue:
    submission = citation.submission
    hidden = item.hide_submitters or submission.hide_name
    organisation = None if hidden else submission.organisation
    return CitedIssue(
        submission=submission,
        organisation=organisation,
        block=None if hidden else submission.organisation.block,
        withdrawn=submission.is_withdrawn,
        title_shown=titles_for_members or submission.visibility == Submission.Visibility.PUBLIC,
    )


def proposal_items(proposal, *, members_view: bool, items=None) -> list[ItemContent]:
    """The proposal's items by theme, then in their order, each with its citations and its
    endorsements by block: four queries whatever the number of items and citations.

    `members_view`: the reader may see members-only titles (a member or the secretariat);
    the public sees the institutions and blocks, and the titles of the public issues.
    Endorsements of withdrawn issues, and those the secretariat hid, are not counted.
    """
    if items is None:
        items = proposal.items.all()
    items = list(
        items.select_related("theme")
        .prefetch_related(
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("submission__organisation__block"),
            )
        )
        .order_by("theme__order", "theme__name", "order", "pk")
    )
    counts = (
        Endorsement.objects.filter(
            submission__citations__item__in=[item.pk for item in items],
            submission__status=Submission.Status.SUBMITTED,
            hidden_at__isnull=True,
        )
        .values("submission__citations__item", "organisation__block")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = list(counts)
    blocks = RegionalBlock.objects.in_bulk({row["organisation__block"] for row in counts})
    by_item = defaultdict(list)
    for row in counts:
        block = blocks.get(row["organisation__block"])
        by_item[row["submission__citations__item"]].append((block, row["count"]))
    for rows in by_item.values():
        rows.sort(key=lambda pair: (pair[0].order, pair[0].name) if pair[0] else (10**6, ""))
    return [
        ItemContent(
            item=item,
            citations=[
                _cited(citation, item, titles_for_members=members_view)
                for citation in item.citations.all()
            ],
            endorsements_by_block=by_item.get(item.pk, []),
        )
        for item in items
    ]


def by_theme(contents: list[ItemContent]) -> list[tuple[object, list[ItemContent]]]:
    """The items grouped by theme, in the order given."""
    groups: list[tuple[object, list[ItemContent]]] = []
    for content in contents:
        if groups and groups[-1][0] == content.item.theme:
            groups[-1][1].append(content)
        else:
            groups.append((content.item.theme, [content]))
    return groups


def outcomes():
    """The submitted proposals with their items' follow-up status, for the public page."""
    return (
        Proposal.objects.filter(status=Proposal.Status.SUBMITTED)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=ProposalItem.objects.select_related("theme").order_by(
                    "theme__order", "theme__name", "order", "pk"
                ),
            )
        )
        .order_by("-fiscal_year")
    )


ITEMS_FOUND = 30


def search_items(roles, *, query="", theme=None, block=None, ministry=None, year=None):
    """The items of the proposals the viewer may see matching every word of the query (in
    the item's title and text, folded as the stored search text) and the filters: the block
    is that of an institution an item names (a hidden one is not searched by its block)."""
    found = ProposalItem.objects.filter(proposal__in=visible_proposals(roles))
    for term in terms(query):
        found = found.filter(search_text__contains=term)
    if theme is not None:
        found = found.filter(theme=theme)
    if block is not None:
        named = Citation.objects.filter(
            item=OuterRef("pk"),
            submission__organisation__block=block,
            submission__hide_name=False,
            item__hide_submitters=False,
        )
        found = found.filter(Exists(named))
    if ministry is not None:
        found = found.filter(ministries=ministry)
    if year is not None:
        found = found.filter(proposal__fiscal_year=year)
    return found.select_related("proposal", "theme").order_by(
        "-proposal__fiscal_year", "theme__order", "order", "pk"
    )[:ITEMS_FOUND]
