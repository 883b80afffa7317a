"""The secretariat compiles the year's proposal, members comment on the draft, the final
version is exported, and each item's follow-up is recorded.

- `group`: an item cites submitted (or withdrawn) submissions, each at most once per item
  (the unique constraint decides under concurrency).
- `comment`: a contact of a member institution comments on an item while the proposal is
  out for comments, inside its period (`Proposal.comments_open`).
- `make_version`: the .docx and the PDF rendered once, numbered per proposal under the
  proposal's row lock, stored with their SHA-256 and never rendered again.
- `submit_proposal` and `record_follow_up`: the follow-up history (`ItemFollowUp`) and the
  item's latest status, written together.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Citation,
    DraftComment,
    FollowUpStatus,
    ItemFollowUp,
    Proposal,
    ProposalItem,
    ProposalVersion,
    Submission,
)
from .services import _organisation_of

CITABLE = (Submission.Status.SUBMITTED, Submission.Status.WITHDRAWN)

# The follow-up's steps: 提出済み → 回答あり → 施策に反映 or 継続要望; a new answer may come on
# a continued request, and a step may be recorded again (a second ministry's answer).
NEXT_STATUSES = {
    "": {FollowUpStatus.SUBMITTED},
    FollowUpStatus.SUBMITTED: {FollowUpStatus.SUBMITTED, FollowUpStatus.ANSWERED},
    FollowUpStatus.ANSWERED: {
        FollowUpStatus.ANSWERED,
        FollowUpStatus.REFLECTED,
        FollowUpStatus.CONTINUED,
    },
    FollowUpStatus.CONTINUED: {FollowUpStatus.CONTINUED, FollowUpStatus.ANSWERED},
    FollowUpStatus.REFLECTED: {FollowUpStatus.REFLECTED},
}
ANSWERED_STATUSES = {
    FollowUpStatus.ANSWERED,
    FollowUpStatus.REFLECTED,
    FollowUpStatus.CONTINUED,
}


def group(item_id: int, submission_ids) -> list[Citation]:
    """The item cites these submissions (after the ones it cites already), each once."""
    with transaction.atomic():
        item = ProposalItem.objects.select_for_update().get(pk=item_id)
        submission_ids = list(dict.fromkeys(submission_ids))
        found = Submission.objects.in_bulk(submission_ids)
        if len(found) != len(submission_ids):
            raise ValidationError(_("Some of these issues do not exist."))
        submissions = [found[pk] for pk in submission_ids]
        for submission in submissions:
            if submission.status not in CITABLE:
                raise ValidationError(
                    _("Only a submitted issue can be cited: %(title)s")
                    % {"title": submission.title}
                )
        start = (item.citations.aggregate(last=Max("order"))["last"] or 0) + 1
        created = []
        try:
            with transaction.atomic():
                for offset, submission in enumerate(submissions):
                    created.append(
                        Citation.objects.create(
                            item=item, submission=submission, order=start + offset
                        )
                    )
        except IntegrityError:
            raise ValidationError(
                _("An issue is cited once per item."), code="duplicate"
            ) from None
    return created


def comment(item_id: int, user, text: str) -> DraftComment:
    """A member institution's comment on an item of the draft, inside the comment period."""
    organisation = _organisation_of(user)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the comment first."))
    with transaction.atomic():
        item = ProposalItem.objects.select_related("proposal").filter(pk=item_id).first()
        if item is None or not item.proposal.comments_open():
            raise ValidationError(_("The draft is not open for comments."))
        return DraftComment.objects.create(
            item=item, organisation=organisation, user=user, text=text
        )


def _file_name(proposal: Proposal, number: int, extension: str) -> str:
    return f"proposal-{proposal.fiscal_year}-v{number}.{extension}"


def make_version(proposal_id: int, by, note: str = "") -> ProposalVersion:
    """The final version: the proposal becomes final (unless submitted already) and its
    .docx and PDF are rendered and stored as the next version, with their SHA-256."""
    from . import exports

    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status not in (Proposal.Status.FINAL, Proposal.Status.SUBMITTED):
            proposal.status = Proposal.Status.FINAL
            proposal.save(update_fields=["status", "updated_at"])
        if not proposal.items.exists():
            raise ValidationError(_("The proposal has no item yet."))
        docx = exports.proposal_docx(proposal)
        pdf = exports.proposal_pdf(proposal)
        number = (proposal.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = ProposalVersion(
            proposal=proposal,
            number=number,
            note=(note or "").strip()[:200],
            created_by=by,
            docx_sha256=hashlib.sha256(docx).hexdigest(),
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        )
        version.docx.save(_file_name(proposal, number, "docx"), ContentFile(docx), save=False)
        version.pdf.save(_file_name(proposal, number, "pdf"), ContentFile(pdf), save=False)
        version.save()
    return version


def submit_proposal(proposal_id: int, by, submitted_on=None) -> Proposal:
    """The proposal goes to the ministries: every item's follow-up starts at 提出済み."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.status == Proposal.Status.SUBMITTED:
            raise ValidationError(_("This proposal is submitted already."))
        if proposal.status != Proposal.Status.FINAL:
            raise ValidationError(_("Make the final version first."))
        proposal.status = Proposal.Status.SUBMITTED
        proposal.submitted_on = submitted_on or timezone.localdate()
        proposal.save(update_fields=["status", "submitted_on", "updated_at"])
        for item in proposal.items.select_for_update():
            _record(item, by, FollowUpStatus.SUBMITTED)
    return proposal


def _record(item, by, status, *, ministry=None, answer="", answered_on=None) -> ItemFollowUp:
    follow_up = ItemFollowUp.objects.create(
        item=item,
        status=status,
        ministry=ministry,
        answer=answer,
        answered_on=answered_on,
        recorded_by=by,
    )
    item.follow_up_status = status
    item.save(update_fields=["follow_up_status"])
    return follow_up


def follow_up_problem(item, status: str, answer: str, answered_on) -> str | None:
    """Why this step may not be recorded on the item now, or None."""
    if item.proposal.status != Proposal.Status.SUBMITTED:
        return _("The follow-up starts once the proposal is submitted.")
    if status not in NEXT_STATUSES.get(item.follow_up_status, set()):
        return _("An item whose status is %(current)s cannot become %(next)s.") % {
            "current": item.get_follow_up_status_display() or "—",
            "next": FollowUpStatus(status).label,
        }
    if status in ANSWERED_STATUSES and not ((answer or "").strip() and answered_on):
        return _("Give the ministry's answer and its date.")
    return None


def record_follow_up(
    item_id: int, by, status: str, *, ministry=None, answer: str = "", answered_on=None
) -> ItemFollowUp:
    """The next step of an item's follow-up, with the ministry's answer and its date."""
    answer = (answer or "").strip()
    with transaction.atomic():
        item = ProposalItem.objects.select_for_update().select_related("proposal").get(pk=item_id)
        problem = follow_up_problem(item, status, answer, answered_on)
        if problem:
            raise ValidationError(problem)
        return _record(item, by, status, ministry=ministry, answer=answer, answered_on=answered_on)
