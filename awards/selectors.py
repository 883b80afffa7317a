"""Reads: the current edition, an applicant's entries, a judge's work, the winners archive."""

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal import kana

from .conflicts import conflicted_assignment, is_conflicted, visible_to
from .models import Assignment, Attachment, Decision, Edition, Entry, Judge, Round, Score


def current_edition() -> Edition | None:
    """The edition the call page is about: the latest that has opened, else the next one."""
    now = timezone.now()
    return (
        Edition.objects.filter(call_opens_at__lte=now).order_by("-call_opens_at").first()
        or Edition.objects.order_by("call_opens_at").first()
    )


def entries_of(user):
    """The entries the user applies with or nominated, newest first."""
    return (
        Entry.objects.filter(Q(owner=user) | Q(nominations__nominator=user))
        .exclude(status=Entry.Status.MERGED)
        .distinct()
        .select_related("edition", "track")
        .order_by("-created_at")
    )


def own_entry(user, pk: int) -> Entry:
    """An entry the user completes; anyone else's (a nominator's included) is a 404."""
    entry = (
        Entry.objects.filter(owner=user, pk=pk)
        .select_related("edition", "track")
        .prefetch_related("track__sections", "attachments", "questions", "nominations")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def announced_decisions(entry: Entry):
    if not entry.edition.is_announced():
        return Decision.objects.none()
    return entry.decisions.select_related("prize")


# --- Judging ----------------------------------------------------------------------------


def judgeships(user):
    return Judge.objects.filter(user=user).select_related("edition")


def open_rounds_for(user):
    now = timezone.now()
    return (
        Round.objects.filter(edition__judges__user=user, opens_at__lte=now, closes_at__gt=now)
        .select_related("edition")
        .order_by("closes_at")
    )


def judging_summary(user) -> list[dict]:
    """The open rounds the user judges in, each with the entries assigned to them (without
    conflict) and how many of those they have scored, as the judging page counts them; in
    one query, for the dashboard."""
    now = timezone.now()
    return list(
        Assignment.objects.filter(
            judge__user=user,
            round__opens_at__lte=now,
            round__closes_at__gt=now,
            entry__status=Entry.Status.SUBMITTED,
        )
        .exclude(conflicted_assignment())
        .values("round_id", "round__name", "round__edition__name", "round__closes_at")
        .annotate(assigned=Count("pk"), scored=Count("pk", filter=Q(scored_at__isnull=False)))
        .order_by("round__closes_at", "round_id")
    )


def judge_worklist(judge: Judge, round: Round):
    """The judge's assigned entries in the round, conflicted ones left out."""
    visible = visible_to(judge, Entry.objects.filter(edition=judge.edition_id))
    return (
        Assignment.objects.filter(
            judge=judge, round=round, entry__in=visible, entry__status=Entry.Status.SUBMITTED
        )
        .select_related("entry__track", "entry__edition")
        .annotate(drafted=Count("scores"))  # scores kept by a draft, before it counts
        .order_by("entry__track__order", "entry_id")
    )


def judge_assignment(user, round_id: int, entry_id: int) -> Assignment:
    """The user's assignment for the entry in an open round, or 404: an unassigned or
    conflicted entry, or a round that is not open, looks as if it did not exist."""
    now = timezone.now()
    assignment = (
        Assignment.objects.filter(
            judge__user=user,
            round_id=round_id,
            entry_id=entry_id,
            round__opens_at__lte=now,
            round__closes_at__gt=now,
            entry__status=Entry.Status.SUBMITTED,
        )
        .select_related("round__edition", "judge", "entry__track", "entry__edition")
        .prefetch_related("entry__track__sections", "entry__attachments", "scores")
        .first()
    )
    if (
        assignment is None
        or not visible_to(assignment.judge, Entry.objects.filter(pk=entry_id)).exists()
    ):
        raise Http404
    return assignment


def other_scores(assignment: Assignment):
    """Other judges' reviews of the entry, once the secretariat has shown the round's scores."""
    if not assignment.round.scores_released:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(round=assignment.round_id, entry=assignment.entry_id)
        .exclude(pk=assignment.pk)
        .exclude(conflicted_assignment())
        .filter(scored_at__isnull=False)
        .select_related("judge__user")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
    )


def attachment_for(user, pk: int, *, every_entry: bool) -> Attachment:
    """An attachment the user may download: of their own entry, any for the secretariat
    (`every_entry`, the view permission on entries), or of an entry assigned to them
    (without conflict) in an open round; else 404."""
    attachment = get_object_or_404(Attachment.objects.select_related("entry"), pk=pk)
    entry = attachment.entry
    if every_entry or entry.owner_id == user.pk:
        return attachment
    now = timezone.now()
    for judge in Judge.objects.filter(
        user=user,
        assignments__entry=entry,
        assignments__round__opens_at__lte=now,
        assignments__round__closes_at__gt=now,
    ):
        if not is_conflicted(judge, entry.pk):
            return attachment
    raise Http404


def chair_of(user, edition_id: int) -> Judge | None:
    return Judge.objects.filter(user=user, edition=edition_id, is_chair=True).first()


# --- Winners archive -----------------------------------------------------------------


def winners(*, query="", year=None, prize="", track="", prefecture=None):
    """Announced decisions, newest edition first, searched in any kana or width."""
    decisions = Decision.objects.filter(edition__announced_at__lte=timezone.now()).select_related(
        "edition", "prize", "entry__track"
    )
    for word in query.split():
        decisions = decisions.filter(entry__search_text__contains=kana.normalise(word))
    if year:
        decisions = decisions.filter(edition__year=year)
    if prize:
        decisions = decisions.filter(prize__name=prize)
    if track:
        decisions = decisions.filter(entry__track__kind=track)
    if prefecture:
        decisions = decisions.filter(entry__prefecture=prefecture)
    return decisions.order_by("-edition__year", "prize__order", "entry__title")


def announced_editions():
    return (
        Edition.objects.filter(announced_at__lte=timezone.now())
        .annotate(winner_count=Count("decisions"))
        .order_by("-year")
    )


def prize_names() -> list[str]:
    names = (
        Decision.objects.filter(edition__announced_at__lte=timezone.now())
        .order_by("prize__order")
        .values_list("prize__name", flat=True)
    )
    return list(dict.fromkeys(names))


def winner(pk: int) -> Decision:
    decision = winners().filter(pk=pk).first()
    if decision is None:
        raise Http404
    return decision
