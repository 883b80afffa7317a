"""Judging: assignment, scoring, and the secretariat's round controls. Every action is
audited; scores change only while the round is open, or later by the secretariat."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.permissions import JUDGES_GROUP
from members.selectors import contact_of

from . import audit
from .conflicts import is_conflicted, visible_to
from .models import Assignment, Conflict, Entry, Judge, Round, Score


def person(user) -> str:
    """A judge as the secretariat's messages name them: family name first, and the address."""
    name = f"{user.last_name} {user.first_name}".strip()
    return f"{name} <{user.email}>" if name else user.email


def _grant_judging(user) -> bool:
    """Put the user in the judges group, which opens the judging pages; True if they were
    not in it yet."""
    group = Group.objects.get_or_create(name=JUDGES_GROUP)[0]
    if user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.add(group)
    return True


def _withdraw_judging(user_id: int) -> bool:
    """Take the judging pages from a user who judges no edition any more; True if done."""
    if Judge.objects.filter(user_id=user_id).exists():
        return False
    User = get_user_model()
    removed, _rows = User.groups.through.objects.filter(
        user_id=user_id, group__name=JUDGES_GROUP
    ).delete()
    return bool(removed)


@dataclass(frozen=True)
class JudgeAccess:
    """What adding, changing or removing a judgeship did to the judging pages' access."""

    judge: Judge
    added: bool = False  # the judgeship names a user it did not name before
    granted: bool = False  # the user could not open the judging pages before
    withdrawn_from: object = None  # a user who lost them (judging no other edition)
    kept_by: object = None  # a user no longer judging here who keeps them for another


def save_judge(judge: Judge, by) -> JudgeAccess:
    """A judgeship as the secretariat enters it (admin): saved, its user able to judge, and
    a user it no longer names (a changed user) losing access unless judging elsewhere."""
    with transaction.atomic():
        previous = (
            Judge.objects.filter(pk=judge.pk).values_list("user_id", flat=True).first()
            if judge.pk
            else None
        )
        first = judge.pk is None
        judge.save()
        granted = _grant_judging(judge.user)
        withdrawn = kept = None
        if previous is not None and previous != judge.user_id:
            former = get_user_model().objects.get(pk=previous)
            if _withdraw_judging(previous):
                withdrawn = former
            else:
                kept = former
        added = first or previous != judge.user_id
        if added:
            audit.record(judge.edition_id, by, "judge_added", judge=judge.pk, user=judge.user_id)
    return JudgeAccess(judge, added=added, granted=granted, withdrawn_from=withdrawn, kept_by=kept)


def remove_judge(judge: Judge, by) -> JudgeAccess:
    """The judgeship deleted (its assignments and scores go with it); the user loses the
    judging pages unless they judge another edition."""
    with transaction.atomic():
        user = judge.user
        audit.record(judge.edition_id, by, "judge_removed", judge=judge.pk, user=user.pk)
        judge.delete()
        withdrawn = _withdraw_judging(user.pk)
    return JudgeAccess(
        judge, withdrawn_from=user if withdrawn else None, kept_by=None if withdrawn else user
    )


def appoint(edition, user, *, is_chair=False, affiliation="") -> Judge:
    """A judge of the edition (and of the judges group, which opens the judge workspace);
    a member contact's organisation and prefecture come along for the conflict checks."""
    _grant_judging(user)
    person = contact_of(user)
    organisation = person.organisation if person else None
    judge, _created = Judge.objects.update_or_create(
        edition=edition,
        user=user,
        defaults={
            "is_chair": is_chair,
            "organisation": organisation,
            "affiliation": affiliation or (organisation.name if organisation else ""),
            "prefecture": organisation.prefecture if organisation else None,
        },
    )
    return judge


def assign(round: Round, judges, entries, by) -> tuple[int, int]:
    """Give each of `entries` to each of `judges` unless conflicted; returns
    (assignments made, pairs skipped for a conflict). Existing assignments stay."""
    entries = entries.filter(edition=round.edition_id, status=Entry.Status.SUBMITTED)
    entry_ids = set(entries.values_list("pk", flat=True))
    made = skipped = 0
    with transaction.atomic():
        for judge in judges:
            allowed = set(visible_to(judge, entries).values_list("pk", flat=True))
            skipped += len(entry_ids - allowed)
            held = set(judge.assignments.filter(round=round).values_list("entry_id", flat=True))
            Assignment.objects.bulk_create(
                [
                    Assignment(round=round, judge=judge, entry_id=pk)
                    for pk in sorted(allowed - held)
                ],
                ignore_conflicts=True,  # one made at the same moment elsewhere stays
            )
            made += len(allowed - held)
        audit.record(
            round.edition_id, by, "assigned", round=round, entries=len(entry_ids), made=made
        )
    return made, skipped


def load(round: Round):
    """Judges of the round's edition with their assigned and scored counts."""
    return round.edition.judges.select_related("user").annotate(
        assigned=Count("assignments", filter=Q(assignments__round=round)),
        scored=Count(
            "assignments",
            filter=Q(assignments__round=round, assignments__scored_at__isnull=False),
        ),
    )


