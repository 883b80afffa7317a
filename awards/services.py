"""Entries: drafting, submitting, nominating, consenting, asking, merging.

Every write locks the entry row and checks the phase inside that lock, so a save that
races the deadline either lands before it or is refused; each change that is confirmed by
mail queues its mail in the same transaction.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Organisation
from members.selectors import contact_of
from portal import kana, names
from portal.uploads import check_attachment, typed_name

from . import audit, mail
from .models import Attachment, Edition, EligibilityQuestion, Entry, Nomination, Track

REQUIRED_FIELDS = ("title", "organisation_name", "prefecture", "summary", "contact_name")


def _locked(entry_id: int) -> Entry:
    return (
        Entry.objects.select_for_update(of=("self",))
        .select_related("edition", "track")
        .get(pk=entry_id)
    )


def _check_open(entry: Entry) -> None:
    if not entry.edition.accepts_entries():
        raise ValidationError(
            _("The entry deadline has passed: the entry can no longer be changed.")
        )
    if not entry.editable:
        raise ValidationError(_("This entry can no longer be changed."))


def start_entry(track: Track, user) -> Entry:
    """A draft, filled in from the member organisation and contact where there is one."""
    if not track.edition.accepts_entries():
        raise ValidationError(_("The call for entries is not open."))
    entry = Entry(edition=track.edition, track=track, owner=user, contact_email=user.email)
    person = contact_of(user)
    if person is not None:
        organisation = person.organisation
        entry.organisation = organisation
        entry.organisation_name = organisation.name
        entry.prefecture = organisation.prefecture
        entry.contact_name = names.person_name(
            person.family_name, person.given_name, language="ja"
        )
        entry.contact_phone = person.phone or organisation.phone
    entry.save()
    return entry


def refresh_search_text(entry: Entry) -> None:
    entry.search_text = kana.search_text(
        entry.title,
        entry.organisation_name,
        entry.co_applicants,
        entry.summary,
        entry.keywords,
        *entry.sections.values(),
    )


def _match_partners(entry: Entry) -> None:
    """Partner lines naming a member organisation link to it (the conflict checks use it)."""
    names = [line.strip() for line in entry.co_applicants.splitlines() if line.strip()]
    entry.co_applicant_organisations.set(
        Organisation.objects.filter(Q(name__in=names) | Q(short_name__in=names))
    )


def save_entry(entry_id: int, data: dict, sections: dict, by) -> Entry:
    """Save what the form holds. A submitted entry stays submitted only while complete."""
    with transaction.atomic():
        entry = _locked(entry_id)
        _check_open(entry)
        for field, value in data.items():
            setattr(entry, field, value)
        entry.sections = {**entry.sections, **sections}
        refresh_search_text(entry)
        if entry.status == Entry.Status.SUBMITTED:
            errors = completeness_errors(entry)
            if errors:
                raise ValidationError(errors)
        entry.save()
        _match_partners(entry)
        if entry.status == Entry.Status.SUBMITTED:
            mail.queue("entry_changed", entry.contact_email, entry=entry)
    return entry


def completeness_errors(entry: Entry) -> dict[str, str]:
    """What is missing for submission, by form field."""
    missing = _("This is needed before the entry can be submitted.")
    errors = {field: missing for field in REQUIRED_FIELDS if not getattr(entry, field)}
    if not entry.contact_email:
        errors["contact_email"] = missing
    for section in entry.track.sections.all():
        text = (entry.sections.get(section.key) or "").strip()
        if section.required and not text:
            errors[f"section_{section.key}"] = missing
        elif len(text) > section.max_length:
            errors[f"section_{section.key}"] = _(
                "At most %(limit)d characters (now %(count)d)."
            ) % {"limit": section.max_length, "count": len(text)}
    return errors


def submit_entry(entry_id: int, by) -> Entry:
    with transaction.atomic():
        entry = _locked(entry_id)
        _check_open(entry)
        errors = completeness_errors(entry)
        if errors:
            raise ValidationError(errors)
        first = entry.status == Entry.Status.DRAFT
        entry.status = Entry.Status.SUBMITTED
        entry.submitted_at = timezone.now()
        entry.save(update_fields=["status", "submitted_at", "updated_at"])
        mail.queue(
            "entry_submitted" if first else "entry_changed", entry.contact_email, entry=entry
        )
    return entry


def withdraw_entry(entry_id: int, by) -> Entry:
    with transaction.atomic():
        entry = _locked(entry_id)
        _check_open(entry)
        entry.status = Entry.Status.WITHDRAWN
        entry.save(update_fields=["status", "updated_at"])
    return entry


def add_attachment(entry_id: int, upload, by, limit: int) -> Attachment:
    """A file checked by its content; the same content twice on one entry is refused."""
    checked = check_attachment(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        entry = _locked(entry_id)
        _check_open(entry)
        twin = entry.attachments.filter(sha256=digest.hexdigest()).first()
        if twin is not None:
            raise ValidationError(
                _("This file is attached already, as %(name)s.") % {"name": twin.name}
            )
        if entry.attachments.count() >= limit:
            raise ValidationError(
                _("An entry has at most %(limit)d attachments; remove one first.")
                % {"limit": limit}
            )
        name = typed_name(upload.name, checked)
        return Attachment.objects.create(
            entry=entry,
            file=upload,
            name=name,
            content_type=checked.content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=by,
        )


def remove_attachment(attachment: Attachment, by) -> None:
    with transaction.atomic():
        _check_open(_locked(attachment.entry_id))
        _delete_attachment(attachment)


def _delete_attachment(attachment: Attachment) -> None:
    """The row now, its file once the transaction commits."""
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.delete(save=False))


def close_call(edition_id: int, by) -> bool:
    """End the call now: both deadlines that are still ahead move to this moment."""
    now = timezone.now()
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition_id)
        if edition.entry_deadline <= now:
            return False
        edition.nomination_deadline = min(edition.nomination_deadline, now)
        edition.entry_deadline = now
        edition.call_opens_at = min(edition.call_opens_at, now)
        edition.save(update_fields=["call_opens_at", "nomination_deadline", "entry_deadline"])
        audit.record(edition.pk, by, "call_closed")
    return True


# --- Third-party nomination -----------------------------------------------------------


def nominate(track: Track, by, entry_fields: dict, nomination_fields: dict) -> Nomination:
    """Propose another organisation's programme or person; the nominee is asked to consent."""
    edition = track.edition
    with transaction.atomic():
        if not edition.accepts_nominations():
            raise ValidationError(_("Third-party nominations are closed for this edition."))
        entry = Entry.objects.create(
            edition=edition,
            track=track,
            status=Entry.Status.INVITED,
            nomination=Entry.Nomination.THIRD_PARTY,
            contact_name=nomination_fields["nominee_name"],
            contact_email=nomination_fields["nominee_email"],
            **entry_fields,
        )
        refresh_search_text(entry)
        entry.save(update_fields=["search_text"])
        nomination = Nomination.objects.create(entry=entry, nominator=by, **nomination_fields)
        mail.queue(
            "nomination_invite", nomination.nominee_email, entry=entry, nomination=nomination.pk
        )
    return nomination


