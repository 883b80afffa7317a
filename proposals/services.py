"""Writes on calls, submissions and endorsements, and the secretariat's moderation.

Every write takes the acting user and checks, inside its transaction, what the pages also
check: the user is a current contact of the organisation it acts for
(`members.selectors.contact_of`), the call's window and classes allow it, the row is in a
state that allows it. The pages' checks are for the user's comfort; these are the rule.
"""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Membership
from members.selectors import contact_of
from portal.uploads import check_attachment, typed_name

from .models import (
    Call,
    DraftComment,
    Endorsement,
    ModerationEvent,
    Submission,
    SubmissionAttachment,
)

# The fields of a submission its contacts write (the form's, the draft's).
DRAFT_FIELDS = (
    "theme",
    "title",
    "background",
    "request",
    "supporting_data",
    "visibility",
    "hide_name",
)
# What must be filled in before a submission is submitted (a draft may lack any).
REQUIRED_TO_SUBMIT = ("theme_id", "title", "background", "request")
MAX_ATTACHMENTS = 5


def _organisation_of(user):
    contact = contact_of(user) if user is not None and user.is_authenticated else None
    if contact is None:
        raise ValidationError(_("Only a contact of a member institution may do this."))
    return contact.organisation


def eligibility_problem(call: Call, organisation, now=None) -> str | None:
    """Why `organisation` may not submit to `call` now, or None: the window is open and the
    organisation's current membership is of one of the call's classes."""
    now = now or timezone.now()
    if now < call.opens_at:
        return _("This call has not opened yet.")
    if now >= call.closes_at:
        return _("This call has closed.")
    eligible = Membership.objects.current().filter(
        organisation=organisation, membership_class__in=call.eligible_classes.all()
    )
    if not eligible.exists():
        return _("This call is open to other classes of membership than your institution's.")
    return None


def _check_may_write(call: Call, organisation, now=None) -> None:
    problem = eligibility_problem(call, organisation, now)
    if problem:
        raise ValidationError(problem)


def _locked_own(submission_id: int, organisation) -> Submission:
    """The submission, locked, if it is the organisation's; a ValidationError otherwise."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("call")
        .filter(pk=submission_id, organisation=organisation)
        .first()
    )
    if submission is None:
        raise ValidationError(_("This issue is not your institution's."))
    return submission


@dataclass
class DraftData:
    """What a contact typed: the model's draft fields and the ministries concerned."""

    theme: object = None
    title: str = ""
    background: str = ""
    request: str = ""
    supporting_data: str = ""
    visibility: str = Submission.Visibility.MEMBERS
    hide_name: bool = False
    ministries: tuple = ()


def _apply(submission: Submission, data: DraftData) -> None:
    call = submission.call
    if data.theme is not None and not call.themes.filter(pk=data.theme.pk).exists():
        raise ValidationError(_("This call does not ask about that theme."))
    for field in DRAFT_FIELDS:
        setattr(submission, field, getattr(data, field))


def save_draft(
    call_id: int, user, data: DraftData, *, submission_id=None, version=None
) -> Submission:
    """Create the organisation's draft, or save it again while the window is open.

    `version` is the draft's version the form was loaded with: a contact saving over a
    change another contact made since is refused (nothing is lost silently).
    """
    organisation = _organisation_of(user)
    with transaction.atomic():
        call = Call.objects.get(pk=call_id)
        _check_may_write(call, organisation)
        if submission_id is None:
            submission = Submission(call=call, organisation=organisation, created_by=user)
        else:
            submission = _locked_own(submission_id, organisation)
            if submission.call_id != call.pk:
                raise ValidationError(_("This issue is not your institution's."))
            if not submission.is_draft:
                raise ValidationError(_("Only a draft can be edited."))
            if version is not None and int(version) != submission.version:
                raise ValidationError(
                    _(
                        "Another contact saved this draft after you opened it: "
                        "reload the page to see their changes."
                    ),
                    code="stale",
                )
            submission.version += 1
        if data.theme is None:
            raise ValidationError(_("Choose a theme."))
        _apply(submission, data)
        submission.save()
        submission.ministries.set(data.ministries)
    return submission


def submit(submission_id: int, user) -> Submission:
    """The draft goes to the call: inside its window, by a contact of an eligible
    institution, with everything required filled in."""
    organisation = _organisation_of(user)
    with transaction.atomic():
        submission = _locked_own(submission_id, organisation)
        _check_may_write(submission.call, organisation)
        if not submission.is_draft:
            raise ValidationError(_("This issue is submitted already."))
        filled = all(getattr(submission, name) for name in REQUIRED_TO_SUBMIT)
        if not filled or not submission.ministries.exists():
            raise ValidationError(
                _("Fill in the theme, title, situation, request and ministries first.")
            )
        submission.status = Submission.Status.SUBMITTED
        submission.submitted_at = timezone.now()
        submission.save(update_fields=["status", "submitted_at", "updated_at"])
    return submission


def withdraw(submission_id: int, user) -> Submission:
    """A submitted issue is withdrawn, at any time: the row stays (endorsements, and a note
    on any proposal item that cites it)."""
    organisation = _organisation_of(user)
    with transaction.atomic():
        submission = _locked_own(submission_id, organisation)
        if not submission.is_submitted:
            raise ValidationError(_("Only a submitted issue can be withdrawn."))
        submission.status = Submission.Status.WITHDRAWN
        submission.withdrawn_at = timezone.now()
        submission.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return submission