def _check_values(criteria, values: dict, *, complete: bool = True) -> dict:
    """Each score given within its criterion's scale and, for a complete review, every
    criterion scored: the missing ones are named, beside their fields and above the sheet."""
    errors = {}
    missing = []
    for criterion in criteria:
        value = values.get(criterion.pk)
        if value is None:
            if complete:
                missing.append(criterion.name)
                errors[f"criterion_{criterion.pk}"] = _("Give a score.")
        elif not criterion.scale_min <= value <= criterion.scale_max:
            errors[f"criterion_{criterion.pk}"] = _("Between %(low)d and %(high)d.") % {
                "low": criterion.scale_min,
                "high": criterion.scale_max,
            }
    if missing:
        errors[NON_FIELD_ERRORS] = _(
            "Score every criterion to complete the review. Not scored yet: %(criteria)s."
        ) % {"criteria": _(", ").join(missing)}
    if errors:
        raise ValidationError(errors)
    return values


def _write_scores(assignment: Assignment, values: dict, comment: str, *, draft=False) -> dict:
    """Store the review; returns the changed values as {criterion name: [old, new]}.

    A draft (`draft`) keeps what is scored so far and does not count: the assignment stays
    unscored, so results, loads and other judges see nothing of it until it is complete."""
    criteria = list(assignment.round.criteria.all())
    _check_values(criteria, values, complete=not draft)
    old = {score.criterion_id: score.value for score in assignment.scores.all()}
    given = [c for c in criteria if values.get(c.pk) is not None]
    Score.objects.bulk_create(
        [Score(assignment=assignment, criterion=c, value=values[c.pk]) for c in given],
        update_conflicts=True,
        unique_fields=["assignment", "criterion"],
        update_fields=["value"],
    )
    assignment.scores.exclude(criterion__in=given).delete()
    assignment.comment = comment
    assignment.scored_at = None if draft else timezone.now()
    assignment.save(update_fields=["comment", "scored_at"])
    return {
        c.name: [old.get(c.pk), values.get(c.pk)]
        for c in criteria
        if old.get(c.pk) != values.get(c.pk)
    }


def _locked_assignment(assignment_id: int) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("round", "judge", "entry")
        .get(pk=assignment_id)
    )


def save_review(
    assignment_id: int, values: dict, comment: str, by, *, draft: bool = False
) -> Assignment:
    """A judge's scores for an assigned entry, editable while the round is open. Only a
    complete sheet is a review; a `draft` keeps a partial sheet without counting, and is
    refused once the review counts (a change to it scores every criterion again)."""
    with transaction.atomic():
        assignment = _locked_assignment(assignment_id)
        if assignment.judge.user_id != by.pk:
            raise ValidationError(_("This entry is not assigned to you."))
        if not assignment.round.is_open():
            raise ValidationError(_("This round is not open for scoring."))
        if is_conflicted(assignment.judge, assignment.entry_id):
            raise ValidationError(_("You have a conflict of interest with this entry."))
        first = assignment.scored_at is None
        if draft and not first:
            raise ValidationError(
                _(
                    "Your review of this entry counts already: to change it, score every "
                    "criterion and save the scores."
                )
            )
        changes = _write_scores(assignment, values, comment, draft=draft)
        action = "draft_saved" if draft else ("scored" if first else "score_changed")
        audit.record(
            assignment.round.edition_id,
            by,
            action,
            entry=assignment.entry,
            round=assignment.round,
            judge=assignment.judge_id,
            changes=changes,
        )
    return assignment


def correct_review(assignment_id: int, values: dict, comment: str, reason: str, by) -> Assignment:
    """The secretariat changing a review, e.g. after the round closed; always audited."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the score is changed.")})
    with transaction.atomic():
        assignment = _locked_assignment(assignment_id)
        changes = _write_scores(assignment, values, comment)
        audit.record(
            assignment.round.edition_id,
            by,
            "score_corrected",
            entry=assignment.entry,
            round=assignment.round,
            judge=assignment.judge_id,
            changes=changes,
            reason=reason,
        )
    return assignment


def declare_conflict(judge: Judge, entry: Entry, kind: str, note: str, by) -> Conflict:
    with transaction.atomic():
        conflict, _created = Conflict.objects.update_or_create(
            judge=judge, entry=entry, defaults={"kind": kind, "note": note}
        )
        audit.record(judge.edition_id, by, "conflict_declared", entry=entry, kind=kind)
    return conflict


def open_round(round_id: int, by) -> bool:
    """Open a round that has not opened yet, now (a closed one reopens by editing its end)."""
    now = timezone.now()
    with transaction.atomic():
        done = Round.objects.filter(pk=round_id, opens_at__gt=now).update(opens_at=now)
        if done:
            _audit_round(round_id, by, "round_opened")
    return bool(done)


def close_round(round_id: int, by) -> bool:
    now = timezone.now()
    with transaction.atomic():
        done = Round.objects.filter(pk=round_id, opens_at__lte=now, closes_at__gt=now).update(
            closes_at=now
        )
        if done:
            _audit_round(round_id, by, "round_closed")
    return bool(done)


def release_scores(round_id: int, by) -> bool:
    with transaction.atomic():
        done = Round.objects.filter(pk=round_id, scores_released=False).update(
            scores_released=True
        )
        if done:
            _audit_round(round_id, by, "scores_released")
    return bool(done)


def _audit_round(round_id: int, by, action: str) -> None:
    round = Round.objects.get(pk=round_id)
    audit.record(round.edition_id, by, action, round=round)