def _pending_nomination(token) -> Nomination:
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("entry__edition")
        .get(token=token)
    )
    if nomination.consented_at or nomination.declined_at:
        raise ValidationError(_("This nomination has been answered already."))
    if not nomination.entry.edition.accepts_entries():
        raise ValidationError(_("The entry deadline has passed."))
    return nomination


def consent(token, user) -> Entry:
    """The nominee agrees: the entry becomes theirs to complete, the nominator stays on it."""
    with transaction.atomic():
        nomination = _pending_nomination(token)
        entry = nomination.entry
        nomination.consented_at = timezone.now()
        nomination.consented_by = user
        nomination.save(update_fields=["consented_at", "consented_by"])
        if entry.status == Entry.Status.INVITED:
            entry.owner = user
            entry.status = Entry.Status.DRAFT
            person = contact_of(user)
            if person is not None and entry.organisation is None:
                entry.organisation = person.organisation
            entry.save(update_fields=["owner", "status", "organisation", "updated_at"])
        mail.queue(
            "nomination_consented",
            nomination.nominator.email,
            entry=entry,
            nomination=nomination.pk,
        )
    return entry


def decline(token, user) -> Nomination:
    with transaction.atomic():
        nomination = _pending_nomination(token)
        nomination.declined_at = timezone.now()
        nomination.save(update_fields=["declined_at"])
        entry = nomination.entry
        if entry.status == Entry.Status.INVITED:
            entry.status = Entry.Status.WITHDRAWN
            entry.save(update_fields=["status", "updated_at"])
        mail.queue(
            "nomination_declined",
            nomination.nominator.email,
            entry=entry,
            nomination=nomination.pk,
        )
    return nomination


# --- Eligibility advice ---------------------------------------------------------------


def ask_eligibility(entry_id: int, question: str, by) -> EligibilityQuestion:
    with transaction.atomic():
        entry = _locked(entry_id)
        if entry.status != Entry.Status.DRAFT or not entry.edition.accepts_entries():
            raise ValidationError(_("Questions can be asked about a draft during the call."))
        asked = EligibilityQuestion.objects.create(entry=entry, question=question, asked_by=by)
        mail.queue_to_secretariat("question_asked", entry=entry, question=asked.pk)
    return asked


def answer_eligibility(question_id: int, answer: str, by) -> EligibilityQuestion:
    with transaction.atomic():
        question = (
            EligibilityQuestion.objects.select_for_update(of=("self",))
            .select_related("entry__edition", "asked_by")
            .get(pk=question_id)
        )
        first = not question.answered_at
        question.answer, question.answered_by = answer, by
        question.answered_at = timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        if first:
            mail.queue(
                "question_answered",
                question.asked_by.email,
                entry=question.entry,
                question=question.pk,
            )
    return question


# --- Merging --------------------------------------------------------------------------


def merge_entries(keep_id: int, duplicate_id: int, by) -> Entry:
    """Two entries for the same programme become one: the duplicate's nominations,
    attachments and questions move to the kept entry, and the duplicate points to it."""
    if keep_id == duplicate_id:
        raise ValidationError(_("An entry cannot be merged into itself."))
    with transaction.atomic():
        keep, duplicate = (_locked(pk) for pk in sorted([keep_id, duplicate_id]))
        if keep.pk != keep_id:
            keep, duplicate = duplicate, keep
        if keep.edition_id != duplicate.edition_id:
            raise ValidationError(_("Only entries of the same edition can be merged."))
        if Entry.Status.MERGED in (keep.status, duplicate.status):
            raise ValidationError(_("One of these entries is merged already."))
        # A file the kept entry holds already (the same content) is not held twice.
        held = keep.attachments.values_list("sha256", flat=True)
        for twin in Attachment.objects.filter(entry=duplicate, sha256__in=held):
            _delete_attachment(twin)
        for related in (Nomination, Attachment, EligibilityQuestion):
            related.objects.filter(entry=duplicate).update(entry=keep)
        duplicate.status = Entry.Status.MERGED
        duplicate.merged_into = keep
        duplicate.save(update_fields=["status", "merged_into", "updated_at"])
        audit.record(keep.edition_id, by, "entries_merged", entry=keep, merged=duplicate.reference)
    return keep