def discard_draft(submission_id: int, user) -> None:
    """A draft never submitted is deleted, with its attachments' files once committed."""
    organisation = _organisation_of(user)
    with transaction.atomic():
        submission = _locked_own(submission_id, organisation)
        if not submission.is_draft:
            raise ValidationError(_("Only a draft can be deleted; withdraw a submitted issue."))
        files = [attachment.file for attachment in submission.attachments.all()]
        submission.delete()
        transaction.on_commit(lambda: [file.delete(save=False) for file in files])


def add_attachment(submission_id: int, upload, user) -> SubmissionAttachment:
    """A file checked by its content, added to a draft while the window is open."""
    organisation = _organisation_of(user)
    checked = check_attachment(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        submission = _locked_own(submission_id, organisation)
        _check_may_write(submission.call, organisation)
        if not submission.is_draft:
            raise ValidationError(_("Only a draft can be edited."))
        twin = submission.attachments.filter(sha256=digest.hexdigest()).first()
        if twin is not None:
            raise ValidationError(
                _("This file is attached already, as %(name)s.") % {"name": twin.name}
            )
        if submission.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationError(
                _("An issue has at most %(limit)d attachments; remove one first.")
                % {"limit": MAX_ATTACHMENTS}
            )
        name = typed_name(upload.name, checked)
        return SubmissionAttachment.objects.create(
            submission=submission,
            file=upload,
            name=name,
            content_type=checked.content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )


def remove_attachment(attachment_id: int, user) -> SubmissionAttachment:
    organisation = _organisation_of(user)
    with transaction.atomic():
        attachment = (
            SubmissionAttachment.objects.filter(
                pk=attachment_id, submission__organisation=organisation
            )
            .select_related("submission")
            .first()
        )
        if attachment is None:
            raise ValidationError(_("This issue is not your institution's."))
        submission = _locked_own(attachment.submission_id, organisation)
        _check_may_write(submission.call, organisation)
        if not submission.is_draft:
            raise ValidationError(_("Only a draft can be edited."))
        attachment.delete()
        transaction.on_commit(lambda: attachment.file.delete(save=False))
    return attachment


def endorse(submission_id: int, user, comment: str = "") -> Endorsement:
    """The user's institution endorses a submitted issue, once: two contacts (or two tabs)
    at the same moment make one endorsement, the unique constraint deciding; the other is
    told that the institution endorses it already."""
    organisation = _organisation_of(user)
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",)).filter(pk=submission_id).first()
        )
        if submission is None or not submission.is_submitted:
            raise ValidationError(_("Only a submitted issue can be endorsed."))
        if submission.organisation_id == organisation.pk:
            raise ValidationError(_("Your institution cannot endorse its own issue."))
        try:
            with transaction.atomic():
                return Endorsement.objects.create(
                    submission=submission,
                    organisation=organisation,
                    comment=comment.strip(),
                    created_by=user,
                )
        except IntegrityError:
            raise ValidationError(
                _("Your institution already endorses this issue."), code="duplicate"
            ) from None


def withdraw_endorsement(endorsement_id: int, user) -> None:
    """The institution takes its endorsement back; one the secretariat moderated stays (its
    audit trail points at it)."""
    organisation = _organisation_of(user)
    with transaction.atomic():
        endorsement = (
            Endorsement.objects.select_for_update()
            .filter(pk=endorsement_id, organisation=organisation)
            .first()
        )
        if endorsement is None:
            raise ValidationError(_("This endorsement is not your institution's."))
        if endorsement.moderation.exists():
            raise ValidationError(
                _("The secretariat moderated this endorsement: ask it to remove it.")
            )
        endorsement.delete()


MODERATED = (Endorsement, DraftComment)


def _moderate(target, by, reason: str, *, hide: bool):
    model = type(target)
    if model not in MODERATED:
        raise TypeError(f"{model.__name__} is not moderated")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason: it is kept in the moderation trail."))
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=target.pk)
        if hide == row.is_hidden:
            raise ValidationError(
                _("This comment is hidden already.") if hide else _("This comment is not hidden.")
            )
        now = timezone.now()
        if hide:
            row.hidden_at, row.hidden_by, row.hidden_reason = now, by, reason
        else:
            row.hidden_at, row.hidden_by, row.hidden_reason = None, None, ""
        row.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        key = "endorsement" if model is Endorsement else "comment"
        ModerationEvent.objects.create(
            at=now,
            actor=by,
            action=ModerationEvent.Action.HIDDEN if hide else ModerationEvent.Action.SHOWN,
            reason=reason,
            **{key: row},
        )
    return row


def hide(target, by, reason: str):
    """The secretariat hides an endorsement's (or a draft comment's) text, with a reason:
    the row stays, the pages say it was hidden, the trail says who, when and why."""
    return _moderate(target, by, reason, hide=True)


def unhide(target, by, reason: str):
    """Shows a hidden text again, with a reason, audited like hiding it."""
    return _moderate(target, by, reason, hide=False)
